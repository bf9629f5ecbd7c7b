"""Stored items + a digest's interests + a week → ranked, grouped digest sections (pure)."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from clusternews.pipeline.digest_lead import lead

TITLE_BONUS = 3.0  # an interest named in the title is what the article is about
MENTION_CAP = 5  # ten mentions of Nordland are not ten times as relevant as one
TOP_ORGS = 5
_NOT_WORD = re.compile(r"[\W_]+")
EntityNamer = Callable[[Mapping[str, Any]], str | None]  # a tagged entity → the name to show


def stored_name(entity: Mapping[str, Any]) -> str | None:
    return entity.get("name")


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
    row: Mapping[str, Any], *, start: datetime, end: datetime, late_since: datetime | None = None
) -> bool:
    """Published that week; or undated and first seen that week; or published the week before
    but first seen after that week's digest went out (`late_since`), so nobody misses it."""
    published, first_seen = row.get("published"), row["first_seen"]
    if published is None:
        return bool(start <= first_seen < end)
    if start <= published < end:
        return True
    late_since = late_since or start
    return bool(start - timedelta(days=7) <= published < start and late_since <= first_seen < end)


def matches(row: Mapping[str, Any], interests: Interests) -> bool:
    if interests.languages and not (
        {row.get("language"), row.get("language_variant")} & interests.languages
    ):
        return False
    wanted = interests.entity_ids
    return not wanted or any(e.get("id") in wanted for e in row.get("entities") or ())


def score(row: Mapping[str, Any], interests: Interests) -> float:
    """How much an item concerns the interests: capped mentions, more if named in the title."""
    wanted = interests.entity_ids
    title = f" {_fold(row.get('title') or '')} "
    total = 0.0
    for e in row.get("entities") or ():
        if e.get("id") not in wanted:
            continue
        total += min(int(e.get("count") or 1), MENTION_CAP)
        names = [e.get("name") or "", *(e.get("mentions") or ())]
        if any(n and f" {_fold(n)} " in title for n in names):  # whole words: not "Mo" in "mot"
            total += TITLE_BONUS
    return total


def compose(
    rows: Iterable[Mapping[str, Any]],
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
        r
        for r in rows
        if in_week(r, start=start, end=end, late_since=late_since) and matches(r, interests)
    ]
    by_id = {r["id"]: r for r in chosen}
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
    row: Mapping[str, Any],
    interests: Interests,
    clusters: Mapping[str, ClusterInfo],
    name_of: EntityNamer,
) -> DigestItem:
    entities = row.get("entities") or []

    def names(type_: str) -> tuple[str, ...]:
        named = [
            (-int(e.get("count") or 1), name)
            for e in entities
            if e.get("type") == type_ and (name := name_of(e))
        ]
        return tuple(dict.fromkeys(name for _n, name in sorted(named)))

    return DigestItem(
        id=row["id"],
        title=row.get("title") or row["url"],
        url=row["url"],
        date=row.get("published") or row["first_seen"],
        language=row.get("language") or "und",
        variant=row.get("language_variant"),
        lead=lead(row.get("summary") or row.get("text") or ""),
        orgs=names("ORG"),
        regions=names("REGION"),
        programmes=names("PROGRAMME"),
        sources=_sources(row, clusters),
        score=score(row, interests),
        cluster=row["cluster"],
        also=_story_sites(row, clusters),
    )


def _sources(row: Mapping[str, Any], clusters: Mapping[str, ClusterInfo]) -> tuple[SourceRef, ...]:
    refs: dict[str, SourceRef] = {}
    for link in row.get("sources") or ():
        owner = str(link.get("source_id") or row["cluster"]).split(":", 1)[0]
        info = clusters.get(owner)
        name = info.name if info else owner
        refs.setdefault(owner, SourceRef(name, link.get("url") or row["url"]))
    if not refs:
        info = clusters.get(row["cluster"])
        refs[row["cluster"]] = SourceRef(info.name if info else row["cluster"], row["url"])
    return tuple(refs.values())


def _story_sites(
    row: Mapping[str, Any],
    clusters: Mapping[str, ClusterInfo],
) -> tuple[SourceRef, ...]:
    """The sites of the story's other copies, also those outside the digest's filters."""
    story = row.get("story") or {}
    refs = [
        SourceRef(_name(c.get("cluster") or "", clusters), c.get("url") or "")
        for c in story.get("items") or ()
        if c.get("id") != row["id"]
    ]
    return tuple(refs)


def _name(cluster: str, clusters: Mapping[str, ClusterInfo]) -> str:
    info = clusters.get(cluster)
    return info.name if info else cluster


def _merge_copies(
    items: list[DigestItem],
    rows: Mapping[str, Mapping[str, Any]],
) -> list[DigestItem]:
    """A story is shown once: its copies (one story, or the same title on several sites)
    become "also published by …" on the copy kept, the best-scoring then earliest."""
    kept: dict[str, DigestItem] = {}
    for item in sorted(items, key=lambda i: (-i.score, i.date, i.id)):
        story = rows[item.id].get("story") or {}
        key = f"s:{story['id']}" if story.get("size", 1) > 1 else f"t:{_fold(item.title)}"
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
    row: Mapping[str, Any],
    clusters: Mapping[str, ClusterInfo],
    county_of: Callable[[str], str | None],
) -> tuple[str, str, str]:
    info = clusters.get(row["cluster"])
    if info is not None and info.is_cluster:
        return "cluster", row["cluster"], info.name
    regions = [e for e in row.get("entities") or () if e.get("type") == "REGION" and e.get("id")]
    regions.sort(key=lambda e: -int(e.get("count") or 1))
    for region in regions:
        county = county_of(region["id"])
        if county:
            return "region", county, county
    if info is not None and info.region:
        return "region", info.region, info.region
    return "other", "", ""


def _top_orgs(
    rows: Mapping[str, Mapping[str, Any]], items: list[DigestItem], name_of: EntityNamer
) -> tuple[tuple[str, int], ...]:
    """The organizations named by the most items of the digest (then by mentions)."""
    per_item: Counter[str] = Counter()
    mentions: Counter[str] = Counter()
    for item in items:
        for e in rows[item.id].get("entities") or ():
            if e.get("type") == "ORG" and (name := name_of(e)):
                per_item[name] += 1
                mentions[name] += int(e.get("count") or 1)
    ranked = sorted(per_item, key=lambda n: (-per_item[n], -mentions[n], n))
    return tuple((name, per_item[name]) for name in ranked[:TOP_ORGS])


def _rank(item: DigestItem) -> tuple[float, float, str]:
    return (-item.score, -item.date.timestamp(), item.id)


def _fold(text: str) -> str:
    return _NOT_WORD.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()
