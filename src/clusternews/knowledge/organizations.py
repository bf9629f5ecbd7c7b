"""In-memory index of organizations and programmes: exact and spelling-folded name lookup."""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from clusternews.assets import models_dir
from clusternews.knowledge.folding import exact_key, loose_key
from clusternews.knowledge.names import LANGUAGES, pick_name

KINDS = ("company", "cluster", "research", "education", "public", "association", "media")
ORG_COUNTRIES = frozenset({"NO", "SE", "FI", "DK", "EU"})
PROGRAMME_COUNTRIES = ORG_COUNTRIES | {"Nordic"}
# Supranational entities apply in every country, so a country hint never ranks them down.
_EVERYWHERE = frozenset({"EU", "Nordic"})
ORG_ID = re.compile(r"^org:[a-z0-9]+(?:-[a-z0-9]+)*$")
PROGRAMME_ID = re.compile(r"^programme:[a-z0-9]+(?:-[a-z0-9]+)*$")
# Longest first, so "AB (publ)" is taken off whole before "AB" is tried.
LEGAL_SUFFIXES = ("ab (publ)", "asa", "ans", "oyj", "gmbh", "ltd", "as", "ab", "sa", "sf", "da")
_LEGAL = re.compile(r"[\s,]+(?:" + "|".join(re.escape(s) for s in LEGAL_SUFFIXES) + r")\.?$", re.I)
_GENITIVE = re.compile(r"(?::s|['’]s|(?<=\w\w)s)$")  # "LKAB:s", "NTNU's", "EUs", "Vinnovas"
_THE = re.compile(r"^the\s+", re.I)
_SPACES = re.compile(r"\s+")
_DASHES = re.compile(r"[\u2010-\u2015\u2212]")
# Match tiers, best first: declared name/alias/abbreviation, former name, a declared form
# without its legal suffix ("Equinor ASA" -> "Equinor"), then the same three folded.
_NAME, _FORMER, _DERIVED = 0, 1, 2
_LOOSE = 3
# Organisationsnummer (Sweden, NNNNNN-NNNN) or organisasjonsnummer (Norway, 9 digits).
ORG_NUMBER = {"SE": re.compile(r"^\d{6}-\d{4}$"), "NO": re.compile(r"^\d{9}$")}
ORG_NUMBER_ANY = re.compile(r"^(?:\d{6}-\d{4}|\d{9})$")


class EntityDataError(ValueError):
    """A record in an organizations or programmes file is malformed; the message names file:line."""


@dataclass(frozen=True, slots=True)
class Organization:
    id: str
    name: str
    kind: str
    country: str | None
    region: str | None
    aliases: tuple[str, ...]
    abbreviations: tuple[str, ...]
    former_names: tuple[str, ...]
    url: str | None
    case_sensitive: tuple[str, ...]
    org_number: str | None = None
    names: tuple[tuple[str, str], ...] = ()  # (language, display name) where it differs

    def display_name(self, lang: str | None = None) -> str:
        """The name to show a reader of `lang` (nb, nn, sv, en): nn falls back to nb."""
        return pick_name(self.name, self.names, lang)


@dataclass(frozen=True, slots=True)
class Programme:
    id: str
    name: str
    country: str | None
    owner: str | None
    aliases: tuple[str, ...]
    abbreviations: tuple[str, ...]
    patterns: tuple[str, ...]
    case_sensitive: tuple[str, ...] = ()
    former_names: tuple[str, ...] = ()  # kept so both kinds expose the same name fields
    names: tuple[tuple[str, str], ...] = ()  # (language, display name) where it differs

    def display_name(self, lang: str | None = None) -> str:
        """The name to show a reader of `lang` (nb, nn, sv, en): nn falls back to nb."""
        return pick_name(self.name, self.names, lang)


T = TypeVar("T", Organization, Programme)


def cased_key(text: str) -> str:
    """Key for a case-sensitive form: spacing and dashes normalised, letters kept as written."""
    text = _DASHES.sub("-", unicodedata.normalize("NFC", text))
    return _SPACES.sub(" ", text).strip(" .,;:'\"")


# A multinational's local company is written without its country: "Alcoa Norway" is "Alcoa".
_COUNTRY_SUFFIX = re.compile(r"\s+(?:Norway|Norge|Noreg|Sweden|Sverige|Nordic|Scandinavia)$")


def strip_country(entity: Organization | Programme, form: str) -> str | None:
    """A company's name without a trailing country word, for look-ups only (never a phrase
    to match in text: "Innovasjon Norge" is not "Innovasjon")."""
    if getattr(entity, "kind", None) != "company" or not _COUNTRY_SUFFIX.search(form):
        return None
    bare = _COUNTRY_SUFFIX.sub("", form).strip()
    return bare if len(bare) >= 3 and bare[:1].isupper() else None


