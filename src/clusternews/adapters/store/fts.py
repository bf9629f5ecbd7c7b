"""Full-text search per dialect: SQLite FTS5 and PostgreSQL tsvector, behind one interface."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import ColumnElement, Connection, and_, case, func, literal_column, or_, select
from sqlalchemy import text as sql_text
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


def _pg_config(language: ColumnElement[str]) -> ColumnElement[str]:
    whens: list[tuple[ColumnElement[bool], ColumnElement[str]]] = [
        (language.in_(codes), literal_column(f"'{name}'::regconfig"))
        for name, codes in PG_CONFIGS.items()
    ]
    return case(*whens, else_=literal_column("'simple'::regconfig"))


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
    # One branch per configuration so each uses the GIN index with its own stemming.
    branches = [
        and_(
            items.c.language.in_(codes),
            _search_vector.op("@@")(func.to_tsquery(literal_column(f"'{name}'::regconfig"), query)),
        )
        for name, codes in PG_CONFIGS.items()
    ]
    known = [c for codes in PG_CONFIGS.values() for c in codes]
    branches.append(
        and_(
            items.c.language.not_in(known),
            _search_vector.op("@@")(func.to_tsquery(literal_column("'simple'::regconfig"), query)),
        )
    )
    rank = func.ts_rank_cd(_search_vector, func.to_tsquery(_pg_config(items.c.language), query))
    return or_(*branches), rank, None
