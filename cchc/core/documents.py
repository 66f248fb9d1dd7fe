"""Building blocks of Vietnamese administrative documents as .docx (python-docx).

The format of administrative documents (Decree 30/2020/NĐ-CP, appendix I): A4, Times New Roman,
margins 20/20/30/15 mm (top, bottom, left, right); the two-column header with the issuing body on
the left and the national name and motto on the right, then the number and the place-and-date
line. Documents of several modules (the publication notice of a round, a plan's assignment
table...) share these helpers; their fixed text is Vietnamese whatever the interface language.
"""

from __future__ import annotations

import datetime as dt

from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

FONT = "Times New Roman"
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
RULE = "——————"
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
COMMITTEE = "ỦY BAN NHÂN DÂN"
HEADER_WIDTHS = (Cm(6.3), Cm(10.2))  # portrait: 16.5 cm, the text width


def run(paragraph, text: str, size: float, *, bold: bool = False, italic: bool = False, color=None):
    """A run in Times New Roman (every script slot, so that Word does not substitute a font)."""
    result = paragraph.add_run(text)
    result.font.name = FONT
    result.font.size = Pt(size)
    result.bold = bold
    result.italic = italic
    if color is not None:
        result.font.color.rgb = color
    fonts = result._element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)
    return result


def para(container, text: str = "", size: float = 14, *, bold: bool = False, italic: bool = False,
         align=WD_ALIGN_PARAGRAPH.CENTER, before: float = 0, after: float = 0, indent: bool = False):
    """A new paragraph in ``container`` (the document or a cell)."""
    paragraph = container.add_paragraph()
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    if indent:
        fmt.first_line_indent = Cm(1.27)
    if text:
        run(paragraph, text, size, bold=bold, italic=italic)
    return paragraph


def cell_text(cell, text: str, size: float = 13, *, bold: bool = False, italic: bool = False,
              align=WD_ALIGN_PARAGRAPH.CENTER, color=None):
    """Write into a table cell (its first paragraph, then new ones)."""
    paragraph = cell.paragraphs[0] if not cell.paragraphs[0].text and not cell.paragraphs[0].runs else cell.add_paragraph()
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    run(paragraph, text, size, bold=bold, italic=italic, color=color)
    return paragraph


def set_widths(table, widths) -> None:
    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=False):
            cell.width = width


def repeat_header(row) -> None:
    """The table row repeats at the top of every page."""
    properties = row._tr.get_or_add_trPr()
    properties.append(properties.makeelement(qn("w:tblHeader"), {qn("w:val"): "true"}))


def setup(document, *, landscape: bool = False, size: float = 14) -> None:
    """A4 (portrait or landscape) with the margins of the decree, Times New Roman as the Normal style."""
    section = document.sections[0]
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(size)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    normal.paragraph_format.space_after = Pt(0)


def text_width(document):
    """The width between the margins of the first section."""
    section = document.sections[0]
    return section.page_width - section.left_margin - section.right_margin


def province_names(province) -> tuple[str, str]:
    """("TỈNH TUYÊN QUANG", "Tuyên Quang") for a province unit: the issuing body's second line and the place name."""
    if province is None:
        return "TỈNH", "……"
    place = province.short_name or province.name
    for prefix in ("Tỉnh ", "Thành phố ", "tỉnh ", "thành phố "):
        if place.startswith(prefix):
            place = place[len(prefix):]
    return province.name.upper(), place


def vn_date(day: dt.date | None) -> str:
    """15/7/2021, 05/02/2026: days below 10 and months below 3 take a leading zero (decree 30)."""
    if day is None:
        return "……"
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{day.day:02d}/{month}/{day.year}"


def date_line(place: str, day: dt.date | None = None, year: int | None = None) -> str:
    """"Tuyên Quang, ngày 05 tháng 3 năm 2026", or with dots for the day and month when unknown."""
    if day is None:
        return f"{place}, ngày …… tháng …… năm {year or '……'}"
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def admin_header(document, *, body: list[tuple[str, bool]], number: str, date: str, widths=HEADER_WIDTHS):
    """The two-column header: the issuing body (lines with their boldness), the national name and motto,
    then "Số: ..." and the place-and-date line. Returns the table."""
    table = document.add_table(rows=2, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    for text, bold in body:
        cell_text(left, text, 13, bold=bold)
    cell_text(left, RULE, 8)
    cell_text(right, NATION, 13, bold=True)
    cell_text(right, MOTTO, 14, bold=True)
    cell_text(right, RULE * 2, 8)
    number_cell, date_cell = table.rows[1].cells
    cell_text(number_cell, number, 13)
    cell_text(date_cell, date, 14, italic=True)
    set_widths(table, list(widths))
    return table


def committee_lines(province) -> list[tuple[str, bool]]:
    """The issuing body of a provincial People's Committee: "ỦY BAN NHÂN DÂN" / "TỈNH TUYÊN QUANG"."""
    return [(COMMITTEE, True), (province_names(province)[0], True)]
