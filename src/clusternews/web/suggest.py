"""Autocomplete: entities whose name or any alias starts with what was typed, with counts."""

from __future__ import annotations

import bisect
from typing import Any

from sqlalchemy import Connection

from clusternews.adapters.store.search import entity_counts
from clusternews.knowledge.base import KnowledgeBase
from clusternews.knowledge.folding import exact_key

TYPES = ("ORG", "REGION", "PROGRAMME", "PERSON")


class Suggester:
    """A sorted list of (folded form, type, id, name) over every name in the knowledge base."""

    def __init__(self, kb: KnowledgeBase) -> None:
        forms: set[tuple[str, str, str, str]] = set()
        for region in kb.regions:
            for form in (region.name, *region.aliases, *region.former_names):
                forms.add((exact_key(form), "REGION", region.id, region.name))
        for index, type_ in ((kb.organizations, "ORG"), (kb.programmes, "PROGRAMME")):
            for entity in index:
                for form in (
                    entity.name,
                    *entity.aliases,
                    *entity.abbreviations,
                    *entity.former_names,
                ):
                    forms.add((exact_key(form), type_, entity.id, entity.name))
        self._forms = sorted(forms)
        self._keys = [f[0] for f in self._forms]

    def kb_ids(self, prefix: str, type_: str | None = None, *, limit: int = 200) -> list[str]:
        key = exact_key(prefix)
        if not key:
            return []
        out: dict[str, None] = {}
        start = bisect.bisect_left(self._keys, key)
        for form, t, entity_id, _name in self._forms[start:]:
            if not form.startswith(key) or len(out) >= limit:
                break
            if type_ is None or t == type_:
                out[entity_id] = None
        return list(out)

    def suggest(
        self, conn: Connection, prefix: str, *, type_: str | None = None, limit: int = 10
    ) -> list[dict[str, Any]]:
        """Stored entities matching the prefix by name or alias, most items first."""
        prefix = prefix.strip()[:100]
        if not prefix:
            return entity_counts(conn, type_=type_, limit=limit)
        return entity_counts(
            conn, type_=type_, ids=self.kb_ids(prefix, type_), prefix=prefix, limit=limit
        )
