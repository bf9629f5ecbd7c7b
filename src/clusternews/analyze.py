"""`analyze`: language and linked entities of any text or HTML, one loaded pipeline for all."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from clusternews.models import Entry
from clusternews.pipeline.dates import DEFAULT_TIMEZONE
from clusternews.pipeline.discover import looks_like_html
from clusternews.pipeline.entities import Tagger
from clusternews.pipeline.entities.model import Mention
from clusternews.pipeline.language import LanguageDetector
from clusternews.pipeline.process import process_article


class Analyzer:
    def __init__(
        self, detector: LanguageDetector, tagger: Tagger, *, tz: str = DEFAULT_TIMEZONE
    ) -> None:
        self.detector = detector
        self.tagger = tagger
        self.tz = tz

    def analyze(self, text: str, *, declared: str | None = None) -> dict[str, Any]:
        """Offsets are into `text` as given (for HTML: into the extracted text, returned too)."""
        html = looks_like_html(text.encode("utf-8", "replace")[:2048])
        done = process_article(
            Entry(url="file:///analyze", language=declared),
            text if html else None,
            detector=self.detector,
            tagger=self.tagger,
            tz=self.tz,
            now=None,
            text=None if html else text,
        )
        out: dict[str, Any] = {"text": done.text} if html else {}
        lang, tags = done.language, done.tags
        out.update(
            {
                "language": lang.language,
                "language_variant": lang.variant,
                "language_confidence": round(lang.confidence, 4),
                "entities": [_mention(m) for m in tags.mentions],
                # Named inside another name or a word ("EU" in "EU-saker"): linked, not a span.
                "nested": [_mention(m) for m in tags.nested],
                "regions": list(tags.region_names),
            }
        )
        return out

    def stream(self, lines: Iterable[str]) -> Iterator[str]:
        """JSON lines in ({"id", "text"}), JSON lines out; a bad line gets an error line."""
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                text = record["text"]
                if not isinstance(text, str):
                    raise TypeError("'text' is not a string")
            except (ValueError, KeyError, TypeError) as exc:
                yield json.dumps(
                    {"line": number, "error": f"analyze: bad input line: {exc}"}, ensure_ascii=False
                )
                continue
            result = self.analyze(text, declared=record.get("language"))
            yield json.dumps({"id": record.get("id"), **result}, ensure_ascii=False)


def _mention(m: Mention) -> dict[str, Any]:
    return {
        "start": m.start,
        "end": m.end,
        "text": m.text,
        "label": m.label,
        "id": m.id,
        "name": m.name,
        "kind": m.kind,
    }


def write_lines(lines: Iterable[str], out: TextIO) -> int:
    n = 0
    for line in lines:
        out.write(line + "\n")
        n += 1
    return n
