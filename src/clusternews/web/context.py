"""What every route needs, built once by create_app and passed to each router."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from clusternews.adapters.store import Store
from clusternews.adapters.store.search import version
from clusternews.config import Config
from clusternews.knowledge.base import KnowledgeBase
from clusternews.pipeline.dates import DEFAULT_TIMEZONE
from clusternews.web.auth import PartnerGate
from clusternews.web.cache import DataVersion, ResponseCache
from clusternews.web.fragments import Fragments
from clusternews.web.suggest import Suggester


@dataclass(frozen=True)
class WebOptions:
    title: str = "clusternews"
    timezone: str = DEFAULT_TIMEZONE
    feed_limit: int = 50  # items per feed page unless ?limit= says otherwise
    page_size: int = 20  # results per search page for people
    rate_limit: int = 120  # requests per minute per partner token (0: none)
    # Absolute base for feed links ("https://news.example.org"); None: from the request.
    base_url: str | None = None
    redis_url: str | None = None  # partner rate limits shared by every web process


@dataclass
class WebContext:
    store: Store
    kb: KnowledgeBase
    options: WebOptions
    gate: PartnerGate
    suggester: Suggester
    scheduler_alive: Callable[[], bool] | None = None
    stage_seconds: Callable[[], Mapping[str, float]] | None = None
    config: Config | None = None  # feeds.yaml, for /sources.opml; None when serving without one
    cache: ResponseCache = field(default_factory=ResponseCache)
    fragments: Fragments = field(default_factory=Fragments)
    # The store's data version for ETags and cache keys, read at most once a second per
    # process and shared by every route (reading it per request cost two queries each).
    versions: DataVersion = field(init=False)

    def __post_init__(self) -> None:
        def read_version() -> str:
            with self.store.read() as conn:
                return version(conn)

        self.versions = DataVersion(read_version)
