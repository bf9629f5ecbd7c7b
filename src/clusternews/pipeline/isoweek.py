"""ISO weeks ('2026-W47') and their bounds in a time zone: the unit a digest covers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_WEEK = re.compile(r"^(\d{4})-?W(\d{2})$", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class IsoWeek:
    year: int
    week: int

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        match = _WEEK.match(text.strip())
        if not match:
            raise ValueError(f"expected an ISO week such as 2026-W47, got {text!r}")
        year, week = int(match[1]), int(match[2])
        try:
            date.fromisocalendar(year, week, 1)
        except ValueError:
            raise ValueError(f"{year} has no ISO week {week}") from None
        return cls(year, week)

    @classmethod
    def of(cls, when: datetime, tz: str) -> IsoWeek:
        year, week, _ = when.astimezone(ZoneInfo(tz)).isocalendar()
        return cls(year, week)

    @classmethod
    def last_complete(cls, now: datetime, tz: str) -> IsoWeek:
        """The week that ended last: what a digest sent `now` covers."""
        return cls.of(now, tz).previous()

    def __str__(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    def start(self, tz: str) -> datetime:
        return datetime.combine(self.monday(), time(0), ZoneInfo(tz))

    def end(self, tz: str) -> datetime:
        """Exclusive: the start of the next week (DST changes make this not always +168 h)."""
        return self.next().start(tz)

    def previous(self) -> IsoWeek:
        return IsoWeek(*(self.monday() - timedelta(days=7)).isocalendar()[:2])

    def next(self) -> IsoWeek:
        return IsoWeek(*(self.monday() + timedelta(days=7)).isocalendar()[:2])
