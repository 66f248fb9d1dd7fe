"""Task statuses on the board, progress with evidence, contributions, closing, extensions, events.

Plans are created here with the ORM: the plan import is another module. Today is fixed at
15/06/2026 (a Monday) through ``services.today``.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.urls import reverse

from cchc.plans import services
from cchc.plans.status import Status

TODAY = date(2026, 6, 15)  # a Monday
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(services, "today", lambda: TODAY)


@pytest.fixture
def units(demo):
    from cchc.orgs.models import OrgUnit

    current = OrgUnit.objects.current().filter(province=demo["province"])
    return {
        "a": demo["unit_a"],  # Sở Y tế (yte)
        "b": demo["unit_b"],  # Sở Xây dựng (xaydung)
        "snv": current.get(name="Sở Nội vụ"),
        "stp": current.get(name="Sở Tư pháp"),
        "province": demo["province"],
    }


def make_plan(units, code="kh-cchc-2026", owner="snv"):
    from cchc.plans.models import Plan, Section

    plan = Plan.objects.create(
        code=code, number="99/KH-UBND", title="Kế hoạch cải cách hành chính năm 2026", issuer=units["province"],
        owner=units[owner], year=2026, issued_on=date(2026, 1, 10),
    )
    Section.objects.create(plan=plan, label="I", title="Cải cách thể chế", position=1)
    return plan


def make_task(plan, *, lead, coordinating=(), position=None, criteria=(), **fields):
    from cchc.plans.models import Task, TaskRole, TaskUnit

    position = position if position is not None else plan.tasks.count() + 1
    fields.setdefault("content", f"Nhiệm vụ {position}")
    task = Task.objects.create(plan=plan, section=plan.sections.first(), number=str(position), position=position, **fields)
    TaskUnit.objects.create(task=task, role=TaskRole.LEAD, unit=lead, text=lead.name)
    for unit in coordinating:
        TaskUnit.objects.create(task=task, role=TaskRole.COORDINATING, unit=unit, text=unit.name)
    task.criteria.set(criteria)
    return task


@pytest.fixture
def plan(units):
    return make_plan(units)


@pytest.fixture
def task(plan, units):
    """Led by Sở Y tế, with Sở Xây dựng coordinating; due at the end of the month."""
    return make_task(plan, lead=units["a"], coordinating=[units["b"]], due=date(2026, 6, 30), content="Rà soát thủ tục hành chính ngành y tế")


@pytest.fixture
def evidence_a(units):
    from cchc.assessments.models import Evidence

    return Evidence.objects.create(owner=units["a"], number="12/BC-SYT", title="Báo cáo rà soát thủ tục hành chính quý II")


def user(name):
    from cchc.accounts.models import User

    return User.objects.get(username=name)


def row_status(html: str, task) -> str:
    found = re.search(rf'data-task="{task.uuid}" data-status="([a-z_]+)"', html)
    assert found, f"task {task.number} is not on the page"
    return found.group(1)


def task_order(html: str) -> list[str]:
    return re.findall(r'<tr class="mark-[a-z_]+" data-task="([0-9a-f-]+)"', html)


# --- statuses on the board ---------------------------------------------------------------


@pytest.mark.django_db
def test_the_board_shows_each_task_with_the_colour_of_its_status(login, plan, units):
    tasks = {
        Status.NOT_STARTED: make_task(plan, lead=units["a"], due=date(2026, 12, 31)),
        Status.IN_PROGRESS: make_task(plan, lead=units["a"], due=date(2026, 12, 31), progress=40),
        Status.OVERDUE: make_task(plan, lead=units["a"], due=date(2026, 6, 1)),
        Status.DONE_ON_TIME: make_task(plan, lead=units["a"], due=date(2026, 6, 1), done_at=date(2026, 5, 30)),
        Status.DONE_LATE: make_task(plan, lead=units["a"], due=date(2026, 5, 1), done_at=date(2026, 5, 3)),
        Status.WAITING: make_task(plan, lead=units["a"], waits_for="Sau khi UBND tỉnh ban hành Đề án"),
    }
    html = login("lanhdao").get(reverse("plans:board")).content.decode()
    for expected, task in tasks.items():
        assert row_status(html, task) == expected.value
    assert 'class="badge status status-overdue"' in html
    from django.contrib.staticfiles import finders

    css = Path(finders.find("cchc/cchc.css")).read_text(encoding="utf-8")  # the page's stylesheet
    assert "cchc/cchc.css" in html
    for status, colour in (("overdue", "#dc3545"), ("done_on_time", "#198754"), ("done_late", "#fd7e14"), ("in_progress", "#0d6efd"), ("not_started", "#6c757d")):
        assert f".status-{status} {{ background-color: {colour}; }}" in css  # red, green, orange, blue, grey


@pytest.mark.django_db
def test_a_task_passing_its_due_date_turns_red(login, monkeypatch, task):
    client = login("cchc")
    assert row_status(client.get(reverse("plans:board")).content.decode(), task) == "not_started"
    monkeypatch.setattr(services, "today", lambda: date(2026, 6, 30))
    assert row_status(client.get(reverse("plans:board")).content.decode(), task) == "not_started"
    monkeypatch.setattr(services, "today", lambda: date(2026, 7, 1))
    html = client.get(reverse("plans:board")).content.decode()
    assert row_status(html, task) == "overdue"
    assert "muộn 1 ngày" in html
    page = client.get(reverse("plans:task_detail", args=[task.uuid])).content.decode()
    assert 'class="badge status status-overdue"' in page


@pytest.mark.django_db
def test_the_board_lists_overdue_first_the_oldest_deadline_first(login, plan, units):
    done = make_task(plan, lead=units["a"], due=date(2026, 6, 1), done_at=date(2026, 5, 30))
    later = make_task(plan, lead=units["a"], due=date(2026, 9, 30), progress=10)
    recent = make_task(plan, lead=units["a"], due=date(2026, 6, 10))
    oldest = make_task(plan, lead=units["b"], due=date(2026, 3, 31))
    html = login("cchc").get(reverse("plans:board")).content.decode()
    order = task_order(html)
    assert order.index(str(oldest.uuid)) < order.index(str(recent.uuid)) < order.index(str(later.uuid)) < order.index(str(done.uuid))


@pytest.mark.django_db
def test_the_board_counts_tasks_by_status_and_by_lead_unit(login, plan, units):
    make_task(plan, lead=units["a"], due=date(2026, 6, 1))
    make_task(plan, lead=units["a"], due=date(2026, 6, 1), done_at=date(2026, 6, 1))
    make_task(plan, lead=units["b"], due=date(2026, 12, 1))
    html = login("cchc").get(reverse("plans:board"), {"plan": plan.code}).content.decode()
    counts = dict(re.findall(r'data-status="([a-z_]+)" href="[^"]*">[^<]*<span class="count">(\d+)</span>', html))
    assert counts["overdue"] == "1" and counts["done_on_time"] == "1" and counts["not_started"] == "1"
    unit_a = re.search(rf'<tr data-unit="{units["a"].code}">(.*?)</tr>', html, re.S).group(1)
    assert "1/2 (50,0%)" in unit_a or "1/2 (50.0%)" in unit_a


@pytest.mark.django_db
def test_the_board_filters_by_plan_unit_criterion_time_and_status(login, plan, units):
    from cchc.frameworks.models import Criterion

    criterion = Criterion.objects.filter(framework__code="AGENCY-DEPT-TEMPLATE", code="1.1.2").select_related("framework").first()
    other_plan = make_plan(units, code="kh-khac-2026")
    a_june = make_task(plan, lead=units["a"], due=date(2026, 6, 20), criteria=[criterion])
    b_coordinates = make_task(plan, lead=units["snv"], coordinating=[units["b"]], due=date(2026, 9, 30))
    elsewhere = make_task(other_plan, lead=units["a"], due=date(2026, 3, 1))
    client = login("cchc")

    mine = {str(t.uuid) for t in (a_june, b_coordinates, elsewhere)}

    def shown(**params):  # among this test's tasks (the demo may have plans of its own)
        return set(task_order(client.get(reverse("plans:board"), params).content.decode())) & mine

    assert shown(plan=plan.code) == {str(a_june.uuid), str(b_coordinates.uuid)}
    assert shown(unit=units["b"].code) == {str(b_coordinates.uuid)}  # coordinating counts
    assert shown(unit=units["a"].code) == {str(a_june.uuid), str(elsewhere.uuid)}
    key = f"{criterion.framework.code}/v{criterion.framework.version}/{criterion.code}"
    assert shown(criterion=key) == {str(a_june.uuid)}
    assert shown(**{"from": "2026-06-01", "to": "2026-06-30"}) == {str(a_june.uuid)}
    assert shown(status="overdue") == {str(elsewhere.uuid)}
    assert shown(plan="no-such-plan") == {str(a_june.uuid), str(b_coordinates.uuid), str(elsewhere.uuid)}


@pytest.mark.django_db
def test_a_recurring_task_counts_each_period_and_is_overdue_when_one_is(login, plan, units):
    from cchc.plans.models import Occurrence

    task = make_task(plan, lead=units["a"], recurring=True, time_frame_text="Trước ngày 25 tháng cuối quý")
    q1 = Occurrence.objects.create(task=task, label="Quý I/2026", due=date(2026, 3, 25), done_at=date(2026, 3, 20))
    q2 = Occurrence.objects.create(task=task, label="Quý II/2026", due=date(2026, 6, 25))
    client = login("cchc")
    assert row_status(client.get(reverse("plans:board")).content.decode(), task) == "not_started"
    q1.done_at = None
    q1.save()
    assert row_status(client.get(reverse("plans:board")).content.decode(), task) == "overdue"
    # Closing one period (late) by the lead.
    response = login("yte").post(reverse("plans:task_close", args=[task.uuid]), {"occurrence": "2026-03-25", "done_on": "2026-04-02"})
    assert response.status_code == 302
    q1.refresh_from_db()
    task.refresh_from_db()
    assert q1.done_at == date(2026, 4, 2) and task.done_at is None
    rows = services.unit_completion([units["a"].pk], date(2026, 1, 1), date(2026, 12, 31), TODAY, tasks=plan.tasks.all())
    assert (rows[0].done_on_time, rows[0].due, rows[0].done_late, rows[0].open) == (0, 1, 1, 1)
    assert q2.done_at is None


# --- the polling fragment ----------------------------------------------------------------


@pytest.mark.django_db
def test_the_board_polls_a_fragment_rendered_by_the_same_template(login, task):
    client = login("cchc")
    page = client.get(reverse("plans:board"), {"plan": task.plan.code}).content.decode()
    assert 'hx-trigger="every 30s"' in page
    assert f'hx-get="{reverse("plans:board_fragment")}?plan={task.plan.code}"' in page
    fragment = client.get(reverse("plans:board_fragment"), {"plan": task.plan.code}, **HTMX)
    html = fragment.content.decode()
    assert fragment.status_code == 200
    assert html.startswith('<div id="board"') and "<html" not in html
    assert 'hx-trigger="every 30s"' in html and row_status(html, task) == "not_started"


@pytest.mark.django_db
def test_the_polling_interval_can_be_shortened(login, task):
    html = login("cchc").get(reverse("plans:board_fragment"), {"poll": "2"}).content.decode()
    assert 'hx-trigger="every 2s"' in html
    assert 'hx-trigger="every 1s"' in login("cchc").get(reverse("plans:board"), {"poll": "0"}).content.decode()
    assert 'hx-trigger="every 30s"' in login("cchc").get(reverse("plans:board"), {"poll": "x"}).content.decode()


@pytest.mark.django_db
def test_the_fragment_shows_progress_reported_since_the_page_was_opened(login, task, units, evidence_a):
    client = login("cchc")
    assert 'class="small task-percent">0%' in client.get(reverse("plans:board_fragment")).content.decode()
    services.report_progress(task, user("yte"), units["a"], 50, "Đã rà soát 40/80 thủ tục", evidence=[evidence_a])
    html = client.get(reverse("plans:board_fragment"), **HTMX).content.decode()
    assert row_status(html, task) == "in_progress"
    assert 'class="small task-percent">50%' in html
    assert "Vũ Thị Mai" in html  # who reported last


# --- progress ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_department_officer_reports_progress_with_evidence_recorded_with_who_and_when(login, task, units, evidence_a):
    client = login("yte")
    response = client.post(
        reverse("plans:task_progress", args=[task.uuid]),
        {"unit": units["a"].code, "percent": "50", "note": "Đã rà soát 40/80 thủ tục", "evidence": [str(evidence_a.uuid)]},
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<div id="task-panel">') and "alert-success" in html
    update = task.updates.get()
    assert (update.percent, update.note, update.unit, update.created_by.username) == (50, "Đã rà soát 40/80 thủ tục", units["a"], "yte")
    assert update.created_at is not None
    assert list(update.evidence.all()) == [evidence_a]
    task.refresh_from_db()
    assert task.progress == 50
    page = client.get(reverse("plans:task_detail", args=[task.uuid])).content.decode()
    assert "Đã rà soát 40/80 thủ tục" in page and "12/BC-SYT" in page and "Vũ Thị Mai" in page
    assert row_status(client.get(reverse("plans:board")).content.decode(), task) == "in_progress"


@pytest.mark.django_db
def test_without_htmx_a_report_redirects_back_to_the_task(login, task, units):
    response = login("yte").post(reverse("plans:task_progress", args=[task.uuid]), {"unit": units["a"].code, "percent": "20"})
    assert response.status_code == 302 and response["Location"] == reverse("plans:task_detail", args=[task.uuid])


@pytest.mark.django_db
def test_a_coordinating_unit_reports_without_moving_the_lead_s_progress(login, task, units):
    response = login("xaydung").post(reverse("plans:task_progress", args=[task.uuid]), {"unit": units["b"].code, "percent": "80"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.progress == 0 and task.updates.get().unit == units["b"]


@pytest.mark.django_db
def test_the_reform_office_may_report_for_a_unit_of_the_task(login, task, units):
    response = login("cchc").post(reverse("plans:task_progress", args=[task.uuid]), {"unit": units["a"].code, "percent": "30"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.progress == 30


@pytest.mark.django_db
def test_an_officer_of_another_unit_cannot_report_on_someone_else_s_task(login, plan, units):
    task = make_task(plan, lead=units["a"], due=date(2026, 6, 30))
    response = login("xaydung").post(reverse("plans:task_progress", args=[task.uuid]), {"unit": units["a"].code, "percent": "90"})
    assert response.status_code == 403
    response = login("tuphap").post(reverse("plans:task_progress", args=[task.uuid]), {"unit": units["a"].code, "percent": "90"})
    assert response.status_code == 403
    assert not task.updates.exists()


@pytest.mark.django_db
def test_an_officer_cannot_report_for_the_other_unit_of_a_shared_task(login, task, units):
    response = login("xaydung").post(reverse("plans:task_progress", args=[task.uuid]), {"unit": units["a"].code, "percent": "90"})
    assert response.status_code == 403
    assert not task.updates.exists()


@pytest.mark.django_db
def test_evidence_must_come_from_the_reporting_unit_s_register(login, task, units):
    from cchc.assessments.models import Evidence

    foreign = Evidence.objects.create(owner=units["b"], title="Báo cáo của Sở Xây dựng")
    response = login("cchc").post(
        reverse("plans:task_progress", args=[task.uuid]),
        {"unit": units["a"].code, "percent": "50", "evidence": [str(foreign.uuid)]}, **HTMX,
    )
    assert response.status_code == 200 and "alert-danger" in response.content.decode()
    assert not task.updates.exists()
    # An officer of A does not even see B's register.
    response = login("yte").post(
        reverse("plans:task_progress", args=[task.uuid]),
        {"unit": units["a"].code, "percent": "50", "evidence": [str(foreign.uuid)]}, **HTMX,
    )
    assert "alert-danger" in response.content.decode() and not task.updates.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("percent", ["101", "-1", "abc", ""])
def test_progress_is_a_whole_number_from_0_to_100(login, task, units, percent):
    response = login("yte").post(reverse("plans:task_progress", args=[task.uuid]), {"unit": units["a"].code, "percent": percent}, **HTMX)
    assert "alert-danger" in response.content.decode()
    assert not task.updates.exists()


# --- contributions and closing -----------------------------------------------------------


@pytest.mark.django_db
def test_a_coordinating_unit_gives_its_contribution_with_its_own_status(login, task, units):
    from cchc.plans.models import TaskUnit

    TaskUnit.objects.filter(task=task, unit=units["b"]).update(contribution_due=date(2026, 6, 10))
    page = login("yte").get(reverse("plans:task_detail", args=[task.uuid])).content.decode()
    assert re.search(rf'data-unit="{units["b"].code}">.*?status-overdue', page, re.S)
    assert login("yte").post(reverse("plans:task_contribute", args=[task.uuid]), {"unit": units["b"].code, "done_on": "2026-06-12"}).status_code == 403
    response = login("xaydung").post(
        reverse("plans:task_contribute", args=[task.uuid]), {"unit": units["b"].code, "done_on": "2026-06-12", "note": "Đã gửi ý kiến"}
    )
    assert response.status_code == 302
    contribution = TaskUnit.objects.get(task=task, unit=units["b"])
    assert contribution.contributed_at == date(2026, 6, 12) and contribution.note == "Đã gửi ý kiến"
    page = login("yte").get(reverse("plans:task_detail", args=[task.uuid])).content.decode()
    assert re.search(rf'data-unit="{units["b"].code}">.*?status-done_late', page, re.S)
    task.refresh_from_db()
    assert task.done_at is None  # the lead still closes


@pytest.mark.django_db
def test_a_contribution_cannot_be_dated_in_the_future(login, task, units):
    response = login("xaydung").post(reverse("plans:task_contribute", args=[task.uuid]), {"unit": units["b"].code, "done_on": "2026-06-16"}, **HTMX)
    assert "alert-danger" in response.content.decode()


@pytest.mark.django_db
def test_only_the_lead_closes_the_task(login, task, units):
    assert login("xaydung").post(reverse("plans:task_close", args=[task.uuid]), {"done_on": "2026-06-14"}).status_code == 403
    assert login("tuphap").post(reverse("plans:task_close", args=[task.uuid]), {"done_on": "2026-06-14"}).status_code == 403
    task.refresh_from_db()
    assert task.done_at is None
    assert login("yte").post(reverse("plans:task_close", args=[task.uuid]), {"done_on": "2026-06-14"}).status_code == 302
    task.refresh_from_db()
    assert (task.done_at, task.closed_by.username, task.progress) == (date(2026, 6, 14), "yte", 100)
    html = login("lanhdao").get(reverse("plans:board")).content.decode()
    assert row_status(html, task) == "done_on_time"


@pytest.mark.django_db
def test_a_closed_task_takes_no_more_reports(login, task, units):
    services.close_task(task, user("yte"), date(2026, 6, 14))
    response = login("yte").post(reverse("plans:task_progress", args=[task.uuid]), {"unit": units["a"].code, "percent": "10"}, **HTMX)
    assert "alert-danger" in response.content.decode() and not task.updates.exists()
    again = login("yte").post(reverse("plans:task_close", args=[task.uuid]), {"done_on": "2026-06-15"}, **HTMX)
    assert "alert-danger" in again.content.decode()


@pytest.mark.django_db
def test_the_task_page_shows_each_form_only_to_those_allowed(login, task):
    url = reverse("plans:task_detail", args=[task.uuid])
    lead = login("yte").get(url).content.decode()
    assert 'id="progress-form"' in lead and 'id="close-form"' in lead and "contribute-form" not in lead
    assert 'id="extension-form"' in lead and 'id="decide-form"' not in lead
    coordinating = login("xaydung").get(url).content.decode()
    assert 'id="progress-form"' in coordinating and "contribute-form" in coordinating and 'id="close-form"' not in coordinating
    for reader in ("lanhdao", "tuphap"):
        page = login(reader).get(url).content.decode()
        assert "<form class=\"card" not in page and 'id="extension-form"' not in page


# --- extensions --------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_extension_approved_by_the_plan_owner_moves_the_due_date_and_counts(login, units):
    plan = make_plan(units, code="kh-stp-2026", owner="stp")  # followed by Sở Tư pháp
    task = make_task(plan, lead=units["a"], due=date(2026, 6, 10))
    response = login("yte").post(
        reverse("plans:task_extension", args=[task.uuid]),
        {"unit": units["a"].code, "requested_due": "2026-07-31", "reason": "Chờ ý kiến của Bộ Y tế"},
    )
    assert response.status_code == 302
    request = task.extension_requests.get()
    assert (request.state, request.current_due, request.created_by.username) == ("pending", date(2026, 6, 10), "yte")
    # The requesting unit and a unit that does not follow the plan cannot decide.
    for outsider in ("yte", "xaydung", "lanhdao"):
        assert login(outsider).post(reverse("plans:extension_decide", args=[task.uuid]), {"decision": "approve"}).status_code == 403
    assert row_status(login("tuphap").get(reverse("plans:board")).content.decode(), task) == "overdue"
    assert login("tuphap").post(reverse("plans:extension_decide", args=[task.uuid]), {"decision": "approve", "note": "Đồng ý"}).status_code == 302
    task.refresh_from_db()
    request.refresh_from_db()
    assert (task.due, task.extensions) == (date(2026, 7, 31), 1)
    assert (request.state, request.decided_by.username, request.decision_note) == ("approved", "tuphap", "Đồng ý")
    assert row_status(login("tuphap").get(reverse("plans:board")).content.decode(), task) == "not_started"
    page = login("yte").get(reverse("plans:task_detail", args=[task.uuid])).content.decode()
    assert 'id="extensions-granted">1<' in page and "Chờ ý kiến của Bộ Y tế" in page


@pytest.mark.django_db
def test_a_refusal_needs_a_reason_and_leaves_the_due_date(login, task, units):
    services.request_extension(task, user("yte"), units["a"], date(2026, 7, 15), "Thiếu nhân lực")
    response = login("cchc").post(reverse("plans:extension_decide", args=[task.uuid]), {"decision": "refuse"}, **HTMX)
    assert "alert-danger" in response.content.decode()
    assert task.extension_requests.get().state == "pending"
    login("cchc").post(reverse("plans:extension_decide", args=[task.uuid]), {"decision": "refuse", "note": "Không có căn cứ"})
    task.refresh_from_db()
    assert (task.due, task.extensions, task.extension_requests.get().state) == (date(2026, 6, 30), 0, "refused")


@pytest.mark.django_db
def test_an_extension_must_move_the_due_date_later_with_a_reason_one_request_at_a_time(task, units):
    yte = user("yte")
    with pytest.raises(services.PlanError):
        services.request_extension(task, yte, units["a"], date(2026, 6, 20), "Lý do")
    with pytest.raises(services.PlanError):
        services.request_extension(task, yte, units["a"], date(2026, 7, 20), "  ")
    services.request_extension(task, yte, units["a"], date(2026, 7, 20), "Lý do")
    with pytest.raises(services.PlanError):
        services.request_extension(task, yte, units["a"], date(2026, 8, 20), "Lý do khác")


# --- events ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_when_the_awaited_event_happens_the_due_date_follows_the_stated_delay(login, plan, units):
    frame = {"kind": "offset", "text": "Sau 15 ngày kể từ ngày UBND tỉnh ban hành Đề án",
             "offset": {"amount": 15, "unit": "days", "from_event": "ngày UBND tỉnh ban hành Đề án", "before": False}}
    task = make_task(plan, lead=units["a"], waits_for="ngày UBND tỉnh ban hành Đề án", time_frame=frame,
                     time_frame_text=frame["text"])
    client = login("cchc")
    assert row_status(client.get(reverse("plans:board")).content.decode(), task) == "waiting"
    assert login("xaydung").post(reverse("plans:task_event", args=[task.uuid]), {"day": "2026-05-20"}).status_code == 403
    assert login("yte").post(reverse("plans:task_event", args=[task.uuid]), {"day": "2026-05-20"}).status_code == 302
    task.refresh_from_db()
    assert (task.event_on, task.due, task.start) == (date(2026, 5, 20), date(2026, 6, 4), date(2026, 5, 20))
    assert row_status(client.get(reverse("plans:board")).content.decode(), task) == "overdue"
    page = client.get(reverse("plans:task_detail", args=[task.uuid])).content.decode()
    assert "Sau 15 ngày kể từ ngày UBND tỉnh ban hành Đề án" in page


def test_an_offset_in_working_days_skips_weekends_and_holidays():
    offset = {"amount": 3, "unit": "working_days", "from_event": "x"}
    assert services.add_offset(date(2026, 4, 24), offset) == date(2026, 5, 4)  # Fri; 27/4, 30/4, 1/5 are off
    assert services.add_offset(date(2026, 1, 31), {"amount": 1, "unit": "months"}) == date(2026, 2, 28)
    assert services.add_offset(date(2026, 3, 10), {"amount": 10, "unit": "days", "before": True}) == date(2026, 2, 28)


def test_the_offset_is_found_in_a_part_of_a_combined_time_frame():
    frame = {"kind": "combined", "parts": [{"kind": "date", "offset": None}, {"kind": "offset", "offset": {"amount": 5, "unit": "days"}}]}
    assert services.find_offset(frame) == {"amount": 5, "unit": "days"}
    assert services.find_offset({}) is None


# --- access ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_viewer_changes_nothing(login, task, units, evidence_a):
    from cchc.plans.models import TaskUnit

    client = login("lanhdao")
    posts = {
        "task_progress": {"unit": units["a"].code, "percent": "50"},
        "task_contribute": {"unit": units["b"].code, "done_on": "2026-06-14"},
        "task_close": {"done_on": "2026-06-14"},
        "task_extension": {"unit": units["a"].code, "requested_due": "2026-08-01", "reason": "x"},
        "extension_decide": {"decision": "approve"},
        "task_event": {"day": "2026-06-01"},
    }
    for name, data in posts.items():
        assert client.post(reverse(f"plans:{name}", args=[task.uuid]), data).status_code == 403, name
    task.refresh_from_db()
    assert (task.progress, task.done_at, task.due) == (0, None, date(2026, 6, 30))
    assert not task.updates.exists() and not task.extension_requests.exists()
    assert TaskUnit.objects.get(task=task, unit=units["b"]).contributed_at is None


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(login, task, units):
    client = login(None)
    pages = [reverse(name) for name in ("plans:home", "plans:board", "plans:board_fragment", "plans:my_tasks", "plans:completion")]
    pages += [reverse("plans:plan_detail", args=[task.plan.code]), reverse("plans:task_detail", args=[task.uuid])]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    response = client.post(reverse("plans:task_progress", args=[task.uuid]), {"unit": units["a"].code, "percent": "50"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not task.updates.exists()


@pytest.mark.django_db
def test_every_signed_in_user_reads_the_board_plans_and_tasks(login, task):
    for who in ("admin", "cchc", "tuphap", "yte", "xaydung", "lanhdao"):
        client = login(who)
        for url in (reverse("plans:home"), reverse("plans:board"), reverse("plans:my_tasks"), reverse("plans:completion"),
                    reverse("plans:plan_detail", args=[task.plan.code]), reverse("plans:task_detail", args=[task.uuid])):
            assert client.get(url).status_code == 200, (who, url)


@pytest.mark.django_db
def test_unknown_plans_and_tasks_are_not_found(login):
    client = login("cchc")
    assert client.get(reverse("plans:plan_detail", args=["no-such-plan"])).status_code == 404
    assert client.get(reverse("plans:task_detail", args=["6f1c1a3e-0000-4000-8000-000000000000"])).status_code == 404


@pytest.mark.django_db
def test_the_actions_only_accept_post(login, task):
    assert login("yte").get(reverse("plans:task_progress", args=[task.uuid])).status_code == 405


# --- my tasks, plan page, completion, start page -----------------------------------------


@pytest.mark.django_db
def test_my_tasks_shows_what_my_unit_must_do_this_week_overdue_and_contributions_owed(login, plan, units):
    overdue = make_task(plan, lead=units["a"], due=date(2026, 6, 1))
    this_week = make_task(plan, lead=units["a"], due=date(2026, 6, 19))
    later = make_task(plan, lead=units["a"], due=date(2026, 9, 30))
    owed = make_task(plan, lead=units["snv"], coordinating=[units["a"]], due=date(2026, 10, 31))
    done = make_task(plan, lead=units["a"], due=date(2026, 6, 1), done_at=date(2026, 6, 1))
    not_mine = make_task(plan, lead=units["b"], due=date(2026, 6, 1))
    html = login("yte").get(reverse("plans:my_tasks")).content.decode()

    mine = {str(t.uuid) for t in (overdue, this_week, later, owed, done, not_mine)}

    def section(key):  # among this test's tasks (the demo may have plans of its own)
        found = re.findall(r'data-task="([0-9a-f-]+)"', re.search(rf'id="my-{key}">(.*?)</section>', html, re.S).group(1))
        return set(found) & mine

    assert section("overdue") == {str(overdue.uuid)}
    assert section("week") == {str(this_week.uuid)}
    assert section("contribution") == {str(owed.uuid)}
    assert section("later") == {str(later.uuid)}
    assert str(done.uuid) not in html and str(not_mine.uuid) not in html


@pytest.mark.django_db
def test_a_viewer_has_no_tasks_of_its_own(login, task):
    response = login("lanhdao").get(reverse("plans:my_tasks"))
    assert response.status_code == 200 and str(task.uuid) not in response.content.decode()


@pytest.mark.django_db
def test_the_plan_page_lists_its_sections_and_tasks_with_their_status(login, plan, units, task):
    overdue = make_task(plan, lead=units["b"], due=date(2026, 5, 1))
    html = login("xaydung").get(reverse("plans:plan_detail", args=[plan.code])).content.decode()
    assert "I. Cải cách thể chế" in html and plan.title in html
    assert row_status(html, task) == "not_started" and row_status(html, overdue) == "overdue"


@pytest.mark.django_db
def test_unit_completion_counts_done_on_time_over_due_for_leads_and_contributions(plan, units):
    from cchc.plans.models import Occurrence

    make_task(plan, lead=units["a"], due=date(2026, 3, 31), done_at=date(2026, 3, 30))  # on time
    make_task(plan, lead=units["a"], due=date(2026, 4, 30), done_at=date(2026, 5, 5))  # late
    make_task(plan, lead=units["a"], due=date(2026, 5, 31))  # overdue
    make_task(plan, lead=units["a"], due=date(2026, 11, 30))  # not yet due
    make_task(plan, lead=units["a"], due=date(2025, 12, 31))  # outside the period
    monthly = make_task(plan, lead=units["a"], recurring=True)
    for month in (1, 2, 3):
        Occurrence.objects.create(task=monthly, label=f"Tháng {month}", due=date(2026, month, 25), done_at=date(2026, month, 24))
    make_task(plan, lead=units["snv"], coordinating=[units["a"]], due=date(2026, 2, 28))  # A owes a contribution: overdue
    rows = services.unit_completion([units["a"].pk, units["b"].pk], date(2026, 1, 1), date(2026, 12, 31), TODAY, tasks=plan.tasks.all())
    rows = {r.unit: r for r in rows}
    a = rows[units["a"]]
    assert (a.done_on_time, a.due, a.done_late, a.overdue, a.open) == (4, 7, 1, 2, 1)
    assert str(a.rate) == "57.14"
    assert rows[units["b"]].rate is None and rows[units["b"]].due == 0


@pytest.mark.django_db
def test_the_completion_page_draws_the_rates_as_bars(login, plan, units):
    make_task(plan, lead=units["a"], due=date(2026, 3, 31), done_at=date(2026, 3, 30))
    make_task(plan, lead=units["a"], due=date(2026, 4, 30))
    make_task(plan, lead=units["b"], due=date(2026, 4, 30), done_at=date(2026, 4, 1))
    html = login("lanhdao").get(reverse("plans:completion"), {"from": "2026-01-01", "to": "2026-06-30", "plan": plan.code}).content.decode()
    assert "<svg" in html and html.count("<rect") == 3  # A: green + red; B: green
    assert re.search(rf'data-unit="{units["a"].code}">.*?class="text-end rate">50(,|\.)00%', html, re.S)
    assert re.search(rf'data-unit="{units["b"].code}">.*?class="text-end rate">100(,|\.)00%', html, re.S)


@pytest.mark.django_db
def test_the_start_page_lists_plans_with_their_tasks_by_status(login, plan, units, task):
    make_task(plan, lead=units["b"], due=date(2026, 5, 1))
    html = login("yte").get(reverse("plans:home")).content.decode()
    assert reverse("plans:plan_detail", args=[plan.code]) in html
    assert reverse("plans:board") in html and reverse("plans:my_tasks") in html
    assert f'href="{reverse("plans:board")}?plan={plan.code}&amp;status=overdue">1</a>' in html


@pytest.mark.django_db
def test_services_refuse_users_the_layer_does_not_allow(task, units):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.report_progress(task, user("lanhdao"), units["a"], 10)
    with pytest.raises(PermissionDenied):
        services.close_task(task, user("xaydung"), TODAY)
    with pytest.raises(PermissionDenied):
        services.decide_extension(services.request_extension(task, user("yte"), units["a"], TODAY + timedelta(days=30), "x"), user("yte"), True)


@pytest.mark.django_db
def test_tasks_of_a_plan_before_the_merger_go_to_the_units_that_carry_on(login, units):
    """A 2021 plan names Sở Y tế of old Tuyên Quang (P08-2025-SYT) and a group read in 2021: the Sở Y tế
    of today answers for both, sees them in its tasks and reports on them."""
    from cchc.orgs.models import OrgGroup, OrgUnit
    from cchc.plans.models import Plan, Section, TaskRole, TaskUnit

    old = OrgUnit.objects.get(code="P08-2025-SYT")
    plan = Plan.objects.create(
        code="kh-2021", number="116/KH-UBND", title="Kế hoạch năm 2021", issuer=OrgUnit.objects.get(code="P08-2025"),
        owner=units["snv"], year=2021, year_to=2026, issued_on=date(2021, 7, 28),
    )
    Section.objects.create(plan=plan, label="A", title="PAR INDEX", position=1)
    direct = make_task(plan, lead=old, due=date(2026, 6, 1), content="Nhiệm vụ của Sở Y tế cũ")
    via_group = make_task(plan, lead=units["snv"], due=date(2026, 9, 30), content="Nhiệm vụ các cơ quan chuyên môn phối hợp")
    TaskUnit.objects.create(task=via_group, role=TaskRole.COORDINATING, group=OrgGroup.objects.get(code="P08-2025-G-CQCM"))
    html = login("yte").get(reverse("plans:my_tasks")).content.decode()
    assert str(direct.uuid) in html and str(via_group.uuid) in html
    assert str(direct.uuid) not in login("lanhdao").get(reverse("plans:my_tasks")).content.decode()

    client = login("yte")
    response = client.post(reverse("plans:task_progress", args=[direct.uuid]), {"unit": units["a"].code, "percent": "60", "note": "Đã rà soát"}, **HTMX)
    assert response.status_code == 200
    direct.refresh_from_db()
    assert direct.progress == 60 and direct.updates.get().unit == units["a"]
    response = client.post(reverse("plans:task_contribute", args=[via_group.uuid]), {"unit": units["a"].code, "done_on": "2026-06-12"}, **HTMX)
    assert response.status_code == 200
    assert via_group.units.get(role=TaskRole.COORDINATING).contributed_at == date(2026, 6, 12)
    # Sở Xây dựng answers for the group too, but not for the old Sở Y tế's task.
    response = login("xaydung").post(reverse("plans:task_progress", args=[direct.uuid]), {"unit": units["b"].code, "percent": "10"}, **HTMX)
    assert response.status_code == 403


@pytest.mark.django_db
def test_completion_and_the_lead_table_count_tasks_of_old_units_for_the_units_of_today(login, units):
    """A 2021 plan names the Sở Y tế of old Tuyên Quang (P08-2025-SYT), merged in 2025 into today's
    Sở Y tế, and a group read in 2021: the rates, the board's table by lead unit and its unit
    filter count them for the units of today, never under the old names."""
    from cchc.orgs.models import OrgGroup, OrgUnit
    from cchc.plans.models import Plan, Section, TaskRole

    old = OrgUnit.objects.get(code="P08-2025-SYT")
    plan = Plan.objects.create(
        code="kh-2021", number="116/KH-UBND", title="Kế hoạch năm 2021", issuer=OrgUnit.objects.get(code="P08-2025"),
        owner=units["snv"], year=2021, year_to=2026, issued_on=date(2021, 7, 28),
    )
    Section.objects.create(plan=plan, label="A", title="PAR INDEX", position=1)
    on_time = make_task(plan, lead=old, due=date(2026, 3, 31), done_at=date(2026, 3, 20), content="Nhiệm vụ của Sở Y tế cũ")
    make_task(plan, lead=old, due=date(2026, 4, 30), content="Nhiệm vụ quá hạn của Sở Y tế cũ")
    group_task = make_task(plan, lead=units["snv"], due=date(2026, 5, 31), done_at=date(2026, 5, 2), content="Việc của các cơ quan chuyên môn")
    group_task.units.filter(role=TaskRole.LEAD).update(unit=None, group=OrgGroup.objects.get(code="P08-2025-G-CQCM"))

    rows = {r.unit.code: r for r in services.unit_completion([units["a"].pk], date(2026, 1, 1), date(2026, 12, 31), TODAY)}
    a = rows[units["a"].code]
    assert (a.done_on_time, a.due, a.overdue) == (2, 3, 1)  # its own two, and the group's

    html = login("lanhdao").get(reverse("plans:completion"), {"from": "2026-01-01", "to": "2026-12-31", "plan": plan.code}).content.decode()
    assert f'data-unit="{units["a"].code}"' in html and 'data-unit="P08-2025-SYT"' not in html
    assert re.search(rf'data-unit="{units["a"].code}">.*?class="text-end rate">66(,|\.)67%', html, re.S)

    html = login("lanhdao").get(reverse("plans:board"), {"plan": plan.code}).content.decode()
    table = html[html.index('id="board-units"'):html.index('id="board-tasks"')]
    assert f'data-unit="{units["a"].code}"' in table and 'data-unit="P08-2025-SYT"' not in table
    assert f'data-unit="{units["b"].code}"' in table  # Sở Xây dựng: a member of the 2021 group, today's unit

    html = login("lanhdao").get(reverse("plans:board"), {"unit": units["a"].code}).content.decode()
    assert str(on_time.uuid) in html and str(group_task.uuid) in html
    assert f'<option value="{units["a"].code}"' in html and '<option value="P08-2025-SYT"' not in html


# --- the criterion "completion of the reform plan" reads the board ----------------------------


@pytest.mark.django_db
def test_the_criterion_completion_of_the_reform_plan_reads_the_board(login, plan, units, monkeypatch):
    from decimal import Decimal

    from cchc.assessments import services as assessments
    from cchc.assessments.models import Submission
    from cchc.core import indicators

    # 2019, before any plan of the demo: Sở Y tế leads three tasks and coordinates a fourth.
    make_task(plan, lead=units["a"], due=date(2019, 3, 29), done_at=date(2019, 3, 20))  # on time
    make_task(plan, lead=units["a"], due=date(2019, 6, 28), done_at=date(2019, 7, 5))  # late
    make_task(plan, lead=units["a"], due=date(2019, 9, 30))  # overdue
    helped = make_task(plan, lead=units["b"], coordinating=[units["a"]], due=date(2019, 12, 31), done_at=date(2020, 1, 10))
    helped.units.filter(unit=units["a"]).update(contributed_at=date(2019, 12, 2))  # its part, on time
    make_task(plan, lead=units["a"], due=date(2020, 1, 15), done_at=date(2020, 1, 10))  # another year
    reading = indicators.read("plans.completion_rate", units["a"], date(2019, 1, 1), date(2019, 12, 31))
    assert reading.value == (Decimal(2), Decimal(4))
    assert reading.text.startswith("2 / 4 ") and "01/01/2019–31/12/2019" in reading.text
    assert reading.url == reverse("plans:completion") + "?from=2019-01-01&to=2019-12-31"
    # Sở Xây dựng: its task was closed late; nothing fell due for Sở Tư pháp (entered by hand).
    assert indicators.read("plans.completion_rate", units["b"], date(2019, 1, 1), date(2019, 12, 31)).value == (0, 1)
    assert indicators.read("plans.completion_rate", units["stp"], date(2019, 1, 1), date(2019, 12, 31)) is None

    # In the department's 2026 round, leaf 1.1.2 fills itself with the board's number for the year.
    monkeypatch.setattr(assessments, "today", lambda: date(2026, 6, 1))
    before = indicators.read("plans.completion_rate", units["a"], date(2026, 1, 1), date(2026, 12, 31))
    n, d = before.value if before else (0, 0)
    make_task(plan, lead=units["a"], due=date(2026, 3, 31), done_at=date(2026, 3, 30))
    html = login("yte").get(reverse("assessments:submission", args=["tq-2026-so-nganh", "annual", "P08-SYT", "all"])).content.decode()
    entry = Submission.objects.get(round__cycle__code="tq-2026-so-nganh", round__code="annual", subject=units["a"]).entries.get(criterion__code="1.1.2")
    assert (entry.numerator, entry.denominator) == (n + 1, d + 1)
    assert entry.self_score is not None and entry.reading in html
