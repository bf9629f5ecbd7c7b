"""The words of a digest email in Bokmål, Nynorsk, Swedish and English, and their dates."""

from __future__ import annotations

from datetime import date

WORDS: dict[str, dict[str, str]] = {
    "nb": {
        "subject": "Klyngenytt uke {week}: {count} saker",
        "subject_empty": "Klyngenytt uke {week}: ingen nye saker",
        "heading": "Klyngenytt uke {week}",
        "intro": "{count} nye saker fra {groups} klynger og regioner, {period}.",
        "empty": "Ingen nye saker denne uken som passer ditt utvalg.",
        "most_mentioned": "Mest omtalt",
        "in_sections": "Per gruppe",
        "orgs": "Organisasjoner",
        "regions": "Steder",
        "programmes": "Program",
        "source": "Kilde",
        "sources": "Kilder",
        "other": "Øvrige",
        "region_prefix": "Region: ",
        "items_one": "{n} sak",
        "items_many": "{n} saker",
        "footer": "Du får denne e-posten fordi adressen din står på utsendelseslisten «{digest}».",
        "unsubscribe": "Meld deg av",
        "read_more": "Les saken",
        "also_published": "Også publisert av",
    },
    "nn": {
        "subject": "Klyngenytt veke {week}: {count} saker",
        "subject_empty": "Klyngenytt veke {week}: ingen nye saker",
        "heading": "Klyngenytt veke {week}",
        "intro": "{count} nye saker frå {groups} klynger og regionar, {period}.",
        "empty": "Ingen nye saker denne veka som passar utvalet ditt.",
        "most_mentioned": "Mest omtalt",
        "in_sections": "Per gruppe",
        "orgs": "Organisasjonar",
        "regions": "Stader",
        "programmes": "Program",
        "source": "Kjelde",
        "sources": "Kjelder",
        "other": "Andre",
        "region_prefix": "Region: ",
        "items_one": "{n} sak",
        "items_many": "{n} saker",
        "footer": "Du får denne e-posten fordi adressa di står på utsendingslista «{digest}».",
        "unsubscribe": "Meld deg av",
        "read_more": "Les saka",
        "also_published": "Også publisert av",
    },
    "sv": {
        "subject": "Klusternytt vecka {week}: {count} nyheter",
        "subject_empty": "Klusternytt vecka {week}: inga nya nyheter",
        "heading": "Klusternytt vecka {week}",
        "intro": "{count} nya nyheter från {groups} kluster och regioner, {period}.",
        "empty": "Inga nya nyheter denna vecka som matchar ditt urval.",
        "most_mentioned": "Mest omnämnda",
        "in_sections": "Per grupp",
        "orgs": "Organisationer",
        "regions": "Platser",
        "programmes": "Program",
        "source": "Källa",
        "sources": "Källor",
        "other": "Övrigt",
        "region_prefix": "Region: ",
        "items_one": "{n} nyhet",
        "items_many": "{n} nyheter",
        "footer": "Du får det här mejlet eftersom din adress finns på utskickslistan ”{digest}”.",
        "unsubscribe": "Avsluta prenumerationen",
        "read_more": "Läs nyheten",
        "also_published": "Även publicerad av",
    },
    "en": {
        "subject": "Cluster news week {week}: {count} stories",
        "subject_empty": "Cluster news week {week}: nothing new",
        "heading": "Cluster news, week {week}",
        "intro": "{count} new stories from {groups} clusters and regions, {period}.",
        "empty": "Nothing new this week matches your selection.",
        "most_mentioned": "Most mentioned",
        "in_sections": "By group",
        "orgs": "Organizations",
        "regions": "Places",
        "programmes": "Programmes",
        "source": "Source",
        "sources": "Sources",
        "other": "Other",
        "region_prefix": "Region: ",
        "items_one": "{n} story",
        "items_many": "{n} stories",
        "footer": "You receive this email because your address is on the list “{digest}”.",
        "unsubscribe": "Unsubscribe",
        "read_more": "Read the story",
        "also_published": "Also published by",
    },
}

MONTHS = {
    "nb": "januar februar mars april mai juni juli august september oktober november desember",
    "nn": "januar februar mars april mai juni juli august september oktober november desember",
    "sv": "januari februari mars april maj juni juli augusti september oktober november december",
    "en": "January February March April May June July August September October November December",
}

# The article's language, named in the reader's language.
LANGUAGES: dict[str, dict[str, str]] = {
    "nb": {
        "no": "norsk",
        "nb": "bokmål",
        "nn": "nynorsk",
        "sv": "svensk",
        "da": "dansk",
        "en": "engelsk",
        "fi": "finsk",
    },
    "nn": {
        "no": "norsk",
        "nb": "bokmål",
        "nn": "nynorsk",
        "sv": "svensk",
        "da": "dansk",
        "en": "engelsk",
        "fi": "finsk",
    },
    "sv": {
        "no": "norska",
        "nb": "norska (bokmål)",
        "nn": "norska (nynorska)",
        "sv": "svenska",
        "da": "danska",
        "en": "engelska",
        "fi": "finska",
    },
    "en": {
        "no": "Norwegian",
        "nb": "Norwegian (Bokmål)",
        "nn": "Norwegian (Nynorsk)",
        "sv": "Swedish",
        "da": "Danish",
        "en": "English",
        "fi": "Finnish",
    },
}


def words(lang: str) -> dict[str, str]:
    return WORDS.get(lang, WORDS["en"])


def language_name(code: str, variant: str | None, lang: str) -> str:
    names = LANGUAGES.get(lang, LANGUAGES["en"])
    return names.get(variant or "", "") or names.get(code, code)


def day(value: date, lang: str) -> str:
    """A short date as readers of each language write it: 20.11.2026, 2026-11-20, 20 Nov 2026."""
    if lang == "sv":
        return value.isoformat()
    if lang == "en":
        return f"{value.day} {MONTHS['en'].split()[value.month - 1][:3]} {value.year}"
    return f"{value.day:02d}.{value.month:02d}.{value.year}"


def period(first: date, last: date, lang: str) -> str:
    """The days of a week: '16.–22. november 2026', '16–22 november 2026'."""
    months = MONTHS.get(lang, MONTHS["en"]).split()
    dot = "." if lang in ("nb", "nn") else ""
    end = f"{last.day}{dot} {months[last.month - 1]} {last.year}"
    if first.month == last.month:
        return f"{first.day}{dot}–{end}"
    return f"{first.day}{dot} {months[first.month - 1]} – {end}"
