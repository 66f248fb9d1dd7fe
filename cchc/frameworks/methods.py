"""Scoring methods: data with parameters, validated on load; each scores an input with an
explanation.

The method types live in ``method_types`` and their parameter reading and validation in
``method_params``; both are re-exported here, so ``cchc.frameworks.methods`` is the one place to
import from. ``score(method, max_, value)`` applies a method to one input and returns the score
with a structured ``Explanation`` (a ``code``, ``params`` for translation and an English text).

Rates are computed exactly with ``fractions.Fraction`` from Decimal inputs (never float). A
computed score that is not exact within 10 decimal places is stored rounded half up to 10 places;
display rounding to 2 places happens only when printing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from typing import Any

from .method_params import method_from_dict, method_to_dict, parse_method
from .method_types import (
    HUNDRED,
    INDICATOR_RE,
    METHOD_TYPES,
    SCORE_PLACES,
    ZERO_DENOMINATOR,
    External,
    Indicator,
    Manual,
    Method,
    Proportional,
    Step,
    Threshold,
    YesNo,
    input_kind,
)
from .model import Finding, decimal_text, exact, fmt_points
from .raw import sentence, where

__all__ = [
    "HUNDRED", "INDICATOR_RE", "METHOD_TYPES", "SCORE_PLACES", "ZERO_DENOMINATOR", "Explanation",
    "External", "Indicator", "Manual", "Method", "Proportional", "Scored", "Step", "Threshold",
    "YesNo", "input_kind", "method_from_dict", "method_to_dict", "parse_method", "score",
    "to_decimal",
]


@dataclass(frozen=True)
class Explanation:
    """How a leaf got its score: ``code`` (the method type, or "not_scored" / "refused") and
    ``params`` for translation, plus an English ``text``."""

    code: str
    params: dict[str, Any]
    text: str


@dataclass
class Scored:
    score: Decimal | None
    explanation: Explanation
    findings: list[Finding] = field(default_factory=list)


class _Refused(Exception):
    def __init__(self, code: str, text: str, **params: Any) -> None:
        super().__init__(text)
        self.code, self.text, self.params = code, text, params


def to_decimal(value: Fraction) -> Decimal:
    """An exact Fraction as Decimal; rounded half up to 10 places when it is not exact there."""
    with localcontext() as ctx:
        ctx.prec = 80
        result = Decimal(value.numerator) / Decimal(value.denominator)
        if Fraction(result) == value and -result.as_tuple().exponent <= SCORE_PLACES:  # type: ignore[operator]
            return result
        return result.quantize(Decimal(1).scaleb(-SCORE_PLACES), rounding=ROUND_HALF_UP)


@exact
def score(method: Method, max_: Decimal | None, value: Any, node: str | None = None) -> Scored:
    """Apply ``method`` to ``value``. None means not scored. A refused value gives no score, an
    explanation with code "refused" and a finding (bad_input, score_above_max, negative_score,
    zero_denominator, max_unknown)."""
    if value is None:
        return Scored(None, Explanation("not_scored", {}, "Not scored."))
    try:
        return Scored(*_SCORERS[method.type](method, max_, value))
    except _Refused as refused:
        message = sentence(where(None, node), refused.text)
        finding = Finding(refused.code, message, None, node, dict(refused.params), "error")
        explanation = Explanation("refused", {"finding": refused.code, **refused.params}, refused.text)
        return Scored(None, explanation, [finding])


def _pts(value: Decimal | None) -> str:
    return "an unknown max" if value is None else fmt_points(value, ".")


def _pct(value: Fraction | Decimal) -> str:
    exact = value if isinstance(value, Decimal) else to_decimal(value)
    return f"{fmt_points(exact, '.')}%"


def _number(value: Any, what: str = "the value") -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise _Refused("bad_input", f"{what} must be a Decimal number, not {type(value).__name__}.",
                       value=repr(value))
    number = Decimal(value)
    if not number.is_finite():
        raise _Refused("bad_input", f"{what} must be a finite number, not {value}.", value=str(value))
    return number


def _need_max(max_: Decimal | None) -> Decimal:
    if max_ is None:
        raise _Refused("max_unknown", "the max of this item is unknown, so the value cannot be scored.")
    return max_


def _within_max(number: Decimal, max_: Decimal | None) -> Decimal:
    if number < 0:
        raise _Refused("negative_score", f"the score {decimal_text(number)} is below 0.", value=number)
    if max_ is not None and number > max_:
        raise _Refused("score_above_max",
                       f"the score {decimal_text(number)} is above the max {decimal_text(max_)}.",
                       value=number, max=max_)
    return number


def _score_manual(method: Manual, max_: Decimal | None, value: Any) -> tuple:
    number = _within_max(_number(value), max_)
    return number, Explanation("manual", {"value": number, "max": max_},
                               f"Entered {_pts(number)} of {_pts(max_)}.")


def _score_external(method: External, max_: Decimal | None, value: Any) -> tuple:
    number = _within_max(_number(value), max_)
    return number, Explanation("external", {"value": number, "max": max_, "source": method.source},
                               f"Entered by {method.source}: {_pts(number)} of {_pts(max_)}.")


def _score_yes_no(method: YesNo, max_: Decimal | None, value: Any) -> tuple:
    if not isinstance(value, bool):
        raise _Refused("bad_input", f"a yes/no item needs true or false, not {value!r}.",
                       value=repr(value))
    full = _need_max(max_)
    points = full if value else Decimal(0)
    word = "Yes" if value else "No"
    return points, Explanation("yes_no", {"value": value, "score": points, "max": max_},
                               f"{word} → {_pts(points)} of {_pts(max_)}.")


def _rate(value: Any) -> tuple[Fraction | None, dict[str, Any], str]:
    """A rate input as a percent Fraction (None when the denominator is 0), params and text."""
    if isinstance(value, tuple | list):
        if len(value) != 2:
            raise _Refused("bad_input", "a rate needs (numerator, denominator).", value=repr(value))
        numerator = _number(value[0], "the numerator")
        denominator = _number(value[1], "the denominator")
        if numerator < 0 or denominator < 0:
            raise _Refused("bad_input", "a rate needs a numerator and a denominator of 0 or more.",
                           numerator=numerator, denominator=denominator)
        params: dict[str, Any] = {"numerator": numerator, "denominator": denominator}
        shown = f"{decimal_text(numerator)}/{decimal_text(denominator)}"
        if denominator == 0:
            return None, params, shown
        percent = Fraction(numerator) * 100 / Fraction(denominator)
        params["rate"] = to_decimal(percent)
        return percent, params, f"{shown} = {_pct(percent)}"
    percent_d = _number(value, "the rate")
    if percent_d < 0:
        raise _Refused("bad_input", "a rate must not be negative.", rate=percent_d)
    return Fraction(percent_d), {"rate": percent_d}, _pct(percent_d)


def _zero_case(policy: str | None, max_: Decimal | None, kind: str, params: dict, shown: str
               ) -> tuple:
    if policy in (None, "none"):
        raise _Refused("zero_denominator",
                       f"the rate {shown} has a denominator of 0, so it cannot be computed.", **params)
    points = _need_max(max_) if policy == "max" else Decimal(0)
    return points, Explanation(kind, {**params, "zero_denominator": policy, "score": points,
                                      "max": max_},
                               f"No cases ({shown}) → {_pts(points)} of {_pts(max_)}.")


def _score_threshold(method: Threshold, max_: Decimal | None, value: Any) -> tuple:
    if method.input == "count":
        count = _number(value, "the count")
        if count < 0 or count != count.to_integral_value():
            raise _Refused("bad_input", f"a count must be a whole number of 0 or more, not {value}.",
                           value=count)
        measure, params, shown = Fraction(count), {"count": count}, f"Count {decimal_text(count)}"
        unit = ""
    else:
        measure, params, shown = _rate(value)
        if measure is None:
            return _zero_case(method.zero_denominator, max_, "threshold", params, shown)
        shown, unit = f"Rate {shown}", "%"
    for step in method.steps:
        if measure >= Fraction(step.min):
            points = _need_max(max_) if step.points == "max" else step.points
            assert isinstance(points, Decimal)
            params.update(step_min=step.min, score=points, max=max_)
            return points, Explanation(
                "threshold", params,
                f"{shown} reaches the step at {decimal_text(step.min)}{unit} → {_pts(points)} of "
                f"{_pts(max_)}.")
    lowest = method.steps[-1].min
    params.update(step_min=None, score=Decimal(0), max=max_)
    return Decimal(0), Explanation(
        "threshold", params,
        f"{shown} is below the lowest step ({decimal_text(lowest)}{unit}) → {_pts(Decimal(0))} of "
        f"{_pts(max_)}.")


def _score_proportional(method: Proportional, max_: Decimal | None, value: Any) -> tuple:
    rate, params, shown = _rate(value)
    if rate is None:
        return _zero_case(method.zero_denominator, max_, "proportional", params, shown)
    full = _need_max(max_)
    full_at = method.full_at_value
    params.update(floor=method.floor, full_at=full_at, max=max_)
    if method.floor is not None and rate < Fraction(method.floor):
        params.update(below_floor=True, score=Decimal(0))
        return Decimal(0), Explanation(
            "proportional", params,
            f"{shown} is below the floor of {decimal_text(method.floor)}% → {_pts(Decimal(0))} of "
            f"{_pts(max_)}.")
    share = min(Fraction(1), rate / Fraction(full_at))
    points = to_decimal(Fraction(full) * share)
    note = f" (counted as {decimal_text(full_at)}%)" if share == 1 and rate > Fraction(full_at) else ""
    params.update(below_floor=False, score=points)
    return points, Explanation(
        "proportional", params,
        f"{shown} of {decimal_text(full_at)}%{note} → {_pts(points)} of {_pts(max_)}.")


def _score_indicator(method: Indicator, max_: Decimal | None, value: Any) -> tuple:
    points, inner = _SCORERS[method.rule.type](method.rule, max_, value)
    return points, Explanation(
        "indicator", {"indicator": method.indicator, "rule": inner.code, **inner.params},
        f"Indicator {method.indicator}: {inner.text}")


_SCORERS: dict[str, Any] = {
    "manual": _score_manual,
    "yes_no": _score_yes_no,
    "threshold": _score_threshold,
    "proportional": _score_proportional,
    "external": _score_external,
    "indicator": _score_indicator,
}
