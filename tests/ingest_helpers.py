"""Building a real ingestion context (store, HTTP client, workers) for tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from clusternews.adapters.http import HttpSettings, PoliteClient
from clusternews.adapters.store import Store
from clusternews.config import parse_config
from clusternews.config.schema import SourceSpec, flatten_sources
from clusternews.jobs.ingest import ingest
from clusternews.jobs.refresh import Context, Outcome
from clusternews.jobs.workers import Processor

# Short limits so misbehaving servers fail fast; the behaviour is the same as in production.
FAST = HttpSettings(
    min_delay=0.0,
    per_host_concurrency=4,
    connect_timeout=2.0,
    read_timeout=2.0,
    total_timeout=3.0,
    retries=1,
    backoff_base=0.05,
    backoff_max=0.2,
    retry_after_max=2.0,
    max_bytes=2_000_000,
)


def specs_from(yaml_text: str) -> list[SourceSpec]:
    return flatten_sources(parse_config(yaml_text))


def cluster_yaml(sources: dict[str, str], *, country: str = "NO") -> str:
    """One cluster per source: {cluster_id: '- feed: URL'}."""
    lines = ["clusters:"]
    for cid, source in sources.items():
        lines += [
            f"  - id: {cid}",
            f"    name: {cid}",
            f"    country: {country}",
            "    sources:",
            f"      {source}",
        ]
    return "\n".join(lines) + "\n"


async def run_ingest(
    specs: list[SourceSpec],
    store: Store,
    processor: Processor,
    *,
    http: HttpSettings = FAST,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> dict[str, Outcome]:
    async with PoliteClient(http) as client:
        ctx = Context(client=client, store=store, processor=processor)
        outcomes = await ingest(specs, ctx, clock=clock)
    return {o.source_id: o for o in outcomes}
