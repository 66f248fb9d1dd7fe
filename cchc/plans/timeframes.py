"""Time frames of plan tables: Vietnamese phrases read into structured deadlines.

Pure Python, no Django. ``parse(text, plan_year=...)`` reads one cell of a plan table's time-frame
column ("Thời gian thực hiện", "Thời gian hoàn thành") into a ``TimeFrame``::

    parse("Trước ngày 15/8/2021")                      -> date, due 2021-08-15
    parse("Quý III", plan_year=2021)                   -> period, 2021-07-01 .. 2021-09-30
    parse("Trước ngày 25 tháng cuối quý")              -> recurring quarterly, day 25 of the last month
    parse("Sau 15 ngày kể từ ngày nhận đủ hồ sơ hợp lệ") -> offset +15 days from the event
    parse("Kế hoạch trong quý IV năm trước liền kề năm kế hoạch; Báo cáo trước ngày 25/12",
          plan_year=2021)                            -> combined: Kế hoạch Q4/2020, Báo cáo 25/12/2021

The text is always kept as read. A phrase no reader knows becomes kind "unparsed" with
``needs_review``; a year that only the plan year could give, a typo read as a word, a date before
the plan year are read but flagged too: a person confirms them, nothing is guessed silently.

``occurrences`` and ``due_dates`` list the deadlines of a frame in a year; ``describe`` writes the
short Vietnamese text for screens. The split: ``timeframes_text`` (cleaning), ``timeframes_grammar``
(the phrase readers), ``timeframes_schedule`` (dates in a year), ``timeframes_describe``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from .timeframes_describe import describe
from .timeframes_grammar import InvalidPhrase, read
from .timeframes_model import KINDS, Offset, Period, Recurrence, TimeFrame
from .timeframes_schedule import DateAdjuster, due_dates, occurrences
from .timeframes_text import clean, split_items, word_starts

__all__ = [
    "KINDS",
    "DateAdjuster",
    "Offset",
    "Period",
    "Recurrence",
    "TimeFrame",
    "describe",
    "due_dates",
    "occurrences",
    "parse",
]

MAX_LABEL_WORDS = 15
_AND = re.compile(r"\s+và\s+", re.IGNORECASE)
_COMMA = re.compile(r"\s*,\s*")
_DIGIT = re.compile(r"\d")
# A label never ends with a word that changes the phrase after it: "Trước tháng 12", "Đầu năm 2025".
_CONNECTOR_END = re.compile(
    r"(?:^|\s)(?:trước|sau|từ|đến|tới|trong|vào|khi|ngay|nhất|là|hạn|hết|quá|ngày|tháng|quý|năm|kỳ|"
    r"hằng|hàng|mỗi|đầu|cuối|giữa|khoảng|dự\s+kiến|các|những)$",
    re.IGNORECASE,
)
_NEGATION = re.compile(r"(?:^|\s)(?:không|chưa|ngoài|trừ)(?:\s|$)", re.IGNORECASE)


def parse(text: str, *, plan_year: int | None = None) -> TimeFrame:
    """The time frame of one cell; ``plan_year`` resolves missing and relative years."""
    if not clean(text):
        return TimeFrame(text, "empty")
    items = split_items(text)
    if len(items) > 1:
        frame = _combine(text, [_item(item.strip(), plan_year) for item in items])
    else:
        frame = _item(text, plan_year)
    return replace(frame, text=text)


def _item(raw: str, plan_year: int | None) -> TimeFrame:
    """One item of a cell: a phrase, a labelled phrase, or phrases joined by 'và'."""
    phrase = clean(raw)
    try:
        frame = _joined(phrase, plan_year) or _single(phrase, plan_year) or _joined(phrase, plan_year, _COMMA)
    except InvalidPhrase as exc:
        return TimeFrame(raw, "unparsed", needs_review=True, problem=f"{exc}: '{phrase}'")
    if frame is None:
        return TimeFrame(
            raw, "unparsed", needs_review=True, problem=f"not a time frame the reader knows: '{phrase}'"
        )
    return replace(frame, text=raw)


def _single(phrase: str, plan_year: int | None) -> TimeFrame | None:
    frame = read(phrase, plan_year) or _labelled(phrase, plan_year)
    return _check_plan_year(frame, plan_year) if frame else None


def _labelled(phrase: str, plan_year: int | None) -> TimeFrame | None:
    """'Báo cáo trước ngày 25/12' = label 'Báo cáo' + a phrase; a label has no digits."""
    for start in word_starts(phrase)[:MAX_LABEL_WORDS]:
        label = phrase[:start].strip()
        if _DIGIT.search(label):
            return None
        if _NEGATION.search(label):
            return None
        if _CONNECTOR_END.search(label):
            continue
        if frame := read(phrase[start:], plan_year):
            return replace(frame, label=label)
    return None


def _joined(phrase: str, plan_year: int | None, joint: re.Pattern[str] = _AND) -> TimeFrame | None:
    """'Tháng 01/2025 và tháng 12/2025': both sides must read, else the joint belongs to the phrase."""
    for found in joint.finditer(phrase):
        left, right = phrase[: found.start()], phrase[found.end() :]
        first = _single(left, plan_year)
        rest = (_joined(right, plan_year, joint) or _single(right, plan_year)) if first else None
        if first and rest:
            return _combine(phrase, [first, rest])
    return None


def _combine(text: str, parts: list[TimeFrame]) -> TimeFrame:
    """Parts side by side; a part that is itself a plain combination is spliced in."""
    flat: list[TimeFrame] = []
    for part in parts:
        flat.extend(part.parts if part.kind == "combined" and not part.label else [part])
    if all(part.kind == "unparsed" for part in flat):
        problem = "; ".join(part.problem for part in flat)
        return TimeFrame(text, "unparsed", needs_review=True, problem=problem)
    starts = [part.start for part in flat if part.start]
    dues = [part.due for part in flat if part.due]
    problems = [f"{part.label or clean(part.text)}: {part.problem}" for part in flat if part.needs_review]
    return TimeFrame(
        text,
        "combined",
        start=min(starts, default=None),
        due=max(dues, default=None),
        parts=tuple(flat),
        needs_review=bool(problems),
        problem="; ".join(problems),
    )


def _check_plan_year(frame: TimeFrame, plan_year: int | None) -> TimeFrame:
    """A deadline long before the plan's year (or far after it) is most likely a typo in the year."""
    if plan_year is None or frame.due is None or frame.kind == "combined":
        return frame
    if frame.due < date(plan_year - 1, 7, 1) or frame.due.year > plan_year + 10:
        problem = f"due {frame.due:%d/%m/%Y} is far from the plan year {plan_year}: check the year"
        return replace(frame, needs_review=True, problem="; ".join(p for p in (frame.problem, problem) if p))
    return frame
