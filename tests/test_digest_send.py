"""Digests from a real store to a real SMTP server on loopback: content, headers, wording."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest

from clusternews.adapters.mail import Mailer, MailError, SmtpSettings
from clusternews.adapters.store import Store, deliveries
from clusternews.config import Config
from clusternews.jobs.send_digest import DigestReport, send_digest
from clusternews.knowledge.base import KnowledgeBase
from clusternews.pipeline.isoweek import IsoWeek

from .digest_helpers import (
    AFTER_WEEK,
    SmtpServer,
    active_html,
    article,
    config,
    parts,
    store_articles,
)

W47 = IsoWeek(2026, 47)
PEOPLE = ["anna@example.no", "bjorn@example.no", "cecilie@example.se"]


def day(n: int, hour: int = 9) -> datetime:
    return datetime(2026, 11, n, hour, 0, tzinfo=UTC)


@pytest.fixture
def nord_store(store: Store, kb: KnowledgeBase) -> Store:
    """A week in Nordland as the pipeline would have stored it, with items that don't belong."""
    felles = "Mineralklyngen og industriparken går sammen om kritiske mineraler. Mer i vår."
    rana = article(
        kb,
        "https://mineral.example.no/rana-gruber",
        "Rana Gruber åpner nytt anlegg i Mo i Rana",
        summary="Rana Gruber investerer i Mo i Rana. Anlegget "
        "gir 40 nye arbeidsplasser. Byggestart er i mars.",
        published=day(17),
        orgs={"Rana Gruber": 2, "Mineralklynge Norge": 1},
        places={"Mo i Rana": 3},
        programmes={"Arena": 1},
    )
    store_articles(
        store,
        [
            (rana, "mineralklynge-norge:feed"),
            (
                article(
                    kb,
                    "https://mineral.example.no/narvik",
                    "Kurs i Narvik",
                    summary="Klyngen holder kurs. Alle er velkomne.",
                    published=day(18),
                    orgs={"SINTEF": 1, "EU": 1},
                    places={"Narvik": 1},
                ),
                "mineralklynge-norge:feed",
            ),
            (
                article(
                    kb,
                    "https://mineral.example.no/felles",
                    "Felles satsing på kritiske mineraler",
                    summary=felles,
                    published=day(19),
                    orgs={"SINTEF": 1},
                    places={"Mo i Rana": 1},
                ),
                "mineralklynge-norge:feed",
            ),
            (
                article(
                    kb,
                    "https://nce.example.no/besok",
                    "Raufoss-bedrifter på besøk i Nordland",
                    summary="Ti bedrifter reiste nordover. De møtte klyngen.",
                    published=day(20),
                    orgs={"SINTEF": 1, "Rana Gruber": 1},
                    places={"Raufoss": 2, "Nordland": 1},
                    variant="nn",
                ),
                "nce-manufacturing:feed",
            ),
            (
                article(
                    kb,
                    "https://mip.example.no/nyheter/kai",
                    "Ny kai i Mo Industripark",
                    summary="Kaien står ferdig. Den er 200 meter lang.",
                    published=day(16),
                    orgs={"Mo Industripark": 2},
                    places={"Mo i Rana": 2},
                ),
                "mo-industripark:page",
            ),
            # the same press release on the park's site: another URL, slightly other text
            (
                article(
                    kb,
                    "https://mip.example.no/nyheter/felles",
                    "Felles satsing på kritiske mineraler",
                    summary=felles + " Kontakt parken.",
                    published=day(19, 11),
                    places={"Mo i Rana": 1},
                ),
                "mo-industripark:page",
            ),
            # not this digest's: Sweden, another county, an earlier week, Danish
            (
                article(
                    kb,
                    "https://rv.example.se/batterier",
                    "Skellefteå satsar på batterier",
                    summary="Ny fabrik. Fler jobb.",
                    published=day(17),
                    language="sv",
                    variant=None,
                    places={"Skellefteå": 1},
                ),
                "region-vasterbotten:feed",
            ),
            (
                article(
                    kb,
                    "https://nce.example.no/raufoss",
                    "Ny robotlinje på Raufoss",
                    summary="Roboter. Mange.",
                    published=day(18),
                    places={"Raufoss": 1},
                ),
                "nce-manufacturing:feed",
            ),
            (
                article(
                    kb,
                    "https://mineral.example.no/gammel",
                    "Årsmøte i Mo i Rana",
                    summary="Gammelt. Nytt.",
                    published=day(3),
                    places={"Mo i Rana": 1},
                ),
                "mineralklynge-norge:feed",
            ),
            (
                article(
                    kb,
                    "https://dk.example.dk/narvik",
                    "Dansk besøg i Narvik",
                    summary="Dansk tekst. Mere.",
                    published=day(18),
                    language="da",
                    variant=None,
                    places={"Narvik": 1},
                ),
                "mineralklynge-norge:feed",
            ),
        ],
    )
    # the first item reached through a second source too: stored once, with both sources
    store_articles(store, [(rana, "nce-manufacturing:feed")])
    return store


