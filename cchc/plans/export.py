"""A plan's assignment table (biểu phân công nhiệm vụ) written back to DOCX and XLSX.

``export_plan(plan, "docx" | "xlsx", with_status=False, on=None) -> bytes``

The DOCX is the appendix of a plan in the format of administrative documents (Decree 30/2020/NĐ-CP):
A4 landscape, Times New Roman, the header of the provincial People's Committee (``cchc.core.documents``),
"PHỤ LỤC", the title "BIỂU PHÂN CÔNG NHIỆM VỤ ..." and "(Kèm theo Kế hoạch số ... ngày ... của UBND
tỉnh ...)", then the table: TT | Nội dung | Kết quả/Sản phẩm | Cơ quan chủ trì | Cơ quan phối hợp |
Thời gian hoàn thành, the plan's sections as rows merged across the table. With ``with_status`` two
columns follow, Trạng thái and Tiến độ (%), as of ``on`` (default today), by the rules and in the colours
of the board (``status``): overdue tasks print in red.
The XLSX holds the same table (merged section rows) for spreadsheets. The fixed text is Vietnamese
whatever the interface language, and both files read back with ``tables.read_plan_table``.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.text import slugify
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, RGBColor

from cchc.core import documents
from cchc.core.exports import CONTENT_TYPES as TABLE_CONTENT_TYPES
from cchc.orgs.models import UnitType

from .models import Occurrence, Plan, Section, Task, TaskRole, TaskUnit
from .status import Status, occurrence_status, rollup
from .status import task_status as board_status

FORMATS = ("docx", "xlsx")
CONTENT_TYPES = {"docx": documents.CONTENT_TYPE, "xlsx": TABLE_CONTENT_TYPES["xlsx"]}

COLUMNS = ["TT", "Nội dung", "Kết quả/Sản phẩm", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"]
STATUS_COLUMNS = ["Trạng thái", "Tiến độ (%)"]
WIDTHS_CM = [1.2, 8.2, 4.6, 3.6, 4.2, 3.4]  # 25.2 cm: the text width of A4 landscape
WIDTHS_STATUS_CM = [1.1, 6.6, 3.6, 3.0, 3.4, 2.9, 2.6, 2.0]
XLSX_WIDTHS = [7, 60, 34, 26, 30, 22, 18, 11]

# The status column: the board's rules and colours (``status``), in the document's Vietnamese.
STATUS_TEXT = {
    Status.DONE_ON_TIME: "Hoàn thành đúng hạn",
    Status.DONE_LATE: "Hoàn thành chậm",
    Status.OVERDUE: "Quá hạn",
    Status.IN_PROGRESS: "Đang thực hiện",
    Status.NOT_STARTED: "Chưa thực hiện",
    Status.WAITING: "Chờ sự kiện",
}


def task_status(task: Task, on: dt.date) -> Status:
    """The task's status on ``on``; a recurring task rolls up its occurrences' statuses."""
    if task.done_at is None:
        rolled = rollup(
            occurrence_status(due=o.due, done_at=o.done_at, today=on, progress=task.progress)
            for o in task.occurrences.all()
        )
        if rolled is not None:
            return rolled
    return board_status(
        due=task.due, start=task.start, done_at=task.done_at, waits_for=task.waits_for, event_on=task.event_on,
        today=on, progress=task.progress,
    )


def task_progress(task: Task) -> int:
    return 100 if task.done_at is not None else int(task.progress or 0)


def _names(task_units: list[TaskUnit]) -> str:
    """The units of a role as the plan wrote them (else their current names), once each, "; " between."""
    names: list[str] = []
    for task_unit in task_units:
        name = task_unit.text or (task_unit.unit.name if task_unit.unit_id else task_unit.group.name if task_unit.group_id else "")
        name = " ".join(name.split())
        if name and name not in names:
            names.append(name)
    return "; ".join(names)


def time_text(task: Task) -> str:
    """The completion time as printed, else the time frame as printed, else the due date."""
    return task.completion_text or task.time_frame_text or (documents.vn_date(task.due) if task.due else "")


@dataclass
class Row:
    kind: str  # "section" | "task"
    label: str = ""
    title: str = ""
    depth: int = 0
    values: list = field(default_factory=list)
    status: Status | None = None


def plan_rows(plan: Plan, with_status: bool = False, on: dt.date | None = None) -> list[Row]:
    """The table's rows: tasks outside any section first, then each section (depth first) and its tasks."""
    on = on or timezone.localdate()
    tasks = list(
        plan.tasks.select_related("section")
        .prefetch_related(
            Prefetch("units", queryset=TaskUnit.objects.select_related("unit", "group").order_by("role", "pk")),
            Prefetch("occurrences", queryset=Occurrence.objects.order_by("due")),
        )
        .order_by("position", "pk")
    )
    by_section: dict[int | None, list[Task]] = {}
    for task in tasks:
        by_section.setdefault(task.section_id, []).append(task)
    sections = list(Section.objects.filter(plan=plan).order_by("position", "pk"))
    children: dict[int | None, list[Section]] = {}
    for section in sections:
        children.setdefault(section.parent_id, []).append(section)

    rows: list[Row] = []

    def add_tasks(section_id):
        for task in by_section.get(section_id, []):
            units = list(task.units.all())
            values = [
                task.number,
                task.content,
                task.output,
                _names([u for u in units if u.role == TaskRole.LEAD]),
                _names([u for u in units if u.role == TaskRole.COORDINATING]),
                time_text(task),
            ]
            status = None
            if with_status:
                status = task_status(task, on)
                values += [STATUS_TEXT[status], task_progress(task)]
            rows.append(Row(kind="task", values=values, status=status))

    def add_section(section, depth):
        rows.append(Row(kind="section", label=section.label, title=section.title, depth=depth))
        add_tasks(section.pk)
        for child in children.get(section.pk, []):
            add_section(child, depth + 1)

    add_tasks(None)
    known = {section.pk for section in sections}
    for section in children.get(None, []) + [s for s in sections if s.parent_id and s.parent_id not in known]:
        add_section(section, 0)
    return rows


