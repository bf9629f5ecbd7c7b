"""What a digest needs besides the pure stage: its interests as ids, the clusters, the items."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

from clusternews.adapters.store import Store, deliveries
from clusternews.adapters.store.search import Query, search
from clusternews.config import Config, Digest
from clusternews.knowledge import filters
from clusternews.knowledge.base import KnowledgeBase
from clusternews.knowledge.display import display_name
from clusternews.models import StoredItem
from clusternews.pipeline.digest import (
    ClusterInfo,
    DigestContent,
    EntityNamer,
    Interests,
    compose,
)
from clusternews.pipeline.isoweek import IsoWeek

PAGE = 500
# Feed owners the knowledge base doesn't know are clusters when they are named like one.
_CLUSTER_NAME = re.compile(r"klyng|klust|cluster|arena|\bnce\b|\bgce\b", re.IGNORECASE)


def interests(digest: Digest, kb: KnowledgeBase) -> Interests:
    """Names (any alias) → ids; a region stands for itself and every place inside it."""
    f = digest.filters
    regions: set[str] = set()
    for name in f.regions:
        for region_id in filters.region_ids(kb, name):
            regions |= {region_id, *kb.regions.descendants(region_id)}
    return Interests(
        orgs=frozenset(i for n in f.orgs for i in filters.org_ids(kb, n)),
        regions=frozenset(regions),
        programmes=frozenset(i for n in f.programmes for i in filters.programme_ids(kb, n)),
        languages=frozenset(f.languages),
    )


def clusters(config: Config, kb: KnowledgeBase) -> dict[str, ClusterInfo]:
    out = {}
    for c in config.clusters:
        org = kb.organizations.get(f"org:{c.id}") or kb.organizations.resolve(c.name)
        is_cluster = (
            (org.kind == "cluster") if org else bool(c.programme or _CLUSTER_NAME.search(c.name))
        )
        out[c.id] = ClusterInfo(c.name, is_cluster, c.region)
    return out


def county_finder(kb: KnowledgeBase, lang: str | None = None) -> Callable[[str], str | None]:
    """region id → the name of its county/län (itself if it is one) in `lang`, for grouping."""

    def county_of(region_id: str) -> str | None:
        for rid in (region_id, *kb.regions.ancestors(region_id)):
            region = kb.regions.get(rid)
            if region is not None and region.type == "county":
                return display_name(rid, lang, kb, fallback=region.name)
        return None

    return county_of


def namer(kb: KnowledgeBase, lang: str) -> EntityNamer:
    """A tagged entity → its knowledge-base name in the digest's language (else as stored)."""
    return lambda e: display_name(e.id, lang, kb, fallback=e.name)


def week_items(store: Store, week: IsoWeek, tz: str) -> list[StoredItem]:
    """Every stored item dated from a week before `week` on (late arrivals are candidates)."""
    since = week.start(tz) - timedelta(days=7)
    out: list[StoredItem] = []
    with store.read() as conn:
        while True:
            page = search(conn, Query(since=since, limit=PAGE, offset=len(out)))
            out += page
            if len(page) < PAGE:
                return out


def build(
    store: Store, config: Config, digest: Digest, week: IsoWeek, *, kb: KnowledgeBase
) -> DigestContent:
    """Select and compose one digest's week (nothing rendered, nothing sent)."""
    tz = config.defaults.timezone
    with store.read() as conn:
        previous = deliveries.first_sent_at(conn, digest.id, str(week.previous()))
    return compose(
        week_items(store, week, tz),
        interests(digest, kb),
        start=week.start(tz),
        end=week.end(tz),
        clusters=clusters(config, kb),
        county_of=county_finder(kb, digest.language),
        late_since=_late_since(previous, week, tz),
        name_of=namer(kb, digest.language),
    )


def _late_since(previous_sent: datetime | None, week: IsoWeek, tz: str) -> datetime:
    start = week.start(tz)
    return max(previous_sent, start) if previous_sent else start
