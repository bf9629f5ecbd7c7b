"""The rule layer: PhraseMatchers built from every name, alias and former name in the KB."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import spacy
from spacy.attrs import NORM
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokenizer import Tokenizer
from spacy.util import compile_infix_regex

# Matching runs on its own tokenization: hyphen compounds ("Raufoss-miljøet", "Arena-programmet",
# "Nord-Norges") and Swedish colon genitives ("LKAB:s") are split so the name part can match.
EXTRA_INFIXES = (r"(?<=[^\W\d_])-(?=[^\W\d_])", r"(?<=\w):(?=s\b)", r"(?<=\w)’(?=s\b)")


def rule_tokenizer() -> Language:
    nlp = spacy.blank("xx")
    infixes = list(nlp.Defaults.infixes or []) + list(EXTRA_INFIXES)
    tokenizer: Tokenizer = nlp.tokenizer
    tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    # Norms without case or Nordic diacritics, so "Tromso" meets "Tromsø". Set on the vocab,
    # they are computed once per word form, not once per token of every article.
    nlp.vocab.lex_attr_getters[NORM] = _fold  # type: ignore[attr-defined]
    for lexeme in nlp.vocab:
        lexeme.norm_ = _fold(lexeme.orth_)
    return nlp


def genitive_variants(name: str) -> Iterator[str]:
    """The name as written and its genitives: Nordlands, LKAB:s, Nord-Norges, Kirkenes'."""
    yield name
    if name[-1:].isalpha() and name[-1:] not in "sxzSXZ":
        yield name + "s"
    if name[-1:].isupper() or name[-1:].isdigit():
        yield name + ":s"
    if name[-1:] in "sxzSXZ":
        yield name + "'"


_FOLD = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u"})


def _fold(text: str) -> str:
    return text.lower().translate(_FOLD)


@dataclass
class Phrases:
    """Two matchers: case- and diacritic-insensitive names, and case-sensitive abbreviations."""

    nlp: Language
    lower: PhraseMatcher
    orth: PhraseMatcher

    @classmethod
    def build(cls, names: Iterable[tuple[str, str, bool]]) -> Phrases:
        """`names`: (surface form, label ORG|REGION|PROGRAMME, case sensitive)."""
        nlp = rule_tokenizer()
        lower = PhraseMatcher(nlp.vocab, attr="NORM")
        orth = PhraseMatcher(nlp.vocab, attr="ORTH")
        pending: dict[tuple[str, bool], set[str]] = {}
        for surface, label, sensitive in names:
            surface = surface.strip()
            if len(surface) < 2:
                continue
            for variant in genitive_variants(surface):
                pending.setdefault((label, sensitive), set()).add(variant)
        for (label, sensitive), variants in sorted(pending.items()):
            docs = [nlp.make_doc(v) for v in sorted(variants)]
            (orth if sensitive else lower).add(label, docs)
        return cls(nlp, lower, orth)

    def matches(self, text: str) -> list[tuple[int, int, str]]:
        """(start char, end char, label) of every candidate, overlapping ones included."""
        doc = self.nlp.make_doc(text)
        found = []
        for matcher, sensitive in ((self.lower, False), (self.orth, True)):
            for match_id, start, end in matcher(doc):
                span = doc[start:end]
                # Proper names are capitalized; "gran", "moss" or "rana" in running text are not.
                if not sensitive and not (span.text[:1].isupper() or span.text[:1].isdigit()):
                    continue

                found.append((span.start_char, span.end_char, self.nlp.vocab.strings[match_id]))
        return found


_WORD = re.compile(r"[^\W\d_][\w-]*", re.UNICODE)
# Closed compounds naming an area after a place: "Rørosregionen", "Helgelandskysten",
# "Kirunaområdet", "Raufossmiljøet". The stem is looked up; the suffix only says "around".
COMPOUND = re.compile(
    r"^(?P<stem>[A-ZÆØÅÄÖ][\wæøåäö]{2,}?)-?(?P<suffix>regionen|regionens|området|områdets|"
    r"omr[aå]det|distriktet|miljøet|miljöet|kysten|byen|bygda|staden|trakten|dalen|"
    r"industrien|industrin|samfunnet)$"
)


def compound_stems(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, stem) for every word of `text` that is a place-name compound."""
    for word in _WORD.finditer(text):
        m = COMPOUND.match(word.group())
        if m:
            yield word.start(), word.end(), m.group("stem")
