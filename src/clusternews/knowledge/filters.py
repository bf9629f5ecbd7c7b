"""A user's filter names (any alias) → the canonical ids stored items are indexed under."""

from __future__ import annotations

from clusternews.knowledge.base import KnowledgeBase
from clusternews.pipeline.entities.kinds import slug


class UnknownName(ValueError):
    """A filter names nothing the knowledge base knows."""


def org_ids(kb: KnowledgeBase, name: str) -> list[str]:
    org = kb.organizations.resolve(name)
    # Organizations the knowledge base lacks are stored under a slug of their name.
    return [org.id] if org else [f"org:unlisted:{slug(name)}"]


def region_ids(kb: KnowledgeBase, name: str) -> list[str]:
    region = kb.regions.resolve(name)
    if region is None:
        raise UnknownName(
            f"unknown region {name!r} (expected a county, län, municipality, "
            "town or area such as Nordland, Norrbotten, Mo i Rana, Nord-Norge)"
        )
    return [region.id]


def programme_ids(kb: KnowledgeBase, name: str) -> list[str]:
    programme = kb.programmes.resolve(name)
    if programme is None:
        raise UnknownName(f"unknown programme {name!r} (expected e.g. Arena, NCE, Vinnväxt)")
    return [programme.id]
