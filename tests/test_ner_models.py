"""The shipped NER pipelines load, tag realistic cluster news and hold F1 floors.

The floors are measured on the dev-half slices committed in tests/data/ (see its README), so a
fresh clone and CI measure exactly the same thing; tests/data/make_slices.py rebuilds them from
the shared corpora.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path

import pytest
import spacy
from spacy.tokens import Doc

from clusternews.adapters.nlp import load_tagger
from clusternews.analyze import Analyzer
from clusternews.assets import models_dir
from clusternews.pipeline.entities.context import word_opening_a_sentence
from clusternews.pipeline.language import LanguageDetector

REPO_ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"
sys.path.insert(0, str(REPO_ROOT / "training"))

from scoring import score  # noqa: E402

PIPELINES = {"nb": "ner-no", "nn": "ner-no", "sv": "ner-sv", "sv-uner": "ner-sv"}
TAGGER_PIPELINE = {"nb": "no", "nn": "no", "sv": "sv", "sv-uner": "sv"}  # keys of Tagger.ner
SLICES = {
    "nb": DATA / "norne" / "nb.jsonl",  # every 3rd NorNE nob dev sentence: 804, 481 entities
    "nn": DATA / "norne" / "nn.jsonl",  # every 3rd NorNE nno dev sentence: 630, 388 entities
    "sv": DATA / "swedish-ner" / "sv.jsonl",  # every 3rd swedish-ner dev sentence: 230, 142
    "sv-uner": DATA / "uner-sv" / "sv-uner.jsonl",  # all UNER Talbanken dev: 504, 23 entities
}
LABELS = {"PER", "ORG", "LOC"}
TAGGER_TO_GOLD = {"PERSON": "PER", "ORG": "ORG", "PROGRAMME": "ORG", "REGION": "LOC"}
# The NER model alone, spaCy's strict-span F1 on the slice's gold tokens (training/scoring.py).
# Measured 2026-12-06 on the shipped models/ner-no (pretrained tok2vec) and models/ner-sv,
# floor about 3 points under (the models of 2026-12-03: 88.22, 80.93, 84.59, 59.26):
FLOOR = {
    "nb": 0.856,  # measured 88.63
    "nn": 0.815,  # measured 84.57
    "sv": 0.815,  # measured 84.59
    "sv-uner": 0.55,  # measured 59.26 (23 gold entities: ~4 points per entity)
}
# The whole tag stage on the slice's raw text: Analyzer.analyze (language detection, model,
# knowledge-base rules, merge), strict PER/ORG/LOC spans after mapping PERSON→PER,
# ORG/PROGRAMME→ORG, REGION→LOC (as benchmarks/ner_raw.py). Measured the same day:
RAW_FLOOR = {
    "nb": 0.855,  # measured 88.50
    "nn": 0.81,  # measured 84.01
    "sv": 0.82,  # measured 84.70
    "sv-uner": 0.57,  # measured 65.38
}
# Model spans analyze drops, known on 2026-12-03: (slice, sentence id) -> why. A new loss fails.
KNOWN_LOSSES = {
    # "Ingmar Ljones (KrF):" is detected as Swedish (confidence 0.24), so the tagger runs ner-sv,
    # which finds only "KrF"; ner-no's "Ingmar Ljones" PER is never seen.
    ("nn", "015705"): "language detected as sv",
    # An English journal title in a Swedish textbook sentence: detected as English, so the
    # tagger runs the nearest pipeline (ner-no), which does not find ner-sv's span.
    ("sv-uner", "P408-0051"): "language detected as en",
}

SENTENCES = [
    (
        "nb",
        "Kari Nordmann er daglig leder i Mineralklynge Norge i Narvik.",
        {("Kari Nordmann", "PER"), ("Mineralklynge Norge", "ORG"), ("Narvik", "LOC")},
    ),
    (
        "nn",
        "Ola Nordmann er dagleg leiar i Norsk Industri og bur i Bergen.",
        {("Ola Nordmann", "PER"), ("Norsk Industri", "ORG"), ("Bergen", "LOC")},
    ),
    ("sv", "LKAB investerar i Kiruna", {("LKAB", "ORG"), ("Kiruna", "LOC")}),
]

Span = tuple[int, int, str]


def read_slice(key: str) -> list[dict]:
    with SLICES[key].open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def gold_spans(record: dict) -> set[Span]:
    """The BIO tags as (start, end, label) character spans into record["text"]."""
    offsets, pos = [], 0
    for token, space in zip(record["tokens"], record["spaces"], strict=True):
        assert record["text"].startswith(token, pos), record["id"]
        offsets.append((pos, pos + len(token)))
        pos += len(token) + space
    spans, start, label = set(), None, None
    for i, tag in enumerate([*record["tags"], "O"]):
        if start is not None and not tag.startswith("I-"):
            spans.add((offsets[start][0], offsets[i - 1][1], label))
            start = None
        if tag.startswith("B-") or (tag.startswith("I-") and start is None):
            start, label = i, tag[2:]
    return spans


def f1(gold: list[set[Span]], pred: list[set[Span]]) -> float:
    tp = sum(len(g & p) for g, p in zip(gold, pred, strict=True))
    n_pred, n_gold = sum(map(len, pred)), sum(map(len, gold))
    return 2 * tp / (n_pred + n_gold) if n_pred + n_gold else 0.0


@cache
def _analyzer() -> Analyzer:
    return Analyzer(LanguageDetector(), load_tagger())


@cache
def through_analyze(key: str) -> tuple[list[dict], list[dict]]:
    """The slice, and each sentence's analyze result (run once per slice for both tests)."""
    records = read_slice(key)
    analyzer = _analyzer()
    return records, [analyzer.analyze(r["text"]) for r in records]


