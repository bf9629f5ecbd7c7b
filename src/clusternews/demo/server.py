"""Serves the demo cluster websites on loopback ports for the demo, the tests and benchmarks."""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import logging
import threading
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from clusternews.demo.site import SITE_IDS, SITES, Page, build_site, load_articles, not_found_page

log = logging.getLogger(__name__)

# What the demo's feeds.yaml says about each site: (name, country, region, programme, sources).
# Sources are (kind, path, links-regex); the regex is matched against article URL paths.
CLUSTERS: dict[str, tuple[str, str, str, str | None, list[tuple[str, str, str | None]]]] = {
    "mineral": (
        "Mineralklynge Norge (demo)",
        "NO",
        "Nordland",
        "Arena",
        [("feed", "/feed/", None)],
    ),
    "industri": (
        "NCE Raufoss (demo)",
        "NO",
        "Innlandet",
        "NCE",
        [("feed", "/atom.xml", None), ("sitemap", "/sitemap.xml", None)],
    ),
    "prosess": (
        "Prosessindustriklynga Vestland (demo)",
        "NO",
        "Vestland",
        "Arena Pro",
        [("page", "/nyheiter/", "/nyheiter/[^/]+/$")],
    ),
    "gruv": (
        "Gruvklustret Norr (demo)",
        "SE",
        "Västerbotten",
        None,
        [("sitemap", "/sitemap.xml", None), ("page", "/nyheter/", "/nyheter/[^/]+/$")],
    ),
}


@dataclass
class _Entry:
    page: Page
    etag: str  # strong validator of the identity body; the gzip body gets its own
    last_modified: str | None
    gz: bytes | None = None

    @property
    def gz_etag(self) -> str:
        return self.etag[:-1] + '-gz"'


class _SiteServer(ThreadingHTTPServer):
    daemon_threads = True  # keep-alive connections must never block shutdown
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], site_id: str, owner: DemoServer) -> None:
        super().__init__(address, _Handler)
        self.site_id, self.owner = site_id, owner
        self.entries: dict[str, _Entry] = {}
        self.missing: Page | None = None

    def install(self, pages: Mapping[str, Page], missing: Page) -> None:
        self.missing = missing
        for path, page in pages.items():
            etag = '"' + hashlib.sha256(page.body).hexdigest()[:32] + '"'
            when = None
            if page.last_modified:
                when = format_datetime(page.last_modified.astimezone(UTC), usegmt=True)
            self.entries[path] = _Entry(page, etag, when)


def _aware(value: datetime) -> datetime:
    # HTTP dates are GMT; a "-0000" date parses naive and means the same.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class _Handler(BaseHTTPRequestHandler):
    server: _SiteServer
    protocol_version = "HTTP/1.1"
    timeout = 30  # idle keep-alive connections release their thread
    server_version = "clusternews-demo/1"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._respond(head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self._respond(head=True)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        log.debug("%s %s", self.server.site_id, format % args)

    def _respond(self, *, head: bool) -> None:
        entry = self.server.entries.get(urlsplit(self.path).path)
        if entry is None:
            missing = self.server.missing
            assert missing is not None
            self._send(404, missing.body, {"Content-Type": missing.content_type}, head)
            return
        gz = _accepts_gzip(self.headers.get("Accept-Encoding", ""))
        headers = {
            "Content-Type": entry.page.content_type,
            "Vary": "Accept-Encoding",
            "ETag": entry.gz_etag if gz else entry.etag,
            "Cache-Control": "max-age=60",
        }
        if entry.last_modified:
            headers["Last-Modified"] = entry.last_modified
        if self._not_modified(entry):
            self._send(304, b"", headers, head=True)
            return
        body = entry.page.body
        if gz:
            if entry.gz is None:  # compressed on first use; a race only compresses twice
                entry.gz = gzip.compress(body, compresslevel=6, mtime=0)
            body, headers["Content-Encoding"] = entry.gz, "gzip"
        self._send(200, body, headers, head)

    def _not_modified(self, entry: _Entry) -> bool:
        # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2).
        match = self.headers.get("If-None-Match")
        if match is not None:
            tags = {t.strip().removeprefix("W/") for t in match.split(",")}
            return "*" in tags or bool(tags & {entry.etag, entry.gz_etag})
        since = self.headers.get("If-Modified-Since")
        if since and entry.page.last_modified:
            try:
                modified = entry.page.last_modified.replace(microsecond=0)
                return modified <= _aware(parsedate_to_datetime(since))
            except (TypeError, ValueError):
                return False
        return False

    def _send(self, status: int, body: bytes, headers: dict[str, str], head: bool) -> None:
        # Counted before answering, so a client that has its answer also sees the count.
        self.server.owner._count(self.server.site_id, status)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)


