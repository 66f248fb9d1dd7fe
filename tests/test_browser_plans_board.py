"""In a real browser: a department officer reports progress; the reform office's board shows it without reloading."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.browser import sign_in

pytestmark = pytest.mark.browser


def make_task():
    """A plan followed by Sở Nội vụ with one task led by Sở Y tế, and a document in Sở Y tế's register."""
    from django.utils import timezone

    from cchc.assessments.models import Evidence
    from cchc.orgs.models import OrgUnit
    from cchc.plans.models import Plan, Section, Task, TaskRole, TaskUnit

    province = OrgUnit.objects.get(code="P08")
    current = OrgUnit.objects.current().filter(province=province)
    yte, snv, xd = current.get(name="Sở Y tế"), current.get(name="Sở Nội vụ"), current.get(name="Sở Xây dựng")
    today = timezone.localdate()
    plan = Plan.objects.create(
        code="kh-cchc-trinh-duyet", number="88/KH-UBND", title="Kế hoạch cải cách hành chính (thử trên trình duyệt)",
        issuer=province, owner=snv, year=today.year, issued_on=today - timedelta(days=30),
    )
    section = Section.objects.create(plan=plan, label="I", title="Cải cách thủ tục hành chính", position=1)
    task = Task.objects.create(
        plan=plan, section=section, number="1", position=1, content="Rà soát, đơn giản hóa thủ tục hành chính ngành y tế",
        time_frame_text="Trong tháng", due=today + timedelta(days=2),
    )
    TaskUnit.objects.create(task=task, role=TaskRole.LEAD, unit=yte, text="Sở Y tế")
    TaskUnit.objects.create(task=task, role=TaskRole.COORDINATING, unit=xd, text="Sở Xây dựng")
    overdue = Task.objects.create(
        plan=plan, section=section, number="2", position=2, content="Công bố danh mục thủ tục hành chính",
        due=today - timedelta(days=3),
    )
    TaskUnit.objects.create(task=overdue, role=TaskRole.LEAD, unit=xd, text="Sở Xây dựng")
    evidence = Evidence.objects.create(owner=yte, number="15/BC-SYT", title="Báo cáo kết quả rà soát thủ tục hành chính")
    return task, overdue, evidence


def test_an_officer_reports_progress_and_the_open_board_shows_it_after_the_next_poll(page, browser, live_demo):
    task, overdue, evidence = make_task()
    row = f"#board-tasks tr[data-task='{task.uuid}']"

    # The reform office keeps the board open (polling every second for the test).
    sign_in(page, "cchc")
    page.goto(f"/plans/board/?plan={task.plan.code}&poll=1")
    assert page.locator(f"#board-tasks tr[data-task='{overdue.uuid}']").get_attribute("data-status") == "overdue"
    order = page.locator("#board-tasks tbody tr").evaluate_all("rows => rows.map(r => r.dataset.task)")
    assert order == [str(overdue.uuid), str(task.uuid)]  # overdue first
    assert page.locator(row).get_attribute("data-status") == "not_started"
    assert page.locator(f"{row} .task-percent").inner_text() == "0%"
    page.evaluate("window.__notReloaded = true")

    # A department officer, in another browser session, opens My tasks and reports 50%.
    officer_context = browser.new_context(locale="vi-VN", base_url=live_demo.url)
    officer = officer_context.new_page()
    officer.set_default_timeout(10_000)
    try:
        sign_in(officer, "yte")
        officer.goto("/plans/my/")
        officer.click(f"#my-week tr[data-task='{task.uuid}'] a")
        officer.wait_for_selector("#progress-form")
        officer.fill("#p-percent", "50")
        officer.fill("#p-note", "Đã rà soát 40/80 thủ tục, đề xuất đơn giản hóa 12 thủ tục")
        officer.check(f"#p-evidence input[value='{evidence.uuid}']")
        officer.click("#progress-submit")
        officer.wait_for_selector("#task-panel .alert-success")
        update = officer.locator("#task-updates li").first.inner_text()
        assert "50%" in update and "Đã rà soát 40/80 thủ tục" in update and "Vũ Thị Mai" in update
        assert "15/BC-SYT" in update
    finally:
        officer_context.close()

    # The board shows it after the next poll, without a reload.
    page.wait_for_function(
        f"document.querySelector(\"{row} .task-percent\") && document.querySelector(\"{row} .task-percent\").textContent.trim() === '50%'"
    )
    assert page.locator(row).get_attribute("data-status") == "in_progress"
    assert "Vũ Thị Mai" in page.locator(row).inner_text()
    assert page.evaluate("window.__notReloaded") is True


def test_the_reform_office_moves_a_task_to_another_lead_and_quarter_in_the_form(page, live_demo):
    from django.utils import timezone

    from cchc.frameworks.models import Criterion

    task, _overdue, _evidence = make_task()
    year = timezone.localdate().year
    criterion = Criterion.objects.filter(framework__code="AGENCY-DEPT-TEMPLATE", code="1.1.2").get()
    sign_in(page, "cchc")
    page.goto(f"/plans/tasks/{task.uuid}/")
    page.click("#task-edit-link")
    page.wait_for_selector("#tf-preview span")  # the reading of the current time frame, loaded with the form
    page.fill("#e-time-frame", f"Quý IV/{year}")
    page.wait_for_selector(f"#tf-reading strong:has-text('/12/{year}')")  # read again while typing
    page.select_option("#e-leads", label="Sở Nội vụ")
    page.select_option("#e-criteria", value=str(criterion.pk))
    page.click("#task-edit-save")
    page.wait_for_url(f"**/plans/tasks/{task.uuid}/")
    assert "Đã lưu: thời hạn, đơn vị chủ trì, tiêu chí." in page.inner_text(".messages")
    assert page.inner_text("#task-due").endswith(f"/12/{year}")  # the last working day of the quarter
    assert "Sở Nội vụ" in page.inner_text("#task-units") and "Sở Y tế" not in page.inner_text("#task-units")
    assert "1.1.2" in page.inner_text("#task-facts")
