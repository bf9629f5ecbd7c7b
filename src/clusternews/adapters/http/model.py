"""Settings, results and errors of the HTTP adapter, and the small pure helpers behind them."""

from __future__ import annotations

import email.utils
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx

from clusternews.adapters.http.breaker import DOWN_AFTER, DOWN_FOR

__all__ = [
    "HttpSettings",
    "FetchResult",
    "FetchError",
    "parse_retry_after",
    "check_url",
    "classify",
    "Deadline",
    "RawResponse",
    "TooLarge",
]


@dataclass(frozen=True)
class HttpSettings:
    """How politely and how patiently to fetch; the defaults suit a background poller."""

    user_agent: str = (
        "clusternews/0.1 (+https://github.com/clusternews/clusternews; "
        "news aggregator for Nordic industry clusters)"
    )
    per_host_concurrency: int = 2
    min_delay: float = 1.0  # seconds between request starts to one host
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0  # per attempt, incl. the streamed body; enforced by us
    max_bytes: int = 10_000_000  # decompressed body; more → FetchError(kind="too_large")
    max_redirects: int = 5
    retries: int = 2  # extra attempts for connect errors, timeouts, 429, 500/502/503/504
    backoff_base: float = 0.5  # exponential backoff with full jitter
    backoff_max: float = 30.0
    retry_after_max: float = 60.0  # a longer Retry-After fails at once (kind="rate_limited")
    respect_robots: bool = True
    robots_ttl: float = 3600.0
    max_connections: int = 16  # across all hosts (an addition to the agreed API)
    host_down_after: int = DOWN_AFTER  # failed connections in a row → host down; 0 = never
    host_down_for: float = DOWN_FOR  # seconds a down host is skipped (doubling, up to 12 h)


@dataclass(frozen=True)
class FetchResult:
    """A 200 or a 304. `text` is set for text-like types only; `content` is decompressed."""

    url: str
    final_url: str
    status: int
    content: bytes
    text: str | None
    encoding: str | None
    content_type: str
    etag: str | None
    last_modified: str | None
    not_modified: bool
    elapsed: float
    attempts: int
    retry_after: float | None = None
    charset: str | None = None  # the Content-Type's charset parameter as sent (may be wrong)
    truncated: bool = False  # get(truncate=True) kept only the first max_bytes of a longer body


class FetchError(Exception):
    """A fetch that did not produce a 200/304; str(err) is one line starting "fetch: ".

    kind: "dns" | "connect" | "timeout" | "http" | "rate_limited" | "too_large" | "redirects"
    | "robots" | "invalid_url" | "protocol". `attempts` (an addition) counts requests made.
    A request to a host found down (breaker.py) fails unsent with that host's last kind
    ("dns", "connect", "timeout") and a message "host … is down (…): <last error>"; its
    `attempts` counts only the attempts really sent before (often 0).
    """

    def __init__(
        self,
        kind: str,
        url: str,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        attempts: int = 1,
    ) -> None:
        super().__init__(f"fetch: {message} for {url}")
        self.detail = message
        self.kind = kind
        self.url = url
        self.status = status
        self.retry_after = retry_after
        self.attempts = attempts


@dataclass
class RawResponse:
    """One response as the client saw it: status, headers, body (only read for 200)."""

    status: int
    reason: str
    headers: httpx.Headers
    content: bytes = b""
    retry_after: float | None = None
    truncated: bool = False  # the body went on past max_bytes and was cut there


class TooLarge(Exception):
    """The body passed max_bytes."""


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait per Retry-After: delay-seconds or an HTTP-date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class Deadline(Exception):
    """Our own whole-attempt deadline (total_timeout) ran out."""


def check_url(url: str, original: str | None = None) -> str:
    """The lowercased host of an absolute http(s) URL, or FetchError(kind='invalid_url')."""
    what = f"invalid URL {url!r}" if original is None else f"redirect to invalid URL {url!r}"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
        httpx.URL(url)
    except (ValueError, httpx.InvalidURL) as exc:
        raise FetchError("invalid_url", original or url, f"{what} ({exc})") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise FetchError("invalid_url", original or url, f"{what} (need http(s) and a host)")
    return parts.hostname.lower()


def classify(exc: BaseException, url: str, s: HttpSettings) -> FetchError:
    """Map an httpx/transport exception to a FetchError with a plain-language message."""
    if isinstance(exc, Deadline):
        return FetchError("timeout", url, f"gave up after {s.total_timeout:g} s (server too slow)")
    if isinstance(exc, httpx.ConnectTimeout):
        return FetchError("timeout", url, f"connect timed out after {s.connect_timeout:g} s")
    if isinstance(exc, httpx.TimeoutException):
        return FetchError("timeout", url, f"server sent nothing for {s.read_timeout:g} s")
    if isinstance(exc, httpx.ConnectError):
        cause: BaseException | None = exc
        detail = str(exc) or type(exc).__name__
        while cause is not None:
            if isinstance(cause, socket.gaierror):
                host = urlsplit(url).hostname
                return FetchError("dns", url, f"cannot resolve host {host} ({cause.strerror})")
            if isinstance(cause, ConnectionRefusedError):
                detail = "connection refused"
            cause = cause.__cause__ or cause.__context__
        return FetchError("connect", url, f"cannot connect ({detail})")
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return FetchError("invalid_url", url, f"invalid URL ({exc})")
    if isinstance(exc, httpx.DecodingError):
        return FetchError("protocol", url, f"cannot decompress body ({exc})")
    return FetchError("protocol", url, f"broken response ({exc or type(exc).__name__})")
