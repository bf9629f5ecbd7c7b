"""One article through the CPU stages: extract → language → tag, for ingestion and `analyze`.

Both callers go through `process_article`, so what `analyze` measures is what ingestion stores.
The detector and tagger are passed in already loaded; nothing here does I/O.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime

from clusternews.models import Article, Entry, Extracted
from clusternews.pipeline.article import assemble, language_sample, tag_sample
from clusternews.pipeline.entities import Tagger, TagResult
from clusternews.pipeline.extract import extract_article, merge
from clusternews.pipeline.language import LanguageDetector, LanguageResult


@dataclass(frozen=True, slots=True)
class Processed:
    article: Article | None  # None when there is nothing worth storing
    text: str  # the text that was tagged; mention offsets point into it
    language: LanguageResult
    tags: TagResult
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage


def process_article(
    entry: Entry,
    html: str | None,
    *,
    detector: LanguageDetector,
    tagger: Tagger,
    tz: str,
    now: datetime | None,
    text: str | None = None,
) -> Processed:
    """`html` is the fetched page; `text` instead means plain text that is the article body."""
    started = time.perf_counter()
    if text is not None:
        merged = Extracted(text=text, language=entry.language)
    else:
        merged = merge(entry, extract_article(html or "", url=entry.url, tz=tz, now=now))
    extracted = time.perf_counter()
    language = detector.detect(language_sample(merged), declared=merged.language)
    detected = time.perf_counter()
    sample = tag_sample(merged)
    tags = tagger.tag(sample, language=language.language)
    tagged = time.perf_counter()
    return Processed(
        article=assemble(entry, merged, language, tags),
        text=sample,
        language=language,
        tags=tags,
        timings={
            "extract": extracted - started,
            "language": detected - extracted,
            "tag": tagged - detected,
        },
    )
