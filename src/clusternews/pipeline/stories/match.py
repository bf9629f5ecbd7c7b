"""Is a new article the same story as a stored one? Fingerprints, a pairwise judgement, a choice.

Thresholds are measured on the golden set (tests/golden/stories, benchmarks/stories.py), exact
Jaccard over 179 pairs:
  word 3-shingles: near-duplicates 0.53–0.85, rewrites ≤ 0.18, different stories ≤ 0.02;
  folded character 4-grams: translations and rewrites 0.23–0.86, different stories ≤ 0.21;
  shared anchors (of the smaller set): same story ≥ 0.67, different stories ≤ 0.50.
Grams alone overlap at the edges (a rewrite at 0.23, a programme's two calls at 0.21), and so
do anchors alone; their sum with anchors at half weight leaves a gap from 0.42 (the hardest
different pair) to 0.65 (the hardest same pair). The cut sits in the middle of the gap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from clusternews.pipeline.stories import minhash
from clusternews.pipeline.stories.text import anchors, cross_grams, word_shingles

WORD_PERMS, BANDS, ROWS = 72, 24, 3  # P(candidate) at J=0.53 (worst golden copy): 0.98
GRAM_PERMS = 96  # the estimate's standard error at J=0.25 is 0.044
NEAR_DUPLICATE = 0.40  # word-shingle Jaccard
SAME_STORY = 0.53  # gram Jaccard + ANCHOR_WEIGHT × shared anchors
ANCHOR_WEIGHT = 0.5
MIN_GRAMS = 0.15  # below this the texts share too little, whatever the names
MIN_SHARED = 2  # anchors in common: one shared place name is not a story
NEAR_DUPLICATE_DAYS = 45  # a republished copy may come weeks later
SAME_STORY_DAYS = 7  # translations and rewrites follow within days
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Fingerprint:
    words: np.ndarray  # MinHash of word shingles (WORD_PERMS uint32)
    grams: np.ndarray  # MinHash of folded character grams (GRAM_PERMS uint32)
    anchors: frozenset[str]
    day: int  # days since 1970-01-01 (UTC) of publication, else of first sight


@dataclass(frozen=True, slots=True)
class Judgement:
    kind: str  # near_duplicate | same_story | different
    words: float
    grams: float
    anchors: float  # share of the smaller anchor set found in the other

    @property
    def same(self) -> bool:
        return self.kind != "different"

    @property
    def strength(self) -> float:
        """For choosing among several matches: copies first, then the closest story."""
        return (
            (1.0 + self.words)
            if self.kind == "near_duplicate"
            else self.grams + ANCHOR_WEIGHT * self.anchors
        )


@dataclass(frozen=True, slots=True)
class Candidates:
    """The stored articles a new one is judged against, row k of each field being article k;
    the signatures stacked, so that judging them all is one numpy pass."""

    item_ids: Sequence[str]
    story_ids: Sequence[str]
    words: np.ndarray  # (k, WORD_PERMS) uint32
    grams: np.ndarray  # (k, GRAM_PERMS) uint32
    anchors: Sequence[frozenset[str]]
    days: np.ndarray  # (k,) days since 1970-01-01

    @classmethod
    def of(cls, stored: Sequence[tuple[str, str, Fingerprint]]) -> Candidates:
        """From (item id, story id, fingerprint) triples."""
        return cls(
            item_ids=[i for i, _s, _f in stored],
            story_ids=[s for _i, s, _f in stored],
            words=minhash.stacked([minhash.to_bytes(f.words) for *_, f in stored], WORD_PERMS),
            grams=minhash.stacked([minhash.to_bytes(f.grams) for *_, f in stored], GRAM_PERMS),
            anchors=[f.anchors for _i, _s, f in stored],
            days=np.array([f.day for _i, _s, f in stored], dtype=np.int64),
        )


@dataclass(frozen=True, slots=True)
class Choice:
    story_id: str | None  # None: a story of its own
    item_id: str | None  # the stored article it matched
    judgement: Judgement | None


def fingerprint(title: str, text: str, *, published: datetime | None, now: datetime) -> Fingerprint:
    when = published or now
    return Fingerprint(
        words=minhash.signature(word_shingles(title, text), perms=WORD_PERMS),
        grams=minhash.signature(cross_grams(title, text), perms=GRAM_PERMS, salt=WORD_PERMS),
        anchors=anchors(title, text),
        day=(when.astimezone(UTC) - _EPOCH).days,
    )


def band_keys(fp: Fingerprint) -> list[int]:
    return minhash.band_keys(fp.words, bands=BANDS, rows=ROWS)


def anchor_keys(fp: Fingerprint) -> dict[int, str]:
    return {minhash.key_of(("a:" + a).encode()): a for a in sorted(fp.anchors)}


def judge(new: Fingerprint, old: Fingerprint) -> Judgement:
    return _verdict(
        new,
        old.anchors,
        abs(new.day - old.day),
        words=minhash.similarity(new.words, old.words),
        grams=minhash.similarity(new.grams, old.grams),
    )


def _verdict(
    new: Fingerprint, anchors: frozenset[str], days: int, *, words: float, grams: float
) -> Judgement:
    shared = len(new.anchors & anchors)
    overlap = shared / min(len(new.anchors), len(anchors)) if shared else 0.0
    if words >= NEAR_DUPLICATE and days <= NEAR_DUPLICATE_DAYS:
        return Judgement("near_duplicate", words, grams, overlap)
    if (
        days <= SAME_STORY_DAYS
        and shared >= MIN_SHARED
        and grams >= MIN_GRAMS
        and grams + ANCHOR_WEIGHT * overlap >= SAME_STORY
    ):
        return Judgement("same_story", words, grams, overlap)
    return Judgement("different", words, grams, overlap)


def choose(new: Fingerprint, candidates: Candidates, *, current: str | None = None) -> Choice:
    """The story of the strongest match; an article already in a matching story stays there
    (an update that still matches must not hop between two stories).

    Every candidate's signatures are compared in one numpy pass; the anchors are looked at
    only where the signatures leave a match possible (a full anchor overlap included)."""
    words = minhash.similarities(new.words, candidates.words)
    grams = minhash.similarities(new.grams, candidates.grams)
    days = np.abs(candidates.days - new.day)
    possible = ((words >= NEAR_DUPLICATE) & (days <= NEAR_DUPLICATE_DAYS)) | (
        (days <= SAME_STORY_DAYS) & (grams >= MIN_GRAMS) & (grams + ANCHOR_WEIGHT >= SAME_STORY)
    )
    best: tuple[float, str, str, Judgement] | None = None
    for k in np.flatnonzero(possible).tolist():
        verdict = _verdict(
            new,
            candidates.anchors[k],
            int(days[k]),
            words=float(words[k]),
            grams=float(grams[k]),
        )
        if not verdict.same:
            continue
        item_id, story_id = candidates.item_ids[k], candidates.story_ids[k]
        if story_id == current:
            return Choice(current, item_id, verdict)
        if (
            best is None
            or verdict.strength > best[0]
            or (verdict.strength == best[0] and item_id < best[1])
        ):
            best = (verdict.strength, item_id, story_id, verdict)
    if best is None:
        return Choice(None, None, None)
    return Choice(best[2], best[1], best[3])