def send(
    store: Store,
    cfg: Config,
    kb: KnowledgeBase,
    port: int,
    *,
    at: datetime = AFTER_WEEK,
    **kw: object,
) -> DigestReport:
    with Mailer(SmtpSettings.from_config(cfg.smtp)) as mailer:
        return send_digest(
            store,
            cfg,
            cfg.digests[0],
            W47,
            mailer=mailer,
            kb=kb,
            clock=lambda: at,
            sleep=lambda _s: None,
            **kw,
        )  # type: ignore[arg-type]


def nordland(port: int, **kw: object) -> Config:
    return config(port, to=PEOPLE, regions=["Nordland"], languages=["no", "sv"], **kw)  # type: ignore[arg-type]


def test_each_recipient_gets_one_multipart_digest_with_list_headers(
    nord_store: Store, smtp: SmtpServer, kb: KnowledgeBase
) -> None:
    cfg = nordland(smtp.port)
    report = send(nord_store, cfg, kb, smtp.port)
    assert report.items == 5 and report.sent == PEOPLE and not report.failed
    assert smtp.inbox.count() == dict.fromkeys(PEOPLE, 1)
    ids = set()
    for person in PEOPLE:
        (msg,) = smtp.inbox.to(person)
        assert msg["To"] == person and msg["From"] == "klyngenytt@example.no"
        assert msg["Subject"] == "Klyngenytt uke 47: 5 saker"
        assert parsedate_to_datetime(msg["Date"]) == AFTER_WEEK
        assert re.fullmatch(r"<weekly-nord\.2026-W47\.[0-9a-f]{16}@example\.no>", msg["Message-ID"])
        ids.add(msg["Message-ID"])
        assert msg["List-Id"] == "weekly-nord <weekly-nord.example.no>"
        assert (
            msg["List-Unsubscribe"].strip()
            == "<mailto:klyngenytt@example.no?subject=unsubscribe%20weekly-nord>"
        )
        assert msg["Auto-Submitted"] == "auto-generated"
        text, html = parts(msg)
        assert "Rana Gruber åpner nytt anlegg i Mo i Rana" in text and "Rana Gruber" in html
    assert len(ids) == 3
    with nord_store.read() as conn:
        rows = deliveries.rows(conn, digest_id="weekly-nord")
    assert [(r["recipient"], r["state"], r["attempts"], r["items"]) for r in rows] == [
        (p, "sent", 1, 5) for p in sorted(PEOPLE)
    ]
    # sending the same week again sends nothing
    again = send(nord_store, cfg, kb, smtp.port, retry_now=True)
    assert again.sent == [] and again.skipped == PEOPLE
    assert smtp.inbox.count() == dict.fromkeys(PEOPLE, 1)


