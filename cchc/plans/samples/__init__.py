"""Sample plan tables built at run time from the seed transcriptions shipped here (package data).

A copy of the builder of ``tests/fixtures/plans/build.py`` (without its broken files): the import page
offers a sample .docx of plan 223/KH-UBND (seed 004), and the demo imports seeds 004 and 000.

    content = sample_docx("seed004")           # bytes of a .docx
    meta = plan_meta("seed004")                # {"number": "223/KH-UBND", "title": ..., "year": 2025, ...}
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent

LAYOUT_LEFT = "ỦY BAN NHÂN DÂN\nTỈNH TUYÊN QUANG"
LAYOUT_RIGHT = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"


# --------------------------------------------------------------------------- the YAML


def load(yaml_path) -> dict:
    """The YAML with its tables as a list: {"seed", "plan", "tables": [{title, columns, header2, rows}]}."""
    data = yaml.safe_load(Path(yaml_path).read_text(encoding="utf-8"))
    if "tables" in data:
        tables = data["tables"]
    else:
        plan = data.get("plan") or {}
        tables = [
            {
                "title": plan.get("table_title") or plan.get("title", ""),
                "columns": data["columns"],
                "header2": data.get("header2"),
                "rows": data["rows"],
            }
        ]
    for table in tables:
        width = len(table["columns"])
        if table.get("header2") is not None and len(table["header2"]) != width:
            raise ValueError(f"{yaml_path}: header2 has {len(table['header2'])} cells, columns {width}")
        for row in table["rows"]:
            if "cells" in row and len(row["cells"]) != width:
                raise ValueError(
                    f"{yaml_path}: a row has {len(row['cells'])} cells, the header {width}: {row}"
                )
    return {**data, "tables": tables}


def section_text(row: dict) -> str:
    """The text of a section row written in one cell: "I. CẢI CÁCH THỂ CHẾ"."""
    return f"{row['section']}. {row['text']}" if row["section"] else row["text"]


# --------------------------------------------------------------------------- .docx


def _set_text(cell, text: str) -> None:
    """Cell text with one paragraph per line (as Word documents have it)."""
    lines = text.split("\n")
    cell.text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def _landscape(document) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(15))


def _docx_header(table, columns: list[str], header2: list[str] | None) -> None:
    width = len(columns)
    if header2 is None:
        for j, name in enumerate(columns):
            _set_text(table.cell(0, j), name)
        return
    j = 0
    while j < width:
        if not header2[j]:
            merged = table.cell(0, j).merge(table.cell(1, j))
            _set_text(merged, columns[j])
            j += 1
            continue
        end = j
        while end + 1 < width and header2[end + 1] and columns[end + 1] == columns[j]:
            end += 1
        top = table.cell(0, j).merge(table.cell(0, end)) if end > j else table.cell(0, j)
        _set_text(top, columns[j])
        for k in range(j, end + 1):
            _set_text(table.cell(1, k), header2[k])
        j = end + 1


def build_docx(yaml_path, out_path, *, section_style: str = "rest", layout_table: bool = True) -> Path:
    """A landscape .docx: a layout table (skipped by the reader), then each table of the YAML."""
    from docx import Document

    data = load(yaml_path)
    document = Document()
    _landscape(document)
    if layout_table:
        layout = document.add_table(rows=1, cols=2)
        _set_text(layout.cell(0, 0), LAYOUT_LEFT)
        _set_text(layout.cell(0, 1), LAYOUT_RIGHT)
    plan = data.get("plan") or {}
    document.add_paragraph(f"KẾ HOẠCH {plan.get('number', '')}".strip())
    document.add_paragraph(str(plan.get("title", "")))
    for spec in data["tables"]:
        columns, header2 = spec["columns"], spec.get("header2")
        width, header_rows = len(columns), 2 if spec.get("header2") else 1
        if spec.get("title"):
            document.add_paragraph(spec["title"])
        table = document.add_table(rows=header_rows, cols=width)
        table.style = "Table Grid"
        _docx_header(table, columns, header2)
        origins: list = [None] * width  # the top cell of the current vertical run of each column
        for row in spec["rows"]:
            cells = table.add_row().cells
            if "section" in row:
                origins = [None] * width
                if not row["section"] or section_style == "whole":
                    _set_text(cells[0].merge(cells[-1]), section_text(row))
                    continue
                _set_text(cells[0], row["section"])
                span = row.get("span") or width - 1
                target = cells[1].merge(cells[span]) if span > 1 else cells[1]
                _set_text(target, row["text"])
                continue
            for j, value in enumerate(row["cells"]):
                if value is None and origins[j] is not None:
                    origins[j] = origins[j].merge(cells[j])
                    continue
                _set_text(cells[j], value or "")
                origins[j] = cells[j]
    Path(out_path).parent.mkdir(parents=True, exist_ok=True)
    document.save(str(out_path))
    return Path(out_path)


# --------------------------------------------------------------------------- .xlsx


def _sheet_title(spec: dict, n: int, count: int) -> str:
    match = re.match(r"(Phụ lục \w+)", spec.get("title") or "")
    title = match.group(1) if match else ("Biểu phân công" if count == 1 else f"Bảng {n}")
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31]


def build_xlsx(yaml_path, out_path, *, section_style: str = "rest") -> Path:
    """An .xlsx with one sheet per table: a title row, the header row(s), merged section rows."""
    import openpyxl
    from openpyxl.styles import Alignment, Font

    data = load(yaml_path)
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    wrap = Alignment(wrap_text=True, vertical="top")
    for n, spec in enumerate(data["tables"], start=1):
        ws = workbook.create_sheet(_sheet_title(spec, n, len(data["tables"])))
        columns, header2 = spec["columns"], spec.get("header2")
        width = len(columns)
        ws.cell(1, 1, spec.get("title") or "").font = Font(bold=True)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        r = 3
        for j, name in enumerate(columns, start=1):
            ws.cell(r, j, name).alignment = wrap
        if header2:
            j = 0
            while j < width:
                if not header2[j]:
                    ws.merge_cells(start_row=r, start_column=j + 1, end_row=r + 1, end_column=j + 1)
                    j += 1
                    continue
                end = j
                while end + 1 < width and header2[end + 1] and columns[end + 1] == columns[j]:
                    end += 1
                for k in range(j + 1, end + 1):
                    ws.cell(r, k + 1).value = None
                if end > j:
                    ws.merge_cells(start_row=r, start_column=j + 1, end_row=r, end_column=end + 1)
                for k in range(j, end + 1):
                    ws.cell(r + 1, k + 1, header2[k]).alignment = wrap
                j = end + 1
            r += 1
        runs: list[int | None] = [None] * width  # first row of the current vertical run of each column
        merges: list[tuple[int, int, int]] = []
        for row in spec["rows"]:
            r += 1
            if "section" in row:
                runs = [None] * width
                if not row["section"] or section_style == "whole":
                    ws.cell(r, 1, section_text(row)).alignment = wrap
                    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=width)
                    continue
                ws.cell(r, 1, row["section"])
                ws.cell(r, 2, row["text"]).alignment = wrap
                span = row.get("span") or width - 1
                if span > 1:
                    ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=1 + span)
                continue
            for j, value in enumerate(row["cells"]):
                if value is None and runs[j] is not None:
                    merges.append((runs[j], r, j + 1))
                    continue
                ws.cell(r, j + 1, value or None).alignment = wrap
                runs[j] = r
        spans: dict[tuple[int, int], int] = {}
        for top, bottom, col in merges:
            spans[(top, col)] = max(bottom, spans.get((top, col), top))
        for (top, col), bottom in spans.items():
            ws.merge_cells(start_row=top, start_column=col, end_row=bottom, end_column=col)
    Path(out_path).parent.mkdir(parents=True, exist_ok=True)
    workbook.save(str(out_path))
    return Path(out_path)


# --------------------------------------------------------------------------- .csv


def csv_rows(yaml_path) -> list[list[str]]:
    """The rows a spreadsheet's "save as CSV" gives: merged cells keep their text in the first cell only."""
    data = load(yaml_path)
    out: list[list[str]] = []
    for n, spec in enumerate(data["tables"]):
        columns, header2 = spec["columns"], spec.get("header2")
        width = len(columns)
        if n:
            out.append([""] * width)
        if header2:
            top = [
                name if j == 0 or not header2[j] or columns[j - 1] != name else ""
                for j, name in enumerate(columns)
            ]
            out.append(top)
            out.append([h or "" for h in header2])
        else:
            out.append(list(columns))
        for row in spec["rows"]:
            if "section" in row:
                if row["section"]:
                    out.append([row["section"], row["text"]] + [""] * (width - 2))
                else:
                    out.append([row["text"]] + [""] * (width - 1))
                continue
            out.append(["" if value is None else value for value in row["cells"]])
    return out


