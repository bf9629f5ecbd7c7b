"""Text → linked mentions: NER spans and KB phrase matches merged, longest and surest first."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from spacy.language import Language

from clusternews.models import Entity
from clusternews.pipeline.entities.context import (
    PLACE_BEFORE,
    SENTENCE_START,
    appositives,
    inside_unknown_name,
    places_not_actors,
    places_not_people,
    word_opening_a_sentence,
)
from clusternews.pipeline.entities.discourse import names_across_the_text
from clusternews.pipeline.entities.institutions import english_names, institution_names
from clusternews.pipeline.entities.kinds import guess_kind, slug
from clusternews.pipeline.entities.linking import Link, Linker
from clusternews.pipeline.entities.merge import entity_type, lists_of_organizations, merge
from clusternews.pipeline.entities.model import Mention, TagResult
from clusternews.pipeline.entities.phrases import Phrases, compound_stems
from clusternews.pipeline.entities.sentences import sentence_spans

MAX_CHARS = 100_000  # one article; longer text is a dump, tag its beginning
COUNTRY_OF = {"no": "NO", "nb": "NO", "nn": "NO", "sv": "SE", "da": "DK", "fi": "FI"}
# Regional authorities are organizations even though their names contain a place (golden rule).
AUTHORITY = re.compile(
    r"^(Region|Länsstyrelsen|Statsforvalteren|Landstinget)\b|"
    r"(fylkeskommune|fylkeskommunes|landsting)$"
)
UNLISTED_REGION = "region:unlisted:"
NEAREST = {"nb": "no", "nn": "no", "da": "no"}
NER_LABELS = {"PER": "PERSON", "PERSON": "PERSON", "ORG": "ORG", "LOC": "REGION", "GPE": "REGION"}


# Markup that leaked into text ("<b>Luleå", a <script> block) is blanked out with spaces of the
# same length, so tokens stay clean and every offset still points into the text as given.
MARKUP = re.compile(
    r"<(script|style)\b[^>]*>.*?</\1\s*>|<!--.*?-->|</?[A-Za-z][^<>\n]{0,500}>",
    re.IGNORECASE | re.DOTALL,
)


def blank_markup(text: str) -> str:
    if "<" not in text:
        return text
    return MARKUP.sub(lambda m: " " * len(m.group()), text)


class Tagger:
    """Holds the loaded pipelines, phrase matchers and linker; one per process."""

    def __init__(
        self,
        ner: Mapping[str, Language],
        phrases: Phrases,
        linker: Linker,
        kb: Any,
        common_words: Mapping[str, frozenset[str]] | None = None,
    ) -> None:
        self.ner = dict(ner)
        # Per pipeline: words written in lower case away from a sentence start (case lexicon).
        self.common_words = dict(common_words or {})
        self.phrases = phrases
        self.linker = linker
        self.kb = kb
        self._patterns = [
            (re.compile(p, re.IGNORECASE), prog)
            for prog in kb.programmes
            for p in getattr(prog, "patterns", ())
        ]

    def pipeline_for(self, language: str | None) -> Language | None:
        """The language's own pipeline, else the nearest: Danish reads best with Norwegian, and
        text the detector could not place (short titles, English quotes) still gets a model."""
        key = self._pipeline_key(language)
        return self.ner.get(key) if key else None

    def _pipeline_key(self, language: str | None) -> str | None:
        lang = NEAREST.get(language or "", language or "")
        return next((k for k in (lang, "xx", "no") if k in self.ner), next(iter(self.ner), None))

    def tag(self, text: str, *, language: str | None, country: str | None = None) -> TagResult:
        text = blank_markup(text[:MAX_CHARS])
        country = country or COUNTRY_OF.get(language or "")
        ner_spans = self._ner_spans(text, language)
        rules = self._rule_mentions(text, country, ner_spans)
        rules += self._compound_mentions(text, country)
        rules += self._pattern_mentions(text)
        mentions, nested = merge(
            text, self._ner_mentions(text, ner_spans, country), rules, self._never_a_person
        )
        mentions = lists_of_organizations(text, mentions, self._as_organization(country))
        mentions = places_not_people(
            text, mentions, lambda name: self.linker.resolve(name, "REGION", country=country)
        )
        mentions = places_not_actors(text, mentions)
        inner = [m for m in mentions if inside_unknown_name(text, m, mentions)]
        mentions = [m for m in mentions if m not in inner]
        mentions = names_across_the_text(text, appositives(text, mentions))
        return _result(mentions, nested + inner, self.kb)

    def _as_organization(self, country: str | None) -> Callable[[Mention], Mention]:
        """A list member read as an organization: the KB's ("Höganäs" is Höganäs AB), else an
        unlisted one."""

        def convert(m: Mention) -> Mention:
            link = self.linker.resolve(m.text, "ORG", country=country)
            if link is not None:
                return replace(m, label="ORG", id=link.id, name=link.name, kind=link.kind)
            return replace(
                m, label="ORG", id=f"org:unlisted:{slug(m.text)}", name=m.text, kind=None
            )

        return convert

    def _ner_spans(self, text: str, language: str | None) -> list[tuple[int, int, str]]:
        key = self._pipeline_key(language)
        if key is None or not text.strip():
            return []
        # One sentence per doc, as the models were trained (sentences.py).
        cuts = sentence_spans(text)
        words = self.common_words.get(key, frozenset())
        docs = self.ner[key].pipe(text[a:b] for a, b in cuts)
        spans = [
            (at + e.start_char, at + e.end_char, e.label_)
            for (at, _end), doc in zip(cuts, docs, strict=True)
            for e in doc.ents
            if not word_opening_a_sentence(text, at + e.start_char, at + e.end_char, words)
        ]
        spans = institution_names(text, spans, language=key, common_words=words)
        return english_names(text, spans, common_words=words)

    def _rule_mentions(
        self, text: str, country: str | None, ner_spans: list[tuple[int, int, str]]
    ) -> list[Mention]:
        by_span: dict[tuple[int, int], list[Link]] = {}
        for start, end, label in self.phrases.matches(text):
            link = self.linker.resolve(text[start:end], label, country=country)
            if link is not None:
                by_span.setdefault((start, end), []).append(link)
        # Spans of organization names: a place inside one ("Lunds universitet") only says
        # where the organization is, so the checks for words and surnames do not apply.
        names = [
            (s, e) for (s, e), links in by_span.items() if any(lk.label != "REGION" for lk in links)
        ]
        names += [(s, e) for s, e, lab in ner_spans if lab == "ORG"]
        out = []
        for (start, end), links in by_span.items():
            ner_label = next((lab for s, e, lab in ner_spans if s <= start and end <= e), None)
            in_name = any(s <= start and end <= e and (s, e) != (start, end) for s, e in names)
            surface = text[start:end]
            if len(surface) <= 4 and surface.isupper():
                # Short capitals are abbreviations or legal forms: "AS" must not fold into the
                # place Ås, so they must be written exactly as the knowledge base writes them.
                links = [lk for lk in links if surface in _names_of(self.kb, lk)]
                if not links:
                    continue
            # A small place abroad loses to a known organization of the same name ("Sandvik").
            links = [lk for lk in links if not _foreign_place(lk, country)] or links
            link = _choose(links, text, start, end, ner_label)
            if link.label == "REGION" and ner_label not in ("LOC", "GPE") and not in_name:
                if ner_label is None and _weak_sentence_start(text, start, end):
                    continue  # "Gran", "Sel", "Moss" opening a sentence are words
                # A place named like a word or a surname needs the model or "i …", and so does
                # a match only by folded spelling: "Svarta" (black) is not the village Svartå,
                # nor "Våga" the municipality Vågå.
                folded = not self.kb.regions.spelled_as_written(surface, link.id)
                if (self._ambiguous(link.id) or folded) and not PLACE_BEFORE.search(
                    text[max(0, start - 30) : start]
                ):
                    continue
            out.append(
                Mention(
                    start, end, text[start:end], link.label, link.id, link.name, link.kind, "rule"
                )
            )
        return out

    def _compound_mentions(self, text: str, country: str | None) -> list[Mention]:
        out = []
        for start, end, stem in compound_stems(text):
            link = (
                self.linker.resolve(stem, "REGION", country=country)
                or (
                    stem.endswith("s") and self.linker.resolve(stem[:-1], "REGION", country=country)
                )
                or None
            )
            if link:
                out.append(
                    Mention(
                        start,
                        end,
                        text[start:end],
                        "REGION",
                        link.id,
                        link.name,
                        link.kind,
                        "compound",
                    )
                )
        return out

    def _pattern_mentions(self, text: str) -> list[Mention]:
        """Phrasings such as "tatt opp i NCE"; the mention is the programme's name inside."""
        out = []
        for pattern, prog in self._patterns:
            for m in pattern.finditer(text):
                start, end = _name_inside(m.group(), prog)
                start, end = m.start() + start, m.start() + end
                out.append(
                    Mention(
                        start,
                        end,
                        text[start:end],
                        "PROGRAMME",
                        prog.id,
                        prog.name,
                        "programme",
                        "pattern",
                    )
                )
        return out

    def _never_a_person(self, m: Mention) -> bool:
        """Counties and countries are not surnames, unless the KB's evidence says so."""
        return (
            entity_type(m.id) == "REGION"
            and m.kind in ("county", "country")
            and not self._ambiguous(m.id)
        )

    def _ambiguous(self, region_id: str) -> bool:
        region = self.kb.regions.get(region_id)
        return region is not None and region.ambiguous

    def _ner_mentions(
        self, text: str, spans: list[tuple[int, int, str]], country: str | None
    ) -> list[Mention]:
        """Every span the model finds is kept: linked when the KB knows it, else a slug id."""
        out = []
        for start, end, raw_label in spans:
            label = NER_LABELS.get(raw_label)
            surface = text[start:end]
            if label is None or not any(ch.isalpha() for ch in surface):
                continue
            if label == "PERSON" and guess_kind(surface) == "company":
                label = "ORG"  # "Fjellvik Mekaniske AS" is a company whatever the model says
            if label == "PERSON":
                out.append(
                    Mention(
                        start,
                        end,
                        surface,
                        "PERSON",
                        f"person:{slug(surface)}",
                        surface,
                        None,
                        "ner",
                    )
                )
                continue
            other = "REGION" if label == "ORG" else "ORG"
            link = self.linker.resolve(surface, label, country=country) or self.linker.fuzzy(
                surface, label, country=country
            )
            if link is None or _foreign_place(link, country):
                link = self.linker.resolve(surface, other, country=country) or link
            if link is not None:
                # The role is the model's ("Noreg" as a state acting is ORG), the entity the KB's;
                # but an organization or programme the model took for a place is what it is.
                role = label if link.label == "REGION" else link.label
                out.append(Mention(start, end, surface, role, link.id, link.name, link.kind, "ner"))
            elif label == "ORG":
                out.append(
                    Mention(
                        start,
                        end,
                        surface,
                        "ORG",
                        f"org:unlisted:{slug(surface)}",
                        surface,
                        guess_kind(surface),
                        "ner",
                    )
                )
            else:
                # A place the KB does not know: kept, but with no ancestors, so no region
                # filter ever matches it (product contract).
                out.append(
                    Mention(
                        start,
                        end,
                        surface,
                        "REGION",
                        f"region:unlisted:{slug(surface)}",
                        surface,
                        None,
                        "ner",
                    )
                )
        return out


