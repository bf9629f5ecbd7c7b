"""Scoring a tagger against golden mentions: linking precision/recall per type."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clusternews.pipeline.entities import Tagger

LINKED = ("ORG", "REGION", "PROGRAMME")


@dataclass
class Scores:
    tp: Counter[str] = field(default_factory=Counter)
    fp: Counter[str] = field(default_factory=Counter)
    fn: Counter[str] = field(default_factory=Counter)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def prf(self, label: str | None = None) -> tuple[float, float, float]:
        keys = [label] if label else list(LINKED)
        tp = sum(self.tp[k] for k in keys)
        fp = sum(self.fp[k] for k in keys)
        fn = sum(self.fn[k] for k in keys)
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def load_golden(folder: Path) -> list[dict[str, Any]]:
    rows = []
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows.append(json.loads(line))
    return rows


def _overlaps(a: dict[str, Any], start: int, end: int) -> bool:
    return a["start"] < end and start < a["end"]


def score(tagger: Tagger, golden: Iterable[dict[str, Any]]) -> Scores:
    """A predicted link is right when a golden mention it overlaps has the same id."""
    s = Scores()
    for row in golden:
        language = {"nb": "no", "nn": "no"}.get(row["lang"], row["lang"])
        gold = [g for g in row["entities"] if g.get("id") and g["type"] in LINKED]
        got = [m for m in tagger.tag(row["text"], language=language).mentions
               if m.label in LINKED and ":unlisted:" not in m.id]
        matched: set[int] = set()
        for m in got:
            hit = next((i for i, g in enumerate(gold) if i not in matched and g["id"] == m.id
                        and _overlaps(g, m.start, m.end)), None)
            if hit is None:
                s.fp[m.label] += 1
                s.errors.append({"id": row["id"], "kind": "false", "text": m.text,
                                 "got": m.id, "source": m.source})
            else:
                matched.add(hit)
                s.tp[m.label] += 1
        for i, g in enumerate(gold):
            if i not in matched:
                s.fn[g["type"]] += 1
                s.errors.append({"id": row["id"], "kind": "missed", "text": g["text"],
                                 "want": g["id"]})
    return s
