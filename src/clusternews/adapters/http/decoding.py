"""Turn fetched bytes into text: BOM, declared charset, and a guess that knows Nordic pages."""

from __future__ import annotations

import codecs
import logging
import re

from charset_normalizer import from_bytes

log = logging.getLogger(__name__)

__all__ = ["decode_body", "declared_charset", "http_charset", "media_type", "is_text_type"]

# Longest BOMs first: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
)

# WHATWG Encoding Standard: the labels latin-1, iso-8859-1 and ascii all mean windows-1252,
# because that is what servers actually send under those names (“ ” – € are in 0x80–0x9F).
_AS_CP1252 = {"iso8859-1", "ascii", "cp1252", "latin-1"}
# Labels that are not usable for web content (or dangerous, like utf-7): treated as undeclared.
_REFUSED = {
    "utf-7",
    "undefined",
    "unicode-escape",
    "raw-unicode-escape",
    "idna",
    "punycode",
    "mbcs",
    "oem",
    "charmap",
    "utf-16",
    "utf-16-le",
    "utf-16-be",
    "utf-32",
    "utf-32-le",
    "utf-32-be",  # UTF-16/32 without a BOM: WHATWG ignores such labels; the guess detects them
}
_SINGLE_BYTE_PREFIXES = ("cp125", "iso8859", "latin", "koi8", "mac-", "cp437", "cp850", "cp86")
_NAMES = {
    "utf-8": "utf-8",
    "utf-8-sig": "utf-8",
    "cp1252": "windows-1252",
    "iso8859-15": "iso-8859-15",
    "mac-roman": "macintosh",
}

_XML_TYPES = ("xml",)
_META_RE = re.compile(rb"<meta[^>]*?charset\s*=\s*[\"']?\s*([a-z0-9_.:-]+)", re.I)
_XML_DECL_RE = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([a-z0-9_.:-]+)[\"']", re.I)
_CHARSET_PARAM_RE = re.compile(r";\s*charset\s*=\s*[\"']?([^\"';\s]+)", re.I)
_C1_RE = re.compile("[\x80-\x9f]")
_C1_BYTES_RE = re.compile(b"[\x80-\x9f]")
_HIGH_BYTES = bytes(range(0x80, 0x100))
_ESCAPED_RE = re.compile("[\udc80-\udcff]")
# Bytes where ISO-8859-15 differs from windows-1252 outside 0x80–0x9F; 0xA4 is "€" vs "¤".
_EURO_8859_15 = 0xA4


def media_type(content_type_header: str | None) -> str:
    """The media type without parameters, lowercased ("" if absent)."""
    if not content_type_header:
        return ""
    return content_type_header.split(";", 1)[0].strip().lower()


def http_charset(content_type_header: str | None) -> str | None:
    """The charset parameter of a Content-Type header, as sent ("" and absent are None)."""
    param = _CHARSET_PARAM_RE.search(content_type_header or "")
    return param.group(1) if param else None


def is_text_type(mtype: str) -> bool:
    """True for media types we decode to text: text/*, XML, JSON, (X)HTML, and unknown ("")."""
    if not mtype or mtype.startswith("text/"):
        return True
    sub = mtype.partition("/")[2]
    return sub in {"xml", "json", "xhtml+xml", "javascript", "x-javascript", "ecmascript"} or (
        sub.endswith("+xml") or sub.endswith("+json")
    )


def _codec_name(label: str | None) -> str | None:
    """Python codec name for a charset label, or None if unknown/unusable."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    try:
        info = codecs.lookup(label)
    except LookupError:
        return None
    name = info.name.replace("_", "-")
    if not getattr(info, "_is_text_encoding", True) or name in _REFUSED:
        return None
    return "cp1252" if name in _AS_CP1252 else name


def _label(codec: str) -> str:
    """The WHATWG-style name we report for a Python codec name."""
    return _NAMES.get(codec, codec)


def declared_charset(content: bytes, content_type_header: str | None) -> str | None:
    """The charset declared by the header, else by <meta> (HTML) or the XML declaration."""
    if content_type_header:
        param = _CHARSET_PARAM_RE.search(content_type_header)
        if param and _codec_name(param.group(1)):
            return _codec_name(param.group(1))
    mtype = media_type(content_type_header)
    head = content[:2048]
    is_xml = any(t in mtype for t in _XML_TYPES) and "html" not in mtype
    is_html = "html" in mtype or not mtype
    if is_xml or not mtype or head.lstrip()[:5] == b"<?xml":
        decl = _XML_DECL_RE.match(head)
        if decl and _codec_name(decl.group(1).decode("ascii")):
            return _codec_name(decl.group(1).decode("ascii"))
    if is_html or is_xml:  # XHTML served as XML may only have the <meta>
        meta = _META_RE.search(head)
        if meta:
            return _codec_name(meta.group(1).decode("ascii"))
    return None


def _is_single_byte(codec: str) -> bool:
    return codec.startswith(_SINGLE_BYTE_PREFIXES)


def _utf8_stats(content: bytes) -> tuple[str, int, int]:
    """UTF-8 decoded with surrogateescape, its count of multi-byte chars and of invalid bytes."""
    text = content.decode("utf-8", errors="surrogateescape")
    # Lone surrogates (the invalid bytes) cannot be encoded, so "ignore" drops exactly them.
    valid = text.encode("utf-8", errors="ignore").decode("utf-8")
    invalid = len(text) - len(valid)
    multibyte = len(valid) - len(valid.encode("ascii", errors="ignore"))
    return text, multibyte, invalid


def _cp1252_for_invalid(escaped: str) -> str:
    """Turn each invalid byte of a surrogateescape'd text into its windows-1252 character.

    Pages that mix UTF-8 with a pasted-in windows-1252 snippet are common in old CMSes; this
    keeps both halves readable.
    """
    return _ESCAPED_RE.sub(
        lambda m: bytes([ord(m.group()) - 0xDC00]).decode("cp1252", errors="replace"), escaped
    )


def _looks_utf16(content: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' if NULs sit in every other byte, as in BOM-less Latin UTF-16."""
    if len(content) < 4 or len(content) % 2:
        return None
    even, odd = content[0::2], content[1::2]
    half = len(content) // 2
    for codec, zeros in (("utf-16-le", odd), ("utf-16-be", even)):
        if zeros.count(0) > 0.6 * half:
            try:
                content.decode(codec)
            except UnicodeDecodeError:
                continue
            return codec
    return None


