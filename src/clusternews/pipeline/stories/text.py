"""An article's text → word shingles, cross-lingual character grams and anchors (names, numbers).

Word shingles find near-duplicates within one language. Bokmål, Nynorsk and Swedish share most
of their roots, so after folding their spelling differences (ø/ö, æ/ä, -sjon/-tion, x/ks,
doubled letters) and mapping the domain words that differ (bedrift/företag) to one token, the
character 4-grams of two translations overlap far more than those of two unrelated articles.
Anchors are what a translation or a rewrite cannot change: names as written and numbers.
"""

from __future__ import annotations

import re
import unicodedata

from clusternews.pipeline.stories.lexicon import STOPWORDS, concept, fold

_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)?(?![\w])")
_YEAR = re.compile(r"^(19|20)\d\d$")
_NAME = re.compile(r"\b[A-ZÆØÅÄÖÉÜ][\w-]{2,}")
_SENTENCE_START = re.compile(r"(^|[.!?:–«»\"“”]\s*)$")
SHINGLE = 3  # words per near-duplicate shingle
GRAM = 4  # characters per cross-lingual gram
MAX_ANCHORS = 24


def words(text: str) -> list[str]:
    """Lower-cased words as written (NFC), hyphenated compounds kept whole."""
    return _WORD.findall(unicodedata.normalize("NFC", text).casefold())


def word_shingles(title: str, text: str) -> set[str]:
    """Runs of SHINGLE words of the title and body: what a republished copy keeps."""
    tokens = words(f"{title}\n{text}")
    if len(tokens) < SHINGLE:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i : i + SHINGLE]) for i in range(len(tokens) - SHINGLE + 1)}


def cross_tokens(title: str, text: str) -> list[str]:
    """Content words in one spelling, domain words mapped to their shared token."""
    out = []
    for word in words(f"{title}\n{text}"):
        if word in STOPWORDS or word.isdigit():
            continue
        folded = fold(word)
        out.append(concept(folded))
    return out


def cross_grams(title: str, text: str) -> set[str]:
    """Character GRAM-grams of each folded content word, with word-boundary marks."""
    grams: set[str] = set()
    for token in cross_tokens(title, text):
        padded = f"_{token}_"
        if len(padded) <= GRAM:
            grams.add(padded)
            continue
        grams.update(padded[i : i + GRAM] for i in range(len(padded) - GRAM + 1))
    return grams


def anchors(title: str, text: str) -> frozenset[str]:
    """Numbers (not years) and capitalised names, folded: the same in a translation."""
    body = unicodedata.normalize("NFC", f"{title}.\n{text}")
    found: set[str] = set()
    for number in _NUMBER.findall(body):
        value = number.replace(",", ".")
        if _YEAR.match(value) or (value.isdigit() and int(value) < 10):
            continue  # years and small counts are in every other article
        found.add("#" + value)
    for match in _NAME.finditer(body):
        line_start = body.rfind("\n", 0, match.start()) + 1
        if _SENTENCE_START.search(body[max(line_start, match.start() - 4) : match.start()]):
            continue  # a capital that starts a sentence says nothing
        name = match.group()
        key = fold(name.casefold())
        if key not in STOPWORDS and name.casefold() not in STOPWORDS:
            found.add(concept(key))
    # Numbers first (what tells one call from the next), then the longest (rarest) names; the
    # cap bounds the keys stored per article.
    ranked = sorted(found, key=lambda a: (not a.startswith("#"), -len(a), a))
    return frozenset(ranked[:MAX_ANCHORS])
