"""Dates typed in forms and query strings: ISO (the browser's date input) or Vietnamese dd/mm/yyyy."""

from __future__ import annotations

import datetime as dt

FORMATS = ("%Y-%m-%d", "%d/%m/%Y")


def parse_day(value) -> dt.date | None:
    """The day written, or None when blank or not a date."""
    value = (value or "").strip()
    for fmt in FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None
