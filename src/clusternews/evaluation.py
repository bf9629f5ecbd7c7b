"""Scoring a tagger against golden mentions: linking and span precision/recall per type.

Two measures, from one pass over the golden rows:

* **linking** (`Scores.prf`): a predicted link (a mention with a knowledge-base id) is right
  when a golden mention it overlaps has the same id. Golden mentions without an id, and
  predicted mentions that are unlisted (`…:unlisted:…`) or persons, take no part.
* **span** (`Scores.span_prf`, "found"): a predicted mention is right when it overlaps a golden
  mention of the same type, whatever the ids. So an unlisted organization or a `person:`
  mention on a golden span with a null id counts as found, and so does a linked one.

Golden rows may carry nested entities (`"nested": true`): a place named inside an
organization's name ("Narvik" in "Narvik videregående skole"). They are ordinary golden
mentions for both measures: a predicted REGION with the place's id is a hit, and missing it
is a miss.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clusternews.pipeline.entities import Tagger
from clusternews.pipeline.entities.merge import entity_type

LINKED = ("ORG", "REGION", "PROGRAMME")
TYPES = (*LINKED, "PERSON")


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


@dataclass
class Scores:
    tp: Counter[str] = field(default_factory=Counter)
    fp: Counter[str] = field(default_factory=Counter)
    fn: Counter[str] = field(default_factory=Counter)
    errors: list[dict[str, Any]] = field(default_factory=list)
    span_tp: Counter[str] = field(default_factory=Counter)
    span_fp: Counter[str] = field(default_factory=Counter)
    span_fn: Counter[str] = field(default_factory=Counter)
    span_errors: list[dict[str, Any]] = field(default_factory=list)

    def prf(self, label: str | None = None) -> tuple[float, float, float]:
        """Linking P/R/F1 for one type, or over ORG, REGION and PROGRAMME."""
        keys = [label] if label else list(LINKED)
        return _prf(
            sum(self.tp[k] for k in keys),
            sum(self.fp[k] for k in keys),
            sum(self.fn[k] for k in keys),
        )

    def span_prf(self, label: str | None = None) -> tuple[float, float, float]:
        """Span ("found") P/R/F1 for one type, or over all four types."""
        keys = [label] if label else list(TYPES)
        return _prf(
            sum(self.span_tp[k] for k in keys),
            sum(self.span_fp[k] for k in keys),
            sum(self.span_fn[k] for k in keys),
        )

    def gold(self, label: str) -> int:
        """Golden linked mentions of a type (the linking recall's denominator)."""
        return self.tp[label] + self.fn[label]

    def span_gold(self, label: str) -> int:
        return self.span_tp[label] + self.span_fn[label]


def load_golden(folder: Path) -> list[dict[str, Any]]:
    rows = []
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows.append(json.loads(line))
    return rows


def _overlaps(a: dict[str, Any], start: int, end: int) -> bool:
    return bool(a["start"] < end and start < a["end"])


def _is_linked(mention_id: str) -> bool:
    return ":unlisted:" not in mention_id and not mention_id.startswith("person:")


def score(tagger: Tagger, golden: Iterable[dict[str, Any]]) -> Scores:
    """Linking and span scores of `tagger` on golden rows (see the module docstring)."""
    s = Scores()
    for row in golden:
        language = {"nb": "no", "nn": "no"}.get(row["lang"], row["lang"])
        result = tagger.tag(row["text"], language=language)
        mentions = result.mentions
        nested = _scored_nested(row, result.nested)
        _score_links(s, row, [*mentions, *nested])
        _score_spans(s, row, [*mentions, *nested])
    return s


def _scored_nested(row: dict[str, Any], nested: Iterable[Any]) -> list[Any]:
    """Places the tagger found inside names: a hit where the golden row marks the place, not
    counted where it lies inside a golden name that the set does not split (the first set
    annotates "Universitetet i Agder" whole), a false link anywhere else."""
    out = []
    for m in nested:
        marked = any(g.get("id") == m.id and _overlaps(g, m.start, m.end) for g in row["entities"])
        within = any(g["start"] <= m.start and m.end <= g["end"] for g in row["entities"])
        if marked or not within:
            out.append(m)
    return out


def _score_links(s: Scores, row: dict[str, Any], mentions: Iterable[Any]) -> None:
    gold = [g for g in row["entities"] if g.get("id") and g["type"] in LINKED]
    # Counted by what the id names (a mention's label is its role in the sentence).
    got = [m for m in mentions if _is_linked(m.id) and entity_type(m.id) in LINKED]
    matched: set[int] = set()
    for m in got:
        hit = next(
            (
                i
                for i, g in enumerate(gold)
                if i not in matched and g["id"] == m.id and _overlaps(g, m.start, m.end)
            ),
            None,
        )
        if hit is None:
            s.fp[entity_type(m.id)] += 1
            s.errors.append(
                {"id": row["id"], "kind": "false", "text": m.text, "got": m.id, "source": m.source}
            )
        else:
            matched.add(hit)
            s.tp[entity_type(m.id)] += 1
    for i, g in enumerate(gold):
        if i not in matched:
            s.fn[g["type"]] += 1
            s.errors.append({"id": row["id"], "kind": "missed", "text": g["text"], "want": g["id"]})


def _score_spans(s: Scores, row: dict[str, Any], mentions: Iterable[Any]) -> None:
    gold = [g for g in row["entities"] if g["type"] in TYPES]
    matched: set[int] = set()
    for m in mentions:
        # The golden sets type a name by what it is; an unlinked mention has only its role.
        label = entity_type(m.id) if _is_linked(m.id) else m.label
        if label not in TYPES:
            continue
        # prefer an exact span, then any overlapping golden mention of the same type
        candidates = [
            i
            for i, g in enumerate(gold)
            if i not in matched and g["type"] == label and _overlaps(g, m.start, m.end)
        ]
        exact = [i for i in candidates if (gold[i]["start"], gold[i]["end"]) == (m.start, m.end)]
        pool = exact or candidates
        if not pool:
            s.span_fp[label] += 1
            s.span_errors.append(
                {"id": row["id"], "kind": "false", "text": m.text, "type": label, "got": m.id}
            )
        else:
            matched.add(pool[0])
            s.span_tp[label] += 1
    for i, g in enumerate(gold):
        if i not in matched:
            s.span_fn[g["type"]] += 1
            s.span_errors.append(
                {
                    "id": row["id"],
                    "kind": "missed",
                    "text": g["text"],
                    "type": g["type"],
                    "want": g.get("id"),
                }
            )
