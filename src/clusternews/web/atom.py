"""Stored items → an Atom 1.0 feed (RFC 4287), paged with RFC 5005 "next" links."""

from __future__ import annotations

from datetime import UTC, datetime

from lxml import etree

from clusternews.item_json import item_json
from clusternews.knowledge.base import KnowledgeBase
from clusternews.models import StoredItem

ATOM = "http://www.w3.org/2005/Atom"


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    node = etree.SubElement(parent, f"{{{ATOM}}}{tag}", **attrs)
    if text is not None:
        node.text = _xml_safe(text)
    return node


def _xml_safe(text: str) -> str:
    # XML 1.0 forbids most control characters; web text sometimes carries them.
    return "".join(c for c in text if c in "\t\n\r" or ord(c) >= 0x20)


def _stamp(value: datetime | None) -> str:
    return (value or datetime.now(UTC)).astimezone(UTC).isoformat().replace("+00:00", "Z")


def feed(
    items: list[StoredItem],
    *,
    title: str,
    self_url: str,
    home_page_url: str,
    next_url: str | None,
    tz: str,
    kb: KnowledgeBase,
) -> bytes:
    root = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    _sub(root, "id", f"urn:clusternews:feed:{self_url}")
    _sub(root, "title", title)
    newest = max((i.updated_at for i in items), default=None)
    _sub(root, "updated", _stamp(newest))
    _sub(root, "link", rel="self", href=self_url, type="application/atom+xml")
    _sub(root, "link", rel="alternate", href=home_page_url, type="text/html")
    if next_url:
        _sub(root, "link", rel="next", href=next_url, type="application/atom+xml")
    _sub(root, "generator", "clusternews")
    for item in items:
        data = item_json(item, kb=kb, tz=tz)
        entry = _sub(root, "entry")
        _sub(entry, "id", f"urn:clusternews:item:{item.id}")
        _sub(entry, "title", item.title, type="text")
        _sub(entry, "link", rel="alternate", href=item.url)
        _sub(entry, "updated", _stamp(item.updated_at))
        if item.published:
            _sub(entry, "published", _stamp(item.published))
        _sub(_sub(entry, "author"), "name", item.author or data["cluster"])
        _sub(entry, "summary", item.summary, type="text")
        _sub(entry, "content", item.text, type="text").set(
            "{http://www.w3.org/XML/1998/namespace}lang", item.language
        )
        _sub(entry, "category", term=data["cluster"], label="cluster")
        for entity in data["entities"]:
            if entity["type"] != "PERSON":
                _sub(
                    entry,
                    "category",
                    term=_xml_safe(entity["id"] or ""),
                    label=_xml_safe(entity["name"] or ""),
                    scheme=entity["type"],
                )
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))
