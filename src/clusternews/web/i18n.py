"""UI strings in Norwegian (bokmål), Swedish and English, chosen by the reader: the switcher's
cookie first, then Accept-Language."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "search": "Search",
        "query": "Words",
        "org": "Organization",
        "region": "Region",
        "lang": "Language",
        "any": "any",
        "results": "{n} articles",
        "result_one": "1 article",
        "no_results": "No articles match.",
        "entities": "Tagged",
        "cluster": "Cluster",
        "published": "Published",
        "sources": "Sources",
        "source": "Source",
        "last_fetch": "Last fetch",
        "last_error": "Last error",
        "next_due": "Next due",
        "items": "Articles",
        "per_week": "New per week (oldest → newest)",
        "status": "Status",
        "over_time": "Articles per month",
        "related": "Often named with",
        "read_original": "Read the original",
        "regions": "Regions",
        "next": "Next page",
        "prev": "Previous page",
        "not_found": "Not found",
        "error": "Your search could not run",
        "title": "Cluster news",
        "tagline": "News from Nordic industry clusters",
        "language_no": "Norwegian",
        "language_sv": "Swedish",
        "language_da": "Danish",
        "language_en": "English",
        "feeds": "Feeds",
        "all_articles": "All articles about {name}",
        "org_number": "Org. no.",
        "collapse": "One per story",
        "story": "Story",
        "story_copies": "{n} versions",
        "first_seen": "First seen",
    },
    "nb": {
        "search": "Søk",
        "query": "Ord",
        "org": "Organisasjon",
        "region": "Region",
        "lang": "Språk",
        "any": "alle",
        "results": "{n} artikler",
        "result_one": "1 artikkel",
        "no_results": "Ingen artikler passer.",
        "entities": "Merket med",
        "cluster": "Klynge",
        "published": "Publisert",
        "sources": "Kilder",
        "source": "Kilde",
        "last_fetch": "Sist hentet",
        "last_error": "Siste feil",
        "next_due": "Neste henting",
        "items": "Artikler",
        "per_week": "Nye per uke (eldst → nyest)",
        "status": "Status",
        "over_time": "Artikler per måned",
        "related": "Nevnes ofte sammen med",
        "read_original": "Les originalen",
        "regions": "Regioner",
        "next": "Neste side",
        "prev": "Forrige side",
        "not_found": "Fant ikke siden",
        "error": "Søket kunne ikke kjøres",
        "title": "Klyngenytt",
        "tagline": "Nyheter fra nordiske industriklynger",
        "language_no": "Norsk",
        "language_sv": "Svensk",
        "language_da": "Dansk",
        "language_en": "Engelsk",
        "feeds": "Feeder",
        "all_articles": "Alle artikler om {name}",
        "org_number": "Org.nr",
        "collapse": "Én per sak",
        "story": "Saken",
        "story_copies": "{n} versjoner",
        "first_seen": "Først sett",
    },
    "sv": {
        "search": "Sök",
        "query": "Ord",
        "org": "Organisation",
        "region": "Region",
        "lang": "Språk",
        "any": "alla",
        "results": "{n} artiklar",
        "result_one": "1 artikel",
        "no_results": "Inga artiklar matchar.",
        "entities": "Märkt med",
        "cluster": "Kluster",
        "published": "Publicerad",
        "sources": "Källor",
        "source": "Källa",
        "last_fetch": "Senast hämtad",
        "last_error": "Senaste fel",
        "next_due": "Nästa hämtning",
        "items": "Artiklar",
        "per_week": "Nya per vecka (äldst → nyast)",
        "status": "Status",
        "over_time": "Artiklar per månad",
        "related": "Nämns ofta tillsammans med",
        "read_original": "Läs originalet",
        "regions": "Regioner",
        "next": "Nästa sida",
        "prev": "Föregående sida",
        "not_found": "Sidan hittades inte",
        "error": "Sökningen kunde inte köras",
        "title": "Klusternytt",
        "tagline": "Nyheter från nordiska industrikluster",
        "language_no": "Norska",
        "language_sv": "Svenska",
        "language_da": "Danska",
        "language_en": "Engelska",
        "feeds": "Flöden",
        "all_articles": "Alla artiklar om {name}",
        "org_number": "Org.nr",
        "collapse": "En per nyhet",
        "story": "Nyheten",
        "story_copies": "{n} versioner",
        "first_seen": "Först sedd",
    },
}

# Norwegian and Danish readers get the Norwegian pages, Swedish readers the Swedish ones.
_UI_OF = {"nb": "nb", "nn": "nb", "no": "nb", "da": "nb", "sv": "sv", "en": "en"}
NAMES = {"nb": "Norsk", "sv": "Svenska", "en": "English"}  # each in its own language


def choose(accept_language: str | None, chosen: str | None = None) -> str:
    """'nb', 'sv' or 'en': the reader's own choice (the switcher's cookie) when it is one of
    them, else the first of Accept-Language's languages by q-value (RFC 9110 §12.5.4)."""
    if chosen in STRINGS:
        return str(chosen)
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
        if primary in _UI_OF:
            return _UI_OF[primary]
    return "en"
