"""UI strings in Norwegian (bokmål) and English, chosen by Accept-Language."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "search": "Search", "query": "Words", "org": "Organization", "region": "Region",
        "lang": "Language", "any": "any", "results": "{n} articles", "no_results":
        "No articles match.", "entities": "Tagged", "cluster": "Cluster", "published":
        "Published", "sources": "Sources", "source": "Source", "last_fetch": "Last fetch",
        "last_error": "Last error", "next_due": "Next due", "items": "Articles",
        "per_week": "New per week (oldest → newest)", "status": "Status", "over_time":
        "Articles per month", "related": "Often named with", "read_original":
        "Read the original", "regions": "Regions", "next": "Next page", "prev":
        "Previous page", "not_found": "Not found", "error": "Your search could not run",
        "title": "Cluster news", "tagline": "News from Nordic industry clusters",
        "language_no": "Norwegian", "language_sv": "Swedish", "language_da": "Danish",
        "language_en": "English", "feeds": "Feeds", "all_articles": "All articles about {name}",
        "org_number": "Org. no.",
        "collapse": "One per story", "story": "Story", "story_copies": "{n} versions",
        "first_seen": "First seen",
    },
    "nb": {
        "search": "Søk", "query": "Ord", "org": "Organisasjon", "region": "Region",
        "lang": "Språk", "any": "alle", "results": "{n} artikler", "no_results":
        "Ingen artikler passer.", "entities": "Merket med", "cluster": "Klynge", "published":
        "Publisert", "sources": "Kilder", "source": "Kilde", "last_fetch": "Sist hentet",
        "last_error": "Siste feil", "next_due": "Neste henting", "items": "Artikler",
        "per_week": "Nye per uke (eldst → nyest)", "status": "Status", "over_time":
        "Artikler per måned", "related": "Nevnes ofte sammen med", "read_original":
        "Les originalen", "regions": "Regioner", "next": "Neste side", "prev":
        "Forrige side", "not_found": "Fant ikke siden", "error": "Søket kunne ikke kjøres",
        "title": "Klyngenytt", "tagline": "Nyheter fra nordiske industriklynger",
        "language_no": "Norsk", "language_sv": "Svensk", "language_da": "Dansk",
        "language_en": "Engelsk", "feeds": "Feeder", "all_articles": "Alle artikler om {name}",
        "org_number": "Org.nr",
        "collapse": "Én per sak", "story": "Saken", "story_copies": "{n} versjoner",
        "first_seen": "Først sett",
    },
}

# Swedish and Danish readers get the Scandinavian (Norwegian) pages rather than English.
_SCANDINAVIAN = {"nb", "nn", "no", "sv", "da"}


def choose(accept_language: str | None) -> str:
    """'nb' or 'en' from an Accept-Language header, by its q-values (RFC 9110 §12.5.4)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary and q > 0:
            ranked.append((-q, position, primary))
    for _q, _pos, primary in sorted(ranked):
        if primary in _SCANDINAVIAN:
            return "nb"
        if primary == "en":
            return "en"
    return "en"