def test_grouping_order_and_content_of_the_digest(
    nord_store: Store, smtp: SmtpServer, kb: KnowledgeBase
) -> None:
    cfg = config(smtp.port, to=PEOPLE[:1], regions=["Nordland"], languages=["no", "sv"])
    send(nord_store, cfg, kb, smtp.port)
    text, html = parts(smtp.inbox.to(PEOPLE[0])[0])
    order = [
        text.index(t)
        for t in (
            "Mineralklynge Norge (3 saker)",
            "Rana Gruber åpner nytt anlegg i Mo i Rana",
            "Kurs i Narvik",
            "Felles satsing på kritiske mineraler",
            "NCE Manufacturing (1 sak)",
            "Raufoss-bedrifter på besøk i Nordland",
            "Region: Nordland (1 sak)",
            "Ny kai i Mo Industripark",
        )
    ]
    assert order == sorted(order)
    for absent in ("Skellefteå", "robotlinje", "Årsmøte", "Dansk"):
        assert absent not in text and absent not in html
    assert text.count("Felles satsing på kritiske mineraler") == 1
    felles = text[text.index("* Felles satsing") :]
    assert "Kilde: Mineralklynge Norge" in felles.splitlines()[1]
    # the copy on another site is not a second source of this item but another publisher
    assert "Også publisert av: Mo Industripark" in felles.splitlines()[3]
    first = text[text.index("* Rana Gruber") : text.index("* Kurs i Narvik")]
    assert "17.11.2026 · bokmål · Kilder: Mineralklynge Norge, NCE Manufacturing" in first
    assert "https://mineral.example.no/rana-gruber" in first
    assert "Rana Gruber investerer i Mo i Rana. Anlegget gir 40 nye arbeidsplasser." in first
    assert "Byggestart" not in first  # a two-sentence lead
    assert "Organisasjoner: Rana Gruber ASA, Mineralklynge Norge" in first
    assert "Steder: Mo i Rana" in first and "Program: Arena" in first
    assert "nynorsk" in text  # the NCE item's language
    assert "Mest omtalt: SINTEF (3), Rana Gruber ASA (2)" in text
    assert 'href="https://mineral.example.no/rana-gruber"' in html
    assert "16.–22. november 2026" in html


# org:eu is stored as "Den europeiske union"; the knowledge base names it per language.
EU_NAMES = {"Den europeiske union", "Europeiska unionen", "European Union"}


@pytest.mark.parametrize(
    ("lang", "subject", "words"),
    [
        (
            "nb",
            "Klyngenytt uke 47: 5 saker",
            ["Organisasjoner", "Steder", "Meld deg av", "bokmål", "Den europeiske union"],
        ),
        (
            "nn",
            "Klyngenytt veke 47: 5 saker",
            ["Organisasjonar", "Stader", "Kjelder", "nynorsk", "Den europeiske union"],
        ),
        (
            "sv",
            "Klusternytt vecka 47: 5 nyheter",
            [
                "Organisationer",
                "Platser",
                "Källor",
                "norska (bokmål)",
                "2026-11-17",
                "Avsluta prenumerationen",
                "Europeiska unionen",
            ],
        ),
        (
            "en",
            "Cluster news week 47: 5 stories",
            [
                "Organizations",
                "Places",
                "Sources",
                "Norwegian (Bokmål)",
                "17 Nov 2026",
                "European Union",
            ],
        ),
    ],
)
def test_wording_follows_the_digest_language(
    nord_store: Store,
    smtp: SmtpServer,
    kb: KnowledgeBase,
    lang: str,
    subject: str,
    words: list[str],
) -> None:
    cfg = config(
        smtp.port, to=PEOPLE[:1], regions=["Nordland"], language=lang, languages=["no", "sv"]
    )
    send(nord_store, cfg, kb, smtp.port)
    (msg,) = smtp.inbox.received and [m for _r, m in smtp.inbox.received]
    assert msg["Subject"] == subject
    text, html = parts(msg)
    for word in words:
        assert word in text and word in html, word
    for other in EU_NAMES - {words[-1]}:  # entity names follow the digest language too
        assert other not in text and other not in html, other


def test_a_week_with_nothing_new_sends_nothing_unless_asked(
    store: Store, smtp: SmtpServer, kb: KnowledgeBase
) -> None:
    cfg = nordland(smtp.port)
    report = send(store, cfg, kb, smtp.port)
    assert report.items == 0 and report.skipped == PEOPLE and smtp.inbox.received == []
    with store.read() as conn:
        assert {r["state"] for r in deliveries.rows(conn)} == {"skipped"}
        assert deliveries.handled(conn, "weekly-nord", "2026-W47", PEOPLE)
    cfg = nordland(smtp.port, send_empty=True, digest_id="weekly-empty")
    report = send(store, cfg, kb, smtp.port)
    assert report.sent == PEOPLE
    msg = smtp.inbox.to(PEOPLE[0])[0]
    assert msg["Subject"] == "Klyngenytt uke 47: ingen nye saker"
    assert "Ingen nye saker denne uken" in parts(msg)[0]


