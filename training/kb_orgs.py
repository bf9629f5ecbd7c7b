"""Rebuild the derived part of models/kb/organizations.jsonl from open registers.

Usage: python training/kb_orgs.py [--check]

The file holds two kinds of record:

* hand-made records (clusters, companies, research institutes, EU and Nordic bodies, …),
  kept exactly as they are, except that a hand-made record that is also a row of a source
  (listed in HAND_SE / HAND_NO, by organisation number) gets its `org_number` from it;
* derived records, one per source row not matched to a hand-made record. Their ids are
  computed from the source (`org:` + slug of the name, see DERIVED ID below), so a second
  run recognises and replaces them: the script is deterministic and idempotent.

Output order: hand-made records in file order, then Swedish agencies in source order, then
Norwegian state bodies in source order. `--check` exits 1 if the file would change.

Sources
-------
1. Swedish government agencies (myndigheter) with organisationsnummer:
   /work/shared/corpora/orgs-se-agencies/agencies.tsv, a table made from
   https://github.com/civictechsweden/myndighetsdata, commit
   e5b5c07e6dd1db93cd4926a3e72f9966a3aecd18 (2026-01-02), file data/merged.json.
   Licence: CC0 (data; per the repository README). It merges ESV's and SCB's agency
   registers, Statskontoret, SFS, Arbetsgivarverket, Wikidata and handlingar.se.
2. Norwegian state bodies with organisasjonsnummer:
   https://github.com/Informasjonsforvaltning/altinn-model-publisher, commit
   ec472497243a1b93a28656621e08f108dd3c51b0 (2020-11-09), file
   src/altinn_model_publisher/organizations/shortname_orgs.py (Altinn service owners:
   name and organisation number as registered in Enhetsregisteret). Licence: Apache-2.0
   (the repository's LICENSE; the facts themselves come from Brønnøysundregistrene's
   Enhetsregisteret, NLOD 2.0). The snapshot is from 2020, so only bodies whose name is
   still current are taken (NO_KEEP); renamed, merged or closed ones, municipalities and
   companies are left out. The rows used are copied into NO_SOURCE below, so the script
   runs without the source; `--no-source FILE` checks NO_SOURCE against a copy of it.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
KB = REPO / "models" / "kb" / "organizations.jsonl"
SE_SOURCE = Path("/work/shared/corpora/orgs-se-agencies/agencies.tsv")
NO_SOURCE_URL = (  # where NO_SOURCE was copied from
    "https://github.com/Informasjonsforvaltning/altinn-model-publisher/blob/"
    "ec472497243a1b93a28656621e08f108dd3c51b0/src/altinn_model_publisher/organizations/"
    "shortname_orgs.py"
)
FIELD_ORDER = ("id", "name", "names", "kind", "country", "region", "org_number", "aliases",
               "abbreviations", "former_names", "url", "case_sensitive")

# --- Sweden ------------------------------------------------------------------------------

# Hand-made records that are rows of the agency table: organisationsnummer -> id.
HAND_SE = {
    "202100-4284": "org:svenska-kraftnat", "202100-5232": "org:formas",
    "202100-3054": "org:kth", "202100-3153": "org:goteborgs-universitet",
    "202100-2908": "org:hogskolan-dalarna", "202100-2890": "org:hogskolan-i-gavle",
    "202100-4052": "org:hogskolan-vast", "202100-3120": "org:karlstads-universitet",
    "202100-3096": "org:linkopings-universitet", "202100-2841": "org:ltu",
    "202100-3211": "org:lunds-universitet", "202100-4524": "org:mittuniversitetet",
    "202100-2916": "org:malardalens-universitet", "202100-1975": "org:naturvardsverket",
    "202100-4573": "org:sametinget-se", "202100-5000": "org:energimyndigheten",
    "202100-3062": "org:stockholms-universitet", "202100-2528": "org:sgu",
    "202100-2817": "org:slu", "202100-6149": "org:tillvaxtverket",
    "202100-6297": "org:trafikverket", "202100-2874": "org:umea-universitet",
    "202100-2932": "org:uppsala-universitet", "202100-5216": "org:vinnova",
    "202100-2924": "org:orebro-universitet", "202200-1529": "org:bergsstaten",
    "202100-2320": "org:lansstyrelsen-blekinge", "202100-2429": "org:lansstyrelsen-dalarna",
    "202100-2312": "org:lansstyrelsen-gotland", "202100-2437": "org:lansstyrelsen-gavleborg",
    "202100-2353": "org:lansstyrelsen-halland", "202100-2452": "org:lansstyrelsen-jamtland",
    "202100-2288": "org:lansstyrelsen-jonkoping", "202100-2304": "org:lansstyrelsen-kalmar",
    "202100-2296": "org:lansstyrelsen-kronoberg", "202100-2478": "org:lansstyrelsen-norrbotten",
    "202100-2346": "org:lansstyrelsen-skane", "202100-2247": "org:lansstyrelsen-stockholm",
    "202100-2262": "org:lansstyrelsen-sodermanland", "202100-2254": "org:lansstyrelsen-uppsala",
    "202100-2395": "org:lansstyrelsen-varmland", "202100-2460": "org:lansstyrelsen-vasterbotten",
    "202100-2445": "org:lansstyrelsen-vasternorrland",
    "202100-2411": "org:lansstyrelsen-vastmanland",
    "202100-2361": "org:lansstyrelsen-vastra-gotaland", "202100-2403": "org:lansstyrelsen-orebro",
    "202100-2270": "org:lansstyrelsen-ostergotland",
}
# Rows left out, by table name: not an agency of its own or already a hand record's former name.
SKIP_SE = {
    "Tingsrätter": "a category (the courts are listed one by one)",
    "Kammarrätter": "a category (the courts are listed one by one)",
    "ILO-KOMMITTÉN": "the same body as Svenska ILO-kommittén",
    "Statskontoret (gamla)": "the pre-2026 Statskontoret, whose name the merged body now has",
    "Verket för näringslivsutveckling": "Nutek: a former name of org:tillvaxtverket",
}
# Names the table writes in capitals or cut short: exact replacements.
SE_NAMES = {
    "Statskontoret": "Statskontoret",
    "SVERIGES RIKSBANK": "Sveriges riksbank",
    "GÖTA HOVRÄTT": "Göta hovrätt",
    "HOVRÄTTEN FÖR NEDRE NORRLAND": "Hovrätten för Nedre Norrland",
    "HOVRÄTTEN FÖR VÄSTRA SVERIGE": "Hovrätten för Västra Sverige",
    "HOVRÄTTEN FÖR ÖVRE NORRLAND": "Hovrätten för Övre Norrland",
    "HOVRÄTTEN ÖVER SKÅNE OCH BLEKINGE": "Hovrätten över Skåne och Blekinge",
    "SVEA HOVRÄTT O MARK O MILJÖ OCH PATENT": "Svea hovrätt",
    "HYRES OCH ARRENDENÄMNEN I MALMÖ": "Hyres- och arrendenämnden i Malmö",
    "HÖGSTA DOMSTOLEN": "Högsta domstolen",
    "PRÖVNINGSNÄMNDEN FÖR STÖD TILL KREDITINSTITUT":
        "Prövningsnämnden för stöd till kreditinstitut",
    "Kungl. biblioteket": "Kungliga biblioteket",
    "Avvecklingsmyndigheten för Myndigheten för utländska investeringar i Sverige m.m":
        "Avvecklingsmyndigheten för Myndigheten för utländska investeringar i Sverige m.m.",
    "Styrelsen för internationellt utvecklingssamarbete":
        "Styrelsen för internationellt utvecklingssamarbete",
}
# Short names taken from the table: handlingar.se's (the public acronym) when it is at least
# three characters and not in SE_ABBR_DROP; ESV's only when listed here (ESV's are often
# internal codes). Two-letter forms (AF, AD, KI, VR, FI…) are never taken: in Norwegian and
# Swedish text they are too often something else (AF Gruppen, KI = kunstig intelligens).
SE_ESV_ABBR_OK = {"EBM", "EPM", "KBV", "SKV", "SJV", "SKS", "UHR", "SGI", "SHK", "SSC", "MCF",
                  "TRV", "RGK", "FoHM", "HaV"}
SE_ABBR_DROP = {
    "HAV",  # hav = sea (nb), HAV Group
    "HIS", "KEMI", "KOMMERS", "KONJ", "POLAR", "VAL", "HAN", "MIG", "MIL", "ISP", "SSRN",
    "ESV",  # on the Statskontoret row: the old body's acronym
    "ESF",  # the European Social Fund (a programme)
    "SWEDGEO", "SDCAA", "SPDA", "SNSA",  # English-only brand acronyms
    "VINNOVA", "KTH", "LTU", "LIU", "MDH", "MIUN", "SGU", "SLU", "UMU", "FORMAS", "TVV",
}
# Common short forms and renames, by organisationsnummer.
SE_EXTRA = {
    "202100-0837": {"abbreviations": ["SCB"], "names": {"en": "Statistics Sweden"},
                    "aliases": ["Statistics Sweden"]},
    "202100-4789": {"aliases": ["Sida"], "case_sensitive": ["Sida"],
                    "names": {"en": "Swedish International Development Cooperation Agency"}},
    "202100-3815": {"aliases": ["Swedac"]},
    "202100-6594": {"aliases": ["Säpo", "Swedish Security Service"]},
    "202100-5646": {"aliases": ["Kronofogden", "Swedish Enforcement Authority"]},
    "202100-0076": {"aliases": ["Polisen", "Swedish Police Authority"]},
    "202100-4151": {"aliases": ["Jordbruksverket", "Swedish Board of Agriculture"]},
    "202100-4185": {"aliases": ["Skolverket"]},
    "202100-6065": {"aliases": ["Skolinspektionen"]},
    "202100-1280": {"aliases": ["Kulturrådet"]},
    "202100-2684": {"aliases": ["Riksbanken", "Sveriges Riksbank"]},
    "202100-2635": {"aliases": ["Riksgälden"]},
    "202100-2650": {"aliases": ["Riksdagens ombudsmän", "Justitieombudsmannen"]},
    "202100-5984": {"former_names": ["Myndigheten för samhällsskydd och beredskap", "MSB"],
                    "case_sensitive": ["MSB"]},
    "202100-5026": {"former_names": ["Ekonomistyrningsverket"]},
    "202100-0696": {"names": {"en": "Swedish Meteorological and Hydrological Institute"},
                    "aliases": ["Swedish Meteorological and Hydrological Institute"]},
    "202100-5182": {"names": {"en": "Swedish Defence Research Agency"},
                    "aliases": ["Swedish Defence Research Agency"]},
    "202100-0712": {"aliases": ["Swedish Geotechnical Institute"]},
    "202100-5208": {"aliases": ["Swedish Research Council"],
                    "names": {"en": "Swedish Research Council"}},
    "202100-2585": {"aliases": ["Swedish National Space Agency"]},
    "202100-5737": {"aliases": ["Swedish Radiation Safety Authority"]},
    "202100-5695": {"aliases": ["Swedish Energy Markets Inspectorate"]},
    "202100-3880": {"aliases": ["Swedish Chemicals Agency"]},
    "202100-3989": {"aliases": ["Swedish National Board of Housing, Building and Planning"]},
    "202100-1090": {"aliases": ["Swedish National Heritage Board"]},
    "202100-4888": {"aliases": ["Lantmäteriverket"]},
    "202100-2072": {"aliases": ["Swedish Intellectual Property Office"]},
}
SE_RESEARCH = {"Institutet för rymdfysik", "Statens geotekniska institut",
               "Totalförsvarets forskningsinstitut", "Statens väg- och transportforskningsinstitut",
               "Försvarets forskningsanstalt", "Flygtekniska försöksanstalten",
               "Nordiska Afrikainstitutet", "Arbetslivsinstitutet"}
_SE_EDU = re.compile(r"(?:universitet|universitetet|högskola|högskolan(?: i [A-ZÅÄÖ]\w+)?)$|"
                     r"^Högskolan |^(?:Konstfack|Karolinska institutet|Dramatiska institutet)$")
_SE_NOT_EDU = re.compile(r"^(?:Myndigheten|Överklagandenämnden|Universitets|Verket|Högskoleverket"
                         r"|Högskolans|Avveckling)")

# --- Norway ------------------------------------------------------------------------------

# Hand-made records that are Altinn service owners: organisasjonsnummer -> id.
HAND_NO = {
    "974760282": "org:dirmin", "986399445": "org:innovasjon-norge", "983609155": "org:enova",
    "999601391": "org:miljodirektoratet", "970205039": "org:nve",
    "971045698": "org:rogaland-fylkeskommune", "944183779": "org:more-og-romsdal-fylkeskommune",
    "964982953": "org:nordland-fylkeskommune", "817920632": "org:trondelag-fylkeskommune",
}
# Source keys taken, with kind and forms. Only bodies whose registered name is still current.
NO_KEEP: dict[str, dict] = {
    "sprakradet": {"aliases": ["Language Council of Norway"]},
    "VALG": {},
    "kulturminnefondet": {},
    "konfliktradet": {},
    "forbrukertilsynet": {},
    "forsvarsbygg": {},
    "justis-og-beredskap": {"aliases": ["Ministry of Justice and Public Security"],
                            "abbreviations": ["JD"]},
    "hod": {"aliases": ["Ministry of Health and Care Services"], "abbreviations": ["HOD"]},
    "NPE": {},
    "BUF": {"aliases": ["Bufdir"]},
    "NSM": {"abbreviations": ["NSM"], "aliases": ["Norwegian National Security Authority"]},
    "SLF": {"aliases": ["Norwegian Agriculture Agency"]},
    "DSS": {},
    "udir": {"aliases": ["Udir", "Norwegian Directorate for Education and Training"]},
    "DIBK": {"aliases": ["DiBK"]},
    "medietilsynet": {},
    "justervesenet": {},
    "helsetilsynet": {"aliases": ["Helsetilsynet"]},
    "KRT": {"aliases": ["Financial Supervisory Authority of Norway"]},
    "LT": {},
    "DAT": {"aliases": ["Norwegian Labour Inspection Authority"]},
    "kd": {"aliases": ["Ministry of Education and Research"]},
    "sjt": {"aliases": ["Jernbanetilsynet"]},
    "met": {"aliases": ["Norwegian Meteorological Institute", "MET Norway"],
            "kind": "research"},
    "arkivverket": {},
    "SFD": {"aliases": ["Norwegian Maritime Authority"]},
    "SRF": {},
    "nibio": {"abbreviations": ["NIBIO"], "kind": "research",
              "aliases": ["Norwegian Institute of Bioeconomy Research"]},
    "DFO": {"abbreviations": ["DFØ"]},
    "nb": {"aliases": ["National Library of Norway"]},
    "MAT": {"aliases": ["Norwegian Food Safety Authority"]},
    "une": {"abbreviations": ["UNE"]},
    "stortinget": {"aliases": ["Storting", "Norwegian Parliament"]},
    "forsvaret": {"aliases": ["Norwegian Armed Forces"]},
    "FD": {"aliases": ["Directorate of Fisheries"]},
    "barneombudet": {},
    "domstol": {},
    "nokut": {"abbreviations": ["NOKUT"]},
    "riksantikvaren": {"aliases": ["Directorate for Cultural Heritage"]},
    "samferdselsdepartementet": {"aliases": ["Ministry of Transport"]},
    "nkom": {"abbreviations": ["Nkom"], "aliases": ["Norwegian Communications Authority"]},
    "banenor": {"kind": "company", "name": "Bane NOR SF", "aliases": ["Bane NOR"]},
    "imdi": {"aliases": ["IMDi"]},
    "KYV": {"aliases": ["Norwegian Coastal Administration"]},
    "dsb": {"abbreviations": ["DSB"],
            "aliases": ["Norwegian Directorate for Civil Protection"]},
    "DPA": {"aliases": ["Norwegian Data Protection Authority"]},
    "konkurransetilsynet": {"aliases": ["Norwegian Competition Authority"]},
    "SVV": {"aliases": ["Norwegian Public Roads Administration"]},
    "husbanken": {},
    "udi": {"abbreviations": ["UDI"]},
    "BRG": {"aliases": ["Brønnøysund Register Centre"]},
    "forbrukerradet": {},
    "TAD": {"aliases": ["Norwegian Customs"]},
    "SSB": {"abbreviations": ["SSB"], "aliases": ["Statistics Norway"],
            "names": {"en": "Statistics Norway"}},
    "politiet": {},
    "UD": {"aliases": ["Ministry of Foreign Affairs", "Utanriksdepartementet"],
           "names": {"nn": "Utanriksdepartementet", "en": "Ministry of Foreign Affairs"}},
    "HDIR": {"aliases": ["Norwegian Directorate of Health"]},
    "fhi": {"abbreviations": ["FHI"], "aliases": ["Norwegian Institute of Public Health"]},
    "helfo": {},
    "SKD": {"aliases": ["Norwegian Tax Administration"]},
    "lanekassen": {"name": "Statens lånekasse for utdanning", "aliases": ["Lånekassen"]},
    "NAV": {"aliases": ["NAV", "Nav"], "case_sensitive": ["NAV", "Nav"]},
    "SPK": {"aliases": ["Norwegian Public Service Pension Fund"]},
    "kartverket": {"aliases": ["Kartverket", "Norwegian Mapping Authority"]},
    "OKO": {},
    "PAT": {"aliases": ["Norwegian Industrial Property Office"]},
    "STAMI": {"abbreviations": ["STAMI"], "kind": "research",
              "aliases": ["National Institute of Occupational Health"]},
}
# Rows of the source taken (key: registered name, organisasjonsnummer), copied verbatim.
NO_SOURCE = {
    'sprakradet': ('Språkrådet', '971527404'),
    'VALG': ('Valgdirektoratet', '916132727'),
    'kulturminnefondet': ('Kulturminnefondet', '985980101'),
    'konfliktradet': ('Konfliktrådet', '986074465'),
    'forbrukertilsynet': ('Forbrukertilsynet', '974761335'),
    'forsvarsbygg': ('Forsvarsbygg', '975950662'),
    'justis-og-beredskap': ('Justis- og beredskapsdepartementet', '972417831'),
    'hod': ('Helse- og omsorgsdepartementet', '983887406'),
    'NPE': ('Norsk pasientskadeerstatning', '984936923'),
    'BUF': ('Barne-, ungdoms- og familiedirektoratet', '986128433'),
    'NSM': ('Nasjonal sikkerhetsmyndighet', '985165262'),
    'SLF': ('Landbruksdirektoratet', '981544315'),
    'DSS': ('Departementenes sikkerhets- og serviceorganisasjon', '974761424'),
    'udir': ('Utdanningsdirektoratet', '970018131'),
    'DIBK': ('Direktoratet for byggkvalitet', '974760223'),
    'medietilsynet': ('Medietilsynet', '974760886'),
    'justervesenet': ('Justervesenet', '874761192'),
    'helsetilsynet': ('Statens helsetilsyn', '974761394'),
    'KRT': ('Finanstilsynet', '840747972'),
    'LT': ('Luftfartstilsynet', '981105516'),
    'DAT': ('Arbeidstilsynet', '974761211'),
    'kd': ('Kunnskapsdepartementet', '872417842'),
    'dirmin': ('Direktoratet for mineralforvaltning', '974760282'),
    'sjt': ('Statens jernbanetilsyn', '979363974'),
    'met': ('Meteorologisk institutt', '971274042'),
    'arkivverket': ('Arkivverket', '961181399'),
    'SFD': ('Sjøfartsdirektoratet', '974761262'),
    'SRF': ('Statens sivilrettsforvaltning', '986186999'),
    'nibio': ('Norsk institutt for bioøkonomi', '988983837'),
    'DFO': ('Direktoratet for økonomistyring', '986252932'),
    'nb': ('Nasjonalbiblioteket', '976029100'),
    'MAT': ('Mattilsynet', '985399077'),
    'une': ('Utlendingsnemnda', '982019095'),
    'stortinget': ('Stortinget', '971524960'),
    'forsvaret': ('Forsvaret', '986105174'),
    'FD': ('Fiskeridirektoratet', '971203420'),
    'barneombudet': ('Barneombudet', '971527765'),
    'domstol': ('Domstoladministrasjonen', '984195796'),
    'nokut': ('Nasjonalt organ for kvalitet i utdanningen', '985042667'),
    'riksantikvaren': ('Riksantikvaren', '974760819'),
    'innovasjon-norge': ('Innovasjon Norge', '986399445'),
    'samferdselsdepartementet': ('Samferdselsdepartementet', '972417904'),
    'nkom': ('Nasjonal kommunikasjonsmyndighet', '974446871'),
    'banenor': ('Bane NOR', '917082308'),
    'imdi': ('Integrerings- og mangfoldsdirektoratet', '987879696'),
    'KYV': ('Kystverket', '970237372'),
    'dsb': ('Direktoratet for samfunnssikkerhet og beredskap', '974760983'),
    'DPA': ('Datatilsynet', '974761467'),
    'konkurransetilsynet': ('Konkurransetilsynet', '974761246'),
    'rogaland': ('Rogaland fylkeskommune', '971045698'),
    'trondelag': ('Trøndelag fylkeskommune', '817920632'),
    'more-og-romsdal': ('Møre og Romsdal fylkeskommune', '944183779'),
    'nordland': ('Nordland fylkeskommune', '964982953'),
    'SVV': ('Statens vegvesen', '971032081'),
    'husbanken': ('Husbanken', '942114184'),
    'udi': ('Utlendingsdirektoratet', '974760746'),
    'enova': ('Enova', '983609155'),
    'BRG': ('Brønnøysundregistrene', '974760673'),
    'forbrukerradet': ('Forbrukerrådet', '871033382'),
    'TAD': ('Tolletaten', '880455702'),
    'SSB': ('Statistisk sentralbyrå', '971526920'),
    'politiet': ('Politidirektoratet', '982531950'),
    'miljodir': ('Miljødirektoratet', '999601391'),
    'UD': ('Utenriksdepartementet', '972417920'),
    'HDIR': ('Helsedirektoratet', '983544622'),
    'fhi': ('Folkehelseinstituttet', '983744516'),
    'helfo': ('Helfo', '986965610'),
    'SKD': ('Skatteetaten', '974761076'),
    'lanekassen': ('Lånekassen', '960885406'),
    'NAV': ('Arbeids- og velferdsetaten', '889640782'),
    'SPK': ('Statens pensjonskasse', '982583462'),
    'nve': ('Norges vassdrags- og energidirektorat', '970205039'),
    'kartverket': ('Statens kartverk', '971040238'),
    'OKO': ('Økokrim', '874761532'),
    'PAT': ('Patentstyret', '971526157'),
    'STAMI': ('Statens arbeidsmiljøinstitutt', '874761222'),
}

SLUG = str.maketrans({"æ": "ae", "ø": "o", "å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u"})


def slug(name: str) -> str:
    text = name.lower().translate(SLUG)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def se_name(raw: str) -> str:
    if raw in SE_NAMES:
        return SE_NAMES[raw]
    if raw != raw.upper():
        return raw
    # Capitals from SCB: courts and boards. Cut SCB's truncated tails ("… OCH MIGRATIONSDOMS").
    text = re.sub(r" OCH (?:MIGRATIONS|MARK|PATENT).*$", "", raw)
    words = text.lower().split()
    out = [words[0].capitalize()]
    for prev, word in zip(words, words[1:], strict=False):
        out.append(word.capitalize() if prev in {"i", "vid"} else word)
    name = " ".join(out)
    return re.sub(r"^Hyres och arrendenämnden", "Hyres- och arrendenämnden", name)


def se_kind(name: str) -> str:
    if name in SE_RESEARCH:
        return "research"
    if _SE_EDU.search(name) and not _SE_NOT_EDU.match(name):
        return "education"
    return "public"


def url_of(row: dict) -> str | None:
    value = (row["website_handlingar"] or "").split("|")[0].strip()
    if not value and row["website_scb"]:
        value = "https://" + row["website_scb"].split("|")[0].strip()
    if not value:
        return None
    value = re.sub(r"^http://", "https://", value)
    if not value.startswith("https://"):
        value = "https://" + value
    return value.rstrip("/") + "/"


def se_abbreviations(row: dict) -> list[str]:
    out = []
    for value, trusted in ((row["short_name_handlingar"], True), (row["short_name_esv"], False)):
        for short in filter(None, (value or "").split("|")):
            ok = trusted or short in SE_ESV_ABBR_OK
            if ok and len(short) >= 3 and short not in SE_ABBR_DROP and short not in out:
                out.append(short)
        if out:
            break
    return out


def read_no_source(path: Path) -> dict[str, dict]:
    text = path.read_text(encoding="utf-8")
    body = text[text.index("{"): text.rindex("}") + 1]
    return json.loads(body)


def record(**fields) -> dict:
    rec = {"names": {}, "region": None, "org_number": None, "aliases": [], "abbreviations": [],
           "former_names": [], "url": None, "case_sensitive": [], **fields}
    if not rec["names"]:
        del rec["names"]
    return {k: rec[k] for k in FIELD_ORDER if k in rec}


def merge_extra(rec: dict, extra: dict) -> dict:
    for field in ("aliases", "abbreviations", "former_names", "case_sensitive"):
        for form in extra.get(field, []):
            if form not in rec[field]:
                rec[field].append(form)
    if extra.get("names"):
        rec["names"] = dict(extra["names"])
    for field in ("kind", "name", "region"):
        if field in extra:
            rec[field] = extra[field]
    return record(**rec)


def derive_se(rows: list[dict]) -> list[dict]:
    out = []
    for row in rows:
        if row["org_nr"] in HAND_SE or row["name"] in SKIP_SE:
            continue
        name = se_name(row["name"])
        abbreviations = se_abbreviations(row)
        rec = record(id="org:" + slug(name), name=name, kind=se_kind(name), country="SE",
                     org_number=row["org_nr"], abbreviations=abbreviations, url=url_of(row),
                     case_sensitive=list(abbreviations))
        out.append(merge_extra(rec, SE_EXTRA.get(row["org_nr"], {})))
    return out


def derive_no() -> list[dict]:
    out = []
    for key, (source_name, number) in NO_SOURCE.items():
        if key not in NO_KEEP or number in HAND_NO:
            continue
        extra = NO_KEEP[key]
        name = extra.get("name", source_name)
        abbreviations = list(extra.get("abbreviations", []))
        rec = record(id="org:" + slug(name), name=name, kind="public", country="NO",
                     org_number=number, abbreviations=abbreviations,
                     case_sensitive=list(abbreviations))
        out.append(merge_extra(rec, {k: v for k, v in extra.items() if k != "abbreviations"}))
    return out


def drop_conflicts(derived: list[dict], taken: dict[str, str]) -> None:
    """Drop every derived form another record already has (a form belongs to one organization)."""
    for rec in derived:
        for field in ("aliases", "abbreviations", "former_names"):
            kept = []
            for form in rec[field]:
                owner = taken.get(form.casefold())
                if owner and owner != rec["id"]:
                    print(f"  dropped {form!r} from {rec['id']} ({field}): {owner} has it",
                          file=sys.stderr)
                    continue
                kept.append(form)
                taken[form.casefold()] = rec["id"]
            rec[field] = kept
        forms = {rec["name"], *rec["aliases"], *rec["abbreviations"], *rec["former_names"]}
        rec["case_sensitive"] = [f for f in rec["case_sensitive"] if f in forms]
        if "names" in rec:
            rec["names"] = {k: v for k, v in rec["names"].items() if v in forms}
            if not rec["names"]:
                del rec["names"]
        owner = taken.get(rec["name"].casefold())
        if owner and owner != rec["id"]:
            raise SystemExit(f"{rec['id']}: name {rec['name']!r} already belongs to {owner}")
        taken[rec["name"].casefold()] = rec["id"]


def build(current: list[dict], se_rows: list[dict]) -> list[dict]:
    se = derive_se(se_rows)
    no = derive_no()
    derived_ids = {r["id"] for r in se + no}
    hand_ids = set(HAND_SE.values()) | set(HAND_NO.values())
    clash = derived_ids & hand_ids
    if clash:
        raise SystemExit(f"derived ids equal hand-made ids: {sorted(clash)}")
    hand = [r for r in current if r["id"] not in derived_ids]
    by_id = {r["id"]: r for r in hand}
    for numbers in (HAND_SE, HAND_NO):
        for number, org_id in numbers.items():
            if org_id not in by_id:
                raise SystemExit(f"HAND table names {org_id}, which is not in the file")
            by_id[org_id]["org_number"] = number
    hand = [record(**{"org_number": None, **r}) for r in hand]
    taken: dict[str, str] = {}
    for r in hand:
        for form in (r["name"], *r["aliases"], *r["abbreviations"], *r["former_names"]):
            taken.setdefault(form.casefold(), r["id"])
    derived = se + no
    drop_conflicts(derived, taken)
    return hand + derived


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file would change")
    parser.add_argument("--se-source", type=Path, default=SE_SOURCE)
    parser.add_argument("--no-source", type=Path,
                        help="shortname_orgs.py from altinn-model-publisher, to check NO_SOURCE")
    args = parser.parse_args()
    lines = KB.read_text(encoding="utf-8").splitlines()
    current = [json.loads(line) for line in lines if line.strip()]
    with args.se_source.open(encoding="utf-8", newline="") as fh:
        se_rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    if args.no_source:
        source = read_no_source(args.no_source)
        wrong = [k for k, (name, number) in NO_SOURCE.items()
                 if (source.get(k) or {}).get("orgnr") != number or source[k]["name"] != name]
        if wrong:
            raise SystemExit(f"NO_SOURCE differs from {args.no_source} for {wrong}")
    out = build(current, se_rows)
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in out)
    if args.check:
        sys.exit(0 if text == KB.read_text(encoding="utf-8") else 1)
    KB.write_text(text, encoding="utf-8")
    kinds: dict[str, int] = {}
    for r in out:
        kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
    print(f"{len(out)} records ({sum(1 for r in out if r.get('org_number'))} with org_number): "
          + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())))


if __name__ == "__main__":
    main()
