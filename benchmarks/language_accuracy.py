"""Accuracy, speed and memory of the language detection stage vs. a seeded langdetect baseline.

    python benchmarks/language_accuracy.py                      # the shipped detector, in full
    python benchmarks/language_accuracy.py --options            # every detector option, a table
    python benchmarks/language_accuracy.py --options --train-splits ../shared/corpora

`--options` measures each configuration of `LanguageDetector` in a fresh process (memory added
on top of numpy, which every ingest worker has loaded for spaCy). `--train-splits` evaluates on
sentences of the UD *train* splits instead (nb/nn NDT, DDT, Talbanken; never in dev.tsv): a
stand-in for the held-out test set, which is built the same way from the test splits.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "src"))

BUCKETS = ("s<40", "s40-100", "s100-250", "para")
LANGS = ("no", "sv", "da", "en", "de", "fi")
NORDIC = ("no", "sv", "da")

Row = tuple[str, str, str]


def default_corpus() -> Path:
    """$CLUSTERNEWS_CORPORA/langid/dev.tsv, else ../shared/corpora/langid/dev.tsv from the repo."""
    corpora = os.environ.get("CLUSTERNEWS_CORPORA")
    base = Path(corpora) if corpora else REPO_ROOT.parent / "shared" / "corpora"
    return base / "langid" / "dev.tsv"


def load_rows(path: Path) -> list[Row]:
    with path.open(encoding="utf-8") as handle:
        next(handle)  # header
        return [tuple(line.rstrip("\n").split("\t", 2)) for line in handle if line.strip()]


def gold(lang: str) -> str:
    return "no" if lang in ("nb", "nn") else lang


def rss_mib() -> float:
    """Current resident set size in MiB (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            pages = int(handle.read().split()[1])
    except OSError:
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def pss_mib() -> float:
    """Proportional set size in MiB from /proc/self/smaps_rollup (0 elsewhere)."""
    try:
        with open("/proc/self/smaps_rollup", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


# Detector options: lingua's languages ((): py3langid and the rules alone) and its mode.
ALL_LINGUA = ("nb", "nn", "sv", "da", "en", "de", "fi", "is", "nl", "fr", "es")
OPTIONS: dict[str, tuple[tuple[str, ...], bool]] = {
    "lingua high x11 + py3langid (before)": (ALL_LINGUA, False),
    "lingua low x11 + py3langid": (ALL_LINGUA, True),
    "lingua high nb/nn/da/sv + py3langid (shipped)": (("nb", "nn", "da", "sv"), False),
    "lingua high nb/nn/da + py3langid": (("nb", "nn", "da"), False),
    "lingua high nb/da + py3langid": (("nb", "da"), False),
    "lingua low nb/nn/da + py3langid": (("nb", "nn", "da"), True),
    "py3langid + rules": ((), False),
}
TRAIN_SPLITS = {  # lang -> (file under the corpora folder, format)
    "nb": ("norne-nb/no_bokmaal-ndt-train.conll", "conll"),
    "nn": ("norne-nn/no_nynorsk-ndt-train.conll", "conll"),
    "da": ("uner-da/da_ddt-ud-train.iob2", "text"),
    "sv": ("uner-sv/sv_talbanken-ud-train.iob2", "text"),
}


def _detokenize(tokens: list[str]) -> str:
    text = " ".join(tokens)
    text = re.sub(r" ([.,:;!?)\]»”])", r"\1", text)
    text = re.sub(r"([(\[«“]) ", r"\1", text)
    return text.replace(" |", "").strip()


def _split_sentences(path: Path, kind: str):  # type: ignore[no-untyped-def]
    tokens: list[str] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if kind == "text":
                if line.startswith("# text = "):
                    yield line[9:].strip()
                continue
            if not line.strip():
                if tokens:
                    yield _detokenize(tokens)
                tokens = []
            elif not line.startswith("#"):
                tokens.append(line.split("\t")[1])
    if tokens:
        yield _detokenize(tokens)


def _bucket(text: str) -> str | None:
    """dev.tsv's sentence buckets (its README); paragraphs are not built here."""
    if len(text) < 40:
        return "s<40" if sum(ch.isalpha() for ch in text) >= 5 else None
    return "s40-100" if len(text) < 100 else "s100-250" if len(text) < 250 else None


def train_split_rows(corpora: Path, dev: list[Row], per_bucket: int = 600) -> list[Row]:
    """Up to `per_bucket` random (seed 11) sentences per language and bucket, none in dev."""
    in_dev = {text for _, _, text in dev}
    rnd = random.Random(11)
    rows: list[Row] = []
    for lang, (name, kind) in TRAIN_SPLITS.items():
        by_bucket: dict[str, list[str]] = defaultdict(list)
        seen: set[str] = set()
        for raw in _split_sentences(corpora / name, kind):
            text = re.sub(r"\s+", " ", raw).strip()
            bucket = _bucket(text)
            if bucket and text not in in_dev and text not in seen:
                seen.add(text)
                by_bucket[bucket].append(text)
        for bucket in ("s<40", "s40-100", "s100-250"):
            texts = by_bucket[bucket]
            rnd.shuffle(texts)
            rows += [(lang, bucket, text) for text in texts[:per_bucket]]
    return rows


def run(rows: list[Row], predict: Callable[[str], tuple[str, str | None]]):
    start = time.perf_counter()
    preds = [predict(text) for _, _, text in rows]
    return preds, len(rows) / (time.perf_counter() - start)


def print_accuracy(title: str, rows: list[Row], preds: list[tuple[str, str | None]]) -> None:
    hits: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for (lang, bucket, _), (pred, _) in zip(rows, preds, strict=True):
        cell = hits[(gold(lang), bucket)]
        cell[0] += pred == gold(lang)
        cell[1] += 1
    print(f"\n{title}: accuracy % (n) by language x bucket")
    print(f"{'lang':<5}" + "".join(f"{b:>16}" for b in BUCKETS))
    for lang in LANGS:
        cells = []
        for bucket in BUCKETS:
            ok, n = hits[(lang, bucket)]
            cells.append(f"{100 * ok / n:>9.1f} ({n:>4})" if n else f"{'-':>16}")
        print(f"{lang:<5}" + "".join(f"{c:>16}" for c in cells))


def print_confusion(rows: list[Row], preds: list[tuple[str, str | None]]) -> None:
    cols = (*NORDIC, "other")
    matrix: dict[str, Counter[str]] = {lang: Counter() for lang in NORDIC}
    for (lang, bucket, _), (pred, _) in zip(rows, preds, strict=True):
        if bucket != "s<40" and gold(lang) in NORDIC:
            matrix[gold(lang)][pred if pred in NORDIC else "other"] += 1
    print("\nconfusion no/sv/da, texts of 40+ chars (rows: truth, columns: detected)")
    print(f"{'':<6}" + "".join(f"{c:>8}" for c in cols) + f"{'n':>8}")
    for lang in NORDIC:
        print(
            f"{lang:<6}"
            + "".join(f"{matrix[lang][c]:>8}" for c in cols)
            + f"{sum(matrix[lang].values()):>8}"
        )
    n_da = sum(matrix["da"].values())
    print(f"Danish reported as Norwegian (40+): {100 * matrix['da']['no'] / n_da:.2f} %")


def print_variants(rows: list[Row], preds: list[tuple[str, str | None]]) -> None:
    hits: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for (lang, bucket, _), (_, variant) in zip(rows, preds, strict=True):
        if lang in ("nb", "nn"):
            for key in (
                (lang, bucket),
                (lang, "40+" if bucket != "s<40" else "<40"),
                ("all", "40+" if bucket != "s<40" else "<40"),
            ):
                cell = hits[key]
                cell[0] += variant == lang
                cell[1] += variant is None
                cell[2] += 1
    print("\nBokmål/Nynorsk variant accuracy % (variant None counts as wrong; none = % None)")
    for key in sorted(hits):
        ok, none, n = hits[key]
        print(f"  {key[0]:<4} {key[1]:<9} {100 * ok / n:6.1f}  none {100 * none / n:5.1f}  (n={n})")


def measure(option: str, rows: list[Row]) -> dict[str, object]:
    """Accuracy cells, Danish->Norwegian, variants, memory and speed of one option."""
    import numpy  # noqa: F401  (loaded in every ingest worker already, for spaCy)

    lingua, low = OPTIONS[option]
    pss0, rss0 = pss_mib(), rss_mib()
    from clusternews.pipeline.language import LanguageDetector

    detector = LanguageDetector(lingua, low_accuracy=low)
    pss1, rss1 = pss_mib(), rss_mib()
    started = time.perf_counter()
    preds = [(r.language, r.variant) for r in (detector.detect(text) for _, _, text in rows)]
    ms = 1000 * (time.perf_counter() - started) / len(rows)
    cells: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    da_no = [0, 0]
    variant = defaultdict(lambda: [0, 0])
    for (lang, bucket, _), (pred, var) in zip(rows, preds, strict=True):
        truth = gold(lang)
        cell = cells[f"{truth} {bucket}"]
        cell[0] += pred == truth
        cell[1] += 1
        if truth == "da" and bucket != "s<40":
            da_no[0] += pred == "no"
            da_no[1] += 1
        if lang in ("nb", "nn"):
            key = "<40" if bucket == "s<40" else "40+"
            variant[key][0] += var == lang
            variant[key][1] += 1
    return {"cells": cells, "da_no": da_no, "variant": variant, "ms": ms,
            "pss": max(pss_mib(), pss1) - pss0, "rss": max(rss_mib(), rss1) - rss0}


def print_options(results: dict[str, dict], buckets: tuple[str, ...]) -> None:  # type: ignore[type-arg]
    def pct(cell: list[int] | None) -> str:
        return f"{100 * cell[0] / cell[1]:.1f}" if cell and cell[1] else "-"

    cols = [f"{lang} {b}" for lang in NORDIC for b in buckets] + ["en s<40", "de s<40", "fi s<40"]
    head = ["option", *cols, "da->no 40+", "nb/nn 40+", "nb/nn <40", "PSS MiB", "RSS MiB",
            "ms/call"]
    print("| " + " | ".join(head) + " |")
    print("|---" + "|---:" * (len(head) - 1) + "|")
    for name, res in results.items():
        cells = res["cells"]
        row = [name, *(pct(cells.get(c)) for c in cols)]
        da_no = res["da_no"]
        row.append(f"{100 * da_no[0] / da_no[1]:.2f}" if da_no[1] else "-")
        row += [pct(res["variant"].get("40+")), pct(res["variant"].get("<40"))]
        row += [f"+{res['pss']:.0f}", f"+{res['rss']:.0f}", f"{res['ms']:.2f}"]
        print("| " + " | ".join(row) + " |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=None, help="dev.tsv (default: %(default)s)")
    parser.add_argument("--skip-baseline", action="store_true", help="skip langdetect")
    parser.add_argument("--options", action="store_true",
                        help="measure every detector option, each in a fresh process")
    parser.add_argument("--train-splits", type=Path, metavar="CORPORA",
                        help="evaluate on UD train-split sentences from this corpora folder")
    parser.add_argument("--measure", choices=sorted(OPTIONS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    path = args.corpus or default_corpus()
    if not path.is_file():
        print(f"corpus not found: {path} (set --corpus or CLUSTERNEWS_CORPORA)", file=sys.stderr)
        return 2
    rows = load_rows(path)
    if args.train_splits:
        rows = train_split_rows(args.train_splits, rows)
    if args.measure:
        print(json.dumps(measure(args.measure, rows)))
        return 0
    source = f"train splits of {args.train_splits}" if args.train_splits else str(path)
    print(f"corpus: {source} ({len(rows)} rows)")
    if args.options:
        results = {}
        for name in OPTIONS:
            cmd = [sys.executable, __file__, "--measure", name, "--corpus", str(path)]
            if args.train_splits:
                cmd += ["--train-splits", str(args.train_splits)]
            done = subprocess.run(cmd, check=True, capture_output=True, text=True)
            results[name] = json.loads(done.stdout.strip().splitlines()[-1])
        buckets = BUCKETS if not args.train_splits else BUCKETS[:3]
        print_options(results, buckets)
        return 0

    rss0, t0 = rss_mib(), time.perf_counter()
    from clusternews.pipeline.language import LanguageDetector

    detector = LanguageDetector()
    load_s, rss_load = time.perf_counter() - t0, rss_mib() - rss0

    def ours(text: str) -> tuple[str, str | None]:
        result = detector.detect(text)
        return result.language, result.variant

    preds, dps = run(rows, ours)
    rss_ours = rss_mib() - rss0
    print_accuracy("clusternews LanguageDetector", rows, preds)
    print_confusion(rows, preds)
    print_variants(rows, preds)
    again, _ = run(rows[::7], ours)
    stable = again == preds[::7] and again == run(rows[::7], ours)[0]
    print(
        f"\nours: load {load_s:.2f} s, {dps:,.0f} docs/s, RSS +{rss_load:.0f} MiB after load, "
        f"+{rss_ours:.0f} MiB after the run; deterministic on re-run: {stable}"
    )

    if not args.skip_baseline:
        rss1, t1 = rss_mib(), time.perf_counter()
        from langdetect import DetectorFactory, detect
        from langdetect.lang_detect_exception import LangDetectException

        DetectorFactory.seed = 0  # langdetect is random-sampled; a seed makes it repeatable
        detect("warm up the profiles")
        ld_load = time.perf_counter() - t1

        def baseline(text: str) -> tuple[str, str | None]:
            try:
                lang = detect(text)
            except LangDetectException:
                return "und", None
            return ("no" if lang in ("no", "nb", "nn") else lang), None

        ld_preds, ld_dps = run(rows, baseline)
        print_accuracy("baseline langdetect 1.0.9 (55 languages, seed 0)", rows, ld_preds)
        print_confusion(rows, ld_preds)
        print(
            f"\nlangdetect: load {ld_load:.2f} s, {ld_dps:,.0f} docs/s, "
            f"RSS +{rss_mib() - rss1:.0f} MiB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
