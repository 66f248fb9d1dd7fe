"""The service index of Decision 766 for a unit, a group of units or the province, from the data we hold.

The method is configuration (``data/index766.yaml``): groups, indicators, their maxima, numerator and
denominator, where full marks start, how sure each line is, and the rating bands. Indicators whose data
we do not hold (publication of procedures, feedback, synchronisation) are listed, not computed, and
the total is given both on the points the data supports and as a share of them.

    result = compute(dossiers, procedures, config=load())
    result.points, result.max_supported, result.percent, result.band
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import lru_cache
from pathlib import Path

import yaml

from .indicators import Counts, ProcedureCounts

CONFIG = Path(__file__).resolve().parent / "data" / "index766.yaml"
CENT = Decimal("0.01")


@lru_cache(maxsize=4)
def load(path: str | None = None) -> dict:
    return yaml.safe_load(Path(path or CONFIG).read_text(encoding="utf-8"))


def _decimal(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Line:
    code: str
    name: str
    max: Decimal
    definition: str
    confidence: str
    computed: bool
    numerator: int | None = None
    denominator: int | None = None
    full_at: Decimal | None = None
    exact: Fraction | None = None  # the points, exactly
    measure: str = ""  # the count behind the numerator (for drill-down)

    @property
    def ratio(self) -> Decimal | None:
        if not self.computed or not self.denominator:
            return None
        return _decimal(Fraction(self.numerator * 100, self.denominator))

    @property
    def points(self) -> Decimal | None:
        return None if self.exact is None else _decimal(self.exact)


@dataclass
class Group:
    code: str
    name: str
    max: Decimal
    lines: list[Line] = field(default_factory=list)

    @property
    def max_supported(self) -> Decimal:
        return sum((line.max for line in self.lines if line.exact is not None), Decimal(0))

    @property
    def exact(self) -> Fraction | None:
        values = [line.exact for line in self.lines if line.exact is not None]
        return sum(values, Fraction(0)) if values else None

    @property
    def points(self) -> Decimal | None:
        return None if self.exact is None else _decimal(self.exact)


@dataclass
class Result:
    groups: list[Group]
    bands: list[dict]
    version: str

    @property
    def exact(self) -> Fraction:
        return sum((g.exact for g in self.groups if g.exact is not None), Fraction(0))

    @property
    def points(self) -> Decimal:
        return _decimal(self.exact)

    @property
    def max_total(self) -> Decimal:
        return sum((g.max for g in self.groups), Decimal(0))

    @property
    def max_supported(self) -> Decimal:
        return sum((g.max_supported for g in self.groups), Decimal(0))

    @property
    def percent(self) -> Decimal | None:
        """The points as a share of the points the data supports (0-100)."""
        if not self.max_supported:
            return None
        return _decimal(self.exact * 100 / Fraction(self.max_supported))

    @property
    def band(self) -> str:
        percent = self.percent
        if percent is None:
            return ""
        for band in self.bands:
            if percent >= Decimal(str(band["min"])):
                return band["name"]
        return ""

    @property
    def lines(self) -> list[Line]:
        return [line for g in self.groups for line in g.lines]


def _value(name: str, dossiers: Counts, procedures: ProcedureCounts | None) -> int:
    if name.startswith("procedures."):
        if procedures is None:
            raise ValueError(f"{name} needs the procedure counts")
        return int(getattr(procedures, name.split(".", 1)[1]))
    return int(getattr(dossiers, name))


def score(max_: Decimal, numerator: int, denominator: int, full_at: Decimal, zero: str) -> Fraction | None:
    """max × min(1, (numerator ÷ denominator) ÷ full_at), exactly; ``zero`` decides a 0 denominator."""
    if not denominator:
        return {"zero": Fraction(0), "full": Fraction(max_)}.get(zero)
    ratio = Fraction(numerator, denominator) / Fraction(full_at)
    return Fraction(max_) * min(Fraction(1), ratio)


def compute(dossiers: Counts, procedures: ProcedureCounts | None = None, config: dict | None = None) -> Result:
    config = config or load()
    groups = []
    for g in config["groups"]:
        group = Group(code=g["code"], name=g["name"], max=Decimal(str(g["max"])))
        for item in g["indicators"]:
            line = Line(
                code=str(item["code"]), name=item["name"], max=Decimal(str(item["max"])),
                definition=item.get("definition", ""), confidence=item.get("confidence", "U"),
                computed=item.get("data") != "none" and "numerator" in item,
            )
            if line.computed:
                line.measure = item["numerator"]
                line.numerator = _value(item["numerator"], dossiers, procedures)
                line.denominator = _value(item["denominator"], dossiers, procedures)
                line.full_at = Decimal(str(item.get("full_at", 1)))
                line.exact = score(line.max, line.numerator, line.denominator, line.full_at, item.get("zero", "none"))
            group.lines.append(line)
        groups.append(group)
    return Result(groups=groups, bands=list(config.get("bands", [])), version=str(config.get("version", "")))
