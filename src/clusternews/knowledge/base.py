"""The whole knowledge base: regions, organizations and programmes, loaded together."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from clusternews.knowledge.organizations import EntityIndex, Organization, Programme
from clusternews.knowledge.regions import Region, RegionIndex


@dataclass(frozen=True)
class KnowledgeBase:
    regions: RegionIndex
    organizations: EntityIndex[Organization]
    programmes: EntityIndex[Programme]

    @classmethod
    def load(cls, kb_dir: Path | None = None) -> KnowledgeBase:
        def path(name: str) -> Path | None:
            return kb_dir / name if kb_dir else None

        return cls(
            RegionIndex.load(path("regions.jsonl")),
            EntityIndex.load_organizations(path("organizations.jsonl")),
            EntityIndex.load_programmes(path("programmes.jsonl")),
        )

    def get(self, entity_id: str) -> Organization | Programme | Region | None:
        """The entity with this id (org:, programme: or region:), or None if not listed."""
        kind = entity_id.split(":", 1)[0]
        if kind == "org":
            return self.organizations.get(entity_id)
        if kind == "programme":
            return self.programmes.get(entity_id)
        return self.regions.get(entity_id) if kind == "region" else None

    def phrase_names(self) -> Iterator[tuple[str, str, bool]]:
        """(surface form, label, case sensitive) for the tagger's rule layer."""
        for surface, _id in self.regions.names():
            yield surface, "REGION", False
        for surface, _id, sensitive in self.organizations.names():
            yield surface, "ORG", sensitive
        for surface, _id, sensitive in self.programmes.names():
            yield surface, "PROGRAMME", sensitive

    def lookup_any(self, name: str) -> list[tuple[str, str, str]]:
        """(type, id, name) of every entity a user's search term may mean, best first."""
        out = [("ORG", o.id, o.name) for o in self.organizations.lookup(name)]
        out += [("PROGRAMME", p.id, p.name) for p in self.programmes.lookup(name)]
        out += [("REGION", r.id, r.name) for r in self.regions.lookup(name)]
        return out