def build_csv(yaml_path, out_path, *, delimiter: str = ",") -> Path:
    """UTF-8 (with BOM, as Excel writes it) CSV; several tables follow one another after a blank row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows(csv_rows(yaml_path))
    Path(out_path).parent.mkdir(parents=True, exist_ok=True)
    Path(out_path).write_bytes(buffer.getvalue().encode("utf-8-sig"))
    return Path(out_path)


def build_all(yaml_path, out_dir) -> dict[str, Path]:
    stem = Path(yaml_path).stem
    out_dir = Path(out_dir)
    return {
        "docx": build_docx(yaml_path, out_dir / f"{stem}.docx"),
        "xlsx": build_xlsx(yaml_path, out_dir / f"{stem}.xlsx"),
        "csv": build_csv(yaml_path, out_dir / f"{stem}.csv"),
    }


# --------------------------------------------------------------------------- run-time samples

SAMPLES = ("seed004", "seed000", "seed003")


def sample_path(name: str = "seed004") -> Path:
    if name not in SAMPLES:
        raise ValueError(f"no sample named {name!r}")
    return HERE / f"{name}.yaml"


def plan_meta(name: str = "seed004") -> dict:
    """The plan's number, title, year, date and issuer as the transcription records them."""
    return dict(load(sample_path(name)).get("plan") or {})


def _bytes_of(builder, name: str, suffix: str) -> bytes:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"{name}{suffix}"
        builder(sample_path(name), out)
        return out.read_bytes()


def sample_docx(name: str = "seed004") -> bytes:
    return _bytes_of(build_docx, name, ".docx")


def sample_xlsx(name: str = "seed004") -> bytes:
    return _bytes_of(build_xlsx, name, ".xlsx")


def sample_csv(name: str = "seed004") -> bytes:
    return _bytes_of(build_csv, name, ".csv")
