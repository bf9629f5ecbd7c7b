"""Pydantic response models of the JSON API (they are what /docs shows)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class EntityRef(BaseModel):
    type: str = Field(description="ORG, REGION, PROGRAMME or PERSON")
    id: str | None
    name: str | None
    kind: str | None = None
    mentions: list[str] | None = None
    count: int | None = None
    org_number: str | None = Field(
        None,
        description="organizations only: organisationsnummer "
        "(SE, NNNNNN-NNNN) or organisasjonsnummer (NO, 9 digits)",
    )
    names: dict[str, str] | None = Field(
        None, description="display names by language (nb, nn, sv, en) where they differ from `name`"
    )


class StoryItem(BaseModel):
    id: str
    url: str
    cluster: str
    language: str


class Story(BaseModel):
    id: str = Field(description="stable id of the story (its first item's id, as a rule)")
    size: int = Field(description="items in the story; 1 when the item is alone")
    first_seen: str | None = Field(description="when the first copy was stored (ISO 8601)")
    items: list[StoryItem] = Field(description="every copy, earliest first")


class Item(BaseModel):
    id: str = Field(description="stable id, derived from the URL first seen")
    url: str
    title: str
    published: str | None = Field(description="ISO 8601 with the service's offset")
    cluster: str
    source: str | None
    sources: list[str]
    language: str
    language_variant: str | None
    language_confidence: float
    summary: str
    entities: list[EntityRef]
    regions: list[str] = Field(description="every region, expanded up the hierarchy")
    story: Story = Field(
        description="copies of the same news on other sites or in the other language"
    )


class ItemDetail(Item):
    text: str


class ItemPage(BaseModel):
    total: int = Field(description="items matching the filters")
    offset: int
    limit: int
    items: list[Item]
    next: str | None = Field(description="URL of the next page, if any")


class EntityCount(BaseModel):
    id: str
    type: str
    name: str
    kind: str | None
    items: int = Field(description="stored items naming this entity")
    org_number: str | None = Field(None, description="organizations only, when known")


class Problem(BaseModel):
    detail: str
