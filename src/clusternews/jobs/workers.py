"""The CPU-bound stages (extract, language, tag) in worker processes, loaded once per process."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from concurrent.futures import BrokenExecutor, Executor, ProcessPoolExecutor, ThreadPoolExecutor
from datetime import datetime

from clusternews.adapters.nlp import load_tagger
from clusternews.models import Article, Entry
from clusternews.pipeline.entities import Tagger
from clusternews.pipeline.language import LanguageDetector
from clusternews.pipeline.process import process_article
from clusternews.pipeline.stories import Fingerprint, fingerprint

log = logging.getLogger(__name__)
_detector: LanguageDetector | None = None
_tagger: Tagger | None = None


def _load() -> None:
    """Load the detector and tagger into this process, unless they are already here."""
    global _detector, _tagger
    if _detector is None:
        _detector = LanguageDetector()
    if _tagger is None:
        _tagger = load_tagger()


def preload() -> None:
    """Load the models in the pool's forkserver (`clusternews.jobs.preload` calls this).

    Every worker is forked from that process, so the models' pages (lingua's tables, the
    py3langid and spaCy arrays) are shared rather than copied per worker: two workers cost
    ~410 + 400 MiB PSS when each loads its own, ~150 + 140 + 140 MiB this way
    (benchmarks/memory.py). A failure here only means each worker loads (and reports) it.
    """
    try:
        _load()
    except Exception:  # the workers retry in `_load` and raise there, where it is reported
        log.warning("preloading models in the forkserver failed", exc_info=True)


# The article (None: nothing to store), its story fingerprint and seconds per stage.
PageResult = tuple[Article | None, Fingerprint | None, dict[str, float]]


def process_page(entry: Entry, html: str | None, tz: str, now: datetime) -> PageResult:
    """`process_article` in this worker, with its loaded detector and tagger, and the
    article's story fingerprint: pure CPU (MinHash of the text), so it is done here rather
    than in the ingest loop, which only looks its candidates up."""
    if _detector is None or _tagger is None:
        _load()
    assert _detector is not None and _tagger is not None
    done = process_article(entry, html, detector=_detector, tagger=_tagger, tz=tz, now=now)
    article = done.article
    if article is None:
        return None, None, done.timings
    fp = fingerprint(article.title, article.text, published=article.published, now=now)
    return article, fp, done.timings


class Processor:
    """Runs `process_page` off the event loop: in `workers` processes, or one thread if 0."""

    def __init__(self, workers: int = 0) -> None:
        self.workers = workers
        self._pool = self._start()

    def _start(self) -> Executor:
        if self.workers > 0:
            # forkserver, not fork: the parent has an event loop, threads and sockets a fork
            # would copy. The forkserver is a fresh process that loads the models once (see
            # `preload`); workers forked from it share those pages.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["clusternews.jobs.preload"])
            return ProcessPoolExecutor(self.workers, mp_context=context, initializer=_load)
        return ThreadPoolExecutor(1, initializer=_load)

    async def __call__(
        self, entry: Entry, html: str | None, *, tz: str, now: datetime
    ) -> PageResult:
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
