"""The source document of a refresh: conditional fetch, then discovery by source kind."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from clusternews.adapters.http import FetchError, FetchResult, PoliteClient
from clusternews.config.schema import SourceSpec
from clusternews.errors import DiscoverError
from clusternews.models import Discovery, Entry
from clusternews.pipeline import plan
from clusternews.pipeline.dedup import body_hash
from clusternews.pipeline.discover import (
    discover_feed,
    discover_page,
    discover_sitemap,
    looks_like_html,
)
from clusternews.pipeline.discover.feedentries import robots_held
from clusternews.pipeline.discover.pages import autodiscover

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)


@dataclass
class SourceDocument:
    not_modified: bool
    entries: tuple[Entry, ...] = ()
    status: int | None = None
    bytes: int = 0
    validators: dict[str, Any] = field(default_factory=dict)  # new column values for `sources`
    warnings: tuple[str, ...] = ()  # read anyway, but the source's status should say so


async def fetch_document(
    spec: SourceSpec,
    state: dict[str, Any],
    client: PoliteClient,
    *,
    now: datetime,
    tz: str,
    timings: defaultdict[str, float],
    sitemap_max_age: timedelta = plan.SITEMAP_MAX_AGE,
) -> SourceDocument:
    conditional = plan.use_validators(state, now=now)
    t0 = time.perf_counter()
    res = await client.get(
        spec.url,
        etag=state.get("etag") if conditional else None,
        last_modified=state.get("last_modified") if conditional else None,
        accept=FEED_ACCEPT if spec.kind != "page" else "text/html",
        truncate=True,
    )  # past the size cap: read what came, with a warning
    timings["fetch"] += time.perf_counter() - t0
    if res.not_modified:
        return SourceDocument(True, status=304)
    digest = body_hash(res.content)
    lied = not conditional and plan.validators_lied(
        state, etag=res.etag, last_modified=res.last_modified, body_hash=digest
    )
    validators: dict[str, Any] = {
        "etag": res.etag,
        "last_modified": res.last_modified,
        "body_hash": digest,
        "validators_trusted": bool(state.get("validators_trusted", True)) and not lied,
    }
    if not conditional:
        validators["last_unconditional_at"] = now
    if digest == state.get("body_hash"):
        # Byte-identical to last time (a server without validators): nothing can be new.
        return SourceDocument(
            True, status=res.status, bytes=len(res.content), validators=validators
        )
    t0 = time.perf_counter()
    try:
        discovery, extra_bytes = await _discover(
            spec, res, client, now=now, tz=tz, validators=validators, max_age=sitemap_max_age
        )
    except DiscoverError as exc:
        if not res.truncated:
            raise
        why = str(exc).removeprefix("discover: ")  # the cap, not the content, is the failure
        raise FetchError(
            "too_large",
            spec.url,
            f"body larger than {len(res.content)} bytes, "
            f"and what came before the cap is not readable ({why})",
        ) from None
    # Pages robots.txt keeps us from: the feed's text stands for them, said in the warnings.
    entries, held = robots_held(
        discovery.entries,
        [await client.allowed(e.url) if e.page else True for e in discovery.entries],
    )
    timings["discover"] += time.perf_counter() - t0
    capped = (_capped(res),) if res.truncated else ()
    return SourceDocument(
        False,
        entries,
        res.status,
        len(res.content) + extra_bytes,
        validators,
        (*capped, *discovery.warnings, *held),
    )


def _capped(res: FetchResult) -> str:
    return f"size cap reached: read the first {len(res.content)} bytes of {res.final_url}"


async def _discover(
    spec: SourceSpec,
    res: FetchResult,
    client: PoliteClient,
    *,
    now: datetime,
    tz: str,
    validators: dict[str, Any],
    max_age: timedelta,
) -> tuple[Discovery, int]:
    base = res.final_url
    if spec.kind == "page":
        found = discover_page(res.text or "", base_url=base, links=spec.links)
        validators["discovered_feed"] = found.feed_links[0] if found.feed_links else None
        return found, 0
    if spec.kind == "feed":
        if looks_like_html(res.content):
            # An HTML page where a feed was expected: follow its <link rel="alternate">.
            links = autodiscover(res.text or "", base_url=base)
            if not links:
                raise DiscoverError(
                    f"expected a feed at {spec.url} but got an HTML page that advertises no feed"
                )
            validators["discovered_feed"] = links[0]
            feed = await client.get(links[0], accept=FEED_ACCEPT, truncate=True)
            found = _read_feed(feed, now=now, tz=tz)
            if feed.truncated:
                found = replace(found, warnings=(_capped(feed), *found.warnings))
            return found, len(feed.content)
        return _read_feed(res, now=now, tz=tz), 0
    found = discover_sitemap(
        res.content, base_url=base, now=now, links=spec.links, tz=tz, max_age=max_age
    )
    if found.entries or not found.feed_links:
        return found, 0
    entries: list[Entry] = []
    extra = 0
    for child_url in found.feed_links:  # a sitemap index: read its recent child sitemaps
        child = await client.get(child_url, accept=FEED_ACCEPT)
        extra += len(child.content)
        entries += discover_sitemap(
            child.content,
            base_url=child.final_url,
            now=now,
            links=spec.links,
            tz=tz,
            max_age=max_age,
        ).entries
    seen: set[str] = set()
    unique = tuple(e for e in entries if not (e.url in seen or seen.add(e.url)))  # type: ignore[func-returns-value]
    return Discovery(kind="sitemap", entries=unique), extra


def _read_feed(res: FetchResult, *, now: datetime, tz: str) -> Discovery:
    # The client's decoded text carries its charset judgement (BOM, HTTP, declaration, content).
    return discover_feed(
        res.content,
        base_url=res.final_url,
        now=now,
        content_type=res.content_type,
        tz=tz,
        text=res.text,
        encoding=res.encoding,
        http_charset=res.charset,
    )
