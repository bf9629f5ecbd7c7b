"""PoliteClient against a real misbehaving server on loopback (no mocks of httpx)."""

from __future__ import annotations

import asyncio
import email.utils
import random
import socket
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import pytest

from clusternews.adapters.http import (
    FetchError,
    FetchResult,
    HttpSettings,
    PoliteClient,
    parse_retry_after,
)

from .faultserver import Behave, FaultServer, Request, Response, closed_port

T = TypeVar("T")

FAST = HttpSettings(
    min_delay=0.0,
    connect_timeout=1.0,
    read_timeout=1.0,
    total_timeout=2.0,
    backoff_base=0.01,
    backoff_max=0.05,
)
NORDIC = "Blåbær og rømmegrøt på Ærø – «Östersund» är större än Åland. ÆØÅ äöÄÖ é “sitat”"


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


class RecordingSleep:
    """Records every requested wait and really sleeps only a sliver of it."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(min(seconds, 0.02))


async def fetch(url: str, settings: HttpSettings = FAST, **kw: Any) -> FetchResult:
    async with PoliteClient(settings) as client:
        return await client.get(url, **kw)


def fetch_error(url: str, settings: HttpSettings = FAST, **kw: Any) -> FetchError:
    with pytest.raises(FetchError) as info:
        run(fetch(url, settings, **kw))
    assert str(info.value).startswith("fetch: ")
    return info.value


@pytest.fixture
def srv():
    with FaultServer() as server:
        yield server


def settings(**kw: Any) -> HttpSettings:
    return HttpSettings(**{**FAST.__dict__, **kw})


# -- headers -------------------------------------------------------------------------------


def test_user_agent_accept_and_encodings_on_every_request(srv: FaultServer):
    srv.route("/feed", Response(200, "<rss/>", content_type="application/rss+xml"))
    result = run(fetch(srv.url("/feed")))
    assert result.status == 200 and result.text == "<rss/>"
    assert result.content_type == "application/rss+xml"
    assert [r.path for r in srv.requests] == ["/robots.txt", "/feed"]
    for req in srv.requests:
        assert req.header("user-agent") == HttpSettings().user_agent
        assert req.header("accept-encoding") == "gzip, deflate, br"
    assert "application/rss+xml" in srv.requests_for("/feed")[0].header("accept")


def test_accept_can_be_overridden(srv: FaultServer):
    srv.route("/x", Response(200, "{}", content_type="application/json"))
    run(fetch(srv.url("/x"), accept="application/json"))
    assert srv.requests_for("/x")[0].header("accept") == "application/json"


# -- robots.txt (RFC 9309) ---------------------------------------------------------------------


def test_robots_disallow_means_no_request(srv: FaultServer):
    srv.robots("User-agent: *\nDisallow: /private/\n")
    srv.route("/private/page", Response(200, "secret"))
    srv.route("/public", Response(200, "ok"))
    err = fetch_error(srv.url("/private/page"))
    assert err.kind == "robots"
    assert srv.requests_for("/private/page") == []
    assert run(fetch(srv.url("/public"))).text == "ok"


def test_robots_group_for_our_product_token(srv: FaultServer):
    srv.robots("User-agent: clusternews\nDisallow: /\n\nUser-agent: *\nAllow: /\n")
    srv.route("/a", Response(200, "a"))
    assert fetch_error(srv.url("/a")).kind == "robots"


def test_robots_fetched_once_for_many_pages(srv: FaultServer):
    srv.robots("User-agent: *\nDisallow: /nope\n")
    for i in range(10):
        srv.route(f"/p{i}", Response(200, f"page {i}"))

    async def main() -> list[FetchResult]:
        async with PoliteClient(settings(per_host_concurrency=4)) as client:
            results = await asyncio.gather(*(client.get(srv.url(f"/p{i}")) for i in range(10)))
            assert client.stats["robots_fetches"] == 1
            return results

    results = run(main())
    assert [r.text for r in results] == [f"page {i}" for i in range(10)]
    assert len(srv.requests_for("/robots.txt")) == 1


@pytest.mark.parametrize(
    ("status", "allowed"),
    [(404, True), (410, True), (401, False), (403, False), (500, True), (503, True)],
)
def test_robots_status_codes(srv: FaultServer, status: int, allowed: bool):
    srv.robots("User-agent: *\nDisallow: /\n", status=status)
    srv.route("/page", Response(200, "ok"))
    if allowed:
        assert run(fetch(srv.url("/page"), settings(retries=0))).text == "ok"
    else:
        assert fetch_error(srv.url("/page")).kind == "robots"
        assert srv.requests_for("/page") == []


def test_robots_unreachable_host_is_not_a_robots_error(srv: FaultServer):
    srv.route("/robots.txt", Behave.close())
    srv.route("/page", Response(200, "ok"))
    assert run(fetch(srv.url("/page"), settings(retries=0))).text == "ok"


def test_robots_cache_expires_after_ttl(srv: FaultServer):
    now = [1000.0]
    srv.route("/page", Response(200, "ok"))

    async def main() -> None:
        s = settings(robots_ttl=60.0)
        async with PoliteClient(s, clock=lambda: now[0]) as client:
            await client.get(srv.url("/page"))
            now[0] += 30
            await client.get(srv.url("/page"))
            now[0] += 31
            await client.get(srv.url("/page"))

    run(main())
    assert len(srv.requests_for("/robots.txt")) == 2


def test_robots_can_be_switched_off(srv: FaultServer):
    srv.robots("User-agent: *\nDisallow: /\n")
    srv.route("/page", Response(200, "ok"))
    assert run(fetch(srv.url("/page"), settings(respect_robots=False))).text == "ok"
    assert srv.requests_for("/robots.txt") == []


def test_redirect_to_host_that_disallows_is_stopped(srv: FaultServer):
    with FaultServer("127.0.0.2") as other:
        other.robots("User-agent: *\nDisallow: /\n")
        other.route("/landing", Response(200, "nope"))
        srv.route("/go", Response(301, headers={"Location": other.url("/landing")}))
        assert fetch_error(srv.url("/go")).kind == "robots"
        assert other.requests_for("/landing") == []
        assert len(other.requests_for("/robots.txt")) == 1


# -- conditional GET (RFC 9110 §13) ---------------------------------------------------------


def test_conditional_headers_sent_and_304_handled(srv: FaultServer):
    srv.route("/feed", Response(304, headers={"ETag": '"v2"'}))

    async def main() -> tuple[FetchResult, dict]:
        async with PoliteClient(FAST) as client:
            lm = "Wed, 01 Jan 2025 10:00:00 GMT"
            return await client.get(srv.url("/feed"), etag='"v1"', last_modified=lm), client.stats

    result, stats = run(main())
    req = srv.requests_for("/feed")[0]
    assert req.header("if-none-match") == '"v1"'
    assert req.header("if-modified-since") == "Wed, 01 Jan 2025 10:00:00 GMT"
    assert result.not_modified and result.status == 304
    assert result.content == b"" and result.text is None
    assert result.etag == '"v2"'  # the server's new validator wins
    assert result.last_modified == "Wed, 01 Jan 2025 10:00:00 GMT"  # the given one is kept
    assert stats["not_modified"] == 1


def test_etag_that_never_changes_while_body_does(srv: FaultServer):
    counter = iter(range(100))
    etag = {"ETag": '"same"'}
    srv.route("/feed", lambda req: Response(200, f"body {next(counter)}", headers=etag))
    first = run(fetch(srv.url("/feed")))
    second = run(fetch(srv.url("/feed"), etag=first.etag))
    assert (first.text, second.text) == ("body 0", "body 1")
    assert second.etag == '"same"' and not second.not_modified


def test_serve_dir_supports_conditional_get(srv: FaultServer, tmp_path):
    (tmp_path / "feed.rss").write_bytes(f"<rss><title>{NORDIC}</title></rss>".encode())
    srv.serve_dir("/site/", tmp_path)
    first = run(fetch(srv.url("/site/feed.rss")))
    assert first.content_type == "application/rss+xml" and NORDIC in first.text
    again = run(fetch(srv.url("/site/feed.rss"), etag=first.etag))
    assert again.not_modified and again.etag == first.etag
    assert fetch_error(srv.url("/site/../../etc/passwd")).status == 404


# -- retries, Retry-After (RFC 9110 §10.2.3) ------------------------------------------------


def _client_run(url: str, s: HttpSettings, sleep: RecordingSleep, seed: int = 1) -> Any:
    async def main() -> FetchResult:
        async with PoliteClient(s, sleep=sleep, rng=random.Random(seed)) as client:
            return await client.get(url)

    return run(main())


def test_429_with_retry_after_seconds_waits_then_succeeds(srv: FaultServer):
    srv.route("/p", srv.sequence(Response(429, headers={"Retry-After": "1"}), Response(200, "ok")))
    sleep = RecordingSleep()
    result = _client_run(srv.url("/p"), FAST, sleep)
    assert result.text == "ok" and result.attempts == 2
    assert sleep.waits and 0.9 <= max(sleep.waits) <= 1.01


def test_503_with_retry_after_http_date(srv: FaultServer):
    when = email.utils.formatdate(time.time() + 3, usegmt=True)
    srv.route("/p", srv.sequence(Response(503, headers={"Retry-After": when}), Response(200, "ok")))
    sleep = RecordingSleep()
    result = _client_run(srv.url("/p"), FAST, sleep)
    assert result.text == "ok" and result.attempts == 2
    assert 1.0 <= max(sleep.waits) <= 3.01


def test_retry_after_too_long_fails_at_once(srv: FaultServer):
    srv.route("/p", Response(429, headers={"Retry-After": "120"}))
    err = fetch_error(srv.url("/p"))
    assert err.kind == "rate_limited" and err.retry_after == 120 and err.status == 429
    assert len(srv.requests_for("/p")) == 1


def test_500_then_200_succeeds_on_second_attempt(srv: FaultServer):
    srv.route("/p", srv.sequence(Response(500), Response(200, "ok")))
    sleep = RecordingSleep()
    result = _client_run(srv.url("/p"), FAST, sleep)
    assert result.text == "ok" and result.attempts == 2
    assert len(sleep.waits) == 1 and 0 <= sleep.waits[0] <= FAST.backoff_base


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_persistent_5xx_gives_up_with_full_jitter_backoff(srv: FaultServer, status: int):
    srv.route("/p", Response(status))
    sleep = RecordingSleep()
    s = settings(retries=3, backoff_base=0.04, backoff_max=0.1)
    with pytest.raises(FetchError) as info:
        _client_run(srv.url("/p"), s, sleep)
    assert info.value.kind == "http" and info.value.status == status
    assert info.value.attempts == 4 and len(srv.requests_for("/p")) == 4
    assert "after 4 attempts" in str(info.value)
    caps = [0.04, 0.08, 0.1]  # min(backoff_max, base * 2**n)
    assert len(sleep.waits) == 3
    assert all(0 <= w <= c for w, c in zip(sleep.waits, caps, strict=True))


def test_429_without_retry_after_ends_rate_limited(srv: FaultServer):
    srv.route("/p", Response(429))
    err = fetch_error(srv.url("/p"))
    assert err.kind == "rate_limited" and err.attempts == 3


def test_404_is_not_retried(srv: FaultServer):
    err = fetch_error(srv.url("/missing"))
    assert err.kind == "http" and err.status == 404 and err.attempts == 1
    assert str(err) == f"fetch: HTTP 404 Not Found for {srv.url('/missing')}"
    assert len(srv.requests_for("/missing")) == 1


# -- redirects ------------------------------------------------------------------------------


def test_redirects_are_followed(srv: FaultServer):
    srv.route("/a", Response(301, headers={"Location": "/b"}))
    srv.route("/b", Response(302, headers={"Location": srv.url("/c")}))
    srv.route("/c", Response(307, headers={"Location": "d"}))
    srv.route("/d", Response(200, "here"))
    result = run(fetch(srv.url("/a")))
    assert result.final_url == srv.url("/d") and result.url == srv.url("/a")
    assert result.text == "here"


def test_redirect_loop(srv: FaultServer):
    srv.route("/a", Response(302, headers={"Location": "/b"}))
    srv.route("/b", Response(302, headers={"Location": "/a"}))
    err = fetch_error(srv.url("/a"))
    assert err.kind == "redirects" and "loop" in str(err)


def test_too_many_redirects(srv: FaultServer):
    for i in range(10):
        srv.route(f"/r{i}", Response(302, headers={"Location": f"/r{i + 1}"}))
    err = fetch_error(srv.url("/r0"), settings(max_redirects=3))
    assert err.kind == "redirects"
    assert [r.path for r in srv.requests if r.path != "/robots.txt"] == ["/r0", "/r1", "/r2", "/r3"]


# -- timeouts, size caps, broken servers ----------------------------------------------------


def test_hang_times_out_within_total_timeout(srv: FaultServer):
    srv.route("/hang", Behave.hang())
    start = time.monotonic()
    err = fetch_error(srv.url("/hang"), settings(read_timeout=30, total_timeout=1.0, retries=0))
    assert err.kind == "timeout" and "gave up after 1 s" in str(err)
    assert time.monotonic() - start < 1.8


def test_hang_hits_read_timeout(srv: FaultServer):
    srv.route("/hang", Behave.hang())
    err = fetch_error(srv.url("/hang"), settings(read_timeout=0.5, retries=0))
    assert err.kind == "timeout"


def test_trickle_is_cut_off_by_total_timeout(srv: FaultServer):
    srv.route("/slow", Behave.trickle(b"x" * 200, bytes_per_sec=10))
    start = time.monotonic()
    err = fetch_error(srv.url("/slow"), settings(read_timeout=1.0, total_timeout=1.0, retries=0))
    assert err.kind == "timeout"
    assert time.monotonic() - start < 1.8
    assert srv.transfers[0].sent < 50


def test_timeouts_are_retried(srv: FaultServer):
    srv.route("/p", srv.sequence(Behave.hang(), Response(200, "ok")))
    result = run(fetch(srv.url("/p"), settings(total_timeout=0.5)))
    assert result.text == "ok" and result.attempts == 2


@pytest.mark.parametrize("content_length", [True, False])
def test_huge_body_is_cut_off(srv: FaultServer, content_length: bool):
    srv.route("/big", Behave.huge(30_000_000, content_length=content_length))
    err = fetch_error(srv.url("/big"), settings(max_bytes=1_000_000))
    assert err.kind == "too_large" and err.attempts == 1
    deadline = time.monotonic() + 3
    while not srv.transfers[0].client_closed and time.monotonic() < deadline:
        time.sleep(0.02)
    transfer = srv.transfers[0]
    assert transfer.client_closed and not transfer.done
    # we stopped early: what left the server is at most the cap plus socket buffers
    assert transfer.sent < 30_000_000 // 2


def test_truncated_body_is_a_protocol_error(srv: FaultServer):
    srv.route("/cut", Behave.truncated(b"<html>" + b"x" * 100, declared=5000))
    assert fetch_error(srv.url("/cut"), settings(retries=0)).kind == "protocol"


def test_garbage_status_line_is_a_protocol_error(srv: FaultServer):
    srv.route("/junk", Behave.raw(b"\x16\x03\x01 not http at all\r\n\r\n"))
    assert fetch_error(srv.url("/junk"), settings(retries=0)).kind == "protocol"


def test_binary_garbage_served_as_html(srv: FaultServer):
    garbage = random.Random(3).randbytes(20_000)
    srv.route("/g", Response(200, garbage, content_type="text/html"))
    srv.route("/img", Response(200, garbage, content_type="image/png"))
    result = run(fetch(srv.url("/g")))
    assert result.content == garbage and "\ufffd" in result.text
    image = run(fetch(srv.url("/img")))
    assert image.text is None and image.encoding is None and image.content_type == "image/png"


@pytest.mark.parametrize(
    ("declared", "codec", "expected"),
    [("utf-8", "cp1252", "windows-1252"), ("iso-8859-1", "utf-8", "utf-8")],
)
def test_lying_charset(srv: FaultServer, declared: str, codec: str, expected: str):
    page = f"<html><body>{NORDIC}</body></html>"
    ctype = f"text/html; charset={declared}"
    srv.route("/p", Response(200, page.encode(codec), content_type=ctype))
    result = run(fetch(srv.url("/p")))
    assert result.text == page and result.encoding == expected


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
def test_compressed_bodies(srv: FaultServer, encoding: str):
    body = (f"<rss>{NORDIC}</rss>" * 50).encode()
    srv.route("/c", Response(200, body, content_type="application/rss+xml", encoding=encoding))
    result = run(fetch(srv.url("/c")))
    assert result.content == body and result.text == body.decode()


# -- DNS, refused, invalid URLs -------------------------------------------------------------


def test_dns_failure():
    err = fetch_error("http://cluster-news.invalid/feed", settings(retries=0))
    assert err.kind == "dns" and "cluster-news.invalid" in str(err)


def test_connection_refused():
    err = fetch_error(f"http://127.0.0.1:{closed_port()}/", settings(retries=0))
    assert err.kind == "connect" and "refused" in str(err)


# -- a dead host: a few real failures, then the rest fail at once ------------------------------


async def _errors(client: PoliteClient, urls: list[str]) -> list[FetchError]:
    errors = await asyncio.gather(*(client.get(u) for u in urls), return_exceptions=True)
    assert all(isinstance(e, FetchError) for e in errors), errors
    return [e for e in errors if isinstance(e, FetchError)]


def _get_all(client: PoliteClient, urls: list[str]) -> list[FetchError]:
    return run(_errors(client, urls))


def test_dead_host_fails_at_once_after_three_connection_failures():
    port = closed_port()
    urls = [f"http://127.0.0.1:{port}/a/{n}.html" for n in range(20)]
    # min_delay 0.2 s: twenty real requests would take 4 s of politeness alone
    s = settings(retries=2, min_delay=0.2, per_host_concurrency=1, respect_robots=False)
    client = PoliteClient(s)
    start = time.monotonic()
    errors = _get_all(client, urls)
    elapsed = time.monotonic() - start
    # three real connects, refused; their retries and the other 17 pages are never sent
    assert [e.attempts for e in errors] == [1, 1, 1] + [0] * 17
    assert client.stats["requests"] == 3 and client.stats["skipped_host_down"] == 20
    assert all(e.kind == "connect" for e in errors)
    expected = (
        f"fetch: host 127.0.0.1:{port} is down (3 connection failures in a row): "
        f"cannot connect (connection refused) for {urls[-1]}"
    )
    assert str(errors[-1]) == expected
    assert client.stats["errors"] == 20 and client.stats["errors_by_kind"] == {"connect": 20}
    assert elapsed < 2.0, elapsed  # 20 real requests 0.2 s apart would take 4 s


def test_dead_host_without_retries_says_why_for_the_first_few():
    port = closed_port()
    client = PoliteClient(settings(retries=0, per_host_concurrency=1, respect_robots=False))
    errors = _get_all(client, [f"http://127.0.0.1:{port}/{n}" for n in range(5)])
    assert [("is down" in str(e), "refused" in str(e)) for e in errors] == (
        [(False, True)] * 3 + [(True, True)] * 2
    )


def test_dead_host_breaker_can_be_switched_off():
    port = closed_port()
    client = PoliteClient(settings(retries=0, respect_robots=False, host_down_after=0))
    errors = _get_all(client, [f"http://127.0.0.1:{port}/{n}" for n in range(8)])
    assert all(e.attempts == 1 and "is down" not in str(e) for e in errors)
    assert client.stats["requests"] == 8


def test_unresolvable_host_is_down_too():
    urls = [f"http://dead-host.invalid/{n}" for n in range(6)]
    client = PoliteClient(settings(retries=0, per_host_concurrency=1))
    errors = _get_all(client, urls)
    assert all(e.kind == "dns" for e in errors)
    # robots.txt is the first request that cannot resolve, then two pages
    assert client.stats["requests"] == 3 and client.stats["skipped_host_down"] == 4
    assert "is down (3 connection failures in a row): cannot resolve host" in str(errors[-1])


def test_http_errors_do_not_count_and_an_answer_resets_the_count():
    port = closed_port()
    s = settings(retries=0, per_host_concurrency=1, respect_robots=False)
    url = f"http://127.0.0.1:{port}/x"

    async def main() -> None:
        async with PoliteClient(s) as client:
            assert [e.attempts for e in await _errors(client, [url, url])] == [1, 1]
            with FaultServer(port=port) as srv:  # the host answers, if only with errors
                srv.route("/x", Response(404, "nope"))
                srv.route("/500", Response(500, "oops"))
                answered = await _errors(client, [url, srv.url("/500")] * 2)
                assert [e.status for e in answered] == [404, 500] * 2
            errors = await _errors(client, [url] * 4)  # gone again: the count starts over
            assert [e.attempts for e in errors] == [1, 1, 1, 0]

    run(main())


def test_down_host_is_tried_again_after_a_growing_pause():
    """A long-lived client (the `run` scheduler) tries a down host again later."""
    now = [1000.0]
    port = closed_port()
    url = f"http://127.0.0.1:{port}/feed"
    s = settings(retries=0, per_host_concurrency=1, respect_robots=False, host_down_for=60.0)

    async def main() -> None:
        async with PoliteClient(s, clock=lambda: now[0]) as client:
            assert [e.attempts for e in await _errors(client, [url] * 4)] == [1, 1, 1, 0]
            now[0] += 59
            assert [e.attempts for e in await _errors(client, [url])] == [0]
            now[0] += 1  # the pause is over: one real try, refused, and down twice as long
            assert [e.attempts for e in await _errors(client, [url] * 2)] == [1, 0]
            now[0] += 60
            assert [e.attempts for e in await _errors(client, [url])] == [0]
            now[0] += 60
            with FaultServer(port=port) as srv:
                srv.route("/feed", Response(200, "<rss/>", content_type="application/rss+xml"))
                assert (await client.get(url)).status == 200

    run(main())


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/feed",
        "http:///feed",
        "/relative/feed",
        "mailto:a@b.no",
        "http://example.com:99999/",
        "",
        "javascript:alert(1)",
    ],
)
def test_invalid_urls(url: str):
    err = fetch_error(url)
    assert err.kind == "invalid_url"


# -- politeness: per-host concurrency, spacing, host independence ------------------------------


def _slow_handler(seconds: float) -> tuple[Callable[[Request], Response], dict[str, int]]:
    state = {"now": 0, "max": 0}
    lock = threading.Lock()

    def handler(req: Request) -> Response:
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        time.sleep(seconds)
        with lock:
            state["now"] -= 1
        return Response(200, "slow")

    return handler, state


def _gather(urls: list[str], s: HttpSettings) -> float:
    async def main() -> None:
        async with PoliteClient(s) as client:
            await asyncio.gather(*(client.get(u) for u in urls))

    start = time.monotonic()
    run(main())
    return time.monotonic() - start


def test_per_host_concurrency_is_capped(srv: FaultServer):
    handler, state = _slow_handler(0.2)
    srv.route("/slow", handler)
    s = settings(per_host_concurrency=2, respect_robots=False)
    elapsed = _gather([srv.url("/slow")] * 6, s)
    assert state["max"] == 2
    assert elapsed >= 0.6


def test_min_delay_between_request_starts(srv: FaultServer):
    srv.route("/p", Response(200, "ok"))
    _gather([srv.url("/p")] * 5, settings(min_delay=0.15, per_host_concurrency=5))
    starts = [r.started for r in srv.requests]  # robots.txt counts as a request start too
    assert len(starts) == 6
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert min(gaps) >= 0.14, gaps


def test_different_hosts_run_concurrently():
    """Hosts are keyed by hostname: 127.0.0.1 and 127.0.0.2 are two hosts."""
    h1, s1 = _slow_handler(0.5)
    h2, s2 = _slow_handler(0.5)
    with FaultServer("127.0.0.1") as a, FaultServer("127.0.0.2") as b:
        a.route("/slow", h1)
        b.route("/slow", h2)
        s = settings(per_host_concurrency=1, respect_robots=False)
        elapsed = _gather([a.url("/slow"), b.url("/slow")], s)
    assert elapsed < 0.9


def test_two_ports_on_one_host_share_the_limit():
    """Keyed by hostname, not port: two ports on one machine are one server to be polite to."""
    handler, state = _slow_handler(0.3)
    with FaultServer() as a, FaultServer() as b:
        a.route("/slow", handler)
        b.route("/slow", handler)
        s = settings(per_host_concurrency=1, respect_robots=False)
        elapsed = _gather([a.url("/slow"), b.url("/slow")], s)
    assert state["max"] == 1 and elapsed >= 0.6


def test_retry_after_holds_back_the_whole_host(srv: FaultServer):
    srv.route("/a", srv.sequence(Response(503, headers={"Retry-After": "1"}), Response(200, "a")))
    srv.route("/b", Response(200, "b"))
    sleep = RecordingSleep()

    async def main() -> None:
        s = settings(respect_robots=False, per_host_concurrency=1)
        async with PoliteClient(s, sleep=sleep) as client:
            await client.get(srv.url("/a"))
            await client.get(srv.url("/b"))

    run(main())
    assert sleep.waits and max(sleep.waits) >= 0.9


def test_stats(srv: FaultServer):
    srv.route("/ok", Response(200, "12345"))
    srv.route("/nm", Response(304))

    async def main() -> dict:
        async with PoliteClient(FAST) as client:
            await client.get(srv.url("/ok"))
            await client.get(srv.url("/nm"), etag='"x"')
            with pytest.raises(FetchError):
                await client.get(srv.url("/missing"))
            return client.stats

    stats = run(main())
    assert stats["requests"] == 4 and stats["bytes"] == 5 and stats["not_modified"] == 1
    assert stats["errors_by_kind"] == {"http": 1}
    assert stats["by_host"]["127.0.0.1"]["requests"] == 4


# -- helpers and the fault server itself ----------------------------------------------------


def test_parse_retry_after():
    assert parse_retry_after("120") == 120
    assert parse_retry_after(" 0 ") == 0
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    past = email.utils.formatdate(time.time() - 100, usegmt=True)
    assert parse_retry_after(past) == 0
    future = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 28 <= parse_retry_after(future) <= 30


def test_fault_server_releases_hung_clients_on_exit():
    server = FaultServer().__enter__()
    server.route("/hang", Behave.hang())
    client = socket.create_connection((server.host, server.port))
    client.sendall(b"GET /hang HTTP/1.1\r\nHost: x\r\n\r\n")
    deadline = time.monotonic() + 2
    while not server.requests_for("/hang") and time.monotonic() < deadline:
        time.sleep(0.01)
    start = time.monotonic()
    server.stop()
    assert time.monotonic() - start < 1.0
    assert not any(t.is_alive() for t in server._threads)
    client.close()


def test_robots_txt_itself_is_exempt(srv: FaultServer):
    srv.robots("User-agent: *\nDisallow: /\n")
    result = run(fetch(srv.url("/robots.txt")))
    assert "Disallow" in result.text
    assert len(srv.requests_for("/robots.txt")) == 1
