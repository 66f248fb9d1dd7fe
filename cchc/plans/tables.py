"""Reading a plan's assignment table (biểu phân công nhiệm vụ) from .docx, .xlsx or .csv.

A Vietnamese plan assigns its tasks in a table: TT | Nội dung / Nhiệm vụ | (Mục tiêu) | (Kết quả /
Sản phẩm) | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian thực hiện | (Thời gian hoàn thành) | (Ghi
chú). Section rows (I, II, ... or A, B, ..., usually merged across the table) group the tasks, the
numbering restarts in every section, cells are merged across and down, and a task may run on over
a row without a number. ``read_plan_table`` finds the table(s) by their header and returns one
``PlanRow`` per task, each with its section path and where it came from.

No Django here: errors are ``PlanTableError`` with a stable ``code``, the row/column and English
text; the Django layer translates them from ``code`` and ``params``.

    rows = read_plan_table("ke-hoach-116.docx")
    rows = read_plan_table(uploaded.read(), filename=uploaded.name)
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Literal

__all__ = [
    "FIELDS",
    "PlanRow",
    "PlanTableError",
    "header_field",
    "parse_rows",
    "read_csv",
    "read_docx",
    "read_plan_table",
    "read_xlsx",
]

FIELDS = (
    "number",
    "content",
    "criterion",
    "target",
    "output",
    "lead",
    "coordinating",
    "time_frame",
    "completion",
    "note",
)
REQUIRED = ("content", "lead")
REQUIRED_NAMES = "Nội dung/Nhiệm vụ and Cơ quan chủ trì"

# Error codes (stable: the Django layer translates by code).
UNSUPPORTED_EXTENSION = "unsupported_extension"
EMPTY_FILE = "empty_file"
NOT_ZIP = "not_zip"
NOT_DOCX = "not_docx"
NOT_XLSX = "not_xlsx"
NOT_CSV = "not_csv"
NOT_UTF8 = "not_utf8"
UNREADABLE = "unreadable"
NO_HEADER = "no_header"
SHIFTED_COLUMNS = "shifted_columns"

HEADER_SEARCH_ROWS = 15  # the header must be among the first rows of a table / sheet
HEADER_MAX_WORDS = 12  # a header cell is short ("Cơ quan, đơn vị phối hợp"); longer text is data


# --------------------------------------------------------------------------- results and errors


@dataclass
class PlanRow:
    """One task of a plan's assignment table.

    ``table`` is the 1-based table of the .docx (every table counts, layout ones too) or sheet of the
    .xlsx (1 for a .csv); ``row`` the 1-based row of that table / sheet / file where the task starts
    (``rows`` lists every row when the task runs on over rows without a number). ``section`` is the
    path of section labels above the task ("A", "I"); ``section_titles`` their texts.
    Columns that map to no field are kept in ``extra`` under their printed header.
    """

    table: int
    row: int
    source: str
    number: str = ""
    section: tuple[str, ...] = ()
    section_titles: tuple[str, ...] = ()
    content: str = ""
    criterion: str = ""
    target: str = ""
    output: str = ""
    lead: str = ""
    coordinating: str = ""
    time_frame: str = ""
    completion: str = ""
    note: str = ""
    sheet: str = ""
    rows: tuple[int, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def ref(self) -> str:
        """Section labels and number joined with dots: "A.I.1" ("A.I" when the task has no number;
        "I.2.1" for task "2.1" of group "2" in section "I")."""
        section = self.section
        if section and self.number.startswith(section[-1] + "."):
            section = section[:-1]
        return ".".join(part for part in (*section, self.number) if part)


class PlanTableError(ValueError):
    """The file holds no readable assignment table, or a row of it is shifted.

    ``code`` is stable (see the constants above); ``row`` is 1-based within ``table`` (a .docx
    table or .xlsx sheet; the file for .csv); ``column`` the column's printed header (or "#n" past
    the header) and ``column_index`` its 1-based position; ``params`` the values of the message.
    """

    def __init__(
        self,
        message: str,
        row: int | None = None,
        column: str | None = None,
        *,
        code: str = UNREADABLE,
        table: int | None = None,
        column_index: int | None = None,
        params: dict | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.row = row
        self.column = column
        self.code = code
        self.table = table
        self.column_index = column_index
        self.params = dict(params or {})

    def __str__(self) -> str:
        return self.message


# --------------------------------------------------------------------------- text helpers


def _clean(value) -> str:
    """Cell text as printed: NFC, "\\n" between lines, each line stripped, no empty first/last lines."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
        if isinstance(value, dt.datetime):
            return f"{value.day:02d}/{value.month:02d}/{value.year} {value:%H:%M}"
    if isinstance(value, dt.date):
        return f"{value.day:02d}/{value.month:02d}/{value.year}"
    text = unicodedata.normalize("NFC", str(value))
    text = text.replace("_x000D_", "").replace("\r\n", "\n").replace("\r", "\n").replace("\x0b", "\n")
    text = text.replace("\u200b", "").replace("\ufeff", "")
    lines = [line.strip() for line in text.split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def _fold(text: str) -> str:
    """Lower case, no accents, đ -> d, punctuation (but / and -) as spaces, spaces collapsed."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^a-z0-9/\-]+", " ", plain).split())


def _one_line(text: str) -> str:
    return " ".join(text.split())


# --------------------------------------------------------------------------- header names

_FIELD_PATTERNS: tuple[tuple[str, re.Pattern], ...] = tuple(
    (name, re.compile(pattern))
    for name, pattern in (
        ("number", r"^(s ?tt|so tt|so thu tu|thu tu|tt)$"),
        ("target", r"\b(muc tieu|chi tieu)\b"),
        ("output", r"\b(ket qua|san pham|dau ra|hinh thuc van ban)\b"),
        ("coordinating", r"\bphoi hop\b"),
        ("lead", r"\bchu tri\b|\b(co quan|don vi) (chiu trach nhiem|thuc hien)\b|^(trach nhiem )?thuc hien$"),
        ("completion", r"\b(hoan thanh|ket thuc)\b"),
        ("time_frame", r"\b(thoi gian|thoi han|tien do|bat dau|thoi diem)\b"),
        ("criterion", r"\b(tieu chi|linh vuc|chi so)\b"),
        ("note", r"\bghi chu\b"),
        ("content", r"\b(noi dung|nhiem vu|giai phap|cong viec|hoat dong)\b"),
    )
)


def header_field(name: str) -> str | None:
    """The field a printed column header stands for ("Cơ quan, đơn vị\\nchủ trì" -> "lead"), or None."""
    folded = _fold(name)
    if not folded:
        return None
    for key, pattern in _FIELD_PATTERNS:
        if pattern.search(folded):
            return key
    return None


# --------------------------------------------------------------------------- the grid model


@dataclass
class _Cell:
    text: str
    key: object  # cells with the same key are one merged cell


@dataclass
class _Grid:
    """A table as read from the file: rows of grid positions, merged cells sharing a key."""

    table: int
    rows: list[tuple[int, list[_Cell]]]
    where: str  # "table 2" / "sheet Phụ lục 1" / "" (csv)
    sheet: str = ""
    strict_width: bool = False  # .docx: a row with another number of grid cells is shifted
    keep: list = field(default_factory=list)  # .docx: the cell elements, so that id() stays unique


@dataclass
class _Column:
    name: str
    positions: list[int]
    field: str | None


@dataclass
class _Header:
    columns: list[_Column]
    width: int
    rows: tuple[int, ...]  # indexes into grid.rows
    by_field: dict[str, _Column]

    def signature(self) -> tuple:
        return tuple((c.field, _fold(c.name)) for c in self.columns)

    def layout(self) -> tuple:
        return tuple((c.field, tuple(c.positions)) for c in self.columns if c.field)


def _distinct(cells: Iterable[_Cell]) -> list[_Cell]:
    seen: list[object] = []
    out = []
    for cell in cells:
        if any(cell.key == k for k in seen):
            continue
        seen.append(cell.key)
        out.append(cell)
    return out


def _header_from(grid: _Grid, first: int, second: int | None) -> _Header:
    top = grid.rows[first][1]
    bottom = grid.rows[second][1] if second is not None else None
    width = len(top)
    if not grid.strict_width:  # a sheet / CSV is as wide as its widest row: the header ends at its last name
        named = [
            j
            for j in range(width)
            if top[j].text or (bottom is not None and j < len(bottom) and bottom[j].text)
        ]
        width = named[-1] + 1 if named else 0
    names: list[tuple[tuple, str]] = []
    for j in range(width):
        upper = top[j]
        lower = bottom[j] if bottom is not None and j < len(bottom) else None
        if lower is None or lower.key == upper.key or not lower.text or lower.text == upper.text:
            names.append(((upper.key, None), upper.text))
        elif upper.text:
            names.append(((upper.key, lower.key), f"{upper.text} / {lower.text}"))
        else:
            names.append(((upper.key, lower.key), lower.text))
    columns: list[_Column] = []
    for j, (key, name) in enumerate(names):
        if columns and key == names[j - 1][0] and name:
            columns[-1].positions.append(j)
            continue
        columns.append(_Column(name=name, positions=[j], field=None))
    by_field: dict[str, _Column] = {}
    for column in columns:
        if len(_fold(column.name).split()) > HEADER_MAX_WORDS:  # a title or a data cell, not a header
            continue
        key = header_field(column.name)
        if key and key not in by_field:
            column.field = key
            by_field[key] = column
    # One time column that says "hoàn thành" is the task's time frame; completion needs both.
    if "completion" in by_field and "time_frame" not in by_field:
        column = by_field.pop("completion")
        column.field = "time_frame"
        by_field["time_frame"] = column
    rows = (first,) if second is None else (first, second)
    return _Header(columns=columns, width=width, rows=rows, by_field=by_field)


def _satisfied(header: _Header | None) -> bool:
    return header is not None and all(key in header.by_field for key in REQUIRED)


def _find_header(grid: _Grid, start: int = 0, limit: int | None = HEADER_SEARCH_ROWS):
    """(header, best candidate) looking from row index ``start``; header None when none matches."""
    best: _Header | None = None
    stop = len(grid.rows) if limit is None else min(len(grid.rows), start + limit)
    for i in range(start, stop):
        cells = grid.rows[i][1]
        if not any(c.text for c in cells):
            continue
        single = _header_from(grid, i, None)
        double = _header_from(grid, i, i + 1) if i + 1 < len(grid.rows) else None
        for candidate in (single, double):
            if candidate and (best is None or len(candidate.by_field) > len(best.by_field)):
                best = candidate
        if _satisfied(single):
            if _satisfied(double) and len(double.by_field) > len(single.by_field):
                return double, best
            return single, best
        if _satisfied(double):
            return double, best
    return None, best


def _is_column_numbers(cells: list[_Cell]) -> bool:
    """The "(1) (2) (3) ..." or "1 2 3 ..." row printed under some headers."""
    texts = [c.text for c in _distinct(cells) if c.text]
    if len(texts) < 3 or not all(re.fullmatch(r"\(?\d{1,2}\)?", t) for t in texts):
        return False
    values = [int(t.strip("()")) for t in texts]
    return values == sorted(values) and len(set(values)) == len(values)


# --------------------------------------------------------------------------- section labels

_ROMAN = re.compile(r"^M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")
_ARABIC = re.compile(r"^\d+(\.\d+)*$")
_LETTER = re.compile(r"^[A-ZĐ]$")
_LABEL_IN_TEXT = re.compile(
    r"^(?:(?:PHẦN|Phần|MỤC|Mục|CHƯƠNG|Chương)\s+)?"
    r"(?P<label>[IVXLC]+|[A-Z]|\d+(?:\.\d+)*)(?:\s*[.):]\s*|\s+[-–—]\s+)(?P<title>\S.*)$",
    re.DOTALL,
)


def _roman_value(label: str) -> int | None:
    if not label or not _ROMAN.match(label):
        return None
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    total = 0
    for i, ch in enumerate(label):
        value = values[ch]
        total += -value if i + 1 < len(label) and values[label[i + 1]] > value else value
    return total


def _number(text: str) -> str:
    """A TT cell's number: one line, without a trailing "." or ")"."""
    return _one_line(text).rstrip(".)").strip()


def _is_section_label(label: str) -> bool:
    return bool(_roman_value(label) or _LETTER.match(label))


def _split_label(text: str) -> tuple[str, str]:
    match = _LABEL_IN_TEXT.match(text)
    if match:
        return match["label"], _clean(match["title"])
    return "", text


def _kind(label: str, stack: list[tuple[str, str, str]]) -> str:
    if not label:
        return "title"
    if _ARABIC.match(label):
        return f"arabic{label.count('.')}"
    roman = _roman_value(label)
    if roman is None:
        return "letter"
    if len(label) > 1:
        return "roman"
    letters = [lab for kind, lab, _ in stack if kind == "letter"]
    romans = [lab for kind, lab, _ in stack if kind == "roman"]
    if letters and ord(label) == ord(letters[-1]) + 1:
        return "letter"
    if romans and roman == (_roman_value(romans[-1]) or 0) + 1:
        return "roman"
    return "roman" if label in ("I", "V", "X") else "letter"


def _push(stack: list[tuple[str, str, str]], label: str, title: str) -> None:
    kind = _kind(label, stack)
    for i, (other, _, _) in enumerate(stack):
        if other == kind:
            del stack[i:]
            break
    stack.append((kind, label, title))


# --------------------------------------------------------------------------- shifted cells

_TIME_PHRASE = re.compile(
    r"thuong xuyen|hang (ngay|tuan|thang|quy|nam)|dinh ky.*"
    r"|(trong |den |tu |cuoi |dau )?(nam|quy [ivx1-4]+|thang \d{1,2}|giai doan)( nam)?( \d{4})?(/\d{4})?( ?- ?\d{4})?"
    r"|(truoc|sau|tu|den) ngay .*|\d{1,2}/\d{1,2}(/\d{2,4})?|\d{4}( ?- ?\d{4})?"
)
_AGENCY_START = re.compile(
    r"^(so|ubnd|uy ban|van phong|cac (so|co quan|phong|don vi|ban)|co quan|phong|ban (quan ly|chi dao)|bo|"
    r"trung tam|thanh tra|cong an|buu dien|chu tich|giam doc)\b"
)


def _looks_like_time(text: str) -> bool:
    return bool(_TIME_PHRASE.fullmatch(_fold(text)))


def _looks_like_agency(text: str) -> bool:
    folded = _fold(text)
    if re.search(r"\d", folded) or re.search(r"\b(khi|sau|truoc|theo|thuong xuyen|hang)\b", folded):
        return False
    return bool(_AGENCY_START.match(folded))


# --------------------------------------------------------------------------- rows to tasks


@dataclass
class _State:
    stack: list[tuple[str, str, str]] = field(default_factory=list)
    last: PlanRow | None = None  # the task a row without number may continue
    after_section: bool = False


def _where(grid: _Grid, row: int) -> str:
    return f"{grid.where}, row {row}" if grid.where else f"row {row}"


def _shifted(
    grid: _Grid, row: int, message: str, column: str | None, column_index: int | None
) -> PlanTableError:
    where = _where(grid, row)
    return PlanTableError(
        f"{where}: {message}",
        row=row,
        column=column,
        code=SHIFTED_COLUMNS,
        table=grid.table,
        column_index=column_index,
        params={"where": where, "row": row, "column": column, "column_index": column_index},
    )


def _check_width(grid: _Grid, header: _Header, row: int, cells: list[_Cell]) -> None:
    if len(cells) > header.width and any(c.text for c in cells[header.width :]):
        j = next(j for j in range(header.width, len(cells)) if cells[j].text)
        raise _shifted(
            grid,
            row,
            f"the row has {len(cells)} cells but the header has {header.width}: cell {j + 1} "
            f"(“{_one_line(cells[j].text)[:60]}”) is past the last column; are the columns shifted?",
            f"#{j + 1}",
            j + 1,
        )
    if grid.strict_width and len(cells) != header.width:
        j = min(len(cells), header.width)
        raise _shifted(
            grid,
            row,
            f"the row has {len(cells)} cells but the header has {header.width}; are the columns shifted?",
            f"#{j + 1}",
            j + 1,
        )


def _check_cells(grid: _Grid, header: _Header, row: int, values: dict, own: dict) -> None:
    for key in ("lead", "coordinating"):
        text = values.get(key, "")
        if own.get(key) and text and _looks_like_time(text):
            column = header.by_field[key]
            raise _shifted(
                grid,
                row,
                f"the column “{_one_line(column.name)}” holds “{_one_line(text)}”, which is a time frame, "
                f"not an agency; are the columns shifted?",
                _one_line(column.name),
                column.positions[0] + 1,
            )
    text = values.get("time_frame", "")
    if own.get("time_frame") and text and _looks_like_agency(text):
        column = header.by_field["time_frame"]
        raise _shifted(
            grid,
            row,
            f"the column “{_one_line(column.name)}” holds “{_one_line(text)}”, which is an agency, "
            f"not a time frame; are the columns shifted?",
            _one_line(column.name),
            column.positions[0] + 1,
        )


def _row_values(header: _Header, cells: list[_Cell], above: list[_Cell] | None):
    """({field or header name: text}, {same key: whether the row has text of its own there, not a
    cell merged down from the row above})."""
    values: dict[str, str] = {}
    own: dict[str, bool] = {}
    for column in header.columns:
        parts = _distinct(cells[j] for j in column.positions if j < len(cells))
        text = "\n".join(c.text for c in parts if c.text)
        mine = any(
            c.text and not (above is not None and j < len(above) and above[j].key == c.key)
            for j, c in ((j, cells[j]) for j in column.positions if j < len(cells))
        )
        name = column.field or _one_line(column.name) or f"#{column.positions[0] + 1}"
        if name in values:  # a second column for the same field, or two unnamed columns
            name = _one_line(column.name) or f"#{column.positions[0] + 1}"
        values[name] = text
        own[name] = mine
    return values, own


def _section_of(header: _Header, cells: list[_Cell], values: dict, next_number: str | None):
    """(label, title) when the row is a section row, else None."""
    distinct = [c for c in _distinct(cells) if c.text]
    if not distinct:
        return None
    number_column = header.by_field.get("number")
    number_positions = set(number_column.positions) if number_column else set()
    number = _number(values.get("number", "")) if number_column else ""
    rest = [j for j in range(len(cells)) if j not in number_positions]
    others = _distinct(cells[j] for j in rest)
    other_texts = [c for c in others if c.text]
    # The whole row is one merged cell.
    if len(_distinct(cells)) == 1 and len(cells) > 1:
        return _split_label(distinct[0].text)
    # A Roman numeral or capital letter in the TT column.
    if number and _is_section_label(number):
        return number, other_texts[0].text if other_texts else ""
    # The cells after TT merged into one across the rest of the row (width >= 3).
    if len(rest) >= 2 and len(others) == 1 and other_texts:
        return (number, other_texts[0].text) if number else _split_label(other_texts[0].text)
    # Only the TT column has text, and it is not a number: a title row written in the first cell.
    if number_column and not other_texts and number and not _ARABIC.match(number):
        return _split_label(_clean(values.get("number", "")))
    # A group row: "1" and a title, the next rows numbered "1.1", "1.2"...
    if (
        number
        and _ARABIC.match(number)
        and len(other_texts) == 1
        and next_number is not None
        and next_number.startswith(number + ".")
    ):
        return number, other_texts[0].text
    return None


def _parse_grid(
    grid: _Grid, header: _Header, state: _State, start: int, above: list[_Cell] | None
) -> list[PlanRow]:
    """The tasks of ``grid`` from row index ``start`` (the row after the header); ``above`` is the
    row above it (vertical merges with it are not the row's own text)."""
    tasks: list[PlanRow] = []
    header_sig = header.signature()
    # Numbers of the rows, for the look-ahead of group rows ("1" above "1.1").
    numbers = _numbers(grid, header)
    blank_before = False
    i = start
    while i < len(grid.rows):
        row, cells = grid.rows[i]
        if not any(c.text for c in cells):
            above, i, blank_before = cells, i + 1, True
            continue
        if _is_column_numbers(cells):
            above, i = cells, i + 1
            continue
        # A header again: repeated (the same one, or the same columns straight after a row: a new
        # page) -- the sections go on; or, after a blank row or with other columns, the next table.
        again, _ = _find_header(grid, i, 1)
        if again is not None and again.rows[0] == i:
            repeated = again.signature() == header_sig or (
                not blank_before and again.layout() == header.layout()
            )
            if not repeated:
                header, header_sig = again, again.signature()
                state.stack.clear()
                numbers = _numbers(grid, header)
            state.last = None
            above = grid.rows[again.rows[-1]][1]
            i, blank_before = again.rows[-1] + 1, False
            continue
        blank_before = False
        _check_width(grid, header, row, cells)
        values, own = _row_values(header, cells, above)
        next_number = next((n for n in numbers[i + 1 :] if n), None)
        section = _section_of(header, cells, values, next_number)
        if section is not None:
            label, title = section
            _push(state.stack, label, title)
            state.last = None
            above, i = cells, i + 1
            continue
        _check_cells(grid, header, row, values, own)
        number_own = bool(own.get("number") and values.get("number"))
        lead_own = bool(own.get("lead") and values.get("lead"))
        if state.last is not None and not number_own and not lead_own:
            task = state.last
            for key, text in values.items():
                if not (own.get(key) and text) or key == "number":
                    continue
                if key in FIELDS:
                    current = getattr(task, key)
                    setattr(task, key, f"{current}\n{text}" if current else text)
                else:
                    current = task.extra.get(key, "")
                    task.extra[key] = f"{current}\n{text}" if current else text
            task.rows = (*task.rows, row)
            above, i = cells, i + 1
            continue
        task = PlanRow(
            table=grid.table,
            row=row,
            source=_where(grid, row),
            number=_number(values.get("number", "")),
            section=tuple(label or title for _, label, title in state.stack),
            section_titles=tuple(title for _, _, title in state.stack),
            sheet=grid.sheet,
            rows=(row,),
        )
        for key, text in values.items():
            if key == "number":
                continue
            if key in FIELDS:
                setattr(task, key, text)
            elif text:
                task.extra[key] = text
        tasks.append(task)
        state.last = task
        above, i = cells, i + 1
    return tasks


def _numbers(grid: _Grid, header: _Header) -> list[str]:
    """The number (TT) of every row of the grid, "" where none."""
    column = header.by_field.get("number")
    if column is None:
        return ["" for _ in grid.rows]
    return [
        _number(" ".join(c.text for c in _distinct(cells[j] for j in column.positions if j < len(cells))))
        for _, cells in grid.rows
    ]


def _read_grids(grids: list[_Grid], name: str, *, continue_tables: bool) -> list[PlanRow]:
    tasks: list[PlanRow] = []
    best: tuple[_Grid, _Header] | None = None
    previous: tuple[_Header, _State] | None = None
    matched = 0
    for grid in grids:
        header, candidate = _find_header(grid)
        if candidate is not None and (best is None or len(candidate.by_field) > len(best[1].by_field)):
            best = (grid, candidate)
        if header is not None:
            state = _State()
            tasks.extend(_parse_grid(grid, header, state, header.rows[-1] + 1, grid.rows[header.rows[-1]][1]))
            previous = (header, state)
            matched += 1
            continue
        # A table without a header right after a matching one, with the same columns: the same
        # table broken over a page (Word) -- read it with that header, its sections going on.
        if continue_tables and previous is not None and grid.rows:
            prev_header, state = previous
            first = next((cells for _, cells in grid.rows if any(c.text for c in cells)), None)
            if first is not None and len(first) == prev_header.width:
                tasks.extend(_parse_grid(grid, prev_header, state, 0, None))
                continue
        previous = None
    if not matched:
        raise _no_header(name, grids, best)
    return tasks


def _no_header(name: str, grids: list[_Grid], best: tuple[_Grid, _Header] | None) -> PlanTableError:
    what = (
        "table"
        if any(g.where.startswith("table") for g in grids)
        else "sheet"
        if grids and grids[0].sheet
        else ""
    )
    found: list[str] = []
    where = ""
    if best is not None:
        grid, header = best
        found = [_one_line(c.name) for c in header.columns if c.field]
        row = grid.rows[header.rows[0]][0]
        where = _where(grid, row)
    missing = [key for key in REQUIRED if best is None or key not in best[1].by_field]
    if not grids:
        detail = "it has no table" if what != "sheet" else "it has no sheet with cells"
    elif found:
        detail = f"the closest ({where}) has only: {', '.join(found)}"
    else:
        count = len(grids)
        noun = what or "table"
        detail = f"none of its {count} {noun}{'s' if count != 1 else ''} has a recognisable header"
    return PlanTableError(
        f"{name}: no header row with the columns {REQUIRED_NAMES} ({detail}).",
        code=NO_HEADER,
        params={"name": name, "found": found, "missing": missing, "where": where, "tables": len(grids)},
    )


# --------------------------------------------------------------------------- file formats


def _zip_names(data: bytes, name: str, code_if_damaged: str, kind: str) -> list[str]:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise PlanTableError(
            f"{name} is not a {kind} file: it is not a zip archive (an old .doc / .xls file saved"
            f" under a new name? open it and save it as .docx / .xlsx).",
            code=NOT_ZIP,
            params={"name": name, "kind": kind},
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise PlanTableError(
            f"{name} is a damaged zip archive ({exc}).",
            code=code_if_damaged,
            params={"name": name, "error": str(exc)},
        ) from None


def _what_zip_holds(names: list[str]) -> str:
    if "word/document.xml" in names:
        return "a Word document"
    if "xl/workbook.xml" in names:
        return "an Excel workbook"
    if "content.xml" in names:
        return "an OpenDocument file"
    shown = ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
    return f"a zip of other files ({shown})" if names else "an empty zip archive"


def read_docx(data: bytes, name: str = "plan.docx") -> list[PlanRow]:
    """The tasks of every table of a .docx whose header matches (layout tables are skipped)."""
    names = _zip_names(data, name, NOT_DOCX, "Word .docx")
    if "word/document.xml" not in names:
        holds = _what_zip_holds(names)
        raise PlanTableError(
            f"{name} is a zip archive but not a Word document: it holds {holds}.",
            code=NOT_DOCX,
            params={"name": name, "holds": holds},
        )
    import docx  # python-docx

    try:
        document = docx.Document(io.BytesIO(data))
        tables = list(document.tables)
    except Exception as exc:  # noqa: BLE001 - python-docx / lxml raise many types for broken parts
        raise PlanTableError(
            f"{name} cannot be read as a Word document ({exc}).",
            code=UNREADABLE,
            params={"name": name, "error": str(exc)},
        ) from None
    grids = [_docx_grid(table, n) for n, table in enumerate(tables, start=1)]
    return _read_grids(grids, name, continue_tables=True)


def _docx_grid(table, number: int) -> _Grid:
    from docx.table import _Cell as DocxCell

    keep: list[object] = []  # keeps the lxml proxies alive, so that id() identifies a merged cell
    texts: dict[int, str] = {}
    rows: list[tuple[int, list[_Cell]]] = []
    for r, row in enumerate(table.rows, start=1):
        cells: list[_Cell] = [_Cell("", object()) for _ in range(row.grid_cols_before)]
        try:
            row_cells = list(row.cells)
        except Exception:  # noqa: BLE001 - a vertical merge with nothing above: read the cells as they are
            row_cells = []
            for tc in row._tr.tc_lst:
                cell = DocxCell(tc, table)
                row_cells.extend([cell] * tc.grid_span)
        for cell in row_cells:
            tc = cell._tc
            keep.append(tc)
            key = id(tc)
            if key not in texts:
                texts[key] = _clean(cell.text)
            cells.append(_Cell(texts[key], key))
        cells.extend(_Cell("", object()) for _ in range(row.grid_cols_after))
        rows.append((r, cells))
    return _Grid(table=number, rows=rows, where=f"table {number}", strict_width=True, keep=keep)


def read_xlsx(data: bytes, name: str = "plan.xlsx", *, sheets: str = "all") -> list[PlanRow]:
    """The tasks of an .xlsx: every sheet whose header matches (``sheets="all"``), the first sheet
    (``"first"``) or the sheet of that name."""
    names = _zip_names(data, name, NOT_XLSX, "Excel .xlsx")
    if "xl/workbook.xml" not in names:
        holds = _what_zip_holds(names)
        raise PlanTableError(
            f"{name} is a zip archive but not an Excel workbook: it holds {holds}.",
            code=NOT_XLSX,
            params={"name": name, "holds": holds},
        )
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many types for broken parts
        raise PlanTableError(
            f"{name} cannot be read as an Excel workbook ({exc}).",
            code=UNREADABLE,
            params={"name": name, "error": str(exc)},
        ) from None
    worksheets = list(workbook.worksheets)
    if sheets == "first":
        worksheets = worksheets[:1]
    elif sheets != "all":
        worksheets = [ws for ws in worksheets if ws.title == sheets]
        if not worksheets:
            raise PlanTableError(
                f"{name} has no sheet named “{sheets}”.",
                code=NO_HEADER,
                params={"name": name, "sheet": sheets},
            )
    grids = []
    for ws in worksheets:
        number = workbook.worksheets.index(ws) + 1
        grids.append(_sheet_grid(ws, number))
    return _read_grids(grids, name, continue_tables=False)


def _sheet_grid(ws, number: int) -> _Grid:
    merged: dict[tuple[int, int], tuple[int, int]] = {}
    for rng in ws.merged_cells.ranges:
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                merged[(r, c)] = (rng.min_row, rng.min_col)
    values: dict[tuple[int, int], str] = {}
    raw_rows = list(ws.iter_rows(values_only=True))
    for r, row in enumerate(raw_rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is not None:
                values[(r, c)] = _clean(value)
    # The sheet's used width: the last column with text.
    width = max((c for (_, c), text in values.items() if text), default=0)
    rows: list[tuple[int, list[_Cell]]] = []
    for r in range(1, len(raw_rows) + 1):
        cells = []
        for c in range(1, width + 1):
            origin = merged.get((r, c), (r, c))
            cells.append(_Cell(values.get(origin, ""), (number, *origin)))
        rows.append((r, cells))
    while rows and not any(c.text for c in rows[-1][1]):
        rows.pop()
    return _Grid(table=number, rows=rows, where=f"sheet {ws.title}", sheet=ws.title)


def _csv_records(text: str) -> list[list[str]]:
    """The records, with the separator (comma, semicolon or tab) that gives most rows the same width.

    Quoting is Excel's; csv.Sniffer is not used: cells full of commas, semicolons and quotes fool it.
    """
    best: tuple[tuple[int, int], list[list[str]]] | None = None
    for delimiter in (",", ";", "\t"):
        try:
            records = list(csv.reader(io.StringIO(text, newline=""), csv.excel, delimiter=delimiter))
        except csv.Error:
            continue
        widths = [len(r) for r in records if any(cell.strip() for cell in r)]
        if not widths:
            continue
        common = max(set(widths), key=lambda w: (widths.count(w), w))
        score = (widths.count(common) if common > 1 else 0, common)
        if best is None or score > best[0]:
            best = (score, records)
    return best[1] if best else []


def read_csv(data: bytes, name: str = "plan.csv") -> list[PlanRow]:
    """The tasks of a .csv (UTF-8, with or without BOM; comma, semicolon or tab separated)."""
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                holds = _what_zip_holds(archive.namelist())
        except (zipfile.BadZipFile, OSError):
            holds = "a damaged zip archive"
        raise PlanTableError(
            f"{name} is not CSV text: it is {holds}.", code=NOT_CSV, params={"name": name, "holds": holds}
        )
    try:
        text = data.decode("utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig")
    except UnicodeDecodeError:
        raise PlanTableError(
            f"{name} is not UTF-8 text: save the CSV as “CSV UTF-8”.", code=NOT_UTF8, params={"name": name}
        ) from None
    if not text.strip():
        raise PlanTableError(f"{name} is empty.", code=EMPTY_FILE, params={"name": name})
    records = _csv_records(text)
    width = max((len(r) for r in records), default=0)
    rows = []
    for r, record in enumerate(records, start=1):
        cells = [_Cell(_clean(value), (r, c)) for c, value in enumerate(record)]
        cells.extend(_Cell("", (r, c)) for c in range(len(record), width))
        rows.append((r, cells))
    return _read_grids([_Grid(table=1, rows=rows, where="")], name, continue_tables=False)


def parse_rows(rows: list[list[str]], name: str = "table") -> list[PlanRow]:
    """The tasks of a table given as lists of cell texts (pasted text, another reader)."""
    width = max((len(r) for r in rows), default=0)
    grid_rows = []
    for r, record in enumerate(rows, start=1):
        cells = [_Cell(_clean(value), (r, c)) for c, value in enumerate(record)]
        cells.extend(_Cell("", (r, c)) for c in range(len(record), width))
        grid_rows.append((r, cells))
    return _read_grids([_Grid(table=1, rows=grid_rows, where="")], name, continue_tables=False)


_READERS = {".docx": "docx", ".xlsx": "xlsx", ".xlsm": "xlsx", ".csv": "csv", ".tsv": "csv", ".txt": "csv"}
_OLD = {".doc": ".docx", ".xls": ".xlsx", ".odt": ".docx", ".ods": ".xlsx", ".rtf": ".docx"}


def read_plan_table(
    source: str | Path | bytes | BinaryIO,
    filename: str | None = None,
    *,
    sheets: Literal["all", "first"] | str = "all",
) -> list[PlanRow]:
    """Every task of the plan's assignment table(s) in a .docx, .xlsx or .csv file.

    ``source`` is a path, the file's bytes or a binary file; with bytes or a file object, pass
    ``filename`` (its extension picks the reader). Raises ``PlanTableError``.
    """
    if isinstance(source, (str, Path)):
        path = Path(source)
        name = filename or path.name
        data = path.read_bytes()
    elif isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        name = filename or "plan"
    else:
        data = source.read()
        name = filename or Path(getattr(source, "name", "") or "plan").name
    suffix = Path(name).suffix.lower()
    kind = _READERS.get(suffix)
    if kind is None:
        hint = f" (save it as {_OLD[suffix]})" if suffix in _OLD else ""
        raise PlanTableError(
            f"{name}: only .docx, .xlsx and .csv files can be read{hint}.",
            code=UNSUPPORTED_EXTENSION,
            params={"name": name, "extension": suffix, "hint": _OLD.get(suffix, "")},
        )
    if not data:
        raise PlanTableError(f"{name} is empty (0 bytes).", code=EMPTY_FILE, params={"name": name})
    if kind == "docx":
        return read_docx(data, name)
    if kind == "xlsx":
        return read_xlsx(data, name, sheets=sheets)
    return read_csv(data, name)
