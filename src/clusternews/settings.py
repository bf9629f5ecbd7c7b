"""The one settings object of a process, built once at the edge (CLI, app factory) from flags,
`CLUSTERNEWS_*` environment variables and feeds.yaml, and passed down.

Precedence: a command-line flag, then the environment, then feeds.yaml's `defaults`, then the
built-in default. Every field here is documented in the README (a test checks it).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from clusternews.config import Config, ConfigError, load_config
from clusternews.config.loader import RegionCheck
from clusternews.config.schema import check_timezone
from clusternews.pipeline.dates import DEFAULT_TIMEZONE

if TYPE_CHECKING:
    from clusternews.adapters.mail import SmtpSettings
    from clusternews.taskqueue import QueueOptions
    from clusternews.web.context import WebOptions

DEFAULT_DB = "sqlite:///var/clusternews.db"
ENV_PREFIX = "CLUSTERNEWS_"


def default_workers() -> int:
    # One worker per core, at most 2 by default: the workers share the models loaded once in
    # the pool's forkserver, so `run` with 2 workers is 720 MiB PSS in all
    # (benchmarks/memory.py; each further worker ~140 MiB), and on 2 cores the second lifts a
    # bulk ingest from 5.4 to 8.1 articles/s (benchmarks/ingest_throughput.py).
    return min(os.cpu_count() or 1, 2)


class Settings(BaseSettings):
    # populate_by_name: code builds Settings(config_path=…, db_url=…) too.
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, frozen=True, extra="ignore", populate_by_name=True
    )

    config_path: Path = Field(default=Path("feeds.yaml"), validation_alias="CLUSTERNEWS_CONFIG")
    db_url: str = Field(default=DEFAULT_DB, validation_alias="CLUSTERNEWS_DATABASE_URL")
    # Processes for extraction, language detection and tagging (0: a thread in the process).
    workers: int = Field(default_factory=default_workers, ge=0)
    # IANA zone for dates in pages, feeds, the API, CLI search and digest weeks; unset: feeds.yaml
    # `defaults.timezone`, else Europe/Oslo.
    timezone: str | None = None
    # Absolute base of links in feeds ("https://news.example.org"); unset: from each request.
    base_url: str | None = None
    rate_limit: int = Field(default=120, ge=0)  # requests per minute per partner token; 0: none
    # Who the fetcher says it is; unset: feeds.yaml `defaults.user_agent`, else the built-in one.
    user_agent: str | None = Field(default=None, min_length=8, max_length=300)
    redis_url: str | None = None  # shared partner rate limits across web processes
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    # Task-queue timing (PostgreSQL): procrastinate's defaults; tests shorten them.
    queue_heartbeat: float = Field(default=10.0, gt=0)
    queue_stalled_after: float = Field(default=30.0, gt=0)
    queue_poll: float = Field(default=5.0, gt=0)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str | None) -> str | None:
        return None if v is None else check_timezone(v)

    @field_validator("base_url")
    @classmethod
    def _base(cls, v: str | None) -> str | None:
        if v is None:
            return None
        if not v.startswith(("http://", "https://")):
            raise ValueError(f"expected an absolute http(s) URL, got {v!r}")
        return v.rstrip("/")

    @classmethod
    def from_env(
        cls, *, config: str | None = None, db: str | None = None, workers: int | None = None
    ) -> Settings:
        """The environment, with the command line's flags (those given) on top."""
        flags: dict[str, Any] = {"config_path": config, "db_url": db, "workers": workers}
        try:
            return cls(**{k: v for k, v in flags.items() if v is not None})
        except ValidationError as exc:
            # One line per mistake, naming the variable: "CLUSTERNEWS_RATE_LIMIT: …".
            raise ConfigError([_problem(e) for e in exc.errors()]) from None

    def as_env(self) -> dict[str, str]:
        """These settings as environment variables, for processes started from this one
        (`serve`'s web workers build their own Settings from them)."""
        out: dict[str, str] = {}
        for name, field in type(self).model_fields.items():
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, SecretStr):
                value = value.get_secret_value()
            out[env_name(name, field.validation_alias)] = str(value)
        return out

    def zone(self, config: Config | None) -> str:
        """The time zone every date is shown in."""
        if self.timezone:
            return self.timezone
        return config.defaults.timezone if config else DEFAULT_TIMEZONE

    def load(self) -> Config:
        """feeds.yaml with the environment's `timezone` and `user_agent` folded into its
        `defaults`, so every reader of the config (digests, scheduler, fetcher) sees them."""
        config = load_config(self.config_path, region_known=region_checker())
        override = {
            k: v for k, v in (("timezone", self.timezone), ("user_agent", self.user_agent)) if v
        }
        if not override:
            return config
        return config.model_copy(update={"defaults": config.defaults.model_copy(update=override)})

    def smtp(self, config: Config) -> SmtpSettings:
        from clusternews.adapters.mail import SmtpSettings

        password = self.smtp_password.get_secret_value() if self.smtp_password else None
        return SmtpSettings.from_config(config.smtp, user=self.smtp_user, password=password)

    def web(self, config: Config | None) -> WebOptions:
        """What the web app needs of these settings and feeds.yaml."""
        from clusternews.web.context import WebOptions

        return WebOptions(
            timezone=self.zone(config),
            base_url=self.base_url,
            rate_limit=self.rate_limit,
            redis_url=self.redis_url,
        )

    def queue(self) -> QueueOptions:
        from clusternews.taskqueue import QueueOptions

        return QueueOptions(
            heartbeat=self.queue_heartbeat,
            stalled_after=self.queue_stalled_after,
            poll=self.queue_poll,
        )

    def load_if_present(self) -> Config | None:
        """feeds.yaml when it exists: serving and search work from the store without one."""
        return self.load() if self.config_path.exists() else None


def env_name(field: str, alias: object = None) -> str:
    return alias if isinstance(alias, str) else ENV_PREFIX + field.upper()


def _problem(error: Any) -> str:
    name = str(error["loc"][0]) if error["loc"] else "?"
    field = Settings.model_fields.get(name)
    variable = (
        name
        if name.startswith(ENV_PREFIX)
        else env_name(name, field.validation_alias if field else None)
    )
    hide = "PASSWORD" in variable or "got" in error["msg"]
    shown = "" if hide else f" (got {error.get('input')!r})"
    return f"{variable}: {error['msg']}{shown}"


def environment_variables() -> list[str]:
    """Every environment variable Settings reads (the README test lists them)."""
    return [env_name(n, f.validation_alias) for n, f in Settings.model_fields.items()]


def region_checker() -> RegionCheck | None:
    """Region names are checked against the knowledge base in models/ when it is there."""
    from clusternews.knowledge.regions import RegionIndex

    index = RegionIndex.load()
    return lambda name, country: index.resolve(name, country=country) is not None
