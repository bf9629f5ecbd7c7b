"""Records of the tag stage: mentions with offsets, and the article-level result."""

from __future__ import annotations

from dataclasses import dataclass

from clusternews.models import Entity


@dataclass(frozen=True, slots=True)
class Mention:
    """One linked (or unlinked) mention, with character offsets into the tagged text."""

    start: int
    end: int
    text: str
    label: str  # its role here: ORG | REGION | PROGRAMME | PERSON (the id says what it is)
    id: str
    name: str
    kind: str | None = None
    source: str = "rule"  # rule | ner | compound | pattern — how it was found (for evaluation)


@dataclass(frozen=True, slots=True)
class TagResult:
    mentions: tuple[Mention, ...]
    entities: tuple[Entity, ...]  # mentions grouped per canonical id
    region_ids: tuple[str, ...]  # every region the text is about, expanded up the hierarchy
    region_names: tuple[str, ...]
    # Entities named inside a mention or a word ("Narvik" in "Narvik videregående skole",
    # "EU" in "EU-saker"): they count for the article, but are not spans of their own.
    nested: tuple[Mention, ...] = ()
