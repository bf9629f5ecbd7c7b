"""Content hashes that say whether two fetched articles are the same text."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_SPACE = re.compile(r"\s+")


def normalized_text(text: str) -> str:
    """NFC, case-folded, whitespace collapsed: what a reader would call 'the same text'."""
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text or "")).strip().casefold()


def content_hash(title: str | None, text: str | None) -> str:
    """A stable hash of an article's title and body, insensitive to whitespace and case."""
    data = normalized_text(title or "") + "\n" + normalized_text(text or "")
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def body_hash(content: bytes) -> str:
    """Hash of raw fetched bytes, used to notice a changed feed behind an unchanged ETag."""
    return hashlib.sha256(content).hexdigest()


def item_id(canonical_url: str) -> str:
    """The stable public id of an item: derived from the URL it was first stored under."""
    return hashlib.sha256(canonical_url.encode("utf-8")).hexdigest()[:20]
