"""Reading tables from CSV and XLSX files, row by row, with their line numbers.

Shared by every import (scores, and later plans and dossiers): a header row maps column
names (Vietnamese or English, any case, with or without accents) to field names; each data
row comes back as ``(line number, {field: text})`` so that errors can name the row and column.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.utils.translation import gettext as _

from cchc.orgs.matching import fold


class TableError(Exception):
    """The file cannot be read as a table (wrong type, no header)."""


@dataclass
class RowError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = _("row %(line)d") % {"line": self.line}
        if self.column:
            where += ", " + _("column %(column)s") % {"column": self.column}
        return f"{where}: {self.message}"


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # calamine gives numbers as float: print them back exactly as the sheet shows them.
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value).strip()


def _raw_rows(path: Path, content: bytes | None = None) -> Iterator[list[str]]:
    suffix = path.suffix.lower()
    data = content if content is not None else path.read_bytes()
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        from python_calamine import CalamineWorkbook

        try:
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
            sheet = workbook.get_sheet_by_index(0)
        except Exception as exc:  # noqa: BLE001 - calamine raises several types for broken files
            raise TableError(_("%(name)s is not a readable spreadsheet (%(error)s).") % {"name": path.name, "error": exc}) from None
        for row in sheet.to_python(skip_empty_area=False):
            yield [_cell_text(v) for v in row]
    elif suffix in (".csv", ".txt"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise TableError(_("%(name)s is not UTF-8 text: save the CSV as UTF-8.") % {"name": path.name}) from None
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:  # one column, or nothing to tell the separator by
            dialect = csv.excel
        for row in csv.reader(io.StringIO(text), dialect):
            yield [cell.strip() for cell in row]
    else:
        raise TableError(_("%(name)s: only .csv and .xlsx files can be imported.") % {"name": path.name})


def read_table(path, columns: dict[str, tuple[str, ...]], required: tuple[str, ...], content: bytes | None = None):
    """Yield (line, {field: text}) for each non-empty data row.

    ``columns`` maps a field name to the header names accepted for it (compared folded: no
    accents, any case). The header is the first row that names every required field.
    """
    path = Path(path)
    aliases = {fold(name): key for key, names in columns.items() for name in (key, *names)}
    rows = _raw_rows(path, content)
    header: dict[int, str] | None = None
    for line, cells in enumerate(rows, start=1):
        if header is None:
            mapped = {i: aliases[fold(c)] for i, c in enumerate(cells) if fold(c) in aliases}
            if set(required) <= set(mapped.values()):
                header = mapped
            elif line >= 20:
                break
            continue
        if not any(cells):
            continue
        yield line, {field: (cells[i] if i < len(cells) else "") for i, field in header.items()}
    if header is None:
        wanted = ", ".join(columns[k][0] if columns[k] else k for k in required)
        raise TableError(_("%(name)s: no header row with the columns %(columns)s.") % {"name": path.name, "columns": wanted})
