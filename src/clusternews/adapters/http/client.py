"""PoliteClient: the one HTTP client clusternews fetches through (robots, limits, retries, caps)."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from clusternews.adapters.http.breaker import HostBreaker, HostDown
from clusternews.adapters.http.decoding import (
    decode_body,
    http_charset,
    is_text_type,
    media_type,
)
from clusternews.adapters.http.hosts import HostLimiter
from clusternews.adapters.http.model import (
    Deadline,
    FetchError,
    FetchResult,
    HttpSettings,
    RawResponse,
    TooLarge,
    check_url,
    classify,
    parse_retry_after,
)
from clusternews.adapters.http.robots import (
    ROBOTS_MAX_BYTES,
    RobotsCache,
    RobotsResponse,
    origin_of,
)

log = logging.getLogger(__name__)

__all__ = ["PoliteClient", "DEFAULT_ACCEPT"]

DEFAULT_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, text/html;q=0.8, application/xhtml+xml;q=0.8, "
    "*/*;q=0.5"
)
_REDIRECTS = {301, 302, 303, 307, 308}
_RETRY_STATUS = {429, 500, 502, 503, 504}
_RETRY_KINDS = {"connect", "timeout", "protocol"}
# Failures to reach the host at all (DNS, refused, TLS handshake, connect timeout): the ones
# HostBreaker counts. Anything else means the host answered.
_UNREACHABLE = (httpx.ConnectError, httpx.ConnectTimeout)


class PoliteClient:
    """Async HTTP GET with robots.txt, per-host politeness, retries, timeouts and size caps."""

    def __init__(
        self,
        settings: HttpSettings = HttpSettings(),  # noqa: B008 - frozen, so sharing is safe
        *,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()
        self._client: httpx.AsyncClient | None = None
        self._limiter = HostLimiter(
            settings.per_host_concurrency,
            settings.min_delay,
            global_limit=settings.max_connections,
            sleep=sleep,
            clock=clock,
        )
        self._breaker = HostBreaker(
            settings.host_down_after, down_for=settings.host_down_for, clock=clock
        )
        self._robots = RobotsCache(
            settings.user_agent, self._fetch_robots, ttl=settings.robots_ttl, clock=clock
        )
        self.stats: dict[str, Any] = {
            "requests": 0,
            "ok": 0,
            "not_modified": 0,
            "errors": 0,
            "bytes": 0,
            "retries": 0,
            "robots_fetches": 0,
            "robots_denied": 0,
            "by_host": {},
            "errors_by_kind": {},
            "skipped_host_down": 0,
        }

    async def __aenter__(self) -> PoliteClient:
        self._ensure_client()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _ensure_client(self) -> httpx.AsyncClient:
        if self._client is None:
            s = self.settings
            self._client = httpx.AsyncClient(
                headers={"User-Agent": s.user_agent, "Accept-Encoding": "gzip, deflate, br"},
                timeout=httpx.Timeout(
                    connect=s.connect_timeout,
                    read=s.read_timeout,
                    write=s.read_timeout,
                    pool=None,  # queueing is ours (HostLimiter), not a failure
                ),
                limits=httpx.Limits(
                    max_connections=s.max_connections, max_keepalive_connections=s.max_connections
                ),
                follow_redirects=False,  # we follow, so robots and limits apply to every hop
                trust_env=False,  # no surprise proxies from the environment
            )
        return self._client

    def _host_stats(self, host: str) -> dict[str, int]:
        stats: dict[str, int] = self.stats["by_host"].setdefault(
            host, {"requests": 0, "bytes": 0, "not_modified": 0, "errors": 0}
        )
        return stats

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
        truncate: bool = False,
    ) -> FetchResult:
        """GET `url` politely; 200 or 304 as a FetchResult, anything else as FetchError.

        `truncate`: a body longer than max_bytes is cut there (FetchResult.truncated) instead
        of failing with kind "too_large": a source document is read as far as the cap allows.
        """
        start = self._clock()
        headers = {"Accept": accept or DEFAULT_ACCEPT}
        # RFC 9110 §13.1.2/§13.1.3: send both validators; servers give If-None-Match priority.
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        attempts = 0
        current = url
        seen = {url}
        try:
            host = check_url(url)
            for hop in range(self.settings.max_redirects + 1):
                exempt = urlsplit(current).path == "/robots.txt"  # RFC 9309: the file itself
                if self.settings.respect_robots and not exempt:
                    if not await self._robots.allowed(current):
                        self.stats["robots_denied"] += 1
                        raise FetchError("robots", current, "disallowed by robots.txt")
                raw, n = await self._fetch_hop(current, headers, attempts, truncate=truncate)
                attempts += n
                location = raw.headers.get("location")
                if raw.status not in _REDIRECTS or not location:
                    break
                target = urljoin(current, location.strip())
                host = check_url(target, original=url)
                if hop == self.settings.max_redirects:
                    loop = "redirect loop" if target in seen else "too many redirects"
                    raise FetchError(
                        "redirects",
                        url,
                        f"{loop} (more than {self.settings.max_redirects}, last to {target})",
                        status=raw.status,
                        attempts=attempts,
                    )
                seen.add(target)
                current = target
            if raw.status == 304:
                self.stats["not_modified"] += 1
                self._host_stats(host)["not_modified"] += 1
                return FetchResult(
                    url,
                    current,
                    304,
                    b"",
                    None,
                    None,
                    media_type(raw.headers.get("content-type")),
                    raw.headers.get("etag") or etag,
                    raw.headers.get("last-modified") or last_modified,
                    True,
                    self._clock() - start,
                    attempts,
                )
            if raw.status != 200:
                raise FetchError(
                    "rate_limited" if raw.status == 429 else "http",
                    url,
                    f"HTTP {raw.status} {raw.reason}".rstrip()
                    + (f" (after {attempts} attempts)" if attempts > 1 else ""),
                    status=raw.status,
                    retry_after=raw.retry_after,
                    attempts=attempts,
                )
        except FetchError as err:
            err.attempts = max(err.attempts, attempts)
            self.stats["errors"] += 1
            kinds = self.stats["errors_by_kind"]
            kinds[err.kind] = kinds.get(err.kind, 0) + 1
            host_name = urlsplit(current).hostname
            if host_name:
                self._host_stats(host_name.lower())["errors"] += 1
            raise
        ctype_header = raw.headers.get("content-type")
        ctype = media_type(ctype_header)
        text = encoding = None
        if is_text_type(ctype):
            text, encoding = decode_body(raw.content, content_type_header=ctype_header)
        self.stats["ok"] += 1
        self.stats["bytes"] += len(raw.content)
        self._host_stats(host)["bytes"] += len(raw.content)
        return FetchResult(
            url,
            current,
            200,
            raw.content,
            text,
            encoding,
            ctype,
            raw.headers.get("etag"),
            raw.headers.get("last-modified"),
            False,
            self._clock() - start,
            attempts,
            charset=http_charset(ctype_header),
            truncated=raw.truncated,
        )

    async def allowed(self, url: str) -> bool:
        """Would robots.txt let us fetch `url`? (Always True when robots are not respected.)"""
        if not self.settings.respect_robots or urlsplit(url).path == "/robots.txt":
            return True
        try:
            check_url(url)
        except FetchError:
            return True  # not ours to judge: the fetch itself will refuse it
        return await self._robots.allowed(url)

    async def _fetch_hop(
        self,
        url: str,
        headers: dict[str, str],
        attempts_before: int = 0,
        *,
        max_bytes: int | None = None,
        truncate: bool = False,
        retries: int | None = None,
    ) -> tuple[RawResponse, int]:
        """One URL with retries. Returns the final response (any status) and attempts used."""
        s = self.settings
        retries = s.retries if retries is None else retries
        host = urlsplit(url).hostname or ""
        origin = origin_of(url)
        attempt = 0
        while True:
            attempt += 1
            try:
                raw = await self._attempt(url, headers, max_bytes or s.max_bytes, truncate)
            except HostDown as down:
                self.stats["skipped_host_down"] += 1
                raise FetchError(
                    down.kind, url, str(down), attempts=attempts_before + attempt - 1
                ) from None
            except TooLarge:
                self._breaker.reached(origin)
                raise FetchError(
                    "too_large",
                    url,
                    f"body larger than {max_bytes or s.max_bytes} bytes",
                    attempts=attempts_before + attempt,
                ) from None
            except (httpx.RequestError, Deadline) as exc:
                err = classify(exc, url, s)
                err.attempts = attempts_before + attempt
                if isinstance(exc, _UNREACHABLE):
                    self._breaker.failed(origin, kind=err.kind, reason=err.detail)
                elif not isinstance(exc, Deadline):
                    self._breaker.reached(origin)  # connected, then something else broke
                final = err.kind not in _RETRY_KINDS or isinstance(exc, httpx.DecodingError)
                if final or attempt > retries:
                    if attempt > 1:
                        err.args = (f"{err} (after {attempt} attempts)",)
                    raise err from None
                await self._backoff(attempt, url, err.kind)
                continue
            self._breaker.reached(origin)
            if raw.status not in _RETRY_STATUS:
                return raw, attempt
            if raw.status in (429, 503):
                raw.retry_after = parse_retry_after(raw.headers.get("retry-after"))
            if raw.retry_after is not None and raw.retry_after > s.retry_after_max:
                # Too long to sit on a slot: fail now; the caller backs the source off.
                raise FetchError(
                    "rate_limited",
                    url,
                    f"HTTP {raw.status}, server asks to wait {raw.retry_after:.0f} s",
                    status=raw.status,
                    retry_after=raw.retry_after,
                    attempts=attempts_before + attempt,
                )
            if attempt > retries:
                return raw, attempt
            if raw.retry_after is not None:
                log.info(
                    "HTTP %s for %s: waiting %.1f s (Retry-After)", raw.status, url, raw.retry_after
                )
                self.stats["retries"] += 1
                self._limiter.defer(host, raw.retry_after)  # the wait happens in slot()
            else:
                await self._backoff(attempt, url, f"HTTP {raw.status}")

    async def _backoff(self, attempt: int, url: str, why: str) -> None:
        """Exponential backoff with full jitter (AWS architecture blog, 2015)."""
        s = self.settings
        delay = self._rng.uniform(0, min(s.backoff_max, s.backoff_base * 2 ** (attempt - 1)))
        log.info("%s for %s: retry %d in %.2f s", why, url, attempt, delay)
        self.stats["retries"] += 1
        await self._sleep(delay)

    async def _attempt(
        self, url: str, headers: dict[str, str], max_bytes: int, truncate: bool
    ) -> RawResponse:
        """One request under the host limiter and the total deadline; reads at most max_bytes."""
        client = self._ensure_client()
        host = (urlsplit(url).hostname or "").lower()
        origin = origin_of(url)
        self._breaker.check(origin)  # before queueing for a slot: no politeness wait for nothing
        # ... and again when its turn comes: the host may have gone down while it queued.
        async with self._limiter.slot(host, ready=lambda: self._breaker.check(origin)):
            self.stats["requests"] += 1
            self._host_stats(host)["requests"] += 1
            log.debug("GET %s", url)
            try:
                async with asyncio.timeout(self.settings.total_timeout):
                    async with client.stream("GET", url, headers=headers) as resp:
                        raw = RawResponse(resp.status_code, resp.reason_phrase, resp.headers)
                        if resp.status_code != 200:
                            return raw  # bodies of errors/redirects/304 are not needed
                        length = resp.headers.get("content-length", "")
                        if not truncate and length.isdigit() and int(length) > max_bytes:
                            raise TooLarge
                        body = bytearray()
                        async for chunk in resp.aiter_bytes():
                            body += chunk
                            if len(body) > max_bytes:
                                if not truncate:
                                    raise TooLarge
                                del body[max_bytes:]
                                raw.truncated = True
                                break
                        raw.content = bytes(body)
                        return raw
            except TimeoutError:
                raise Deadline from None

    async def _fetch_robots(self, robots_url: str) -> RobotsResponse:
        """Fetch robots.txt through the same limits (it is exempt from robots itself)."""
        self.stats["robots_fetches"] += 1
        headers = {"Accept": "text/plain, */*;q=0.5"}
        current = robots_url
        try:
            for _ in range(6):  # RFC 9309 §2.3.1.2: follow at least five redirects
                raw, _n = await self._fetch_hop(
                    current, headers, max_bytes=ROBOTS_MAX_BYTES, truncate=True, retries=0
                )
                location = raw.headers.get("location")
                if raw.status not in _REDIRECTS or not location:
                    return RobotsResponse(raw.status, raw.content)
                current = urljoin(current, location.strip())
                check_url(current)
        except FetchError as err:
            log.info("robots.txt %s: %s", robots_url, err)
            return RobotsResponse(err.status)
        return RobotsResponse(404)  # RFC 9309 §2.3.1.2: too many redirects → unavailable
