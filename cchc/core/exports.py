"""One exporter: a report gives a table (columns and rows); this module renders it.

CSV (UTF-8 with BOM so spreadsheet programs read Vietnamese correctly) and XLSX now;
DOCX and PDF renderers join here as reports need them.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.http import HttpResponse
from django.utils.text import slugify


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    filename: str = "export"
    subtitle: str = ""


def _cell(value):
    if value is None:
        return ""
    return value


FORMULA_START = ("=", "+", "-", "@")


def _csv_cell(value):
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value  # a spreadsheet must not run text as a formula
    return _cell(value)


def render_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([_csv_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def render_xlsx(table: Table) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = re.sub(r"[\\/?*\[\]:]", "-", table.title or "Sheet")[:31]  # characters Excel forbids in sheet names
    ws.append([table.title])
    ws["A1"].font = Font(bold=True, size=13, name="Times New Roman")
    if table.subtitle:
        ws.append([table.subtitle])
    ws.append([])
    ws.append(table.columns)
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = Font(bold=True, name="Times New Roman")
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in table.rows:
        ws.append([_cell(v) for v in row])
        for cell, value in zip(ws[ws.max_row], row, strict=False):
            if isinstance(value, Decimal):
                cell.number_format = "0.00"
            elif isinstance(value, str):
                cell.data_type = "s"  # text, never a formula
    for index, column in enumerate(table.columns, start=1):
        width = max([len(str(column))] + [len(str(_cell(r[index - 1]))) for r in table.rows[:500] if len(r) >= index])
        ws.column_dimensions[get_column_letter(index)].width = min(60, max(8, width + 2))
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
RENDERERS = {"csv": render_csv, "xlsx": render_xlsx}


def response(table: Table, fmt: str) -> HttpResponse:
    if fmt not in RENDERERS:
        raise ValueError(f"Unknown export format {fmt!r}")
    body = RENDERERS[fmt](table)
    resp = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    name = slugify(table.filename) or "export"
    resp["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    resp["X-Content-Type-Options"] = "nosniff"
    return resp
