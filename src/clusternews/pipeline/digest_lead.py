"""The first two sentences of an article: the lead a digest shows under each title."""

from __future__ import annotations

import re

# Abbreviations that end in a period without ending a sentence (nb/nn/sv/en news style).
_ABBREVIATIONS = frozenset(
    """
bl.a f.eks t.ex d.v.s dvs m.m mm m.fl mfl osv o.s.v etc ca jf jfr nr kr mill mrd st tel
prof dr mr mrs ms inc ltd a.s asa ab hr fr e.l o.l s.k sk resp ev evt iflg ifølge vs kl
""".split()
)
_END = re.compile(r"[.!?…]+[\"»”’)]?(?=\s+[\"«“‘(–—-]?[A-ZÆØÅÄÖÜ0-9])")
_SPACE = re.compile(r"\s+")
MAX_LEAD = 420  # characters; two long sentences, still short in a mail client's preview pane


def lead(text: str, *, sentences: int = 2, limit: int = MAX_LEAD) -> str:
    """At most `sentences` sentences of `text`, cut on a word boundary if still too long."""
    text = _SPACE.sub(" ", text or "").strip()
    out, start, found = [], 0, 0
    for match in _END.finditer(text):
        word = text[start : match.start()].rsplit(" ", 1)[-1].lower()
        if word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
            continue  # "bl.a. Norsk", an initial ("T. Hågensen")
        out.append(text[start : match.end()].strip())
        start, found = match.end(), found + 1
        if found == sentences:
            break
    else:
        out.append(text[start:].strip())
    result = " ".join(s for s in out if s)
    if len(result) <= limit:
        return result
    cut = result[:limit].rsplit(" ", 1)[0].rstrip(",;:–- ")
    return cut + " …"
