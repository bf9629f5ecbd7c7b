"""Regions knowledge base: the shipped data's integrity and the index's lookups and walks."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from clusternews.assets import models_dir
from clusternews.knowledge.regions import ID_PATTERN, TYPES, RegionDataError, RegionIndex

DATA = models_dir() / "kb" / "regions.jsonl"


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line]


@pytest.fixture(scope="module")
def ix() -> RegionIndex:
    return RegionIndex.load()


def _id(ix: RegionIndex, name: str, **kw) -> str | None:
    region = ix.resolve(name, **kw)
    return region.id if region else None


# --- the data


def test_every_record_has_the_schema(records):
    fields = {"id", "name", "type", "country", "code", "parents", "aliases", "former_names"}
    for rec in records:
        assert fields <= rec.keys(), rec
        assert set(rec) <= fields | {"letter", "names", "ambiguous", "source"}, rec
        assert ID_PATTERN.match(rec["id"]), rec["id"]
        assert rec["type"] in TYPES
        assert isinstance(rec["name"], str) and rec["name"].strip() == rec["name"] != ""
        if rec.get("source") == "cldr":  # the world's countries (training/kb_countries.py)
            assert rec["type"] == "country" and rec["id"] == f"region:{rec['code'].lower()}"
            assert rec["country"] == rec["code"] and rec["parents"] == []
        else:
            assert rec["country"] in {"NO", "SE", "DK", "FI", None}
        for key in ("parents", "aliases", "former_names"):
            assert all(isinstance(v, str) and v for v in rec[key]), rec
            assert len(set(rec[key])) == len(rec[key]), rec
        if rec["type"] in {"town", "area"}:
            assert rec["code"] is None, rec
        else:
            assert isinstance(rec["code"], str), rec


def test_ids_unique_and_parents_exist(records):
    ids = Counter(r["id"] for r in records)
    assert [i for i, n in ids.items() if n > 1] == []
    for rec in records:
        assert all(p in ids for p in rec["parents"]), rec["id"]
        assert rec["id"] not in rec["parents"]


def test_no_cycles(records):
    parents = {r["id"]: r["parents"] for r in records}
    for start in parents:
        stack, seen = list(parents[start]), set()
        while stack:
            node = stack.pop()
            assert node != start, f"cycle through {start}"
            if node not in seen:
                seen.add(node)
                stack.extend(parents[node])


def test_file_is_ordered_by_level(records):
    order = ["country", "area", "county", "municipality", "town"]
    ranks = [order.index(r["type"]) for r in records]
    assert ranks == sorted(ranks)


def test_counts(records):
    count = Counter((r["type"], r["country"]) for r in records)
    assert count["county", "NO"] == 15
    assert count["municipality", "NO"] == 357
    assert count["county", "SE"] == 21
    assert count["municipality", "SE"] == 290
    # hand-made towns (331 / 301) plus the postal places of training/kb_places.py
    assert count["town", "NO"] >= 1600
    assert count["town", "SE"] >= 1400


def test_codes(records):
    by_id = {r["id"]: r for r in records}
    seen = Counter((r["type"], r["country"], r["code"]) for r in records if r["code"])
    assert [k for k, n in seen.items() if n > 1] == []
    for rec in records:
        if rec["type"] == "municipality":
            assert len(rec["code"]) == 4 and rec["code"].isdigit()
            assert rec["id"] == f"region:{rec['country'].lower()}:{rec['code']}"
            counties = [by_id[p] for p in rec["parents"] if by_id[p]["type"] == "county"]
            assert len(counties) == 1, rec["id"]
            assert counties[0]["code"] == rec["code"][:2], rec["id"]
            assert counties[0]["country"] == rec["country"]
        if rec["type"] == "county" and rec["country"] in {"NO", "SE"}:
            assert len(rec["code"]) == 2 and rec["code"].isdigit()
            assert f"region:{rec['country'].lower()}" in rec["parents"]
        if rec["type"] == "county" and rec["country"] == "SE":
            assert rec.get("letter"), rec["id"]


def test_every_town_sits_in_a_municipality_of_its_country(records):
    by_id = {r["id"]: r for r in records}
    for rec in (r for r in records if r["type"] == "town"):
        munis = [by_id[p] for p in rec["parents"] if by_id[p]["type"] == "municipality"]
        assert munis, rec["id"]
        assert all(m["country"] == rec["country"] for m in munis), rec["id"]


def test_optional_fields(records):
    for rec in records:
        assert isinstance(rec.get("ambiguous", False), bool), rec["id"]
        names = rec.get("names", {})
        assert isinstance(names, dict) and set(names) <= {"nb", "nn", "sv", "en"}, rec["id"]
        forms = {rec["name"], *rec["aliases"]}
        for lang, text in names.items():
            assert text != rec["name"], (rec["id"], lang)  # only where it differs
            assert text in forms, (rec["id"], lang)  # and lookup finds it
        assert rec.get("source") in (None, "postal-no", "postal-se", "cldr"), rec["id"]
        if rec.get("source", "cldr") != "cldr":
            assert rec["type"] == "town" and rec["country"] == rec["source"][-2:].upper()


def test_generated_towns_sit_in_existing_municipalities(records):
    by_id = {r["id"]: r for r in records}
    generated = [r for r in records if r.get("source", "cldr") != "cldr"]
    assert len(generated) > 2000
    for rec in generated:
        assert rec["parents"], rec["id"]
        assert all(by_id[p]["type"] == "municipality" for p in rec["parents"]), rec["id"]
        assert all(p.startswith(f"region:{rec['country'].lower()}:") for p in rec["parents"])
        # no twin of a hand-made town or municipality name in the same municipality
        for parent in rec["parents"]:
            assert by_id[parent]["name"] != rec["name"], rec["id"]
    hand_towns = {
        (r["name"], p)
        for r in records
        if r["type"] == "town" and not r.get("source")
        for p in r["parents"]
    }
    assert not {(r["name"], p) for r in generated for p in r["parents"]} & hand_towns


def test_generated_towns_follow_the_hand_made_ones(records):
    sources = [r.get("source", "cldr") != "cldr" for r in records]
    first = sources.index(True)
    assert all(sources[first:])
    keys = [(r["country"], r["parents"][0]) for r in records[first:]]
    assert keys == sorted(keys, key=lambda k: (k[0] != "NO", k[1]))


# Postal places checked in the sources (aprestmo/norway-geodata, sjbrg/swedish-geodata) and
# that were not in the file before: place -> municipality.
@pytest.mark.parametrize(
    ("place", "country", "municipality"),
    [
        ("Lysaker", "NO", "region:no:3201"),  # Bærum
        ("Fiskå", "NO", "region:no:1511"),  # Vanylven
        ("Straumsjøen", "NO", "region:no:1867"),  # Bø (Nordland)
        ("Skutvik", "NO", "region:no:1875"),  # Hamarøy
        ("Kvaløysletta", "NO", "region:no:5501"),  # Tromsø
        ("Kårvik", "NO", "region:no:5501"),
        ("Gibostad", "NO", "region:no:5530"),  # Senja
        ("Talvik", "NO", "region:no:5601"),  # Alta
        ("Borhaug", "NO", "region:no:4206"),  # Farsund
        ("Hov", "NO", "region:no:3447"),  # Søndre Land
        ("Djursholm", "SE", "region:se:0162"),  # Danderyd
        ("Ösmo", "SE", "region:se:0192"),  # Nynäshamn
        ("Örbyhus", "SE", "region:se:0360"),  # Tierp
        ("Frillesås", "SE", "region:se:1384"),  # Kungsbacka
        ("Fritsla", "SE", "region:se:1463"),  # Mark
        ("Docksta", "SE", "region:se:2282"),  # Kramfors
        ("Junsele", "SE", "region:se:2283"),  # Sollefteå
        ("Hammerdal", "SE", "region:se:2313"),  # Strömsund
        ("Lövånger", "SE", "region:se:2482"),  # Skellefteå
        ("Korpilombolo", "SE", "region:se:2521"),  # Pajala
        ("Nol", "SE", "region:se:1440"),  # Ale (its postal codes reach into Kungälv too)
    ],
)
def test_postal_places_resolve_to_their_municipality(ix, place, country, municipality):
    town = ix.resolve(place, country=country)
    assert town is not None and town.type == "town", place
    assert municipality in town.parents
    assert ix.ancestors(town.id)[0] == town.parents[0]


def test_ambiguous_places(ix):
    assert ix.resolve("Hov", country="NO").ambiguous  # short
    assert ix.resolve("Nol", country="SE").ambiguous
    assert ix.get("region:no:1112").ambiguous  # Lund: a surname
    assert not ix.resolve("Lysaker").ambiguous
    assert not ix.get("region:no:1804").ambiguous  # Bodø
    assert not ix.get("region:no:town:mo-i-rana").ambiguous


def test_display_names(ix):
    norge, finland = ix.get("region:no"), ix.get("region:fi")
    assert norge.display_name("en") == "Norway"
    assert norge.display_name("nn") == "Noreg"
    assert norge.display_name("sv") == norge.display_name(None) == "Norge"
    assert finland.display_name("nn") == "Finland"  # falls back to nb
    assert finland.display_name() == "Suomi"
    assert ix.get("region:area:nord-norge").display_name("en") == "Northern Norway"
    assert ix.get("region:no:1804").display_name("en") == "Bodø"


# --- lookups


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nordland", "region:no:18"),
        ("Nordlands", "region:no:18"),
        ("nordland fylke", "region:no:18"),
        ("Nordland fylkeskommune", "region:no:18"),
        ("Norrbottens län", "region:se:25"),
        ("Norrbotten", "region:se:25"),
        ("Region Norrbotten", "region:se:25"),
        ("Landstinget/Region Norrbotten", "region:se:25"),
        ("Västerbottens", "region:se:24"),
        ("Vaesterbotten", "region:se:24"),
        ("Vasterbotten", "region:se:24"),
        ("Region Västerbotten", "region:se:24"),
        ("Region Jönköpings län", "region:se:06"),
        ("Region Jönköping", "region:se:06"),
        ("Jönköping", "region:se:0680"),
        ("Tromso", "region:no:5501"),
        ("TROMSØ", "region:no:5501"),
        ("Malmoe", "region:se:1280"),
        ("Aalesund", "region:no:1508"),
        ("Laerdal", "region:no:4642"),
        ("Lardal", "region:no:3909"),
        ("Habo", "region:se:0643"),
        ("Håbo", "region:se:0305"),
        ("Bodøs", "region:no:1804"),
        ("Bodø kommune", "region:no:1804"),
        ("Luleå kommun", "region:se:2580"),
        ("Bodens kommun", "region:se:2582"),
        ("Göteborgs stad", "region:se:1480"),
        ("Nord-Norges", "region:area:nord-norge"),
        ("Nord Norge", "region:area:nord-norge"),
        ("Northern Norway", "region:area:nord-norge"),
        ("Troms og Finnmark", "region:area:troms-og-finnmark"),
        ("Troms og Finnmark fylke", "region:area:troms-og-finnmark"),
        ("Hordaland", "region:area:hordaland"),
        ("Guovdageaidnu", "region:no:5612"),
        ("Kautokeino", "region:no:5612"),
        ("Giron", "region:se:2584"),
        ("Romsa", "region:no:55"),
        ("Finnmárku", "region:no:56"),
        ("Trööndelage", "region:no:50"),
        ("Noreg", "region:no"),
        ("Sweden", "region:se"),
    ],
)
def test_resolve(ix, text, expected):
    assert _id(ix, text) == expected


def test_mo_i_rana_climbs_to_norway(ix):
    town = ix.resolve("Mo i Rana")
    assert town is not None and town.type == "town"
    up = ix.ancestors(town.id)
    for wanted in ("region:no:1833", "region:no:18", "region:area:nord-norge", "region:no"):
        assert wanted in up
    assert up[0] == "region:no:1833"  # nearest first


def test_malmberget_climbs_to_sweden(ix):
    up = ix.ancestors(_id(ix, "Malmberget"))
    for wanted in (
        "region:se:2523",
        "region:se:25",
        "region:area:ovre-norrland",
        "region:area:norrland",
        "region:se",
    ):
        assert wanted in up
    assert ix.get("region:se:2523").name == "Gällivare"


def test_descendants(ix):
    viken = ix.descendants(_id(ix, "Viken"))
    assert {"region:no:32", "region:no:3209", "region:no:town:jessheim"} <= viken
    nord_norge = ix.descendants(_id(ix, "Nord-Norge"))
    assert "region:no:1806" in nord_norge and "region:no:town:mo-i-rana" in nord_norge
    assert "region:se:2580" not in nord_norge
    assert "region:no:4601" in ix.descendants(_id(ix, "Hordaland"))  # Bergen
    assert "region:no:4643" in ix.descendants(_id(ix, "Sogn og Fjordane"))  # Årdal
    assert {"region:no:55", "region:no:56"} <= ix.descendants(_id(ix, "Troms og Finnmark"))
    assert "region:se:2584" in ix.descendants(_id(ix, "Nordkalotten"))


def test_expand_up_is_stable_and_deduplicated(ix):
    out = ix.expand_up(["region:no:1833", "region:no:1824", "region:no:1833"])
    assert out[:2] == ["region:no:1833", "region:no:18"]
    assert out.index("region:no:1824") > out.index("region:no")
    assert len(out) == len(set(out))


def test_ambiguity_rules(ix):
    assert _id(ix, "Oslo") == "region:no:03"  # county before municipality
    assert _id(ix, "Oslo kommune") == "region:no:0301"  # unless the wording says otherwise
    assert _id(ix, "Bø") == "region:no:1867"  # municipality before the Telemark village
    assert _id(ix, "Lund") == "region:no:1112"  # tie: deterministic by id
    assert _id(ix, "Lund", country="SE") == "region:se:1281"
    assert _id(ix, "Viken") == "region:area:viken"
    assert _id(ix, "Viken", country="SE") == "region:se:town:viken"
    assert [r.id for r in ix.lookup("Herøy")] == ["region:no:1515", "region:no:1818"]
    assert [r.id for r in ix.lookup("Våler")] == ["region:no:3114", "region:no:3419"]
    assert _id(ix, "Herøy (Nordland)") == "region:no:1818"
    assert len(ix.lookup("Straumen")) == 2


@pytest.mark.parametrize("text", ["Atlantis", "", "   ", "kommune", "Region", "Xs län"])
def test_unknown_names(ix, text):
    assert ix.resolve(text) is None


def test_names_cover_every_form(ix, records):
    phrases = set(ix.names())
    assert ("Guovdageaidnu", "region:no:5612") in phrases
    assert ("Kristiania", "region:no:03") in phrases
    assert {i for _, i in phrases} == {r["id"] for r in records}
    assert len(ix) == len(records)


# --- loader errors


def _write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "regions.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


NORGE = json.dumps(
    {
        "id": "region:no",
        "name": "Norge",
        "type": "country",
        "country": "NO",
        "code": "NO",
        "parents": [],
        "aliases": [],
        "former_names": [],
    }
)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not JSON"),
        (NORGE.replace('"type": "country"', '"type": "city"'), "unknown type"),
        (NORGE.replace("region:no", "region:NO:1"), "bad id"),
        (NORGE.replace('"parents": []', '"parents": "region:se"'), "parents"),
        (
            NORGE.replace('"parents": []', '"parents": ["region:se"]').replace(
                '"id": "region:no"', '"id": "region:dk"'
            ),
            "unknown parent",
        ),
        (NORGE, "already on line 1"),
        (NORGE.replace('"parents": []', '"parents": [], "ambiguous": "yes"'), "ambiguous"),
        (NORGE.replace('"parents": []', '"parents": [], "names": {"de": "Norwegen"}'), "names"),
        (NORGE.replace('"parents": []', '"parents": [], "names": ["Norway"]'), "names"),
    ],
)
def test_bad_records_name_file_and_line(tmp_path, line, message):
    path = _write(tmp_path, NORGE, line)
    with pytest.raises(RegionDataError, match=message) as err:
        RegionIndex.load(path)
    assert f"{path}:2" in str(err.value)


@pytest.mark.parametrize(
    ("name", "country", "region_id"),
    [
        ("Kina", "NO", "region:cn"),
        ("Tyskland", "SE", "region:de"),
        ("Germany", None, "region:de"),
        ("Storbritannien", "SE", "region:gb"),
        ("USA", "NO", "region:us"),
        ("Kinna", "SE", "region:se:town:kinna"),
    ],
)
def test_world_countries_are_known_by_their_nordic_and_english_names(ix, name, country, region_id):
    """Before the countries, "Kina" (China) was the Swedish town Kinna by a spelling match."""
    assert ix.resolve(name, country=country).id == region_id


def test_spelled_as_written_tells_a_name_from_a_folded_match(ix):
    """The tagger trusts a place matched as spelled; "Svarta" (black) meets Svartå only folded."""
    svarta = ix.resolve("Svartå", country="SE")
    assert ix.spelled_as_written("Svartå", svarta.id)
    assert not ix.spelled_as_written("Svarta", svarta.id)
    assert ix.spelled_as_written("Nordlands", "region:no:18")  # genitive
    assert ix.spelled_as_written("Rana kommune", "region:no:1833")  # wording
    assert not ix.spelled_as_written("Tromso", "region:no:5501")
