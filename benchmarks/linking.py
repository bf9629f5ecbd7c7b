"""Linking precision/recall on the golden set, per type, and the fuzzy threshold sweep;
then, with the shipped threshold, linking and span P/R per type on the three sets (golden,
dev, regression) and per class on the regression set.

Usage: python benchmarks/linking.py [--errors]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from clusternews.adapters.nlp import load_pipelines
from clusternews.assets import models_dir
from clusternews.evaluation import LINKED, TYPES, Scores, load_golden, score
from clusternews.knowledge.base import KnowledgeBase
from clusternews.pipeline.entities import Tagger
from clusternews.pipeline.entities.linking import FUZZY_THRESHOLD, Linker
from clusternews.pipeline.entities.phrases import Phrases

GOLDEN = Path(__file__).resolve().parent.parent / "tests" / "golden" / "linking"
SETS = {"golden": GOLDEN, "dev": GOLDEN.with_name("linking-dev"),
        "regression": GOLDEN.with_name("linking-regression")}


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
    tagger = Tagger(pipelines, phrases, Linker(kb), kb)
    for name, folder in SETS.items():
        rows = load_golden(folder)
        s = score(tagger, rows)
        print(f"\n{name} set ({len(rows)} sentences), shipped threshold:")
        print_types(s)
        if args.errors and name != "golden":
            for e in s.errors + [{**e, "span": True} for e in s.span_errors]:
                print(" ", e)
        if name == "regression":
            print("  per class (linking | span):")
            for cls in sorted({r["class"] for r in rows}):
                c = score(tagger, [r for r in rows if r["class"] == cls])
                p, r, _ = c.prf()
                sp, sr, _ = c.span_prf()
                n = sum(c.gold(k) for k in LINKED)
                print(f"    {cls:19} P {p:.3f} R {r:.3f} (gold {n:2}) | "
                      f"P {sp:.3f} R {sr:.3f} (gold {sum(c.span_gold(k) for k in TYPES):2})")


def print_types(s: Scores) -> None:
    """Linking P/R per linked type and overall, span ("found") P/R per type and overall."""
    for label in (*LINKED, None):
        p, r, f = s.prf(label)
        n = sum(s.gold(k) for k in ([label] if label else LINKED))
        print(f"  link {label or 'all':9} P {p:.3f} R {r:.3f} F1 {f:.3f} (gold {n})")
    for label in (*TYPES, None):
        p, r, f = s.span_prf(label)
        n = sum(s.span_gold(k) for k in ([label] if label else TYPES))
        print(f"  span {label or 'all':9} P {p:.3f} R {r:.3f} F1 {f:.3f} (gold {n})")


if __name__ == "__main__":
    main()