def _foreign_place(link: Link, country: str | None) -> bool:
    return (
        link.label == "REGION"
        and link.kind in ("town", "municipality")
        and country is not None
        and not link.id.startswith(f"region:{country.lower()}:")
    )


def _choose(links: list[Link], text: str, start: int, end: int, ner_label: str | None) -> Link:
    """One span naming two kinds of thing: Boliden, Region Västerbotten, Produktion2030."""
    if len(links) == 1:
        return links[0]
    labels = {link.label for link in links}
    if {"ORG", "PROGRAMME"} <= labels:
        # A Swedish strategic innovation programme and its office share one name.
        near = text[max(0, start - 40) : end + 60].lower()
        wanted = "PROGRAMME" if "program" in near or "ordning" in near else "ORG"
    elif AUTHORITY.search(text[start:end]):
        wanted = "ORG"
    elif PLACE_BEFORE.search(text[max(0, start - 30) : start]):
        wanted = "REGION"
    else:
        wanted = NER_LABELS.get(ner_label or "") or "ORG"
    return next((link for link in links if link.label == wanted), links[0])


def _names_of(kb: Any, link: Link) -> set[str]:
    index = {"REGION": kb.regions, "ORG": kb.organizations, "PROGRAMME": kb.programmes}
    entity = index[link.label].get(link.id)
    names = {entity.name, *entity.aliases} if entity else set()
    names |= set(getattr(entity, "abbreviations", ()) or ())
    return {v for n in names for v in (n, n + "s", n + ":s")}


