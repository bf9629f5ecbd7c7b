"""Read the shared NER corpora into spaCy DocBins with PER/ORG/LOC labels."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import spacy
from spacy.tokens import Doc, DocBin
from spacy.vocab import Vocab


def default_dir() -> Path:
    """$CLUSTERNEWS_CORPORA, else ../shared/corpora beside the repository."""
    here = Path(__file__).resolve().parent.parent
    return Path(os.environ.get("CLUSTERNEWS_CORPORA", here.parent / "shared/corpora"))

LABELS = ("PER", "ORG", "LOC")
# NorNE: GPE_* is folded into its role; PROD/EVT/DRV/MISC are dropped. The probe measured
# training on the merged labels directly as ~1.8 F better than merging afterwards.
NORNE_MAP = {"PER": "PER", "ORG": "ORG", "GPE_ORG": "ORG", "LOC": "LOC", "GPE_LOC": "LOC"}
# Swedish MISC cost 5 F overall in the probe (74.3 vs 79.1) and the service does not use it.
SV_MAP = {"PER": "PER", "ORG": "ORG", "LOC": "LOC"}
# DaN+ level-1 tags; *part / *deriv ("italienerne") are not names of the entity itself.
DA_MAP = SV_MAP

Sentence = tuple[list[str], list[str], list[bool]]  # words, BIO tags (mapped), space after

# corpus key -> (folder, train file, dev file, reader name)
CORPORA = {
    "nb": ("norne-nb", "no_bokmaal-ndt-train.conll", "no_bokmaal-ud-dev.conllu", "norne"),
    "nn": ("norne-nn", "no_nynorsk-ndt-train.conll", "no_nynorsk-ud-dev.conllu", "norne"),
    "sv": ("swedish-ner", "train_corpus.txt", "dev_corpus.txt", "swedish"),
    "da": ("danplus-news-da", "da_news_train.tsv", "da_news_dev.tsv", "danplus"),
    # Universal NER: Swedish Talbanken (a second Swedish genre: textbooks, essays, news)
    # and Danish DDT (the DaN+ sentences with UNER's PER/ORG/LOC annotation).
    "sv-uner": ("uner-sv", "sv_talbanken-ud-train.iob2", "sv_talbanken-ud-dev.iob2", "uner"),
    "da-uner": ("uner-da", "da_ddt-ud-train.iob2", "da_ddt-ud-dev.iob2", "uner"),
}


def _map_bio(tag: str, mapping: dict[str, str]) -> str:
    """Map one BIO tag through `mapping`; unmapped types become O."""
    if tag in ("O", "", "_") or "-" not in tag:
        return "O"
    prefix, label = tag.split("-", 1)
    new = mapping.get(label)
    return f"{prefix}-{new}" if new else "O"


def _repair_bio(tags: list[str]) -> list[str]:
    """Turn an I- that does not continue the same type into B- (DaN+ has a few; so can mapping)."""
    out: list[str] = []
    prev = "O"
    for tag in tags:
        if tag.startswith("I-") and prev[2:] != tag[2:]:
            tag = "B-" + tag[2:]
        out.append(tag)
        prev = tag
    return out


def _blocks(path: Path) -> Iterator[list[str]]:
    """Yield the non-comment lines of each blank-line separated sentence."""
    block: list[str] = []
    with path.open(encoding="utf-8") as fh:
        for raw in fh:
            line = raw.rstrip("\n")
            if not line.strip():
                if block:
                    yield block
                block = []
            elif not line.startswith("#"):
                block.append(line)
    if block:
        yield block


def read_norne(path: Path) -> Iterator[Sentence]:
    """NorNE in NDT CoNLL (train) or CoNLL-U (dev): FORM + `name=TAG` from column 10."""
    for block in _blocks(path):
        words, tags, spaces = [], [], []
        for line in block:
            cols = line.split("\t")
            if "-" in cols[0] or "." in cols[0]:
                continue  # CoNLL-U multiword / empty nodes (none seen, but legal)
            # NDT paragraph/headline markers, always name=O; UD removed them from dev/test.
            if cols[1] == "|":
                continue
            misc = cols[9].split("|")
            tag = next((m[5:] for m in misc if m.startswith("name=")), "O")
            words.append(cols[1])
            tags.append(_map_bio(tag, NORNE_MAP))
            # dev/test keep UD's SpaceAfter=No, so doc.text is the sentence's real text.
            spaces.append("SpaceAfter=No" not in misc)
        if words:
            yield words, _repair_bio(tags), spaces


def read_swedish(path: Path) -> Iterator[Sentence]:
    """klintan swedish-ner: TOKEN TAG (mixed tab/space), IO tags with `0` for outside."""
    for block in _blocks(path):
        words, labels = [], []
        for line in block:
            parts = line.split()
            word = parts[0].replace("\u00ad", "")  # 45 tokens carry a soft hyphen
            if not word:
                continue
            tag = parts[1] if len(parts) > 1 else "0"  # one line reads just `bn`
            words.append(word)
            labels.append(SV_MAP.get(tag, "O"))
        # IO -> BIO: a maximal run of one type is one entity (adjacent ones cannot be split).
        tags, prev = [], "O"
        for label in labels:
            tags.append("O" if label == "O" else ("I-" if label == prev else "B-") + label)
            prev = label
        if words:
            yield words, tags, [True] * len(words)


def read_danplus(path: Path) -> Iterator[Sentence]:
    """DaN+ news: TOKEN, level-1 BIO, level-2 BIO; keep level 1, PER/ORG/LOC only."""
    for block in _blocks(path):
        cols = [line.split("\t") for line in block]
        words = [c[0] for c in cols]
        tags = [_map_bio(c[1] if len(c) > 1 else "O", DA_MAP) for c in cols]
        yield words, _repair_bio(tags), [True] * len(words)


def read_uner(path: Path) -> Iterator[Sentence]:
    """Universal NER IOB2: index, FORM, tag, -, annotator; `#` comment lines."""
    for block in _blocks(path):
        cols = [line.split("\t") for line in block]
        words = [c[1] for c in cols]
        tags = [_map_bio(c[2], SV_MAP) for c in cols]
        yield words, _repair_bio(tags), [True] * len(words)


READERS = {
    "norne": read_norne,
    "swedish": read_swedish,
    "danplus": read_danplus,
    "uner": read_uner,
}


def read(corpora: Path, key: str, split: str) -> Iterator[Sentence]:
    """Sentences of corpus `key` ("nb", "nn", "sv", "da"), split "train" or "dev"."""
    folder, train, dev, reader = CORPORA[key]
    return READERS[reader](corpora / folder / (train if split == "train" else dev))


def to_doc(vocab: Vocab, words: list[str], tags: list[str], spaces: list[bool]) -> Doc:
    """A gold Doc; the NDT train files carry no SpaceAfter, so their words are space-separated."""
    return Doc(vocab, words=words, spaces=spaces, ents=tags)


def docs(corpora: Path, key: str, split: str, vocab: Vocab | None = None) -> Iterator[Doc]:
    vocab = vocab or spacy.blank("xx").vocab
    for words, tags, spaces in read(corpora, key, split):
        yield to_doc(vocab, words, tags, spaces)


def write_docbin(path: Path, items: Iterable[Doc]) -> int:
    db = DocBin(store_user_data=False)
    n = 0
    for doc in items:
        db.add(doc)
        n += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    db.to_disk(path)
    return n


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpora", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True, help="folder for <key>-<split>.spacy")
    ap.add_argument("--keys", nargs="+", default=list(CORPORA))
    args = ap.parse_args(argv)
    for key in args.keys:
        for split in ("train", "dev"):
            n = write_docbin(args.out / f"{key}-{split}.spacy", docs(args.corpora, key, split))
            print(f"{key}-{split}: {n} docs")


if __name__ == "__main__":
    main()
