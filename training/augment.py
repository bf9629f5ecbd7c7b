"""Mention replacement: copies of training sentences with their names swapped for other names.

The train halves are small (swedish-ner ~6,200 sentences), so a model can learn which names
are entities instead of the contexts that make a word a name; held-out news is full of names it
never saw. Each copy keeps the sentence and replaces every entity, with probability `p`, by a
mention of the same label drawn from a pool (the train half's own mentions, optionally names
from the knowledge base). Dai & Adel (2020, "An Analysis of Simple Data Augmentation for Named
Entity Recognition") measured this as among the most useful simple augmentations.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Iterator

from corpora import Sentence

Pool = dict[str, list[tuple[str, ...]]]


def spans(tags: list[str]) -> list[tuple[int, int, str]]:
    """(start, end, label) of each entity in a BIO tag sequence."""
    out: list[tuple[int, int, str]] = []
    start, label = -1, ""
    for i, tag in enumerate([*tags, "O"]):
        if start >= 0 and not (tag.startswith("I-") and tag[2:] == label):
            out.append((start, i, label))
            start = -1
        if tag.startswith("B-") or (tag.startswith("I-") and start < 0):
            start, label = i, tag[2:]
    return out


def pool_of(sentences: Iterable[Sentence]) -> Pool:
    """Every distinct mention per label, as word tuples, in first-seen order."""
    seen: dict[str, dict[tuple[str, ...], None]] = defaultdict(dict)
    for words, tags, _ in sentences:
        for start, end, label in spans(tags):
            seen[label][tuple(words[start:end])] = None
    return {label: list(names) for label, names in seen.items()}


def replace_mentions(sentence: Sentence, pool: Pool, rng: random.Random, p: float) -> Sentence:
    """The sentence with each entity, with probability p, replaced by a pool name of its label."""
    words, tags, spaces = sentence
    new_words: list[str] = []
    new_tags: list[str] = []
    new_spaces: list[bool] = []
    pos = 0
    for start, end, label in spans(tags):
        new_words += words[pos:start]
        new_tags += tags[pos:start]
        new_spaces += spaces[pos:start]
        names = pool.get(label)
        if names and rng.random() < p:
            name = list(rng.choice(names))
            # the last word keeps the original's space-after ("Volvo," stays glued to ",")
            name_spaces = [True] * (len(name) - 1) + [spaces[end - 1]]
        else:
            name, name_spaces = words[start:end], spaces[start:end]
        new_words += name
        new_tags += [f"B-{label}"] + [f"I-{label}"] * (len(name) - 1)
        new_spaces += name_spaces
        pos = end
    new_words += words[pos:]
    new_tags += tags[pos:]
    new_spaces += spaces[pos:]
    return new_words, new_tags, new_spaces


def augmented(
    sentences: list[Sentence], copies: int, seed: int, p: float = 0.8, extra: Pool | None = None
) -> Iterator[Sentence]:
    """`copies` replaced copies of every sentence that names something (the originals not
    included). `extra` adds names (e.g. from the knowledge base) to the train half's pool."""
    pool = pool_of(sentences)
    for label, names in (extra or {}).items():
        pool[label] = list(dict.fromkeys([*pool.get(label, []), *names]))
    rng = random.Random(seed)
    for _ in range(copies):
        for sentence in sentences:
            if any(tag != "O" for tag in sentence[1]):
                yield replace_mentions(sentence, pool, rng, p)
