"""Full-text search per dialect: SQLite FTS5 and PostgreSQL tsvector, behind one interface."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
)
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.sql.expression import Subquery

from clusternews.adapters.store.schema import items

# FTS5 has no Nordic stemmer. The index keeps words as written (unicode61, diacritics folded so
# "Skelleftea" finds "Skellefteå"); a query word loses its inflection suffix and becomes a prefix
# query, so "mineraler" → "mineral"* finds mineralene, mineralklynge and mineralnæringen too.
# Chosen over the trigram tokenizer by benchmarks/search_stemming.py (recall, index size, speed).
SQLITE_TOKENIZER = "unicode61 remove_diacritics 2"

# Longest first. Plural and definite endings of Norwegian (nb/nn) and Swedish nouns, the
# genitive -s, and common adjective/verb endings; stems stay >= 4 letters so "malm" or "berg"
# are not cut to nothing. Measured on the demo corpus (benchmarks/search_stemming.py).
_SUFFIXES = tuple(
    sorted(
        {
            "ernas",
            "arnas",
            "ornas",
            "erna",
            "arna",
            "orna",
            "ene",
            "ane",
            "ende",
            "ande",
            "heten",
            "heter",
            "het",
            "ingen",
            "ingar",
            "inger",
            "ing",
            "ning",
            "er",
            "ar",
            "or",
            "en",
            "et",
            "na",
            "a",
            "e",
            "s",
        },
        key=len,
        reverse=True,
    )
)
_MIN_STEM = 4
_WORD = re.compile(r"\w+", re.UNICODE)

# Item language → PostgreSQL text search configuration (Snowball stemmers).
PG_CONFIGS: dict[str, tuple[str, ...]] = {
    "norwegian": ("no", "nb", "nn"),
    "swedish": ("sv",),
    "danish": ("da",),
    "english": ("en",),
}

_search_vector: ColumnElement[object] = literal_column("items.search_vector")


def terms(text: str) -> list[str]:
    """The words of a user's query, lower-cased and NFC, at most 12 (no query syntax)."""
    text = unicodedata.normalize("NFC", text).lower()
    return [w for w in _WORD.findall(text) if w.strip("_")][:12]


def stem(word: str) -> str:
    """The word without its Norwegian/Swedish inflection suffix (light, prefix-safe)."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM:
            return word[: -len(suffix)]
    return word


def sqlite_match(text: str) -> str | None:
    """An FTS5 MATCH string: every stemmed word as a quoted prefix, all required."""
    words = terms(text)
    return " ".join(f'"{stem(w)}"*' for w in words) or None


def pg_tsquery(text: str) -> str | None:
    """A to_tsquery string: every word as a prefix, all required; words carry no syntax."""
    words = terms(text)
    return " & ".join(f"{w}:*" for w in words) or None


def text_match(
    conn: Connection, text: str, *, top: int | None = None
) -> tuple[ColumnElement[bool], ColumnElement[float], Subquery | None] | None:
    """(where clause, rank where higher is better, FTS subquery to join or None).

    `top`: on SQLite, only the `top` best-ranked matches, for a search with no other filter.
    Ranking inside FTS5 and joining the few winners costs 3-4 ms at 100,000 items, where
    joining every match (thousands) to its item row before sorting cost 17-40 ms."""
    if conn.dialect.name == "sqlite":
        match = sqlite_match(text)
        if match is None:
            return None
        # bm25 is lower-is-better; the title counts five times the body.
        score = (-func.bm25(literal_column("items_fts"), 5.0, 1.0)).label("rank")
        found = (
            select(literal_column("items_fts.rowid").label("fts_rowid"), score)
            .select_from(sql_text("items_fts"))
            .where(literal_column("items_fts").op("MATCH")(match))
        )
        if top is not None:
            found = found.order_by(score.desc()).limit(top)
        fts = found.subquery("fts")
        return literal_column("items.rowid") == fts.c.fts_rowid, fts.c.rank, fts
    query = pg_tsquery(text)
    if query is None:
        return None
    # One branch per distinct parsed query, each matching with its own stemming on the GIN
    # index; configurations that parse the query alike ("batterier:*" is 'batteri':* in all
    # four stemmers) share a branch. The rank uses the same constant queries: parsing the
    # query again per matching row (to_tsquery over the row's language) and five near-equal
    # OR branches, which led the planner to a sequential scan, cost 400 ms for a word in
    # 3,400 of 100,000 items, against 30 ms so.
    branches, ranks = [], []
    for parsed, codes in _pg_queries(conn, query):
        in_language = items.c.language.in_(codes) if codes else items.c.language.not_in(_KNOWN)
        tsq = cast(literal(parsed), TSQUERY)
        branches.append(and_(in_language, _search_vector.op("@@")(tsq)))
        ranks.append((in_language, func.ts_rank_cd(_search_vector, tsq)))
    rank = ranks[0][1] if len(ranks) == 1 else case(*ranks[:-1], else_=ranks[-1][1])
    return or_(*branches), rank, None


_KNOWN = tuple(c for codes in PG_CONFIGS.values() for c in codes)
# (query, config) -> parsed tsquery text; a server asks each distinct search once.
_PARSED: dict[tuple[str, str], str] = {}
_PARSED_MAX = 4096


def _pg_queries(conn: Connection, query: str) -> list[tuple[str, tuple[str, ...]]]:
    """[(parsed tsquery, item languages)] grouped by parse, the 'simple' configuration (for
    every other language) last with no codes."""
    configs = [*PG_CONFIGS, "simple"]
    if any((query, name) not in _PARSED for name in configs):
        parsed = conn.execute(
            select(*(func.to_tsquery(literal_column(f"'{n}'::regconfig"), query) for n in configs))
        ).one()
        if len(_PARSED) > _PARSED_MAX:
            _PARSED.clear()
        _PARSED.update({(query, name): str(p) for name, p in zip(configs, parsed, strict=True)})
    groups: dict[str, list[str]] = {}
    for name, codes in PG_CONFIGS.items():
        groups.setdefault(_PARSED[(query, name)], []).extend(codes)
    out = [(parsed, tuple(codes)) for parsed, codes in groups.items()]
    return [*out, (_PARSED[(query, "simple")], ())]
