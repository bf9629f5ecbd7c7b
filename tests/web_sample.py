"""Tagged sample items for the search and web tests, stored through the real upsert path."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from clusternews.adapters.store import Store, sources
from clusternews.adapters.store import items as store_items
from clusternews.adapters.store.sources import FetchRecord
from clusternews.knowledge.base import KnowledgeBase
from clusternews.models import Article, Entity

# The keys every item carries in `search --json`, /api/items and a feed's `_clusternews`
# (product.md, "JSON shapes").
ITEM_KEYS = {
    "id",
    "url",
    "title",
    "published",
    "cluster",
    "source",
    "language",
    "language_variant",
    "language_confidence",
    "summary",
    "entities",
    "regions",
}

XSS_TITLE = '<script>alert("t")</script><img src=x onerror=alert(1)> Farlig tittel'
XSS_BODY = (
    '"><svg onload=alert(2)><a href="javascript:alert(3)">klikk</a>'
    '<iframe srcdoc="<script>alert(4)</script>"></iframe> gruvedrift'
)

# (slug, language, variant, title, text, places, orgs, programmes, days ago, cluster)
SAMPLES = [
    (
        "mineraler-rana",
        "no",
        "nb",
        "Ny kartlegging av kritiske mineraler i Rana",
        "Mineralklynge Norge og SINTEF kartlegger forekomstene rundt Mo i Rana. Gruvene i "
        "området har gamle rapporter om kritiske mineraler.",
        ["Mo i Rana"],
        ["Mineralklynge Norge", "SINTEF"],
        ["Arena"],
        1,
        "mineralklynge-norge",
    ),
    (
        "konferanse-narvik",
        "no",
        "nb",
        "Fullt hus på mineralkonferansen i Narvik",
        "Over tre hundre deltakere kom til konferansen i Narvik for å høre om gruvedrift og "
        "bærekraft.",
        ["Narvik"],
        ["Mineralklynge Norge"],
        [],
        3,
        "mineralklynge-norge",
    ),
    (
        "robot-raufoss",
        "no",
        "nb",
        "Små bedrifter på Raufoss får hjelp til sin første robot",
        "NCE Raufoss og SINTEF hjelper små bedrifter med automatisering og roboter i produksjonen.",
        ["Raufoss"],
        ["SINTEF"],
        [],
        5,
        "nce-raufoss",
    ),
    (
        "hydrogen-hoyanger",
        "no",
        "nn",
        "Forprosjekt skal sjå på hydrogen i Høyanger",
        "Eit forprosjekt skal sjå på om overskotsvarme og hydrogen kan gi nye arbeidsplassar.",
        ["Høyanger"],
        ["Norsk Hydro"],
        [],
        7,
        "prosessindustri",
    ),
    (
        "batteri-skelleftea",
        "sv",
        None,
        "Skellefteå satsar på återvinning av batterimaterial",
        "Boliden och Luleå tekniska universitet samarbetar om återvinning av batterier i "
        "Skellefteå.",
        ["Skellefteå"],
        ["Boliden", "LTU"],
        ["Vinnväxt"],
        2,
        "gruv-och-metall",
    ),
    (
        "automation-malmberget",
        "sv",
        None,
        "Automation under jord lockar nya leverantörer",
        "LKAB visar automation i gruvan i Malmberget. Flera leverantörer från Norrbotten deltar.",
        ["Malmberget"],
        ["LKAB"],
        [],
        4,
        "gruv-och-metall",
    ),
    (
        "utlysning-kiruna",
        "sv",
        None,
        "Ny utlysning för innovation i gruvindustrin",
        "Vinnova öppnar en utlysning för gruvföretag i Kiruna och Luleå, med medel från EU.",
        ["Kiruna", "Luleå"],
        ["LKAB", "Vinnova", "EU"],
        ["Horizon Europe"],
        6,
        "gruv-och-metall",
    ),
    (
        "dansk-nyhed",
        "da",
        None,
        "Dansk nyhed om vindmøller",
        "En dansk nyhed om vindmøller og industri i Danmark.",
        [],
        [],
        [],
        8,
        "prosessindustri",
    ),
    ("xss", "no", "nb", XSS_TITLE, XSS_BODY, ["Narvik"], ["SINTEF"], [], 0, "mineralklynge-norge"),
]


def article(
    kb: KnowledgeBase,
    slug: str,
    language: str,
    variant: str | None,
    title: str,
    text: str,
    places: list[str],
    orgs: list[str],
    programmes: list[str],
    published: datetime,
) -> Article:
    entities: list[Entity] = []
    for name in orgs:
        org = kb.organizations.resolve(name)
        assert org is not None, name
        entities.append(Entity("ORG", org.id, org.name, org.kind, (name,)))
    for name in programmes:
        prog = kb.programmes.resolve(name)
        assert prog is not None, name
        entities.append(Entity("PROGRAMME", prog.id, prog.name, None, (name,)))
    direct = []
    for name in places:
        region = kb.regions.resolve(name)
        assert region is not None, name
        direct.append(region.id)
        entities.append(Entity("REGION", region.id, region.name, region.type, (name,)))
    region_ids = kb.regions.expand_up(direct)
    names = [kb.regions.get(i).name for i in region_ids]  # type: ignore[union-attr]
    return Article(
        url=f"https://demo.example/{slug}",
        title=title,
        text=text,
        summary=text[:160],
        published=published,
        author=None,
        image=None,
        language=language,
        language_variant=variant,
        language_confidence=0.98,
        content_hash=hashlib.sha256(text.encode()).hexdigest(),
        entities=tuple(entities),
        regions=tuple(names),
        region_ids=tuple(region_ids),
    )


def fill(store: Store, kb: KnowledgeBase, *, now: datetime | None = None) -> dict[str, str]:
    """Store the samples (and a source with a fetch history); slug → item id."""
    now = now or datetime.now(UTC)
    ids: dict[str, str] = {}
    with store.write() as conn:
        for slug, lang, variant, title, text, places, orgs, progs, days, cluster in SAMPLES:
            source_id = f"{cluster}:feed"
            if not sources.state(conn, source_id):
                from types import SimpleNamespace

                sources.sync(
                    conn,
                    [
                        SimpleNamespace(
                            id=source_id,
                            cluster=cluster,
                            kind="feed",
                            url=f"https://{cluster}.example/feed/",
                        )
                    ],
                )
                sources.record(
                    conn,
                    FetchRecord(source_id, now, 0.2, "ok", 200, 1000, 3, 3),
                    changes={"last_success_at": now},
                )
            art = article(
                kb,
                slug,
                lang,
                variant,
                title,
                text,
                places,
                orgs,
                progs,
                now - timedelta(days=days),
            )
            store_items.upsert(conn, art, source_id=source_id, cluster=cluster, now=now)
            ids[slug] = conn.exec_driver_sql(
                "SELECT id FROM items WHERE url = 'https://demo.example/" + slug + "'"
            ).scalar()
    return ids
