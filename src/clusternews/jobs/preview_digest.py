"""Write a week's digests as .eml and .html files without sending them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from clusternews.adapters.store import Store
from clusternews.config import Config, Digest
from clusternews.jobs.digest_select import build
from clusternews.knowledge.base import KnowledgeBase
from clusternews.mail.render import Letter, render_html, render_message
from clusternews.pipeline.isoweek import IsoWeek


@dataclass(frozen=True)
class Preview:
    digest: str
    items: int
    groups: list[tuple[str, int]]  # (group title, items)
    eml: Path
    html: Path


def write_previews(
    store: Store,
    config: Config,
    digests: list[Digest],
    week: IsoWeek,
    out: Path,
    *,
    now: datetime,
    kb: KnowledgeBase | None = None,
) -> list[Preview]:
    kb = kb or KnowledgeBase.load()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for digest in digests:
        content = build(store, config, digest, week, kb=kb)
        letter = Letter(
            digest.id, digest.language, config.smtp.from_, digest.to[0], config.defaults.timezone
        )
        stem = out / f"{digest.id}-{week}"
        eml, html = stem.with_suffix(".eml"), stem.with_suffix(".html")
        eml.write_bytes(render_message(content, week, letter, now=now).as_bytes())
        html.write_text(render_html(content, week, letter), encoding="utf-8")
        written.append(
            Preview(
                digest.id,
                content.total,
                [(s.title or "other", len(s.items)) for s in content.sections],
                eml,
                html,
            )
        )
    return written
