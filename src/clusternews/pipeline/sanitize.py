"""Untrusted HTML from feeds made safe (nh3) or turned into plain text."""

from __future__ import annotations

import html
import re

import nh3

# Enough structure for reading an article; no scripts, styles, forms, frames or event handlers.
ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "code",
    "em",
    "figcaption",
    "figure",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "i",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}}
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"[ \t\r\f\v]+")
_BLOCK_END = re.compile(r"</(p|div|li|h[1-6]|blockquote|tr)>|<br\s*/?>", re.IGNORECASE)


def sanitize_html(fragment: str | None) -> str | None:
    if not fragment:
        return None
    cleaned = nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener nofollow",
    )
    return cleaned.strip() or None


def html_to_text(fragment: str | None) -> str:
    """Plain text of an HTML fragment: tags dropped (after sanitizing), entities decoded."""
    if not fragment:
        return ""
    safe = nh3.clean(fragment, tags=ALLOWED_TAGS - {"img"}, attributes={})
    text = html.unescape(_TAG.sub("", _BLOCK_END.sub("\n", safe)))
    lines = (_SPACE.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def clean_text(text: str | None, *, limit: int | None = None) -> str | None:
    """Strip control characters and collapse spaces in a plain-text field from the web."""
    if not text:
        return None
    # No-break and other Unicode spaces (&nbsp; in feeds) are not "printable" but are spaces.
    text = "".join(
        ch if ch in "\n\t" or ch.isprintable() else " " if ch.isspace() else "" for ch in text
    )
    text = _SPACE.sub(" ", text).strip()
    if limit and len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + "…"
    return text or None