def strip_legal(text: str) -> str:
    """The name without a trailing legal-form suffix ("Boliden AB (publ)" -> "Boliden")."""
    return _LEGAL.sub("", text).strip()


def query_forms(text: str) -> list[str]:
    """Forms of a surface name to try, in order: as written, without "the" or a legal
    suffix, then each of those without a genitive ("LKAB:s", "Innovasjon Norges")."""
    base = cased_key(text)
    forms = [base, _THE.sub("", base)]
    forms += [strip_legal(f) for f in forms]
    # The genitive comes after a legal suffix ("Boliden AB:s"), so strip it, then the suffix.
    bare = [_GENITIVE.sub("", f) for f in forms]
    forms += bare + [strip_legal(f) for f in bare]
    return [f for f in dict.fromkeys(forms) if f]


def _strings(
    raw: dict[str, Any], field: str, where: str, *, required: bool = True
) -> tuple[str, ...]:
    value = raw.get(field, None if required else [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise EntityDataError(f"{where}: field {field!r} must be a list of non-empty strings")
    return tuple(value)


def _optional(raw: dict[str, Any], field: str, where: str) -> str | None:
    value = raw.get(field)
    if value is not None and not (isinstance(value, str) and value):
        raise EntityDataError(f"{where}: field {field!r} must be a non-empty string or null")
    return value


def _names(raw: dict[str, Any], where: str) -> tuple[tuple[str, str], ...]:
    value = raw.get("names") or {}
    if not isinstance(value, dict):
        raise EntityDataError(f"{where}: field 'names' must be an object of language -> name")
    for lang, name in value.items():
        if lang not in LANGUAGES:
            raise EntityDataError(f"{where}: names: unknown language {lang!r}")
        if not isinstance(name, str) or not name.strip() or name != name.strip():
            raise EntityDataError(f"{where}: names[{lang!r}] must be a non-empty trimmed string")
    return tuple(sorted(value.items(), key=lambda item: LANGUAGES.index(item[0])))


def _org_number(raw: dict[str, Any], where: str, country: str | None) -> str | None:
    value = raw.get("org_number")
    if value is None:
        return None
    pattern = ORG_NUMBER.get(country or "", ORG_NUMBER_ANY)
    if not isinstance(value, str) or not pattern.match(value):
        raise EntityDataError(
            f"{where}: org_number {value!r} is not a {country or 'SE/NO'} organisation number"
        )
    return value


def _common(
    raw: object, where: str, pattern: re.Pattern[str], countries: frozenset[str]
) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise EntityDataError(f"{where}: a record must be a JSON object")
    for field in ("id", "name"):
        if not isinstance(raw.get(field), str) or not raw[field].strip():
            raise EntityDataError(f"{where}: field {field!r} missing or not a string")
    if not pattern.match(raw["id"]):
        raise EntityDataError(f"{where}: bad id {raw['id']!r}")
    country = _optional(raw, "country", where)
    if country is not None and country not in countries:
        raise EntityDataError(f"{where}: unknown country {country!r}")
    fields = {
        "id": raw["id"],
        "name": raw["name"],
        "country": country,
        "aliases": _strings(raw, "aliases", where),
        "abbreviations": _strings(raw, "abbreviations", where),
        "case_sensitive": _strings(raw, "case_sensitive", where, required=False),
        "names": _names(raw, where),
    }
    declared = {raw["name"], *fields["aliases"], *fields["abbreviations"]}
    declared |= set(raw.get("former_names") or ())
    stray = [form for form in fields["case_sensitive"] if form not in declared]
    if stray:
        raise EntityDataError(f"{where}: case_sensitive lists undeclared forms {stray}")
    return fields


def parse_organization(raw: object, where: str) -> Organization:
    """One organizations.jsonl record, checked; `where` ("file:line") prefixes any error."""
    fields = _common(raw, where, ORG_ID, ORG_COUNTRIES)
    assert isinstance(raw, dict)
    if raw.get("kind") not in KINDS:
        raise EntityDataError(f"{where}: kind must be one of {', '.join(KINDS)}")
    region = _optional(raw, "region", where)
    if region is not None and not region.startswith("region:"):
        raise EntityDataError(f"{where}: region must be a region id, not {region!r}")
    return Organization(
        kind=raw["kind"],
        region=region,
        former_names=_strings(raw, "former_names", where),
        url=_optional(raw, "url", where),
        org_number=_org_number(raw, where, fields["country"]),
        **fields,
    )


def parse_programme(raw: object, where: str) -> Programme:
    """One programmes.jsonl record, checked; every pattern must compile."""
    fields = _common(raw, where, PROGRAMME_ID, PROGRAMME_COUNTRIES)
    assert isinstance(raw, dict)
    owner = _optional(raw, "owner", where)
    if owner is not None and not ORG_ID.match(owner):
        raise EntityDataError(f"{where}: owner must be an org id, not {owner!r}")
    patterns = _strings(raw, "patterns", where, required=False)
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise EntityDataError(
                f"{where}: pattern {pattern!r} does not compile ({exc})"
            ) from None
    return Programme(
        owner=owner,
        patterns=patterns,
        former_names=_strings(raw, "former_names", where, required=False),
        **fields,
    )


class EntityIndex(Generic[T]):
    """Organizations or programmes by id and by every name they go by."""

    def __init__(self, entities: Iterable[T]) -> None:
        self._by_id: dict[str, T] = {}
        self._cased: dict[str, list[tuple[int, str]]] = defaultdict(list)
        self._exact: dict[str, list[tuple[int, str]]] = defaultdict(list)
        self._loose: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for entity in entities:
            if entity.id in self._by_id:
                raise EntityDataError(f"duplicate id {entity.id!r}")
            self._by_id[entity.id] = entity
            for form, tier in _declared(entity):
                self._add(entity, form, tier)
                if (short := strip_legal(form)) and short != form:
                    self._add(entity, short, _DERIVED)
                if (bare := strip_country(entity, short or form)) is not None:
                    self._add(entity, bare, _DERIVED)

    def _add(self, entity: T, form: str, tier: int) -> None:
        # A case-sensitive form ("RISE", "SCA", "LO") is never folded: "rise" is a verb.
        if form in entity.case_sensitive:
            self._cased[cased_key(form)].append((tier, entity.id))
            return
        self._exact[exact_key(form)].append((tier, entity.id))
        self._loose[loose_key(form)].append((tier + _LOOSE, entity.id))

    @classmethod
    def load_organizations(cls, path: Path | None = None) -> EntityIndex[Organization]:
        """Read organizations.jsonl (default: models/kb/organizations.jsonl)."""
        path = path or models_dir() / "kb" / "organizations.jsonl"
        return EntityIndex(_read(path, parse_organization))

    @classmethod
    def load_programmes(cls, path: Path | None = None) -> EntityIndex[Programme]:
        """Read programmes.jsonl (default: models/kb/programmes.jsonl)."""
        path = path or models_dir() / "kb" / "programmes.jsonl"
        return EntityIndex(_read(path, parse_programme))

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[T]:
        return iter(self._by_id.values())

    def get(self, entity_id: str) -> T | None:
        return self._by_id.get(entity_id)

    def lookup(self, name: str, *, country: str | None = None) -> list[T]:
        """Every entity the surface form may mean, best first.

        The forms of `query_forms` are tried in order and the first that matches anything
        gives the answer. Its matches are ordered by tier (declared name, former name, name
        without legal suffix, then the same diacritic-folded), then the `country` hint, then id.
        """
        for form in query_forms(name):
            hits: dict[str, int] = {}
            found = self._cased.get(form, []) + self._exact.get(exact_key(form), [])
            for tier, entity_id in found + self._loose.get(loose_key(form), []):
                hits[entity_id] = min(tier, hits.get(entity_id, tier))
            if hits:
                return sorted(
                    (self._by_id[i] for i in hits), key=lambda e: self._rank(e, hits[e.id], country)
                )
        return []

    def resolve(self, name: str, *, country: str | None = None) -> T | None:
        """The single best entity for a surface form, or None if the name is unknown."""
        found = self.lookup(name, country=country)
        return found[0] if found else None

    @staticmethod
    def _rank(entity: T, tier: int, country: str | None) -> tuple[Any, ...]:
        other = country is not None and entity.country not in (None, country.upper(), *_EVERYWHERE)
        return (tier, other, entity.id)

    def names(self) -> Iterator[tuple[str, str, bool]]:
        """(surface form, id, case_sensitive) for every declared form: the tagger's phrases."""
        for entity in self._by_id.values():
            for form, _tier in _declared(entity):
                yield form, entity.id, form in entity.case_sensitive


def _declared(entity: Organization | Programme) -> Iterator[tuple[str, int]]:
    for form in (entity.name, *entity.aliases, *entity.abbreviations):
        yield form, _NAME
    for form in entity.former_names:
        yield form, _FORMER


def _read(path: Path, parse: Callable[[object, str], T]) -> list[T]:
    entities: list[T] = []
    lines: dict[str, int] = {}
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as exc:
                raise EntityDataError(f"{where}: not JSON ({exc.msg})") from None
            entity = parse(raw, where)
            if entity.id in lines:
                raise EntityDataError(
                    f"{where}: id {entity.id!r} already on line {lines[entity.id]}"
                )
            lines[entity.id] = number
            entities.append(entity)
    return entities
