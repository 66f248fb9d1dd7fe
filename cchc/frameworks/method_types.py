"""The scoring methods as data: frozen dataclasses, one per method type.

Optional parameters that were not written in the file stay None, so a framework dumps back to
what was written; the ``*_value`` properties give the effective value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar, Literal

METHOD_TYPES = ("manual", "yes_no", "threshold", "proportional", "external", "indicator")
ZERO_DENOMINATOR = ("none", "zero", "max")
INDICATOR_RE = re.compile(r"^[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)+$")
SCORE_PLACES = 10
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Manual:
    type: ClassVar[str] = "manual"


@dataclass(frozen=True)
class YesNo:
    type: ClassVar[str] = "yes_no"


@dataclass(frozen=True)
class Step:
    min: Decimal
    points: Decimal | Literal["max"]


@dataclass(frozen=True)
class Threshold:
    input: Literal["count", "rate"]
    steps: tuple[Step, ...]
    zero_denominator: str | None = None  # rate only; None = not given (behaves as "none")
    type: ClassVar[str] = "threshold"


@dataclass(frozen=True)
class Proportional:
    floor: Decimal | None = None  # percent; below it the score is 0
    full_at: Decimal | None = None  # percent; None = not given (behaves as 100)
    zero_denominator: str | None = None
    type: ClassVar[str] = "proportional"

    @property
    def full_at_value(self) -> Decimal:
        return HUNDRED if self.full_at is None else self.full_at


@dataclass(frozen=True)
class External:
    source: str
    type: ClassVar[str] = "external"


@dataclass(frozen=True)
class Indicator:
    indicator: str
    rule: Threshold | Proportional
    type: ClassVar[str] = "indicator"


Method = Manual | YesNo | Threshold | Proportional | External | Indicator


def input_kind(method: Method) -> str:
    """What a leaf expects: "number" (0..max), "bool", "count" or "rate"."""
    if isinstance(method, YesNo):
        return "bool"
    if isinstance(method, Threshold):
        return method.input
    if isinstance(method, Proportional):
        return "rate"
    if isinstance(method, Indicator):
        return input_kind(method.rule)
    return "number"
