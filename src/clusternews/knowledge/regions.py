"""In-memory index of Nordic regions: forgiving name lookup and hierarchy walks."""

from __future__ import annotations

import json
import re
from collections import defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clusternews.assets import models_dir
from clusternews.knowledge.folding import exact_key, loose_key, variants
from clusternews.knowledge.names import LANGUAGES, pick_name

TYPES = ("country", "county", "area", "municipality", "town")
# When one surface form names several regions, the broader one is usually meant:
# "Oslo" is the county before the municipality, "Bø" the municipality before the village.
_TYPE_RANK = {t: i for i, t in enumerate(TYPES)}
ID_PATTERN = re.compile(
    r"^region:(?:area:[a-z0-9-]+|[a-z]{2}(?::(?:\d{2}|\d{4}|town:[a-z0-9-]+))?)$"
)
_REQUIRED = {
    "id": str,
    "name": str,
    "type": str,
    "parents": list,
    "aliases": list,
    "former_names": list,
}
# Match tiers, best first: name or alias as written, former name, then the same two
# spelling-folded (so "Laerdal" is Lærdal before it is Larvik's former "Lardal").
_NAME, _FORMER, _LOOSE_NAME, _LOOSE_FORMER = 0, 1, 2, 3


class RegionDataError(ValueError):
    """A record in the regions file is malformed; the message names file:line."""


@dataclass(frozen=True, slots=True)
class Region:
    id: str
    name: str
    type: str
    country: str | None
    code: str | None
    parents: tuple[str, ...]
    aliases: tuple[str, ...]
    former_names: tuple[str, ...]
    letter: str | None = None  # Swedish län letter ("BD"), else None
    # A place named like an ordinary word or a person's name ("Moss", "Gran", "Lund"):
    # the tagger links it only when the NER model or a preposition ("i", "på") backs it.
    ambiguous: bool = False
    # Display names per language where they differ from `name`: (("en", "Norway"), ...).
    names: tuple[tuple[str, str], ...] = ()

    def display_name(self, lang: str | None = None) -> str:
        """The name to show in language `lang` ("nb", "nn", "sv", "en"); nn falls back to nb."""
        return pick_name(self.name, self.names, lang)


def _parse(line: str, where: str) -> Region:
    try:
        raw = json.loads(line)
    except json.JSONDecodeError as exc:
        raise RegionDataError(f"{where}: not JSON ({exc.msg})") from None
    if not isinstance(raw, dict):
        raise RegionDataError(f"{where}: a record must be a JSON object")
    for field, kind in _REQUIRED.items():
        if not isinstance(raw.get(field), kind):
            raise RegionDataError(f"{where}: field {field!r} missing or not a {kind.__name__}")
    for field in ("country", "code", "letter"):
        if raw.get(field) is not None and not isinstance(raw[field], str):
            raise RegionDataError(f"{where}: field {field!r} must be a string or null")
    if not ID_PATTERN.match(raw["id"]):
        raise RegionDataError(f"{where}: bad id {raw['id']!r}")
    if raw["type"] not in _TYPE_RANK:
        raise RegionDataError(f"{where}: unknown type {raw['type']!r}")
    lists = (raw["parents"], raw["aliases"], raw["former_names"])
    if not all(isinstance(item, str) and item for values in lists for item in values):
        raise RegionDataError(f"{where}: parents, aliases and former_names hold strings")
    ambiguous = raw.get("ambiguous", False)
    if not isinstance(ambiguous, bool):
        raise RegionDataError(f"{where}: field 'ambiguous' must be true or false")
    names = raw.get("names", {})
    if not isinstance(names, dict) or not all(
        lang in LANGUAGES and isinstance(text, str) and text for lang, text in names.items()
    ):
        raise RegionDataError(
            f"{where}: field 'names' maps {'/'.join(LANGUAGES)} to non-empty strings"
        )
    if raw.get("source") is not None and not isinstance(raw["source"], str):
        raise RegionDataError(f"{where}: field 'source' must be a string")
    return Region(
        id=raw["id"],
        name=raw["name"],
        type=raw["type"],
        country=raw.get("country"),
        code=raw.get("code"),
        parents=tuple(raw["parents"]),
        aliases=tuple(raw["aliases"]),
        former_names=tuple(raw["former_names"]),
        letter=raw.get("letter"),
        ambiguous=ambiguous,
        names=tuple(sorted(names.items())),
    )


