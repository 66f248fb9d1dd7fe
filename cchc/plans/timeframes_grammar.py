"""The phrases a time-frame cell can hold, one reader per family, on text cleaned by ``clean``.

``read(text, plan_year)`` returns a TimeFrame for a whole phrase or None; labels ("Báo cáo ...")
and combinations ("...; ...", "... và ...") are handled by ``timeframes.parse`` around it.
Years missing from a phrase are the plan year; relative ones ("năm sau", "năm trước liền kề năm
kế hoạch") count from it; without a plan year those frames are flagged, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

from .timeframes_model import MONTHS_PER_FREQUENCY, Offset, Period, Recurrence, TimeFrame
from .timeframes_text import roman_or_int, word_starts


class InvalidPhrase(ValueError):
    """The phrase has the shape of a time frame but names something impossible (31/02, month 13)."""


_DIGIT = re.compile(r"\d")


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_Y = r"(?:19|20)\d{2}"
_REL = r"(?:sau|tới|tiếp\s+theo|trước(?:\s+liền\s+kề)?(?:\s+(?:năm\s+)?kế\s+hoạch)?|nay|kế\s+hoạch)"
_TAIL = rf"(?:\s*/\s*(?P<y>{_Y})|\s+năm\s+(?P<y2>{_Y})|\s+năm\s+(?P<rel>{_REL}))?"

# --- points in time: a date, a month, a quarter, a half-year, a year ---------------------------------

DATE_NUM = _rx(
    rf"(?:ngày\s+)?(?P<d>\d{{1,2}})\s*[/.]\s*(?P<m>\d{{1,2}})"
    rf"(?:\s*[/.]\s*(?P<y>{_Y})|\s+năm\s+(?P<y2>{_Y})|\s+năm\s+(?P<rel>{_REL}))?"
)
DATE_WORDS = _rx(
    rf"ngày\s+(?P<d>\d{{1,2}})\s+tháng\s+(?P<m>\d{{1,2}})"
    rf"(?:\s+năm\s+(?P<y>{_Y})|\s+năm\s+(?P<rel>{_REL}))?"
)
MONTH_NUM = _rx(rf"(?:tháng\s+)?(?P<m>\d{{1,2}})\s*/\s*(?P<y>{_Y})")
MONTH_WORD = _rx(rf"tháng\s+(?P<m>\d{{1,2}}){_TAIL}")
QUARTER = _rx(rf"quý\s+(?P<q>iv|iii|ii|i|[1-4]){_TAIL}")
HALF = _rx(rf"(?:6|sáu)\s+tháng\s+(?P<h>đầu|cuối)\s+năm(?:\s*/?\s*(?P<y>{_Y})|\s+(?P<rel>{_REL}))?")
YEAR = _rx(rf"(?:năm\s+)?(?P<y>{_Y})|năm\s+(?P<rel>{_REL})")
THIS_YEAR = _rx(r"(?:trong|cả)\s+năm(?:\s+kế\s+hoạch)?")
YEARS = _rx(rf"(?:giai\s+đoạn|năm)\s+(?P<a>{_Y})\s*-\s*(?P<b>{_Y})")
LEAD = _rx(r"(?:trong|vào)\s+")
DEADLINE = _rx(r"(?:trước|chậm\s+nhất(?:\s+là)?|hạn(?:\s+chót)?\s*:?|hoàn\s+thành\s+trước|không\s+quá)\s+")
RANGE_FROM = _rx(r"từ\s+")
RANGE_TO = _rx(r"đến(?:\s+hết)?\s+")
RANGE_SEP = _rx(r"\s+(?:đến(?:\s+hết)?|tới)\s+|\s*-\s*")


@dataclass(frozen=True)
class Point:
    start: date | None
    due: date | None
    period: Period | None = None
    is_date: bool = False
    year_missing: bool = False
    problem: str = ""


def _group(match: re.Match[str], name: str) -> str | None:
    return match.groupdict().get(name)


def _year(match: re.Match[str], plan_year: int | None, default: int | None) -> tuple[int | None, bool, str]:
    """(year, given in the phrase?, problem) for a match with y/y2/rel groups."""
    explicit = _group(match, "y") or _group(match, "y2")
    if explicit:
        return int(explicit), False, ""
    relative = _group(match, "rel")
    if relative:
        word = " ".join(relative.lower().split())
        shift = -1 if word.startswith("trước") else 1 if word in ("sau", "tới", "tiếp theo") else 0
        if plan_year is None:
            return None, False, f"'năm {relative}' counts from the plan year, which is not known"
        return plan_year + shift, False, ""
    year = default if default is not None else plan_year
    if year is None:
        return None, True, "no year in the phrase and no plan year to take it from"
    return year, True, ""


def _day(year: int | None, month: int, day: int) -> date | None:
    """The date, or None when the year is unknown; impossible days are refused either way."""
    if not 1 <= month <= 12:
        raise InvalidPhrase(f"no month {month}")
    try:
        found = date(2000 if year is None else year, month, day)  # 2000 is a leap year: 29/02 passes
    except ValueError as exc:
        raise InvalidPhrase(f"no such day {day}/{month}") from exc
    return None if year is None else found


def _period(unit: str, index: int, year: int | None, missing: bool, problem: str) -> Point:
    period = Period(unit, index, year)
    return Point(period.start, period.end, period, year_missing=missing, problem=problem)


def point(text: str, plan_year: int | None, default_year: int | None = None) -> Point | None:
    """A single date or calendar period; a date is a deadline (``due``), a period spans start..due."""
    lead = LEAD.match(text)
    body = text[lead.end() :] if lead else text
    if THIS_YEAR.fullmatch(text):
        year = default_year or plan_year
        return _period("year", 1, year, True, "" if year else "'trong năm' needs the plan year")
    for pattern in (DATE_NUM, DATE_WORDS):
        if m := pattern.fullmatch(body):
            year, missing, problem = _year(m, plan_year, default_year)
            day = _day(year, int(m["m"]), int(m["d"]))
            return Point(None, day, None, is_date=True, year_missing=missing, problem=problem)
    for pattern in (MONTH_NUM, MONTH_WORD):
        if m := pattern.fullmatch(body):
            month = int(m["m"])
            if not 1 <= month <= 12:
                raise InvalidPhrase(f"no month {month}")
            return _period("month", month, *_year(m, plan_year, default_year))
    if m := QUARTER.fullmatch(body):
        return _period("quarter", roman_or_int(m["q"]), *_year(m, plan_year, default_year))
    if m := HALF.fullmatch(body):
        index = 1 if m["h"].lower() == "đầu" else 2
        return _period("half", index, *_year(m, plan_year, default_year))
    if m := YEARS.fullmatch(body):
        return _years(int(m["a"]), int(m["b"]))
    if m := YEAR.fullmatch(body):
        return _period("year", 1, *_year(m, plan_year, default_year))
    return None


def _years(first: int, last: int) -> Point:
    if last < first:
        raise InvalidPhrase(f"the years {first}-{last} run backwards")
    return Point(date(first, 1, 1), date(last, 12, 31))


def span(text: str, plan_year: int | None) -> Point | None:
    """A point, a deadline ("Trước ngày 15/8/2021") or a range ("Từ tháng 12/2024 đến tháng 01/2025")."""
    if found := point(text, plan_year):
        return found
    if m := DEADLINE.match(text):
        found = point(text[m.end() :], plan_year)
        if found and found.is_date:
            return found
        return None
    from_ = RANGE_FROM.match(text)
    body = text[from_.end() :] if from_ else text
    for sep in RANGE_SEP.finditer(body):
        if found := _range(body[: sep.start()], body[sep.end() :], plan_year):
            return found
    if from_ and (first := point(body, plan_year)):
        return Point(first.start or first.due, None, problem=first.problem)
    if (to := RANGE_TO.match(text)) and (last := point(text[to.end() :], plan_year)):
        return Point(None, last.due, problem=last.problem)
    return None


def _range(left: str, right: str, plan_year: int | None) -> Point | None:
    """Both ends must read as points; an end without a year takes the other end's year."""
    first, last = point(left, plan_year), point(right, plan_year)
    if first is None or last is None:
        return None
    if first.year_missing and not last.year_missing and last.due:
        first = point(left, plan_year, last.due.year)
        if first and first.due and first.due > last.due:
            first = point(left, plan_year, last.due.year - 1)
    elif last.year_missing and not first.year_missing and first.due:
        last = point(right, plan_year, first.due.year)
        if last and last.due and last.due < first.due:
            last = point(right, plan_year, first.due.year + 1)
    if first is None or last is None:
        return None
    start = first.start or first.due
    if start and last.due and last.due < start:
        raise InvalidPhrase("the range ends before it starts")
    problem = "; ".join(p for p in dict.fromkeys((first.problem, last.problem)) if p)
    return Point(start, last.due, problem=problem)


