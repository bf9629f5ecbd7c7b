"""What a fetched feed document is, by its bytes first and its Content-Type second."""

from __future__ import annotations

import re

# Media types a feed is legitimately served as; anything else is read by content, with a warning.
FEED_TYPES = re.compile(r"^(application|text)/([\w.+-]*\+)?(xml|json|rss|atom|rdf)|^$")
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff", b"\xff\xfe", b"\xfe\xff")


def sniff(content: bytes, content_type: str = "") -> str:
    """'json' or 'xml' by the first significant character; the Content-Type only breaks ties."""
    head = content[:64]
    for bom in _BOMS:
        head = head.removeprefix(bom)
    if b"\x00" in head[:4]:  # UTF-16 or UTF-32 without a BOM (or after one)
        head = head.replace(b"\x00", b"")
    first = head.lstrip()[:1]
    if first == b"{":
        return "json"
    if first == b"<":
        return "xml"
    return "json" if "json" in content_type.lower() else "xml"


def media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def served_as_warning(kind: str, content_type: str) -> str | None:
    """Why a feed read by its content deserves a note: a missing or non-feed Content-Type."""
    mtype = media_type(content_type)
    read_as = "a JSON Feed" if kind == "json" else "XML"
    if not mtype:
        return f"served without a Content-Type; read as {read_as} by its content"
    if FEED_TYPES.match(mtype) and (kind == "json") == ("json" in mtype):
        return None
    return f"served as {mtype}; read as {read_as} by its content"