def _looks_binary(content: bytes) -> bool:
    """Text in any encoding we accept has no NULs and hardly any other control bytes."""
    if b"\x00" in content:
        return True
    controls = sum(content.count(bytes([b])) for b in range(0x20) if b not in (9, 10, 12, 13, 27))
    return controls > max(2, len(content) // 100)


def _looks_utf32(content: bytes) -> str | None:
    """'utf-32-be'/'utf-32-le' for BOM-less UTF-32 XML (XML 1.0 appendix F: 00 00 00 3C)."""
    if len(content) % 4:
        return None
    for codec, start in (("utf-32-be", b"\x00\x00\x00<"), ("utf-32-le", b"<\x00\x00\x00")):
        if content.startswith(start):
            try:
                content.decode(codec)
            except UnicodeDecodeError:
                return None
            return codec
    return None


def _guess(content: bytes) -> tuple[str, str]:
    """Best guess when nothing trustworthy is declared."""
    utf32 = _looks_utf32(content)
    if utf32:
        return content.decode(utf32), utf32
    utf16 = _looks_utf16(content)
    if utf16:
        return content.decode(utf16), utf16
    if _looks_binary(content):
        return content.decode("utf-8", errors="replace"), "utf-8"
    text, multibyte, invalid = _utf8_stats(content)
    if invalid == 0 or multibyte > invalid:
        return _cp1252_for_invalid(text) if invalid else text, "utf-8"
    high = len(content) - len(content.translate(None, _HIGH_BYTES))
    if high <= 0.3 * len(content) or len(content) < 200:
        # Western Latin text with a few accented letters: windows-1252 and ISO-8859-15 agree
        # on æøåäöé«»; they differ on "€" (0x80 vs 0xA4). cp1252 uses 0x80–0x9F for “ ” – …,
        # which ISO-8859-15 leaves as C1 controls; an 0xA4 without those is an ISO-8859-15 "€".
        # (charset-normalizer picks mac-roman or cp1250 for short Nordic samples, so not here.)
        if _EURO_8859_15 in content and not _C1_BYTES_RE.search(content):
            return content.decode("iso8859-15"), "iso-8859-15"
        return content.decode("cp1252", errors="replace"), "windows-1252"
    # A long text that is mostly non-ASCII is not Western Latin (Cyrillic, CJK…): let
    # charset-normalizer decide (too unreliable on short samples to ask it earlier).
    best = from_bytes(content).best()
    if best is not None and best.encoding:
        return str(best), _label(best.encoding.replace("_", "-"))
    return content.decode("cp1252", errors="replace"), "windows-1252"


def decode_body(content: bytes, *, content_type_header: str | None) -> tuple[str, str]:
    """Decode a response body to (text, encoding). Never raises."""
    for bom, name, codec in _BOMS:
        if content.startswith(bom):
            return content.decode(codec, errors="replace").removeprefix("\ufeff"), name
    declared = declared_charset(content, content_type_header)
    if declared is None:
        return _guess(content)
    if declared == "utf-8":
        try:
            return content.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            log.debug("declared utf-8 does not decode; guessing")
            return _guess(content)
    if _is_single_byte(declared) and not content.isascii():
        # Valid non-ASCII UTF-8 under a single-byte label is mislabelled UTF-8: real
        # windows-1252 text practically never forms valid UTF-8 sequences ("ø" is 0xF8).
        try:
            return content.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    try:
        text = content.decode(declared)
    except (UnicodeDecodeError, LookupError):
        log.debug("declared %s does not decode; guessing", declared)
        return _guess(content)
    if _is_single_byte(declared) and _C1_RE.search(text):
        # C1 controls never occur in real text: the bytes are windows-1252 (“ ” –) under an
        # ISO-8859-x label (other than -1, which we already read as windows-1252).
        return _guess(content)
    return text, _label(declared)
