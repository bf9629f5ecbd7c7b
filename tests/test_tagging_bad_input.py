"""Untrusted text through the whole tag stage (`analyze`): a result, never a crash, bounded time.

The stage must also keep every span its model finds and link the error classes the issue
named; those are measured on the shipped slices in test_ner_models.py and the linking sets.
"""

from __future__ import annotations

import time

import pytest

from clusternews.adapters.nlp import load_tagger
from clusternews.analyze import Analyzer
from clusternews.pipeline.entities.tagger import MAX_CHARS
from clusternews.pipeline.language import LanguageDetector

ARTICLE = (
    "Equinor og Hydro investerer i Mo i Rana, opplyser Innovasjon Norge. "
    "LKAB:s nya gruva i Kiruna får stöd från Vinnova. "
)


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(LanguageDetector(), load_tagger())


def ids(result: dict) -> set[str]:
    return {e["id"] for e in result["entities"]}


def test_two_megabytes_are_tagged_from_their_beginning_in_bounded_time(analyzer) -> None:
    text = ARTICLE * (2_000_000 // len(ARTICLE))
    started = time.process_time()
    result = analyzer.analyze(text)
    assert time.process_time() - started < 60  # ~100,000 characters are tagged, not 2 MB
    assert {"org:equinor", "region:se:2584"} <= ids(result)
    assert all(e["end"] <= MAX_CHARS for e in result["entities"])
    assert all(text[e["start"] : e["end"]] == e["text"] for e in result["entities"])


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n ",
        "1234 5678 -- ** 3.14 %%% ###",
        "🙂🙃 ✓✓ …",
        "\x00\x01\x02 \ufeff\u200b",
        "- - - | | |",
    ],
)
def test_text_with_no_letters_gives_an_empty_result(analyzer, text: str) -> None:
    result = analyzer.analyze(text)
    assert result["entities"] == [] and result["regions"] == []


def test_mixed_languages_keep_both_languages_names(analyzer) -> None:
    text = (
        "Norsk Industri og Teknikföretagen har møtt EU-kommisjonen i Brussel. "
        "The European Commission said Horizon Europe will fund the project in Luleå."
    )
    result = analyzer.analyze(text)
    assert {"org:norsk-industri", "org:teknikforetagen", "region:se:2580"} <= ids(result)


def test_all_caps_headlines_link_what_they_name(analyzer) -> None:
    result = analyzer.analyze(
        "EQUINOR OG HYDRO SATSER PÅ HYDROGEN I NORDLAND\n\n"
        "Equinor og Hydro vil bygge et anlegg i Nordland."
    )
    assert {"org:equinor", "region:no:18"} <= ids(result)
    # Capitals that are words or legal forms ("AS", "OG", "PÅ", "I") are never names.
    assert not {e["text"] for e in result["entities"]} & {"OG", "PÅ", "I", "AS"}


def test_markup_that_leaked_into_text_is_not_a_name(analyzer) -> None:
    text = (
        '<div class="article"><p>Vinnova delar ut medel till <b>Luleå tekniska '
        'universitet</b>.</p><script>var Hydro = "x";</script></div> &amp; &nbsp;'
    )
    result = analyzer.analyze(text)
    assert "org:ltu" in ids(result)
    tagged = result.get("text", text)  # HTML is extracted first; offsets point into that text
    for e in result["entities"]:
        assert "<" not in e["text"] and ">" not in e["text"]
        assert tagged[e["start"] : e["end"]] == e["text"]
