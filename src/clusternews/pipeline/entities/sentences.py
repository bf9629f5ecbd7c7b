"""Where an article's sentences begin and end, so the model reads them one at a time.

The NER models are trained on single sentences, each one a document of its own: they learn
that a capital opening the document says nothing, but they never see a sentence open in the
middle of one. Given a whole article, they read "… her . Oppslaget representerer …" as a
name (Bokmål dev, the model alone: F1 0.873 per sentence, 0.845 on runs of 20 sentences;
`benchmarks/ner_raw.py --doc 20`). Cutting the text where sentences and lines end gives the
model what it was trained on.
"""

from __future__ import annotations

import re

# A sentence ends at . ! ? … (with closing quotes or brackets) before space and a capital,
# digit, quote or dash; a line break always ends one (headlines, list items, paragraphs).
_END = re.compile(r"[.!?…]+[\"'»”’)\]]*\s+(?=[\"'«“‘(\[–—-]*[A-ZÆØÅÄÖÉÜ0-9])|\s*\n\s*")
# Words after which a period is not an end: initials ("J. Smith") and common abbreviations.
_NOT_AN_END = re.compile(
    r"(?:^|[\s(])(?:\w|bl\.a|f\.eks|t\.ex|bl|dvs|mfl|m\.fl|osv|pga|ca|nr|kl|st|dr|prof|jf|"
    r"jfr|mill|mrd|kr|tel|tlf|ev|evt|inkl|ekskl|resp|vs|mr|mrs|ms|jr|sr)\.$",
    re.IGNORECASE,
)
MAX_SENTENCE = 2000  # characters; a longer run with no end (a table, a list) is cut here


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, without the whitespace between them."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _END.finditer(text):
        cut = m.start() + len(m.group().rstrip())  # after the period and quotes
        if "\n" not in m.group() and _NOT_AN_END.search(text[max(start, cut - 8) : cut]):
            continue
        _add(spans, text, start, cut)
        start = m.end()
    _add(spans, text, start, len(text))
    return spans


def _add(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    """The sentence text[start:end] without its surrounding whitespace, in pieces of at most
    MAX_SENTENCE characters (cut at a space where there is one)."""
    while start < end:
        stop = end
        if end - start > MAX_SENTENCE:
            space = text.rfind(" ", start, start + MAX_SENTENCE)
            stop = space if space > start else start + MAX_SENTENCE
        piece = text[start:stop]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            spans.append((start + lead, start + len(piece.rstrip())))
        start = stop
