"""Static floret vectors for the NER pipelines, trained here on the shared raw text.

The raw corpora (NoReC reviews, regeringen.se pages, Riksdag interpellations) are read from
`../shared/corpora` and tokenized with the pipeline's own spaCy tokenizer, so that the vectors'
tokens are the tokens the NER sees. Only the trained vector table ships (inside the pipeline);
the text never leaves build/.

    python training/vectors.py --lang no      # build/vectors/no.floret, then spacy init vectors
"""

from __future__ import annotations

import argparse
import gzip
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import corpora
import spacy

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

# corpus files per vector table, and the spaCy language whose tokenizer cuts them.
RAW = {
    "no": ("nb", ["raw-no/norec-train-dev.txt.gz"]),
    "sv": ("sv", ["raw-sv/g0vse.txt.gz", "raw-sv/interpellations.txt.gz"]),
}
# A small table: bucket x dim x 4 bytes = 50,000 x 100 x 4 = 20 MB per language in models/.
# floret's hashing (2 hashes of the word and its 4-5 character n-grams) gives every token a
# vector, including compounds and inflections never seen whole.
FLORET = {
    "model": "skipgram",
    "mode": "floret",
    "hashCount": 2,
    "bucket": 50000,
    "minn": 4,
    "maxn": 5,
    "dim": 100,
    "epoch": 5,
    "minCount": 5,
    "neg": 10,
}


def lines(corpora: Path, files: list[str]) -> Iterator[str]:
    for name in files:
        with gzip.open(corpora / name, "rt", encoding="utf-8") as fh:
            for line in fh:
                line = line.strip()
                if line:
                    yield line


def tokenize(corpora: Path, lang: str, out: Path) -> int:
    """One line per paragraph, tokens separated by single spaces; returns the token count."""
    spacy_lang, files = RAW[lang]
    nlp = spacy.blank(spacy_lang)
    n = 0
    with out.open("w", encoding="utf-8") as fh:
        for doc in nlp.tokenizer.pipe(lines(corpora, files), batch_size=2000):
            words = [t.text for t in doc if not t.is_space]
            n += len(words)
            fh.write(" ".join(words) + "\n")
    return n


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--lang", choices=sorted(RAW), required=True)
    ap.add_argument(
        "--corpora",
        type=Path,
        default=corpora.default_dir(),
    )
    ap.add_argument("--build", type=Path, default=ROOT / "build" / "vectors")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)
    import floret  # build-time only: not a runtime dependency

    args.build.mkdir(parents=True, exist_ok=True)
    text = args.build / f"{args.lang}.txt"
    start = time.perf_counter()
    if not text.exists():
        print(f"{args.lang}: {tokenize(args.corpora, args.lang, text):,} tokens", flush=True)
    print(f"tokenized in {time.perf_counter() - start:.0f} s", flush=True)
    start = time.perf_counter()
    model = floret.train_unsupervised(str(text), thread=args.threads, verbose=1, **FLORET)
    vec = args.build / f"{args.lang}.floret"
    model.save_floret_vectors(str(vec))
    print(f"floret trained in {time.perf_counter() - start:.0f} s", flush=True)
    spacy_lang = RAW[args.lang][0]
    target = args.build / f"{args.lang}-vectors"
    subprocess.run(
        [sys.executable, "-m", "spacy", "init", "vectors", spacy_lang, str(vec), str(target),
         "--mode", "floret"],
        check=True,
    )
    print(f"spaCy vectors in {target}")


if __name__ == "__main__":
    main()
