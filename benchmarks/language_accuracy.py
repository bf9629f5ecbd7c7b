"""Accuracy, speed and memory of the language detection stage vs. a seeded langdetect baseline."""

from __future__ import annotations

import argparse
import os
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=None, help="dev.tsv (default: %(default)s)")
    parser.add_argument("--skip-baseline", action="store_true", help="skip langdetect")
    args = parser.parse_args()
    path = args.corpus or default_corpus()
    if not path.is_file():
        print(f"corpus not found: {path} (set --corpus or CLUSTERNEWS_CORPORA)", file=sys.stderr)
        return 2
    rows = load_rows(path)
    print(f"corpus: {path} ({len(rows)} rows)")

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
