"""Loads the spaCy pipelines and the knowledge base from models/, once per process."""

from __future__ import annotations

import gzip
import logging
import time
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import spacy

from clusternews.assets import models_dir
from clusternews.knowledge.base import KnowledgeBase
from clusternews.pipeline.entities import Tagger
from clusternews.pipeline.entities.linking import Linker
from clusternews.pipeline.entities.phrases import Phrases

log = logging.getLogger(__name__)
# Pipeline folders in models/ and the languages each serves; a joint model serves all.
PIPELINES = {"no": "ner-no", "sv": "ner-sv", "xx": "ner-nordic"}


def load_pipelines(root: Path) -> dict[str, spacy.language.Language]:
    found = {}
    for lang, folder in PIPELINES.items():
        path = root / folder
        if (path / "meta.json").is_file():
            # Only the NER is needed: tagging, parsing and lemmatizing are not in these models.
            found[lang] = spacy.load(path)
    if not found:
        raise FileNotFoundError(
            f"no NER pipeline in {root} (expected one of "
            f"{', '.join(PIPELINES.values())}); run `make models`"
        )
    return found


def load_common_words(kb_dir: Path, languages: Iterable[str]) -> dict[str, frozenset[str]]:
    """kb/lowercase-<lang>.txt.gz (training/case_lexicon.py), where it exists."""
    found = {}
    for lang in languages:
        path = kb_dir / f"lowercase-{lang}.txt.gz"
        if path.is_file():
            with gzip.open(path, "rt", encoding="utf-8") as f:
                found[lang] = frozenset(line.strip() for line in f if line.strip())
    return found


@lru_cache(maxsize=2)
def load_tagger(root: Path | None = None) -> Tagger:
    """The tagger with everything it needs; cached so a process loads it once."""
    started = time.perf_counter()
    root = root or models_dir()
    kb = KnowledgeBase.load(root / "kb")
    pipelines = load_pipelines(root)
    tagger = Tagger(
        pipelines,
        Phrases.build(kb.phrase_names()),
        Linker(kb),
        kb,
        load_common_words(root / "kb", pipelines),
    )
    log.info("tagger loaded in %.1f s", time.perf_counter() - started)
    return tagger
