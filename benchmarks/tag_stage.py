"""Speed and memory of the whole tag stage on 600-word articles: language detection, NER,
knowledge-base rules and linking, through `process_article` as ingestion runs it.

The demo articles of each language are joined and cut into articles of exactly 600 words.
Prints load time, words per second on one core, ms per article and resident memory.
Usage: python benchmarks/tag_stage.py [--rounds 5] [--models DIR] [--words 600]
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # words/s per core
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from clusternews.adapters.nlp import load_tagger  # noqa: E402
from clusternews.assets import models_dir  # noqa: E402
from clusternews.demo.site import load_articles  # noqa: E402
from clusternews.models import Entry  # noqa: E402
from clusternews.pipeline.language import LanguageDetector  # noqa: E402
from clusternews.pipeline.process import process_article  # noqa: E402


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def articles(length: int) -> list[str]:
    """Articles of `length` words, one language each, paragraphs kept."""
    by_lang: dict[str, list[str]] = {}
    for a in load_articles():
        by_lang.setdefault(a["language"], []).extend([a["title"], a["lead"], *a["paragraphs"]])
    out = []
    for paragraphs in by_lang.values():
        current: list[str] = []
        words = 0
        for p in paragraphs * 3:
            take = p.split()[: length - words]
            current.append(" ".join(take))
            words += len(take)
            if words == length:
                out.append("\n\n".join(current))
                current, words = [], 0
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--words", type=int, default=600)
    parser.add_argument("--models", type=Path, default=None)
    args = parser.parse_args()
    texts = articles(args.words)
    before = rss_mib()
    started = time.perf_counter()
    tagger = load_tagger(args.models or models_dir())
    detector = LanguageDetector()
    load = time.perf_counter() - started
    after_load = rss_mib()
    entry = Entry(url="file:///bench")

    def run(text: str) -> int:
        done = process_article(entry, None, detector=detector, tagger=tagger, tz="Europe/Oslo",
                               now=None, text=text)
        stage["language"] += done.timings["language"]
        stage["tag"] += done.timings["tag"]
        return len(done.tags.mentions)

    stage = {"language": 0.0, "tag": 0.0}
    run(texts[0])  # warm-up
    stage = {"language": 0.0, "tag": 0.0}
    cpu0, wall0 = time.process_time(), time.perf_counter()
    mentions = sum(run(text) for _ in range(args.rounds) for text in texts)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    n = len(texts) * args.rounds
    total = args.words * n
    print(f"pipelines: {', '.join(sorted(tagger.ner))}; load {load:.2f} s (tagger + detector); "
          f"RSS {before:.0f} -> {after_load:.0f} MiB (+{after_load - before:.0f}); "
          f"peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    print(f"{n} articles of {args.words} words in {wall:.2f} s wall, {cpu:.2f} s CPU: "
          f"{total / cpu:,.0f} words/s per core, {1000 * cpu / n:.1f} ms per article "
          f"(language {1000 * stage['language'] / n:.1f} ms, "
          f"tag {1000 * stage['tag'] / n:.1f} ms); "
          f"{mentions / n:.1f} mentions per article")


if __name__ == "__main__":
    main()
