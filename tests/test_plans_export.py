"""A plan's assignment table (biểu phân công nhiệm vụ) exported to DOCX and XLSX, and read back."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse

from cchc.orgs.models import OrgGroup, OrgUnit
from cchc.plans.export import COLUMNS, STATUS_COLUMNS, export_plan
from cchc.plans.models import Plan, Section, Task, TaskRole, TaskUnit
from cchc.plans.tables import read_plan_table

pytestmark = pytest.mark.django_db

ON = dt.date(2031, 6, 1)
CODE = "kh-bieu-phan-cong"


def add_task(plan, section, position, number, content, lead, coordinating=(), **fields) -> Task:
    task = Task.objects.create(plan=plan, section=section, position=position, number=number, content=content, **fields)
    TaskUnit.objects.create(task=task, role=TaskRole.LEAD, unit=lead, text=lead.name)
    for other in coordinating:
        if isinstance(other, OrgGroup):
            TaskUnit.objects.create(task=task, role=TaskRole.COORDINATING, group=other, text=other.name)
        else:
            TaskUnit.objects.create(task=task, role=TaskRole.COORDINATING, unit=other, text=other.name)
    return task


@pytest.fixture
def plan(demo):
    snv = OrgUnit.objects.get(code="P08-SNV")
    a, b = demo["unit_a"], demo["unit_b"]
    group = OrgGroup.objects.get(code="P08-G-SBN")
    plan = Plan.objects.create(
        code=CODE, number="99/KH-UBND", title="Kế hoạch cải cách hành chính năm 2031",
        issuer=demo["province"], owner=snv, issued_on=dt.date(2031, 1, 5), year=2031,
    )
    one = Section.objects.create(plan=plan, label="I", title="CẢI CÁCH THỂ CHẾ", position=1)
    two = Section.objects.create(plan=plan, label="II", title="CẢI CÁCH THỦ TỤC HÀNH CHÍNH", position=2)
    add_task(plan, one, 1, "1", "Rà soát văn bản quy phạm pháp luật", snv, [group], output="Báo cáo rà soát",
             time_frame_text="Quý II/2031", due=dt.date(2031, 6, 30), progress=40)
    add_task(plan, one, 2, "2", "Kiểm tra công tác cải cách hành chính", snv, [a, b], output="Kế hoạch kiểm tra",
             completion_text="Trước ngày 15/5/2031", due=dt.date(2031, 5, 15))
    add_task(plan, two, 3, "1", "Công khai thủ tục hành chính ngành y tế", a, [snv], output="Thủ tục được công khai",
             time_frame_text="Tháng 3/2031", due=dt.date(2031, 3, 31), done_at=dt.date(2031, 3, 20), progress=100)
    add_task(plan, two, 4, "2", "Số hóa hồ sơ cấp phép xây dựng", b, output="Hồ sơ được số hóa",
             time_frame_text="Thường xuyên")
    return plan


def docx(plan, **kwargs):
    from docx import Document

    return Document(io.BytesIO(export_plan(plan, "docx", on=ON, **kwargs)))


def test_the_docx_is_a_landscape_appendix_with_the_committees_header_and_one_row_per_task(plan):
    from docx.enum.section import WD_ORIENT

    document = docx(plan)
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert round(section.page_width.mm) == 297 and round(section.page_height.mm) == 210
    assert document.styles["Normal"].font.name == "Times New Roman"
    header = document.tables[0]
    assert header.cell(0, 0).text.splitlines()[:2] == ["ỦY BAN NHÂN DÂN", "TỈNH TUYÊN QUANG"]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in header.cell(0, 1).text
    assert "Độc lập - Tự do - Hạnh phúc" in header.cell(0, 1).text
    assert header.cell(1, 0).text == "Số: 99/KH-UBND"
    assert header.cell(1, 1).text == "Tuyên Quang, ngày 05 tháng 01 năm 2031"
    lines = [p.text for p in document.paragraphs if p.text.strip()]
    assert lines[:3] == [
        "PHỤ LỤC",
        "BIỂU PHÂN CÔNG NHIỆM VỤ THỰC HIỆN KẾ HOẠCH CẢI CÁCH HÀNH CHÍNH NĂM 2031",
        "(Kèm theo Kế hoạch số 99/KH-UBND ngày 05/01/2031 của UBND tỉnh Tuyên Quang)",
    ]

    table = document.tables[1]
    assert [c.text for c in table.rows[0].cells] == COLUMNS
    assert len(table.rows) == 1 + 2 + 4  # the header, two sections, four tasks
    texts = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert texts[0] == ["I"] + ["CẢI CÁCH THỂ CHẾ"] * 5  # a section row: merged across the table
    section_row = table.rows[1]
    assert section_row.cells[1]._tc is section_row.cells[-1]._tc
    assert texts[1] == [
        "1", "Rà soát văn bản quy phạm pháp luật", "Báo cáo rà soát", "Sở Nội vụ", "Các sở, ban, ngành", "Quý II/2031",
    ]
    assert texts[2][3:] == ["Sở Nội vụ", "Sở Y tế; Sở Xây dựng", "Trước ngày 15/5/2031"]
    assert texts[3][0] == "II"
    assert texts[5][1:] == ["Số hóa hồ sơ cấp phép xây dựng", "Hồ sơ được số hóa", "Sở Xây dựng", "", "Thường xuyên"]
    run = table.rows[2].cells[1].paragraphs[0].runs[0]
    assert run.font.name == "Times New Roman" and run.font.size.pt == 12


def test_status_columns_only_when_asked(plan):
    plain = docx(plan).tables[1]
    assert len(plain.columns) == 6
    table = docx(plan, with_status=True).tables[1]
    assert [c.text for c in table.rows[0].cells] == COLUMNS + STATUS_COLUMNS
    status = {row.cells[1].text: (row.cells[6].text, row.cells[7].text) for row in table.rows[1:] if row.cells[0].text not in ("I", "II")}
    assert status == {
        "Rà soát văn bản quy phạm pháp luật": ("Đang thực hiện", "40"),
        "Kiểm tra công tác cải cách hành chính": ("Quá hạn", "0"),  # due 15/5, open on 1/6
        "Công khai thủ tục hành chính ngành y tế": ("Hoàn thành đúng hạn", "100"),
        "Số hóa hồ sơ cấp phép xây dựng": ("Chưa thực hiện", "0"),
    }
    overdue = next(row for row in table.rows if row.cells[6].text == "Quá hạn").cells[6].paragraphs[0].runs[0]
    assert overdue.font.color.rgb is not None and str(overdue.font.color.rgb) == "DC3545"  # red, as on the board
    paragraphs = [p.text for p in docx(plan, with_status=True).paragraphs]
    assert "Tình hình thực hiện đến ngày 01/6/2031" in paragraphs


def test_the_xlsx_opens_with_merged_section_rows_and_status_when_asked(plan):
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(export_plan(plan, "xlsx", on=ON))).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = rows.index(COLUMNS)
    assert rows[0][0] == "PHỤ LỤC" and rows[1][0].startswith("BIỂU PHÂN CÔNG NHIỆM VỤ")
    body = rows[header + 1:]
    assert [r[0] for r in body] == ["I", "1", "2", "II", "1", "2"]
    assert body[0][1] == "CẢI CÁCH THỂ CHẾ"
    merged = {str(rng) for rng in sheet.merged_cells.ranges}
    first = header + 2  # 1-based row of section I
    assert f"B{first}:F{first}" in merged
    assert sheet.page_setup.orientation == "landscape"

    with_status = load_workbook(io.BytesIO(export_plan(plan, "xlsx", with_status=True, on=ON))).active
    rows = [list(r) for r in with_status.iter_rows(values_only=True)]
    header = rows.index(COLUMNS + STATUS_COLUMNS)
    by_content = {r[1]: r for r in rows[header + 1:]}
    assert by_content["Kiểm tra công tác cải cách hành chính"][6:] == ["Quá hạn", 0]
    assert by_content["Rà soát văn bản quy phạm pháp luật"][6:] == ["Đang thực hiện", 40]


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_the_exported_table_reads_back_with_the_plan_table_reader(plan, fmt):
    rows = read_plan_table(export_plan(plan, fmt, on=ON), filename=f"bieu.{fmt}")
    assert [(r.section, r.number, r.content, r.lead) for r in rows] == [
        (("I",), "1", "Rà soát văn bản quy phạm pháp luật", "Sở Nội vụ"),
        (("I",), "2", "Kiểm tra công tác cải cách hành chính", "Sở Nội vụ"),
        (("II",), "1", "Công khai thủ tục hành chính ngành y tế", "Sở Y tế"),
        (("II",), "2", "Số hóa hồ sơ cấp phép xây dựng", "Sở Xây dựng"),
    ]
    assert rows[1].coordinating == "Sở Y tế; Sở Xây dựng" and rows[1].output == "Kế hoạch kiểm tra"


def test_the_export_routes_go_through_the_permission_layer(plan, login):
    url = reverse("plans:plan_export", args=[CODE, "docx"])
    response = login("yte").get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert response["Content-Disposition"] == f'attachment; filename="bieu-phan-cong-{CODE}.docx"'
    from docx import Document

    assert len(Document(io.BytesIO(response.content)).tables[1].columns) == 6
    with_status = login("lanhdao").get(url, {"status": "1"})
    assert with_status.status_code == 200 and "-tien-do.docx" in with_status["Content-Disposition"]
    assert len(Document(io.BytesIO(with_status.content)).tables[1].columns) == 8
    xlsx = login("xaydung").get(reverse("plans:plan_export", args=[CODE, "xlsx"]), {"status": "1"})
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert login(None).get(url).status_code == 302  # to the sign-in page
    assert login("yte").get(reverse("plans:plan_export", args=["khong-co", "docx"])).status_code == 404
    assert login("yte").get(reverse("plans:plan_export", args=[CODE, "pdf"])).status_code == 404
