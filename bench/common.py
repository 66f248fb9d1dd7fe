"""Shared pieces of the benchmark: indicator names, the calendar table, the canonical result file.

The derived-dossier rules are those of ``cchc.dossiers.derive`` (docs/dossier-format.md) and the
counting definitions those of ``cchc.dossiers.indicators``. They are transcribed in
``reference_duckdb.py`` (SQL) and ``reference_pandas.py``, and called as they are by
``reference_python.py``; this module holds what they share.
"""

from __future__ import annotations

import csv
import math
import sys
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # let ``python bench/x.py`` import cchc without installing it
    sys.path.insert(0, str(ROOT))

from cchc.workdays import default_calendar  # noqa: E402

PORTAL_FORMAT = "%Y%m%d%H%M%S"

# Integer indicators, summed over dossiers whose receipt day is in the period.
COUNTS = [
    "received",
    "finished",
    "early",
    "on_time",
    "late",
    "open_within",
    "open_past",
    "late_without_apology",
    "online",
    "postal",
    "direct",
    "full_process_online",
    "digitised",
    "e_result",
    "paid_online",  # among the fee-bearing ones
    "fee_bearing",
    "vneid",
    "rated",
    "satisfied",
    "processing_seconds",  # sum over finished of (effective end - NgayTiepNhan), in seconds
]
# Derived ratios (None when the denominator is 0).
RATIOS = ["avg_processing_hours", "on_time_rate_par", "on_time_rate_766"]
INDICATORS = COUNTS + RATIOS


def add_ratios(row: dict) -> dict:
    """Fill the derived ratios of one wide row (a dict with every count)."""
    fin, rec = row["finished"], row["received"]
    row["avg_processing_hours"] = row["processing_seconds"] / fin / 3600 if fin else None
    row["on_time_rate_par"] = (row["early"] + row["on_time"]) / fin if fin else None
    row["on_time_rate_766"] = (row["early"] + row["on_time"] + row["open_within"]) / rec if rec else None
    return row


def calendar_rows(first_year: int, last_year: int) -> list[tuple[date, bool, int, date]]:
    """One row per day: (day, is_working, working_day_index, next working day strictly after)."""
    cal = default_calendar()
    first, last = date(first_year, 1, 1), date(last_year, 12, 31)
    index = cal.working_day_index_table(first, last)
    days = [first + timedelta(days=k) for k in range(len(index))]
    working = [cal.is_working_day(d) for d in days]
    nxt: list[date] = [None] * len(days)  # type: ignore[list-item]
    following = cal.next_working_day(last)
    for k in range(len(days) - 1, -1, -1):
        nxt[k] = following
        if working[k]:
            following = days[k]
    return list(zip(days, working, index, nxt, strict=True))


def period_bounds(label: str) -> date:
    """The moment T that ends a period label ("2025-03" or "2025"): the first day after it."""
    if len(label) == 4:
        return date(int(label) + 1, 1, 1)
    y, m = int(label[:4]), int(label[5:7])
    return date(y + (m == 12), m % 12 + 1, 1)


def _fmt(value) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.6f}"
    return str(int(value))


def write_canonical(rows: list[dict], path: Path) -> int:
    """Write wide rows ({unit, month, <indicators>}) as sorted ``unit,month,indicator,value`` lines."""
    out = []
    for row in rows:
        for name in INDICATORS:
            out.append((str(row["unit"]), str(row["month"]), name, _fmt(row.get(name))))
    out.sort()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["unit", "month", "indicator", "value"])
        w.writerows(out)
    return len(out)


def frame_to_rows(df) -> list[dict]:
    """A wide pandas DataFrame (unit, month, counts...) as dicts with the ratios filled in."""
    rows = []
    for rec in df.to_dict("records"):
        for name in COUNTS:
            rec[name] = int(rec[name])
        rows.append(add_ratios(rec))
    return rows
