"""What readers see of an entity: its knowledge-base name in their language and its org number.

Looked up by id when shown, never copied into stored items, so a knowledge-base update shows
at once; the name an item was stored with stays the fallback for entities the KB does not list.
"""

from __future__ import annotations

from clusternews.knowledge.base import KnowledgeBase
from clusternews.knowledge.organizations import Organization


def display_name(
    entity_id: str | None, lang: str | None, kb: KnowledgeBase, fallback: str | None = None
) -> str | None:
    """The name of `entity_id` for a reader of `lang` (nb, nn, sv, en; nn falls back to nb;
    None: the canonical name), or `fallback` when the knowledge base does not list it."""
    entity = kb.get(entity_id) if entity_id else None
    return entity.display_name(lang) if entity is not None else fallback


def names(entity_id: str | None, kb: KnowledgeBase) -> dict[str, str]:
    """The entity's names per language where they differ from its canonical name."""
    entity = kb.get(entity_id) if entity_id else None
    return dict(entity.names) if entity is not None else {}


def org_number(entity_id: str | None, kb: KnowledgeBase) -> str | None:
    """An organization's organisationsnummer (SE) or organisasjonsnummer (NO), when known."""
    entity = kb.get(entity_id) if entity_id else None
    return entity.org_number if isinstance(entity, Organization) else None


def org_number_field(
    type_: str | None, entity_id: str | None, kb: KnowledgeBase
) -> dict[str, str | None]:
    """{"org_number": …} (null when unknown) for an organization, {} for other types: the
    shape every JSON listing of entities shares."""
    return {"org_number": org_number(entity_id, kb)} if type_ == "ORG" else {}