# --- recurrences ----------------------------------------------------------------------------------

FREQUENCY = _rx(
    r"(?:định\s+kỳ\s+)?(?:hằng|hàng|mỗi)\s+(?P<f>tháng|thắng|quý|năm)"
    r"|định\s+kỳ\s+(?P<f2>tháng|quý|năm)"
    r"|(?:định\s+kỳ|hằng|hàng|mỗi)\s+(?P<half>6|sáu)\s+tháng(?:\s+(?:một|1)\s+lần)?"
    r"|(?P<half2>6|sáu)\s+tháng\s+(?:một|1)\s+lần"
)
_WORD_FREQUENCY = {"tháng": "monthly", "thắng": "monthly", "quý": "quarterly", "năm": "yearly"}
_BY = r"(?:trước|chậm\s+nhất(?:\s+là)?|vào|trong)\s+"
RULE_IN_PERIOD = _rx(
    rf"(?:{_BY})?(?:ngày\s+(?P<d>\d{{1,2}})\s+(?:của\s+)?)?tháng\s+(?P<pos>cuối|đầu|thứ\s+(?P<k>\d{{1,2}}))"
    r"\s+(?:của\s+)?(?P<p>quý|kỳ|năm|6\s+tháng)"
)
RULE_DAY_MONTH = _rx(rf"{_BY}ngày\s+(?P<d>\d{{1,2}})\s*(?:/|\s+tháng\s+)\s*(?P<m>\d{{1,2}})")
RULE_DAY = _rx(rf"{_BY}ngày\s+(?P<d>\d{{1,2}})(?P<monthly>\s+(?:hằng|hàng|mỗi)\s+tháng)?")
RULE_MONTH = _rx(r"(?:vào|trong)\s+tháng\s+(?P<m>\d{1,2})")
_SEP = _rx(r"\s*[,:;]\s*|\s+")


