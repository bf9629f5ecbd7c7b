"""Names of institutions the model reads as places or misses: "Europautvalet", "EØS-komiteen",
"Sanitetsforeningen". Nordic spelling writes common nouns in lower case, so a capitalized
compound whose head is an institution noun (-utvalet, -foreningen, -förbundet, -nämnden …) is
the name of one.

Names in English with such a head ("London Philharmonic Orchestra") are one organization too.

Dev halves through `analyze` (`benchmarks/ner_raw.py`): Nynorsk 0.824 -> 0.840, most of it one
committee named 13 times that the model read as a place every time, the rest five
associations and committees; Swedish 0.844 -> 0.850, the two English names of its dev half
(2 of 402 spans, within what a training seed moves); Bokmål 0.881, one committee gained.
"""

from __future__ import annotations

import re

# Heads measured on the dev halves. Left out: "-laget", "-verket", "-skolen": "Premier
# League-lag", "regelverket" and "Steinerskolen" (a place in NorNE) are not such names.
_HEADS = {
    "no": (
        "utvalet|utvalget|komiteen|komitéen|foreningen|foreininga|forbundet|rådet|selskapet|"
        "departementet|direktoratet|tilsynet|kontoret|universitetet|sjukehuset|sykehuset|"
        "partiet|instituttet"
    ),
    "sv": (
        "utskottet|förbundet|föreningen|rådet|myndigheten|inspektionen|styrelsen|kommittén|"
        "institutet|nämnden|sällskapet|universitetet|departementet|partiet"
    ),
}
# A capital, at least two more letters of its own, then the head: "Europa|utvalet",
# "EØS-|komiteen"; never the head alone ("Rådet" opening a sentence is the word).
_NAME = {
    key: re.compile(r"(?<![\w-])[A-ZÆØÅÄÖ][\w-]{2,}?(?:" + heads + r")(?![\w-])")
    for key, heads in _HEADS.items()
}
# Names in English end in such a head in any Nordic text ("London Philharmonic Orchestra",
# "Lehman Brothers"), which the models split or read as persons. In the train halves, 45 of
# 51 capitalized runs ending in one are organizations.
_ENGLISH = re.compile(
    r"(?<![\w-])(?:[A-Z][\w&.'-]*[ \u00a0]+){1,3}(?:Orchestra|Brothers|Group|Bank|Airlines|Airways|"
    r"Records|Corporation|Company|Association|Institute|University|Council|Foundation|"
    r"Agency|Partners|Holdings|Systems|Technologies|Industries|Motors|Entertainment|"
    r"Pictures|Studios|Society)(?![\w-])"
)
# "Hovrättsrådet Fredrik Wärsell": a title before a name.
_BEFORE_A_NAME = re.compile(r"\s+[A-ZÆØÅÄÖ]")

Span = tuple[int, int, str]


def institution_names(
    text: str, spans: list[Span], *, language: str, common_words: frozenset[str]
) -> list[Span]:
    """The model's spans, with each institution name it missed added as ORG and each one it
    read as a place or person (the exact span) made ORG. A name the language also writes in
    lower case (`common_words`, the case lexicon) is left to the model."""
    pattern = _NAME.get(language)
    out = list(spans)
    for m in pattern.finditer(text) if pattern else ():
        start, end = m.span()
        if m.group().lower() in common_words or _BEFORE_A_NAME.match(text, end):
            continue
        overlapping = [i for i, (s, e, _) in enumerate(out) if s < end and start < e]
        if not overlapping:
            out.append((start, end, "ORG"))
        elif len(overlapping) == 1 and out[overlapping[0]][:2] == (start, end):
            out[overlapping[0]] = (start, end, "ORG")
    return sorted(out)


def english_names(text: str, spans: list[Span], *, common_words: frozenset[str]) -> list[Span]:
    """Each run of capitalized words ending in an English organization head becomes one ORG
    span, replacing the model's spans inside it. A first word the language writes in lower
    case ("Enligt Lehman Brothers" opening a sentence) is not part of the name."""
    out = list(spans)
    for m in _ENGLISH.finditer(text):
        start, end = m.span()
        first, rest = m.group().split(None, 1)
        if first.lower() in common_words:
            start = end - len(rest)
            if len(rest.split()) < 2:
                continue  # the head alone is left to the model
        inside = [sp for sp in out if sp[0] < end and start < sp[1]]
        if all(start <= s and e <= end for s, e, _ in inside):
            out = [sp for sp in out if sp not in inside] + [(start, end, "ORG")]
    return sorted(out)
