"""GET /healthz (database, scheduler, last successful fetch) and /metrics (Prometheus)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError

from clusternews import __version__
from clusternews.adapters.store import status
from clusternews.web.context import WebContext


class StoreCollector(Collector):
    """Numbers read from the database at scrape time, so every process reports the same."""

    def __init__(self, ctx: WebContext) -> None:
        self.ctx = ctx

    def collect(self) -> Iterator[Any]:
        fetches = CounterMetricFamily(
            "clusternews_fetches", "Source fetches by outcome", labels=["outcome"]
        )
        seconds = CounterMetricFamily(
            "clusternews_fetch_seconds",
            "Time spent fetching sources, by outcome",
            labels=["outcome"],
        )
        stored = GaugeMetricFamily("clusternews_items_stored", "Items in the store")
        failing = GaugeMetricFamily(
            "clusternews_sources_in_error", "Sources whose last fetch failed"
        )
        try:
            with self.ctx.store.read() as conn:
                for row in status.fetch_totals(conn):
                    fetches.add_metric([row["outcome"]], row["n"])
                    seconds.add_metric([row["outcome"]], float(row["seconds"]))
                stored.add_metric([], status.items_stored(conn))
                failing.add_metric([], status.sources_in_error(conn))
        except SQLAlchemyError:
            return
        yield from (fetches, seconds, stored, failing)
        if self.ctx.stage_seconds is not None:
            stages = CounterMetricFamily(
                "clusternews_stage_seconds",
                "Time spent per pipeline stage in this process",
                labels=["stage"],
            )
            for stage, value in sorted(self.ctx.stage_seconds().items()):
                stages.add_metric([stage], value)
            yield stages


def registry_for(ctx: WebContext) -> tuple[CollectorRegistry, Histogram]:
    registry = CollectorRegistry()
    latency = Histogram(
        "clusternews_http_request_duration_seconds",
        "HTTP request latency by route and status",
        ["method", "route", "status"],
        registry=registry,
        buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
    )
    registry.register(StoreCollector(ctx))
    return registry, latency


def router(ctx: WebContext, registry: CollectorRegistry) -> APIRouter:
    health = APIRouter(tags=["operations"])

    @health.get("/healthz", summary="Database, scheduler and last successful fetch")
    def healthz() -> JSONResponse:
        body: dict[str, Any] = {"status": "ok", "version": __version__}
        try:
            with ctx.store.read() as conn:
                last = status.last_success(conn)
            body["database"] = "ok"
            body["last_success_age_s"] = (
                round((datetime.now(UTC) - last).total_seconds()) if last else None
            )
        except SQLAlchemyError as exc:
            body.update(status="error", database=f"unreachable: {type(exc).__name__}")
        if ctx.scheduler_alive is not None:
            alive = ctx.scheduler_alive()
            body["scheduler"] = "running" if alive else "stopped"
            if not alive:
                body["status"] = "error"
        return JSONResponse(body, status_code=200 if body["status"] == "ok" else 503)

    @health.get("/metrics", summary="Prometheus metrics", response_class=Response)
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    return health
