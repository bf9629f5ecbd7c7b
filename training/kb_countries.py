"""The world's countries as region records, named in Bokmål, Nynorsk, Swedish and English.

Why: cluster news names China, Germany or Chile all the time. A knowledge base that knows only
the Nordic countries links such a name to the nearest Nordic spelling instead ("Kina" became
the Swedish town Kinna) or leaves it unlisted. Each country is one `country` record with no
parents, so a region filter for it finds articles that name it and nothing else.

Source: the Unicode CLDR territory names, as shipped by the Python package Babel
(`pip install babel`; build time only, not a runtime dependency). CLDR data is under the
Unicode License v3 (https://www.unicode.org/license.txt), which permits redistribution of
derived data with the notice; Babel itself is BSD-3-Clause. Which Babel/CLDR version built
the file is written to `models/kb/SOURCES.md` by hand when it is re-run.

    python training/kb_countries.py            # rewrite the generated countries in regions.jsonl

The records carry `"source": "cldr"`; hand-made records (Norge, Sverige, Danmark, Suomi) are
kept as they are, and a re-run replaces only the generated ones. A name that is also an
everyday word, a first name or a surname in the Nordic languages or English ("Jordan",
"Georgia", "Island", "Man") is `ambiguous`: the tagger then links
it only when its model reads a place or a preposition ("i", "från") precedes it.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from babel import Locale

ROOT = Path(__file__).resolve().parents[1]
REGIONS = ROOT / "models" / "kb" / "regions.jsonl"
LANGS = ("nb", "nn", "sv", "en")
HAND_MADE = {"NO", "SE", "DK", "FI"}
# CLDR codes that are not countries: unknown, EU, eurozone, UN, outlying Oceania, pseudo-locales.
NOT_COUNTRIES = {"ZZ", "EU", "EZ", "UN", "QO", "XA", "XB", "XK"}
# Words, first names and surnames that are also a country's name in one of the four languages.
WORDLIKE = {"Jersey", "Guernsey", "Man", "Jordan", "Georgia", "Chad", "Island", "Niger", "Guinea",
            "Dominica", "Grenada", "Norfolk", "Heard", "Bouvet", "Wallis", "Martin", "Marino",
            "Kiribati", "Tokelau", "Macao", "Curaçao", "Montserrat", "Barbados", "Jamaica",
            "Bermuda", "Panama", "Victoria", "Christmas"}


def country_records(existing_forms: set[str]) -> list[dict]:
    locales = {lang: Locale.parse(lang) for lang in LANGS}
    out = []
    for code in sorted(locales["en"].territories):
        if not (len(code) == 2 and code.isalpha()) or code in NOT_COUNTRIES | HAND_MADE:
            continue
        names = {lang: locales[lang].territories.get(code) for lang in LANGS}
        if not all(names.values()):
            continue
        name = names["nb"]
        forms = [n for n in dict.fromkeys(names.values()) if n.casefold() not in existing_forms]
        if name not in forms:
            continue  # a Nordic place already goes by this name: the hand-made record wins
        aliases = [f for f in forms if f != name]
        words = {w for f in forms for w in f.replace("-", " ").split()}
        out.append({
            "id": f"region:{code.lower()}",
            "name": name,
            "type": "country",
            "country": code,
            "code": code,
            "parents": [],
            "aliases": aliases,
            "former_names": [],
            "names": {lang: n for lang, n in names.items() if n != name and n in aliases},
            "ambiguous": bool(words & WORDLIKE),
            "source": "cldr",
        })
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--regions", type=Path, default=REGIONS)
    args = ap.parse_args(argv)
    lines = args.regions.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if json.loads(line).get("source") != "cldr"]
    records = [json.loads(line) for line in kept]
    forms = {f.casefold() for r in records for f in (r["name"], *r["aliases"], *r["former_names"])}
    countries = country_records(forms)
    # Countries come first in the file: after the last hand-made country record.
    last = max(i for i, r in enumerate(records) if r["type"] == "country")
    new = [json.dumps(r, ensure_ascii=False) for r in countries]
    args.regions.write_text("\n".join(kept[: last + 1] + new + kept[last + 1:]) + "\n",
                            encoding="utf-8")
    print(f"{len(countries)} countries ({sum(r['ambiguous'] for r in countries)} ambiguous) "
          f"written to {args.regions}")


if __name__ == "__main__":
    main()
