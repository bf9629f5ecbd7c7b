"""FastAPI app factory; for now the health check that `run` and `serve` expose."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from clusternews import __version__
from clusternews.adapters.store import Store
from clusternews.adapters.store.schema import sources


def create_app(store: Store, *, scheduler_alive: Callable[[], bool] | None = None) -> FastAPI:
    app = FastAPI(title="clusternews", version=__version__)

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        body: dict[str, Any] = {"status": "ok", "version": __version__}
        try:
            with store.read() as conn:
                last = conn.execute(select(func.max(sources.c.last_success_at))).scalar()
            body["database"] = "ok"
            body["last_success_age_s"] = (
                round((datetime.now(UTC) - last.replace(tzinfo=last.tzinfo or UTC))
                      .total_seconds()) if last else None)
        except SQLAlchemyError as exc:
            body.update(status="error", database=f"unreachable: {type(exc).__name__}")
        if scheduler_alive is not None:
            body["scheduler"] = "running" if scheduler_alive() else "stopped"
            if not scheduler_alive():
                body["status"] = "error"
        return JSONResponse(body, status_code=200 if body["status"] == "ok" else 503)

    return app
