"""Names of institutions the model reads as places or misses: "Europautvalet", "EØS-komiteen",
"Sanitetsforeningen". Nordic spelling writes common nouns in lower case, so a capitalized
compound whose head is an institution noun (-utvalet, -foreningen, -förbundet, -nämnden …) is
the name of one.

Nynorsk dev (`benchmarks/ner_raw.py`, through `analyze`): 0.824 -> 0.840. Most of it is one
committee named 13 times, which the model read as a place every time; the rest are five
associations and committees. Bokmål and Swedish dev: unchanged (one committee gained on
Bokmål).
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
    if pattern is None:
        return spans
    out = list(spans)
    for m in pattern.finditer(text):
        start, end = m.span()
        if m.group().lower() in common_words or _BEFORE_A_NAME.match(text, end):
            continue
        overlapping = [i for i, (s, e, _) in enumerate(out) if s < end and start < e]
        if not overlapping:
            out.append((start, end, "ORG"))
        elif len(overlapping) == 1 and out[overlapping[0]][:2] == (start, end):
            out[overlapping[0]] = (start, end, "ORG")
    return sorted(out)
