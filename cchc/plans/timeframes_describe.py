"""The short Vietnamese text of a time frame, for lists and task pages.

"Hằng quý, trước ngày 25 tháng cuối quý", "Hạn 15/08/2021", "Quý III/2021 (hạn 30/09/2021)",
"Chờ sự kiện: sau khi UBND tỉnh ban hành Đề án". A frame that needs review says so.
"""

from __future__ import annotations

from datetime import date

from .timeframes_model import Offset, Period, Recurrence, TimeFrame
from .timeframes_text import clean

REVIEW = "cần xem lại"
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
_FREQUENCY = {
    "monthly": "Hằng tháng",
    "quarterly": "Hằng quý",
    "half_yearly": "Định kỳ 6 tháng",
    "yearly": "Hằng năm",
}
_PERIOD_WORD = {"quarterly": "quý", "half_yearly": "kỳ"}
_UNIT = {"days": "ngày", "working_days": "ngày làm việc", "months": "tháng"}


def _day(day: date) -> str:
    return f"{day:%d/%m/%Y}"


def describe(frame: TimeFrame) -> str:
    if frame.kind == "combined":
        return "; ".join(describe(part) for part in frame.parts)
    text = _KINDS[frame.kind](frame)
    if frame.label and frame.kind not in ("external", "event"):
        text = f"{frame.label}: {text}"
    if frame.needs_review and frame.kind != "unparsed":
        text = f"{text} ({REVIEW})"
    return text


def _period(period: Period) -> str:
    if period.unit == "month":
        name = f"Tháng {period.index:02d}"
    elif period.unit == "quarter":
        name = f"Quý {_ROMAN[period.index]}"
    elif period.unit == "half":
        name = "6 tháng đầu năm" if period.index == 1 else "6 tháng cuối năm"
    else:
        name = "Năm"
    if period.year is None:
        return f"{name} (chưa rõ năm)"
    joint = " " if period.unit in ("half", "year") else "/"
    return f"{name}{joint}{period.year} (hạn {_day(period.end)})" if period.end else name


def _span(frame: TimeFrame) -> str:
    if frame.period:
        return _period(frame.period)
    if frame.start and frame.due:
        return f"Từ {_day(frame.start)} đến {_day(frame.due)}"
    if frame.start:
        return f"Từ {_day(frame.start)}"
    if frame.due:
        return f"Đến {_day(frame.due)}"
    return f"{_phrase(frame)} (chưa rõ năm)"


def _phrase(frame: TimeFrame) -> str:
    return frame.phrase or clean(frame.text)


def _date(frame: TimeFrame) -> str:
    return f"Hạn {_day(frame.due)}" if frame.due else f"{_phrase(frame)} (chưa rõ năm)"


def _rule(recurrence: Recurrence) -> str:
    month, day = recurrence.month_in_period, recurrence.day
    if recurrence.frequency == "monthly":
        return f"trước ngày {day}" if day else ""
    if recurrence.frequency == "yearly":
        if month and day:
            return f"trước ngày {day:02d}/{month:02d}"
        return f"trong tháng {month}" if month else (f"trước ngày {day} tháng 12" if day else "")
    word = _PERIOD_WORD[recurrence.frequency]
    if month is None:
        which = f"tháng cuối {word}"
    elif month == 1:
        which = f"tháng đầu {word}"
    else:
        which = f"tháng thứ {month} của {word}"
    if day:
        return f"trước ngày {day} {which}"
    return f"trong {which}" if month is not None else ""


def _recurring(frame: TimeFrame) -> str:
    assert frame.recurrence is not None
    rule = _rule(frame.recurrence)
    base = _FREQUENCY[frame.recurrence.frequency]
    return f"{base}, {rule}" if rule else base


def _offset(frame: TimeFrame) -> str:
    offset: Offset | None = frame.offset
    assert offset is not None
    unit = _UNIT[offset.unit]
    if offset.before:
        return (
            f"Chậm nhất {offset.amount} {unit} trước {offset.from_event}"
            if offset.amount
            else f"Trước {offset.from_event}"
        )
    return (
        f"Sau {offset.amount} {unit} kể từ {offset.from_event}"
        if offset.amount
        else f"Ngay sau khi {offset.from_event}"
    )


def _continuous(frame: TimeFrame) -> str:
    text = "Thường xuyên"
    if frame.period and frame.period.year:
        text += f" trong năm {frame.period.year}"
    elif frame.needs_review:
        text += " trong năm (chưa rõ năm)"
    return f"{text}, {frame.event}" if frame.event else text


_KINDS = {
    "date": _date,
    "period": _span,
    "recurring": _recurring,
    "continuous": _continuous,
    "offset": _offset,
    "event": lambda frame: f"Chờ sự kiện: {frame.label + ' ' if frame.label else ''}{frame.event}",
    "external": lambda frame: clean(frame.text),
    "unparsed": lambda frame: f"Chưa đọc được: {clean(frame.text)}",
    "empty": lambda frame: "Chưa có thời gian",
}
