"""The one Settings object: precedence, clear errors, what reaches the web and the CLI, and a
README that names every setting and environment variable."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from clusternews.adapters.store import Store
from clusternews.config import ConfigError
from clusternews.config.schema import Defaults
from clusternews.knowledge.base import KnowledgeBase
from clusternews.settings import Settings, environment_variables
from clusternews.web.app import app_from_env
from tests.web_sample import fill
from tests.web_server import serving

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
VARIABLE = re.compile(r"CLUSTERNEWS_[A-Z][A-Z_]*[A-Z]")
FEEDS = """defaults:
  timezone: America/New_York
  user_agent: "clusternews-test (+mailto:ops@example.org)"
clusters: []
"""


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in environment_variables():
        monkeypatch.delenv(name, raising=False)


def test_every_setting_and_environment_variable_is_in_the_readme() -> None:
    used = set()
    for folder in ("src", "tests", "benchmarks", "training"):
        for path in (ROOT / folder).rglob("*.py"):
            used |= set(VARIABLE.findall(path.read_text(encoding="utf-8")))
    used |= set(VARIABLE.findall((ROOT / "Makefile").read_text(encoding="utf-8")))
    wanted = used | set(environment_variables())
    assert len(wanted) >= 15
    missing = sorted(v for v in wanted if f"`{v}" not in README)
    assert not missing, f"README does not document {missing}"
    # feeds.yaml's defaults are settings too.
    missing = sorted(
        k
        for k in Defaults.model_fields
        if f"`{k}`" not in README and f"`defaults.{k}`" not in README
    )
    assert not missing, f"README does not document feeds.yaml defaults {missing}"


def test_src_reads_the_environment_only_through_settings() -> None:
    """One settings object: a CLUSTERNEWS_* variable named in src/ is a Settings field, or the
    models folder (read by whichever process loads models, forkserver children included)."""
    fields = set(environment_variables())
    stray = {}
    for path in (ROOT / "src").rglob("*.py"):
        names = set(VARIABLE.findall(path.read_text(encoding="utf-8")))
        extra = names - fields - {"CLUSTERNEWS_MODELS"}
        if extra:
            stray[path.name] = sorted(extra)
    assert not stray


def test_flags_beat_the_environment_which_beats_feeds_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(FEEDS, encoding="utf-8")
    monkeypatch.setenv("CLUSTERNEWS_CONFIG", str(feeds))
    plain = Settings.from_env()
    config = plain.load()
    assert plain.config_path == feeds
    assert config.defaults.timezone == "America/New_York" == plain.zone(config)
    assert plain.zone(None) == "Europe/Oslo"

    monkeypatch.setenv("CLUSTERNEWS_TIMEZONE", "Europe/Stockholm")
    monkeypatch.setenv("CLUSTERNEWS_USER_AGENT", "ops-team (+https://ops.example.org)")
    monkeypatch.setenv("CLUSTERNEWS_DATABASE_URL", "sqlite:///from-env.db")
    env = Settings.from_env(db="sqlite:///from-flag.db")
    config = env.load()
    assert config.defaults.timezone == "Europe/Stockholm"
    assert config.defaults.user_agent == "ops-team (+https://ops.example.org)"
    assert env.db_url == "sqlite:///from-flag.db"
    # What `serve` hands its worker processes builds the same settings again.
    monkeypatch.delenv("CLUSTERNEWS_DATABASE_URL")
    for name, value in env.as_env().items():
        monkeypatch.setenv(name, value)
    assert Settings.from_env() == env


def test_a_bad_value_names_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLUSTERNEWS_RATE_LIMIT", "lots")
    monkeypatch.setenv("CLUSTERNEWS_TIMEZONE", "Mars/Olympus")
    monkeypatch.setenv("CLUSTERNEWS_SMTP_PASSWORD", "")
    with pytest.raises(ConfigError) as info:
        Settings.from_env()
    lines = str(info.value).splitlines()
    assert any(x.startswith("CLUSTERNEWS_RATE_LIMIT: ") and "'lots'" in x for x in lines)
    assert any(x.startswith("CLUSTERNEWS_TIMEZONE: ") and "Mars/Olympus" in x for x in lines)


def test_the_cli_stops_on_a_bad_setting_with_one_line(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "CLUSTERNEWS_BASE_URL": "news.example.org"}
    done = subprocess.run(
        [sys.executable, "-m", "clusternews.cli", "sources"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "CLUSTERNEWS_BASE_URL: Value error, expected an absolute http(s) URL, "
        "got 'news.example.org'"
    ]


def test_a_serve_worker_takes_base_url_rate_limit_and_timezone_from_settings(
    tmp_path: Path, kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = f"sqlite:///{tmp_path / 'web.db'}"
    store = Store.open(db)
    fill(store, kb)
    store.close()
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(FEEDS, encoding="utf-8")
    monkeypatch.setenv("CLUSTERNEWS_DATABASE_URL", db)
    monkeypatch.setenv("CLUSTERNEWS_CONFIG", str(feeds))
    monkeypatch.setenv("CLUSTERNEWS_BASE_URL", "https://news.example.org/")
    monkeypatch.setenv("CLUSTERNEWS_RATE_LIMIT", "7")
    app = app_from_env()
    assert app.state.context.options.rate_limit == 7
    with serving(app) as url:
        feed = httpx.get(f"{url}/feed.json").json()
    assert feed["home_page_url"] == "https://news.example.org/"
    assert feed["feed_url"].startswith("https://news.example.org/feed.json")
    published = [i["date_published"] for i in feed["items"] if i.get("date_published")]
    assert published and all(p.endswith(("-05:00", "-04:00")) for p in published)


def test_cli_search_shows_dates_in_the_configured_zone(tmp_path: Path, kb: KnowledgeBase) -> None:
    db = f"sqlite:///{tmp_path / 'search.db'}"
    store = Store.open(db)
    fill(store, kb)
    store.close()
    feeds = tmp_path / "feeds.yaml"
    feeds.write_text(FEEDS, encoding="utf-8")
    env = {
        "PATH": "/usr/bin:/bin",
        "CLUSTERNEWS_DATABASE_URL": db,
        "CLUSTERNEWS_CONFIG": str(feeds),
    }
    done = subprocess.run(
        [sys.executable, "-m", "clusternews.cli", "search", "--json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    published = [i["published"] for i in json.loads(done.stdout) if i["published"]]
    assert published and all(p.endswith(("-05:00", "-04:00")) for p in published)
