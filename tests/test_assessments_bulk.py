"""Scores in bulk through the XLSX template: all rows or none, errors named by row and column."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from cchc.assessments.models import Submission

pytestmark = pytest.mark.django_db
ARGS = ["tq-2026-chi-so-tinh", "2026-11", "P08", "2"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def draft():
    return Submission.objects.get(round__cycle__code=ARGS[0], round__code=ARGS[1], domain="2")


def template(client):
    response = client.get(reverse("assessments:bulk_template", args=ARGS))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    return load_workbook(io.BytesIO(response.content))


def header_row(sheet):
    return next(i for i, row in enumerate(sheet.iter_rows(values_only=True), start=1) if row and row[0] == "Mã")


def upload(client, workbook, name="diem.xlsx"):
    out = io.BytesIO()
    workbook.save(out)
    return client.post(reverse("assessments:bulk_upload", args=ARGS), {"file": SimpleUploadedFile(name, out.getvalue(), XLSX)}, follow=True)


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_template_lists_every_leaf_of_the_submission(draft, login):
    sheet = template(login("tuphap")).active
    start = header_row(sheet)
    codes = [row[0] for row in sheet.iter_rows(min_row=start + 1, values_only=True) if row[0]]
    assert codes == list(draft.entries.order_by("criterion__position").values_list("criterion__code", flat=True))


def test_a_filled_in_template_saves_every_row(draft, login):
    client = login("tuphap")
    first = Decimal("0.5") if draft.entries.get(criterion__code="2.1.1").self_score != Decimal("0.5") else Decimal("0.25")
    second = Decimal("1.25") if draft.entries.get(criterion__code="2.3").self_score != Decimal("1.25") else Decimal("1")
    workbook = template(client)
    sheet = workbook.active
    start = header_row(sheet)
    for row in sheet.iter_rows(min_row=start + 1):
        if row[0].value == "2.1.1":
            row[4].value = float(first)  # a number cell, as Excel stores it
            row[8].value = "Theo báo cáo số 15/BC-STP"
        if row[0].value == "2.3":
            row[4].value = str(second).replace(".", ",")  # typed as Vietnamese text
    response = upload(client, workbook)
    assert any("2 tiêu chí" in m for m in messages_of(response)), messages_of(response)
    e = draft.entries.get(criterion__code="2.1.1")
    assert e.self_score == first and e.explanation == "Theo báo cáo số 15/BC-STP"
    assert draft.entries.get(criterion__code="2.3").self_score == second


def test_a_file_with_a_wrong_row_saves_nothing_and_names_the_rows(draft, login):
    client = login("tuphap")
    workbook = template(client)
    sheet = workbook.active
    start = header_row(sheet)
    before = {e.criterion.code: e.self_score for e in draft.entries.select_related("criterion")}
    lines = {}
    for index, row in enumerate(sheet.iter_rows(min_row=start + 1), start=start + 1):
        if row[0].value == "2.1.1":
            row[4].value = 0.5  # valid, but must not be saved
        if row[0].value == "2.1.2":
            row[4].value = 9  # above the max of 1.00
            lines["above"] = index
    sheet.append(["9.9.9", "Không có", None, None, 1])
    lines["unknown"] = sheet.max_row
    text = " | ".join(messages_of(upload(client, workbook)))
    assert f"dòng {lines['above']}" in text and f"dòng {lines['unknown']}" in text and "9.9.9" in text
    assert {e.criterion.code: e.self_score for e in draft.entries.select_related("criterion")} == before


def test_a_file_that_is_not_a_spreadsheet_is_refused_clearly(draft, login):
    response = login("tuphap").post(
        reverse("assessments:bulk_upload", args=ARGS), {"file": SimpleUploadedFile("diem.xlsx", b"not a workbook", XLSX)}, follow=True
    )
    assert any("diem.xlsx" in m and "bảng tính" in m for m in messages_of(response))


def test_another_unit_cannot_download_or_upload_the_template(login):
    client = login("yte")
    assert client.get(reverse("assessments:bulk_template", args=ARGS)).status_code == 404
    assert client.post(reverse("assessments:bulk_upload", args=ARGS)).status_code == 404