@dataclass(frozen=True)
class Rule:
    month: int | None  # in the period; None = its last month
    day: int | None  # None = the month's last day
    month_stated: bool = True  # False: "trước ngày 15" alone says nothing of the month
    implies: str | None = None  # the frequency the rule states by itself
    only: tuple[str, ...] = ()  # frequencies it fits, empty = any


def _rule(text: str) -> Rule | None:
    if m := RULE_IN_PERIOD.fullmatch(text):
        position = m["pos"].lower()
        month = None if position == "cuối" else 1 if position == "đầu" else int(m["k"])
        word = m["p"].lower()
        implies = "quarterly" if word == "quý" else "yearly" if word == "năm" else None
        return Rule(month, int(m["d"]) if m["d"] else None, implies=implies)
    if m := RULE_DAY_MONTH.fullmatch(text):
        return Rule(int(m["m"]), int(m["d"]), only=("yearly",))
    if m := RULE_DAY.fullmatch(text):
        return Rule(None, int(m["d"]), month_stated=False, implies="monthly" if m["monthly"] else None)
    if m := RULE_MONTH.fullmatch(text):
        return Rule(int(m["m"]), None, only=("yearly",))
    return None


def _frequency(match: re.Match[str]) -> tuple[str, str]:
    if match["half"] or match["half2"]:
        return "half_yearly", ""
    word = (match["f"] or match["f2"]).lower()
    return _WORD_FREQUENCY[word], ("read 'thắng' as 'tháng' (a typo)" if word == "thắng" else "")


def _frequency_and_rule(text: str) -> tuple[str, str, Rule | None, str] | None:
    """(frequency, problem, rule, the activity named between them) or None."""
    if m := FREQUENCY.fullmatch(text):  # "Hằng quý"
        return *_frequency(m), None, ""
    if m := FREQUENCY.match(text):  # "Hằng năm, trước ngày 25/12", "Hằng tháng báo cáo trước ngày 25"
        for start in [m.end(), *(p for p in word_starts(text) if p > m.end())]:
            between = text[m.end() : start]
            if not _DIGIT.search(between) and (rule := _rule(text[start:].strip(" ,:;()"))):
                return *_frequency(m), rule, between.strip(" ,:;.…()")
    for sep in _SEP.finditer(text):  # "Trước ngày 25/12 hằng năm"
        if (m := FREQUENCY.fullmatch(text[sep.end() :])) and (rule := _rule(text[: sep.start()])):
            return *_frequency(m), rule, ""
    if (rule := _rule(text)) and rule.implies:  # "Trước ngày 25 tháng cuối quý"
        return rule.implies, "", rule, ""
    return None


def recurring(text: str) -> TimeFrame | None:
    """'Hằng quý', 'Định kỳ 6 tháng', 'Hằng năm, trước ngày 25/12', 'Trước ngày 25 tháng cuối quý'."""
    found = _frequency_and_rule(text)
    if found is None:
        return None
    frequency, problem, rule, activity = found
    if rule is not None and not _fits(rule, frequency):
        return None
    if rule is not None and not rule.month_stated and frequency != "monthly":
        problem = problem or "the month in the period is not stated: taken as its last month"
    recurrence = Recurrence(frequency, rule.month, rule.day) if rule else Recurrence(frequency)
    return TimeFrame(
        text,
        "recurring",
        recurrence=recurrence,
        label=activity or None,
        needs_review=bool(problem),
        problem=problem,
    )


