"""The commands as a user runs them: real processes, a real server on loopback."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from clusternews.adapters.store import Store
from clusternews.knowledge.base import KnowledgeBase

from .conftest import GOLDEN
from .faultserver import FaultServer, Response
from .ingest_helpers import cluster_yaml
from .web_sample import fill


@pytest.fixture
def site() -> Iterator[FaultServer]:
    with FaultServer() as srv:
        srv.serve_dir("/site/", GOLDEN / "site")
        srv.route("/gone", Response(410, "gone"))
        yield srv


def cli(*args: str, cwd: Path, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "COLUMNS": "200",
        "CLUSTERNEWS_CONFIG": str(cwd / "feeds.yaml"),
        "CLUSTERNEWS_DATABASE_URL": f"sqlite:///{cwd / 'var' / 'cn.db'}",
    }
    return subprocess.run(
        [sys.executable, "-m", "clusternews.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_ingest_then_sources(site: FaultServer, tmp_path: Path) -> None:
    (tmp_path / "feeds.yaml").write_text(
        cluster_yaml(
            {
                "testklynga": f"- feed: {site.url('/site/feed.xml')}",
                "borte": f"- feed: {site.url('/gone')}",
            }
        ),
        encoding="utf-8",
    )
    first = cli("ingest", "--once", cwd=tmp_path)  # default: 2 worker processes
    assert first.returncode == 0, first.stderr
    assert "testklynga:feed" in first.stdout and "3 new" in first.stdout
    assert "HTTP 410" in first.stdout  # the failing source is reported, the exit code stays 0

    again = cli("--workers", "0", "ingest", "--source", "testklynga", cwd=tmp_path)
    assert again.returncode == 0 and "not_modified" in again.stdout and "0 new" in again.stdout

    status = cli("sources", cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    line = next(li for li in status.stdout.splitlines() if "testklynga:feed" in li)
    assert " ok " in line and " 3 " in line and site.url("/site/feed.xml") in status.stdout
    assert "HTTP 410 Gone" in status.stdout


def test_ingest_unknown_source_id(site: FaultServer, tmp_path: Path) -> None:
    (tmp_path / "feeds.yaml").write_text(cluster_yaml({"a": f"- feed: {site.url('/gone')}"}))
    out = cli("ingest", "--source", "nope", cwd=tmp_path)
    assert out.returncode == 2 and "no source or cluster with id 'nope'" in out.stderr


def test_search_and_entities_show_org_numbers(tmp_path: Path, kb: KnowledgeBase) -> None:
    """The org number is looked up in the knowledge base by entity id when printed."""
    (tmp_path / "var").mkdir()
    store = Store.open(f"sqlite:///{tmp_path / 'var' / 'cn.db'}")
    fill(store, kb)
    store.close()
    found = cli("search", "--org", "Verket för innovationssystem", "--json", cwd=tmp_path)
    assert found.returncode == 0, found.stderr
    (item,) = json.loads(found.stdout)
    by_id = {e["id"]: e for e in item["entities"]}
    assert by_id["org:vinnova"]["org_number"] == "202100-5216"
    assert by_id["org:eu"]["name"] == "Den europeiske union"  # canonical; per language in names
    assert by_id["org:eu"]["names"]["sv"] == "Europeiska unionen"
    listed = cli("entities", "--type", "ORG", "--json", cwd=tmp_path)
    numbers = {r["entity_id"]: r["org_number"] for r in json.loads(listed.stdout)}
    assert numbers["org:vinnova"] == "202100-5216" and numbers["org:sintef"] is None
    table = cli("entities", "VINNOVA", cwd=tmp_path)
    assert "202100-5216" in table.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_run_keeps_serving_while_sources_fail(site: FaultServer, tmp_path: Path) -> None:
    (tmp_path / "feeds.yaml").write_text(
        cluster_yaml(
            {
                "testklynga": f"- feed: {site.url('/site/feed.xml')}",
                "borte": f"- feed: {site.url('/gone')}",
                "dod": "- feed: http://nowhere.invalid/feed/",
            }
        ),
        encoding="utf-8",
    )
    port = free_port()
    env = {
        **os.environ,
        "CLUSTERNEWS_CONFIG": str(tmp_path / "feeds.yaml"),
        "CLUSTERNEWS_DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'cn.db'}",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "clusternews.cli", "--workers", "0", "run", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        health = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    health = json.load(r)
                if (
                    health.get("last_success_age_s") is not None
                    and len(site.requests_for("/gone")) >= 1
                ):
                    break
            except OSError:
                pass
            time.sleep(0.5)
        assert health is not None, "server never answered"
        assert health["database"] == "ok" and health["scheduler"] == "running"
        assert health["last_success_age_s"] is not None  # the good source was polled
        assert site.requests_for("/gone")  # and the failing one was tried
        assert proc.poll() is None  # still running
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    status = cli("sources", cwd=tmp_path)
    assert "HTTP 410 Gone" in status.stdout and "nowhere.invalid" in status.stdout


def test_serve_answers_alone(tmp_path: Path) -> None:
    """`serve` is the HTTP side without the scheduler, on an empty database."""
    port = free_port()
    env = {**os.environ, "CLUSTERNEWS_DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'cn.db'}"}
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "clusternews.cli",
            "serve",
            "--port",
            str(port),
            "--web-workers",
            "2",
        ],
        cwd=tmp_path,
        env=env,
        # A file, not a pipe nobody reads: a full pipe would block the supervisor's log line
        # about a dead worker, and with it the restart.
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        feed = None
        deadline = time.monotonic() + 60
        while feed is None and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/feed.json", timeout=2) as r:
                    assert r.headers["Content-Type"].startswith("application/feed+json")
                    feed = json.load(r)
            except OSError:
                time.sleep(0.5)
        assert feed is not None, "serve never answered"
        assert feed["version"] == "https://jsonfeed.org/version/1.1" and feed["items"] == []
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
            assert r.status == 200 and "text/html" in r.headers["Content-Type"]

        # Two worker processes answer, each a child of `serve` with a socket of its own.
        def workers() -> list[str]:
            children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
            return [c for c in children if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]

        first = workers()
        assert len(first) == 2, first
        # A worker that dies is replaced. (A connection it had queued is reset, as with any
        # killed server; the others go to the worker left.)
        os.kill(int(first[0]), signal.SIGKILL)
        deadline = time.monotonic() + 60
        again = workers()  # one reading per check: the killed one may still be listed at first
        while time.monotonic() < deadline and (len(again) < 2 or first[0] in again):
            time.sleep(0.2)
            again = workers()
        assert len(again) == 2 and first[0] not in again and first[1] in again, (
            first,
            again,
            (tmp_path / "serve.log").read_text(),
        )
        # Connections spread over both workers' sockets; every one is answered.
        answered = 0
        for _ in range(20):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                answered += r.status in (200, 503)
        assert answered == 20
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()
