"""In a real browser: from the ranking to a department's scorecard, sorted by points lost."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.browser import sign_in

pytestmark = pytest.mark.browser


def test_the_reform_office_goes_from_the_ranking_to_a_scorecard_and_sorts_it(page):
    sign_in(page, "cchc")
    page.click("nav >> text=Chỉ số")
    page.click("text=AGENCY-DEPT-TEMPLATE")
    page.click("text=Xếp hạng")
    rows = page.locator("#ranking tbody tr")
    assert rows.count() == 13
    assert rows.first.locator("td").first.inner_text().strip() == "1"
    assert page.locator(".ranking-chart rect.bar").count() == 13
    first_unit = rows.first.locator("a").inner_text()
    rows.first.locator("a").click()
    page.wait_for_url("**/scorecard/**")
    assert page.locator("h1").inner_text().startswith(first_unit)
    assert "/ 100,00" in page.locator("#total-score").inner_text()
    page.click("th >> text=Điểm bị mất")
    page.wait_for_url("**sort=-lost")
    lost = [cell.inner_text() for cell in page.locator("table.scorecard tbody tr td:last-child").all()]
    numbers = [Decimal(v.replace(",", ".")) for v in lost if v]
    assert numbers == sorted(numbers, reverse=True)


def test_the_scorecard_of_ha_giang_2020_shows_the_printed_and_the_computed_totals(page):
    sign_in(page, "lanhdao")
    page.goto("/indexes/HG-214-2021/v1/scorecard/P02-2025/2020/")
    assert page.locator("#total-score").inner_text() == "55,62 / 66,50"
    findings = page.locator("#findings").inner_text()
    assert "56,13" in findings and "55,62" in findings and "7.1" in findings
    assert page.locator("tr[data-code='2.2'] td.table-danger").inner_text() == "1,50"
