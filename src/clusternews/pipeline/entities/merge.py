"""NER spans and knowledge-base matches → one non-overlapping list of mentions, none lost.

The statistical model decides *where* a name is and what role it plays in the sentence
(person, organization, place); the knowledge base decides *which* entity it is. So a mention's
`label` is its role here and its `id` the entity: "Noreg må forplikta seg" is an ORG mention of
`region:no`, as NorNE annotates a state acting. Rules extend the model rather than cut it: a
KB match the model did not see is kept; a place name that would split or cross a model span is
not, while a known organization's or programme's full name may correct a span the model cut
short or read as a person.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace

from clusternews.pipeline.entities.model import Mention

PRIORITY = {"rule": 0, "pattern": 0, "compound": 1, "ner": 2}
# A coordinated list: "Elkem, Alcoa, Hydro og Eramet signerte": the joints between its members.
LIST_JOINT = re.compile(r"^\s*(,|,?\s+(og|och|and|eller|samt|&|\+))\s+$")


def entity_type(entity_id: str) -> str:
    """The kind of entity an id names, whatever role a mention gives it."""
    prefix = entity_id.split(":", 1)[0]
    return {"region": "REGION", "org": "ORG", "programme": "PROGRAMME"}.get(prefix, "PERSON")


def is_linked(mention: Mention) -> bool:
    return ":unlisted:" not in mention.id and not mention.id.startswith("person:")


def inside(inner: Mention, outer: Mention) -> bool:
    return (
        outer.start <= inner.start
        and inner.end <= outer.end
        and (inner.start, inner.end) != (outer.start, outer.end)
    )


def overlaps(a: Mention, b: Mention) -> bool:
    return a.start < b.end and b.start < a.end


def word_part(text: str, m: Mention) -> bool:
    """The match is one part of a hyphenated word: "EU-saker", "NHO-direktør", "Nav-reformen".

    Such a word is about the entity but is not its name, so it links without being a span.
    """
    before = m.start >= 2 and text[m.start - 1] == "-" and text[m.start - 2].isalpha()
    after = m.end + 1 < len(text) and text[m.end] == "-" and text[m.end + 1].isalpha()
    return before or after


def absorb(text: str, ner: Mention, inner: list[Mention]) -> list[Mention]:
    """A model span that contains known names: the span stays, linked through what it holds.

    "Norsk Hydro ASA", "Hydro Årdal", "Norsk Industri Prosessindustrien" are the organization
    inside them; "Narvik videregående skole" stays an unlisted school.
    """
    if ner.label == "PERSON":
        # "Per Moss" is a person with a surname, not the town; but a "person" made only of
        # known names, one of them an organization's ("Teknikföretagen Skåne", "Vinnovas
        # Vinnväxt", "Freyr i Mo i Rana"), is those names. Lower-case words ("i", "og") join
        # names; only the capitalized ones must be known.
        parts = non_overlapping(inner)
        words = [
            w.span() for w in re.finditer(r"\w+", text[ner.start : ner.end]) if not w[0].islower()
        ]
        covered = all(
            any(p.start <= ner.start + a and ner.start + b <= p.end for p in parts)
            for a, b in words
        )
        if covered and any(p.label in ("ORG", "PROGRAMME") for p in parts):
            return parts
        return [ner]
    if is_linked(ner) or ner.label != "ORG":
        # A place inside an unknown place's name ("Dalen Hotel", "Vest-Telemark") is not that
        # place: it stays unlisted, and the known name inside it is a nested link.
        return [ner]
    same = [m for m in inner if m.label in ("ORG", "PROGRAMME")]
    if same:
        best = min(same, key=lambda m: (m.start, -(m.end - m.start)))
        return [replace(ner, label=best.label, id=best.id, name=best.name, kind=best.kind)]
    return [ner]


def combine(ner: Mention, rule: Mention, never_a_person: Callable[[Mention], bool]) -> Mention:
    """The model and the KB found the same span: the model's role, the KB's entity.

    A person named like a town ("Viken", "Solberg", "Valle": Nordic surnames are farm names)
    stays a person; a known organization or programme the model took for a person ("Vinnova",
    "Rana Gruber"), or a county or country ("Nordlands største …"), is not one.
    """
    if ner.label == "PERSON":
        keep_rule = rule.label in ("ORG", "PROGRAMME") or never_a_person(rule)
        return rule if keep_rule else ner
    if rule.source == "compound":
        return rule  # "Kirunaområdet" is the area around Kiruna, whatever the model says
    # The rule layer chose its entity knowing the model's label and the context ("i …",
    # "Region …", "program"), so its choice stands. A place may act as an organization (a state,
    # a municipality: the model's role stays), but an organization is never a place.
    label = ner.label if rule.label == "REGION" else rule.label
    return replace(ner, label=label, id=rule.id, name=rule.name, kind=rule.kind)


def merge(
    text: str,
    ner: list[Mention],
    rules: list[Mention],
    never_a_person: Callable[[Mention], bool] = lambda m: False,
) -> tuple[list[Mention], list[Mention]]:
    """(mentions in text order, entities named inside other mentions or words).

    `never_a_person` says which KB places no person is named after (counties, countries)."""
    parts: list[Mention] = []
    kept_rules = []
    containers: dict[int, list[Mention]] = {}
    same: dict[int, Mention] = {}
    for r in rules:
        hit = [i for i, n in enumerate(ner) if overlaps(r, n)]
        exact = next((i for i in hit if (ner[i].start, ner[i].end) == (r.start, r.end)), None)
        outer = next((i for i in hit if inside(r, ner[i])), None)
        if exact is not None:
            same.setdefault(exact, r)
        elif outer is not None:
            containers.setdefault(outer, []).append(r)
        elif r.label == "REGION" and (len(hit) > 1 or any(not inside(ner[i], r) for i in hit)):
            continue  # a place name that would split or cross the model's spans: the model wins
        elif word_part(text, r):
            parts.append(r)
        else:
            kept_rules.append(r)
    merged_ner = []
    for i, n in enumerate(ner):
        if i in same:
            n = combine(n, same[i], never_a_person)
        merged_ner += absorb(text, n, containers[i]) if i in containers else [n]
    # An unknown span that crosses a known organization's or programme's name is a misreading
    # ("Programmet Metalliska" across the programme "Metalliska material", "Metall Norrbotten"
    # across "IF Metall"): the KB wins, and the names inside the span stay found (orphans).
    merged_ner = [
        n
        for n in merged_ner
        if is_linked(n)
        or not any(
            overlaps(n, r) and not inside(r, n) and not inside(n, r) and r.label != "REGION"
            for r in kept_rules
        )
    ]
    mentions = non_overlapping(kept_rules + merged_ner)
    # Names inside a model span that lost to a longer KB name stay found ("Nordland" in the
    # model's "Norge Nordland", which "Innovasjon Norge" crosses).
    orphans = [
        r for rs in containers.values() for r in rs if not any(overlaps(r, m) for m in mentions)
    ]
    mentions = sorted(mentions + non_overlapping(orphans), key=lambda m: m.start)
    # A word part counts only where no longer name covers it ("Arena" in "Arena-programmet").
    nested = [p for p in parts if not any(overlaps(p, m) for m in mentions)]
    nested += named_inside(mentions, rules)
    unique = {(m.start, m.end, m.id): m for m in nested}
    return mentions, sorted(unique.values(), key=lambda m: m.start)


def named_inside(mentions: list[Mention], rules: list[Mention]) -> list[Mention]:
    """Entities named inside another name say what the news is about: the place in "Narvik
    videregående skole" or "Statsforvalteren i Nordland", the programme in "Vinnovas
    Vinnväxt-program". A country ("Innovasjon Norge", "Business Sweden") says nothing; a
    person's name ("Per Moss") holds no place; a place's name holds only places ("Mo i Rana")."""
    out: dict[tuple[int, int], Mention] = {}
    for r in rules:
        if r.kind == "country" or not is_linked(r):
            continue
        if any(
            inside(r, m)
            and m.label != "PERSON"
            and m.id != r.id
            and (entity_type(m.id) != "REGION" or not is_linked(m))
            and (entity_type(r.id) == "REGION" or entity_type(m.id) != "REGION")
            for m in mentions
        ):
            out.setdefault((r.start, r.end), r)
    return list(out.values())


def non_overlapping(candidates: Iterable[Mention]) -> list[Mention]:
    """Longest first, then rules before statistics; a character belongs to one mention."""
    taken: list[Mention] = []
    for m in sorted(candidates, key=lambda m: (-(m.end - m.start), PRIORITY[m.source], m.start)):
        if all(m.end <= t.start or m.start >= t.end for t in taken):
            taken.append(m)
    return sorted(taken, key=lambda m: m.start)


def lists_of_organizations(
    text: str, mentions: list[Mention], as_org: Callable[[Mention], Mention]
) -> list[Mention]:
    """One-word "people" and places in a list of organizations are organizations too.

    The model reads "Elkem, Alcoa, Hydro og Eramet signerte" as a row of surnames, and the KB
    knows "Höganäs" as a town; a list that holds two known or model-found organizations is a
    list of organizations. `as_org` turns a member into the organization it names.
    """
    out = list(mentions)
    run: list[int] = []

    def flush() -> None:
        orgs = sum(out[j].label == "ORG" for j in run)
        if len(run) >= 2 and orgs >= 1:
            for j in run:
                m = out[j]
                if m.label == "PERSON" and " " not in m.text:
                    out[j] = as_org(m)
                elif m.label == "REGION" and orgs >= 2:
                    org = as_org(m)
                    out[j] = org if is_linked(org) else m
        run.clear()

    for i, m in enumerate(out):
        if run and not LIST_JOINT.match(text[out[run[-1]].end : m.start]):
            flush()
        if m.label in ("ORG", "PERSON", "REGION"):
            run.append(i)
        else:
            flush()
    flush()
    return out
