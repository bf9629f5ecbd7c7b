"""Speed and memory of the whole tag stage (NER + knowledge-base rules + linking).

Tags the demo articles (title + body) repeatedly in one process; prints load time, words per
second on one core, and resident memory with every pipeline and the knowledge base loaded.
Usage: python benchmarks/tag_stage.py [--rounds 20]
"""

from __future__ import annotations

import argparse
import resource
import time

from clusternews.adapters.nlp import load_tagger
from clusternews.demo.site import load_articles


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    texts = [(a["title"] + "\n\n" + a["lead"] + "\n\n" + "\n\n".join(a["paragraphs"]),
              "sv" if a["language"] == "sv" else "no") for a in load_articles()]
    before = rss_mib()
    started = time.perf_counter()
    tagger = load_tagger()
    load = time.perf_counter() - started
    after_load = rss_mib()
    words = sum(len(t.split()) for t, _ in texts)
    tagger.tag(texts[0][0], language=texts[0][1])  # warm-up
    cpu0, wall0 = time.process_time(), time.perf_counter()
    mentions = 0
    for _ in range(args.rounds):
        for text, lang in texts:
            mentions += len(tagger.tag(text, language=lang).mentions)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    total = words * args.rounds
    print(f"pipelines: {', '.join(sorted(tagger.ner))}; load {load:.2f} s; "
          f"RSS {before:.0f} -> {after_load:.0f} MiB (+{after_load - before:.0f}); "
          f"peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    print(f"tagged {total} words ({len(texts) * args.rounds} articles) in {wall:.2f} s wall, "
          f"{cpu:.2f} s CPU: {total / cpu:,.0f} words/s per core, "
          f"{1000 * wall / (len(texts) * args.rounds):.1f} ms per article; "
          f"{mentions / args.rounds / len(texts):.1f} mentions per article")


if __name__ == "__main__":
    main()
