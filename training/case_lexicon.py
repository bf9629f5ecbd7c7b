"""Words the raw text writes in lower case: the capitalized first word of a sentence that is one
of them ("Steik brøda …", "Grove brød …") is a word, not a name (issue 8, tagger rule).

Counts each word's forms away from a sentence start in the shared raw text (NoReC for Norwegian,
regeringen.se + Riksdag for Swedish) and keeps those written in lower case at least MIN_LOWER
times and capitalized at most MAX_CAPITAL of the time. Only the word list is written, never text.

    python training/case_lexicon.py --lang no [--corpora ../shared/corpora] [--out models/kb]
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpora  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FILES = {"no": ["raw-no/norec-train-dev.txt.gz"],
         "sv": ["raw-sv/g0vse.txt.gz", "raw-sv/interpellations.txt.gz"]}
# The annotated training halves add the Nynorsk the raw text lacks; only their train splits.
ANNOTATED = {"no": ["nb", "nn"], "sv": ["sv", "sv-uner"]}
MIN_LOWER = 3
MAX_CAPITAL = 0.02  # of its mid-sentence uses; names are capitalized nearly always
WORD = re.compile(r"[^\W\d_][^\W\d_-]*(?:-[^\W\d_]+)*")
START = re.compile(r"(^|[.!?:;\"«»“”–-])\s*$")


def raw_words(paths: list[Path]) -> Iterator[str]:
    """Words of the raw text that do not open a sentence."""
    for path in paths:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            for line in f:
                for m in WORD.finditer(line):
                    if not START.search(line[max(0, m.start() - 3):m.start()]):
                        yield m.group()


def annotated_words(corpora_dir: Path, keys: list[str]) -> Iterator[str]:
    """Words of the annotated train halves that do not open a sentence."""
    for key in keys:
        for words, _tags, _spaces in corpora.read(corpora_dir, key, "train"):
            for i, w in enumerate(words):
                if i and not START.search(words[i - 1]) and WORD.fullmatch(w):
                    yield w


def count(words: Iterable[str]) -> tuple[Counter[str], Counter[str]]:
    lower: Counter[str] = Counter()
    capital: Counter[str] = Counter()
    for w in words:
        if w.islower():
            lower[w] += 1
        elif w[0].isupper() and w[1:].islower():
            capital[w.lower()] += 1
    return lower, capital


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lang", choices=sorted(FILES), required=True)
    ap.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    ap.add_argument("--out", type=Path, default=ROOT / "models" / "kb")
    args = ap.parse_args()
    lower, capital = count(raw_words([args.corpora / f for f in FILES[args.lang]]))
    more_lower, more_capital = count(annotated_words(args.corpora, ANNOTATED[args.lang]))
    lower.update(more_lower)
    capital.update(more_capital)
    words = sorted(w for w, n in lower.items()
                   if n >= MIN_LOWER and capital[w] <= MAX_CAPITAL * (n + capital[w]))
    args.out.mkdir(parents=True, exist_ok=True)
    target = args.out / f"lowercase-{args.lang}.txt.gz"
    with gzip.open(target, "wt", encoding="utf-8", compresslevel=9) as f:
        f.write("\n".join(words) + "\n")
    print(f"{target}: {len(words)} words, {target.stat().st_size / 1e3:.0f} kB")


if __name__ == "__main__":
    main()
