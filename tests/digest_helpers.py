"""Digest test kit: a real SMTP server on loopback (aiosmtpd), stored items, a config."""

from __future__ import annotations

import email
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default
from html.parser import HTMLParser

from aiosmtpd.controller import Controller

from clusternews.adapters.store import Store, items
from clusternews.config import Config, parse_config
from clusternews.knowledge.base import KnowledgeBase
from clusternews.models import Article, Entity
from clusternews.pipeline.dedup import content_hash

# Thursday of 2026-W47 (16–22 November), the demo week.
THURSDAY = datetime(2026, 11, 19, 10, 0, tzinfo=UTC)
AFTER_WEEK = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # Monday 07:00 in Oslo


@dataclass
class Inbox:
    """What the server received, and a rule that may refuse a recipient (e.g. '451 …')."""

    received: list[tuple[str, EmailMessage]] = field(default_factory=list)
    refuse: Callable[[str], str | None] = lambda _rcpt: None
    rcpt_calls: list[str] = field(default_factory=list)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        self.rcpt_calls.append(address)
        answer = self.refuse(address)
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=default)
        for rcpt in envelope.rcpt_tos:
            self.received.append((rcpt, message))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for r, m in self.received if r == address]

    def count(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for rcpt, _m in self.received:
            out[rcpt] = out.get(rcpt, 0) + 1
        return out


class SmtpServer:
    def __init__(self) -> None:
        self.inbox = Inbox()
        self.port = _free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def config(
    port: int,
    *,
    to: list[str],
    language: str = "nb",
    regions: list[str] | None = None,
    orgs: list[str] | None = None,
    languages: list[str] | None = None,
    send_empty: bool = False,
    digest_id: str = "weekly-nord",
) -> Config:
    return parse_config(
        config_yaml(
            port,
            to=to,
            language=language,
            regions=regions,
            orgs=orgs,
            languages=languages,
            send_empty=send_empty,
            digest_id=digest_id,
        )
    )


def config_yaml(
    port: int,
    *,
    to: list[str],
    language: str = "nb",
    regions: list[str] | None = None,
    orgs: list[str] | None = None,
    languages: list[str] | None = None,
    send_empty: bool = False,
    digest_id: str = "weekly-nord",
) -> str:
    return f"""
defaults: {{timezone: Europe/Oslo}}
clusters:
  - id: mineralklynge-norge
    name: Mineralklynge Norge
    country: NO
    region: Nordland
    programme: Arena
    sources: [{{feed: "https://mineral.example.no/feed/"}}]
  - id: nce-manufacturing
    name: NCE Manufacturing
    country: NO
    region: Vestre Toten
    programme: NCE
    sources: [{{feed: "https://nce.example.no/feed/"}}]
  - id: mo-industripark
    name: Mo Industripark
    country: NO
    region: Rana
    sources: [{{page: "https://mip.example.no/nyheter/"}}]
  - id: region-vasterbotten
    name: Region Västerbotten
    country: SE
    region: Västerbotten
    sources: [{{feed: "https://rv.example.se/feed/"}}]
digests:
  - id: {digest_id}
    to: [{", ".join(to)}]
    language: {language}
    schedule: 'mon 07:00'
    send_empty: {"true" if send_empty else "false"}
    filters: {{regions: [{", ".join(regions or [])}], orgs: [{", ".join(orgs or [])}],
               programmes: [], languages: [{", ".join(languages or [])}]}}
smtp: {{host: 127.0.0.1, port: {port}, from: klyngenytt@example.no, starttls: false}}
"""


def article(
    kb: KnowledgeBase,
    url: str,
    title: str,
    *,
    summary: str = "",
    published: datetime,
    language: str = "no",
    variant: str | None = "nb",
    orgs: dict[str, int] | None = None,
    places: dict[str, int] | None = None,
    programmes: dict[str, int] | None = None,
    text: str | None = None,
) -> Article:
    """An article as the pipeline would store it, with entities linked to the knowledge base."""
    entities: list[Entity] = []
    for name, count in (orgs or {}).items():
        org = kb.organizations.resolve(name)
        entities.append(
            Entity(
                "ORG",
                org.id if org else f"org:unlisted:{name.lower()}",
                org.name if org else name,
                org.kind if org else None,
                (name,),
                count,
            )
        )
    region_ids: list[str] = []
    for name, count in (places or {}).items():
        region = kb.regions.resolve(name)
        assert region is not None, name
        entities.append(Entity("REGION", region.id, region.name, region.type, (name,), count))
        region_ids.append(region.id)
    for name, count in (programmes or {}).items():
        programme = kb.programmes.resolve(name)
        assert programme is not None, name
        entities.append(Entity("PROGRAMME", programme.id, programme.name, None, (name,), count))
    expanded = kb.regions.expand_up(region_ids)
    names = tuple(r.name for r in (kb.regions.get(i) for i in expanded) if r)
    body = text or f"{title}. {summary}"
    return Article(
        url=url,
        title=title,
        text=body,
        summary=summary,
        published=published,
        author=None,
        image=None,
        language=language,
        language_variant=variant,
        language_confidence=0.99,
        content_hash=content_hash(title, body),
        entities=tuple(entities),
        regions=names,
        region_ids=tuple(expanded),
    )


def store_articles(
    store: Store, rows: list[tuple[Article, str]], *, now: datetime = THURSDAY
) -> None:
    """(article, source id) pairs; the cluster is the source id's part before ':'."""
    with store.write() as conn:
        for art, source_id in rows:
            items.upsert(
                conn,
                art,
                source_id=source_id,
                cluster=source_id.split(":")[0],
                now=art.published or now,
            )


def parts(message: EmailMessage) -> tuple[str, str]:
    """(plain text, html) of a multipart/alternative digest."""
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._style = tag == "style"
        if tag in ("img", "script", "iframe", "link", "object", "embed", "video", "audio"):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name in ("src", "background", "srcset") or name.startswith("on"):
                self.found.append(f"{tag}[{name}]")
            if (
                name == "href"
                and value
                and not value.startswith(("https:", "http:", "mailto:", "#"))
            ):
                self.found.append(f"{tag}[href={value}]")
            if name == "style" and value and "url(" in value:
                self.found.append(f"{tag}[style url()]")

    def handle_data(self, data: str) -> None:
        if self._style and ("url(" in data or "@import" in data):
            self.found.append("<style> url()/@import")


def active_html(html: str) -> list[str]:
    """Tags and attributes that fetch something or run something (none are allowed)."""
    parser = _Tags()
    parser.feed(html)
    return parser.found
