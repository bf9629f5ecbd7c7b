"""Kit for the fault tests of running processes (test_runtime_faults.py): a loopback site whose
feeds grow on demand, `clusternews` subprocesses, polling, and a PostgreSQL database of a
throwaway server of the test's own."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from . import pg_server
from .faultserver import FaultServer, Request, Response

RSS = "application/rss+xml"
PARAGRAPH = (
    "Klyngen samlar bedrifter innan prosessindustri, gruvedrift og mekanisk industri "
    "i regionen. Prosjektet skal gje medlemane betre tilgang til forsking, testsenter "
    "og kompetanse, og styret vil leggje fram ein plan for det neste året. "
)
# Short queue timings: a worker notices jobs within a second; not so short that a live worker
# on a busy 2-core machine looks dead.
QUEUE_ENV = {
    "CLUSTERNEWS_QUEUE_HEARTBEAT": "0.5",
    "CLUSTERNEWS_QUEUE_STALLED_AFTER": "20",
    "CLUSTERNEWS_QUEUE_POLL": "0.5",
}


class GrowingSite:
    """`sources` feeds on a FaultServer; `grow()` adds one article to every feed. A feed can be
    held (its request waits) until `release()`, to keep a refresh in flight."""

    def __init__(self, srv: FaultServer, sources: int, articles: int = 2) -> None:
        self.srv, self.sources = srv, sources
        self.count = [articles] * sources
        self.held = threading.Event()
        self.held.set()
        self.base = srv.url("").rstrip("/")
        for i in range(sources):
            srv.route(f"/f{i}.xml", self._feed(i))
        self._route_articles()

    @property
    def total(self) -> int:
        return sum(self.count)

    def grow(self) -> None:
        self.count = [n + 1 for n in self.count]
        self._route_articles()

    def _route_articles(self) -> None:
        for i, n in enumerate(self.count):
            for j in range(n):
                self.srv.route(f"/a/{i}-{j}.html", self._article)

    def hold(self) -> None:
        self.held.clear()

    def release(self) -> None:
        self.held.set()

    def _feed(self, i: int) -> Callable[[Request], Response]:
        def handler(req: Request) -> Response:
            self.held.wait(timeout=60)
            entries = "".join(
                f"<item><title>Nyhende {i}-{j} frå klyngen</title>"
                f"<link>{self.base}/a/{i}-{j}.html</link><guid>{self.base}/a/{i}-{j}.html</guid>"
                f"<pubDate>Mon, 30 Nov 2026 {j % 24:02d}:00:00 +0000</pubDate>"
                f"<description>Kort samandrag {i}-{j}.</description></item>"
                for j in range(self.count[i])
            )
            return Response(
                200,
                f'<?xml version="1.0"?><rss version="2.0"><channel>'
                f"<title>Klynge {i}</title><link>{self.base}/</link>"
                f"<description>d</description>{entries}</channel></rss>",
                content_type=RSS,
            )

        return handler

    @staticmethod
    def _article(req: Request) -> Response:
        name = req.path.rsplit("/", 1)[-1].removesuffix(".html")
        body = "".join(f"<p>Artikkel {name}, avsnitt {k}. {PARAGRAPH}</p>" for k in range(4))
        return Response(
            200,
            f"<!DOCTYPE html><html lang='nn'><head><title>Nyhende {name}"
            f"</title></head><body><article><h1>Nyhende {name} frå klyngen</h1>"
            f"{body}</article></body></html>",
            content_type="text/html",
        )

    def config(self, tmp_path: Path, extra: str = "") -> Path:
        lines = ["clusters:"]
        for i in range(self.sources):
            lines += [
                f"  - id: c{i}",
                f"    name: Klynge {i}",
                "    country: NO",
                "    sources:",
                f"      - feed: {self.srv.url(f'/f{i}.xml')}",
            ]
        path = tmp_path / "feeds.yaml"
        path.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
        return path


@contextmanager
def pg_database(server: pg_server.Throwaway) -> Iterator[str]:
    """A fresh database on the server; its SQLAlchemy URL."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(
        server.url.set(drivername="postgresql+psycopg", database="postgres"),
        isolation_level="AUTOCOMMIT",
        pool_pre_ping=True,
    )
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield server.url.set(drivername="postgresql+psycopg", database=name).render_as_string(
            hide_password=False
        )
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def start(
    args: list[str], *, db_url: str, feeds: Path, log: Path, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """`clusternews --workers 0 ARGS` in its own process, its output in `log`."""
    full = {
        **os.environ,
        "CLUSTERNEWS_DATABASE_URL": db_url,
        "CLUSTERNEWS_CONFIG": str(feeds),
        **(env or {}),
    }
    out = log.open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "clusternews.cli", "--workers", "0", *args],
        env=full,
        stdout=out,
        stderr=subprocess.STDOUT,
    )


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGINT)
    for p in procs:
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=10)


def wait_for(
    check: Callable[[], bool], timeout: float, what: str, logs: Path | Sequence[Path] = ()
) -> None:
    """Poll `check` (exceptions count as not yet) until true; else fail with the tails of the
    logs (files, or every *.log in a folder)."""
    deadline = time.monotonic() + timeout
    last: BaseException | None = None
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception as exc:  # e.g. the database still restarting
            last = exc
        time.sleep(0.3)
    files = sorted(logs.glob("*.log")) if isinstance(logs, Path) else logs
    tail = "".join(
        f"\n--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in files if p.exists()
    )
    raise AssertionError(f"timed out waiting for {what} (last error: {last!r}){tail}")
