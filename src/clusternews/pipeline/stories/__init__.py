"""Stories: near-duplicate copies and the same news in other languages or words, as one story."""

from clusternews.pipeline.stories.match import (
    Candidates,
    Choice,
    Fingerprint,
    Judgement,
    anchor_keys,
    band_keys,
    choose,
    fingerprint,
    judge,
)

__all__ = [
    "Candidates",
    "Choice",
    "Fingerprint",
    "Judgement",
    "anchor_keys",
    "band_keys",
    "choose",
    "fingerprint",
    "judge",
]
