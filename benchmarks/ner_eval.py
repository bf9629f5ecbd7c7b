"""P/R/F per label, words/s, load time and memory of the shipped NER pipelines on each dev set."""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

# One thread: the figure is words/s per core (set before numpy/blis load).
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "src"))
sys.path.insert(0, str(REPO_ROOT / "training"))

import corpora  # noqa: E402
import spacy  # noqa: E402
from corpora import LABELS  # noqa: E402
from scoring import score  # noqa: E402

from clusternews.assets import models_dir  # noqa: E402

# Dev set -> shipped pipeline that serves it; a joint ner-nordic, if shipped, serves them all.
# DaN+ (Danish) is only a sanity check: no Danish model ships, Bokmål is the nearest written form.
PIPELINE_FOR = {"nb": "ner-no", "nn": "ner-no", "sv": "ner-sv", "da": "ner-no"}


def default_corpora() -> Path:
    env = os.environ.get("CLUSTERNEWS_CORPORA")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "corpora"


def pipeline_for(key: str, models: Path) -> str:
    return "ner-nordic" if (models / "ner-nordic").is_dir() else PIPELINE_FOR[key]


def rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def dir_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpora", type=Path, default=default_corpora())
    ap.add_argument("--models", type=Path, default=None, help="default: clusternews models_dir()")
    ap.add_argument(
        "--sets", nargs="+", default=["nb", "nn", "sv", "da"], choices=list(PIPELINE_FOR)
    )
    ap.add_argument(
        "--raw",
        action="store_true",
        help="also score with the pipeline's own tokenizer on the sentence text",
    )
    ap.add_argument("--json", type=Path, help="write the results here too")
    args = ap.parse_args(argv)
    models = args.models or models_dir()

    base_rss = rss_mib()
    nlps, load_s = {}, {}
    for name in sorted({pipeline_for(k, models) for k in args.sets}):
        start = time.perf_counter()
        nlps[name] = spacy.load(models / name)
        load_s[name] = time.perf_counter() - start
    loaded_rss = rss_mib()
    print(f"models: {models}")
    for name, nlp in nlps.items():
        print(
            f"  {name}: {nlp.meta['name']} {nlp.meta['version']} lang={nlp.lang} "
            f"labels={list(nlp.get_pipe('ner').labels)} {dir_mb(models / name):.1f} MB on disk, "
            f"load {load_s[name]:.2f} s"
        )
    print(
        f"RSS: {base_rss:.0f} MiB before loading, {loaded_rss:.0f} MiB with all loaded "
        f"(+{loaded_rss - base_rss:.0f})"
    )

    results = {}
    modes = [False, True] if args.raw else [False]
    for key in args.sets:
        name = pipeline_for(key, models)
        nlp = nlps[name]
        gold = list(corpora.docs(args.corpora, key, "dev", nlp.vocab))
        for raw in modes:
            res = score(nlp, gold, raw=raw)
            tag = f"{key}{'-raw' if raw else ''}"
            results[tag] = {**res, "pipeline": name}
            how = "own tokenizer on text" if raw else "gold tokens"
            print(
                f"\n{tag} dev ({name}, {how}): {res['sentences']} sentences, "
                f"{res['words']} words, {res['words_per_s']:,.0f} words/s (1 thread)"
            )
            print(f"  {'label':<8}{'P':>7}{'R':>7}{'F':>7}{'n':>6}")
            for lab in LABELS:
                d = res["per_type"][lab]
                print(f"  {lab:<8}{d['p']:7.1%}{d['r']:7.1%}{d['f']:7.1%}{res['support'][lab]:6d}")
            print(
                f"  {'overall':<8}{res['p']:7.1%}{res['r']:7.1%}{res['f']:7.1%}"
                f"{sum(res['support'].values()):6d}"
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS {peak:.0f} MiB")
    if args.json:
        summary = {"load_s": load_s, "rss_loaded_mib": loaded_rss - base_rss, "results": results}
        args.json.write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