# --------------------------------------------------------------------------- the title lines


def province_of(plan: Plan):
    issuer = plan.issuer
    if issuer.type == UnitType.PROVINCE:
        return issuer
    return issuer.province


def issuer_phrase(plan: Plan) -> str:
    """"UBND tỉnh Tuyên Quang" for a plan of the provincial committee, else the issuing unit's name."""
    issuer = plan.issuer
    if issuer.type == UnitType.PROVINCE:
        return "UBND " + issuer.name[:1].lower() + issuer.name[1:]
    return issuer.name


def issuer_lines(plan: Plan) -> list[tuple[str, bool]]:
    """The issuing body of the header: the provincial committee, or "UBND TỈNH ..." above an agency."""
    province = province_of(plan)
    if plan.issuer.type == UnitType.PROVINCE or province is None:
        return documents.committee_lines(province)
    return [("UBND " + documents.province_names(province)[0], False), (plan.issuer.name.upper(), True)]


def plan_number(plan: Plan) -> str:
    number = re.sub(r"^\s*s[ốo]\s*:?\s*", "", plan.number or "", flags=re.IGNORECASE).strip()
    return number or "……/KH-UBND"


def table_title(plan: Plan) -> str:
    title = " ".join(plan.title.split())
    if title.lower().startswith("kế hoạch"):
        title = "thực hiện " + title
    return f"BIỂU PHÂN CÔNG NHIỆM VỤ {title.upper()}".strip()


def attached_to(plan: Plan) -> str:
    return f"(Kèm theo Kế hoạch số {plan_number(plan)} ngày {documents.vn_date(plan.issued_on)} của {issuer_phrase(plan)})"


def status_line(on: dt.date) -> str:
    return f"Tình hình thực hiện đến ngày {documents.vn_date(on)}"


# --------------------------------------------------------------------------- DOCX


