"""NER spans and knowledge-base matches → one non-overlapping list of mentions, none lost.

The statistical model decides *where* a name is and what type it is; the knowledge base decides
*which* entity it is. A rule match the model did not see is kept as well (domain names such as
clusters and programmes are what the model knows least).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace

from clusternews.pipeline.entities.model import Mention

PRIORITY = {"rule": 0, "pattern": 0, "compound": 1, "ner": 2}
# A coordinated list: "Elkem, Alcoa, Hydro og Eramet signerte": the joints between its members.
LIST_JOINT = re.compile(r"^\s*(,|,?\s+(og|och|and|eller|samt|&|\+))\s+$")


def inside(inner: Mention, outer: Mention) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end and (
        inner.start, inner.end) != (outer.start, outer.end)


def absorb(ner: Mention, inner: list[Mention]) -> tuple[Mention, list[Mention]]:
    """A model span that contains known names: the span stays, linked through what it holds.

    "Norsk Hydro ASA", "Hydro Årdal", "Norsk Industri Prosessindustrien" are the organization
    inside them; "Narvik videregående skole" stays an unlisted school but says where it is.
    Returns the mention to keep and the regions named inside it (for the article's regions).
    """
    if ner.label == "PERSON":
        return ner, []  # "Per Moss": a surname, not the town
    regions = [m for m in inner if m.label == "REGION"]
    same = [m for m in inner if m.label == ner.label]
    if ner.label == "ORG":
        same += [m for m in inner if m.label == "PROGRAMME"]
    if same:
        best = min(same, key=lambda m: (m.start, -(m.end - m.start)))
        linked = replace(ner, label=best.label, id=best.id, name=best.name, kind=best.kind)
        return linked, [r for r in regions if r is not best]
    return ner, regions


def merge(ner: list[Mention], rules: list[Mention]) -> tuple[list[Mention], list[Mention]]:
    """(mentions in text order, regions named inside other mentions)."""
    nested: list[Mention] = []
    kept_rules = []
    containers: dict[int, list[Mention]] = {}
    for r in rules:
        outer = next((i for i, n in enumerate(ner) if inside(r, n)), None)
        if outer is None:
            kept_rules.append(r)
        else:
            containers.setdefault(outer, []).append(r)
    merged_ner = []
    for i, n in enumerate(ner):
        if i in containers:
            n, regions = absorb(n, containers[i])
            nested += regions
        merged_ner.append(n)
    return non_overlapping(kept_rules + merged_ner), nested


def non_overlapping(candidates: Iterable[Mention]) -> list[Mention]:
    """Longest first, then rules before statistics; a character belongs to one mention."""
    taken: list[Mention] = []
    for m in sorted(candidates, key=lambda m: (-(m.end - m.start), PRIORITY[m.source], m.start)):
        if all(m.end <= t.start or m.start >= t.end for t in taken):
            taken.append(m)
    return sorted(taken, key=lambda m: m.start)


def lists_of_organizations(text: str, mentions: list[Mention],
                           org_for: dict[str, str]) -> list[Mention]:
    """One-word "people" in a list with an organization are organizations too.

    The model reads "Elkem, Alcoa, Hydro og Eramet signerte" as a row of surnames; a list that
    holds one known or model-found organization is a list of organizations. `org_for` maps a
    person's surface to an organization id to use instead (an unlisted slug otherwise).
    """
    out = list(mentions)
    run: list[int] = []

    def flush() -> None:
        if len(run) >= 2 and any(out[j].label == "ORG" for j in run):
            for j in run:
                m = out[j]
                if m.label == "PERSON" and " " not in m.text:
                    out[j] = replace(m, label="ORG", id=org_for[m.text], name=m.text,
                                     kind=None)
        run.clear()

    for i, m in enumerate(out):
        if run and not LIST_JOINT.match(text[out[run[-1]].end:m.start]):
            flush()
        if m.label in ("ORG", "PERSON"):
            run.append(i)
        else:
            flush()
    flush()
    return out
