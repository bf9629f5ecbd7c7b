"""Tests for the language detection stage (accuracy floors on a dev slice, determinism, robustness)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from clusternews.pipeline.language import LanguageDetector, LanguageResult
from clusternews.pipeline.language_rules import (
    CANDIDATES,
    Cues,
    clean_text,
    combine,
    count_cues,
    parse_declared,
)

# A stratified slice of the shared corpus' langid/dev.tsv, committed so a fresh clone and CI
# measure the same thing: nb, nn, sv and da rows, at most 150 per (language, bucket); see
# tests/data/langid/README.md and tests/data/make_slices.py.
DEV_SLICE = Path(__file__).resolve().parent / "data" / "langid" / "dev-slice.tsv"


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector()


@pytest.fixture(scope="module")
def dev_scores(detector: LanguageDetector) -> dict[tuple[str, str], list[int]]:
    """(gold language, bucket) -> [correct, total, reported-as-Norwegian]; nb/nn count as no."""
    scores: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    with DEV_SLICE.open(encoding="utf-8") as handle:
        next(handle)
        # 1,988 rows, ~2 s on one core.
        for line in handle:
            lang, bucket, text = line.rstrip("\n").split("\t", 2)
            truth = "no" if lang in ("nb", "nn") else lang
            result = detector.detect(text)
            cell = scores[(truth, bucket)]
            cell[0] += result.language == truth
            cell[1] += 1
            cell[2] += result.language == "no"
    return scores


# Measured on the slice (2026-12-06, lingua on nb/nn/da/sv + py3langid), correct/total: para
# no 300/300, sv 91/91, da 101/101; s40-100 no 294/300 (98.0 %), sv 97/98 (99.0 %), da 116/118
# (98.3 %); s<40 no 270/300 (90.0 %), sv 61/63 (96.8 %), da 85/98 (86.7 %); Danish 40+ chars
# as Norwegian 2/327 (0.6 %). With lingua on nb/nn/da only (until 2026-12-06) s<40 no was
# 267/300 and s40-100 no 293/300. The para and s40-100 floors are the ones the full dev.tsv
# held; s<40 is ~3 points under.
SHORT_FLOOR = {"no": 0.87, "sv": 0.93, "da": 0.83}


@pytest.mark.parametrize("lang", ["no", "sv", "da"])
def test_paragraph_accuracy_floor(dev_scores, lang: str) -> None:
    ok, total, _ = dev_scores[(lang, "para")]
    assert total > 0
    assert ok / total >= 0.995, f"{lang} para accuracy {ok}/{total}"


@pytest.mark.parametrize("lang", ["no", "sv", "da"])
def test_short_sentence_accuracy_floor(dev_scores, lang: str) -> None:
    ok, total, _ = dev_scores[(lang, "s40-100")]
    assert total > 0
    assert ok / total >= 0.97, f"{lang} s40-100 accuracy {ok}/{total}"


@pytest.mark.parametrize("lang", sorted(SHORT_FLOOR))
def test_very_short_sentence_accuracy_floor(dev_scores, lang: str) -> None:
    ok, total, _ = dev_scores[(lang, "s<40")]
    assert total > 0
    assert ok / total >= SHORT_FLOOR[lang], f"{lang} s<40 accuracy {ok}/{total}"


def test_danish_rarely_reported_as_norwegian(dev_scores) -> None:
    buckets = ("s40-100", "s100-250", "para")
    as_no = sum(dev_scores[("da", b)][2] for b in buckets)
    total = sum(dev_scores[("da", b)][1] for b in buckets)
    assert as_no / total <= 0.01, f"Danish (40+ chars) reported as Norwegian {as_no}/{total}"


def test_deterministic(detector: LanguageDetector) -> None:
    texts = ["Ny direktør", "Det er lørdag middag.", "Klynga har fått ny dagleg leiar", "Eller?"]
    first = [detector.detect(t) for t in texts]
    assert [detector.detect(t) for t in texts] == first
    fresh = LanguageDetector()
    assert [fresh.detect(t) for t in texts] == first


@pytest.mark.parametrize(
    ("text", "language", "variant"),
    [
        ("Klynga har fått ny dagleg leiar", "no", "nn"),
        ("Dei fleste medlemsbedriftene er små og mellomstore verksemder på Vestlandet", "no", "nn"),
        ("Klyngen lanserer nytt program for grønn omstilling i industrien", "no", "nb"),
        ("Norsk Industri og klyngene samarbeider om nye løsninger for havvind", "no", "nb"),
        ("Swedish Mining Innovation utlyser nya projektmedel", "sv", None),
        ("Innovationsklustret välkomnar fem nya medlemsföretag under hösten", "sv", None),
        ("Klyngen har fået ny direktør og vil styrke samarbejdet med universiteterne", "da", None),
        ("Danske virksomheder skal have bedre adgang til grøn energi, siger han", "da", None),
        ("The cluster welcomes three new members from the offshore wind industry", "en", None),
        ("Die Cluster-Initiative startet ein neues Förderprogramm für Wasserstoff", "de", None),
        ("Klusteri käynnistää uuden ohjelman vetytalouden yrityksille", "fi", None),
    ],
)
def test_cluster_news_strings(
    detector: LanguageDetector, text: str, language: str, variant: str | None
) -> None:
    result = detector.detect(text)
    assert (result.language, result.variant) == (language, variant), result
    assert 0.5 < result.confidence <= 1.0


def test_bokmal_title_identical_in_danish_needs_declared(detector: LanguageDetector) -> None:
    # Every word of this title is also Danish; the page's declaration settles it.
    result = detector.detect("Mineralklynge Norge ønsker nye medlemmer velkommen", declared="nb-NO")
    assert (result.language, result.variant) == ("no", "nb")


def test_declared_breaks_ties_on_short_text(detector: LanguageDetector) -> None:
    assert detector.detect("Ny direktør", declared="da").language == "da"
    nb = detector.detect("Ny direktør", declared="nb-NO")
    assert (nb.language, nb.variant) == ("no", "nb")
    assert detector.detect("Ny leiar", declared="nn").variant == "nn"


def test_declared_overridden_by_clear_text(detector: LanguageDetector) -> None:
    # CMS templates often declare lang="en" on Nordic pages.
    sv = detector.detect(
        "Swedish Mining Innovation utlyser nya projektmedel för gruvindustrin", declared="en-US"
    )
    assert sv.language == "sv"
    nb = detector.detect(
        "Klyngen har fått ny daglig leder og vil styrke samarbeidet med universitetene",
        declared="da-DK",
    )
    assert (nb.language, nb.variant) == ("no", "nb")
    da = detector.detect(
        "Danske virksomheder skal have bedre adgang til grøn energi", declared="no"
    )
    assert da.language == "da"


def test_non_candidate_languages_are_not_forced_nordic(detector: LanguageDetector) -> None:
    assert detector.detect("Новости кластера: новые участники").language == "ru"
    assert detector.detect("Nowy program wsparcia dla firm z branży energetycznej").language == "pl"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\n\t  \r\n",
        "12345 !!!",
        "\x00\x01\x02\x03\x7f\x1b[0m\ufeff\u200b",
        "3.14 % §§ 42",
        "https://example.com/nyheter/2024/klynge",
    ],
)
def test_garbage_is_undetermined(detector: LanguageDetector, text: str) -> None:
    assert detector.detect(text) == LanguageResult("und", None, 0.0)


@pytest.mark.parametrize(
    "text",
    [
        "\ud800\udfff Klyngen har fått ny daglig leder \udc80",  # lone surrogates
        "".join(chr(i) for i in range(0, 0x3000, 7)),  # control chars and many scripts
        "\x00" * 10_000 + "Klyngen har fått ny daglig leder",
        "ø" * 50_000,
    ],
)
def test_hostile_input_does_not_crash(detector: LanguageDetector, text: str) -> None:
    result = detector.detect(text, declared="\x00zz-\ud800")
    assert isinstance(result, LanguageResult)
    assert 0.0 <= result.confidence <= 1.0


def test_huge_input_is_capped(detector: LanguageDetector) -> None:
    text = "Klyngen har fått ny daglig leder og vil styrke samarbeidet. " * 20_000  # ~1.2 MB
    assert len(clean_text(text)) <= 2000
    result = detector.detect(text)
    assert (result.language, result.variant) == ("no", "nb")


def test_parse_declared() -> None:
    assert parse_declared("nb-NO") == ("no", "nb")
    assert parse_declared("nn") == ("no", "nn")
    assert parse_declared("no") == ("no", None)
    assert parse_declared("sv_SE") == ("sv", None)
    assert parse_declared("EN-us") == ("en", None)
    assert parse_declared("x-klingon") == (None, None)
    assert parse_declared("") == (None, None)
    assert parse_declared(None) == (None, None)


def test_spelling_cues_vote_danish_or_norwegian() -> None:
    # Final double consonants, kj/gj, ei/øy, -sjon/-het against ej/øj, -igt, -ede, æ+consonant.
    norwegian = count_cues("takk for sist, det gikk fint med kjøpet av nytt utstyr")
    danish = count_cues("det er vigtigt at vi startede næste uge med en høj sandhed")
    assert norwegian.no >= 4 and norwegian.da == 0, norwegian
    assert danish.da >= 4 and danish.no == 0, danish


def test_spelling_cues_skip_names_in_mid_text() -> None:
    # Kjeld, Heidi and Matt are names, not Norwegian spellings; the function words still count.
    assert count_cues("Direktør Kjeld Heidi Matt").no == 0
    assert count_cues("Takk for innsatsen").no == 1  # the first word of a text counts


def test_bokmal_nynorsk_spelling_cues() -> None:
    nynorsk = count_cues("bedriftane og næringslivet i regionen samarbeider dagleg")
    bokmal = count_cues("bedriftene samarbeider daglig om bærekraftighet")
    assert nynorsk.nn >= 2 and nynorsk.nb == 0, nynorsk
    assert bokmal.nb >= 2 and bokmal.nn == 0, bokmal


def test_cues_only_move_mass_between_danish_and_norwegian() -> None:
    models = {"no": 0.3, "sv": 0.4, "da": 0.2, "en": 0.1}
    plain = combine(models, models, Cues(da=0, no=0, nb=0, nn=0), None)
    cued = combine(models, models, Cues(da=0, no=6, nb=0, nn=0), None)
    assert cued["no"] > plain["no"] and cued["da"] < plain["da"]
    for lang in CANDIDATES:
        if lang not in ("no", "da"):
            assert cued[lang] == pytest.approx(plain[lang]), lang
    assert cued["no"] + cued["da"] == pytest.approx(plain["no"] + plain["da"])


def test_nordic_prior_breaks_ties_towards_nordic() -> None:
    even = {lang: 1.0 for lang in CANDIDATES}
    posterior = combine(even, even, Cues(da=0, no=0, nb=0, nn=0), None)
    assert min(posterior[x] for x in ("no", "sv", "da")) > posterior["en"] > posterior["de"]


def test_detector_without_lingua_still_tells_variants() -> None:
    detector = LanguageDetector(())
    nn = detector.detect("Dei fleste medlemsbedriftene er små og mellomstore verksemder")
    nb = detector.detect("Klyngen lanserer nytt program for grønn omstilling i industrien")
    assert (nn.language, nn.variant) == ("no", "nn")
    assert (nb.language, nb.variant) == ("no", "nb")
    assert (
        detector.detect("Danske virksomheder skal have bedre adgang til grøn energi").language
        == "da"
    )


def test_unknown_lingua_language_is_refused() -> None:
    with pytest.raises(ValueError, match="no lingua model"):
        LanguageDetector(("nb", "xx"))


def test_cues_count_textbook_differences() -> None:
    danish = count_cues("Hvad mener du om sandheden af det?")
    norwegian = count_cues("Hva mener du om sannheten av det? Eg veit ikkje.")
    assert danish.da > danish.no
    assert norwegian.no > norwegian.da
    assert norwegian.nn >= 2
