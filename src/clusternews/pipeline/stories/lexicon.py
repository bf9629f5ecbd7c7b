"""A small Bokmål/Nynorsk/Swedish lexicon of the cluster-news domain: one token per concept.

Only words whose roots differ between the languages are listed (most domain words already
meet after spelling folding: 'gruve'/'gruva', 'utlysning', 'prosjekt'/'projekt' → 'projekt').
Stems match by prefix after folding, so 'bedriftene' and 'företagens' both become FIRM.
Measured on the golden set (exact Jaccard of folded 4-grams, without → with the lexicon):
cross-language pairs min 0.19 → 0.23, median 0.39 → 0.46; different stories max 0.22 → 0.21.
"""

from __future__ import annotations

import re
from functools import lru_cache

_CONCEPTS: dict[str, tuple[str, ...]] = {
    "FIRM": ("bedrift", "företag", "foretak", "føretak", "virksomhet", "verksemd", "verksamhet"),
    "GRANT": (
        "tilskudd",
        "tilskot",
        "bidrag",
        "støtte",
        "stötte",
        "stønad",
        "finansiering",
        "finansier",
    ),
    "APPLY": ("søknad", "søke", "søkje", "ansök", "ansøk", "söka", "sökande", "søker"),
    "DEADLINE": ("frist", "søknadsfrist", "ansökningstid", "senest"),
    "MILLION": ("million", "miljon", "mill", "mnok", "msek", "mkr"),
    "BILLION": ("milliard", "miljard", "mrd"),
    "CROWN": ("krone", "krona", "kronor", "nok", "sek"),
    "CLUSTER": ("klynge", "klynga", "kluster"),
    "MINE": ("gruve", "gruva", "gruv", "grube"),
    "MEMBER": ("medlem",),
    "NEW": ("ny", "nye", "nya", "nytt", "nyt"),
    "WORKPLACE": ("arbeidsplass", "arbetstillfäll", "jobb"),
    "EMPLOYEE": ("ansatt", "tilsett", "anställd", "medarbetar", "medarbeider"),
    "WEEK": ("uke", "veke", "vecka", "veckor"),
    "YEAR": ("år", "året", "årlig", "årleg"),
    "MONTH": ("måned", "månad"),
    "MAY": ("mai", "maj"),
    "DECEMBER": ("desember", "december"),
    "MEETING": ("møte", "möte"),
    "KNOWLEDGE": ("kunnskap", "kunnskap", "kunskap", "kompetanse", "kompetens"),
    "EDUCATION": ("utdanning", "utdan", "utbildning", "opplæring", "opplæring", "utdann"),
    "RESEARCH": ("forskning", "forsking", "forsk"),
    "CHAIR": ("styreleder", "styreleiar", "styrelseordförande", "ordförande"),
    "CEO": ("administrerende", "vd", "verkställande", "konsernsjef", "adm"),
    "MANAGER": ("leder", "leiar", "ledare", "sjef", "chef"),
    "SAYS": ("sier", "seier", "säger", "sa", "sade"),
    "SMELTER": ("smelteverk", "smelteverk", "smältverk", "smeltverk"),
    "FACTORY": ("fabrikk", "fabrik", "anlegg", "anlegg", "anläggning", "verk"),
    "BATTERY": ("batteri",),
    "RECYCLING": (
        "gjenvinning",
        "attvinning",
        "återvinning",
        "resirkuler",
        "återanvänd",
        "gjenbruk",
    ),
    "EMISSION": ("utslipp", "utslepp", "utsläpp"),
    "CUT": ("kutte", "kutt", "minske", "minska", "redusere", "reducera", "reduser"),
    "GREEN": ("grønn", "grøn", "grön", "hållbar", "bærekraft", "berekraft"),
    "POWER": ("kraft", "strøm", "straum", "ström", "el"),
    "MUNICIPALITY": ("kommune", "kommun", "kommunen"),
    "COUNTY": ("fylke", "fylkeskommune", "län", "region"),
    "BUSINESS": ("næringsliv", "naringsliv", "näringsliv", "industri", "næring", "näring"),
    "START": ("start", "oppstart", "begynn", "börja", "byrja"),
    "CALL": ("utlysning", "utlys", "utlyse", "utlyser"),
    "PROJECT": ("prosjekt", "projekt"),
    "PLAN": ("plan", "planlegg", "planera"),
    "GROWTH": ("vekst", "tillväxt", "växa", "vokse", "veks"),
    "TOGETHER": ("sammen", "saman", "tillsammans", "samarbeid", "samarbet"),
    "AGREEMENT": ("avtale", "avtal"),
    "TEST": ("test", "pilot", "prøve", "prov"),
    "NEED": ("behov",),
    "WANT": ("vil", "ønsk", "önsk", "ynskj"),
    "COST": ("kostnad", "kostar", "koster", "kosta", "pris"),
    "INVEST": ("invest", "satsing", "satsning", "satsa", "satse"),
    "SEMINAR": ("seminar", "konferanse", "konferens", "frukostmöte", "frokostmøte", "webinar"),
    "HYDROGEN": ("hydrogen", "vätgas", "vätgas", "vatgas"),
    "STEEL": ("stål",),
    "ORE": ("malm", "jernmalm", "järnmalm"),
    "MINERAL": ("mineral",),
    "DEVELOP": ("utvikl", "utvekl", "utveckl"),
    "TECH": ("teknologi", "teknik", "tekno"),
    "INNOVATION": ("innovasjon", "innovation", "nyskap"),
    "AUTOMATION": ("automati", "robot"),
    "DIGITAL": ("digital",),
    "HOUSE": ("hus", "bygning", "byggnad", "bygg"),
    "WORK": ("arbeid", "arbete", "arbet", "jobba"),
}

