"""feeds.yaml: every kind of mistake names file, line and key; good files load."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from clusternews.config import ConfigError, load_config, parse_config
from clusternews.config.schema import flatten_sources
from clusternews.settings import region_checker

REPO = Path(__file__).resolve().parent.parent
GOOD = """\
defaults:
  interval: 30m
  timezone: Europe/Oslo
clusters:
  - id: mineralklynge-norge
    name: Mineralklynge Norge
    country: NO
    region: Nordland
    programme: Arena
    sources:
      - feed: https://example.no/feed/
      - page: https://example.no/nyheter/
        links: '/nyheter/[^/]+/?$'
      - page: https://example.no/arkiv/
      - sitemap: https://example.no/sitemap.xml
        interval: 6h
digests:
  - id: weekly-nord
    to: [someone@example.no]
    language: nb
    schedule: 'mon 07:00'
    filters: {regions: [Nordland], orgs: [], programmes: [], languages: [no, sv]}
smtp: {host: localhost, port: 25, from: clusternews@example.no, starttls: false}
"""


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(text, name="feeds.yaml", region_known=region_checker())
    return caught.value.problems


def test_good_config_loads_with_yaml_1_2_strings() -> None:
    config = parse_config(GOOD, region_known=region_checker())
    assert config.clusters[0].country == "NO"  # not False, as YAML 1.1 would make it
    assert config.digests[0].filters.languages == ["no", "sv"]
    specs = flatten_sources(config)
    assert [s.id for s in specs] == [
        "mineralklynge-norge:feed",
        "mineralklynge-norge:page",
        "mineralklynge-norge:page-2",
        "mineralklynge-norge:sitemap",
    ]
    assert [s.interval for s in specs] == [1800, 1800, 1800, 21600]


def test_unknown_key_names_line_key_and_expected() -> None:
    text = GOOD.replace(
        "      - feed: https://example.no/feed/", "      - url: https://example.no/feed/"
    )
    assert problems(text) == [
        "feeds.yaml:11: clusters[0].sources[0]: unknown key 'url' (expected feed, page or sitemap)"
    ]


def test_wrong_type() -> None:
    out = problems(GOOD.replace("port: 25", "port: twenty-five"))
    assert out == ["feeds.yaml:23: smtp.port: expected a whole number, got text 'twenty-five'"]


def test_bad_url() -> None:
    out = problems(GOOD.replace("https://example.no/feed/", "example.no/feed"))
    assert out == [
        "feeds.yaml:11: clusters[0].sources[0].feed: expected an absolute http(s) "
        "URL, got 'example.no/feed'"
    ]


@pytest.mark.parametrize(
    "value, expected", [("6 hours", "expected a duration"), ("10s", "between 1m and 7d")]
)
def test_bad_interval(value: str, expected: str) -> None:
    out = problems(GOOD.replace("interval: 6h", f"interval: {value}"))
    assert len(out) == 1 and out[0].startswith("feeds.yaml:16: clusters[0].sources[3].interval:")
    assert expected in out[0]


def test_duplicate_id() -> None:
    second = GOOD.split("clusters:\n")[1].split("digests:")[0]
    text = GOOD.replace("digests:", second + "digests:")
    assert problems(text) == [
        "feeds.yaml:17: clusters[1].id: duplicate id 'mineralklynge-norge' "
        "(first used at clusters[0])"
    ]


def test_unknown_region_name() -> None:
    out = problems(GOOD.replace("region: Nordland", "region: Nordlandia"))
    assert len(out) == 1
    assert out[0].startswith("feeds.yaml:8: clusters[0].region: unknown region name 'Nordlandia'")


def test_yaml_syntax_error() -> None:
    out = problems(GOOD.replace("name: Mineralklynge Norge", "name: [Mineralklynge Norge"))
    assert len(out) == 1 and out[0].startswith("feeds.yaml:")
    assert "YAML syntax error" in out[0]


def test_secret_in_file_is_refused() -> None:
    out = problems(GOOD.replace("starttls: false}", "starttls: false, password: hunter2}"))
    assert out == [
        "feeds.yaml:23: smtp: 'password' is a secret and never lives in this file "
        "(use CLUSTERNEWS_SMTP_PASSWORD)"
    ]


def test_list_expected() -> None:
    out = problems(GOOD.replace("to: [someone@example.no]", "to: someone@example.no"))
    assert out == ["feeds.yaml:19: digests[0].to: expected a list, got text 'someone@example.no'"]


def test_several_mistakes_reported_together() -> None:
    text = GOOD.replace("country: NO", "country: Norway").replace(
        "schedule: 'mon 07:00'", "schedule: 'monday 7'"
    )
    out = problems(text)
    assert any(p.startswith("feeds.yaml:7: clusters[0].country:") for p in out)
    assert any(p.startswith("feeds.yaml:21: digests[0].schedule:") for p in out)


def test_repository_feeds_yaml_is_valid() -> None:
    config = load_config(REPO / "feeds.yaml", region_known=region_checker())
    assert len(config.clusters) >= 25
    assert {c.country for c in config.clusters} >= {"NO", "SE"}


def test_cli_exits_2_and_touches_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "feeds.yaml"
    bad.write_text(GOOD.replace("url", "x").replace("- feed:", "- fed:"), encoding="utf-8")
    db = tmp_path / "var" / "clusternews.db"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "clusternews.cli",
            "--config",
            str(bad),
            "--db",
            f"sqlite:///{db}",
            "ingest",
            "--once",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert f"{bad}:11: clusters[0].sources[0]: unknown key 'fed'" in proc.stderr
    assert not db.exists() and not db.parent.exists()


def test_politeness_and_user_agent_come_from_defaults(tmp_path: Path) -> None:
    from clusternews.runtime import http_settings

    path = tmp_path / "feeds.yaml"
    path.write_text(
        "defaults:\n  host_delay: 0.25\n  host_connections: 4\n"
        "  user_agent: 'monitor/1.0 (+https://example.org/contact)'\n"
        "clusters:\n  - id: a\n    name: A\n    country: NO\n    sources:\n"
        "      - feed: https://example.no/feed/\n",
        encoding="utf-8",
    )
    http = http_settings(load_config(path))
    assert (http.min_delay, http.per_host_concurrency) == (0.25, 4)
    assert http.user_agent == "monitor/1.0 (+https://example.org/contact)"
    path.write_text(path.read_text().replace("0.25", "-1"), encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_config(path)
    assert "feeds.yaml:2" in str(e.value) and "host_delay" in str(e.value)
