"""Reminders: the daily digest per unit (in the app and by e-mail), escalation to the plan's owner,
``cchc tasks overdue``, ``cchc reminders send`` and the background task."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from cchc.orgs.models import OrgGroup, OrgUnit
from cchc.plans import reminders
from cchc.plans.models import Occurrence, Plan, ReminderKind, ReminderLog, Task, TaskRole, TaskUnit

pytestmark = pytest.mark.django_db

D = dt.date(2031, 3, 10)  # a Monday far from the demo's own dates
YTE, XAYDUNG = "yte@demo.cchc.local", "xaydung@demo.cchc.local"
OWNER_MAIL = {"cchc@demo.cchc.local", "noivu@demo.cchc.local"}


@pytest.fixture(autouse=True)
def only_these_plans(demo):
    """The demo's own plans (plan 116/KH-UBND and its open tasks) are left out of these tests."""
    Plan.objects.all().delete()


def unit(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


def make_plan(demo, code="kh-nhac-viec", year=2031) -> Plan:
    return Plan.objects.create(
        code=code, number=f"99/KH-UBND-{code}", title=f"Kế hoạch cải cách hành chính năm {year}",
        issuer=demo["province"], owner=unit("P08-SNV"), issued_on=dt.date(year, 1, 15), year=year,
    )


def make_task(plan, number, content, due=None, lead=None, coordinating=(), group=None, **fields) -> Task:
    task = Task.objects.create(plan=plan, number=number, position=int(number.replace(".", "")), content=content, due=due, **fields)
    if lead is not None:
        TaskUnit.objects.create(task=task, role=TaskRole.LEAD, unit=lead, text=lead.name)
    if group is not None:
        TaskUnit.objects.create(task=task, role=TaskRole.LEAD, group=group, text=group.name)
    for coordinator in coordinating:
        TaskUnit.objects.create(task=task, role=TaskRole.COORDINATING, unit=coordinator, text=coordinator.name)
    return task


def contents(items) -> list[str]:
    return [item.task.content for item in items]


def mails_to(outbox, address) -> list:
    return [m for m in outbox if address in m.to]


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def tasks(demo):
    """Tasks of Sở Y tế (A) and Sở Xây dựng (B) around day D."""
    plan = make_plan(demo)
    a, b = demo["unit_a"], demo["unit_b"]
    made = {
        "soon": make_task(plan, "1", "Rà soát thủ tục hành chính ngành y tế", D + dt.timedelta(days=3), lead=a),
        "late": make_task(plan, "2", "Báo cáo số hóa hồ sơ ngành y tế", D - dt.timedelta(days=2), lead=a),
        "far": make_task(plan, "3", "Tổng kết năm", D + dt.timedelta(days=20), lead=a),
        "done": make_task(plan, "4", "Việc đã xong", D - dt.timedelta(days=9), lead=a, done_at=D - dt.timedelta(days=10)),
        "other": make_task(plan, "5", "Quy hoạch đô thị của Sở Xây dựng", D - dt.timedelta(days=1), lead=b),
        "coordinate": make_task(plan, "6", "Xây dựng bộ chỉ số phối hợp", D - dt.timedelta(days=1), lead=b, coordinating=[a]),
        "no_due": make_task(plan, "7", "Thường xuyên tuyên truyền", None, lead=a, time_frame_text="Thường xuyên"),
    }
    contributed = make_task(plan, "8", "Đã góp ý xong", D - dt.timedelta(days=1), lead=b, coordinating=[a])
    TaskUnit.objects.filter(task=contributed, unit=a).update(contributed_at=D - dt.timedelta(days=3))
    made["contributed"] = contributed
    recurring = make_task(plan, "9", "Báo cáo tháng về CCHC", None, lead=a, recurring=True, time_frame_text="Hằng tháng")
    Occurrence.objects.create(task=recurring, label="01/2031", due=dt.date(2031, 1, 25), done_at=dt.date(2031, 1, 24))
    Occurrence.objects.create(task=recurring, label="02/2031", due=dt.date(2031, 2, 25))
    Occurrence.objects.create(task=recurring, label="03/2031", due=dt.date(2031, 3, 25))
    made["recurring"] = recurring
    made["waiting"] = make_task(  # waits for an event that has not come: nobody is late for it
        plan, "12", "Triển khai sau khi UBND tỉnh ban hành Đề án", D - dt.timedelta(days=30), lead=a,
        waits_for="UBND tỉnh ban hành Đề án",
    )
    return made


# --- the digest ----------------------------------------------------------------------------


def test_a_task_due_in_three_days_and_an_overdue_one_are_in_the_units_digest(demo, tasks):
    digest = reminders.digest_for(demo["unit_a"], D, 7)
    assert contents(digest.overdue) == [
        "Báo cáo tháng về CCHC",  # the February occurrence, 13 days late
        "Báo cáo số hóa hồ sơ ngành y tế",
        "Xây dựng bộ chỉ số phối hợp",  # A coordinates, its contribution is pending
    ]
    assert contents(digest.upcoming) == ["Rà soát thủ tục hành chính ngành y tế"]
    late = digest.overdue[1]
    assert (late.days_late, late.role, late.overdue) == (2, TaskRole.LEAD, True)
    assert digest.overdue[0].occurrence.label == "02/2031" and digest.overdue[0].days_late == 13
    assert digest.overdue[2].role == TaskRole.COORDINATING
    assert digest.upcoming[0].days_left == 3
    assert set(digest.task_ids) == {tasks[k].pk for k in ("recurring", "late", "coordinate", "soon")}
    # The other department's digest has its own tasks only.
    other = reminders.digest_for(demo["unit_b"], D, 7)
    assert contents(other.items) == ["Quy hoạch đô thị của Sở Xây dựng", "Xây dựng bộ chỉ số phối hợp", "Đã góp ý xong"]


def test_a_group_the_plan_names_reminds_each_of_its_members(demo):
    plan = make_plan(demo, "kh-nhom")
    group = OrgGroup.objects.get(code="P08-G-SBN")
    task = make_task(plan, "1", "Các sở tự chấm điểm chỉ số CCHC", D + dt.timedelta(days=1), group=group)
    for department in (demo["unit_a"], demo["unit_b"]):
        items = reminders.digest_for(department, D, 7).items
        assert [(i.task, i.via) for i in items] == [(task, group.name)]
    assert reminders.digest_for(unit("W02266"), D, 7).items == []  # a commune is not a department


def test_recipients_are_the_units_active_officers_and_domain_leads(demo):
    assert reminders.recipients(demo["unit_a"]) == [YTE]
    assert reminders.recipients(unit("P08-SNV")) == ["noivu@demo.cchc.local"]  # not the appraiser
    assert set(reminders.recipients(unit("P08-SNV"), reminders.ESCALATION_ROLES)) == OWNER_MAIL


# --- sending -------------------------------------------------------------------------------


def test_one_email_per_unit_per_day_even_when_run_twice(demo, tasks, mailoutbox):
    first = reminders.send_digests(D, 7, 3)
    assert len(mails_to(mailoutbox, YTE)) == 1
    message = mails_to(mailoutbox, YTE)[0]
    assert message.to == [YTE]
    assert "Sở Y tế" in message.subject
    assert "Báo cáo số hóa hồ sơ ngành y tế" in message.body and "Rà soát thủ tục hành chính ngành y tế" in message.body
    assert "Tổng kết năm" not in message.body and "Việc đã xong" not in message.body
    html = message.alternatives[0][0]
    assert 'class="table-danger"' in html and "http://127.0.0.1:8000/plans/reminders/digest/?unit=P08-SYT" in html
    late = tasks["late"]
    link = reminders.task_url(late) or f"http://127.0.0.1:8000/plans/reminders/digest/?unit=P08-SYT#task-{late.uuid}"
    assert link.startswith("http://127.0.0.1:8000/plans/") and f'href="{link}"' in html
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    log = ReminderLog.objects.get(unit=demo["unit_a"], kind=ReminderKind.DIGEST, sent_on=D)
    assert set(log.task_ids) == {tasks[k].pk for k in ("recurring", "late", "coordinate", "soon")}
    assert log.recipients == YTE and log.seen_at is None
    assert "P08-SYT" in {d.unit for d in first.sent}

    second = reminders.send_digests(D, 7, 3)
    assert len(mails_to(mailoutbox, YTE)) == 1
    assert "P08-SYT" in {d.unit for d in second.already} and "P08-SYT" not in {d.unit for d in second.sent}
    assert ReminderLog.objects.filter(unit=demo["unit_a"], sent_on=D).count() == 1


def test_escalation_after_the_delay_goes_to_the_plan_owner_once_a_day(demo, tasks, mailoutbox):
    plan = tasks["late"].plan
    make_task(plan, "10", "Công khai thủ tục hành chính quá hạn lâu", D - dt.timedelta(days=5), lead=demo["unit_a"])
    make_task(plan, "11", "Đúng ba ngày trễ", D - dt.timedelta(days=3), lead=demo["unit_b"])
    reminders.send_digests(D, 7, 3)
    owner_mails = [m for m in mailoutbox if set(m.to) == OWNER_MAIL]
    assert len(owner_mails) == 1
    body = owner_mails[0].body
    assert "Công khai thủ tục hành chính quá hạn lâu" in body and "SỞ Y TẾ" in body  # the late unit, listed
    assert "Báo cáo tháng về CCHC" in body  # 13 days late
    assert "Đúng ba ngày trễ" not in body  # 3 days late is not more than the delay
    assert "Báo cáo số hóa hồ sơ ngành y tế" not in body  # 2 days late
    assert "/plans/kh-nhac-viec/export.xlsx?status=1" in body
    escalation = ReminderLog.objects.get(kind=ReminderKind.ESCALATION, sent_on=D, unit=unit("P08-SNV"))
    assert set(escalation.recipients.split(", ")) == OWNER_MAIL
    reminders.send_digests(D, 7, 3)
    assert len([m for m in mailoutbox if set(m.to) == OWNER_MAIL]) == 1
    # The delay is a setting.
    with_delay = reminders.escalations(D, 10, owner=unit("P08-SNV"))
    assert [contents(e.items) for e in with_delay] == [["Báo cáo tháng về CCHC"]]


def test_a_task_passing_its_due_date_is_red_in_the_next_days_digest(demo, mailoutbox):
    plan = make_plan(demo, "kh-den-han")
    task = make_task(plan, "1", "Ban hành quy chế một cửa", D, lead=demo["unit_b"])
    run("reminders", "send", "--on", D.isoformat())
    row = f'id="task-{task.uuid}" class="table-warning"'  # due today: not red yet
    [today] = mails_to(mailoutbox, XAYDUNG)
    assert row in today.alternatives[0][0]
    run("reminders", "send", "--on", (D + dt.timedelta(days=1)).isoformat())
    [_, tomorrow] = mails_to(mailoutbox, XAYDUNG)
    assert f'id="task-{task.uuid}" class="table-danger"' in tomorrow.alternatives[0][0]
    assert ReminderLog.objects.filter(unit=demo["unit_b"], kind=ReminderKind.DIGEST).count() == 2
    assert reminders.digest_for(demo["unit_b"], D + dt.timedelta(days=1), 7).overdue[0].task == task


def test_dry_run_sends_and_records_nothing(demo, tasks, mailoutbox):
    out = run("reminders", "send", "--on", D.isoformat(), "--dry-run")
    assert mailoutbox == []
    assert not ReminderLog.objects.filter(sent_on=D).exists()
    assert "P08-SYT" in out and YTE in out
    data = json.loads(run("reminders", "send", "--on", D.isoformat(), "--dry-run", "--format", "json"))
    assert data["dry_run"] is True and "P08-SYT" in {d["unit"] for d in data["sent"]}
    assert mailoutbox == []


def test_the_task_runs_through_the_immediate_backend(demo, tasks, mailoutbox):
    from django_tasks import TaskResultStatus

    from cchc.plans.tasks import send_daily_digests

    result = send_daily_digests.enqueue(on_iso=D.isoformat())
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert "P08-SYT" in {d["unit"] for d in result.return_value["sent"]}
    assert len(mails_to(mailoutbox, YTE)) == 1
    out = run("reminders", "send", "--on", D.isoformat(), "--enqueue")
    assert "SUCCESSFUL" in out
    assert len(mails_to(mailoutbox, YTE)) == 1  # already sent that day
    with pytest.raises(CommandError):
        run("reminders", "send", "--dry-run", "--enqueue")


# --- the page ------------------------------------------------------------------------------


def test_the_digest_page_shows_the_same_items_and_records_that_it_was_seen(demo, login):
    today = timezone.localdate()
    plan = make_plan(demo, "kh-hom-nay", year=today.year)
    late = make_task(plan, "1", "Nhiệm vụ trễ hạn của Sở Y tế", today - dt.timedelta(days=1), lead=demo["unit_a"])
    soon = make_task(plan, "2", "Nhiệm vụ sắp đến hạn của Sở Y tế", today + dt.timedelta(days=2), lead=demo["unit_a"])
    reminders.send_digests(today, 7, 3)
    log = ReminderLog.objects.get(unit=demo["unit_a"], kind=ReminderKind.DIGEST, sent_on=today)
    assert log.seen_at is None

    # A reader who may see the unit (the leader) does not sign the receipt.
    page = login("lanhdao").get(reverse("plans:digest"), {"unit": "P08-SYT"})
    assert page.status_code == 200
    log.refresh_from_db()
    assert log.seen_at is None

    response = login("yte").get(reverse("plans:digest"))
    assert response.status_code == 200
    body = response.content.decode()
    digest = reminders.digest_for(demo["unit_a"], today)
    assert digest.items and all(f'id="{item.anchor}"' in body for item in digest.items)
    assert f'id="task-{late.uuid}" class="table-danger"' in body
    assert f'id="task-{soon.uuid}" class=""' in body
    log.refresh_from_db()
    assert log.seen_at is not None

    # Another department's officer may not look at A's reminders.
    assert login("xaydung").get(reverse("plans:digest"), {"unit": "P08-SYT"}).status_code == 404
    assert login("xaydung").get(reverse("plans:digest")).status_code == 200
    # The plan's owner sees the escalation of the task once it is late by more than the delay.
    make_task(plan, "3", "Nhiệm vụ trễ lâu", today - dt.timedelta(days=10), lead=demo["unit_b"])
    owner_page = login("cchc").get(reverse("plans:digest")).content.decode()
    assert "Nhiệm vụ trễ lâu" in owner_page and "Sở Xây dựng" in owner_page


# --- cchc tasks overdue --------------------------------------------------------------------


def test_tasks_overdue_lists_the_late_items_as_table_and_json(demo, tasks):
    rows = json.loads(run("tasks", "overdue", "--unit", "P08-SYT", "--on", D.isoformat(), "--format", "json"))
    assert [(r["content"], r["days_late"], r["role"]) for r in rows] == [
        ("Báo cáo tháng về CCHC (02/2031)", 13, "lead"),
        ("Báo cáo số hóa hồ sơ ngành y tế", 2, "lead"),
        ("Xây dựng bộ chỉ số phối hợp", 1, "coordinating"),
    ]
    assert rows[1] == {
        "plan": "99/KH-UBND-kh-nhac-viec", "number": "2", "content": "Báo cáo số hóa hồ sơ ngành y tế",
        "lead": "Sở Y tế", "role": "lead", "due": "2031-03-08", "days_late": 2,
    }
    everything = json.loads(run("tasks", "overdue", "--on", D.isoformat(), "--format", "json"))
    mine = [r for r in everything if r["plan"] == "99/KH-UBND-kh-nhac-viec"]
    assert {r["content"] for r in mine} == {
        "Báo cáo tháng về CCHC (02/2031)", "Báo cáo số hóa hồ sơ ngành y tế",
        "Quy hoạch đô thị của Sở Xây dựng", "Xây dựng bộ chỉ số phối hợp", "Đã góp ý xong",
    }
    table = run("tasks", "overdue", "--unit", "P08-SYT", "--on", D.isoformat())
    lines = table.splitlines()
    assert "Sở Y tế" in lines[0] and lines[0].endswith(": 3")
    assert "Báo cáo số hóa hồ sơ ngành y tế" in lines[2] and lines[2].split()[0] == "2" and "08/03/2031" in lines[2]
    csv_text = run("tasks", "overdue", "--unit", "P08-SYT", "--on", D.isoformat(), "--format", "csv")
    assert len(csv_text.strip().splitlines()) == 1 + 3
    with pytest.raises(CommandError):
        run("tasks", "overdue", "--unit", "P99-NOPE")
