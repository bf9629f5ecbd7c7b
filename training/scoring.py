"""Score a pipeline's entities against gold Docs with spaCy's strict-span scorer."""

from __future__ import annotations

import time
from collections.abc import Iterable

from corpora import LABELS
from spacy.language import Language
from spacy.scorer import get_ner_prf
from spacy.tokens import Doc
from spacy.training import Example


def score(nlp: Language, gold: Iterable[Doc], raw: bool = False, batch_size: int = 256) -> dict:
    """P/R/F per label and overall, plus words/s of the pipeline alone.

    raw=False runs on the gold tokens (the probe's numbers); raw=True re-tokenizes the
    sentence text with the pipeline's own tokenizer and aligns by character offsets.
    """
    refs = list(gold)
    if raw:
        preds = [nlp.make_doc(ref.text) for ref in refs]
    else:
        preds = [
            Doc(nlp.vocab, words=[t.text for t in ref], spaces=[bool(t.whitespace_) for t in ref])
            for ref in refs
        ]
    words = sum(len(p) for p in preds)
    start = time.perf_counter()
    preds = list(nlp.pipe(preds, batch_size=batch_size))
    seconds = time.perf_counter() - start
    examples = [Example(p, r) for p, r in zip(preds, refs, strict=True)]
    s = get_ner_prf(examples)  # what `spacy train` / nlp.evaluate report for ner
    per = s["ents_per_type"] or {}
    return {
        "p": s["ents_p"] or 0.0,
        "r": s["ents_r"] or 0.0,
        "f": s["ents_f"] or 0.0,
        "per_type": {lab: per.get(lab, {"p": 0.0, "r": 0.0, "f": 0.0}) for lab in LABELS},
        "support": {lab: sum(1 for r in refs for e in r.ents if e.label_ == lab) for lab in LABELS},
        "sentences": len(refs),
        "words": words,
        "words_per_s": words / seconds,
    }


def rounded(result: dict, digits: int = 4) -> dict:
    """The scores as plain rounded floats, for nlp.meta and JSON."""
    return {
        "ents_p": round(result["p"], digits),
        "ents_r": round(result["r"], digits),
        "ents_f": round(result["f"], digits),
        "ents_per_type": {
            lab: {k: round(v, digits) for k, v in d.items()}
            for lab, d in result["per_type"].items()
        },
    }
