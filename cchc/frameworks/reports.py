"""Comparison rows (this year, last year, target), sorting with None, ranking and bands.

Re-exported by ``engine``; import from there.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

from .model import Band, code_sort_key, exact

if TYPE_CHECKING:
    from .engine import Result


@dataclass
class Row:
    """One line of a comparison table. ``score`` is the final score (self + external when known);
    differences are None when either side is None."""

    code: str
    title: str
    depth: int
    is_leaf: bool
    max: Decimal | None
    score: Decimal | None
    index: Decimal | None
    last_year: Decimal | None
    change: Decimal | None  # score − last_year
    target: Decimal | None
    gap: Decimal | None  # target − score (what is still missing to reach the target)
    lost: Decimal | None  # max − score (points lost)


ROW_COLUMNS = tuple(f.name for f in fields(Row))


def _minus(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    return None if a is None or b is None else a - b


@exact
def comparison(result: Result, last_year: Result | Mapping[str, Decimal] | None = None,
               target: Mapping[str, Decimal] | None = None) -> list[Row]:
    """Rows in tree order for every node. ``last_year`` is last year's Result (its final scores,
    matched by code) or a mapping code -> score; ``target`` maps codes to this year's targets."""
    if last_year is None:
        previous: Mapping[str, Decimal | None] = {}
    elif hasattr(last_year, "nodes") and hasattr(last_year, "roots"):
        previous = {code: node.final for code, node in last_year.nodes.items()}  # type: ignore[union-attr]
    else:
        previous = last_year  # type: ignore[assignment]
    targets = target or {}
    rows = []
    for node in result.walk():
        before = previous.get(node.code)
        goal = targets.get(node.code)
        rows.append(Row(
            code=node.code, title=node.title, depth=node.depth, is_leaf=node.is_leaf, max=node.max,
            score=node.final, index=node.index, last_year=before, change=_minus(node.final, before),
            target=goal, gap=_minus(goal, node.final), lost=_minus(node.max, node.final),
        ))
    return rows


def sort_rows(rows: Sequence[Any], key: str, descending: bool = False) -> list[Any]:
    """Rows (or any objects) sorted by the attribute ``key``; None always goes last, in both
    directions. Codes sort naturally (1.2 before 1.10), text case-insensitively. Stable."""
    def value(row: Any) -> Any:
        v = getattr(row, key)
        if key == "code" and isinstance(v, str):
            return code_sort_key(v)
        if isinstance(v, str):
            return v.casefold()
        return v

    if rows and not hasattr(rows[0], key):
        raise ValueError(f"unknown column {key!r}")
    present = [r for r in rows if getattr(r, key) is not None]
    missing = [r for r in rows if getattr(r, key) is None]
    return sorted(present, key=value, reverse=descending) + missing


# -- bands and ranking ------------------------------------------------------------------------

def _shown(index: Decimal | None, places: int | None) -> Decimal | None:
    if index is None or places is None:
        return index
    return index.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def band_for(index: Decimal | None, bands: Sequence[Band], places: int | None = 2) -> Band | None:
    """The first band (ordered high to low) whose min <= the index, or None. The index is first
    rounded half up to ``places`` decimals (what is published); ``places=None`` uses it exactly."""
    shown = _shown(index, places)
    if shown is None:
        return None
    for band in bands:
        if band.min <= shown:
            return band
    return None


@dataclass
class RankRow:
    subject: Hashable
    index: Decimal | None
    rank: int | None  # competition ranking: 1, 2, 2, 4; None when the index is None
    band: Band | None
    tied: bool  # shares its rank with another subject


def rank(items: Sequence[tuple[Hashable, Decimal | None]], bands: Sequence[Band] = (),
         places: int | None = 2) -> list[RankRow]:
    """Rank subjects by index, high to low, with competition ranking (1, 2, 2, 4). Indexes are
    compared rounded half up to ``places`` decimals (so equal published numbers share a rank);
    ``places=None`` compares them exactly. Subjects without an index come last, without a rank.
    Ties keep the input order."""
    shown = [(subject, index, _shown(index, places)) for subject, index in items]
    known = sorted((t for t in shown if t[2] is not None), key=lambda t: t[2], reverse=True)
    counts: dict[Decimal, int] = {}
    for _, _, value in known:
        counts[value] = counts.get(value, 0) + 1  # type: ignore[index]
    rows: list[RankRow] = []
    for position, (subject, index, value) in enumerate(known, start=1):
        first = rows[-1].rank if rows and _shown(rows[-1].index, places) == value else position
        rows.append(RankRow(subject, index, first, band_for(index, bands, places),
                            counts[value] > 1))  # type: ignore[index]
    rows.extend(RankRow(subject, None, None, None, False) for subject, _, v in shown if v is None)
    return rows
