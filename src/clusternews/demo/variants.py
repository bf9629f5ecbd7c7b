"""Derives large, deterministic article sets from the demo articles for benchmarks."""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from clusternews.demo.site import SITE_IDS, load_articles, validate_articles

log = logging.getLogger(__name__)

# Each site keeps its languages so a varied site still looks like the demo one.
SITE_LANGUAGES = {
    "mineral": ("nb",),
    "industri": ("nb", "nn"),
    "prosess": ("nn", "nb"),
    "gruv": ("sv",),
}
END = datetime(2026, 11, 22, 23, 0, tzinfo=ZoneInfo("Europe/Oslo"))
WINDOW_MINUTES = 60 * 24 * 60
# Local time zones give the right +01:00/+02:00 offsets on both sides of the October DST change.
ZONES = {
    "nb": ZoneInfo("Europe/Oslo"),
    "nn": ZoneInfo("Europe/Oslo"),
    "sv": ZoneInfo("Europe/Stockholm"),
}
PREFIXES = {
    "nb": ("", "Oppdatert: ", "Bakgrunn: ", "Kort fortalt: ", "Analyse: ", "Fra klyngen: "),
    "nn": ("", "Oppdatert: ", "Bakgrunn: ", "Kort fortalt: ", "Analyse: ", "Frå klynga: "),
    "sv": ("", "Uppdaterat: ", "Bakgrund: ", "Kort om: ", "Analys: ", "Från klustret: "),
}
PART = {"nb": "del", "nn": "del", "sv": "del"}


def varied_articles(
    n: int, *, seed: int = 1, base: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """`n` distinct articles recombined from the demo ones, round-robin over the four sites.

    The same `n` and `seed` always give the same list, so benchmark runs are comparable.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    pool: dict[str, list[dict[str, Any]]] = {}
    for art in base if base is not None else load_articles():
        pool.setdefault(art["language"], []).append(art)
    rng = random.Random(seed)
    titles: dict[str, int] = {}
    out = []
    for i in range(n):
        site = SITE_IDS[i % len(SITE_IDS)]
        languages = SITE_LANGUAGES[site]
        lang = languages[(i // len(SITE_IDS)) % len(languages)]
        main, donor = rng.choice(pool[lang]), rng.choice(pool[lang])
        # Keep the main article's opening so the text still starts on topic, then mix.
        rest = rng.sample(
            main["paragraphs"][1:], k=min(len(main["paragraphs"]) - 1, rng.randint(2, 4))
        )
        extra = [
            p
            for p in rng.sample(donor["paragraphs"], k=min(2, len(donor["paragraphs"])))
            if p not in rest and p != main["paragraphs"][0]
        ][: rng.randint(0, 2)]
        body = rest + extra
        rng.shuffle(body)
        title = rng.choice(PREFIXES[lang]) + main["title"]
        titles[title] = titles.get(title, 0) + 1
        if titles[title] > 1:  # titles stay distinct, like a running series would be
            title = f"{title} ({PART[lang]} {titles[title]})"
        when = (END - timedelta(minutes=rng.randrange(WINDOW_MINUTES))).astimezone(ZONES[lang])
        slug = f"{main['slug']}-{i + 1:05d}"
        art = {
            key: main[key]
            for key in ("lead", "author", "tags", "caption", "charset")
            if key in main
        }
        art.update(
            slug=slug,
            site=site,
            language=lang,
            title=title,
            paragraphs=[main["paragraphs"][0], *body],
            published=when.isoformat(),
            image=f"/bilder/{slug}.jpg",
        )
        out.append(art)
    log.debug("generated %d varied demo articles (seed %d)", n, seed)
    return validate_articles(out)
