"""Reporting periods: a month, a quarter, a half-year, a year or any range of days.

    Period.parse("2025")            # the year
    Period.parse("2025-Q3")         # a quarter (also "2025-q3")
    Period.parse("2025-H1")         # a half-year
    Period.parse("2025-03")         # a month
    Period.parse("2025-01-01..2025-03-15")  # any range of days (both included)

Dossiers belong to the period of their receipt day. A dossier still open is judged at the end of the
period (or now, for the period that is still running): the moment :meth:`Period.moment`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_HALF = re.compile(r"^(\d{4})-[Hh]([12])$")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})$")


class PeriodError(ValueError):
    pass


def month_end(day: dt.date) -> dt.date:
    nxt = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # included
    kind: str = "range"  # year | half | quarter | month | range

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), "year")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        first = dt.date(year, month, 1)
        return cls(first, month_end(first), "month")

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        first = dt.date(year, 3 * quarter - 2, 1)
        return cls(first, month_end(dt.date(year, 3 * quarter, 1)), "quarter")

    @classmethod
    def half(cls, year: int, half: int) -> Period:
        return cls(dt.date(year, 6 * half - 5, 1), month_end(dt.date(year, 6 * half, 1)), "half")

    @classmethod
    def parse(cls, text: str) -> Period:
        value = (text or "").strip()
        try:
            if m := _YEAR.match(value):
                return cls.year(int(m[1]))
            if m := _QUARTER.match(value):
                return cls.quarter(int(m[1]), int(m[2]))
            if m := _HALF.match(value):
                return cls.half(int(m[1]), int(m[2]))
            if m := _MONTH.match(value):
                return cls.month(int(m[1]), int(m[2]))
            if m := _RANGE.match(value):
                start, end = dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2])
                if end < start:
                    raise PeriodError(_("The period ends before it starts: %(text)s.") % {"text": value})
                return cls(start, end, "range")
        except ValueError as exc:
            if isinstance(exc, PeriodError):
                raise
        raise PeriodError(
            _("“%(text)s” is not a period: write 2025, 2025-Q3, 2025-H1, 2025-03 or 2025-01-01..2025-03-15.") % {"text": value}
        )

    @property
    def code(self) -> str:
        if self.kind == "year":
            return f"{self.start.year}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month + 2) // 3}"
        if self.kind == "half":
            return f"{self.start.year}-H{1 if self.start.month == 1 else 2}"
        if self.kind == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    @property
    def label(self) -> str:
        y = self.start.year
        if self.kind == "year":
            return _("Year %(year)d") % {"year": y}
        if self.kind == "quarter":
            return _("Quarter %(q)s/%(year)d") % {"q": ROMAN[(self.start.month + 2) // 3], "year": y}
        if self.kind == "half":
            return (_("First half of %(year)d") if self.start.month == 1 else _("Second half of %(year)d")) % {"year": y}
        if self.kind == "month":
            return _("Month %(month)d/%(year)d") % {"month": self.start.month, "year": y}
        return f"{self.start:%d/%m/%Y}–{self.end:%d/%m/%Y}"

    def months(self) -> list[dt.date]:
        """The first days of the months the period touches."""
        found, day = [], self.start.replace(day=1)
        while day <= self.end:
            found.append(day)
            day = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        return found

    def moment(self, now: dt.datetime | None = None) -> dt.datetime:
        """When open dossiers are judged: midnight after the last day, or now if that is later."""
        now = now or timezone.now()
        after = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(0), tzinfo=timezone.get_current_timezone())
        return min(after, now)

    def previous_year(self) -> Period:
        """The same period one year earlier (for comparisons)."""

        def back(day: dt.date) -> dt.date:
            try:
                return day.replace(year=day.year - 1)
            except ValueError:  # 29 February
                return day.replace(year=day.year - 1, day=28)

        end = month_end(back(self.end).replace(day=1)) if self.end == month_end(self.end) else back(self.end)
        return Period(back(self.start), end, self.kind)

    def __str__(self) -> str:
        return self.label
