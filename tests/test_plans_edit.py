"""The reform office corrects a task after the import: texts, time frame, units, criteria.

Today is fixed at 15/06/2026 (a Monday) as in the board's tests, whose helpers are reused.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from cchc.plans import services

from .test_plans_board import make_plan, make_task

TODAY = date(2026, 6, 15)


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


@pytest.fixture
def plan(units):
    return make_plan(units)


def form_of(task, **changes) -> dict:
    """The form as the page fills it, with ``changes``."""
    data = {
        "number": task.number, "content": task.content, "target": task.target, "output": task.output,
        "priority": str(task.priority), "time_frame_text": task.time_frame_text, "completion_text": task.completion_text,
        "manual_due": "", "leads": [], "coordinators": [], "criteria": [],
    }
    from cchc.plans.editing import unit_key

    for row in task.units.select_related("unit", "group"):
        data["leads" if row.role == "lead" else "coordinators"].append(unit_key(row))
    data["criteria"] = [str(pk) for pk in task.criteria.values_list("pk", flat=True)]
    data.update(changes)
    return data


def selected(html: str, name: str) -> list[str]:
    """The values chosen in the select ``name`` of the page."""
    block = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="([^"]+)" selected>', block)


@pytest.mark.django_db
def test_the_reform_office_corrects_a_task_and_the_board_follows(login, plan, units):
    from cchc.frameworks.models import Criterion

    task = make_task(plan, lead=units["a"], coordinating=[units["b"]], time_frame_text="Tháng 6/2026", due=date(2026, 6, 30), content="Rà soát thủ tục")
    history = task.history.count()
    client = login("cchc")
    page = client.get(reverse("plans:task_detail", args=[task.uuid])).content.decode()
    assert reverse("plans:task_edit", args=[task.uuid]) in page

    page = client.get(reverse("plans:task_edit", args=[task.uuid])).content.decode()
    assert selected(page, "leads") == [f"u:{units['a'].code}"] and selected(page, "coordinators") == [f"u:{units['b'].code}"]
    assert 'value="Tháng 6/2026"' in page

    criterion = Criterion.objects.filter(framework__code="AGENCY-DEPT-TEMPLATE", code="1.1.2").get()
    response = client.post(reverse("plans:task_edit", args=[task.uuid]), form_of(
        task, content="Rà soát, đơn giản hóa thủ tục hành chính", time_frame_text="Quý III/2026",
        leads=[f"u:{units['snv'].code}"], coordinators=[f"u:{units['a'].code}", f"u:{units['b'].code}"], criteria=[str(criterion.pk)],
    ))
    assert response.status_code == 302 and response["Location"] == reverse("plans:task_detail", args=[task.uuid])
    task.refresh_from_db()
    assert task.content == "Rà soát, đơn giản hóa thủ tục hành chính"
    assert (task.start, task.due) == (date(2026, 7, 1), date(2026, 9, 30))  # 30/09/2026 is a Wednesday
    assert task.time_frame["kind"] == "period" and task.time_frame["import"]["edited"] is True
    assert {(tu.role, tu.unit.code) for tu in task.units.select_related("unit")} == {
        ("lead", units["snv"].code), ("coordinating", units["a"].code), ("coordinating", units["b"].code),
    }
    assert list(task.criteria.all()) == [criterion]
    assert task.history.count() > history  # the correction is in the task's history

    page = client.get(response["Location"]).content.decode()
    assert "Đã lưu: nội dung, thời hạn, đơn vị chủ trì, đơn vị phối hợp, tiêu chí." in page
    board = client.get(reverse("plans:board"), {"criterion": f"AGENCY-DEPT-TEMPLATE/v{criterion.framework.version}/1.1.2"}).content.decode()
    assert str(task.uuid) in board
    # Sở Y tế now coordinates: it reports its contribution, it no longer closes the task.
    page = login("yte").get(reverse("plans:task_detail", args=[task.uuid])).content.decode()
    assert "contribute-form" in page and 'id="close-form"' not in page


@pytest.mark.django_db
def test_saving_the_form_unchanged_changes_nothing_and_keeps_an_extension(login, plan, units):
    task = make_task(plan, lead=units["a"], time_frame_text="Tháng 6/2026", due=date(2026, 7, 15), extensions=1)
    response = login("cchc").post(reverse("plans:task_edit", args=[task.uuid]), form_of(task), follow=True)
    assert "Không có gì thay đổi." in response.content.decode()
    task.refresh_from_db()
    assert task.due == date(2026, 7, 15)  # the approved extension stays: the time frame was not read again
    response = login("cchc").post(reverse("plans:task_edit", args=[task.uuid]), form_of(task, content="Nội dung mới"))
    task.refresh_from_db()
    assert response.status_code == 302 and task.content == "Nội dung mới" and task.due == date(2026, 7, 15)


@pytest.mark.django_db
def test_a_recurring_time_frame_makes_its_periods_and_keeps_those_reported_on(login, plan, units):
    from cchc.plans.models import ProgressUpdate

    task = make_task(plan, lead=units["a"], time_frame_text="Trước 31/3/2026", due=date(2026, 3, 31))
    client = login("cchc")
    assert client.post(reverse("plans:task_edit", args=[task.uuid]), form_of(task, time_frame_text="Hằng quý")).status_code == 302
    task.refresh_from_db()
    dues = list(task.occurrences.order_by("due").values_list("due", flat=True))
    assert task.recurring and dues == [date(2026, 3, 31), date(2026, 6, 30), date(2026, 9, 30), date(2026, 12, 31)]
    first = task.occurrences.get(due=date(2026, 3, 31))
    ProgressUpdate.objects.create(task=task, occurrence=first, unit=units["a"], percent=100)
    first.done_at = date(2026, 3, 30)
    first.save()

    assert client.post(reverse("plans:task_edit", args=[task.uuid]), form_of(task, time_frame_text="Hằng tháng")).status_code == 302
    task.refresh_from_db()
    assert task.occurrences.count() == 12
    kept = task.occurrences.get(due=date(2026, 3, 31))
    assert kept.pk == first.pk and kept.done_at == date(2026, 3, 30) and kept.label == "Tháng 03/2026"
    assert task.occurrences.filter(due=date(2026, 1, 30)).exists()  # 31/01/2026 is a Saturday: the Friday before

    # A one-off deadline would drop the reported period: refused, with its name, and nothing saved.
    response = client.post(reverse("plans:task_edit", args=[task.uuid]), form_of(task, time_frame_text="Quý IV/2026", content="Đổi nội dung"))
    assert response.status_code == 400
    assert "Tháng 03/2026 (31/03/2026)" in response.content.decode()
    task.refresh_from_db()
    assert task.recurring and task.occurrences.count() == 12 and task.content != "Đổi nội dung"


@pytest.mark.django_db
def test_an_unreadable_time_frame_is_refused_unless_a_due_date_is_fixed(login, plan, units):
    task = make_task(plan, lead=units["a"], time_frame_text="Tháng 6/2026", due=date(2026, 6, 30))
    client = login("cchc")
    response = client.post(reverse("plans:task_edit", args=[task.uuid]), form_of(task, time_frame_text="sớm nhất có thể"))
    html = response.content.decode()
    assert response.status_code == 400 and "sớm nhất có thể" in html and "không đọc được" in html
    assert 'value="sớm nhất có thể"' in html  # the form keeps what was typed
    task.refresh_from_db()
    assert task.time_frame_text == "Tháng 6/2026" and task.due == date(2026, 6, 30)

    response = client.post(reverse("plans:task_edit", args=[task.uuid]), form_of(task, time_frame_text="sớm nhất có thể", manual_due="2026-08-14"))
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.due == date(2026, 8, 14) and not task.needs_review and task.time_frame["import"]["manual_due"] == "2026-08-14"
    page = client.get(reverse("plans:task_edit", args=[task.uuid])).content.decode()
    assert 'name="manual_due" value="2026-08-14"' in page


@pytest.mark.django_db
def test_names_of_old_units_and_names_kept_as_written_stay_until_removed(login, plan, units):
    from cchc.orgs.models import OrgUnit
    from cchc.plans.models import TaskRole, TaskUnit

    old = OrgUnit.objects.get(code="P08-2025-SYT")  # merged into today's Sở Y tế in 2025
    task = make_task(plan, lead=old, due=date(2026, 6, 30))
    written = TaskUnit.objects.create(task=task, role=TaskRole.COORDINATING, text="Các tổ chức chính trị - xã hội")
    client = login("cchc")
    page = client.get(reverse("plans:task_edit", args=[task.uuid])).content.decode()
    assert selected(page, "leads") == ["u:P08-2025-SYT"]
    assert selected(page, "coordinators") == [f"t:{written.pk}"]
    assert "Các tổ chức chính trị - xã hội (như kế hoạch ghi)" in page

    lead_row = task.units.get(role=TaskRole.LEAD)
    assert client.post(reverse("plans:task_edit", args=[task.uuid]), form_of(task, content="Sửa nội dung")).status_code == 302
    assert task.units.get(role=TaskRole.LEAD).pk == lead_row.pk and TaskUnit.objects.filter(pk=written.pk).exists()

    # The name kept as written becomes the lead beside today's Sở Y tế; the old unit's row goes.
    response = client.post(reverse("plans:task_edit", args=[task.uuid]), form_of(task, leads=[f"u:{units['a'].code}", f"t:{written.pk}"], coordinators=[]))
    assert response.status_code == 302
    assert {(tu.role, tu.unit_id, tu.pk == written.pk) for tu in task.units.all()} == {
        (TaskRole.LEAD, units["a"].pk, False), (TaskRole.LEAD, None, True),
    }


@pytest.mark.django_db
@pytest.mark.parametrize(("changes", "message"), [
    ({"leads": []}, "Chọn ít nhất một đơn vị chủ trì."),
    ({"coordinators": ["LEAD"]}, "vừa chủ trì vừa phối hợp"),
    ({"content": "  "}, "Nội dung nhiệm vụ không được để trống."),
    ({"leads": ["u:NO-SUCH-UNIT"]}, "“NO-SUCH-UNIT” không phải là đơn vị hay nhóm có thể chọn."),
    ({"manual_due": "31/02/2026"}, "không phải là ngày"),
    ({"priority": "9"}, "Chọn mức ưu tiên trong danh sách."),
])
def test_a_wrong_form_says_what_is_wrong_and_writes_nothing(login, plan, units, changes, message):
    task = make_task(plan, lead=units["a"], due=date(2026, 6, 30), content="Nội dung cũ")
    data = form_of(task, content="Nội dung mới", **changes) if "content" not in changes else form_of(task, **changes)
    if data["coordinators"] == ["LEAD"]:
        data["coordinators"] = list(data["leads"])
    response = login("cchc").post(reverse("plans:task_edit", args=[task.uuid]), data)
    assert response.status_code == 400 and message in response.content.decode()
    task.refresh_from_db()
    assert task.content == "Nội dung cũ" and [tu.unit_id for tu in task.units.all()] == [units["a"].pk]


@pytest.mark.django_db
def test_only_the_reform_office_edits_a_task(login, plan, units):
    task = make_task(plan, lead=units["a"], due=date(2026, 6, 30), content="Nội dung cũ")
    url = reverse("plans:task_edit", args=[task.uuid])
    for name in ("yte", "lanhdao", "xaydung"):
        client = login(name)
        assert reverse("plans:task_edit", args=[task.uuid]) not in client.get(reverse("plans:task_detail", args=[task.uuid])).content.decode()
        assert client.get(url).status_code == 403
        assert client.post(url, form_of(task, content="Nội dung khác")).status_code == 403
    task.refresh_from_db()
    assert task.content == "Nội dung cũ"


@pytest.mark.django_db
def test_the_form_shows_what_the_time_frame_reads_as_while_typing(login, plan, units):
    task = make_task(plan, lead=units["a"], time_frame_text="Tháng 6/2026", due=date(2026, 6, 30))
    url = reverse("plans:time_frame_preview", args=[task.uuid])
    client = login("cchc")
    html = client.get(url, {"time_frame_text": "Quý III/2026"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="tf-reading"' in html and "01/07/2026 – <strong>30/09/2026</strong>" in html
    html = client.get(url, {"time_frame_text": "Hằng quý"}).content.decode()
    assert "4 kỳ" in html  # the plan covers 2026 only: four quarters
    html = client.get(url, {"time_frame_text": "sớm nhất có thể"}).content.decode()
    assert 'id="tf-problem"' in html and "Không đọc được" in html
    html = client.get(url, {"time_frame_text": "sớm nhất có thể", "manual_due": "2026-08-14"}).content.decode()
    assert "<strong>14/08/2026</strong>" in html
    task.refresh_from_db()
    assert task.time_frame_text == "Tháng 6/2026"  # nothing saved
    assert login("yte").get(url, {"time_frame_text": "Quý III/2026"}).status_code == 403


@pytest.mark.django_db
def test_the_reading_shows_the_completion_column_as_the_deadline_and_the_time_frame_as_the_start(login, plan, units):
    task = make_task(plan, lead=units["a"], due=date(2026, 6, 30))
    html = login("cchc").get(reverse("plans:time_frame_preview", args=[task.uuid]), {
        "time_frame_text": "Quý III/2026", "completion_text": "Trước 15/12/2026",
    }).content.decode()
    assert "<strong>15/12/2026</strong>" in html and "Bắt đầu thực hiện" in html
