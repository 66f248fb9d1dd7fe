"""The publication notice of a round as a DOCX (python-docx): a THÔNG BÁO of the provincial
People's Committee announcing the ranking.

The layout follows the format of administrative documents (Decree 30/2020/NĐ-CP, appendix I):
A4 portrait, margins 20/20/30/15 mm, Times New Roman; the two-column header (issuing body on
the left, the national name and motto on the right), the number and the place-and-date line,
the document type and its subject line, the body, then "Nơi nhận:" and the signature block.
The fixed text is Vietnamese whatever the interface language: the notice is a Vietnamese
administrative document. Numbers are printed Vietnamese style (comma decimals, half up).
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm

from cchc.core import documents
from cchc.core.documents import CONTENT_TYPE, FONT, RULE  # noqa: F401  (CONTENT_TYPE: used as notice.CONTENT_TYPE)
from cchc.frameworks.model import fmt_points

from .analysis import Notice, Standing
from .models import Round, RoundKind

COLUMNS_AGENCY = ["STT", "Cơ quan, đơn vị", "Điểm tự đánh giá", "Điểm thẩm định", "Chỉ số (%)", "Xếp hạng", "Xếp loại"]
COLUMNS_PROVINCIAL = ["STT", "Lĩnh vực (cơ quan chủ trì)", "Điểm tự đánh giá", "Điểm thẩm định", "Chỉ số (%)", "Xếp hạng", "Xếp loại"]
WIDTHS = [Cm(1.1), Cm(5.6), Cm(2.1), Cm(2.1), Cm(1.9), Cm(1.6), Cm(2.1)]  # 16.5 cm: the text width


def period(round_: Round) -> str:
    """The round in Vietnamese words: "tháng 9 năm 2026" or "năm 2026"."""
    year = round_.cycle.year
    if round_.kind == RoundKind.MONTHLY:
        return f"tháng {round_.month} năm {year}"
    return f"năm {year}"


def _lower_first(text: str) -> str:
    """Lower the first letter of a name put inside a sentence, unless it starts an acronym (CCHC)."""
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def subject_line(round_: Round) -> str:
    """The notice's subject (trích yếu)."""
    cycle = round_.cycle
    name = _lower_first(cycle.name.strip())
    if round_.kind == RoundKind.MONTHLY:
        return f"Kết quả {name}, kỳ {period(round_)}"
    return f"Kết quả {name}" if str(cycle.year) in name else f"Kết quả {name} {period(round_)}"


def province_lines(notice: Notice) -> tuple[str, str]:
    """("TỈNH TUYÊN QUANG", "Tuyên Quang"): the issuing body's second line and the place name."""
    return documents.province_names(notice.province)


def unit_text(row: Standing, provincial: bool) -> str:
    if provincial:
        return f"{row.key}. {row.domain_title} ({row.unit.name})"
    return row.label


def _points(value) -> str:
    return fmt_points(value) if value is not None else "—"


_run = documents.run
_para = documents.para
_cell = documents.cell_text
_widths = documents.set_widths


def _setup(document) -> None:
    documents.setup(document)


def _header(document, notice: Notice) -> None:
    body, place = province_lines(notice)
    year = notice.round.published_at.year if notice.round.published_at else notice.round.cycle.year
    documents.admin_header(
        document,
        body=[(documents.COMMITTEE, True), (body, True)],
        number="Số: ……/TB-UBND",
        date=documents.date_line(place, year=year),
        widths=(Cm(6.3), Cm(10.2)),
    )


def _results(document, notice: Notice) -> None:
    columns = COLUMNS_PROVINCIAL if notice.provincial else COLUMNS_AGENCY
    table = document.add_table(rows=1, cols=len(columns))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, title in zip(table.rows[0].cells, columns, strict=True):
        _cell(cell, title, 13, bold=True)
    for position, row in enumerate(notice.rows, start=1):
        cells = table.add_row().cells
        values = [
            str(position), unit_text(row, notice.provincial), _points(row.self_score), _points(row.final),
            _points(row.index), str(row.rank) if row.rank is not None else "—", row.band.label if row.band else "",
        ]
        for index, (cell, value) in enumerate(zip(cells, values, strict=True)):
            _cell(cell, value, 13, align=WD_ALIGN_PARAGRAPH.LEFT if index == 1 else WD_ALIGN_PARAGRAPH.CENTER)
    _widths(table, WIDTHS)
    documents.repeat_header(table.rows[0])  # the header row repeats on every page


def _signature(document, notice: Notice) -> None:
    table = document.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    _cell(left, "Nơi nhận:", 12, bold=True, italic=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    recipients = [
        "- Bộ Nội vụ (b/c);",
        "- Thường trực Tỉnh ủy (b/c);",
        "- Thường trực HĐND tỉnh (b/c);",
        "- Chủ tịch, các Phó Chủ tịch UBND tỉnh;",
        "- Các cơ quan chủ trì lĩnh vực;" if notice.provincial else "- Các sở, ban, ngành;",
        "- Lưu: VT, SNV.",
    ]
    for line in recipients:
        _cell(left, line, 11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _cell(right, "TM. ỦY BAN NHÂN DÂN", 14, bold=True)
    _cell(right, "CHỦ TỊCH", 14, bold=True)
    for _blank in range(4):
        _cell(right, " ", 14)
    head = notice.province.head_name if notice.province is not None else ""
    _cell(right, head or " ", 14, bold=True)
    _widths(table, [Cm(7.0), Cm(9.5)])


def render_docx(notice: Notice) -> bytes:
    """The notice as a .docx file."""
    document = Document()
    _setup(document)
    document.core_properties.title = f"Thông báo {subject_line(notice.round)}"
    document.core_properties.language = "vi-VN"
    _header(document, notice)
    _para(document, "THÔNG BÁO", 14, bold=True, before=18)
    _para(document, subject_line(notice.round), 14, bold=True)
    _para(document, RULE, 8, after=12)
    round_ = notice.round
    _para(
        document,
        "Căn cứ kết quả tự đánh giá, chấm điểm của các cơ quan, đơn vị và kết quả thẩm định của Hội đồng thẩm định; "
        f"Ủy ban nhân dân tỉnh thông báo kết quả {_lower_first(round_.cycle.name.strip())}, kỳ {period(round_)} như sau:",
        14, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True, after=6,
    )
    if notice.provincial and notice.total_max:
        _para(
            document,
            f"1. Tổng điểm tự đánh giá của tỉnh: {_points(notice.self_total)}/{_points(notice.total_max)} điểm; "
            f"điểm sau thẩm định: {_points(notice.final_total)} điểm, đạt {_points(notice.total_index)}%.",
            14, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True, after=6,
        )
        _para(document, "2. Kết quả theo từng lĩnh vực:", 14, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True, after=6)
    _results(document, notice)
    _para(
        document,
        "Ủy ban nhân dân tỉnh thông báo để các cơ quan, đơn vị biết, duy trì kết quả đạt được và "
        "khắc phục ngay các tiêu chí còn bị trừ điểm./.",
        14, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True, before=12, after=12,
    )
    _signature(document, notice)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def filename(round_: Round) -> str:
    return f"thong-bao-{round_.cycle.code}-{round_.code}"
