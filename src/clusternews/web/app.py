"""FastAPI app factory: feeds, JSON API, pages, health and metrics over one store."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

from anyio import to_thread
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from fastapi_offline import FastAPIOffline
from jinja2 import Environment, FileSystemLoader, select_autoescape

from clusternews import __version__
from clusternews.adapters.store import Store
from clusternews.adapters.store.engine import POOL_SIZE
from clusternews.config import Config
from clusternews.knowledge.base import KnowledgeBase
from clusternews.web import api, feeds, health, opml, pages
from clusternews.web.auth import PartnerGate
from clusternews.web.context import WebContext, WebOptions
from clusternews.web.middleware import ServingMiddleware
from clusternews.web.ratelimit import limiter_for
from clusternews.web.suggest import Suggester

HERE = Path(__file__).parent
DOCS_ASSETS = "/static/docs"
# Requests worked on at once in a web process's thread pool (anyio's default is 40); the
# others wait their turn on the event loop. Fewer than pooled connections: with 40, 50
# clients of uncached feeds kept the pool past its size, and each overflow connection was
# opened and closed per request, with an empty page cache and the schema read anew. More
# threads than this only contend for the GIL: region feeds at 50 clients, p95 98 ms with 40
# threads, 67 with 16, 61 with 6-10.
REQUEST_THREADS = 8
assert REQUEST_THREADS <= POOL_SIZE

DESCRIPTION = """News from Nordic industry clusters, tagged with organizations, regions and
programmes. Once any partner token exists, `/feed.json`, `/feed.xml` and `/api/*` need
`Authorization: Bearer <token>` (`clusternews partners add NAME`)."""


def app_from_env() -> FastAPI:
    """The app of one `serve` worker process (uvicorn's factory): settings from the
    environment `serve` set (Settings.as_env), the database already migrated by the parent."""
    from clusternews.settings import Settings

    settings = Settings.from_env()
    config = settings.load_if_present()
    return create_app(
        Store.open(settings.db_url, migrate=False),
        config=config,
        options=settings.web(config),
        owns_store=True,
    )


def create_app(
    store: Store,
    *,
    scheduler_alive: Callable[[], bool] | None = None,
    kb: KnowledgeBase | None = None,
    options: WebOptions | None = None,
    stage_seconds: Callable[[], Mapping[str, float]] | None = None,
    config: Config | None = None,
    owns_store: bool = False,
) -> FastAPI:
    """The app over `store`; with `owns_store`, the app closes it when the server stops (so
    the store's writer thread finishes its queued writes)."""
    # Without options (tests, embedding): feeds.yaml's timezone, built-in defaults otherwise.
    if options is None:
        options = WebOptions(timezone=config.defaults.timezone) if config else WebOptions()
    kb = kb or KnowledgeBase.load()
    ctx = WebContext(
        store=store,
        kb=kb,
        options=options,
        gate=PartnerGate(store, limiter_for(options.rate_limit, options.redis_url, store)),
        suggester=Suggester(kb),
        scheduler_alive=scheduler_alive,
        stage_seconds=stage_seconds,
        config=config,
    )
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"], default=True),
    )
    templates = Jinja2Templates(env=env)

    # Swagger UI and ReDoc from the fastapi-offline package, not a CDN: /docs works offline.
    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Everything loaded so far (knowledge base, templates, routes) lives as long as the
        # process: out of the collector's sight, a full collection no longer walks it on a
        # request. Measured on a region feed at 100,000 items, one client: p99 93-169 ms -> 8.5.
        gc.freeze()
        to_thread.current_default_thread_limiter().total_tokens = REQUEST_THREADS
        yield
        if owns_store:
            store.close()

    app = FastAPIOffline(
        title=options.title,
        version=__version__,
        description=DESCRIPTION,
        static_url=DOCS_ASSETS,
        lifespan=lifespan,
    )
    registry, latency = health.registry_for(ctx)
    app.add_middleware(ServingMiddleware, latency=latency)
    app.include_router(feeds.router(ctx))
    app.include_router(api.router(ctx))
    app.include_router(health.router(ctx, registry))
    app.include_router(opml.router(ctx))
    app.include_router(pages.router(ctx, templates))
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.state.context = ctx
    return app
