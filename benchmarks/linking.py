"""Linking precision/recall on the golden set, per type, and the fuzzy threshold sweep.

Usage: python benchmarks/linking.py [--errors]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from clusternews.adapters.nlp import load_pipelines
from clusternews.assets import models_dir
from clusternews.evaluation import LINKED, load_golden, score
from clusternews.knowledge.base import KnowledgeBase
from clusternews.pipeline.entities import Tagger
from clusternews.pipeline.entities.linking import FUZZY_THRESHOLD, Linker
from clusternews.pipeline.entities.phrases import Phrases

GOLDEN = Path(__file__).resolve().parent.parent / "tests" / "golden" / "linking"


FOLD = str.maketrans("øåäöæéØÅÄÖÆ", "oaaoaeOAAOA")


def misspelled(row: dict) -> dict:
    """The sentence with each long known name misspelled: diacritics dropped, else a letter."""
    text, shift, entities = row["text"], 0, []
    for g in sorted(row["entities"], key=lambda g: g["start"]):
        start, end = g["start"] + shift, g["end"] + shift
        name = text[start:end]
        if g.get("id") and g["type"] in ("ORG", "REGION") and len(name) >= 7:
            typo = name.translate(FOLD)
            if typo == name:
                mid = len(name) // 2
                typo = name[:mid] + name[mid + 1:]
            text = text[:start] + typo + text[end:]
            shift += len(typo) - len(name)
            end = start + len(typo)
        entities.append({**g, "start": start, "end": end, "text": text[start:end]})
    return {**row, "text": text, "entities": entities}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--errors", action="store_true", help="list every miss and false link")
    args = parser.parse_args()
    golden = load_golden(GOLDEN)
    started = time.perf_counter()
    kb = KnowledgeBase.load()
    pipelines = load_pipelines(models_dir())
    phrases = Phrases.build(kb.phrase_names())
    print(f"{len(golden)} golden sentences; loaded in {time.perf_counter() - started:.1f} s")
    noisy = [misspelled(row) for row in golden]
    print("misspelled names (diacritics dropped or a letter missing), by fuzzy threshold:")
    for threshold in sorted({75.0, 80.0, 88.0, 90.0, 92.0, FUZZY_THRESHOLD, 95.0, 101.0}):
        tagger = Tagger(pipelines, phrases, Linker(kb, fuzzy_threshold=threshold), kb)
        p, r, f = score(tagger, noisy).prf()
        label = "off" if threshold > 100 else f"{threshold:.0f}"
        print(f"  fuzzy {label:>4}: P {p:.3f} R {r:.3f} F1 {f:.3f}")
    print("golden sentences as written:")
    for threshold in sorted({80.0, 88.0, 90.0, 92.0, FUZZY_THRESHOLD, 95.0, 101.0}):
        tagger = Tagger(pipelines, phrases, Linker(kb, fuzzy_threshold=threshold), kb)
        s = score(tagger, golden)
        p, r, f = s.prf()
        marker = "  <- shipped" if threshold == FUZZY_THRESHOLD else ""
        label = "off" if threshold > 100 else f"{threshold:.0f}"
        print(f"fuzzy {label:>4}: P {p:.3f} R {r:.3f} F1 {f:.3f}{marker}")
        if threshold == FUZZY_THRESHOLD:
            shipped = s
    print("\nper type with the shipped threshold:")
    for label in LINKED:
        p, r, f = shipped.prf(label)
        n = shipped.tp[label] + shipped.fn[label]
        print(f"  {label:9} P {p:.3f} R {r:.3f} F1 {f:.3f} (gold {n})")
    if args.errors:
        for e in shipped.errors:
            print(" ", e)


if __name__ == "__main__":
    main()