def _name_inside(phrase: str, prog: Any) -> tuple[int, int]:
    """Offsets of the longest of the programme's names found in `phrase` (all of it if none)."""
    names = sorted(
        (n for n in (prog.name, *prog.aliases, *prog.abbreviations) if n), key=len, reverse=True
    )
    lowered = phrase.lower()
    for name in names:
        at = lowered.find(name.lower())
        if at >= 0:
            return at, at + len(name)
    return 0, len(phrase)


def _weak_sentence_start(text: str, start: int, end: int) -> bool:
    return (
        " " not in text[start:end]
        and end - start <= 5
        and bool(SENTENCE_START.search(text[max(0, start - 3) : start]))
    )


def _result(mentions: list[Mention], nested: list[Mention], kb: Any) -> TagResult:
    grouped: dict[str, list[Mention]] = {}
    for m in [*mentions, *nested]:
        grouped.setdefault(m.id, []).append(m)
    entities = tuple(
        Entity(
            type=entity_type(entity_id),
            id=entity_id,
            name=ms[0].name,
            kind=ms[0].kind,
            mentions=tuple(dict.fromkeys(m.text for m in ms)),
            count=len(ms),
        )
        for entity_id, ms in grouped.items()
    )
    direct = [
        m.id
        for m in [*mentions, *nested]
        if entity_type(m.id) == "REGION" and not m.id.startswith(UNLISTED_REGION)
    ]
    if not direct:
        # No place named: a cluster is regional by nature, so its home region says where.
        for m in mentions:
            org = kb.organizations.get(m.id) if entity_type(m.id) == "ORG" else None
            if org is not None and org.kind == "cluster" and org.region:
                direct.append(org.region)
    region_ids = tuple(kb.regions.expand_up(dict.fromkeys(direct)))
    names = tuple(r.name for r in (kb.regions.get(i) for i in region_ids) if r is not None)
    return TagResult(tuple(mentions), entities, region_ids, names, tuple(nested))
