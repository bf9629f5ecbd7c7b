"""`spacy pretrain` of the NER pipelines' tok2vec on the shared raw text (issue 8's idea list).

The pretraining objective (spaCy's PretrainCharacters: predict each token's first and last
characters from its context) teaches the small CNN how Norwegian or Swedish text is shaped
before it ever sees an annotated sentence. The weights go to build/pretrain/<lang>/ and
`build_models.py` starts a model from them when its spec names `init_tok2vec`.

The raw text never leaves build/: it is read from ../shared/corpora, written as JSONL, and
only the learned weights are used. NoReC is ~2 % Nynorsk (README of raw-no); those reviews are
found by marker words and repeated, since Nynorsk is the weakest dev set and has no raw text of
its own.

    python training/pretrain.py --lang no [--words 3000000] [--epochs 1]   # ~15 min on one core
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import time
from collections.abc import Iterator
from typing import TextIO
from pathlib import Path

# One BLAS thread, as `spacy train` in build_models.py: set before numpy is imported.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

RAW = {
    "no": ("ner-no-v96.cfg", ["raw-no/norec-train-dev.txt.gz"], "no"),
    "sv": ("ner-sv-v96.cfg", ["raw-sv/g0vse.txt.gz", "raw-sv/interpellations.txt.gz"], "sv"),
}
NYNORSK = re.compile(r"\b(ikkje|eg|kva|korleis|berre|frå|eit|dei|vore|noko|mykje)\b")
BOKMAL = re.compile(r"\b(ikke|jeg|hva|hvordan|bare|fra|et|de|vært|noe|mye)\b")
NYNORSK_REPEAT = 3
CHUNK_WORDS = 120
# --news: the labelled corpora's train halves as plain text (their labels unused), news and
# government text of the kind the tagger reads, repeated so they weigh against the raw text.
NEWS = {"no": {"nb": 2, "nn": 4}, "sv": {"sv": 5, "sv-uner": 2}}

# What `spacy pretrain` reads besides the training config: the raw text and the vectors.
PRETRAIN_INPUT = """
[corpora.pretrain]
@readers = "spacy.JsonlCorpus.v1"
path = ${paths.raw_text}
min_length = 5
max_length = 300
limit = 0

[nlp.vectors]
@vectors = "clusternews.VectorsFromDisk.v1"
path = null

"""
# The [pretraining] block. `spacy train` needs it too: it loads `init_tok2vec` only when the
# config has a non-empty [pretraining] section naming the component (Language.initialize).
PRETRAINING = """
[pretraining]
max_epochs = 1
dropout = 0.2
n_save_every = null
n_save_epoch = null
component = "tok2vec"
layer = ""
corpus = "corpora.pretrain"

[pretraining.batcher]
@batchers = "spacy.batch_by_words.v1"
size = 3000
discard_oversize = false
tolerance = 0.2
get_length = null

[pretraining.objective]
@architectures = "spacy.PretrainCharacters.v1"
maxout_pieces = 3
hidden_size = 300
n_characters = 4

[pretraining.optimizer]
@optimizers = "Adam.v1"
beta1 = 0.9
beta2 = 0.999
L2_is_weight_decay = true
L2 = 0.01
grad_clip = 1.0
use_averages = true
eps = 1e-8
learn_rate = 0.001
"""


def with_pretraining(config_text: str) -> str:
    """A training config with its empty [pretraining] section filled in."""
    if "[pretraining]\n\n" not in config_text:
        raise ValueError("expected an empty [pretraining] section in the training config")
    return config_text.replace("[pretraining]\n\n", PRETRAINING.lstrip("\n") + "\n", 1)


def _register_vectors() -> None:
    from spacy.util import registry
    from spacy.vectors import Vectors

    @registry.vectors("clusternews.VectorsFromDisk.v1")
    def vectors_from_disk(path: str):  # type: ignore[no-untyped-def]
        def create(vocab):  # type: ignore[no-untyped-def]
            return Vectors(strings=vocab.strings).from_disk(path)

        return create


def documents(corpora: Path, files: list[str]) -> Iterator[str]:
    """One review or page per blank-line-separated block."""
    for name in files:
        with gzip.open(corpora / name, "rt", encoding="utf-8") as fh:
            block: list[str] = []
            for line in fh:
                line = line.strip()
                if line:
                    block.append(line)
                elif block:
                    yield "\n".join(block)
                    block = []
            if block:
                yield "\n".join(block)


def chunks(text: str, words: int = CHUNK_WORDS) -> Iterator[str]:
    """Runs of whole lines of about `words` words: spaCy's JsonlCorpus skips long documents."""
    run: list[str] = []
    n = 0
    for line in text.split("\n"):
        run.append(line)
        n += len(line.split())
        if n >= words:
            yield " ".join(run)
            run, n = [], 0
    if run:
        yield " ".join(run)


