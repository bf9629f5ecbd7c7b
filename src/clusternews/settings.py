"""Settings built once at the edge (CLI, app factory) from flags, environment and feeds.yaml."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from clusternews.config import Config, load_config
from clusternews.config.loader import RegionCheck

DEFAULT_DB = "sqlite:///var/clusternews.db"


@dataclass(frozen=True)
class Settings:
    config_path: Path
    db_url: str
    workers: int

    @classmethod
    def from_env(cls, *, config: str | None = None, db: str | None = None,
                 workers: int | None = None) -> Settings:
        return cls(
            config_path=Path(config or os.environ.get("CLUSTERNEWS_CONFIG") or "feeds.yaml"),
            db_url=db or os.environ.get("CLUSTERNEWS_DATABASE_URL") or DEFAULT_DB,
            # One worker per core, at most 2 by default: the workers share the models loaded
            # once in the pool's forkserver, so `run` with 2 workers is 720 MiB PSS in all
            # (benchmarks/memory.py; each further worker ~140 MiB), and on 2 cores the second
            # lifts a bulk ingest from 5.4 to 8.1 articles/s (benchmarks/ingest_throughput.py).
            workers=workers if workers is not None else min(os.cpu_count() or 1, 2),
        )

    def load(self) -> Config:
        return load_config(self.config_path, region_known=region_checker())


def region_checker() -> RegionCheck | None:
    """Region names are checked against the knowledge base in models/ when it is there."""
    from clusternews.knowledge.regions import RegionIndex

    index = RegionIndex.load()
    return lambda name, country: index.resolve(name, country=country) is not None
