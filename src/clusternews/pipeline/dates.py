"""Dates from feeds and pages made timezone-aware."""

from __future__ import annotations

import calendar
import time
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from dateutil import parser as dateparser

# The zone of naive dates and of every date shown, unless feeds.yaml or CLUSTERNEWS_TIMEZONE
# says otherwise (settings.Settings.zone).
DEFAULT_TIMEZONE = "Europe/Oslo"


def from_struct(value: time.struct_time | None) -> datetime | None:
    """feedparser's *_parsed fields are UTC struct_times."""
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def parse_date(text: str | None, *, tz: str = DEFAULT_TIMEZONE) -> datetime | None:
    """ISO 8601, RFC 822 or a bare date; naive values are taken as local time in `tz`."""
    if not text or not isinstance(text, str):
        return None
    try:
        value: datetime | None = dateparser.parse(text.strip())
    except (ValueError, OverflowError, TypeError):
        return None
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(tz))
    return value


def at_local_midnight(day: date, tz: str) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(tz))


def plausible(value: datetime | None, *, now: datetime) -> datetime | None:
    """Drop dates from before the web or more than a day in the future (CMS defaults, typos)."""
    if value is None:
        return None
    if value.year < 1995 or (value - now).total_seconds() > 86400:
        return None
    return value
