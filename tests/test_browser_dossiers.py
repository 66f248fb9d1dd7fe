"""In a real browser: the reform office uploads a catalogue and a dossier file on the import page,
waits for the result, opens the dashboard, chooses a unit and a month, and drills down into the
late dossiers without an apology letter."""

from __future__ import annotations

import pytest

from tests.browser import sign_in
from tests.test_dossiers_pages import HEADER, PROCEDURES, ROWS

pytestmark = pytest.mark.browser


def march_2025_rows() -> str:
    """The hand-made dossiers of the page tests, moved to March 2025 (before the demo's dossiers) and
    renamed BT-…, so that the demo's own dossiers do not change the numbers."""
    rows = []
    for row in ROWS:
        code, rest = row.split(",", 1)
        rows.append(f"BT-{code}," + rest.replace("2026", "2025"))
    return "\n".join([HEADER, *rows]) + "\n"


def test_the_reform_office_imports_a_file_and_drills_down_from_the_dashboard(page, tmp_path, settings):
    settings.CCHC_DOSSIER_IMPORT_DIR = tmp_path / "jobs"
    catalogue = tmp_path / "thu-tuc.csv"
    catalogue.write_text(PROCEDURES, encoding="utf-8")
    dossiers = tmp_path / "ho-so-thang-3-2025.csv"
    dossiers.write_text(march_2025_rows(), encoding="utf-8")

    sign_in(page, "cchc")
    page.goto("/dossiers/import/")
    page.check("input[name=kind][value=procedures]")
    page.set_input_files("#id_file", str(catalogue))
    page.click("#import-submit")
    page.wait_for_selector(".alert-success")

    page.check("input[name=kind][value=dossiers]")
    page.set_input_files("#id_file", str(dossiers))
    page.click("#import-submit")
    page.wait_for_selector("#import-job[data-state=done]")
    assert page.locator("#job-created").inner_text() == str(len(ROWS))

    page.click("#job-dashboard")
    page.wait_for_selector("#dossier-filters")
    page.select_option("#f-scope", "P08-SYT")
    page.select_option("#f-year", "2025")
    page.select_option("#f-part", "03")
    page.click("#f-submit")
    page.wait_for_selector("#unit-table tr[data-unit='P08-SYT']")
    assert page.locator("#dashboard-counts a[data-measure=received] .count").inner_text() == "8"
    assert page.locator("#on-time-rates [data-rate=on_time_rate_766] .rate").inner_text() == "62,50%"

    page.click("#unit-table tr[data-unit='P08-SYT'] td:nth-child(9) a")  # late without apology
    page.wait_for_selector("#dossier-table")
    listed = page.locator("#dossier-table tbody tr[data-code]").evaluate_all("rows => rows.map(r => r.dataset.code)")
    assert sorted(listed) == ["BT-D3", "BT-D6"]
    assert "measure=late_no_apology" in page.url
