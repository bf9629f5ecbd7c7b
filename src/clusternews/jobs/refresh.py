"""Refresh one source: fetch → discover → fetch articles → extract → language → store."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from clusternews.adapters.http import FetchError, FetchResult, PoliteClient
from clusternews.adapters.store import FetchRecord, Store, items, sources
from clusternews.config.schema import SourceSpec
from clusternews.errors import StageError
from clusternews.jobs import stories
from clusternews.jobs.fetch_source import SourceDocument, fetch_document
from clusternews.jobs.workers import Processor
from clusternews.models import Article, Entry
from clusternews.pipeline import plan
from clusternews.pipeline.dates import DEFAULT_TIMEZONE
from clusternews.pipeline.stories import Fingerprint

log = logging.getLogger(__name__)


@dataclass
class Context:
    """What a refresh needs, built once by the caller and shared by every source."""

    client: PoliteClient
    store: Store
    processor: Processor
    tz: str = DEFAULT_TIMEZONE
    max_new: int = plan.MAX_NEW_PER_RUN
    sitemap_max_age: timedelta = plan.SITEMAP_MAX_AGE
    timings: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    # Article pages being processed now, so two sources listing one article fetch it once.
    inflight: dict[str, asyncio.Task[Ready | None]] = field(default_factory=dict)


@dataclass
class Outcome:
    source_id: str
    outcome: str  # ok | not_modified | error
    found: int = 0
    new: int = 0
    updated: int = 0
    failed: int = 0
    error: str | None = None


async def refresh(spec: SourceSpec, ctx: Context, *, now: datetime) -> Outcome:
    started = time.perf_counter()
    with ctx.store.read() as conn:
        state = sources.state(conn, spec.id)
    try:
        doc = await fetch_document(
            spec,
            state,
            ctx.client,
            now=now,
            tz=ctx.tz,
            timings=ctx.timings,
            sitemap_max_age=ctx.sitemap_max_age,
        )
    except (FetchError, StageError) as exc:
        return record_failure(spec, ctx, exc, now=now, state=state, started=started)
    if doc.not_modified:
        rec = FetchRecord(spec.id, now, time.perf_counter() - started, "not_modified", 304)
        _record(
            ctx,
            rec,
            {
                "last_success_at": now,
                "last_error": None,
                "failures": 0,
                "next_due_at": now + timedelta(seconds=spec.interval),
            },
        )
        return Outcome(spec.id, "not_modified")

    with ctx.store.read() as conn:
        known = items.known(conn, [e.url for e in doc.entries])
    to_fetch, to_link = plan.select_entries(doc.entries, known, limit=ctx.max_new)
    mine = _start_articles(to_fetch, ctx, now=now)
    try:
        results = await asyncio.gather(*(asyncio.shield(ctx.inflight[e.url]) for e in to_fetch))
        return _store(spec, ctx, doc, known, to_link, results, now=now, started=started)
    finally:  # stored (or failed): from now on other sources find these in the database
        for url in mine:
            ctx.inflight.pop(url, None)


def _store(
    spec: SourceSpec,
    ctx: Context,
    doc: SourceDocument,
    known: dict[str, dict[str, Any]],
    to_link: list[Entry],
    results: list[Ready | None],
    *,
    now: datetime,
    started: float,
) -> Outcome:
    counts: Counter[str] = Counter()
    t0 = time.perf_counter()
    with ctx.store.write() as conn:
        for entry in to_link:  # already stored: remember that this source has it too
            items.link(
                conn,
                known[entry.url]["id"],
                source_id=spec.id,
                cluster=spec.cluster,
                url=entry.url,
                now=now,
            )
        for result in results:
            if result is None:
                counts["failed"] += 1
                continue
            article, fp = result
            stored = items.upsert(conn, article, source_id=spec.id, cluster=spec.cluster, now=now)
            counts[stored] += 1
            if stored in ("new", "updated"):  # an updated article may join or leave a story
                t1 = time.perf_counter()
                stories.place(conn, article, now=now, fp=fp)
                ctx.timings["stories"] += time.perf_counter() - t1  # a part of "store"
        warnings = list(doc.warnings)
        if counts["failed"]:  # said on the source too, not only in the log
            warnings.append(
                f"{counts['failed']} article pages could not be fetched or read, "
                "and the feed has no text to stand for them; tried again next poll"
            )
        rec = FetchRecord(
            spec.id,
            now,
            time.perf_counter() - started,
            "ok",
            doc.status,
            doc.bytes,
            found=len(doc.entries),
            new=counts["new"],
            updated=counts["updated"],
            failed=counts["failed"],
            warnings=warnings or None,
        )
        sources.record(
            conn,
            rec,
            changes={
                **doc.validators,
                "last_success_at": now,
                "last_error": None,
                "failures": 0,
                "warnings": warnings,
                "next_due_at": now + timedelta(seconds=spec.interval),
            },
        )
    ctx.timings["store"] += time.perf_counter() - t0
    log.info("refreshed %s: %s", spec.id, dict(counts), extra={"source": spec.id})
    return Outcome(
        spec.id, "ok", len(doc.entries), counts["new"], counts["updated"], counts["failed"]
    )


# A processed article and its story fingerprint (None: computed when it is placed).
Ready = tuple[Article, Fingerprint | None]


def _start_articles(entries: list[Entry], ctx: Context, *, now: datetime) -> list[str]:
    """Start processing each entry's page unless another source already is; the URLs this
    call started. A page stays shared until the source that started it has stored it: two
    feeds listing one article (measured: 1 in 6 pages in benchmarks/ingest_throughput.py)
    would otherwise both process it whenever the first has not yet committed."""
    mine = []
    for entry in entries:
        if entry.url not in ctx.inflight:
            ctx.inflight[entry.url] = asyncio.ensure_future(_article(entry, ctx, now=now))
            mine.append(entry.url)
    return mine


async def _article(entry: Entry, ctx: Context, *, now: datetime) -> Ready | None:
    """One article page through fetch → extract → language; feed data alone if the page fails."""
    html = None
    t0 = time.perf_counter()
    try:
        if entry.page:  # an entry without a link of its own is all in the feed
            page: FetchResult = await ctx.client.get(entry.url, accept="text/html")
            html = page.text if page.text and "html" in (page.content_type or "html") else None
    except FetchError as exc:
        log.info("article %s: %s", entry.url, exc, extra={"url": entry.url})
        if not (entry.summary or entry.content_html):
            return None  # nothing to store without the page
    ctx.timings["fetch"] += time.perf_counter() - t0
    try:
        article, fp, stage_times = await ctx.processor(entry, html, tz=ctx.tz, now=now)
    except Exception:  # a bug in a stage must not stop the other articles; it is logged
        log.exception("processing %s failed", entry.url, extra={"url": entry.url})
        return None
    for stage, seconds in stage_times.items():  # seconds per stage, summed over all sources
        ctx.timings[stage] += seconds
    return None if article is None else (article, fp)


def record_failure(
    spec: SourceSpec,
    ctx: Context,
    exc: Exception,
    *,
    now: datetime,
    state: dict[str, Any] | None = None,
    started: float | None = None,
) -> Outcome:
    """Store the error on the source and schedule its next try with back-off."""
    if state is None:
        with ctx.store.read() as conn:
            state = sources.state(conn, spec.id)
    started = time.perf_counter() if started is None else started
    failures = int(state.get("failures") or 0) + 1
    retry = plan.backoff(failures, interval=spec.interval)
    if isinstance(exc, FetchError) and exc.retry_after:
        retry = max(retry, timedelta(seconds=exc.retry_after))
    status = exc.status if isinstance(exc, FetchError) else None
    rec = FetchRecord(spec.id, now, time.perf_counter() - started, "error", status, error=str(exc))
    _record(ctx, rec, {"last_error": str(exc), "failures": failures, "next_due_at": now + retry})
    log.warning("source %s failed: %s", spec.id, exc, extra={"source": spec.id})
    return Outcome(spec.id, "error", error=str(exc))


def _record(ctx: Context, rec: FetchRecord, changes: dict[str, Any]) -> None:
    with ctx.store.write() as conn:
        sources.record(conn, rec, changes=changes)
