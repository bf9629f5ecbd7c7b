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
        assert set(rec) <= fields | {"letter"}, rec
        assert ID_PATTERN.match(rec["id"]), rec["id"]
        assert rec["type"] in TYPES
        assert isinstance(rec["name"], str) and rec["name"].strip() == rec["name"] != ""
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
    assert count["town", "NO"] + count["town", "SE"] >= 250


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
    ],
)
def test_bad_records_name_file_and_line(tmp_path, line, message):
    path = _write(tmp_path, NORGE, line)
    with pytest.raises(RegionDataError, match=message) as err:
        RegionIndex.load(path)
    assert f"{path}:2" in str(err.value)
