"""Vietnamese working days (ngày làm việc): the calendar behind dossier deadlines.

Pure Python (stdlib + ``holidays``), no Django, so it can run in workers, scripts and tests that
have no database.

What is a working day
---------------------
A day is a working day unless it is

* a weekly rest day (``weekend``, Saturday and Sunday by default);
* a public holiday from ``holidays.country_holidays("VN")`` (``country_holidays=True``), including
  the package's observed days ("nghỉ bù") and the substituted days it knows of; or
* one of ``extra_days_off``, the days the Government gives off on top of the Labour Code
  (swaps around Tết, 30/4 and 2/9). The reform office enters these each year.

A day listed in ``make_up_days`` is always a working day, even on a weekend or a package holiday.
A make-up day (ngày làm bù) is the Saturday worked in exchange for a swapped weekday. Listing a
package holiday here also cancels it.

The calendar never contains a year's swaps itself: they are data passed in. :data:`DEFAULT_ADJUSTMENTS`
holds the 2024-2026 schedules as data, each with its source and how sure it is, and
:func:`default_calendar` builds a calendar from them.

What ``holidays`` 0.109 returns for VN (observed days included; names are the package's English ones)
------------------------------------------------------------------------------------------------------
2024: 01-01 New Year; 02-08 (Thu) "29 of Lunar New Year" [nghỉ bù]; 02-09 Lunar New Year's Eve;
02-10 (Sat) Lunar New Year; 02-11 (Sun) 2nd day; 02-12 3rd day; 02-13 4th day; 02-14 (Wed) "Fifth
Day" [nghỉ bù]; 04-18 Hung Kings; 04-29 (Mon) day off substituted from 05/04/2024; 04-30; 05-01;
09-02; 09-03. The package does NOT mark Saturday 2024-05-04 as a working day.

2025: 01-01; 01-27 (Mon) "29 of Lunar New Year" [nghỉ bù for Sat 02-01]; 01-28 Eve; 01-29 Lunar
New Year; 01-30; 01-31; 02-01 (Sat) 4th day; 04-07 Hung Kings; 04-30; 05-01; 05-02 (Fri) day off
substituted from 04/26/2025; 09-01; 09-02. The package does NOT mark Saturday 2025-04-26 as a
working day.

2026: 01-01; 02-16 Eve; 02-17 Lunar New Year; 02-18; 02-19; 02-20; 04-26 (Sun) Hung Kings; 04-27
(Mon) Hung Kings observed; 04-30; 05-01; 08-31 (Mon) day off substituted from 08/22/2026; 09-01;
09-02; 11-24 (Tue) Vietnam Cultural Day (Ngày Văn hóa Việt Nam, from 2026 in the package).
The package does NOT have the New Year swap: Friday 2026-01-02 off and Saturday 2026-01-10 worked.
It does NOT mark Saturday 2026-08-22 as a working day.

These lists depend on the installed version. ``tests/test_workdays.py`` pins them, so an upgrade
that changes them fails loudly.

Conventions (all documented on the methods)
-------------------------------------------
* Dates and datetimes. Aware datetimes are converted to Vietnam time (UTC+7, with no DST since
  1975). Naive datetimes are taken as Vietnam local time. A datetime passed where a day is wanted
  stands for its local date.
* :meth:`Calendar.working_day_index`: an ordinal that goes up by 1 on every working day and stays
  flat on days off. So ``index(b) - index(a)`` is the signed number of working days in the
  half-open interval ``(a, b]``.
* :meth:`Calendar.working_days_between` ``(a, b)`` is exactly that difference. It counts working
  days after ``a`` up to and including ``b``, and is negative when ``b < a``.
* :meth:`Calendar.add_working_days` follows the portal's convention ``count_from="next"``. The
  processing time starts on the working day after the receipt day: day 1 is the first working
  day strictly after ``start``. ``count_from="same"`` counts the receipt day as day 1 if it is a
  working day.
* :meth:`Calendar.receipt_day`: a dossier received on a day off, or after the procedure's
  cut-off time, counts as received on the next working day. Deadlines are then counted from it
  (:meth:`Calendar.due_date`).
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Literal

import holidays as _holidays

__all__ = [
    "CUTOFF_BY_KIND",
    "CUTOFF_SAME_DAY",
    "DEFAULT_ADJUSTMENTS",
    "DEFAULT_OFFICE_HOURS",
    "DEFAULT_WEEKEND",
    "MAX_YEAR",
    "MIN_YEAR",
    "VN_TZ",
    "Adjustment",
    "Calendar",
    "adjustment_days",
    "default_calendar",
]

VN_TZ = timezone(timedelta(hours=7), "ICT")
"""Vietnam time. It has been a fixed UTC+7 since 1975, so this needs no tz database."""

MIN_YEAR = 2000
MAX_YEAR = 2100
"""``holidays`` knows the lunar calendar up to 2100 and silently returns nothing after that.
So years outside ``[min_year, max_year]`` raise ``ValueError``; they are never computed wrongly."""

DEFAULT_WEEKEND = (5, 6)  # Saturday, Sunday (date.weekday(): Monday = 0)
DEFAULT_OFFICE_HOURS: tuple[tuple[time, time], ...] = (
    (time(7, 30), time(11, 30)),
    (time(13, 30), time(17, 0)),
)
"""7.5 hours a day. Provinces set their own hours (some change them in winter), so pass yours."""

CUTOFF_SAME_DAY = time(15, 0)
"""Same-day procedures (chứng thực bản sao, cấp bản sao trích lục hộ tịch): a dossier received after
15:00 is handled the next working day [S: one-stop systems citing Decree 23/2015; see
SERVICE-INDEX.md §2.3]."""

CUTOFF_BY_KIND: dict[str, time | None] = {
    # Example data; the cut-off belongs to the procedure kind, and the application stores it.
    "same_day": CUTOFF_SAME_DAY,  # [S] see CUTOFF_SAME_DAY
    "after_hours": DEFAULT_OFFICE_HOURS[-1][1],  # [U] received after closing time → next working day
    "none": None,  # only the date matters (a day off still moves to the next working day)
}

CountFrom = Literal["next", "same"]
AdjustRule = Literal["next", "previous", "none"]

_EPOCH_ORD = date(2000, 1, 3).toordinal()  # a Monday: origin of the week arithmetic
_US_PER_SECOND = 1_000_000
_MEMO_SIZE = 100_000  # dossier workloads repeat (receipt day, time limit) pairs a lot


# --------------------------------------------------------------------------------------------
# Yearly adjustments as data
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Adjustment:
    """One line of a Government holiday notice: days off (a range) or a make-up working day.

    ``confidence`` uses the key of SERVICE-INDEX.md:
      C = confirmed in the official text, which was read;
      S = secondary: press or government-site copies that name the document;
      U = unconfirmed: from memory, or only from the ``holidays`` package.
    """

    kind: Literal["off", "work"]
    first: date
    last: date | None = None  # inclusive; None means the same day as ``first``
    what: str = ""
    source: str = ""
    confidence: Literal["C", "S", "U"] = "U"

    def __post_init__(self) -> None:
        if self.kind not in ("off", "work"):
            raise ValueError(f"Adjustment.kind must be 'off' or 'work', not {self.kind!r}")
        if self.last is not None and self.last < self.first:
            raise ValueError(f"Adjustment {self.first}..{self.last}: last is before first")

    def days(self) -> Iterator[date]:
        d, last = self.first, self.last or self.first
        while d <= last:
            yield d
            d += timedelta(days=1)


# DATA TO VERIFY each year against the notice actually published. Off ranges are the whole
# break as announced, weekends included: weekends are off anyway, so listing them is harmless.
# Each range also repeats the days the ``holidays`` package already has. That way the schedule
# reads like the notice and does not depend on the package's observed-day rules.
DEFAULT_ADJUSTMENTS: dict[int, tuple[Adjustment, ...]] = {
    2024: (
        # Tết Giáp Thìn: Thu 8/2 to Wed 14/2: 5 Tết days plus 2 compensatory days, because
        # Tết falls on Sat/Sun (Labour Code 2019 art. 111(3)).
        Adjustment(
            "off",
            date(2024, 2, 8),
            date(2024, 2, 14),
            "Tết Âm lịch Giáp Thìn (7 ngày)",
            "VPCP 8662/VPCP-KGVX 03/11/2023; Thông báo 5015/TB-LĐTBXH 22/11/2023",
            "S",
        ),
        # 30/4-1/5: Monday 29/4 swapped with Saturday 4/5, giving 5 days off from 27/4 to 1/5.
        Adjustment(
            "off",
            date(2024, 4, 27),
            date(2024, 5, 1),
            "30/4-1/5, hoán đổi thứ Hai 29/4",
            "VPCP 2450/VPCP-KGVX 12/4/2024",
            "S",
        ),
        Adjustment(
            "work", date(2024, 5, 4), None, "làm bù cho thứ Hai 29/4", "VPCP 2450/VPCP-KGVX 12/4/2024", "S"
        ),
        # Quốc khánh: 2/9 plus the adjacent day 3/9; Sat 31/8 to Tue 3/9.
        Adjustment(
            "off",
            date(2024, 8, 31),
            date(2024, 9, 3),
            "Quốc khánh (2/9 và 3/9)",
            "VPCP 8662/VPCP-KGVX 03/11/2023; Thông báo 5015/TB-LĐTBXH 22/11/2023",
            "S",
        ),
    ),
    2025: (
        # Tết Ất Tỵ: Sat 25/1 to Sun 2/2, 9 days with no make-up day. Mon 27/1 is the
        # compensatory day for mùng 4, which falls on Saturday 1/2.
        Adjustment(
            "off",
            date(2025, 1, 25),
            date(2025, 2, 2),
            "Tết Âm lịch Ất Tỵ (9 ngày)",
            "VPCP 8726/VPCP-KGVX 26/11/2024; Thông báo 6150/TB-LĐTBXH (number as cited by `holidays`)",
            "S",
        ),
        # 30/4-1/5: Friday 2/5 swapped with Saturday 26/4, giving 5 days off from 30/4 to 4/5.
        # Not read in any notice: this is the holidays package (special day 2025-05-02 from
        # 04/26) plus memory.
        Adjustment(
            "off",
            date(2025, 4, 30),
            date(2025, 5, 4),
            "30/4-1/5, hoán đổi thứ Sáu 2/5",
            "holidays package; notice not read",
            "U",
        ),
        Adjustment(
            "work",
            date(2025, 4, 26),
            None,
            "làm bù cho thứ Sáu 2/5",
            "holidays package; notice not read",
            "U",
        ),
        # Quốc khánh: 2/9 (Tue) plus the adjacent day 1/9 (Mon); Sat 30/8 to Tue 2/9, no make-up day.
        Adjustment(
            "off",
            date(2025, 8, 30),
            date(2025, 9, 2),
            "Quốc khánh (1/9 và 2/9)",
            "holidays package; notice not read",
            "U",
        ),
    ),
    2026: (
        # Tết Dương lịch: Friday 2/1 swapped with Saturday 10/1, giving 4 days off from 1/1 to 4/1.
        # The holidays package does not have this swap.
        Adjustment(
            "off",
            date(2026, 1, 1),
            date(2026, 1, 4),
            "Tết Dương lịch, hoán đổi thứ Sáu 2/1",
            "VPCP 12729/VPCP-KGVX 25/12/2025 (Phó Thủ tướng Phạm Thị Thanh Trà)",
            "S",
        ),
        Adjustment(
            "work", date(2026, 1, 10), None, "làm bù cho thứ Sáu 2/1", "VPCP 12729/VPCP-KGVX 25/12/2025", "S"
        ),
        # Tết Bính Ngọ: Sat 14/2 to Sun 22/2, i.e. 5 Tết days (Mon 16 to Fri 20) and 4 weekend days.
        Adjustment(
            "off",
            date(2026, 2, 14),
            date(2026, 2, 22),
            "Tết Âm lịch Bính Ngọ (9 ngày)",
            "VPCP letter of ~13/10/2025 conveying the Prime Minister's approval (number not found)",
            "S",
        ),
        # Giỗ Tổ Hùng Vương falls on Sunday 26/4, so Monday 27/4 is a compensatory day (art. 111(3)).
        Adjustment(
            "off",
            date(2026, 4, 25),
            date(2026, 4, 27),
            "Giỗ Tổ Hùng Vương, nghỉ bù thứ Hai 27/4",
            "Labour Code 2019 art. 111(3); 2026 schedule reported by Thanh Niên 13/1/2026",
            "S",
        ),
        Adjustment(
            "off",
            date(2026, 4, 30),
            date(2026, 5, 3),
            "30/4-1/5 (4 ngày)",
            "2026 schedule reported by Thanh Niên 13/1/2026",
            "S",
        ),
        # Quốc khánh: Monday 31/8 swapped with Saturday 22/8, giving 5 days off from 29/8 to 2/9.
        Adjustment(
            "off",
            date(2026, 8, 29),
            date(2026, 9, 2),
            "Quốc khánh, hoán đổi thứ Hai 31/8",
            "VPCP letter of ~13/10/2025 (same as Tết 2026; number not found)",
            "S",
        ),
        Adjustment(
            "work", date(2026, 8, 22), None, "làm bù cho thứ Hai 31/8", "VPCP letter of ~13/10/2025", "S"
        ),
        # NOT listed: Tuesday 24/11/2026, Ngày Văn hóa Việt Nam. Resolution 80-NQ/TW (01/2026)
        # wants it as a paid holiday. The holidays package has it from 2026. Whether the Labour
        # Code amendment is in force for 2026 is unconfirmed [U]. If it is not, cancel the day
        # with Adjustment("work", date(2026, 11, 24), ...).
    ),
}


def adjustment_days(
    adjustments: Mapping[int, Iterable[Adjustment]] = DEFAULT_ADJUSTMENTS,
    years: Iterable[int] | None = None,
) -> tuple[list[date], list[date]]:
    """Flatten adjustments (optionally only some years) into ``(days_off, make_up_days)``."""
    wanted = None if years is None else set(years)
    off: list[date] = []
    work: list[date] = []
    for year, items in adjustments.items():
        if wanted is not None and year not in wanted:
            continue
        for adj in items:
            (off if adj.kind == "off" else work).extend(adj.days())
    return off, work


# --------------------------------------------------------------------------------------------
# The calendar
# --------------------------------------------------------------------------------------------


def _to_local(dt: datetime) -> datetime:
    """Vietnam local wall time as a naive datetime (naive input is assumed local already)."""
    if dt.tzinfo is not None and dt.utcoffset() is not None:
        return dt.astimezone(VN_TZ).replace(tzinfo=None)
    return dt


def _to_date(d: date | datetime) -> date:
    if isinstance(d, datetime):
        return _to_local(d).date()
    if isinstance(d, date):
        return d
    raise TypeError(f"expected a date or datetime, not {type(d).__name__}")


def _time_us(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * _US_PER_SECOND + t.microsecond


class _Year:
    """Precomputed data of one year.

    ``exc`` holds the sorted ordinals where the calendar departs from the plain weekly pattern:
    a regular weekday that is off (weight -1), or a weekend day worked (weight +1).
    ``prefix[k]`` is the sum of the first k weights. ``base`` is the sum of the weights of all
    earlier loaded years, and ``total`` is this year's sum.
    """

    __slots__ = ("base", "exc", "prefix", "total")

    def __init__(self, exc: list[int], weights: list[int], base: int) -> None:
        self.exc = exc
        prefix = [0]
        for w in weights:
            prefix.append(prefix[-1] + w)
        self.prefix = prefix
        self.total = prefix[-1]
        self.base = base


class Calendar:
    """Working days of a Vietnamese agency. See the module docstring for the rules.

    All data is precomputed per year, lazily, on first use. Each query then costs O(1) week
    arithmetic plus a binary search in that year's short list of exceptions. None of the methods
    loops day by day over the span (see :meth:`working_day_index`). :meth:`add_working_days`
    also remembers up to 100,000 recent results. Instances are immutable once built and safe to
    share between threads.
    """

    def __init__(
        self,
        extra_days_off: Iterable[date] | Mapping[date, str] = (),
        make_up_days: Iterable[date] = (),
        weekend: Iterable[int] = DEFAULT_WEEKEND,
        office_hours: Iterable[tuple[time, time]] = DEFAULT_OFFICE_HOURS,
        country_holidays: bool = True,
        *,
        count_from: CountFrom = "next",
        min_year: int = MIN_YEAR,
        max_year: int = MAX_YEAR,
        language: str = "vi",
    ) -> None:
        """``extra_days_off`` may be a mapping ``{day: name}`` to name the days in :meth:`days_off`.
        ``language`` is the language of the package's holiday names ("vi", "en_US", "th")."""
        weekend_set = frozenset(int(w) for w in weekend)
        if not weekend_set <= frozenset(range(7)):
            raise ValueError(f"weekend days must be 0 (Monday) .. 6 (Sunday), got {sorted(weekend_set)}")
        if len(weekend_set) == 7:
            raise ValueError("a week needs at least one working weekday")
        if min_year > max_year:
            raise ValueError("min_year is after max_year")
        self.weekend = tuple(sorted(weekend_set))
        self.min_year, self.max_year = min_year, max_year
        self.country_holidays = bool(country_holidays)
        self.count_from: CountFrom = self._check_count_from(count_from)

        # Week arithmetic: the epoch is a Monday, so offset r within a week equals date.weekday().
        regular = [wd not in weekend_set for wd in range(7)]
        self._regular = tuple(regular)
        self._k = sum(regular)  # regular working weekdays per week
        cum, c = [], 0
        for flag in regular:
            c += flag
            cum.append(c)
        self._cumw = tuple(cum)  # regular days among offsets 0..r, inclusive
        self._pos = tuple(r for r in range(7) if regular[r])  # offset of the (m+1)-th regular day

        periods = tuple((s, e) for s, e in office_hours)
        hours = [(_time_us(s), _time_us(e)) for s, e in periods]
        if not hours:
            raise ValueError("office_hours needs at least one (start, end) period")
        for (s, e), nxt, period in zip(hours, [*hours[1:], None], periods, strict=True):
            if not s < e:
                raise ValueError(f"office period {period[0]}-{period[1]}: start must be before end")
            if nxt is not None and nxt[0] < e:
                raise ValueError("office periods must be in order and must not overlap")
        self.office_hours = periods
        self._hours = tuple(hours)
        self._day_us = sum(e - s for s, e in hours)

        off_names = (
            {_to_date(d): str(name) for d, name in extra_days_off.items()}
            if isinstance(extra_days_off, Mapping)
            else {_to_date(d): "" for d in extra_days_off}
        )
        off = set(off_names)
        work = {_to_date(d) for d in make_up_days}
        clash = off & work
        if clash:
            raise ValueError(f"days both off and make-up: {sorted(clash)}")
        for d in off | work:
            if not min_year <= d.year <= max_year:
                raise ValueError(f"{d} is outside the calendar's years {min_year}..{max_year}")
        self.extra_days_off = frozenset(off)
        self.make_up_days = frozenset(work)
        self.language = language
        self._extra_by_year: dict[int, dict[date, str]] = {}
        for d, name in off_names.items():
            self._extra_by_year.setdefault(d.year, {})[d] = name
        self._work_by_year: dict[int, list[date]] = {}
        for d in work:
            self._work_by_year.setdefault(d.year, []).append(d)

        # Lazily filled for years min_year..self._loaded_through, always in order (bases need it).
        self._years: dict[int, _Year] = {}
        self._names: dict[date, str] = {}
        self._off: set[int] = set()  # ordinals of days off other than the weekly pattern
        self._work: set[int] = set()  # ordinals of make-up working days
        self._loaded_through = min_year - 1
        self._lock = threading.Lock()
        self._memo: dict[tuple[int, int, str], date] = {}  # add_working_days results, bounded
        self._min_ord = date(min_year, 1, 1).toordinal()
        self._max_ord = date(max_year, 12, 31).toordinal()

    @classmethod
    def from_adjustments(
        cls,
        adjustments: Mapping[int, Iterable[Adjustment]] = DEFAULT_ADJUSTMENTS,
        *,
        extra_days_off: Iterable[date] = (),
        make_up_days: Iterable[date] = (),
        **kwargs,
    ) -> Calendar:
        """Build a calendar from yearly :class:`Adjustment` data, plus any further days."""
        named: dict[date, str] = {}
        for items in adjustments.values():
            for adj in items:
                if adj.kind == "off":
                    for d in adj.days():
                        named.setdefault(d, adj.what)
        if isinstance(extra_days_off, Mapping):
            named.update({_to_date(d): str(name) for d, name in extra_days_off.items()})
        else:
            named.update({_to_date(d): "" for d in extra_days_off})
        _, work = adjustment_days(adjustments)
        return cls(named, [*work, *make_up_days], **kwargs)

    def __repr__(self) -> str:
        return (
            f"Calendar(weekend={self.weekend}, country_holidays={self.country_holidays}, "
            f"extra_days_off={len(self.extra_days_off)}, make_up_days={len(self.make_up_days)}, "
            f"count_from={self.count_from!r}, years={self.min_year}..{self.max_year})"
        )

    # ----------------------------------------------------------------------------- loading

    @staticmethod
    def _check_count_from(count_from: str) -> CountFrom:
        if count_from not in ("next", "same"):
            raise ValueError(f"count_from must be 'next' or 'same', not {count_from!r}")
        return count_from  # type: ignore[return-value]

    def _year(self, y: int) -> _Year:
        yd = self._years.get(y)
        if yd is not None:
            return yd
        if not self.min_year <= y <= self.max_year:
            raise ValueError(f"year {y} is outside the calendar's years {self.min_year}..{self.max_year}")
        with self._lock:
            while self._loaded_through < y:
                self._build(self._loaded_through + 1)
        return self._years[y]

    def _build(self, y: int) -> None:
        names: dict[date, str] = {}
        if self.country_holidays:
            for d, name in _holidays.country_holidays("VN", years=y, language=self.language).items():
                if d.year == y:
                    names[d] = name
        extra = self._extra_by_year.get(y, {})
        make_up = set(self._work_by_year.get(y, ()))
        off = {d.toordinal() for d in names if d not in make_up}
        off |= {d.toordinal() for d in extra}
        for d, name in extra.items():  # name the extra weekdays off; weekends are off anyway
            if self._regular[d.weekday()]:
                names.setdefault(d, name or "Ngày nghỉ theo thông báo")
        work = {d.toordinal() for d in make_up}
        weighted = [(o, -1) for o in off if self._regular[(o - _EPOCH_ORD) % 7]]
        weighted += [(o, +1) for o in work if not self._regular[(o - _EPOCH_ORD) % 7]]
        weighted.sort()
        prev = self._years.get(y - 1)
        base = prev.base + prev.total if prev is not None else 0
        yd = _Year([o for o, _ in weighted], [w for _, w in weighted], base)
        for d in make_up:
            names.pop(d, None)
        self._names.update(names)
        self._off |= off
        self._work |= work
        self._years[y] = yd  # published last: readers check _years without the lock
        self._loaded_through = y

    # ----------------------------------------------------------------------------- basics

    def is_working_day(self, d: date | datetime) -> bool:
        """True on a working day: not a weekly rest day or a day off, or a make-up day."""
        d = _to_date(d)
        o = d.toordinal()
        if d.year not in self._years:
            self._year(d.year)
        if o in self._work:
            return True
        return self._regular[(o - _EPOCH_ORD) % 7] and o not in self._off

    def working_day_index(self, d: date | datetime) -> int:
        """A monotone ordinal of working days: +1 on each working day, flat on days off.

        ``index(b) - index(a)`` is the signed number of working days in ``(a, b]``, which is
        :meth:`working_days_between`. On a working day the value is that day's ordinal among
        working days. On a day off it equals the index of the previous working day. The
        absolute value means nothing and is specific to this calendar; only order and
        differences count.

        Computed as week arithmetic (regular weekdays since a Monday epoch) plus the
        year's exceptions (weekdays off: -1, weekend days worked: +1), found by binary search.
        To use it on many rows, map each distinct date once (or take a
        :meth:`working_day_index_table`) and subtract the columns.
        """
        d = _to_date(d)
        return self._index_ord(d.toordinal(), d.year)

    def _index_ord(self, o: int, year: int | None = None) -> int:
        if year is None:
            year = date.fromordinal(o).year
        yd = self._years.get(year) or self._year(year)
        q, r = divmod(o - _EPOCH_ORD, 7)
        return q * self._k + self._cumw[r] + yd.base + yd.prefix[bisect_right(yd.exc, o)]

    def _regular_inverse(self, w: int) -> int:
        """Ordinal of the first regular weekday whose regular-day count W reaches ``w``."""
        q, m = divmod(w - 1, self._k)
        return _EPOCH_ORD + 7 * q + self._pos[m]

    def _nth(self, i: int, c: int | None = None) -> date:
        """The working day whose index is ``i``. ``c`` is a guess of the year correction C there
        (index minus regular-day count), e.g. the correction at the start of a count."""
        lo, hi = self._min_ord, self._max_ord
        k, cumw = self._k, self._cumw
        if c is None:
            o = min(max(self._regular_inverse(i), lo), hi)
            q, r = divmod(o - _EPOCH_ORD, 7)
            c = self._index_ord(o) - (q * k + cumw[r])
        # Fixed point of o = W^-1(i - C(o)), where W counts regular weekdays (week arithmetic) and
        # C sums the exceptions before o. C only changes at exceptions, so this settles next to
        # the answer, usually at once.
        for _ in range(8):
            o = min(max(self._regular_inverse(i - c), lo), hi)
            q, r = divmod(o - _EPOCH_ORD, 7)
            idx = self._index_ord(o)
            c_here = idx - (q * k + cumw[r])
            if c_here == c:
                if idx == i and (o in self._work or o not in self._off):
                    return date.fromordinal(o)  # a regular day, working, with index i
                break
            c = c_here
        # Exact walk over at most a holiday run (each step is O(log)).
        while self._index_ord(o) < i:
            if o >= hi:
                raise ValueError(f"the result is after the calendar's last year {self.max_year}")
            o += 1
        while o > lo and self._index_ord(o - 1) >= i:
            o -= 1
        result = date.fromordinal(o)
        # Now index(o - 1) < i <= index(o), so o is the working day with index i, unless we
        # stopped at the first supported day.
        if self._index_ord(o) != i or not self.is_working_day(result):
            raise ValueError(f"the result is before the calendar's first year {self.min_year}")
        return result

    def _index_and_correction(self, d: date) -> tuple[int, int]:
        o = d.toordinal()
        q, r = divmod(o - _EPOCH_ORD, 7)
        i = self._index_ord(o, d.year)
        return i, i - (q * self._k + self._cumw[r])

    def next_working_day(self, d: date | datetime) -> date:
        """The first working day strictly after ``d``."""
        i, c = self._index_and_correction(_to_date(d))
        return self._nth(i + 1, c)

    def previous_working_day(self, d: date | datetime) -> date:
        """The last working day strictly before ``d``."""
        d = _to_date(d)
        i, c = self._index_and_correction(d)
        return self._nth(i - 1 if self.is_working_day(d) else i, c)

    def adjust(self, d: date | datetime, rule: AdjustRule = "next") -> date:
        """Move a date that falls on a day off, for deadlines that are not counted in working days.

        ``"next"``: the next working day (a day of the Labour Code type, "nếu ngày cuối cùng là
        ngày nghỉ thì ... ngày làm việc tiếp theo"). ``"previous"``: the last working day before.
        ``"none"``: unchanged. A working day is always returned unchanged.
        """
        d = _to_date(d)
        if rule == "none":
            return d
        if rule not in ("next", "previous"):
            raise ValueError(f"rule must be 'next', 'previous' or 'none', not {rule!r}")
        if self.is_working_day(d):
            return d
        return self.next_working_day(d) if rule == "next" else self.previous_working_day(d)

    # ----------------------------------------------------------------------------- counting

    def add_working_days(self, start: date | datetime, n: int, count_from: CountFrom | None = None) -> date:
        """The working day on which a time limit of ``n`` working days ends.

        ``count_from="next"`` (the default, the portal's convention) means the limit starts on
        the working day after ``start``, whatever ``start`` is. Day 1 is the first working day
        strictly after ``start``, so a dossier received on Friday with 1 day is due on Monday.
        The round trip holds: ``working_days_between(start, result) == n``.

        ``count_from="same"``: ``start`` is day 1 if it is a working day, otherwise the next
        working day is. Then ``working_days_between(start - 1 day, result) == n``.

        ``n == 0`` returns ``start`` if it is a working day, else the next working day (a
        same-day procedure). ``n < 0`` counts back in either convention: the ``|n|``-th working
        day strictly before ``start``. The round trip
        ``working_days_between(result, start) == |n|`` holds when ``start`` is a working day.

        ``start`` is a day: pass it through :meth:`receipt_day` first to apply the receipt rules
        (or use :meth:`due_date`).
        """
        d = _to_date(start)
        n = int(n)
        mode = self.count_from if count_from is None else self._check_count_from(count_from)
        key = (d.toordinal(), n, mode)
        result = self._memo.get(key)
        if result is not None:
            return result
        if n == 0:
            result = self.adjust(d, "next")
        else:
            i, c = self._index_and_correction(d)
            working = self.is_working_day(d)
            if n > 0:
                if mode == "same" and working:
                    i -= 1
                result = self._nth(i + n, c)
            else:
                result = self._nth(i + n + (0 if working else 1), c)
        if len(self._memo) >= _MEMO_SIZE:
            self._memo.clear()
        self._memo[key] = result
        return result

    def working_days_between(self, a: date | datetime, b: date | datetime) -> int:
        """Signed number of working days in ``(a, b]``. That is the days after ``a`` up to and
        including ``b``, or minus the working days in ``(b, a]`` when ``b < a``.

        ``working_days_between(d, d) == 0``. It is antisymmetric and additive:
        ``between(a, b) + between(b, c) == between(a, c)``. For an inclusive count ``[a, b]``,
        use ``between(a - 1 day, b)``.
        """
        return self.working_day_index(b) - self.working_day_index(a)

    def working_day_index_table(self, first: date, last: date) -> list[int]:
        """Dense lookup table: ``table[k] == working_day_index(first + k days)`` for every day from
        ``first`` to ``last``. For vectorised code:
        ``idx = np.asarray(table)[ordinals - first.toordinal()]``."""
        first, last = _to_date(first), _to_date(last)
        if last < first:
            return []
        i = self.working_day_index(first)
        table = [i]
        for o in range(first.toordinal() + 1, last.toordinal() + 1):
            if self.is_working_day(date.fromordinal(o)):
                i += 1
            table.append(i)
        return table

    # ----------------------------------------------------------------------------- moments

    @property
    def opening_time(self) -> time:
        return self.office_hours[0][0]

    @property
    def closing_time(self) -> time:
        """End of the last office period: pass it as ``cutoff`` for "received after hours"."""
        return self.office_hours[-1][1]

    @property
    def office_day(self) -> timedelta:
        """Office time of one working day (7 h 30 min with the default hours)."""
        return timedelta(microseconds=self._day_us)

    def _office_us_before(self, us: int) -> int:
        return sum(min(max(us, s), e) - s for s, e in self._hours)

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Office time of working days between two moments. It is negative when ``b < a``.

        Only the office hours of working days count: lunch breaks, nights, weekends and days
        off do not. Aware datetimes are compared in Vietnam time; naive ones are taken as
        local time.
        """
        a_local, b_local = _to_local(a), _to_local(b)
        if b_local < a_local:
            return -self.working_time_between(b, a)
        da, db = a_local.date(), b_local.date()
        ua = _time_us(a_local.time())
        ub = _time_us(b_local.time())
        if da == db:
            if not self.is_working_day(da):
                return timedelta(0)
            return timedelta(microseconds=self._office_us_before(ub) - self._office_us_before(ua))
        first = self._day_us - self._office_us_before(ua) if self.is_working_day(da) else 0
        last = self._office_us_before(ub) if self.is_working_day(db) else 0
        # working days strictly between da and db: (da, db - 1]
        middle = self._index_ord(db.toordinal() - 1) - self.working_day_index(da)
        return timedelta(microseconds=first + middle * self._day_us + last)

    def receipt_day(self, received: date | datetime, cutoff: time | None = None) -> date:
        """The day a dossier counts as received (ngày tiếp nhận, for counting).

        * Received on a day off (weekend, holiday, Tết): the next working day.
        * Received on a working day strictly after ``cutoff``: the next working day. A dossier
          received exactly at the cut-off time counts that day.
        * ``cutoff=None``: no time cut-off, so only the date matters.

        The cut-off depends on the procedure kind: see :data:`CUTOFF_BY_KIND`, and
        :attr:`closing_time` for "after office hours". A plain ``date`` has no time, so no
        cut-off applies to it.
        """
        if isinstance(received, datetime):
            local = _to_local(received)
            d = local.date()
            late = cutoff is not None and local.time() > cutoff
        else:
            d = _to_date(received)
            late = False
        if late or not self.is_working_day(d):
            return self.next_working_day(d)
        return d

    def due_date(
        self,
        received: date | datetime,
        n: int,
        cutoff: time | None = None,
        count_from: CountFrom | None = None,
    ) -> date:
        """Appointment date (ngày hẹn trả) of a dossier with a time limit of ``n`` working days:
        ``add_working_days(receipt_day(received, cutoff), n, count_from)``."""
        return self.add_working_days(self.receipt_day(received, cutoff), n, count_from)

    # ----------------------------------------------------------------------------- listing

    def days_off(self, year: int) -> dict[date, str]:
        """Named days off of a year besides the plain weekly rest days: the package's holidays
        (also when they fall on a weekend), and extra days off that fall on weekdays. Make-up
        days are left out."""
        self._year(year)
        return {d: name for d, name in sorted(self._names.items()) if d.year == year}

    def make_up_days_in(self, year: int) -> list[date]:
        return sorted(d for d in self.make_up_days if d.year == year)


@lru_cache(maxsize=1)
def default_calendar() -> Calendar:
    """A calendar with the ``holidays`` package and :data:`DEFAULT_ADJUSTMENTS`. The application
    should rather build one from the adjustments the reform office has entered for the year."""
    return Calendar.from_adjustments(DEFAULT_ADJUSTMENTS)
