"""Strict PER/ORG/LOC F1 on raw text: the NER model alone against the whole tag stage.

Each dev sentence is given as raw text (its tokens joined by spaces, as the held-out
measurement does) to (a) the shipped spaCy pipeline alone and (b) `analyze`'s path,
`process_article` (language detection, then the tagger with the knowledge base). Tagger labels
map back to the corpus's: PERSON→PER, ORG and PROGRAMME→ORG, REGION→LOC.

    python benchmarks/ner_raw.py [--sets nb nn sv] [--models DIR] [--limit N] [--errors 20]
        [--doc N]   # N consecutive sentences per text, as an article's stretch
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "training"))

import corpora  # noqa: E402

from clusternews.adapters.nlp import load_tagger  # noqa: E402
from clusternews.analyze import Analyzer  # noqa: E402
from clusternews.assets import models_dir  # noqa: E402
from clusternews.pipeline.language import LanguageDetector  # noqa: E402

TAGGER_TO_GOLD = {"PERSON": "PER", "ORG": "ORG", "PROGRAMME": "ORG", "REGION": "LOC"}
PIPELINE_FOR = {"nb": "no", "nn": "no", "sv": "sv", "sv-uner": "sv", "da": "no"}
Span = tuple[int, int, str]


def gold_sentences(corpora_dir: Path, key: str) -> list[tuple[str, set[Span]]]:
    out = []
    for words, tags, _spaces in corpora.read(corpora_dir, key, "dev"):
        text, spans, offsets = "", set(), []
        for w in words:
            offsets.append((len(text), len(text) + len(w)))
            text += w + " "
        start = label = None
        for i, tag in enumerate([*tags, "O"]):
            if start is not None and not tag.startswith("I-"):
                spans.add((offsets[start][0], offsets[i - 1][1], label))
                start = None
            if tag.startswith("B-") or (tag.startswith("I-") and start is None):
                start, label = i, tag[2:]
        out.append((text.rstrip(), spans))
    return out


def as_documents(
    sentences: list[tuple[str, set[Span]]], size: int
) -> list[tuple[str, set[Span]]]:
    """Runs of `size` consecutive sentences as one text: the dev halves keep each article's
    sentences in order, so a run reads like a stretch of an article (as ingest tags them).
    A sentence with no closing stop is a headline or caption, which an article sets on a line
    of its own; the others follow each other in a paragraph."""
    out = []
    for i in range(0, len(sentences), size):
        text, spans = "", set()
        for sentence, gold in sentences[i : i + size]:
            at = len(text) + (1 if text else 0)
            joint = " " if text.rstrip(" »”\"')").endswith((".", "!", "?", "…", ":")) else "\n"
            text = f"{text}{joint}{sentence}" if text else sentence
            spans |= {(a + at, b + at, label) for a, b, label in gold}
        out.append((text, spans))
    return out


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _around(text: str, span: Span) -> str:
    """The sentence-sized stretch of text around a span, for the error list."""
    return text[max(0, span[0] - 50) : span[1] + 70]


class Tally:
    def __init__(self) -> None:
        self.c: Counter[tuple[str, str]] = Counter()
        self.errors: list[str] = []
        self.kinds: Counter[str] = Counter()

    def add(self, gold: set[Span], pred: set[Span], text: str) -> None:
        self._classify(gold - pred, pred - gold)
        for s in pred & gold:
            self.c[(s[2], "tp")] += 1
        for s in pred - gold:
            self.c[(s[2], "fp")] += 1
            self.errors.append(f"FP {s[2]} {text[s[0]:s[1]]!r}   | {_around(text, s)}")
        for s in gold - pred:
            self.c[(s[2], "fn")] += 1
            self.errors.append(f"FN {s[2]} {text[s[0]:s[1]]!r}   | {_around(text, s)}")

    def _classify(self, missed: set[Span], extra: set[Span]) -> None:
        """Error classes: the right span with the wrong label, a wrong boundary, a name not
        found at all, a name that is not one."""
        for s in extra:
            if any(g[:2] == s[:2] for g in missed):
                self.kinds[f"label {[g for g in missed if g[:2] == s[:2]][0][2]}->{s[2]}"] += 1
            elif any(g[0] < s[1] and s[0] < g[1] for g in missed):
                self.kinds["boundary"] += 1
            else:
                self.kinds[f"spurious {s[2]}"] += 1
        for g in missed:
            if not any(s[0] < g[1] and g[0] < s[1] for s in extra):
                self.kinds[f"missed {g[2]}"] += 1

    def summary(self) -> str:
        return "    errors: " + ", ".join(f"{k} {n}" for k, n in self.kinds.most_common())

    def line(self, name: str) -> str:
        tot = [sum(self.c[(lab, k)] for lab in corpora.LABELS) for k in ("tp", "fp", "fn")]
        p, r, f = prf(*tot)
        per = "  ".join(
            f"{lab} {prf(*(self.c[(lab, k)] for k in ('tp', 'fp', 'fn')))[2]:.3f}"
            for lab in corpora.LABELS)
        return f"  {name:<14} F1 {f:.3f} (P {p:.3f}, R {r:.3f})   {per}"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpora", type=Path,
                    default=Path(os.environ.get("CLUSTERNEWS_CORPORA",
                                                REPO_ROOT.parent / "shared" / "corpora")))
    ap.add_argument("--models", type=Path, default=None)
    ap.add_argument("--sets", nargs="+", default=["nb", "nn", "sv"], choices=list(PIPELINE_FOR))
    ap.add_argument("--limit", type=int, default=0, help="first N sentences of each set")
    ap.add_argument("--errors", type=int, default=0, help="print N tagger errors per set")
    ap.add_argument("--doc", type=int, default=1,
                    help="tag runs of N consecutive sentences as one text (an article's stretch)")
    args = ap.parse_args(argv)
    tagger = load_tagger(args.models or models_dir())
    analyzer = Analyzer(LanguageDetector(), tagger)
    for key in args.sets:
        sentences = gold_sentences(args.corpora, key)
        if args.limit:
            sentences = sentences[:args.limit]
        words = sum(len(t.split()) for t, _ in sentences)
        n_sentences = len(sentences)
        if args.doc > 1:
            sentences = as_documents(sentences, args.doc)
        nlp = tagger.ner[PIPELINE_FOR[key]]
        alone, through = Tally(), Tally()
        langs: Counter[str] = Counter()
        t_model = t_tag = 0.0
        for text, gold in sentences:
            t0 = time.process_time()
            pred = {(e.start_char, e.end_char, e.label_) for e in nlp(text).ents}
            t1 = time.process_time()
            result = analyzer.analyze(text)
            t2 = time.process_time()
            t_model, t_tag = t_model + t1 - t0, t_tag + t2 - t1
            langs[result["language"]] += 1
            alone.add(gold, pred, text)
            through.add(gold, {(e["start"], e["end"], TAGGER_TO_GOLD[e["label"]])
                               for e in result["entities"]}, text)
        print(f"{key}: {n_sentences} sentences in {len(sentences)} texts, {words} words; "
              f"detected {dict(langs)}")
        print(alone.line("model alone") + f"   {words / t_model:,.0f} words/s")
        print(through.line("through analyze") + f"   {words / t_tag:,.0f} words/s")
        print(through.summary())
        for err in through.errors[:args.errors]:
            print("    " + err)


if __name__ == "__main__":
    main()
