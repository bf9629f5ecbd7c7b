"""Text keys and name variants that make Nordic place-name lookup forgiving."""

from __future__ import annotations

import re
import unicodedata

# Letters NFKD cannot take apart; each becomes its usual ASCII spelling ("Tromsoe", "Baerum").
_SPELLED_OUT = str.maketrans(
    {"æ": "ae", "ø": "oe", "å": "aa", "ä": "ae", "ö": "oe", "đ": "d", "ŋ": "n", "ŧ": "t", "ß": "ss"}
)
_DASHES = re.compile(r"[\u2010-\u2015\u2212-]")
_SPACES = re.compile(r"\s+")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_DOUBLED = re.compile(r"(.)\1+")

# (suffix, type it implies). Longest first, so "fylkeskommune" wins over "kommune".
_SUFFIXES: tuple[tuple[str, str], ...] = (
    (" läns landsting", "county"),
    (" fylkeskommune", "county"),
    (" fylkeskommun", "county"),
    (" county council", "county"),
    (" municipality", "municipality"),
    (" landsting", "county"),
    (" kommune", "municipality"),
    (" kommun", "municipality"),
    (" county", "county"),
    (" herad", "municipality"),
    (" fylke", "county"),
    (" stad", "municipality"),
    (" län", "county"),
)
_PREFIXES: tuple[tuple[str, str], ...] = (
    ("länsstyrelsen i ", "county"),
    ("landstinget i ", "county"),
    ("municipality of ", "municipality"),
    ("landstinget ", "county"),
    ("county of ", "county"),
    ("region ", "county"),
)


def exact_key(text: str) -> str:
    """Case-, dash- and space-insensitive key that keeps every letter as written."""
    text = unicodedata.normalize("NFC", text).casefold()
    text = _DASHES.sub(" ", text).replace("/", " ")
    return _SPACES.sub(" ", text).strip(" .,;:'\"()")


def loose_key(text: str) -> str:
    """ASCII key where "ø", "ö", "oe" and "o" meet, as do "å"/"aa"/"a" and "æ"/"ä"/"ae"/"a".

    Both the stored names and the query go through it, so "Tromso", "Tromsoe" and
    "Tromsö" all land on "Tromsø". Spaces and hyphens are dropped ("Nordnorge").
    """
    text = exact_key(text).translate(_SPELLED_OUT)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _NOT_ALNUM.sub("", text).replace("ae", "a").replace("oe", "o")
    # "aa" and doubled consonants are spelled both ways ("Aalesund", "Snåase" / "Snaase").
    return _DOUBLED.sub(r"\1", text)


def variants(text: str) -> list[tuple[str, str | None]]:
    """Forms of a surface name to try in order, each with the type its wording implies.

    The text as written comes first; then without "Region"/"Landstinget" prefixes and
    "kommune"/"fylke"/"län" suffixes; each of those then also without a genitive -s,
    which is tried only after the form with it (so a name ending in -s is found first).
    A county hint also tries the Swedish full names "Xs län"/"X län", because a län is
    stored under its full name when its short name is also a kommun ("Region Jönköping").
    """
    base = exact_key(text)
    forms: list[tuple[str, str | None]] = [(base, None)]
    rest, hint = base, None
    # Prefixes can stack: "Landstinget/Region Norrbotten".
    while prefix := next((p for p in _PREFIXES if rest.startswith(p[0])), None):
        rest, hint = rest[len(prefix[0]) :], prefix[1]
        if rest:
            forms.append((rest, hint))
    for form, hint in list(forms):
        for suffix, implied in _SUFFIXES:
            if form.endswith(suffix) and len(form) > len(suffix):
                forms.append((form[: -len(suffix)].strip(), hint or implied))
                break
    out: list[tuple[str, str | None]] = []
    for form, hint in forms:
        # A genitive -s is part of the word ("Nordlands"), never a word of its own ("Oslo S").
        has_genitive = form.endswith("s") and len(form) > 3 and form[-2].isalpha()
        bare = [form, form[:-1]] if has_genitive else [form]
        for candidate in bare:
            if hint == "county" and form != base:
                genitive = candidate if candidate.endswith("s") else f"{candidate}s"
                out += [(f"{genitive} län", hint), (f"{candidate} län", hint)]
            out.append((candidate, hint))
    return list(dict.fromkeys(out))