_FOLD = str.maketrans(
    {
        "ø": "o",
        "ö": "o",
        "æ": "a",
        "ä": "a",
        "å": "a",
        "é": "e",
        "ü": "u",
        "x": "ks",
        "w": "v",
        "z": "s",
        "q": "k",
        "c": "k",
    }
)
_DOUBLE = re.compile(r"(.)\1+")
PREFIX_FROM = 5  # stems this long match as prefixes ('bedrift' → 'bedriftene'); shorter: whole


@lru_cache(maxsize=65536)
def fold(word: str) -> str:
    """One spelling for the Scandinavian variants of a word: 'innovasjon', 'innovation' and
    'innovasjonen' all start 'inovation'; 'eksport'/'export', 'teknikk'/'teknik' meet."""
    w = word.replace("sjon", "tion").replace("ck", "k").replace("ph", "f")
    w = w.translate(_FOLD)
    return _DOUBLE.sub(r"\1", w)


# Function words of Bokmål, Nynorsk and Swedish: they carry no story, only language.
STOPWORDS = frozenset(
    """
og i på til av for med som er det den de en et ei eit ett at om fra frå från har hadde
hade var vart blir blei blev vil skal ska kan kunne må måste ikke ikkje inte ingen inga
men eller også og så då när når der dit här her hvor kor var vad hva kva hvem kven vem
seg sig sin sitt sine sina oss vi vår våre vårt våra deres dykkar deras han hun ho hon
dei dem denne dette disse desse detta dessa den det vil ville skulle enn än etter efter
over under mot mellom mellan ved vid hos uten utan utan bare berre bara nå no nu
mer meir mycket mye mykje mange många flere fleire fler fleste flest alle alla all allt
hele heile hela noen nokon någon noe noko något nya ny nye enda ennå endå også òg
är och för att till även också samt ska skall kommer bli bliva sedan där vilket vilka
genom inom ut upp inn opp hos vara være vært vore bör bør får får fått fikk fick
jag jeg eg du ni dere de sig seg så sådan sånn slik slike även dessutom dessuten
the and of to in
""".split()
)


def _build() -> tuple[dict[str, str], dict[str, list[tuple[str, str]]]]:
    whole: dict[str, str] = {}
    prefixes: dict[str, str] = {}
    for token, stems in _CONCEPTS.items():
        for stem in stems:
            key = fold(stem)
            (prefixes if len(key) >= PREFIX_FROM else whole).setdefault(key, token)
    # By their first three letters, longest stem first, so 'fylkeskommune' is COUNTY and not
    # MUNICIPALITY by 'kommune'.
    by_start: dict[str, list[tuple[str, str]]] = {}
    for stem, token in sorted(prefixes.items(), key=lambda p: (-len(p[0]), p[0])):
        by_start.setdefault(stem[:3], []).append((stem, token))
    return whole, by_start


_WHOLE, _PREFIXES = _build()


@lru_cache(maxsize=65536)
def concept(folded: str) -> str:
    """The shared token of a folded domain word, or the word itself."""
    if folded in _WHOLE:
        return _WHOLE[folded]
    for stem, token in _PREFIXES.get(folded[:3], ()):
        if folded.startswith(stem):
            return token
    return folded
