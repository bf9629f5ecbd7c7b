"""The tag stage's view of a whole article: where its sentences are (the model reads them one
at a time) and what a name means across it (discourse.py). Pure functions, no model."""

from __future__ import annotations

from clusternews.pipeline.entities.discourse import names_across_the_text
from clusternews.pipeline.entities.institutions import english_names, institution_names
from clusternews.pipeline.entities.model import Mention
from clusternews.pipeline.entities.sentences import MAX_SENTENCE, sentence_spans


def pieces(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]


def test_sentences_end_at_stops_before_a_capital_and_at_line_breaks() -> None:
    text = (
        "Og avisen leverer, også her. Oppslaget nevner bl.a. Statoil og J. Smith. "
        "«Nei!» sa han. Kom han? Ja.\nOverskrift uten punktum\n\n  5. mai kom. 12. mai. Slutt"
    )
    assert pieces(text) == [
        "Og avisen leverer, også her.",
        "Oppslaget nevner bl.a. Statoil og J. Smith.",  # abbreviation, initial
        "«Nei!» sa han.",  # a lower-case word after the quote: the same sentence
        "Kom han?",
        "Ja.",
        "Overskrift uten punktum",
        "5. mai kom.",  # an ordinal, not an end
        "12. mai.",
        "Slutt",
    ]


def test_sentence_offsets_point_into_the_text_and_long_runs_are_cut() -> None:
    text = "Første setning. Og så " + "ord " * 1500 + "\nSiste linje."
    spans = sentence_spans(text)
    assert all(text[a:b] == text[a:b].strip() and text[a:b] for a, b in spans)
    assert all(b - a <= MAX_SENTENCE for a, b in spans)
    assert text[spans[0][0] : spans[0][1]] == "Første setning."
    assert text[spans[-1][0] : spans[-1][1]] == "Siste linje."
    # nothing but the whitespace between sentences is left out
    covered = "".join(text[a:b] for a, b in spans)
    assert covered.replace(" ", "") == text.replace(" ", "").replace("\n", "")
    assert sentence_spans("") == [] and sentence_spans(" \n ") == []


def mention(text: str, word: str, label: str, id_: str, nth: int = 0) -> Mention:
    start = -1
    for _ in range(nth + 1):
        start = text.index(word, start + 1)
    return Mention(start, start + len(word), word, label, id_, word, None, "ner")


def test_a_surname_alone_is_the_person_named_in_full_and_missed_repeats_are_added() -> None:
    text = (
        "Kari Nordmo leder Fjellvik Mekaniske. Nordmo sier at Fjellvik Mekaniske vokser. "
        "Det mener også Nordmo."
    )
    given = [
        mention(text, "Kari Nordmo", "PERSON", "person:kari-nordmo"),
        mention(text, "Fjellvik Mekaniske", "ORG", "org:unlisted:fjellvik-mekaniske"),
        mention(text, "Nordmo", "ORG", "org:unlisted:nordmo", nth=1),  # the model's mistake
    ]
    out = names_across_the_text(text, given)
    assert [(m.text, m.label, m.id) for m in out] == [
        ("Kari Nordmo", "PERSON", "person:kari-nordmo"),
        ("Fjellvik Mekaniske", "ORG", "org:unlisted:fjellvik-mekaniske"),
        ("Nordmo", "PERSON", "person:kari-nordmo"),
        ("Fjellvik Mekaniske", "ORG", "org:unlisted:fjellvik-mekaniske"),  # a missed repeat
        ("Nordmo", "PERSON", "person:kari-nordmo"),  # a missed surname
    ]
    assert [text[m.start : m.end] for m in out] == [m.text for m in out]


def test_known_names_and_one_word_names_are_left_as_the_model_and_kb_gave_them() -> None:
    text = "Moss Industri flytter. Moss er stolt. Epiktet skriv. Hos Epiktet er det ro."
    given = [
        Mention(0, 13, "Moss Industri", "ORG", "org:moss-industri", "Moss Industri", None, "rule"),
        Mention(23, 27, "Moss", "REGION", "region:no:3103", "Moss", "town", "rule"),
        mention(text, "Epiktet", "ORG", "org:unlisted:epiktet"),
    ]
    # no person named in full, no unknown name of several words: nothing to change or add
    assert names_across_the_text(text, given) == given


def _spans(text: str, *names: tuple[str, str]) -> list[tuple[int, int, str]]:
    return [(text.index(n), text.index(n) + len(n), label) for n, label in names]


def test_a_capitalized_compound_with_an_institution_head_is_an_organization() -> None:
    text = "Saka glir gjennom i Europautvalet , og Sanitetsforeningen i Horten sa nei ."
    model = _spans(text, ("Europautvalet", "LOC"), ("Horten", "LOC"))
    got = institution_names(text, model, language="no", common_words=frozenset())
    assert got == _spans(
        text, ("Europautvalet", "ORG"), ("Sanitetsforeningen", "ORG"), ("Horten", "LOC")
    )
    text = "Frågan går till Kulturutskottet och Konkurrensverket ."
    assert institution_names(text, [], language="sv", common_words=frozenset()) == _spans(
        text, ("Kulturutskottet", "ORG")
    )  # "-verket" is no head: "regelverket" is a word


def test_institution_heads_leave_words_titles_and_longer_names_alone() -> None:
    words = frozenset({"styret", "fotballrådet"})
    for text in (
        "Rådet møtes i dag .",  # the head alone opening a sentence is the word
        "Fotballrådet møtes i dag .",  # a word the language writes in lower case
        "Hovrättsrådet Fredrik Wärsell vill korta tiden .",  # a title before a name
    ):
        assert institution_names(text, [], language="no", common_words=words) == []
    text = "Leiaren i Naturvernforbundet i Indre Sunnfjord sa nei ."
    longer = _spans(text, ("Naturvernforbundet i Indre Sunnfjord", "ORG"))
    assert institution_names(text, longer, language="no", common_words=words) == longer
    text = "Han snakka med Naturvernforbundet ."
    assert institution_names(text, [], language="da", common_words=words) == []  # no heads


def test_a_capitalized_run_ending_in_an_english_organization_head_is_one_organization() -> None:
    text = "Trots uppbackningen från London Philharmonic Orchestra och Lehman Brothers krasch ."
    model = _spans(text, ("London", "LOC"), ("Orchestra", "LOC"), ("Lehman Brothers", "PER"))
    assert english_names(text, model, common_words=frozenset()) == _spans(
        text, ("London Philharmonic Orchestra", "ORG"), ("Lehman Brothers", "ORG")
    )
    text = "Enligt Lehman Brothers faller priset ."  # a sentence-opening word is not the name
    assert english_names(text, [], common_words=frozenset({"enligt"})) == _spans(
        text, ("Lehman Brothers", "ORG")
    )
    text = "Hon talade med Anna Berg Group-chefen ."  # no whole word: nothing
    assert english_names(text, [], common_words=frozenset()) == []
    text = "Han ledde Oslo Energy Group International fram til 2020 ."  # the model's longer span
    longer = _spans(text, ("Oslo Energy Group International", "ORG"))
    assert english_names(text, longer, common_words=frozenset()) == longer


def test_an_english_name_never_runs_across_a_line() -> None:
    text = "Nyheter\nLehman Brothers faller ."
    assert english_names(text, [], common_words=frozenset()) == _spans(
        text, ("Lehman Brothers", "ORG")
    )
    text = "Enligt\nBrothers faller ."
    assert english_names(text, [], common_words=frozenset({"enligt"})) == []