def _fits(rule: Rule, frequency: str) -> bool:
    if (rule.only and frequency not in rule.only) or (rule.implies and rule.implies != frequency):
        return False
    if rule.month is not None and not 1 <= rule.month <= MONTHS_PER_FREQUENCY[frequency]:
        return False
    return rule.day is None or 1 <= rule.day <= 31


# --- ongoing work, delays from an event, events, someone else's schedule ---------------------------

CONTINUOUS = _rx(
    r"(?:thường\s+xuyên|liên\s+tục)(?:\s*,\s*(?:thường\s+xuyên|liên\s+tục))?"
    rf"(?P<inyear>\s+trong\s+năm(?:\s+(?P<y>{_Y}))?)?"
)
CONTINUOUS_ON = _rx(
    r"(?:thường\s+xuyên|liên\s+tục)\s*[,;]?\s*(?P<ev>(?:khi|ngay\s+khi|sau\s+khi|mỗi\s+khi)\s+\S.*)"
)
_UNIT = r"(?P<u>ngày\s+làm\s+việc|ngày|tháng)"
_UNITS = {"ngày làm việc": "working_days", "ngày": "days", "tháng": "months"}
OFFSET_AFTER = _rx(
    r"(?:(?:ngay\s+)?sau|trong(?:\s+vòng|\s+thời\s+hạn)?|chậm\s+nhất(?:\s+là)?(?:\s+sau)?|không\s+quá)"
    rf"\s+(?P<n>\d{{1,3}})\s+{_UNIT}\s*,?\s*(?:kể\s+từ|tính\s+từ|từ)\s+(?P<ev>\S.*)"
)
OFFSET_AFTER_EVENT = _rx(rf"(?P<n>\d{{1,3}})\s+{_UNIT}\s+(?:kể\s+từ|tính\s+từ|sau)\s+(?P<ev>\S.*)")
OFFSET_BEFORE = _rx(
    rf"(?:chậm\s+nhất(?:\s+là)?\s+|trước\s+|ít\s+nhất\s+)?(?P<n>\d{{1,3}})\s+{_UNIT}"
    r"\s+trước\s+(?P<ev>\S.*)"
)
IMMEDIATELY = _rx(r"ngay\s+(?:sau\s+)?khi\s+(?P<ev>\S.*)")
BEFORE_EVENT = _rx(r"(?:chậm\s+nhất(?:\s+là)?\s+)?trước\s+(?P<ev>(?:ngày|khi)\s+[^\d\s].*)")
EVENT = _rx(r"(?:sau\s+khi|khi|mỗi\s+khi|sau(?!\s+(?:quý|tháng|năm|ngày|tuần)\b))\s+[^\d\s].*")
EXTERNAL = _rx(r"theo\s+\S.*")


def continuous(text: str, plan_year: int | None) -> TimeFrame | None:
    if m := CONTINUOUS_ON.fullmatch(text):
        return TimeFrame(text, "continuous", event=m["ev"])
    if not (m := CONTINUOUS.fullmatch(text)):
        return None
    if not m["inyear"]:
        return TimeFrame(text, "continuous")
    year = int(m["y"]) if m["y"] else plan_year
    if year is None:
        return TimeFrame(text, "continuous", needs_review=True, problem="'trong năm' needs the plan year")
    period = Period("year", 1, year)
    return TimeFrame(text, "continuous", start=period.start, due=period.end, period=period)


def offset(text: str) -> TimeFrame | None:
    for pattern, before in ((OFFSET_AFTER, False), (OFFSET_AFTER_EVENT, False), (OFFSET_BEFORE, True)):
        if m := pattern.fullmatch(text):
            unit = _UNITS[" ".join(m["u"].lower().split())]
            return TimeFrame(text, "offset", offset=Offset(int(m["n"]), unit, m["ev"], before))
    if m := IMMEDIATELY.fullmatch(text):
        return TimeFrame(text, "offset", offset=Offset(0, "days", m["ev"]))
    if m := BEFORE_EVENT.fullmatch(text):
        return TimeFrame(text, "offset", offset=Offset(0, "days", m["ev"], before=True))
    return None


def read(text: str, plan_year: int | None) -> TimeFrame | None:
    """The frame of one cleaned phrase without a label, or None when no reader knows it."""
    found = _read(text, plan_year)
    return replace(found, phrase=text) if found else None


def _read(text: str, plan_year: int | None) -> TimeFrame | None:
    if found := continuous(text, plan_year) or recurring(text):
        return found
    if found := span(text, plan_year):
        kind = "date" if found.is_date else "period"
        return TimeFrame(
            text,
            kind,
            start=found.start,
            due=found.due,
            period=found.period,
            needs_review=bool(found.problem),
            problem=found.problem,
        )
    if found := offset(text):
        return found
    if EVENT.fullmatch(text):
        return TimeFrame(text, "event", event=text)
    if EXTERNAL.fullmatch(text):
        return TimeFrame(text, "external")
    return None