def _accepts_gzip(header: str) -> bool:
    for part in header.lower().split(","):
        name, _, params = part.strip().partition(";")
        if name.strip() == "gzip":
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


class DemoServer:
    """One ThreadingHTTPServer per demo site on 127.0.0.1, each on its own port."""

    def __init__(
        self,
        sites: Iterable[str] = SITE_IDS,
        articles: list[dict[str, Any]] | None = None,
        host: str = "127.0.0.1",
        ports: Mapping[str, int] | None = None,
    ) -> None:
        self.sites = tuple(sites)
        unknown = [s for s in self.sites if s not in SITES]
        if unknown:
            raise ValueError(f"unknown demo sites {unknown}; expected some of {SITE_IDS}")
        self.host, self.ports = host, dict(ports or {})
        self._articles = articles
        self.base_urls: dict[str, str] = {}
        self.requests: Counter[tuple[str, int]] = Counter()
        self._lock = threading.Lock()
        self._servers: list[_SiteServer] = []
        self._threads: list[threading.Thread] = []

    def _count(self, site: str, status: int) -> None:
        with self._lock:
            self.requests[(site, status)] += 1

    def __enter__(self) -> DemoServer:
        articles = self._articles if self._articles is not None else load_articles()
        try:
            for site in self.sites:
                # Bind first: the pages need the real port in every absolute URL.
                server = _SiteServer((self.host, self.ports.get(site, 0)), site, self)
                self._servers.append(server)
                base = f"http://{self.host}:{server.server_address[1]}"
                server.install(build_site(site, base, articles), not_found_page(site, base))
                self.base_urls[site] = base
                thread = threading.Thread(
                    target=server.serve_forever,
                    name=f"demo-{site}",
                    kwargs={"poll_interval": 0.1},
                    daemon=True,
                )
                thread.start()
                self._threads.append(thread)
                log.info("demo site %s serving %d pages at %s", site, len(server.entries), base)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        for server, thread in zip(self._servers, self._threads, strict=False):
            server.shutdown()
            thread.join(timeout=5)
        for server in self._servers:
            server.server_close()
        self._servers, self._threads = [], []

    def feeds_yaml(self) -> str:
        """A feeds.yaml for the running demo; ports change per run unless `ports` fixed them."""
        if not self.base_urls:
            raise RuntimeError("DemoServer is not running; use it as a context manager")

        # json.dumps gives valid YAML double-quoted scalars for names, URLs and regexes.
        def q(text: str) -> str:
            return json.dumps(text, ensure_ascii=False)

        lines = [
            "# Demo sources served on loopback by clusternews (demo content, not news).",
            "defaults:",
            "  interval: 30m",
            "  timezone: Europe/Oslo",
            "clusters:",
        ]
        for site in self.sites:
            name, country, region, programme, sources = CLUSTERS[site]
            base = self.base_urls[site]
            lines += [
                f"  - id: demo-{site}",
                f"    name: {q(name)}",
                f"    country: {country}",
                f"    region: {q(region)}",
            ]
            if programme:
                lines.append(f"    programme: {q(programme)}")
            lines += [f"    homepage: {q(base + '/')}", "    sources:"]
            for kind, path, links in sources:
                lines.append(f"      - {kind}: {q(base + path)}")
                if links:
                    lines.append(f"        links: {q(links)}")
        # Two digests so `make demo` can preview the demo week's email (never sent).
        lines += [
            "digests:",
            "  - id: demo-alle",
            "    to: [demo@example.no]",
            "    language: nb",
            "    schedule: 'mon 07:00'",
            "  - id: demo-norr",
            "    to: [demo@example.se]",
            "    language: sv",
            "    schedule: 'mon 07:00'",
            "    filters: {regions: [Norrbotten, Västerbotten], languages: [sv, no]}",
            "smtp: {host: localhost, port: 25, from: clusternews@example.no}",
        ]
        return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Serves all demo sites until interrupted: `python -m clusternews.demo.server`."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=Path, help="write the demo feeds.yaml here")
    parser.add_argument("--port", type=int, default=0, help="first port (default: any free)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    ports = {s: args.port + i for i, s in enumerate(SITE_IDS)} if args.port else None
    with DemoServer(ports=ports) as demo:
        if args.feeds:
            args.feeds.write_text(demo.feeds_yaml(), encoding="utf-8")
            log.info("wrote %s", args.feeds)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            log.info("stopping the demo sites")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
