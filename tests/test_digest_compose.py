"""The pure digest stage: which items a week holds, how they rank and group; weeks; leads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from clusternews.digest_schedule import last_fire
from clusternews.models import Entity, ItemSource, StoredItem
from clusternews.pipeline.digest import ClusterInfo, Interests, compose, in_week, matches, score
from clusternews.pipeline.digest_lead import lead
from clusternews.pipeline.isoweek import IsoWeek

TZ = "Europe/Oslo"
W47 = IsoWeek(2026, 47)
START, END = W47.start(TZ), W47.end(TZ)
CLUSTERS = {
    "mineral": ClusterInfo("Mineralklynge Norge", True, "Nordland"),
    "nce": ClusterInfo("NCE Manufacturing", True, "Innlandet"),
    "park": ClusterInfo("Mo Industripark", False, "Rana"),
    "office": ClusterInfo("Regionkontoret", False, None),
}
COUNTIES = {
    "r:mo": "Nordland",
    "r:narvik": "Nordland",
    "r:nordland": "Nordland",
    "r:raufoss": "Innlandet",
    "r:skelleftea": "Västerbottens län",
}
NORDLAND = Interests(
    regions=frozenset({"r:nordland", "r:mo", "r:narvik"}), languages=frozenset({"no", "sv"})
)


def row(
    id_: str,
    title: str,
    *,
    cluster: str = "mineral",
    day: int = 17,
    entities: list[tuple[str, str, str, int]] = (),  # type: ignore[assignment]
    language: str = "no",
    variant: str | None = "nb",
    published: bool = True,
    first_seen: datetime | None = None,
    summary: str = "Første setning. Andre. Tredje.",
    sources: list[tuple[str, str]] | None = None,
) -> StoredItem:
    when = datetime(2026, 11, day, 9, 0, tzinfo=UTC)
    return StoredItem(
        id=id_,
        url=f"https://{cluster}.example/{id_}",
        title=title,
        summary=summary,
        text="",
        cluster=cluster,
        language=language,
        language_variant=variant,
        language_confidence=1.0,
        published=when if published else None,
        first_seen=first_seen or when,
        updated_at=first_seen or when,
        entities=tuple(
            Entity(type=t, id=i, name=n, count=c, mentions=(n,)) for t, i, n, c in entities
        ),
        sources=tuple(
            ItemSource(source_id=s, url=u)
            for s, u in sources or [(f"{cluster}:feed", f"https://{cluster}.example/{id_}")]
        ),
    )


MO = ("REGION", "r:mo", "Mo i Rana", 1)


def test_a_week_holds_items_published_in_it_and_late_arrivals_only() -> None:
    assert in_week(row("a", "x", day=16), start=START, end=END)
    assert not in_week(row("b", "x", day=23), start=START, end=END)
    # published the week before, first seen this week: the previous digest could not have it
    late = row("c", "x", day=14, first_seen=datetime(2026, 11, 17, tzinfo=UTC))
    assert in_week(late, start=START, end=END)
    # … unless it was first seen before that digest went out on Monday morning
    sent = datetime(2026, 11, 16, 6, 0, tzinfo=UTC)
    early = row("d", "x", day=14, first_seen=datetime(2026, 11, 16, 5, 0, tzinfo=UTC))
    assert not in_week(early, start=START, end=END, late_since=sent)
    # an old article from a newly added source is not news
    backlog = row("e", "x", day=2, first_seen=datetime(2026, 11, 18, tzinfo=UTC))
    assert not in_week(backlog, start=START, end=END)
    undated = row("f", "x", published=False, first_seen=datetime(2026, 11, 20, tzinfo=UTC))
    assert in_week(undated, start=START, end=END)


def test_interests_or_across_entities_and_languages_by_code_or_variant() -> None:
    wanted = Interests(
        orgs=frozenset({"org:lkab"}), regions=frozenset({"r:mo"}), languages=frozenset({"nn", "sv"})
    )
    assert matches(row("a", "x", entities=[MO], variant="nn"), wanted)
    assert not matches(row("b", "x", entities=[MO], variant="nb"), wanted)
    assert matches(
        row("c", "x", language="sv", variant=None, entities=[("ORG", "org:lkab", "LKAB", 1)]),
        wanted,
    )
    assert not matches(row("d", "x", language="sv", variant=None), wanted)
    assert matches(row("e", "x", language="da", variant=None), Interests())
    assert not matches(row("f", "x", language="da", variant=None, entities=[MO]), NORDLAND)


def test_rank_by_how_much_an_item_concerns_the_interests() -> None:
    in_title = row("a", "Nytt anlegg i Mo i Rana", entities=[MO])
    many = row("b", "Nytt anlegg", entities=[("REGION", "r:mo", "Mo i Rana", 9)])
    once = row("c", "Nytt anlegg", entities=[MO, ("ORG", "org:x", "X", 7)])
    not_a_word = row("d", "Mot nye mål", entities=[("REGION", "r:mo", "Mo", 1)])
    scores = [score(r, NORDLAND) for r in (in_title, many, once, not_a_word)]
    assert scores == [4.0, 5.0, 1.0, 1.0]  # capped at 5 mentions; "Mo" is not in "Mot"


def test_grouped_by_cluster_then_by_county_for_other_sources() -> None:
    rows = [
        row("a", "Kurs i Narvik", entities=[("REGION", "r:narvik", "Narvik", 1)], day=18),
        row("b", "Anlegg i Mo i Rana", entities=[("REGION", "r:mo", "Mo i Rana", 3)]),
        row("c", "Besøk", cluster="nce", entities=[MO]),
        row("d", "Ny kai", cluster="park", entities=[("REGION", "r:mo", "Mo i Rana", 2)]),
        row("e", "Møte", cluster="office", entities=[("REGION", "r:nordland", "N", 1)]),
        row(
            "f",
            "Batterier",
            cluster="office",
            language="sv",
            variant=None,
            entities=[("REGION", "r:skelleftea", "Skellefteå", 1)],
        ),
        row("g", "Gammelt", day=5, entities=[MO]),
    ]
    content = compose(
        rows, NORDLAND, start=START, end=END, clusters=CLUSTERS, county_of=COUNTIES.get
    )
    got = [(s.kind, s.title, [i.id for i in s.items]) for s in content.sections]
    assert got == [
        ("cluster", "Mineralklynge Norge", ["b", "a"]),
        ("cluster", "NCE Manufacturing", ["c"]),
        ("region", "Nordland", ["d", "e"]),
    ]
    assert content.total == 5
    item = content.sections[0].items[0]
    assert item.lead == "Første setning. Andre." and item.regions == ("Mo i Rana",)


def test_an_item_of_a_non_cluster_without_places_falls_back_to_its_home_region() -> None:
    rows = [
        row("a", "Om oss", cluster="park"),
        row("b", "Nytt", cluster="office"),
        row("c", "Ukjent", cluster="gone"),
    ]
    content = compose(
        rows, Interests(), start=START, end=END, clusters=CLUSTERS, county_of=COUNTIES.get
    )
    assert [(s.kind, s.title) for s in content.sections] == [("region", "Rana"), ("other", "")]


def test_the_same_article_from_several_sources_is_shown_once_with_every_source() -> None:
    stored_once = row(
        "a",
        "Felles satsing",
        entities=[MO],
        sources=[
            ("mineral:feed", "https://mineral.example/a"),
            ("nce:feed", "https://nce.example/a"),
        ],
    )
    copy = row("b", "Felles  satsing!", cluster="park", entities=[MO], day=18)
    content = compose([stored_once, copy], NORDLAND, start=START, end=END, clusters=CLUSTERS)
    assert content.total == 1
    (item,) = content.sections[0].items
    assert [s.name for s in item.sources] == ["Mineralklynge Norge", "NCE Manufacturing"]
    assert [s.name for s in item.also] == ["Mo Industripark"]  # "also published by"


def test_header_counts_the_most_mentioned_organizations() -> None:
    lkab, sintef = ("ORG", "org:lkab", "LKAB", 1), ("ORG", "org:sintef", "SINTEF", 4)
    rows = [
        row("a", "A", entities=[MO, lkab]),
        row("b", "B", entities=[MO, lkab, sintef]),
        row("c", "C", entities=[MO, sintef]),
    ]
    content = compose(rows, NORDLAND, start=START, end=END, clusters=CLUSTERS)
    assert content.top_orgs == (("SINTEF", 2), ("LKAB", 2))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Klyngen vokser. Medlemmer fra hele landet. Tredje.",
            "Klyngen vokser. Medlemmer fra hele landet.",
        ),
        (
            "Det gjelder bl.a. Rana Gruber og T. Hågensen. Andre setning! Tredje.",
            "Det gjelder bl.a. Rana Gruber og T. Hågensen. Andre setning!",
        ),
        (
            "Vinsten ökade t.ex. 3.5 procent. «Bra», säger hon. Mer.",
            "Vinsten ökade t.ex. 3.5 procent. «Bra», säger hon.",
        ),
        ("Bare én setning uten punktum", "Bare én setning uten punktum"),
    ],
)
def test_lead_is_two_sentences(text: str, expected: str) -> None:
    assert lead(text) == expected


def test_a_long_lead_is_cut_on_a_word() -> None:
    out = lead("ord " * 300)
    assert len(out) <= 422 and out.endswith(" …")


def test_iso_weeks_in_the_configured_time_zone() -> None:
    assert IsoWeek.parse("2026-W47") == W47 and str(W47) == "2026-W47"
    assert START.isoformat() == "2026-11-16T00:00:00+01:00"
    assert END.isoformat() == "2026-11-23T00:00:00+01:00"
    # Sunday 23:30 UTC is already Monday in Oslo
    assert IsoWeek.of(datetime(2026, 11, 22, 23, 30, tzinfo=UTC), TZ) == W47.next()
    assert IsoWeek.last_complete(datetime(2026, 11, 23, 6, 0, tzinfo=UTC), TZ) == W47
    assert IsoWeek.parse("2027-W01").previous() == IsoWeek(2026, 53)
    # the week of the change to summer time is 167 hours long
    dst = IsoWeek(2027, 12)
    assert dst.end(TZ).astimezone(UTC) - dst.start(TZ).astimezone(UTC) == timedelta(hours=167)
    for bad in ("2026-47", "2026-W54", "W47"):
        with pytest.raises(ValueError, match="ISO week|no ISO week"):
            IsoWeek.parse(bad)


def test_last_fire_of_a_weekly_schedule() -> None:
    monday_7 = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # 07:00 in Oslo
    assert last_fire("mon 07:00", monday_7, TZ) == monday_7
    assert last_fire("mon 07:00", monday_7 - timedelta(minutes=1), TZ) == monday_7 - timedelta(
        days=7
    )
    assert last_fire("fri 15:30", monday_7, TZ) == datetime(2026, 11, 20, 14, 30, tzinfo=UTC)