def test_an_xss_payload_from_the_web_renders_inert(
    store: Store, smtp: SmtpServer, kb: KnowledgeBase
) -> None:
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    store_articles(
        store,
        [
            (
                article(
                    kb,
                    "https://evil.example.no/a",
                    f"Klikk {payload}",
                    published=day(18),
                    summary=f'Tekst {payload}. "Sitat" & <b>fet</b>.',
                    orgs={f"Firma {payload}": 1},
                    places={"Mo i Rana": 1},
                ),
                "mineralklynge-norge:feed",
            )
        ],
    )
    with store.write() as conn:  # a hostile link as a source's URL for the item
        conn.exec_driver_sql("UPDATE item_sources SET url = 'javascript:alert(1)'")
    cfg = config(smtp.port, to=PEOPLE[:1], regions=["Nordland"])
    send(store, cfg, kb, smtp.port)
    text, html = parts(smtp.inbox.to(PEOPLE[0])[0])
    assert "<script" not in html and "<img" not in html and "<b>fet" not in html
    assert "javascript:" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&amp; &lt;b&gt;fet&lt;/b&gt;" in html
    # plain text shows the words as written: text/plain is never interpreted as markup
    assert f"Klikk {payload}" in text
    # and nothing in the HTML reaches out or runs: no images, stylesheets, scripts, handlers
    assert active_html(html) == []


def test_html_is_a_table_layout_with_inline_css_and_dark_mode_colours(
    nord_store: Store, smtp: SmtpServer, kb: KnowledgeBase
) -> None:
    cfg = config(smtp.port, to=PEOPLE[:1], regions=["Nordland"])
    send(nord_store, cfg, kb, smtp.port)
    _text, html = parts(smtp.inbox.to(PEOPLE[0])[0])
    assert html.count("<table") >= 3 and 'role="presentation"' in html
    assert '<meta name="color-scheme" content="light dark">' in html
    assert "prefers-color-scheme: dark" in html
    # every cell that sets a background also sets a text colour (clients invert predictably)
    for cell in re.findall(r"<td[^>]*background-color[^>]*>", html):
        assert "color:" in cell.replace("background-color:", "")
    assert 'lang="no"' in html
    assert active_html(html) == []


def test_password_never_goes_out_unencrypted(
    smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The login comes from the environment through Settings, never from feeds.yaml."""
    from clusternews.settings import Settings

    cfg = config(smtp.port, to=PEOPLE[:1])
    remote = cfg.smtp.model_copy(update={"host": "mail.example.no"})
    monkeypatch.setenv("CLUSTERNEWS_SMTP_USER", "u")
    monkeypatch.setenv("CLUSTERNEWS_SMTP_PASSWORD", "s3cret")
    env = Settings.from_env()
    assert "s3cret" not in repr(env)  # a secret is never printed with the settings
    with pytest.raises(MailError, match="unencrypted"):
        env.smtp(cfg.model_copy(update={"smtp": remote}))
    tls = cfg.model_copy(update={"smtp": remote.model_copy(update={"starttls": True})})
    settings = env.smtp(tls)
    assert (settings.user, settings.password, settings.starttls) == ("u", "s3cret", True)


def test_a_refused_recipient_fails_permanently_and_the_others_get_theirs(
    nord_store: Store, smtp: SmtpServer, kb: KnowledgeBase
) -> None:
    smtp.inbox.refuse = lambda rcpt: "550 5.1.1 no such user" if rcpt == PEOPLE[1] else None
    report = send(nord_store, nordland(smtp.port), kb, smtp.port)
    assert report.sent == [PEOPLE[0], PEOPLE[2]]
    assert report.failed == [(PEOPLE[1], "mail: 550 5.1.1 no such user")]
    assert smtp.inbox.rcpt_calls.count(PEOPLE[1]) == 1  # 5xx: not retried
    with nord_store.read() as conn:
        row = next(r for r in deliveries.rows(conn) if r["recipient"] == PEOPLE[1])
        assert (row["state"], row["permanent"], row["next_attempt_at"]) == ("failed", True, None)
        assert deliveries.due(conn, now=AFTER_WEEK + timedelta(days=1)) == []
        assert deliveries.handled(conn, "weekly-nord", "2026-W47", PEOPLE)
