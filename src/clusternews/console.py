"""What the CLI prints: progress, summary and status tables (rich)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime

from rich.console import Console
from rich.table import Table

from clusternews.adapters.store.status import SourceStatus
from clusternews.jobs.refresh import Outcome
from clusternews.models import StoredItem

console = Console()
errors = Console(stderr=True)


def ago(when: datetime | None, *, now: datetime | None = None) -> str:
    if when is None:
        return "never"
    seconds = int(((now or datetime.now(UTC)) - when).total_seconds())
    future = seconds < 0
    seconds = abs(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            text = f"{seconds // size}{unit}"
            break
    else:
        text = f"{seconds}s"
    return f"in {text}" if future else f"{text} ago"


def outcomes_table(outcomes: list[Outcome], timings: Mapping[str, float], elapsed: float) -> Table:
    table = Table(title=f"ingest: {len(outcomes)} sources in {elapsed:.1f} s")
    for col in ("source", "result", "found", "new", "updated", "failed", "error"):
        table.add_column(col, overflow="fold")
    for o in sorted(outcomes, key=lambda o: (o.outcome != "error", o.source_id)):
        style = {"error": "red", "not_modified": "dim"}.get(o.outcome, "")
        table.add_row(
            o.source_id,
            o.outcome,
            str(o.found),
            str(o.new),
            str(o.updated),
            str(o.failed),
            (o.error or "")[:160],
            style=style,
        )
    totals = Counter(o.outcome for o in outcomes)
    table.caption = (
        f"{sum(o.new for o in outcomes)} new, "
        f"{sum(o.updated for o in outcomes)} updated; "
        f"{totals['ok']} ok, {totals['not_modified']} unchanged, "
        f"{totals['error']} failed; stage seconds: "
        + ", ".join(f"{k} {v:.2f}" for k, v in sorted(timings.items()))
    )
    return table


def sources_table(rows: list[SourceStatus], now: datetime) -> Table:
    table = Table(title="sources")
    for col in (
        "source",
        "url",
        "status",
        "last fetch",
        "next due",
        "items",
        "last error or warnings",
    ):
        table.add_column(col, overflow="fold")
    for row in rows:
        problem = row.last_error or "; ".join(row.warnings)
        table.add_row(
            row.id,
            row.url,
            row.status,
            ago(row.last_fetch, now=now),
            ago(row.next_due, now=now) if row.next_due else "now",
            str(row.items),
            problem[:300],
            style={"error": "red", "ok, warnings": "yellow"}.get(row.status, ""),
        )
    return table


def items_table(items: list[StoredItem], title: str) -> Table:
    table = Table(title=title)
    for col in ("published", "lang", "title", "sources"):
        table.add_column(col, overflow="fold")
    for item in items:
        lang = item.language + (f"/{item.language_variant}" if item.language_variant else "")
        published = item.published.strftime("%Y-%m-%d") if item.published else "-"
        table.add_row(
            published,
            f"{lang} {item.language_confidence:.2f}",
            item.title[:90],
            ", ".join(s.source_id for s in item.sources),
        )
    return table
