"""Feed bytes as UTF-8 for feedparser, decoded once by the HTTP layer's charset detection.

feedparser trusts the XML declaration alone; the HTTP layer has already weighed BOM, HTTP
charset, declaration and content (Windows-1252 under a UTF-8 label is common on Nordic sites),
so its text is re-encoded as UTF-8 and the declaration rewritten to say so.
"""

from __future__ import annotations

import codecs
import re

_DECL = re.compile(r"^\s*<\?xml[^>]*?\?>")
_DECL_ENCODING = re.compile(r"""encoding\s*=\s*["']([^"']*)["']""")
# ISO-8859-1 is read as Windows-1252 on purpose (WHATWG), and ASCII is a subset of UTF-8.
_SAME = {"latin-1": "cp1252", "iso8859-1": "cp1252", "ascii": "utf-8"}


def as_utf8(text: str) -> bytes:
    """`text` as UTF-8 bytes whose XML declaration (if any) says UTF-8."""
    text = text.removeprefix("\ufeff")
    decl = _DECL.match(text)
    if decl:
        fixed = _DECL_ENCODING.sub('encoding="utf-8"', decl.group())
        text = fixed + text[decl.end() :]
    return text.encode("utf-8")


def override_warning(text: str, *, encoding: str | None, http_charset: str | None) -> str | None:
    """A note when the charset the text was read in is not the one the document declares."""
    if not encoding:
        return None
    used = _codec(encoding)
    declared: list[tuple[str, str]] = []
    if http_charset:
        declared.append(("HTTP", http_charset))
    decl = _DECL.match(text.removeprefix("\ufeff"))
    xml = _DECL_ENCODING.search(decl.group()) if decl else None
    if xml:
        declared.append(("XML", xml.group(1)))
    if encoding.lower().startswith("utf-16"):
        return None  # a BOM (or the byte pattern) decides; the declaration cannot be read first
    # "us-ascii" is a subset of what was read unless the text has a byte ASCII lacks.
    wrong = [
        f"{label} ({where})"
        for where, label in declared
        if _codec(label) != used or (_is_ascii(label) and not text.isascii())
    ]
    if wrong:
        return f"charset overridden: declared {', '.join(wrong)}, read as {encoding}"
    if not declared and used != "utf-8":
        return f"charset overridden: none declared (XML means UTF-8), read as {encoding}"
    return None


def _is_ascii(label: str) -> bool:
    try:
        return codecs.lookup(label.strip()).name == "ascii"
    except LookupError:
        return False


def _codec(label: str) -> str:
    try:
        name = codecs.lookup(label.strip()).name
    except LookupError:
        return label.lower()
    return _SAME.get(name, name)
