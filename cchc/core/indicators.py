"""Measures computed by one module and read by another: the input of framework leaves of type
``indicator`` (e.g. ``dossiers.on_time_rate``).

A module registers a provider per name; the assessment module asks for a subject unit and a period
and gets the numerator, the denominator and the words that say where they come from, or None when
there is no data (the leaf is then entered by hand).

    register("dossiers.on_time_rate", provider)      # provider(unit, start, end) -> Reading | None
    read("dossiers.on_time_rate", unit, start, end)  # -> Reading | None
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Reading:
    numerator: Decimal
    denominator: Decimal
    text: str  # what was counted, in the user's language: "1.234 / 1.250 hồ sơ ..."
    url: str = ""  # where the numbers come from (the list behind them)

    @property
    def value(self) -> tuple[Decimal, Decimal]:
        return (self.numerator, self.denominator)


Provider = Callable[[object, dt.date, dt.date], Reading | None]
_PROVIDERS: dict[str, Provider] = {}


def register(name: str, provider: Provider) -> None:
    _PROVIDERS[name] = provider


def known(name: str) -> bool:
    return name in _PROVIDERS


def names() -> list[str]:
    return sorted(_PROVIDERS)


def read(name: str, unit, start: dt.date, end: dt.date) -> Reading | None:
    provider = _PROVIDERS.get(name)
    return provider(unit, start, end) if provider is not None else None
