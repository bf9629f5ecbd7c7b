"""The tag stage with the shipped pipelines and knowledge base: linking, a golden floor, analyze."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from clusternews.adapters.nlp import load_tagger
from clusternews.evaluation import load_golden, score
from clusternews.pipeline.entities import Tagger

from .conftest import GOLDEN


@pytest.fixture(scope="module")
def tagger() -> Tagger:
    return load_tagger()


def ids(tagger: Tagger, text: str, language: str) -> list[tuple[str, str]]:
    return [(m.label, m.id) for m in tagger.tag(text, language=language).mentions]


def test_former_names_genitives_and_towns(tagger: Tagger) -> None:
    text = (
        "Mineralklynge Nord heter nå Mineralklynge Norge, og Nordlands største "
        "gruveselskap Rana Gruber holder til i Mo i Rana."
    )
    result = tagger.tag(text, language="no")
    found = {(m.label, m.id) for m in result.mentions}
    assert ("ORG", "org:mineralklynge-norge") in found
    assert ("REGION", "region:no:18") in found  # "Nordlands"
    assert ("REGION", "region:no:town:mo-i-rana") in found
    org = next(e for e in result.entities if e.id == "org:mineralklynge-norge")
    assert org.count == 2 and set(org.mentions) == {"Mineralklynge Nord", "Mineralklynge Norge"}
    # the town expands up: municipality, county, area, country
    for name in ("Mo i Rana", "Rana", "Nordland", "Nord-Norge", "Norge"):
        assert name in result.region_names
    assert not any(r.startswith("region:se") for r in result.region_ids)


def test_swedish_genitives_and_compounds(tagger: Tagger) -> None:
    found = ids(
        tagger,
        "LKAB:s nya gruva i Norrbottens län ska locka folk till "
        "Kirunaområdet, enligt Luleå tekniska universitet.",
        "sv",
    )
    assert ("ORG", "org:lkab") in found
    assert ("REGION", "region:se:25") in found
    assert ("REGION", "region:se:2584") in found  # Kiruna, from the compound
    assert ("ORG", "org:ltu") in found


def test_programmes_and_hyphen_compounds(tagger: Tagger) -> None:
    found = ids(
        tagger,
        "Klyngen ble tatt opp i Arena Pro-programmet i fjor, og "
        "Raufoss-miljøet søker nå midler fra Horisont Europa.",
        "no",
    )
    assert ("PROGRAMME", "programme:arena-pro") in found
    assert ("REGION", "region:no:town:raufoss") in found
    assert ("PROGRAMME", "programme:horizon-europe") in found
    assert ("PROGRAMME", "programme:arena") not in found  # "arena" the word is not the programme


def test_unknown_organizations_and_people(tagger: Tagger) -> None:
    result = tagger.tag(
        "Daglig leder Kari Nordmann i Fjellvik Mekaniske AS møtte ordføreren i Bodø.", language="no"
    )
    labels = {m.label: m for m in result.mentions}
    assert labels["PERSON"].id.startswith("person:") and "Nordmann" in labels["PERSON"].text
    unknown = labels["ORG"]
    assert unknown.id.startswith("org:unlisted:") and unknown.kind == "company"


def test_offsets_point_into_the_text(tagger: Tagger) -> None:
    text = "Swedish Mining Innovation och Boliden AB satsar i Skellefteå."
    for m in tagger.tag(text, language="sv").mentions:
        assert text[m.start : m.end] == m.text


def test_golden_linking_floor(tagger: Tagger) -> None:
    """benchmarks/linking.py: keep linking of known entities at or above 0.95 P and R."""
    s = score(tagger, load_golden(GOLDEN / "linking"))
    p, r, _ = s.prf()
    assert p >= 0.95 and r >= 0.95, s.errors[:20]


def test_analyze_jsonl_streams_through_one_pipeline(tmp_path: Path) -> None:
    lines = [
        {
            "id": 1,
            "text": "Georange arrangerar en konferens i Malå om prospektering av "
            "mineraler i Västerbotten.",
        },
        {"id": "b", "text": "Eyde-klyngen samlar prosessindustrien på Sørlandet."},
        "not json",
    ]
    stdin = "\n".join(json.dumps(x) if isinstance(x, dict) else x for x in lines) + "\n"
    proc = subprocess.run(
        [sys.executable, "-m", "clusternews.cli", "analyze", "--jsonl"],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ},
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [o.get("id") for o in out] == [1, "b", None]
    first = out[0]
    assert first["language"] == "sv"
    assert {"org:georange", "region:se:2418"} <= {e["id"] for e in first["entities"]}
    span = first["entities"][0]
    assert lines[0]["text"][span["start"] : span["end"]] == span["text"]  # type: ignore[index]
    assert "Västerbottens län" in first["regions"]
    assert out[2]["error"].startswith("analyze: bad input line")


def test_names_inside_words_are_nested_links_not_spans(tagger: Tagger) -> None:
    """`analyze` lists "EU" in "EU-saker" under `nested`: linked for the article, no span."""
    from clusternews.analyze import Analyzer
    from clusternews.pipeline.language import LanguageDetector

    text = (
        "Styret i Mineralklynge Norge diskuterte EU-saker og Horizon Europe-søknader "
        "på møtet i Bodø."
    )
    result = Analyzer(LanguageDetector(), tagger).analyze(text)
    spans = {e["id"] for e in result["entities"]}
    nested = {e["id"]: e for e in result["nested"]}
    assert {"org:mineralklynge-norge", "region:no:1804"} <= spans
    assert {"org:eu", "programme:horizon-europe"} <= set(nested) and not spans & set(nested)
    eu = nested["org:eu"]
    assert text[eu["start"] : eu["end"]] == "EU"


def test_a_capitalized_first_word_the_language_writes_in_lower_case_is_no_name(
    tagger: Tagger,
) -> None:
    # The case lexicon (models/kb/lowercase-*.txt.gz) holds words, never the names around them.
    assert "steik" in tagger.common_words["no"] and "bergen" not in tagger.common_words["no"]
    assert "börja" in tagger.common_words["sv"] and "kiruna" not in tagger.common_words["sv"]
    for text in (
        "Steik brøda i 40 minutt til dei er ferdige.",
        "Gjær må til, og fersk gjær er det beste.",
    ):
        assert [m.text for m in tagger.tag(text, language="no").mentions] == []
    # Names at a sentence start are still names.
    found = {
        m.text
        for m in tagger.tag(
            "Bergen fikk ny ordfører. Equinor kjøper Aker BP.", language="no"
        ).mentions
    }
    assert {"Bergen", "Equinor"} <= found


def test_a_town_after_i_is_a_place_but_a_state_may_act() -> None:
    """The model may read a town as an actor (ORG); after "i"/"på" it is a place again. A
    country keeps the model's role: "i Noreg" is often the state (NorNE's GPE_ORG)."""
    from clusternews.pipeline.entities.context import places_not_actors
    from clusternews.pipeline.entities.model import Mention

    text = "Rana Gruber holder til i Mo i Rana, og staten i Noreg eier Mo Industripark."
    town = Mention(25, 34, "Mo i Rana", "ORG", "region:no:town:mo-i-rana", "Mo i Rana", None, "ner")
    state = Mention(48, 53, "Noreg", "ORG", "region:no", "Norge", None, "ner")
    park = Mention(
        59,
        74,
        "Mo Industripark",
        "ORG",
        "org:unlisted:mo-industripark",
        "Mo Industripark",
        None,
        "ner",
    )
    assert text[town.start : town.end] == "Mo i Rana" and text[state.start : state.end] == "Noreg"
    out = places_not_actors(text, [town, state, park])
    assert [m.label for m in out] == ["REGION", "ORG", "ORG"]


def test_a_person_made_of_known_names_joined_by_i_is_those_names(tagger: Tagger) -> None:
    """The model reads "Freyr i Mo i Rana" as one person; it is a company in a town."""
    text = (
        "Både Morrow Batteries i Arendal og Freyr i Mo i Rana er avhengige av Statnetts "
        "planer for nye kraftlinjer."
    )
    found = {(m.text, m.label, m.id) for m in tagger.tag(text, language="no").mentions}
    assert ("Freyr", "ORG", "org:freyr-battery") in found
    assert ("Mo i Rana", "REGION", "region:no:town:mo-i-rana") in found
    assert not any(label == "PERSON" for _, label, _ in found)


def test_the_model_reads_an_article_one_sentence_at_a_time(tagger: Tagger) -> None:
    """Trained on single sentences, the model read a capital opening a sentence inside an
    article as a name ("Oppslaget", "Kilden"); each sentence is now a document of its own, so
    an article gives the mentions its sentences give alone."""
    text = (
        "Avisen leverer også her. Oppslaget representerer en nærmest genuin journalistikk. "
        "Kilden understreker at besøket ikke er offisielt.\n"
        "Elkem og Hydro bygger nytt anlegg i Mo i Rana. Arbeidet starter i mars"
    )
    whole = {(m.start, m.end, m.label, m.id) for m in tagger.tag(text, language="no").mentions}
    alone = set()
    for sentence in text.replace(". ", ".\n").splitlines():
        at = text.index(sentence)
        alone |= {
            (at + m.start, at + m.end, m.label, m.id)
            for m in tagger.tag(sentence, language="no").mentions
        }
    assert whole == alone
    found = {text[s:e] for s, e, _label, _id in whole}
    assert not found & {"Oppslaget", "Kilden", "Arbeidet"}
    assert {"Elkem", "Hydro", "Mo i Rana"} <= found


def test_a_surname_alone_is_the_person_the_article_named_in_full(tagger: Tagger) -> None:
    for text, lang, surname in (
        (
            "Kari Nordmo leder prosjektet ved fabrikken. Nordmo sier at arbeidet starter i "
            "mars, og Nordmo tror på flere ansatte.",
            "no",
            "Nordmo",
        ),
        (
            "Företaget har anställt tjugo personer i år. Anna Lindqvist är projektledare. "
            "Lindqvist säger att målet är klart.",
            "sv",
            "Lindqvist",
        ),
    ):
        mentions = tagger.tag(text, language=lang).mentions
        people = [m for m in mentions if surname in m.text]
        assert len(people) == text.count(surname), people
        assert {(m.label, m.id) for m in people} == {("PERSON", people[0].id)}, people
        assert people[0].text != surname  # the full name came first and gives the id


def test_a_committee_the_model_reads_as_a_place_is_an_organization(tagger: Tagger) -> None:
    for text, lang, names in (
        (
            "Møtereferata frå Europautvalet er ikkje lenger hemmelege, og EØS-komiteen "
            "møtest i Brussel.",
            "nn",
            {"Europautvalet", "EØS-komiteen"},
        ),
        ("Förslaget gick till Kulturutskottet i riksdagen.", "sv", {"Kulturutskottet"}),
    ):
        mentions = tagger.tag(text, language=lang).mentions
        assert {m.text for m in mentions if m.label == "ORG"} == names, mentions
