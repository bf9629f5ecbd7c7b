"""The CPU-bound stages (extract, language) in worker processes, one detector per process."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import time
from concurrent.futures import BrokenExecutor, Executor, ProcessPoolExecutor, ThreadPoolExecutor
from datetime import datetime

from clusternews.models import Article, Entry
from clusternews.pipeline.article import assemble, language_sample
from clusternews.pipeline.extract import extract_article, merge
from clusternews.pipeline.language import LanguageDetector

log = logging.getLogger(__name__)
_detector: LanguageDetector | None = None


def _load() -> None:
    global _detector
    _detector = LanguageDetector()


def process_page(entry: Entry, html: str | None, tz: str,
                 now: datetime) -> tuple[Article | None, dict[str, float]]:
    """extract → merge with the feed entry → detect language → Article, with stage timings."""
    if _detector is None:
        _load()
    assert _detector is not None
    started = time.perf_counter()
    page = extract_article(html or "", url=entry.url, tz=tz, now=now)
    merged = merge(entry, page)
    extracted = time.perf_counter()
    language = _detector.detect(language_sample(merged), declared=merged.language)
    done = time.perf_counter()
    article = assemble(entry, merged, language)
    return article, {"extract": extracted - started, "language": done - extracted}


class Processor:
    """Runs `process_page` off the event loop: in `workers` processes, or one thread if 0."""

    def __init__(self, workers: int = 0) -> None:
        self.workers = workers
        self._pool = self._start()

    def _start(self) -> Executor:
        if self.workers > 0:
            # spawn, not fork: the parent has an event loop and sockets a fork would copy.
            context = multiprocessing.get_context("spawn")
            return ProcessPoolExecutor(self.workers, mp_context=context, initializer=_load)
        return ThreadPoolExecutor(1, initializer=_load)

    async def __call__(self, entry: Entry, html: str | None, *, tz: str,
                       now: datetime) -> tuple[Article | None, dict[str, float]]:
        loop = asyncio.get_running_loop()
        pool = self._pool
        try:
            return await loop.run_in_executor(pool, process_page, entry, html, tz, now)
        except BrokenExecutor:
            # A worker died (killed, out of memory): start a fresh pool so a long-running
            # `run` recovers; this article is retried once there.
            if self._pool is pool:
                log.warning("worker pool broken; restarting it")
                pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._start()
            return await loop.run_in_executor(self._pool, process_page, entry, html, tz, now)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
