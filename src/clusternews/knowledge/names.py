"""An entity's names per reader language: the one rule regions, organizations and programmes
share for choosing the name to show."""

from __future__ import annotations

# Languages a knowledge-base record may name itself in (`names` in the JSONL files).
LANGUAGES = ("nb", "nn", "sv", "en")


def pick_name(name: str, names: tuple[tuple[str, str], ...], lang: str | None) -> str:
    """The name for a reader of `lang`: its own, else Bokmål's for Nynorsk, else `name`."""
    by_lang = dict(names)
    for key in (lang, "nb" if lang == "nn" else None):
        if key and key in by_lang:
            return by_lang[key]
    return name