def is_nynorsk(text: str) -> bool:
    low = text.lower()
    return len(NYNORSK.findall(low)) > 2 * len(BOKMAL.findall(low)) + 2


def write_raw(corpora: Path, lang: str, out: Path, budget: int) -> tuple[int, int]:
    """JSONL of {"text": …}, at most `budget` words; returns (words, Nynorsk documents)."""
    words = nn = 0
    with out.open("w", encoding="utf-8") as fh:
        for text in documents(corpora, RAW[lang][1]):
            n = len(text.split())
            repeat = 1
            if lang == "no" and is_nynorsk(text):
                repeat, nn = NYNORSK_REPEAT, nn + 1
            elif words >= budget:
                continue  # past the budget only Nynorsk is still taken
            for _ in range(repeat):
                for chunk in chunks(text):
                    fh.write(json.dumps({"text": chunk}, ensure_ascii=False) + "\n")
            words += n * repeat
    return words, nn


def write_news(corpora_dir: Path, lang: str, fh: TextIO) -> int:
    """Append the train halves' sentences as documents of ~CHUNK_WORDS words; returns words."""
    import corpora

    total = 0
    for key, repeat in NEWS[lang].items():
        text = "\n".join(" ".join(words) for words, _tags, _sp in corpora.read(corpora_dir, key, "train"))
        n = len(text.split())
        for _ in range(repeat):
            for chunk in chunks(text):
                fh.write(json.dumps({"text": chunk}, ensure_ascii=False) + "\n")
        total += n * repeat
    return total


def main(argv: list[str] | None = None) -> None:
    import corpora  # after the thread settings above: it imports spaCy (and numpy)

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--lang", choices=sorted(RAW), required=True)
    ap.add_argument(
        "--corpora",
        type=Path,
        default=corpora.default_dir(),
    )
    ap.add_argument("--build", type=Path, default=ROOT / "build" / "pretrain")
    ap.add_argument("--vectors", type=Path, default=None,
                    help="spaCy pipeline whose vocab holds the floret vectors "
                         "(default build/vectors/<lang>-vectors)")
    ap.add_argument("--words", type=int, default=3_000_000)
    ap.add_argument("--news", action="store_true",
                    help="add the labelled corpora's train-half text (NEWS), to build/pretrain-news")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--resume", type=Path, default=None,
                    help="weights of a finished epoch (modelN.bin) to go on from")
    args = ap.parse_args(argv)
    config_name, _, vec_name = RAW[args.lang]
    vectors = args.vectors or ROOT / "build" / "vectors" / f"{vec_name}-vectors"
    if args.news and args.build == ROOT / "build" / "pretrain":
        args.build = ROOT / "build" / "pretrain-news"
    out = args.build / args.lang
    out.mkdir(parents=True, exist_ok=True)
    raw = args.build / f"{args.lang}.jsonl"
    if not raw.exists():
        words, nn = write_raw(args.corpora, args.lang, raw, args.words)
        print(f"{args.lang}: {words:,} words of raw text, {nn} Nynorsk documents x"
              f"{NYNORSK_REPEAT}", flush=True)
        if args.news:
            with raw.open("a", encoding="utf-8") as fh:
                print(f"{args.lang}: + {write_news(args.corpora, args.lang, fh):,} words of"
                      f" train-half text {NEWS[args.lang]}", flush=True)
    config = args.build / f"{args.lang}.cfg"
    base = (HERE / "configs" / config_name).read_text(encoding="utf-8")
    # The training config with its [nlp.vectors] replaced by the floret table on disk: spaCy's
    # pretrain builds the pipeline from config alone and never runs [initialize] vectors.
    base = base.replace('[nlp.vectors]\n@vectors = "spacy.Vectors.v1"\n', "")
    base = with_pretraining(base).replace("[paths]\n", "[paths]\nraw_text = null\n", 1)
    config.write_text(base + PRETRAIN_INPUT, encoding="utf-8")
    from spacy import util

    _register_vectors()
    from spacy.training.pretrain import pretrain

    overrides = {"paths.raw_text": str(raw), "nlp.vectors.path": str(vectors / "vocab"),
                 "pretraining.max_epochs": args.epochs}
    print(f"pretraining {config} -> {out}", flush=True)
    start = time.perf_counter()
    resume_epoch = None
    if args.resume is not None:  # model0.bin holds epoch 0: go on with epoch 1
        resume_epoch = int(args.resume.stem.removeprefix("model")) + 1
    pretrain(util.load_config(config, overrides=overrides, interpolate=False).interpolate(), out,
             resume_path=args.resume, epoch_resume=resume_epoch, silent=False)
    print(f"pretrained in {time.perf_counter() - start:.0f} s: {out / 'model-last.bin'}")


if __name__ == "__main__":
    main()
