"""Full-text search per dialect: SQLite FTS5 and PostgreSQL tsvector, behind one interface."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import (
    ColumnElement,
    Connection,
    cast,
    func,
    literal,
    literal_column,
    select,
)
from sqlalchemy import text as sql_text
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.sql.expression import Subquery

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


def window_start(conn: Connection, text: str, size: int) -> int | None:
    """SQLite: the rowid from which on the `size` most recently stored items matching `text`
    lie, or None when fewer match (FTS5 reads doclists in rowid order, so this reads `size`
    rowids and ranks nothing). See `search._ranked_ids`."""
    match = sqlite_match(text)
    if match is None or conn.dialect.name != "sqlite":
        return None
    found = conn.execute(
        sql_text(
            "SELECT rowid FROM items_fts WHERE items_fts MATCH :match "
            "ORDER BY rowid DESC LIMIT 1 OFFSET :skip"
        ),
        {"match": match, "skip": size - 1},
    ).scalar()
    return None if found is None else int(found)


def count_matches(
    conn: Connection,
    text: str,
    *,
    tagged: str | None = None,
    rowids: tuple[int | None, int | None] = (None, None),
) -> int | None:
    """SQLite: how many items match `text` (and, with `tagged`, carry that entity id), counted
    from the FTS5 index and the entity index without reading item rows; None on other
    databases. At 1,000,000 items: 6 ms for 33,000 matches, where joining them to their rows
    took ~30 ms; with a region of 23,000 items, 38 ms where probing each match took 117.
    `rowids`: only matches with from <= rowid < to (None: open), without `tagged`."""
    match = sqlite_match(text)
    if match is None or conn.dialect.name != "sqlite":
        return None
    low, high = rowids
    matches = int(
        conn.execute(
            sql_text(
                "SELECT count(*) FROM items_fts WHERE items_fts MATCH :match"
                + (" AND rowid >= :low" if low is not None else "")
                + (" AND rowid < :high" if high is not None else "")
            ),
            {"match": match, "low": low, "high": high},
        ).scalar_one()
    )
    if tagged is None or matches == 0:
        return matches
    # Drive from the cheaper side: the entity's index rows (CROSS JOIN fixes SQLite's join
    # order; ~1.2 us a row at 1,000,000 items) unless they outnumber the matches three times,
    # else each match probes the entity index (~3.5 us a match: it reads the item's row).
    enough = 3 * matches
    rows = conn.execute(
        sql_text(
            "SELECT count(*) FROM (SELECT 1 FROM item_entities WHERE entity_id = :entity "
            "LIMIT :enough)"
        ),
        {"entity": tagged, "enough": enough},
    ).scalar_one()
    driver = (
        "FROM item_entities e CROSS JOIN items i ON i.id = e.item_id WHERE e.entity_id = "
        ":entity AND i.rowid IN (SELECT rowid FROM items_fts WHERE items_fts MATCH :match)"
        if rows < enough
        else "FROM items i WHERE i.rowid IN (SELECT rowid FROM items_fts WHERE items_fts "
        "MATCH :match) AND EXISTS (SELECT 1 FROM item_entities e WHERE e.item_id = i.id "
        "AND e.entity_id = :entity)"
    )
    return int(
        conn.execute(
            sql_text("SELECT count(*) " + driver), {"match": match, "entity": tagged}
        ).scalar_one()
    )


def text_match(
    conn: Connection,
    text: str,
    *,
    top: int | None = None,
    rowids: tuple[int | None, int | None] = (None, None),
) -> tuple[ColumnElement[bool], ColumnElement[float], Subquery | None] | None:
    """(where clause, rank where higher is better, FTS subquery to join or None).

    `top`: on SQLite, only the `top` best-ranked matches, for a search with no other filter.
    Ranking inside FTS5 and joining the few winners costs 3-4 ms at 100,000 items, where
    joining every match (thousands) to its item row before sorting cost 17-40 ms.
    `rowids`: on SQLite, only matches with from <= rowid < to (None: open)."""
    if conn.dialect.name == "sqlite":
        match = sqlite_match(text)
        if match is None:
            return None
        # bm25 is lower-is-better; the title counts five times the body.
        score = (-func.bm25(literal_column("items_fts"), 5.0, 1.0)).label("rank")
        rowid: ColumnElement[int] = literal_column("items_fts.rowid")
        found = (
            select(rowid.label("fts_rowid"), score)
            .select_from(sql_text("items_fts"))
            .where(literal_column("items_fts").op("MATCH")(match))
        )
        if rowids[0] is not None:
            found = found.where(rowid >= rowids[0])
        if rowids[1] is not None:
            found = found.where(rowid < rowids[1])
        if top is not None:
            found = found.order_by(score.desc()).limit(top)
        fts = found.subquery("fts")
        return literal_column("items.rowid") == fts.c.fts_rowid, fts.c.rank, fts
    query = pg_tsquery(text)
    if query is None:
        return None
    # The query as each configuration parses it, OR-ed into one constant tsquery: one GIN
    # lookup, and one rank per row. Matching every item against every language's parse (not
    # only its own) finds the same items in practice: the parses are stems and prefixes of the
    # one word ("'forskning':*", English "'forskn':*"). One branch per distinct parse, each
    # limited to its languages, made PostgreSQL check the language and the match again on
    # every row and rank through a CASE: 37 against 23 ms for a word in 3,300 of 100,000 items.
    # Parsing the query again per row (to_tsquery over the row's language) had cost 400 ms.
    parses = [p for p in _pg_queries(conn, query) if p]
    tsq = cast(literal(" | ".join(f"({p})" for p in parses)), TSQUERY)
    return _search_vector.op("@@")(tsq), func.ts_rank_cd(_search_vector, tsq), None


# (query, config) -> parsed tsquery text; a server asks each distinct search once.
_PARSED: dict[tuple[str, str], str] = {}
_PARSED_MAX = 4096


def _pg_queries(conn: Connection, query: str) -> list[str]:
    """The distinct parses of the query by each language's configuration and 'simple' (for
    every other language); an empty one (a stop word) is ''."""
    configs = [*PG_CONFIGS, "simple"]
    if any((query, name) not in _PARSED for name in configs):
        parsed = conn.execute(
            select(*(func.to_tsquery(literal_column(f"'{n}'::regconfig"), query) for n in configs))
        ).one()
        if len(_PARSED) > _PARSED_MAX:
            _PARSED.clear()
        _PARSED.update({(query, name): str(p) for name, p in zip(configs, parsed, strict=True)})
    return list(dict.fromkeys(_PARSED[(query, name)] for name in configs))
