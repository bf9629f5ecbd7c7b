"""`digest --preview DIR`, `--send` and `--status` against a real store and SMTP server."""

from __future__ import annotations

import argparse
import email
from email.policy import default
from pathlib import Path

import pytest

from clusternews import cli_digest
from clusternews.adapters.store import Store
from clusternews.knowledge.base import KnowledgeBase
from clusternews.settings import Settings

from .digest_helpers import THURSDAY, SmtpServer, article, config_yaml, parts, store_articles

PEOPLE = ["anna@example.no", "ghost@example.no"]


def digest(settings: Settings, *args: str) -> int:
    """The `digest` subcommand as cli.py wires it (add_parsers on the subparsers)."""
    parser = argparse.ArgumentParser()
    cli_digest.add_parsers(parser.add_subparsers(required=True))
    parsed = parser.parse_args(["digest", *args])
    return int(parsed.func(parsed, settings))


@pytest.fixture
def settings(
    store: Store, db_url: str, smtp: SmtpServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    kb = KnowledgeBase.load()
    store_articles(
        store,
        [
            (
                article(
                    kb,
                    "https://mineral.example.no/a",
                    "Nytt anlegg i Mo i Rana",
                    summary="Kort. Lang.",
                    published=THURSDAY,
                    orgs={"Rana Gruber": 1},
                    places={"Mo i Rana": 2},
                ),
                "mineralklynge-norge:feed",
            )
        ],
    )
    path = tmp_path / "feeds.yaml"
    path.write_text(config_yaml(smtp.port, to=PEOPLE, regions=["Nordland"]), encoding="utf-8")
    monkeypatch.setattr(cli_digest.console, "width", 240)  # no folded table cells
    return Settings(config_path=path, db_url=db_url, workers=0)


def test_preview_writes_eml_and_html_and_sends_nothing(
    settings: Settings, smtp: SmtpServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "preview"
    assert digest(settings, "--preview", str(out), "--week", "2026-W47") == 0
    eml, html = out / "weekly-nord-2026-W47.eml", out / "weekly-nord-2026-W47.html"
    message = email.message_from_bytes(eml.read_bytes(), policy=default)
    text, body = parts(message)  # type: ignore[arg-type]
    assert "Nytt anlegg i Mo i Rana" in text and body.strip() == html.read_text().strip()
    assert message["To"] == PEOPLE[0] and message["List-Id"]
    assert "weekly-nord 2026-W47: 1 items in 1 groups" in capsys.readouterr().out
    assert smtp.inbox.received == []


def test_send_then_status_shows_sent_and_failed(
    settings: Settings, smtp: SmtpServer, capsys: pytest.CaptureFixture[str]
) -> None:
    smtp.inbox.refuse = lambda r: "550 5.1.1 [ghost] unknown" if r == PEOPLE[1] else None
    assert digest(settings, "--send", "--week", "2026-W47") == 1  # a failure is an error
    out = capsys.readouterr().out
    assert "sent 1, failed 1" in out and "550 5.1.1 [ghost] unknown" in out
    assert digest(settings, "--send", "--week", "2026-W47") == 0  # nothing left to do
    assert smtp.inbox.count() == {PEOPLE[0]: 1}
    capsys.readouterr()
    assert digest(settings, "--status") == 0
    lines = capsys.readouterr().out.splitlines()
    anna = next(line for line in lines if PEOPLE[0] in line)
    ghost = next(line for line in lines if PEOPLE[1] in line)
    assert "2026-W47" in anna and " sent " in anna
    assert "given up" in ghost and "550 5.1.1 [ghost] unknown" in ghost


def test_unknown_digest_or_week_is_a_usage_error(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert digest(settings, "--id", "nope", "--status") == 2
    assert "no digest 'nope' (known: weekly-nord)" in capsys.readouterr().err
    assert digest(settings, "--week", "2026-47", "--send") == 2
    assert "expected an ISO week such as 2026-W47" in capsys.readouterr().err
