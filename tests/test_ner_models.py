"""The shipped NER pipelines load, tag realistic cluster news and hold a dev-set F1 floor."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
import spacy

from clusternews.assets import models_dir

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "training"))

import corpora  # noqa: E402
from scoring import score  # noqa: E402

PIPELINES = {"nb": "ner-no", "nn": "ner-no", "sv": "ner-sv"}
LABELS = {"PER", "ORG", "LOC"}
# Overall F1 on every 3rd dev sentence, measured on the shipped pipelines (nb 85.5, nn 79.1,
# sv 78.6; training/README.md), minus 3 points.
FLOOR = {"nb": 0.825, "nn": 0.761, "sv": 0.756}

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


def _corpora() -> Path:
    env = os.environ.get("CLUSTERNEWS_CORPORA")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "corpora"


@pytest.fixture(scope="module")
def nlps() -> dict:
    return {name: spacy.load(models_dir() / name) for name in sorted(set(PIPELINES.values()))}


def test_pipelines_have_the_labels(nlps: dict) -> None:
    for name, nlp in nlps.items():
        assert set(nlp.get_pipe("ner").labels) == LABELS, name
        assert nlp.meta["dev_scores"], name


@pytest.mark.parametrize(("lang", "text", "expected"), SENTENCES)
def test_tags_cluster_news(nlps: dict, lang: str, text: str, expected: set) -> None:
    doc = nlps[PIPELINES[lang]](text)
    assert {(e.text, e.label_) for e in doc.ents} == expected


@pytest.mark.parametrize("lang", sorted(FLOOR))
def test_dev_f1_floor(nlps: dict, lang: str) -> None:
    base = _corpora()
    assert (base / corpora.CORPORA[lang][0]).is_dir(), (
        f"corpora not found at {base}: set CLUSTERNEWS_CORPORA to shared/corpora")
    nlp = nlps[PIPELINES[lang]]
    sample = [d for i, d in enumerate(corpora.docs(base, lang, "dev", nlp.vocab)) if i % 3 == 0]
    assert score(nlp, sample)["f"] >= FLOOR[lang]
