"""Entry + extracted page + detected language → the Article record that is stored."""

from __future__ import annotations

import re

from clusternews.models import Article, Entry, Extracted
from clusternews.pipeline.dedup import content_hash
from clusternews.pipeline.entities.model import TagResult
from clusternews.pipeline.language import LanguageResult

SUMMARY_CHARS = 320
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[A-ZÆØÅÄÖÉ0-9«\"“])")


def summarize(text: str, *, limit: int = SUMMARY_CHARS) -> str:
    """The first sentences of `text`, up to about `limit` characters, never cut mid-word."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    out = ""
    for sentence in _SENTENCE_END.split(text):
        if out and len(out) + len(sentence) + 1 > limit:
            break
        out = f"{out} {sentence}".strip()
    if len(out) > limit or not out:
        out = text[:limit].rsplit(" ", 1)[0] + "…"
    return out


# The detectors' cost grows with the text; 1,500 characters of body are some 200 words, far more
# than the paragraph bar needs, and halve the language stage on long articles (tag_stage.py).
LANGUAGE_SAMPLE_CHARS = 1500


def language_sample(merged: Extracted) -> str:
    """What the language detector reads: title and the first part of the body."""
    body = (merged.text or "")[:LANGUAGE_SAMPLE_CHARS]
    return "\n".join(p for p in (merged.title, merged.description, body) if p)


def tag_sample(merged: Extracted) -> str:
    """What the entity tagger reads: the title and the whole body."""
    return "\n\n".join(p for p in (merged.title, merged.text) if p)


def assemble(
    entry: Entry, merged: Extracted, language: LanguageResult, tags: TagResult | None = None
) -> Article | None:
    """None when there is nothing worth storing (no title and no text)."""
    title = merged.title or ""
    text = merged.text or ""
    if not title and not text:
        return None
    lead = merged.description if merged.description and len(merged.description) > 40 else text
    return Article(
        url=entry.url,
        title=title or summarize(text, limit=120),
        text=text,
        summary=summarize(lead or title),
        published=merged.published,
        author=merged.author,
        image=merged.image,
        language=language.language,
        language_variant=language.variant,
        language_confidence=round(language.confidence, 4),
        content_hash=content_hash(title, text),
        entities=tags.entities if tags else (),
        regions=tags.region_names if tags else (),
        region_ids=tags.region_ids if tags else (),
    )
