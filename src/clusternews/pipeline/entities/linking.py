"""Span text → canonical entity: exact and folded look-ups, genitives, then fuzzy matching."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process

from clusternews.knowledge.folding import loose_key

# rapidfuzz ratio on folded keys, chosen on the golden set with every long name misspelled
# (benchmarks/linking.py): 80-85 gave the best precision and F1 (0.904 / 0.758), 95 lost a tenth
# of the recall, and below 80 wrong links start to appear.
FUZZY_THRESHOLD = 85.0
# The same names recur in every article (the KB's own clusters, towns, "Norge"): resolving each
# surface once per process took the rule layer's linking from ~15 ms to well under 1 ms per
# 600-word article (benchmarks/tag_stage.py).
RESOLVE_CACHE = 50_000
FUZZY_MIN_CHARS = 6  # short names are too easy to confuse ("Os", "Nes", "Bø")


@dataclass(frozen=True, slots=True)
class Link:
    id: str
    name: str
    kind: str | None
    label: str  # ORG | REGION | PROGRAMME


class Linker:
    """Resolves names against the three indexes of the knowledge base."""

    def __init__(self, kb: Any, *, fuzzy_threshold: float = FUZZY_THRESHOLD) -> None:
        self.kb = kb
        self.fuzzy_threshold = fuzzy_threshold
        self._fuzzy: dict[str, tuple[list[str], list[str]]] = {}
        self._resolved: dict[tuple[str, str, str | None], Link | None] = {}
        for label, index in (("ORG", kb.organizations), ("REGION", kb.regions)):
            keys, ids = [], []
            for surface, entity_id, *_ in index.names():
                if len(surface) >= FUZZY_MIN_CHARS:
                    keys.append(loose_key(surface))
                    ids.append(entity_id)
            self._fuzzy[label] = (keys, ids)

    def resolve(self, text: str, label: str, *, country: str | None) -> Link | None:
        """Exact (case, diacritics, genitive and suffix forgiving) look-up of one label."""
        key = (text, label, country)
        if key not in self._resolved:
            if len(self._resolved) >= RESOLVE_CACHE:
                self._resolved.clear()  # a long-running worker meets new names forever
            self._resolved[key] = self._resolve(text, label, country=country)
        return self._resolved[key]

    def _resolve(self, text: str, label: str, *, country: str | None) -> Link | None:
        if label == "REGION":
            region = self.kb.regions.resolve(text, country=country)
            return region and Link(region.id, region.name, region.type, "REGION")
        if label == "ORG":
            org = self.kb.organizations.resolve(text, country=country)
            return org and Link(org.id, org.name, org.kind, "ORG")
        if label == "PROGRAMME":
            prog = self.kb.programmes.resolve(text, country=country)
            return prog and Link(prog.id, prog.name, "programme", "PROGRAMME")
        return None

    def fuzzy(self, text: str, label: str, *, country: str | None) -> Link | None:
        """The closest known name when a statistical span is spelled a little differently."""
        key = (text, f"fuzzy:{label}", country)
        if key not in self._resolved:
            if len(self._resolved) >= RESOLVE_CACHE:
                self._resolved.clear()
            self._resolved[key] = self._fuzzy_link(text, label)
        return self._resolved[key]

    def _fuzzy_link(self, text: str, label: str) -> Link | None:
        keys, ids = self._fuzzy.get(label, ([], []))
        key = loose_key(text)
        if len(key) < FUZZY_MIN_CHARS or not keys or self.fuzzy_threshold > 100:
            return None
        best = process.extractOne(key, keys, scorer=fuzz.ratio, score_cutoff=self.fuzzy_threshold)
        # A misspelling is a letter or two off; a longer difference is another name
        # ("Björkmyrliden" is a village of its own, not Björkliden).
        if best is None or abs(len(best[0]) - len(key)) > 2:
            return None
        entity_id = ids[best[2]]
        index = self.kb.regions if label == "REGION" else self.kb.organizations
        entity = index.get(entity_id)
        kind = getattr(entity, "type", None) or getattr(entity, "kind", None)
        return Link(entity_id, entity.name, kind, label)