class RegionIndex:
    """Regions by id and by every name they go by, with parent and child links."""

    def __init__(self, regions: Iterable[Region]) -> None:
        self._by_id: dict[str, Region] = {}
        for region in regions:
            if region.id in self._by_id:
                raise RegionDataError(f"duplicate id {region.id!r}")
            self._by_id[region.id] = region
        self._children: dict[str, list[str]] = defaultdict(list)
        self._exact: dict[str, list[tuple[int, str]]] = defaultdict(list)
        self._loose: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for region in self._by_id.values():
            for parent in region.parents:
                if parent not in self._by_id:
                    raise RegionDataError(f"{region.id}: unknown parent {parent!r}")
                self._children[parent].append(region.id)
            for tier, loose_tier, forms in (
                (_NAME, _LOOSE_NAME, (region.name, *region.aliases)),
                (_FORMER, _LOOSE_FORMER, region.former_names),
            ):
                for form in forms:
                    self._exact[exact_key(form)].append((tier, region.id))
                    self._loose[loose_key(form)].append((loose_tier, region.id))

    @classmethod
    def load(cls, path: Path | None = None) -> RegionIndex:
        """Read a regions JSONL file (default: models/kb/regions.jsonl)."""
        path = path or models_dir() / "kb" / "regions.jsonl"
        regions: list[Region] = []
        lines: dict[str, int] = {}
        with path.open(encoding="utf-8") as fh:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                region = _parse(line, f"{path}:{number}")
                if region.id in lines:
                    raise RegionDataError(
                        f"{path}:{number}: id {region.id!r} already on line {lines[region.id]}"
                    )
                lines[region.id] = number
                regions.append(region)
        for region in regions:  # checked here too, so the error can name the line
            for parent in region.parents:
                if parent not in lines:
                    raise RegionDataError(f"{path}:{lines[region.id]}: unknown parent {parent!r}")
        return cls(regions)

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[Region]:
        return iter(self._by_id.values())

    def get(self, region_id: str) -> Region | None:
        return self._by_id.get(region_id)

    def lookup(self, name: str, *, country: str | None = None) -> list[Region]:
        """Every region the surface form may mean, best first.

        Forms are tried as written, then without "kommune"/"fylke"/"län"/"Region" and a
        genitive -s; the first form that matches anything gives the answer. Its matches
        are ordered by: exact name or alias, former name, diacritic-folded; the type the
        wording implies ("X kommune"); the `country` hint; county > area > municipality
        > town; id. So "Herøy" lists 1515 before 1818 and "Lund" Rogaland before Skåne.
        """
        for form, hint in variants(name):
            hits: dict[str, int] = {}
            for tier, region_id in self._exact.get(form, []) + self._loose.get(loose_key(form), []):
                hits[region_id] = min(tier, hits.get(region_id, tier))
            if hits:
                return sorted(
                    (self._by_id[i] for i in hits),
                    key=lambda r: self._rank(r, hits[r.id], hint, country),
                )
        return []

    def spelled_as_written(self, name: str, region_id: str) -> bool:
        """Whether `name` (case, genitive and "kommune"/"län" wording aside) is one of the
        region's names as spelled, not only a diacritic-folded match: "Svarta" is Svartå only
        by folding, "Nordlands" is Nordland as written."""
        return any(
            region_id == rid
            for form, _hint in variants(name)
            for _tier, rid in self._exact.get(form, [])
        )

    def resolve(self, name: str, *, country: str | None = None) -> Region | None:
        """The single best region for a surface form, or None if the name is unknown."""
        found = self.lookup(name, country=country)
        return found[0] if found else None

    @staticmethod
    def _rank(region: Region, tier: int, hint: str | None, country: str | None) -> tuple[Any, ...]:
        # A "kommune"/"län" suffix says which level is meant; a county hint also
        # accepts former counties, which are stored as areas ("Viken fylke").
        wanted = ({hint, "area"} if hint == "county" else {hint}) if hint else set()
        other_country = country is not None and region.country not in (None, country.upper())
        return (
            tier,
            bool(wanted) and region.type not in wanted,
            other_country,
            _TYPE_RANK[region.type],
            region.id,
        )

    def ancestors(self, region_id: str) -> list[str]:
        """All ids above a region, nearest first (breadth-first), each once."""
        return self._walk(region_id, lambda r: self._by_id[r].parents if r in self._by_id else ())

    def descendants(self, region_id: str) -> set[str]:
        """All ids below a region (its children, their children, ...)."""
        return set(self._walk(region_id, lambda r: self._children.get(r, ())))

    def expand_up(self, region_ids: Iterable[str]) -> list[str]:
        """The ids followed by their ancestors, de-duplicated in first-seen order."""
        out: dict[str, None] = {}
        for region_id in region_ids:
            out[region_id] = None
            out.update(dict.fromkeys(self.ancestors(region_id)))
        return list(out)

    @staticmethod
    def _walk(start: str, step: Callable[[str], Iterable[str]]) -> list[str]:
        seen, order, queue = {start}, [], deque([start])
        while queue:
            for nxt in step(queue.popleft()):
                if nxt not in seen:  # also what keeps a bad cycle from looping
                    seen.add(nxt)
                    order.append(nxt)
                    queue.append(nxt)
        return order

    def names(self) -> Iterator[tuple[str, str]]:
        """(surface form, id) for every name, alias and former name: the tagger's phrases."""
        for region in self._by_id.values():
            for form in (region.name, *region.aliases, *region.former_names):
                yield form, region.id