def _docx(plan: Plan, rows: list[Row], with_status: bool, on: dt.date) -> bytes:
    document = Document()
    documents.setup(document, landscape=True, size=13)
    document.core_properties.title = table_title(plan)
    document.core_properties.language = "vi-VN"
    province = province_of(plan)
    _body, place = documents.province_names(province)
    documents.admin_header(
        document,
        body=issuer_lines(plan),
        number=f"Số: {plan_number(plan)}",
        date=documents.date_line(place, plan.issued_on, year=plan.year),
        widths=(Cm(9.0), Cm(16.2)),
    )
    documents.para(document, "PHỤ LỤC", 14, bold=True, before=12)
    documents.para(document, table_title(plan), 14, bold=True)
    documents.para(document, attached_to(plan), 14, italic=True)
    if with_status:
        documents.para(document, status_line(on), 13, italic=True)
    documents.para(document, documents.RULE, 8, after=6)

    columns = COLUMNS + (STATUS_COLUMNS if with_status else [])
    widths = [Cm(w) for w in (WIDTHS_STATUS_CM if with_status else WIDTHS_CM)]
    table = document.add_table(rows=1, cols=len(columns))
    table.style = document.styles["Table Grid"]
    for cell, title in zip(table.rows[0].cells, columns, strict=True):
        documents.cell_text(cell, title, 12, bold=True)
    documents.repeat_header(table.rows[0])
    left = {1, 2}  # content and output read better left-aligned
    for row in rows:
        cells = table.add_row().cells
        if row.kind == "section":
            documents.cell_text(cells[0], row.label, 12, bold=True)
            merged = cells[1].merge(cells[-1])
            documents.cell_text(merged, row.title, 12, bold=True, italic=row.depth > 0, align=WD_ALIGN_PARAGRAPH.LEFT)
            continue
        for index, (cell, value) in enumerate(zip(cells, row.values, strict=True)):
            status_cell = with_status and index == len(COLUMNS)
            color = RGBColor.from_string(row.status.hex.lstrip("#").upper()) if status_cell and row.status else None
            documents.cell_text(
                cell, "" if value is None else str(value), 12,
                bold=status_cell and row.status is Status.OVERDUE,
                align=WD_ALIGN_PARAGRAPH.LEFT if index in left else WD_ALIGN_PARAGRAPH.CENTER,
                color=color,
            )
    documents.set_widths(table, widths)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --------------------------------------------------------------------------- XLSX


def _xlsx(plan: Plan, rows: list[Row], with_status: bool, on: dt.date) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    columns = COLUMNS + (STATUS_COLUMNS if with_status else [])
    width = len(columns)
    wb = Workbook()
    ws = wb.active
    ws.title = "Biểu phân công"
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)

    def font(**kwargs):
        return Font(name=documents.FONT, size=kwargs.pop("size", 12), **kwargs)

    def put(row: int, column: int, value, **style):
        cell = ws.cell(row=row, column=column, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # text, never a formula
        for key, item in style.items():
            setattr(cell, key, item)
        return cell

    titles = [("PHỤ LỤC", True, False), (table_title(plan), True, False), (attached_to(plan), False, True)]
    if with_status:
        titles.append((status_line(on), False, True))
    for number, (text, bold, italic) in enumerate(titles, start=1):
        put(number, 1, text, font=font(size=13, bold=bold, italic=italic),
            alignment=Alignment(horizontal="center", vertical="center", wrap_text=True))
        ws.merge_cells(start_row=number, start_column=1, end_row=number, end_column=width)
    header_row = len(titles) + 2
    for column, title in enumerate(columns, start=1):
        put(header_row, column, title, font=font(bold=True), border=border,
            alignment=Alignment(horizontal="center", vertical="center", wrap_text=True))
    section_fill = PatternFill("solid", fgColor="EDEDED")
    current = header_row
    for row in rows:
        current += 1
        if row.kind == "section":
            put(current, 1, row.label, font=font(bold=True), border=border, fill=section_fill,
                alignment=Alignment(horizontal="center", vertical="top"))
            put(current, 2, row.title, font=font(bold=True, italic=row.depth > 0), border=border, fill=section_fill,
                alignment=Alignment(horizontal="left", vertical="top", wrap_text=True))
            for column in range(3, width + 1):
                put(current, column, None, border=border, fill=section_fill)
            ws.merge_cells(start_row=current, start_column=2, end_row=current, end_column=width)
            continue
        for column, value in enumerate(row.values, start=1):
            status_cell = with_status and column == len(COLUMNS) + 1
            color = row.status.hex.lstrip("#").upper() if status_cell and row.status else None
            put(current, column, value if value != "" else None, border=border,
                font=font(bold=bool(status_cell and row.status is Status.OVERDUE), color=color),
                alignment=Alignment(horizontal="left" if column in (2, 3) else "center", vertical="top", wrap_text=True))
    for column in range(1, width + 1):
        ws.column_dimensions[get_column_letter(column)].width = XLSX_WIDTHS[column - 1]
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def export_plan(plan: Plan, fmt: str, with_status: bool = False, on: dt.date | None = None) -> bytes:
    """The plan's assignment table as a .docx or .xlsx file (with the status columns as of ``on`` when asked)."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}")
    on = on or timezone.localdate()
    rows = plan_rows(plan, with_status=with_status, on=on)
    return (_docx if fmt == "docx" else _xlsx)(plan, rows, with_status, on)


def filename(plan: Plan, fmt: str, with_status: bool = False) -> str:
    name = slugify(f"bieu-phan-cong-{plan.code}") + ("-tien-do" if with_status else "")
    return f"{name}.{fmt}"
