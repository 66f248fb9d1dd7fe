"""Exports of the dossier pages: a list of dossiers (CSV, XLSX through ``cchc.core.exports``) and the
monthly report of late dossiers (XLSX with a summary sheet and a list sheet; DOCX in the format of
administrative documents, A4 landscape, through ``cchc.core.documents``).

The late report's fixed text is Vietnamese whatever the interface language, like the other
administrative documents of the application.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cchc.core import documents, exports
from cchc.orgs.models import UnitType

from .indicators import Counts
from .models import Channel, Outcome
from .periods import Period
from .scopes import Scope

EXPORT_LIMIT = 100_000
"""Rows written into one exported list (the page says so when there are more)."""
DOCX_LIST_LIMIT = 2_000

CONTENT_TYPES = {"xlsx": exports.CONTENT_TYPES["xlsx"], "docx": documents.CONTENT_TYPE}


def local(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else ""


def state_text(dossier, moment: dt.datetime) -> str:
    """The outcome of a finished dossier, or whether an open one is within time at ``moment``."""
    if dossier.outcome:
        return str(Outcome(dossier.outcome).label)
    if dossier.end_at is None:
        if dossier.due_at is not None and dossier.due_at < moment:
            return _("open, past due")
        return _("open, within time")
    return ""


def dossier_rows(qs, moment: dt.datetime, limit: int = EXPORT_LIMIT):
    for d in qs[:limit].iterator(chunk_size=2000):
        yield [
            d.code, d.procedure.code, d.procedure.name, d.unit.name, str(Channel(d.channel).label),
            local(d.received_at), local(d.due_at), local(d.end_at), state_text(d, moment),
            d.late_working_days if d.late_working_days else "", local(d.apology_at),
        ]


def dossier_table(qs, *, title: str, subtitle: str, moment: dt.datetime, filename: str) -> exports.Table:
    columns = [
        _("Dossier code"), _("Procedure code"), _("Procedure"), _("Unit"), _("Channel"), _("Received"), _("Due"),
        _("End"), _("Outcome"), _("Working days late"), _("Apology letter"),
    ]
    rows = list(dossier_rows(qs, moment))
    if len(rows) >= EXPORT_LIMIT:
        subtitle += " · " + _("first %(count)s dossiers only") % {"count": f"{EXPORT_LIMIT:,}".replace(",", ".")}
    return exports.Table(title=title[:31], subtitle=subtitle, columns=columns, rows=rows, filename=filename)


def vn_period(period: Period) -> str:
    """The period in the words of a Vietnamese report: "tháng 3/2026", "quý I năm 2026"..."""
    year = period.start.year
    if period.kind == "year":
        return f"năm {year}"
    if period.kind == "quarter":
        return f"quý {('I', 'II', 'III', 'IV')[(period.start.month - 1) // 3]} năm {year}"
    if period.kind == "half":
        return f"6 tháng {'đầu' if period.start.month == 1 else 'cuối'} năm {year}"
    if period.kind == "month":
        return f"tháng {period.start.month}/{year}"
    return f"từ ngày {period.start:%d/%m/%Y} đến ngày {period.end:%d/%m/%Y}"


# --- the monthly late-dossier report ------------------------------------------------------------


@dataclass
class LateReport:
    scope: Scope
    period: Period
    rows: list[dict]  # {"unit": OrgUnit, "counts": Counts}
    total: Counts
    dossiers: object  # queryset of the listed late dossiers
    which: str  # without | with | all (apology letter)
    moment: dt.datetime
    issuer: list[tuple[str, bool]]
    province: object = None  # the province unit (its name in the header's place-and-date line)

    @property
    def filename(self) -> str:
        return slugify(f"bao-cao-ho-so-tre-han-{self.scope.code}-{self.period.code}") or "bao-cao-ho-so-tre-han"

    @property
    def period_text(self) -> str:
        return vn_period(self.period)

    @property
    def list_title(self) -> str:
        return {
            "without": "DANH SÁCH HỒ SƠ TRỄ HẠN KHÔNG CÓ PHIẾU XIN LỖI",
            "with": "DANH SÁCH HỒ SƠ TRỄ HẠN CÓ PHIẾU XIN LỖI",
            "all": "DANH SÁCH HỒ SƠ TRỄ HẠN",
        }[self.which]


SUMMARY_COLUMNS = [
    "TT", "Cơ quan, đơn vị", "Hồ sơ tiếp nhận", "Đã giải quyết trễ hạn", "Đang giải quyết quá hạn",
    "Tổng số hồ sơ trễ hạn", "Có phiếu xin lỗi", "Không có phiếu xin lỗi",
]
LIST_COLUMNS = [
    "TT", "Mã hồ sơ", "Thủ tục hành chính", "Cơ quan, đơn vị", "Ngày tiếp nhận", "Ngày hẹn trả",
    "Ngày kết thúc", "Số ngày trễ", "Phiếu xin lỗi",
]


def _summary_values(index, name: str, c: Counts) -> list:
    return [index, name, c.received, c.late, c.open_past, c.late_all, c.late_with_apology, c.late_no_apology]


def summary_rows(report: LateReport) -> list[list]:
    rows = [_summary_values(i, r["unit"].name, r["counts"]) for i, r in enumerate(report.rows, start=1)]
    rows.append(_summary_values("", "Tổng cộng", report.total))
    return rows


def list_rows(report: LateReport, limit: int = EXPORT_LIMIT) -> list[list]:
    result = []
    for i, d in enumerate(report.dossiers.select_related("procedure", "unit")[:limit].iterator(chunk_size=2000), start=1):
        end = local(d.end_at) if d.end_at else "Chưa giải quyết (quá hạn)"
        result.append([
            i, d.code, f"{d.procedure.code} {d.procedure.name}", d.unit.name, local(d.received_at), local(d.due_at), end,
            d.late_working_days if d.late_working_days else "", local(d.apology_at) or "Không",
        ])
    return result


def issuer_of(principal, province) -> list[tuple[str, bool]]:
    """The issuing body of the report's header: the user's first unit (a department under the
    provincial committee, a commune's committee) or the provincial committee."""
    from cchc.orgs.models import OrgUnit

    unit_ids = [unit for unit, _role, _domain in principal.memberships]
    unit = OrgUnit.objects.filter(pk__in=unit_ids).order_by("pk").first()
    if unit is None or unit.type == UnitType.PROVINCE:
        return documents.committee_lines(province)
    if unit.type == UnitType.COMMUNE:
        return [(documents.COMMITTEE, True), (unit.name.upper(), True)]
    return [("UBND " + documents.province_names(province)[0], False), (unit.name.upper(), True)]


def late_xlsx(report: LateReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    sheets = [
        ("Tổng hợp", f"TỔNG HỢP HỒ SƠ TRỄ HẠN {report.period_text.upper()}", SUMMARY_COLUMNS, summary_rows(report),
         [6, 48, 14, 16, 16, 16, 14, 16]),
        ("Danh sách", f"{report.list_title} {report.period_text.upper()}", LIST_COLUMNS, list_rows(report),
         [6, 30, 60, 36, 18, 18, 24, 10, 18]),
    ]
    for index, (name, title, columns, rows, widths) in enumerate(sheets):
        ws = wb.active if index == 0 else wb.create_sheet()
        ws.title = name
        ws.append([title])
        ws["A1"].font = Font(bold=True, size=13, name=documents.FONT)
        ws.append([f"{report.scope.label} · tình hình đến {local(report.moment)}"])
        ws.append([])
        ws.append(columns)
        header = ws.max_row
        for cell in ws[header]:
            cell.font = Font(bold=True, name=documents.FONT)
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        for row in rows:
            ws.append(row)
            for cell, value in zip(ws[ws.max_row], row, strict=False):
                cell.font = Font(name=documents.FONT)
                if isinstance(value, str):
                    cell.data_type = "s"
        for column, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(column)].width = width
        ws.freeze_panes = ws.cell(row=header + 1, column=1)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def late_docx(report: LateReport) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    document = Document()
    documents.setup(document, landscape=True, size=13)
    document.core_properties.title = f"Báo cáo hồ sơ trễ hạn {report.period_text}"
    document.core_properties.language = "vi-VN"
    _body, place = documents.province_names(report.province)
    documents.admin_header(
        document, body=report.issuer, number="Số: ……/BC", date=documents.date_line(place, timezone.localdate()),
        widths=(Cm(9.0), Cm(16.2)),
    )
    documents.para(document, "BÁO CÁO", 14, bold=True, before=12)
    documents.para(document, f"Tình hình hồ sơ thủ tục hành chính trễ hạn {report.period_text}", 14, bold=True)
    documents.para(document, f"({report.scope.label}; số liệu đến {local(report.moment)})", 13, italic=True)
    documents.para(document, documents.RULE, 8, after=6)

    documents.para(document, "I. TỔNG HỢP THEO CƠ QUAN, ĐƠN VỊ", 13, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT, after=4)
    _table(document, SUMMARY_COLUMNS, summary_rows(report), [1.1, 8.4, 2.6, 2.8, 2.8, 2.6, 2.4, 2.5], left={1})
    rows = list_rows(report, DOCX_LIST_LIMIT)
    documents.para(document, f"II. {report.list_title}", 13, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT, before=10, after=4)
    if rows:
        _table(document, LIST_COLUMNS, rows, [1.1, 3.6, 6.4, 3.8, 2.5, 2.5, 2.5, 1.3, 1.5], left={1, 2, 3})
        if len(rows) >= DOCX_LIST_LIMIT:
            documents.para(document, f"(Chỉ liệt kê {DOCX_LIST_LIMIT:,} hồ sơ đầu tiên; xem đủ trong tệp Excel.)".replace(",", "."),
                           12, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    else:
        documents.para(document, "Không có hồ sơ.", 13, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _table(document, columns: list[str], rows: list[list], widths_cm: list[float], *, left: set[int]) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    table = document.add_table(rows=1, cols=len(columns))
    table.style = document.styles["Table Grid"]
    for cell, title in zip(table.rows[0].cells, columns, strict=True):
        documents.cell_text(cell, title, 12, bold=True)
    documents.repeat_header(table.rows[0])
    for values in rows:
        cells = table.add_row().cells
        bold = values[0] == ""  # the total line
        for index, (cell, value) in enumerate(zip(cells, values, strict=True)):
            text = f"{value:,}".replace(",", ".") if isinstance(value, int) and index > 0 else str(value)
            documents.cell_text(cell, text, 12, bold=bold,
                                align=WD_ALIGN_PARAGRAPH.LEFT if index in left else WD_ALIGN_PARAGRAPH.CENTER)
    documents.set_widths(table, [Cm(w) for w in widths_cm])
