"""Slug ids and a kind guessed from evidence for organizations the knowledge base lacks."""

from __future__ import annotations

import re
import unicodedata

# Evidence in the name itself, checked in order: a legal form says company, and so on.
KIND_EVIDENCE: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("company", re.compile(r"\b(AS|ASA|AB|A/S|Oy|Oyj|ANS|DA|SA|Ltd|GmbH|Inc|publ|HB|KB)\b")),
    ("cluster", re.compile(r"(klynge|klynga|klyngen|kluster|klustret|cluster)", re.I)),
    (
        "education",
        re.compile(
            r"(universitet|university|høgskole|høgskule|högskola|fagskole|"
            r"fagskule|gymnas|videregående|vidaregåande|yrkeshögskola)",
            re.I,
        ),
    ),
    ("research", re.compile(r"(institutt|institut|forskning|research|laborator)", re.I)),
    (
        "public",
        re.compile(
            r"(kommune|kommun|fylkeskommune|departement|direktorat|verket|"
            r"myndighet|styrelse|länsstyrelse|etaten|tilsyn|ministry|agency)",
            re.I,
        ),
    ),
    (
        "association",
        re.compile(
            r"(forening|förening|forbund|förbund|association|nettverk|"
            r"nätverk|samarbeid)",
            re.I,
        ),
    ),
    ("media", re.compile(r"(avis|tidning|tidende|posten|blad|radio|tv)\b", re.I)),
)


def guess_kind(name: str) -> str | None:
    for kind, pattern in KIND_EVIDENCE:
        if pattern.search(name):
            return kind
    return None


def slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold())
    text = text.replace("ø", "o").replace("æ", "ae").replace("đ", "d")
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:80] or "x"
