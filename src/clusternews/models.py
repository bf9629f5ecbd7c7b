"""The frozen records that flow between pipeline stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Entry:
    """An article candidate found by discovery (feed item, listing link or sitemap URL)."""

    url: str  # canonical URL
    title: str | None = None
    summary: str | None = None  # plain text, already sanitized
    content_html: str | None = None  # sanitized HTML carried by the feed, if any
    published: datetime | None = None  # timezone-aware
    author: str | None = None
    image: str | None = None
    language: str | None = None  # as declared by the feed
    # False for a feed entry without a link of its own: `url` is then a stable key on the
    # feed's site and the feed's content is the whole article (no page to fetch).
    page: bool = True


@dataclass(frozen=True, slots=True)
class Discovery:
    """What one source document yielded."""

    kind: str  # "feed" | "page" | "sitemap"
    entries: tuple[Entry, ...] = ()
    feed_links: tuple[str, ...] = ()  # <link rel="alternate"> feeds found on a page
    title: str | None = None
    warnings: tuple[str, ...] = ()  # read anyway, but worth telling: "feed cut short: …"


@dataclass(frozen=True, slots=True)
class Extracted:
    """What extraction found on an article page."""

    title: str | None = None
    text: str | None = None
    published: datetime | None = None
    author: str | None = None
    image: str | None = None
    description: str | None = None
    language: str | None = None  # the page's declared language (html lang / meta)


@dataclass(frozen=True, slots=True)
class Entity:
    """A linked mention group; filled in by the entity tagger (a later stage)."""

    type: str  # ORG | REGION | PROGRAMME | PERSON
    id: str
    name: str
    kind: str | None = None
    mentions: tuple[str, ...] = ()
    count: int = 1


@dataclass(frozen=True, slots=True)
class Article:
    """A fully processed article, ready to store."""

    url: str
    title: str
    text: str
    summary: str
    published: datetime | None
    author: str | None
    image: str | None
    language: str
    language_variant: str | None
    language_confidence: float
    content_hash: str
    entities: tuple[Entity, ...] = field(default=())
    regions: tuple[str, ...] = field(default=())  # names, expanded up the hierarchy
    region_ids: tuple[str, ...] = field(default=())  # the same regions as knowledge-base ids


@dataclass(frozen=True, slots=True)
class ItemSource:
    """One source that carries a stored item, and the URL it gave for it."""

    source_id: str  # "<cluster id>:<source name>"
    url: str
    source_url: str | None = None  # the source's own URL; None once the source is removed


@dataclass(frozen=True, slots=True)
class StoryCopy:
    """One item of a story, as the story lists it."""

    id: str
    url: str
    cluster: str
    language: str


@dataclass(frozen=True, slots=True)
class Story:
    """The copies of one story (another URL, another language), ordered by date; an item
    outside any story is a story of its own, with itself as the one copy."""

    id: str
    size: int
    first_seen: datetime
    items: tuple[StoryCopy, ...]


@dataclass(frozen=True, slots=True)
class StoredItem:
    """A stored article as the store returns it, with its sources and its story."""

    id: str
    url: str
    cluster: str  # the owner of the source that found it first
    title: str
    summary: str
    text: str
    language: str
    language_variant: str | None
    language_confidence: float
    published: datetime | None
    first_seen: datetime
    updated_at: datetime
    author: str | None = None
    image: str | None = None
    entities: tuple[Entity, ...] = ()
    regions: tuple[str, ...] = ()  # names, expanded up the hierarchy
    sources: tuple[ItemSource, ...] = ()  # first seen first
    story: Story | None = None  # None: read without its story (the store always adds it)

    @property
    def date(self) -> datetime:
        """Publication date, else when first seen: the date items are sorted and paged by."""
        return self.published or self.first_seen
