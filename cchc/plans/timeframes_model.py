"""The structured time frame of a plan task: what ``timeframes.parse`` returns.

Plain data, no parsing here. Every field but ``text`` is derived from the phrase; ``text`` is the
cell exactly as read, so nothing is ever lost on import.
"""

from __future__ import annotations

import calendar
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

KINDS = (
    "date",  # one deadline: "Trước ngày 15/8/2021", "15/01/2025"
    "period",  # a month, quarter, half-year, year or a range of them: "Quý III/2021", "2021-2025"
    "recurring",  # "Hằng tháng", "Trước ngày 25 tháng cuối quý"
    "continuous",  # "Thường xuyên": ongoing, no deadline
    "offset",  # a delay from an event: "Sau 15 ngày kể từ ngày nhận đủ hồ sơ hợp lệ"
    "event",  # waits for an event, no delay stated: "Sau khi UBND tỉnh ban hành Đề án"
    "combined",  # several parts, each a TimeFrame with a label: "Kế hoạch ...; Báo cáo ..."
    "external",  # set by someone else: "Theo Kế hoạch của Bộ Nội vụ", "Theo yêu cầu nhiệm vụ"
    "unparsed",  # not understood: always needs_review
    "empty",  # a blank cell
)
PERIOD_UNITS = ("month", "quarter", "half", "year")
FREQUENCIES = ("monthly", "quarterly", "half_yearly", "yearly")
OFFSET_UNITS = ("days", "working_days", "months")
MONTHS_PER_PERIOD = {"month": 1, "quarter": 3, "half": 6, "year": 12}
MONTHS_PER_FREQUENCY = {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}


def last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


@dataclass(frozen=True)
class Period:
    """One calendar period: month 1-12, quarter 1-4, half 1-2 or year (index 1) of ``year``.

    ``year`` is None when the phrase gave no year and no plan year was known to resolve it.
    """

    unit: str
    index: int
    year: int | None

    @property
    def first_month(self) -> int:
        return (self.index - 1) * MONTHS_PER_PERIOD[self.unit] + 1 if self.unit != "year" else 1

    @property
    def last_month(self) -> int:
        return self.first_month + MONTHS_PER_PERIOD[self.unit] - 1

    @property
    def start(self) -> date | None:
        return None if self.year is None else date(self.year, self.first_month, 1)

    @property
    def end(self) -> date | None:
        return None if self.year is None else last_day(self.year, self.last_month)


@dataclass(frozen=True)
class Recurrence:
    """A deadline repeated every period.

    ``month_in_period`` is the month counted inside each period (1 = first; for ``yearly`` it is the
    calendar month); None = the period's last month. ``day`` is the day of that month; None = its
    last day. "Trước ngày 25 tháng cuối quý" = quarterly, month None, day 25; "Hằng năm, trước
    ngày 25/12" = yearly, month 12, day 25; "Hằng tháng" = monthly, month None, day None.
    """

    frequency: str
    month_in_period: int | None = None
    day: int | None = None


@dataclass(frozen=True)
class Offset:
    """A deadline ``amount`` ``unit`` after (or before) an event that has no date yet.

    "Sau 15 ngày kể từ ngày nhận đủ hồ sơ hợp lệ" = 15 days after "ngày nhận đủ hồ sơ hợp lệ";
    "Ngay sau khi văn bản được ban hành" = 0 days after "văn bản được ban hành"; "chậm nhất là 10
    ngày trước ngày văn bản ... hết hiệu lực" = 10 days before "ngày văn bản ... hết hiệu lực".
    ``from_event`` is the text after "kể từ", "trước" or "ngay sau khi", as written.
    """

    amount: int
    unit: str
    from_event: str
    before: bool = False


@dataclass(frozen=True)
class TimeFrame:
    text: str  # the cell (or, for a part, its item) as read, never modified
    kind: str
    start: date | None = None
    due: date | None = None  # the completion deadline, when it can be determined
    period: Period | None = None
    recurrence: Recurrence | None = None
    offset: Offset | None = None
    event: str | None = None  # the event waited for, with its connector: "sau khi UBND tỉnh ban hành Đề án"
    parts: tuple[TimeFrame, ...] = ()
    label: str | None = None  # what a part is about: "Thành lập", "Báo cáo"
    needs_review: bool = False
    problem: str = ""  # why a person must check or set it
    phrase: str = ""  # the cleaned phrase that was read, without its label

    @property
    def has_deadline(self) -> bool:
        return self.due is not None or self.recurrence is not None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: dates as ISO strings, nested parts as dicts."""
        return {
            "text": self.text,
            "kind": self.kind,
            "start": self.start.isoformat() if self.start else None,
            "due": self.due.isoformat() if self.due else None,
            "period": asdict(self.period) if self.period else None,
            "recurrence": asdict(self.recurrence) if self.recurrence else None,
            "offset": asdict(self.offset) if self.offset else None,
            "event": self.event,
            "parts": [part.as_dict() for part in self.parts],
            "label": self.label,
            "needs_review": self.needs_review,
            "problem": self.problem,
            "phrase": self.phrase,
        }
