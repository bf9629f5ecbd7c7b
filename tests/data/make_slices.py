"""Write the small test slices in tests/data/ from the shared corpora (run by hand, not by pytest).

    .venv/bin/python tests/data/make_slices.py --corpora ../shared/corpora

NER (tests/data/<corpus>/<key>.jsonl), one sentence per line:
    {"id": ..., "text": ..., "tokens": [...], "spaces": [...], "tags": [...]}
read through `training/corpora.py` (`corpora.read(dir, key, "dev")`, so the tags are the
project's PER/ORG/LOC BIO tags) and kept when the sentence's 0-based position i in that
sequence has i % 3 == 0 (the rule tests/test_ner_models.py always used), except UNER Talbanken,
whose dev half (504 sentences, 23 entities) is kept whole because a third of it would leave 8.
`text` is the sentence's own text (CoNLL-U `# text`, checked against tokens + spaces); the
tokenised swedish-ner has none, so its tokens are joined by single spaces.

Language ID (tests/data/langid/dev-slice.tsv): the nb, nn, sv and da rows of langid/dev.tsv;
within each (lang, bucket) stratum, in file order, row j (0-based) is kept when
j % ceil(n / 150) == 0, so at most 150 rows per stratum. en/de/fi are left out (the tests
do not use them, and the corpus README flags the en/de texts' status).

Swedish agencies (tests/data/orgs-se-agencies/agencies.tsv): the name and org_nr columns of
every row of orgs-se-agencies/agencies.tsv, for tests/test_kb_entities.py.

The output is deterministic: running the script again gives byte-identical files.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[1]
sys.path.insert(0, str(REPO_ROOT / "training"))

import corpora  # noqa: E402

# key -> (output folder, licence files copied beside the slice, keep every nth sentence)
NER_SLICES = {
    "nb": ("norne", ["LICENSE_NDT.txt"], 3),
    "nn": ("norne", ["LICENSE_NDT.txt"], 3),
    "sv": ("swedish-ner", ["LICENSE"], 3),
    "sv-uner": ("uner-sv", ["LICENSE.txt"], 1),
}
LANGID_LANGS = ("nb", "nn", "sv", "da")
LANGID_CAP = 150


def _comment_blocks(path: Path) -> Iterator[dict[str, str]]:
    """`# key = value` comments of each sentence that has token lines (as corpora._blocks)."""
    comments: dict[str, str] = {}
    has_tokens = False
    with path.open(encoding="utf-8") as fh:
        for raw in fh:
            line = raw.rstrip("\n")
            if not line.strip():
                if has_tokens:
                    yield comments
                comments, has_tokens = {}, False
            elif line.startswith("#"):
                key, sep, value = line[1:].partition("=")
                if sep:
                    comments[key.strip()] = value.strip()
            else:
                has_tokens = True
    if has_tokens:
        yield comments


def _spaces_from_text(words: list[str], text: str) -> list[bool] | None:
    """Whether each word is followed by whitespace in `text`; None when they do not align."""
    spaces, pos = [], 0
    for word in words:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if not text.startswith(word, pos):
            return None
        pos += len(word)
        spaces.append(pos < len(text) and text[pos].isspace())
    return spaces if not text[pos:].strip() else None


def _join(words: list[str], spaces: list[bool]) -> str:
    return "".join(w + (" " if s else "") for w, s in zip(words, spaces, strict=True)).rstrip()


def ner_records(corpora_dir: Path, key: str, every: int) -> list[dict]:
    folder, _train, dev, reader = corpora.CORPORA[key]
    path = corpora_dir / folder / dev
    sentences = list(corpora.read(corpora_dir, key, "dev"))
    comments = list(_comment_blocks(path)) if reader in ("norne", "uner") else None
    if comments is not None and len(comments) != len(sentences):
        raise SystemExit(f"{key}: {len(comments)} comment blocks for {len(sentences)} sentences")
    out = []
    for i, (words, tags, spaces) in enumerate(sentences):
        if i % every:
            continue
        if comments is not None:
            text = comments[i]["text"]
            sent_id = comments[i]["sent_id"]
            real = _spaces_from_text(words, text)
            if real is None:
                raise SystemExit(f"{key} {sent_id}: tokens do not align with # text")
            if reader == "norne" and real[:-1] != spaces[:-1]:
                raise SystemExit(f"{key} {sent_id}: SpaceAfter disagrees with # text")
            spaces = real
        else:  # swedish-ner: tokens only, numbered 1.. in file order
            sent_id = f"{i + 1}"
            spaces = [True] * len(words)
        spaces = [*spaces[:-1], False]
        text = _join(words, spaces)
        if comments is not None and text != " ".join(comments[i]["text"].split()):
            raise SystemExit(f"{key} {sent_id}: rebuilt text differs from # text")
        out.append({"id": sent_id, "text": text, "tokens": words, "spaces": spaces, "tags": tags})
    return out


def langid_rows(corpora_dir: Path) -> tuple[str, list[str]]:
    with (corpora_dir / "langid" / "dev.tsv").open(encoding="utf-8") as fh:
        header = next(fh)
        rows = [line for line in fh if line.split("\t", 1)[0] in LANGID_LANGS]
    strata: dict[tuple[str, str], list[str]] = defaultdict(list)
    for line in rows:
        lang, bucket, _ = line.split("\t", 2)
        strata[(lang, bucket)].append(line)
    keep = set()
    for lines in strata.values():
        step = math.ceil(len(lines) / LANGID_CAP)
        keep.update(id(line) for j, line in enumerate(lines) if j % step == 0)
    return header, [line for line in rows if id(line) in keep]  # file order


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--corpora",
        type=Path,
        default=Path(
            os.environ.get("CLUSTERNEWS_CORPORA", REPO_ROOT.parent / "shared" / "corpora")
        ),
    )
    ap.add_argument("--out", type=Path, default=HERE)
    args = ap.parse_args(argv)
    for key, (folder, licences, every) in NER_SLICES.items():
        records = ner_records(args.corpora, key, every)
        target = args.out / folder
        target.mkdir(parents=True, exist_ok=True)
        with (target / f"{key}.jsonl").open("w", encoding="utf-8", newline="\n") as fh:
            for rec in records:
                fh.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
        for name in licences:
            shutil.copyfile(args.corpora / corpora.CORPORA[key][0] / name, target / name)
        ents = sum(t.startswith("B-") for r in records for t in r["tags"])
        print(f"{folder}/{key}.jsonl: {len(records)} sentences, {ents} entities")
    header, rows = langid_rows(args.corpora)
    target = args.out / "langid"
    target.mkdir(parents=True, exist_ok=True)
    with (target / "dev-slice.tsv").open("w", encoding="utf-8", newline="\n") as fh:
        fh.write(header)
        fh.writelines(rows)
    # UD's licence for the langid rows is CC BY-SA 4.0, the same legal code as UNER's.
    shutil.copyfile(args.corpora / "uner-sv" / "LICENSE.txt", target / "LICENSE.txt")
    print(f"langid/dev-slice.tsv: {len(rows)} rows")
    target = args.out / "orgs-se-agencies"
    target.mkdir(parents=True, exist_ok=True)
    with (
        (args.corpora / "orgs-se-agencies" / "agencies.tsv").open(encoding="utf-8") as src,
        (target / "agencies.tsv").open("w", encoding="utf-8", newline="\n") as fh,
    ):
        n = -1
        for line in src:
            name, org_nr = line.rstrip("\n").split("\t")[:2]
            fh.write(f"{name}\t{org_nr}\n")
            n += 1
    print(f"orgs-se-agencies/agencies.tsv: {n} rows")


if __name__ == "__main__":
    main()
