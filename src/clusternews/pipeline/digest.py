"""Stored items + a digest's interests + a week → ranked, grouped digest sections (pure)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from clusternews.models import Entity, StoredItem
from clusternews.pipeline.digest_lead import lead

TITLE_BONUS = 3.0  # an interest named in the title is what the article is about
MENTION_CAP = 5  # ten mentions of Nordland are not ten times as relevant as one
TOP_ORGS = 5
_NOT_WORD = re.compile(r"[\W_]+")
EntityNamer = Callable[[Entity], str | None]  # a tagged entity → the name to show


def stored_name(entity: Entity) -> str | None:
    return entity.name


@dataclass(frozen=True)
class Interests:
    """A digest's filters as ids. Entity interests combine with OR (any of them makes an item
    relevant; more of them rank it higher); languages restrict."""

    orgs: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()  # the filter regions and every place inside them
    programmes: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()  # "no" (any Norwegian), "nb", "nn", "sv", …

    @property
    def entity_ids(self) -> frozenset[str]:
        return self.orgs | self.regions | self.programmes


@dataclass(frozen=True)
class ClusterInfo:
    """What feeds.yaml (and the knowledge base) say about one configured source owner."""

    name: str
    is_cluster: bool = True  # False for companies, associations, public offices
    region: str | None = None  # configured home region, the fallback group of its items


@dataclass(frozen=True)
class SourceRef:
    name: str
    url: str


@dataclass(frozen=True)
class DigestItem:
    id: str
    title: str
    url: str
    date: datetime
    language: str
    variant: str | None
    lead: str
    orgs: tuple[str, ...]
    regions: tuple[str, ...]
    programmes: tuple[str, ...]
    sources: tuple[SourceRef, ...]
    score: float
    cluster: str
    # Sites that published other copies of the story (another URL, another language).
    also: tuple[SourceRef, ...] = ()


@dataclass(frozen=True)
class Section:
    kind: str  # "cluster" | "region" | "other"
    key: str
    title: str
    items: tuple[DigestItem, ...]


@dataclass(frozen=True)
class DigestContent:
    week_start: datetime
    week_end: datetime
    sections: tuple[Section, ...]
    top_orgs: tuple[tuple[str, int], ...] = field(default=())

    @property
    def total(self) -> int:
        return sum(len(s.items) for s in self.sections)


def in_week(
    item: StoredItem, *, start: datetime, end: datetime, late_since: datetime | None = None
) -> bool:
    """Published that week; or undated and first seen that week; or published the week before
    but first seen after that week's digest went out (`late_since`), so nobody misses it."""
    published, first_seen = item.published, item.first_seen
    if published is None:
        return bool(start <= first_seen < end)
    if start <= published < end:
        return True
    late_since = late_since or start
    return bool(start - timedelta(days=7) <= published < start and late_since <= first_seen < end)


def matches(item: StoredItem, interests: Interests) -> bool:
    if interests.languages and not ({item.language, item.language_variant} & interests.languages):
        return False
    wanted = interests.entity_ids
    return not wanted or any(e.id in wanted for e in item.entities)


def score(item: StoredItem, interests: Interests) -> float:
    """How much an item concerns the interests: capped mentions, more if named in the title."""
    wanted = interests.entity_ids
    title = f" {_fold(item.title)} "
    total = 0.0
    for e in item.entities:
        if e.id not in wanted:
            continue
        total += min(e.count or 1, MENTION_CAP)
        names = [e.name, *e.mentions]
        if any(n and f" {_fold(n)} " in title for n in names):  # whole words: not "Mo" in "mot"
            total += TITLE_BONUS
    return total


def compose(
    found: Iterable[StoredItem],
    interests: Interests,
    *,
    start: datetime,
    end: datetime,
    clusters: Mapping[str, ClusterInfo],
    county_of: Callable[[str], str | None] = lambda _id: None,
    late_since: datetime | None = None,
    name_of: EntityNamer = stored_name,
) -> DigestContent:
    """The digest of one week: matching items once each, ranked, grouped by cluster, then by
    region (county/län) for items of sources that are not clusters. Entities are listed by
    `name_of` (the reader's language); matching and ranking use the stored names."""
    chosen = [
        i
        for i in found
        if in_week(i, start=start, end=end, late_since=late_since) and matches(i, interests)
    ]
    by_id = {i.id: i for i in chosen}
    items = _merge_copies([_item(r, interests, clusters, name_of) for r in chosen], by_id)
    groups: dict[tuple[str, str, str], list[DigestItem]] = {}
    for item in items:
        groups.setdefault(_group(by_id[item.id], clusters, county_of), []).append(item)
    sections = [
        Section(kind, key, title, tuple(sorted(members, key=_rank)))
        for (kind, key, title), members in groups.items()
    ]
    order = {"cluster": 0, "region": 1, "other": 2}
    sections.sort(
        key=lambda s: (
            order[s.kind],
            -sum(i.score for i in s.items),
            -len(s.items),
            s.title.casefold(),
        )
    )
    return DigestContent(start, end, tuple(sections), _top_orgs(by_id, items, name_of))


