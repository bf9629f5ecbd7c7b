"""The story golden set (tests/golden/stories): documents, pairs and their copies' edits.

Near-duplicate pairs name one document and the edits a republishing site made; the copy is
built here, so the edits stay readable in pairs.yaml and the texts are written once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

KINDS = ("near_duplicate", "cross_language", "rewrite")


@dataclass(frozen=True)
class Doc:
    id: str
    lang: str
    day: date
    title: str
    text: str

    @property
    def published(self) -> datetime:
        return datetime(self.day.year, self.day.month, self.day.day, 9, tzinfo=UTC)


@dataclass(frozen=True)
class Pair:
    a: Doc
    b: Doc
    kind: str  # one of KINDS, or "negative"
    note: str = ""  # how (translation/rewrite) or why (for a negative)

    @property
    def same(self) -> bool:
        return self.kind != "negative"

    @property
    def cross(self) -> bool:
        """Two languages (Bokmål and Nynorsk count as two)."""
        return self.a.lang != self.b.lang


def load(folder: Path) -> list[Pair]:
    yaml = YAML(typ="safe", pure=True)
    docs: dict[str, Doc] = {}
    for path in sorted((folder / "docs").glob("*.yaml")):
        for raw in yaml.load(path.read_text(encoding="utf-8")):
            if raw["id"] in docs:
                raise ValueError(f"{path.name}: duplicate id {raw['id']}")
            docs[raw["id"]] = Doc(
                raw["id"], raw["lang"], _day(raw["date"]), raw["title"], raw["text"].strip()
            )
    spec = yaml.load((folder / "pairs.yaml").read_text(encoding="utf-8"))
    pairs = []
    for n, raw in enumerate(spec["pairs"]):
        a = docs[raw["a"]]
        if raw["kind"] == "near_duplicate":
            b = copy_of(a, raw["copy"], spec, n)
        else:
            b = docs[raw["b"]]
        pairs.append(Pair(a, b, raw["kind"], raw.get("how") or raw.get("why") or ""))
    return pairs


def copy_of(doc: Doc, edits: dict[str, Any], spec: dict[str, Any], n: int) -> Doc:
    """`doc` as another site republished it: retitled, paragraphs cut or added, in chrome."""
    paragraphs = [p for p in doc.text.split("\n\n") if p.strip()]
    cut = set(edits.get("cut") or ())
    paragraphs = [p for i, p in enumerate(paragraphs) if i not in cut]
    if "add" in edits:
        paragraphs.append(spec["added"][edits["add"]])
    if "before" in edits:
        paragraphs.insert(0, spec["chrome"][edits["before"]])
    if "after" in edits:
        paragraphs.append(spec["chrome"][edits["after"]])
    return Doc(
        f"{doc.id}~copy{n}",
        doc.lang,
        doc.day,
        edits.get("title") or doc.title,
        "\n\n".join(paragraphs),
    )


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


@dataclass(frozen=True)
class KindScore:
    kind: str
    positives: int
    found: int  # positives judged one story
    negatives: int  # the hard negatives this kind is measured against
    false: int  # of those, judged one story

    @property
    def precision(self) -> float:
        return self.found / (self.found + self.false) if self.found + self.false else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.positives if self.positives else 1.0


def scores(pairs: list[Pair], same: list[bool]) -> dict[str, KindScore]:
    """Pairwise precision and recall per kind. A kind's precision counts its own positives
    against the hard negatives of its setting: near-duplicates and rewrites against the
    negatives in one language, cross-language pairs against those in two languages."""
    out = {}
    for kind in KINDS:
        cross = kind == "cross_language"
        mine = [s for p, s in zip(pairs, same, strict=True) if p.kind == kind]
        negs = [
            s for p, s in zip(pairs, same, strict=True) if p.kind == "negative" and p.cross == cross
        ]
        out[kind] = KindScore(kind, len(mine), sum(mine), len(negs), sum(negs))
    return out


def article_of(doc: Doc, *, site: str) -> Any:
    """The document as ingestion would store it (an Article record)."""
    import hashlib

    from clusternews.models import Article

    digest = hashlib.sha256(f"{doc.title}\n{doc.text}".encode()).hexdigest()
    return Article(
        url=f"https://{site}.example/{doc.id}",
        title=doc.title,
        text=doc.text,
        summary=doc.text[:200],
        published=doc.published,
        author=None,
        image=None,
        language="sv" if doc.lang == "sv" else "no",
        language_variant=None if doc.lang == "sv" else doc.lang,
        language_confidence=1.0,
        content_hash=digest,
    )
