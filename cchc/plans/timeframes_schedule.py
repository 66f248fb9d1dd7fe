"""The deadlines of a time frame inside one calendar year.

Working days are not this module's business: ``due_dates`` takes an ``adjust`` callable that the
working-day calendar supplies (for example "move a deadline off a weekend or public holiday to the
working day before"). Without one the dates are the nominal ones the plan states.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Protocol

from .timeframes_model import MONTHS_PER_FREQUENCY, Recurrence, TimeFrame, last_day


class DateAdjuster(Protocol):
    """Maps a nominal deadline to the one that applies, e.g. the previous working day.

    It must be pure and total: called once per due date, it returns a date for every date it is
    given (the same date when nothing moves). The holiday rules live in the calendar module.
    """

    def __call__(self, day: date, /) -> date: ...


def recurrence_dates(recurrence: Recurrence, year: int) -> list[date]:
    """One date per period of ``year``: 12 monthly, 4 quarterly, 2 half-yearly, 1 yearly."""
    months = MONTHS_PER_FREQUENCY[recurrence.frequency]
    found = []
    for first_month in range(1, 13, months):
        month = first_month + (recurrence.month_in_period or months) - 1
        end = last_day(year, month)
        found.append(end if recurrence.day is None else end.replace(day=min(recurrence.day, end.day)))
    return found


def occurrences(frame: TimeFrame, year: int) -> list[date]:
    """The nominal due dates of ``frame`` that fall in ``year``, in order.

    Recurring frames give one per period; a date or a period gives its due date when it falls in
    the year; a combination gives its parts' dates. Continuous work, events, offsets still waiting
    for their event, someone else's schedule and unread text give none.
    """
    if frame.kind == "recurring" and frame.recurrence:
        return recurrence_dates(frame.recurrence, year)
    if frame.kind == "combined":
        return sorted({day for part in frame.parts for day in occurrences(part, year)})
    if frame.kind in ("date", "period") and frame.due and frame.due.year == year:
        return [frame.due]
    return []


def due_dates(
    frame: TimeFrame, year: int, adjust: DateAdjuster | Callable[[date], date] | None = None
) -> list[date]:
    """``occurrences`` with ``adjust`` applied to each (the working-day rule), without duplicates."""
    days = occurrences(frame, year)
    return sorted({adjust(day) for day in days}) if adjust else days