def _item(
    item: StoredItem,
    interests: Interests,
    clusters: Mapping[str, ClusterInfo],
    name_of: EntityNamer,
) -> DigestItem:
    def names(type_: str) -> tuple[str, ...]:
        named = [
            (-(e.count or 1), name)
            for e in item.entities
            if e.type == type_ and (name := name_of(e))
        ]
        return tuple(dict.fromkeys(name for _n, name in sorted(named)))

    return DigestItem(
        id=item.id,
        title=item.title or item.url,
        url=item.url,
        date=item.date,
        language=item.language or "und",
        variant=item.language_variant,
        lead=lead(item.summary or item.text),
        orgs=names("ORG"),
        regions=names("REGION"),
        programmes=names("PROGRAMME"),
        sources=_sources(item, clusters),
        score=score(item, interests),
        cluster=item.cluster,
        also=_story_sites(item, clusters),
    )


def _sources(item: StoredItem, clusters: Mapping[str, ClusterInfo]) -> tuple[SourceRef, ...]:
    refs: dict[str, SourceRef] = {}
    for link in item.sources:
        owner = (link.source_id or item.cluster).split(":", 1)[0]
        info = clusters.get(owner)
        name = info.name if info else owner
        refs.setdefault(owner, SourceRef(name, link.url or item.url))
    if not refs:
        info = clusters.get(item.cluster)
        refs[item.cluster] = SourceRef(info.name if info else item.cluster, item.url)
    return tuple(refs.values())


def _story_sites(
    item: StoredItem,
    clusters: Mapping[str, ClusterInfo],
) -> tuple[SourceRef, ...]:
    """The sites of the story's other copies, also those outside the digest's filters."""
    copies = item.story.items if item.story else ()
    return tuple(SourceRef(_name(c.cluster, clusters), c.url) for c in copies if c.id != item.id)


def _name(cluster: str, clusters: Mapping[str, ClusterInfo]) -> str:
    info = clusters.get(cluster)
    return info.name if info else cluster


def _merge_copies(
    items: list[DigestItem],
    stored: Mapping[str, StoredItem],
) -> list[DigestItem]:
    """A story is shown once: its copies (one story, or the same title on several sites)
    become "also published by …" on the copy kept, the best-scoring then earliest."""
    kept: dict[str, DigestItem] = {}
    for item in sorted(items, key=lambda i: (-i.score, i.date, i.id)):
        story = stored[item.id].story
        key = f"s:{story.id}" if story and story.size > 1 else f"t:{_fold(item.title)}"
        first = kept.get(key)
        if first is None:
            kept[key] = item
            continue
        kept[key] = replace(first, also=first.also + item.sources + item.also)
    return [replace(i, also=_unique(i.also, i.sources)) for i in kept.values()]


def _unique(also: tuple[SourceRef, ...], own: tuple[SourceRef, ...]) -> tuple[SourceRef, ...]:
    """Each other site once, and none of the item's own."""
    seen = {s.name for s in own}
    out = []
    for ref in also:
        if ref.name not in seen:
            seen.add(ref.name)
            out.append(ref)
    return tuple(out)


def _group(
    item: StoredItem,
    clusters: Mapping[str, ClusterInfo],
    county_of: Callable[[str], str | None],
) -> tuple[str, str, str]:
    info = clusters.get(item.cluster)
    if info is not None and info.is_cluster:
        return "cluster", item.cluster, info.name
    regions = [e for e in item.entities if e.type == "REGION" and e.id]
    regions.sort(key=lambda e: -(e.count or 1))
    for region in regions:
        county = county_of(region.id)
        if county:
            return "region", county, county
    if info is not None and info.region:
        return "region", info.region, info.region
    return "other", "", ""


def _top_orgs(
    stored: Mapping[str, StoredItem], items: list[DigestItem], name_of: EntityNamer
) -> tuple[tuple[str, int], ...]:
    """The organizations named by the most items of the digest (then by mentions)."""
    per_item: Counter[str] = Counter()
    mentions: Counter[str] = Counter()
    for item in items:
        for e in stored[item.id].entities:
            if e.type == "ORG" and (name := name_of(e)):
                per_item[name] += 1
                mentions[name] += e.count or 1
    ranked = sorted(per_item, key=lambda n: (-per_item[n], -mentions[n], n))
    return tuple((name, per_item[name]) for name in ranked[:TOP_ORGS])


def _rank(item: DigestItem) -> tuple[float, float, str]:
    return (-item.score, -item.date.timestamp(), item.id)


def _fold(text: str) -> str:
    return _NOT_WORD.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()
