"""What the sentence around a mention says: places after "i", lists, branches, appositives,
names nobody knows. Pure functions over merged mentions."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from clusternews.pipeline.entities.linking import Link
from clusternews.pipeline.entities.merge import LIST_JOINT, entity_type, is_linked
from clusternews.pipeline.entities.model import Mention

# "i Boliden", "på Raufoss", "från Kiruna": a name after these prepositions is a place.
PLACE_BEFORE = re.compile(
    r"\b(i|på|fra|frå|från|til|till|ved|vid|mot|rundt|utanför|utenfor|"
    r"in|at|near|nær|nära)\s+((samhället|orten|tätorten|byen|bygda|"
    r"tettstaden|tettstedet|staden|kommunen|gruvbyn|bruksorten)\s+)?$",
    re.IGNORECASE,
)
# "i Noreg", "på Raufoss": where something is. Not "mot", "fra", "til": a state can be played
# against, and act from or toward, as an organization (NorNE's GPE_ORG).
WHERE_BEFORE = re.compile(
    r"\b(i|på|ved|vid|rundt|utanför|utenfor|in|at|near|nær|nära)\s+$", re.IGNORECASE
)
SENTENCE_START = re.compile(r"(^|[.!?:\n]\s*|[\"«»“”‘’–-]\s*)$")


def word_opening_a_sentence(text: str, start: int, end: int, words: frozenset[str]) -> bool:
    """ "Steik brøda …", "Gjær må til": one capitalized word (not an abbreviation such as "UD")
    opening a sentence, which the language writes in lower case elsewhere, is that word and
    not a one-word name. The one kind of model span the tagger drops (benchmarks/ner_raw.py)."""
    word = text[start:end]
    return (
        word.istitle()
        and word.isalpha()
        and word.lower() in words
        and bool(SENTENCE_START.search(text[max(0, start - 3) : start]))
    )


def places_not_people(
    text: str, mentions: list[Mention], resolve_place: Callable[[str], Link | None]
) -> list[Mention]:
    """One-word "people" the KB knows as places, where the sentence says place: after "i",
    "på", "till" ("i Malå", "till Berg"), or right after an organization's name, as a
    branch's region ("Tekna Vestland", "Innovasjon Norge Nordland")."""
    out = list(mentions)
    for i, m in enumerate(out):
        if m.label != "PERSON" or " " in m.text:
            continue
        place = PLACE_BEFORE.search(text[max(0, m.start - 30) : m.start])
        branch = i > 0 and out[i - 1].label == "ORG" and not text[out[i - 1].end : m.start].strip()
        if not (place or branch or listed_with_a_place(text, out, i)):
            continue
        link = resolve_place(m.text)
        if link is not None:
            out[i] = replace(m, label="REGION", id=link.id, name=link.name, kind=link.kind)
    return out


def places_not_actors(text: str, mentions: list[Mention]) -> list[Mention]:
    """A known town or county the model read as an actor (the role ORG: a town that decides)
    is a place again where the sentence says where: "holder til i Mo i Rana". Not a country:
    "i Noreg" is often the state acting (NorNE's GPE_ORG), and measured so on the dev halves."""
    return [
        replace(m, label="REGION")
        if m.label == "ORG"
        and entity_type(m.id) == "REGION"
        and m.id.count(":") > 1  # region:no is Norway; region:no:18, region:no:town:… below it
        and WHERE_BEFORE.search(text[max(0, m.start - 12) : m.start])
        else m
        for m in mentions
    ]


_WORD_BEFORE = re.compile(r"(\w[\w-]*)\s+$")
_WORD_AFTER = re.compile(r"^\s+(\w[\w-]*)")


def inside_unknown_name(text: str, m: Mention, mentions: list[Mention]) -> bool:
    """A known place the model did not see, written against a capitalized word that no mention
    covers, is part of a name nobody knows: "Stockholm Snipers", "Real Göteborg". It says where
    that team or firm is (a nested link), but is not a place mention of its own."""
    if m.source != "rule" or entity_type(m.id) != "REGION":
        return False
    before = _WORD_BEFORE.search(text[max(0, m.start - 40) : m.start])
    after = _WORD_AFTER.search(text[m.end : m.end + 40])
    words = []
    if before and not SENTENCE_START.search(text[: m.start - len(before.group(0))][-3:]):
        start = m.start - len(before.group(0))
        words.append((start, start + len(before.group(1))))
    if after:
        start = m.end + after.start(1)
        words.append((start, start + len(after.group(1))))
    return any(
        text[a : a + 1].isupper()
        and not PLACE_BEFORE.search(text[a:b] + " ")
        and not any(o.start < b and a < o.end for o in mentions if o is not m)
        for a, b in words
    )


def listed_with_a_place(text: str, mentions: list[Mention], i: int) -> bool:
    """ "Kiruna och Svappavaara", "Bodø, Narvik og Tromsø": a list's neighbour is a place."""
    for j, (a, b) in ((i - 1, (i - 1, i)), (i + 1, (i, i + 1))):
        if 0 <= j < len(mentions) and mentions[j].label == "REGION" and is_linked(mentions[j]):
            if LIST_JOINT.match(text[mentions[a].end : mentions[b].start]):
                return True
    return False


def appositives(text: str, mentions: list[Mention]) -> list[Mention]:
    """A lower-case description right before the name it describes is not a second mention:
    "klyngeprogrammet Norwegian Innovation Clusters" names the programme once."""
    return [
        m
        for i, m in enumerate(mentions)
        if not (
            m.text[:1].islower()
            and i + 1 < len(mentions)
            and mentions[i + 1].id == m.id
            and not text[m.end : mentions[i + 1].start].strip()
        )
    ]