@pytest.fixture(scope="module")
def nlps() -> dict:
    return {name: spacy.load(models_dir() / name) for name in sorted(set(PIPELINES.values()))}


def test_slices_are_well_formed() -> None:
    for key, path in SLICES.items():
        records = read_slice(key)
        assert records, path
        for r in records:
            assert len(r["tokens"]) == len(r["spaces"]) == len(r["tags"]), (key, r["id"])
            assert (
                "".join(t + " " * s for t, s in zip(r["tokens"], r["spaces"], strict=True))
                == r["text"]
            ), (key, r["id"])
            assert {t[2:] for t in r["tags"] if t != "O"} <= LABELS, (key, r["id"])
        assert sum(len(gold_spans(r)) for r in records) > 0, key


def test_pipelines_have_the_labels(nlps: dict) -> None:
    for name, nlp in nlps.items():
        assert set(nlp.get_pipe("ner").labels) == LABELS, name
        assert nlp.meta["dev_scores"], name


@pytest.mark.parametrize(("lang", "text", "expected"), SENTENCES)
def test_tags_cluster_news(nlps: dict, lang: str, text: str, expected: set) -> None:
    """The model finds every name; the tag stage, with the KB, gives each its type (the
    Norwegian model alone reads "Mineralklynge Norge" as a place)."""
    doc = nlps[PIPELINES[lang]](text)
    assert {e.text for e in doc.ents} == {name for name, _ in expected}
    result = _analyzer().analyze(text)
    labels = {"PERSON": "PER", "ORG": "ORG", "PROGRAMME": "ORG", "REGION": "LOC"}
    assert {(e["text"], labels[e["label"]]) for e in result["entities"]} == expected


@pytest.mark.parametrize("key", sorted(FLOOR))
def test_dev_f1_floor(nlps: dict, key: str) -> None:
    nlp = nlps[PIPELINES[key]]
    gold = [
        Doc(nlp.vocab, words=r["tokens"], spaces=r["spaces"], ents=r["tags"])
        for r in read_slice(key)
    ]
    f = score(nlp, gold)["f"]
    assert f >= FLOOR[key], f"{key}: model F1 {f:.4f} on {len(gold)} sentences"


@pytest.mark.parametrize("key", sorted(RAW_FLOOR))
def test_raw_text_f1_floor_through_analyze(key: str) -> None:
    records, results = through_analyze(key)
    gold = [gold_spans(r) for r in records]
    pred = [
        {
            (e["start"], e["end"], TAGGER_TO_GOLD[e["label"]])
            for e in res["entities"]
            if e["label"] in TAGGER_TO_GOLD
        }
        for res in results
    ]
    f = f1(gold, pred)
    assert f >= RAW_FLOOR[key], f"{key}: analyze F1 {f:.4f} on {len(records)} sentences"


@pytest.mark.parametrize("key", sorted(SLICES))
def test_analyze_keeps_every_model_span(key: str) -> None:
    """No loss: each span the NER model alone finds overlaps some mention analyze returns."""
    records, results = through_analyze(key)
    tagger = _analyzer().tagger
    nlp = tagger.ner[TAGGER_PIPELINE[key]]
    words = tagger.common_words.get(TAGGER_PIPELINE[key], frozenset())
    lost: dict[str, list[str]] = {}
    for record, result, doc in zip(
        records, results, nlp.pipe(r["text"] for r in records), strict=True
    ):
        mentions = [(e["start"], e["end"]) for e in result["entities"]]
        for ent in doc.ents:
            # The one documented drop: a word that opens a sentence ("Steik brøda …").
            if word_opening_a_sentence(record["text"], ent.start_char, ent.end_char, words):
                continue
            if not any(s < ent.end_char and ent.start_char < e for s, e in mentions):
                lost.setdefault(record["id"], []).append(
                    f"{record['id']} {ent.text!r} {ent.label_} (language {result['language']})"
                )
    new = [
        line
        for sent_id, lines in lost.items()
        if (key, sent_id) not in KNOWN_LOSSES
        for line in lines
    ]
    assert not new, f"{key}: {len(new)} model spans lost by analyze:\n" + "\n".join(new)
