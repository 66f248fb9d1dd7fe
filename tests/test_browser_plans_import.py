"""In a real browser: the reform office imports the appendix of plan 223/KH-UBND from the sample .docx."""

from __future__ import annotations

import re

import pytest

from tests.browser import sign_in

pytestmark = pytest.mark.browser


def count(page, selector: str) -> int:
    return int(re.search(r"\d+", page.locator(selector).inner_text()).group(0))


def test_the_reform_office_imports_the_sample_plan(page, tmp_path):
    from cchc.plans.models import ImportBatch, Plan

    sign_in(page, "cchc")
    page.goto("/plans/import/")
    with page.expect_download() as download:
        page.click("#sample-link")
    sample = tmp_path / download.value.suggested_filename
    download.value.save_as(sample)
    assert sample.suffix == ".docx"

    page.set_input_files("#id_file", sample)
    page.fill("#id_number", "223/KH-UBND")
    page.fill("#id_title", "Cải cách hành chính tỉnh Tuyên Quang năm 2025")
    page.select_option("#id_kind", "annual")
    page.select_option("#id_issuer", "P08")
    page.fill("#id_year", "2025")
    page.fill("#id_issued_on", "2024-12-23")
    page.click("#import-form button[type=submit]")

    # The preview: every row, the counts, Commit disabled with its reason.
    page.wait_for_selector("#import-summary")
    assert count(page, "#count-tasks") == 78
    assert count(page, "#count-unmatched") == 10
    assert count(page, "#count-time-frames") == 2
    assert page.locator("tr.import-row").count() == 78
    assert page.locator("#commit-button").is_disabled()
    assert "tên chưa khớp" in page.locator("#commit-reason").inner_text()
    assert "Hằng tháng" in page.locator("#import-rows").inner_text()

    # One unmatched name fixed with the select: the same name on the next row follows.
    name = "phòng Tư pháp huyện, thành phố"
    rows = page.locator("tr.import-row", has=page.locator(".import-name[data-status=unmatched]", has_text=name))
    assert rows.count() == 2
    select = rows.first.locator(".import-name[data-status=unmatched]", has_text=name).locator("select")
    select.select_option(label="Sở Tư pháp")
    page.wait_for_function("document.querySelector('#count-unmatched').textContent.trim().startsWith('8')")
    assert page.locator("tr.import-row", has=page.locator(".import-name[data-status=unmatched]", has_text=name)).count() == 0
    assert page.locator("#commit-button").is_disabled()

    # The rest: names kept as written, time frames accepted (to check on the board), then commit.
    page.click("#keep-all-names")
    page.wait_for_selector("#count-unmatched.text-bg-success")
    page.click("#accept-all-time-frames")
    page.wait_for_selector("#count-time-frames.text-bg-success")
    assert page.locator("#commit-button").is_enabled()
    page.click("#commit-button")
    page.wait_for_url(lambda url: "/plans/import/" not in url or "/plans/plan/" in url)
    assert "78 nhiệm vụ" in page.locator("main").inner_text()

    plan = Plan.objects.get(number="223/KH-UBND", created_by__username="cchc")
    assert plan.tasks.count() == 78
    assert plan.tasks.filter(units__text=name, units__unit__code="P08-2025-STP").count() == 2
    assert ImportBatch.objects.get(plan=plan).state == "committed"
