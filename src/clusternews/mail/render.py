"""Digest content → a multipart/alternative email (plain text + HTML) from one template set."""

from __future__ import annotations

import hashlib
import re
import textwrap
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from clusternews.mail import wording
from clusternews.pipeline.dates import DEFAULT_TIMEZONE
from clusternews.pipeline.digest import DigestContent, DigestItem, Section
from clusternews.pipeline.isoweek import IsoWeek

TEMPLATES = Path(__file__).with_name("templates")
# C0/C1 controls (bar tab and newline) have no business in an email and can confuse clients.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Letter:
    """Who a digest goes to and in which words."""

    digest_id: str
    language: str  # nb | nn | sv | en
    sender: str
    recipient: str
    tz: str = DEFAULT_TIMEZONE


def render_message(
    content: DigestContent, week: IsoWeek, letter: Letter, *, now: datetime
) -> EmailMessage:
    """The email for one recipient, with headers a list mail needs (RFC 2369, 2919, 3834)."""
    view = _view(content, week, letter)
    msg = EmailMessage()
    msg["Subject"] = view["subject"]
    msg["From"] = letter.sender
    msg["To"] = letter.recipient
    msg["Date"] = format_datetime(now.astimezone(ZoneInfo(letter.tz)))
    msg["Message-ID"] = message_id(letter, week)
    msg["List-Id"] = f"{letter.digest_id} <{letter.digest_id}.{_domain(letter.sender)}>"
    msg["List-Unsubscribe"] = f"<{view['unsubscribe']}>"
    msg["Auto-Submitted"] = "auto-generated"  # no vacation replies to a digest
    msg["Precedence"] = "list"
    msg["Content-Language"] = "no" if letter.language in ("nb", "nn") else letter.language
    msg.set_content(_env().get_template("digest.txt.j2").render(view), cte="quoted-printable")
    msg.add_alternative(
        _env().get_template("digest.html.j2").render(view), subtype="html", cte="quoted-printable"
    )
    return msg


def render_html(content: DigestContent, week: IsoWeek, letter: Letter) -> str:
    return _env().get_template("digest.html.j2").render(_view(content, week, letter))


def message_id(letter: Letter, week: IsoWeek) -> str:
    """The same id for the same (digest, week, recipient): should a resend ever happen after
    a crash mid-send, clients and servers that de-duplicate by Message-ID show it once."""
    who = hashlib.sha256(letter.recipient.lower().encode()).hexdigest()[:16]
    return f"<{letter.digest_id}.{week}.{who}@{_domain(letter.sender)}>"


def safe_url(url: str | None) -> str | None:
    """Only http(s) links: a javascript: or data: URL from a feed must not become a link."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def _view(content: DigestContent, week: IsoWeek, letter: Letter) -> dict[str, Any]:
    lang = letter.language
    w = wording.words(lang)
    tz = ZoneInfo(letter.tz)
    first = content.week_start.astimezone(tz).date()
    last = (content.week_end.astimezone(tz) - timedelta(hours=1)).date()
    sections = [_section(s, n, lang, tz) for n, s in enumerate(content.sections, 1)]
    number = str(week.week)
    subject = (w["subject"] if content.total else w["subject_empty"]).format(
        week=number, count=content.total
    )
    intro = w["intro"].format(
        count=content.total, groups=len(sections), period=wording.period(first, last, lang)
    )
    unsubscribe = f"mailto:{letter.sender}?subject={quote('unsubscribe ' + letter.digest_id)}"
    preheader = " · ".join(f"{n} ({c})" for n, c in content.top_orgs[:3]) or intro
    return {
        "lang": "no" if lang in ("nb", "nn") else lang,
        "w": w,
        "subject": subject,
        "heading": w["heading"].format(week=number),
        "intro": intro,
        "preheader": preheader,
        "sections": sections,
        "top_orgs": [(_clean(n), c) for n, c in content.top_orgs],
        "footer": w["footer"].format(digest=letter.digest_id),
        "unsubscribe": unsubscribe,
    }


def _section(section: Section, n: int, lang: str, tz: ZoneInfo) -> dict[str, Any]:
    w = wording.words(lang)
    title = section.title or w["other"]
    if section.kind == "region":
        title = w["region_prefix"] + title
    count = len(section.items)
    return {
        "title": _clean(title),
        "anchor": f"s{n}",
        "entries": [_item(i, lang, tz) for i in section.items],
        "count_text": (w["items_one"] if count == 1 else w["items_many"]).format(n=count),
    }


def _item(item: DigestItem, lang: str, tz: ZoneInfo) -> dict[str, Any]:
    w = wording.words(lang)
    entities = [
        (w[key], [_clean(n) for n in names])
        for key, names in (
            ("orgs", item.orgs),
            ("regions", item.regions),
            ("programmes", item.programmes),
        )
        if names
    ]
    return {
        "title": _clean(item.title),
        "url": safe_url(item.url),
        "lead": _clean(item.lead),
        "date": wording.day(item.date.astimezone(tz).date(), lang),
        "language": wording.language_name(item.language, item.variant, lang),
        "source_label": w["sources"] if len(item.sources) > 1 else w["source"],
        "sources": [{"name": _clean(s.name), "url": safe_url(s.url)} for s in item.sources],
        "also": [{"name": _clean(s.name), "url": safe_url(s.url)} for s in item.also],
        "entities": entities,
    }


def _clean(text: str) -> str:
    return " ".join(_CONTROL.sub(" ", text or "").split())


def _domain(address: str) -> str:
    return address.rsplit("@", 1)[-1].strip("<> ") or "localhost"


def _wrap(text: str, width: int = 76, indent: str = "") -> str:
    return textwrap.fill(
        text,
        width=width,
        initial_indent=indent,
        subsequent_indent=indent,
        break_long_words=False,
        break_on_hyphens=False,
    )


@cache
def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        undefined=StrictUndefined,
        autoescape=lambda name: bool(name and ".html" in name),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["wrap"] = _wrap
    return env
