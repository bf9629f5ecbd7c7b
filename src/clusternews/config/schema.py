"""The shape of feeds.yaml as pydantic models; messages here become `file:line: key: …`."""

from __future__ import annotations

import re
from typing import Annotated, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from clusternews.durations import parse_duration
from clusternews.pipeline.dates import DEFAULT_TIMEZONE

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# Polling faster than this is impolite to small cluster websites; slower than a week is a mistake.
MIN_INTERVAL, MAX_INTERVAL = 60, 7 * 86400
SCHEDULE = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun) ([01]\d|2[0-3]):([0-5]\d)$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _url(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected an http(s) URL, got {type(value).__name__}")
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"expected an absolute http(s) URL, got {value!r}")
    return value.strip()


def _interval(value: object) -> int:
    seconds = parse_duration(value)  # type: ignore[arg-type]
    if not MIN_INTERVAL <= seconds <= MAX_INTERVAL:
        raise ValueError(f"expected an interval between 1m and 7d, got {value!r}")
    return seconds


def _regex(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError("expected a regular expression string")
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression: {exc}") from None
    return value


Url = Annotated[str, BeforeValidator(_url)]
Interval = Annotated[int, BeforeValidator(_interval)]
Regex = Annotated[str, BeforeValidator(_regex)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    feed: Url | None = None
    page: Url | None = None
    sitemap: Url | None = None
    links: Regex | None = None
    interval: Interval | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Source:
        given = [k for k in ("feed", "page", "sitemap") if getattr(self, k)]
        if len(given) != 1:
            raise ValueError("expected exactly one of feed, page or sitemap")
        if self.links and given[0] == "feed":
            raise ValueError("'links' applies to page and sitemap sources, not feeds")
        return self

    @property
    def kind(self) -> str:
        return "feed" if self.feed else "page" if self.page else "sitemap"

    @property
    def url(self) -> str:
        return self.feed or self.page or self.sitemap or ""


class Cluster(_Strict):
    id: str
    name: str
    country: str
    region: str | None = None
    programme: str | None = None
    homepage: Url | None = None
    sources: list[Source] = Field(min_length=1)

    @field_validator("id")
    @classmethod
    def _slug(cls, v: str) -> str:
        if not SLUG.match(v):
            raise ValueError(f"expected a slug of a-z, 0-9 and '-', got {v!r}")
        return v

    @field_validator("country", mode="before")
    @classmethod
    def _country(cls, v: object) -> str:
        if not isinstance(v, str) or not re.fullmatch(r"[A-Za-z]{2}", v):
            raise ValueError(f"expected a two-letter country code such as NO or SE, got {v!r}")
        return v.upper()


class Filters(_Strict):
    regions: list[str] = []
    orgs: list[str] = []
    programmes: list[str] = []
    languages: list[Literal["no", "nb", "nn", "sv", "da", "en", "fi", "de"]] = []


class Digest(_Strict):
    id: str
    to: list[str] = Field(min_length=1)
    language: Literal["nb", "nn", "sv", "en"] = "nb"
    schedule: str = "mon 07:00"
    filters: Filters = Filters()
    send_empty: bool = False

    @field_validator("to")
    @classmethod
    def _emails(cls, v: list[str]) -> list[str]:
        for addr in v:
            if not EMAIL.match(addr):
                raise ValueError(f"expected email addresses, got {addr!r}")
        return v

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, v: str) -> str:
        if not SCHEDULE.match(v):
            raise ValueError(f"expected a weekly time such as 'mon 07:00', got {v!r}")
        return v


class Smtp(_Strict):
    host: str = "localhost"
    port: int = 25
    from_: str = Field("clusternews@localhost", alias="from")
    starttls: bool = False
    ssl: bool = False


def check_timezone(v: str) -> str:
    try:
        ZoneInfo(v)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"expected an IANA time zone such as Europe/Oslo, got {v!r}") from None
    return v


class Defaults(_Strict):
    interval: Interval = 1800
    timezone: str = DEFAULT_TIMEZONE
    # Politeness toward each host: seconds between request starts, connections at once.
    host_delay: float = Field(default=1.0, ge=0, le=60)
    host_connections: int = Field(default=2, ge=1, le=16)
    # Who we say we are; operators put their own contact here.
    user_agent: str | None = Field(default=None, min_length=8, max_length=300)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        return check_timezone(v)


class Config(_Strict):
    defaults: Defaults = Defaults()
    clusters: list[Cluster] = []
    digests: list[Digest] = []
    smtp: Smtp = Field(default_factory=lambda: Smtp.model_validate({}))


class SourceSpec(BaseModel):
    """One source to poll, flattened out of its cluster, with its stable id and interval."""

    model_config = ConfigDict(frozen=True)

    id: str  # "<cluster>:<kind>" or "<cluster>:<kind>-<n>" when a cluster has several of a kind
    cluster: str
    country: str
    kind: str
    url: str
    links: str | None
    interval: int


def flatten_sources(config: Config) -> list[SourceSpec]:
    out = []
    for cluster in config.clusters:
        seen: dict[str, int] = {}
        for src in cluster.sources:
            seen[src.kind] = seen.get(src.kind, 0) + 1
            suffix = "" if seen[src.kind] == 1 else f"-{seen[src.kind]}"
            out.append(
                SourceSpec(
                    id=f"{cluster.id}:{src.kind}{suffix}",
                    cluster=cluster.id,
                    country=cluster.country,
                    kind=src.kind,
                    url=src.url,
                    links=src.links,
                    interval=src.interval or config.defaults.interval,
                )
            )
    return out
