"""Importing a plan's assignment table (cchc.plans.importer, the import pages and ``cchc plans``).

The files are built into a temporary directory from the seed transcriptions in
tests/fixtures/plans/ (see the README there). Every task of those tables must come through with its
units and its time frame; a wrong file gives a message naming the row and column, and nothing is
imported.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from cchc.orgs.matching import split_agencies
from cchc.plans import importer
from cchc.plans.models import ImportBatch, Occurrence, Plan, Task, TaskRole, TaskUnit
from cchc.plans.tables import read_plan_table
from cchc.plans.timeframes import parse

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "plans"
PLAN_YAML = Path(__file__).resolve().parent.parent / "cchc" / "plans" / "samples"  # seed transcriptions
_spec = importlib.util.spec_from_file_location("plans_fixture_build", FIXTURES / "build.py")
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)

TASKS = {"000": 66, "002": 76, "003": 35, "004": 78}
PLANS = {
    "000": {"number": "116/KH-UBND", "title": "Nâng cao PAR INDEX và SIPAS năm 2021", "year": 2021, "issued_on": "2021-07-28", "kind": "index"},
    "002": {"number": "/KH-SCT", "title": "Nâng cao chỉ số CCHC năm 2024", "year": 2024, "kind": "index"},
    "003": {"number": "56/KH-UBND", "title": "Đột phá CCHC năm 2020 và giai đoạn 2021-2025", "year": 2020, "year_to": 2025,
            "issued_on": "2020-05-20", "kind": "multi_year"},
    "004": {"number": "223/KH-UBND", "title": "Cải cách hành chính tỉnh Tuyên Quang năm 2025", "year": 2025,
            "issued_on": "2024-12-23", "kind": "annual"},
}  # fmt: skip
CASES = [(seed, fmt) for seed in TASKS for fmt in ("docx", "xlsx")] + [("004", "csv")]


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("plan-tables")
    for seed in TASKS:
        build.build_all(PLAN_YAML / f"seed{seed}.yaml", out)
    build.broken_fixtures(out / "broken")
    return out


def fields(seed: str, **extra) -> dict:
    return {"issuer": "P08", **PLANS[seed], **extra}


@pytest.fixture
def cchc_user(db):
    from cchc.accounts.models import User

    return User.objects.get(username="cchc")


def start(built, user, seed="004", fmt="docx", **extra):
    path = built / f"seed{seed}.{fmt}"
    return importer.start_import(user, path.name, path.read_bytes(), fields(seed, **extra))


def counts() -> tuple[int, int, int, int]:
    return Plan.objects.count(), Task.objects.count(), TaskUnit.objects.count(), Occurrence.objects.count()


# --------------------------------------------------------------------------- every task comes through


@pytest.mark.django_db
@pytest.mark.parametrize(("seed", "fmt"), CASES)
def test_every_task_comes_through_with_its_units_and_time_frame(built, cchc_user, seed, fmt):
    path = built / f"seed{seed}.{fmt}"
    expected = read_plan_table(path)
    assert len(expected) == TASKS[seed]
    batch = start(built, cchc_user, seed, fmt)
    assert importer.summary(batch.rows)["tasks"] == TASKS[seed]
    plan = importer.commit(batch, cchc_user, keep_unmatched=True)
    tasks = list(plan.tasks.order_by("position").prefetch_related("units"))
    assert len(tasks) == TASKS[seed]
    year = PLANS[seed]["year"]
    for task, row in zip(tasks, expected, strict=True):
        assert task.number == row.number
        assert task.content == (row.content or row.target or row.criterion or row.output)
        if row.criterion:
            assert row.criterion in task.target
        assert task.time_frame_text == row.time_frame and task.completion_text == row.completion
        leads = [tu.text for tu in task.units.all() if tu.role == TaskRole.LEAD]
        coordinating = [tu.text for tu in task.units.all() if tu.role == TaskRole.COORDINATING]
        assert leads == split_agencies(row.lead)
        assert coordinating == split_agencies(row.coordinating)
        deadline = row.completion if row.completion.strip() and row.completion.strip() != row.time_frame.strip() else row.time_frame
        frame = parse(deadline or row.completion, plan_year=year)
        assert task.time_frame["kind"] == frame.kind
        assert task.time_frame["text"] == frame.text
        if frame.due and not task.needs_review:
            assert task.due is not None and abs((task.due - frame.due).days) <= 10  # moved off a day off at most
        if row.section:
            assert task.section is not None
            assert task.section.label in row.section or task.section.title in row.section_titles
    if seed != "002":  # 002 is a plan of Bắc Kạn's Sở Công Thương: its units are not Tuyên Quang's
        placed = TaskUnit.objects.filter(task__plan=plan).exclude(unit=None, group=None).count()
        assert placed >= 0.9 * TaskUnit.objects.filter(task__plan=plan).count()
    assert ImportBatch.objects.get(pk=batch.pk).state == "committed"


@pytest.mark.django_db
def test_names_are_read_against_the_units_of_the_plans_date(built, cchc_user):
    batch = start(built, cchc_user)
    assert batch.plan_fields["province"] == "P08-2025"  # Tuyên Quang before the July 2025 merger
    assert batch.plan_fields["issuer"] == "P08-2025"
    assert batch.plan_fields["owner"] == "P08-SNV"  # the reform office that imports it follows it
    first = batch.rows[0]
    assert [(i["status"], i["code"]) for i in first["lead"]["items"]] == [("unit", "P08-2025-STP")]
    summary = importer.summary(batch.rows)
    assert summary["unmatched"] == 10 and len(summary["unmatched_names"]) == 8
    assert summary["time_frames"] == 2


# --------------------------------------------------------------------------- the preview, fixes, commit


def upload(client, path: Path, seed="004"):
    data = {k: v for k, v in fields(seed).items() if v is not None}
    with open(path, "rb") as handle:
        return client.post(reverse("plans:import_start"), {**data, "file": handle})


@pytest.mark.django_db
def test_the_preview_shows_every_row_and_the_unmatched_names(built, login):
    client = login("cchc")
    assert client.get(reverse("plans:import_start")).status_code == 200
    response = upload(client, built / "seed004.docx")
    assert response.status_code == 302
    batch = ImportBatch.objects.get(uuid=response["Location"].rstrip("/").rsplit("/", 1)[-1])
    page = client.get(response["Location"]).content.decode()
    assert page.count('class="import-row') == 78
    assert 'id="count-tasks">78 nhiệm vụ' in page
    assert "10 tên chưa khớp" in page and "2 mốc thời gian cần kiểm tra" in page
    assert "phòng Tư pháp huyện, thành phố" in page and "import-unit-select" in page
    assert re.search(r'id="commit-button"[^>]*disabled', page)
    assert "Hằng tháng" in page and "Tháng 01/2025 (hạn 31/01/2025)" in page
    assert "Sở Tư pháp" in page and "text-bg-success" in page
    only = client.get(response["Location"] + "?show=problems").content.decode()
    assert only.count('class="import-row') == 7  # rows with an unmatched name or a time frame to check
    assert batch.state == "preview" and Plan.objects.filter(number="223/KH-UBND", created_by__username="cchc").count() == 0


@pytest.mark.django_db
def test_fixing_the_names_and_time_frames_then_committing_creates_the_plan(built, login, cchc_user):
    client = login("cchc")
    batch = start(built, cchc_user)
    url = reverse("plans:import_fix", args=[batch.uuid])
    unmatched, frames = importer.problems(batch.rows)
    # One name with the select (htmx): the best candidate; the same name on another row follows.
    first = next(u for u in unmatched if u["text"] == "phòng Tư pháp huyện, thành phố")
    response = client.post(url, {"row": first["row"], "field": f"{first['role']}.{first['item']}", "value": "P08-2025-STP"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="import-row-{first["row"]}"')
    assert 'id="import-summary"' in html and 'hx-swap-oob="true"' in html
    assert "<template>" in html  # the other row with the same name, swapped out of band
    batch.refresh_from_db()
    items = [i for r in batch.rows for role in ("lead", "coordinating") for i in r[role]["items"] if i["text"] == first["text"]]
    assert len(items) == 2 and all(i["status"] == "unit" and i["code"] == "P08-2025-STP" for i in items)
    # The others: a group for one, the rest kept as written.
    for u in importer.problems(batch.rows)[0]:
        value = "P08-2025-G-SNCL" if "cổ phần" in u["text"] else importer.KEEP
        importer.apply_fix(batch, u["row"], f"{u['role']}.{u['item']}", value)
    # Time frames: one corrected (read again), one accepted.
    wrong_year = next(f for f in frames if "2024" in f["text"])
    response = client.post(url, {"row": wrong_year["row"], "field": "time_frame", "value": "Tháng 3/2025"}, HTTP_HX_REQUEST="true")
    assert "Tháng 03/2025 (hạn 31/03/2025)" in response.content.decode()
    typo = next(f for f in frames if f is not wrong_year)
    client.post(url, {"row": typo["row"], "field": "accept"}, HTTP_HX_REQUEST="true")
    batch.refresh_from_db()
    assert importer.summary(batch.rows)["ready"]
    page = client.get(reverse("plans:import_preview", args=[batch.uuid])).content.decode()
    assert not re.search(r'id="commit-button"[^>]*disabled', page)
    response = client.post(reverse("plans:import_commit", args=[batch.uuid]))
    assert response.status_code == 302
    plan = Plan.objects.get(pk=ImportBatch.objects.get(pk=batch.pk).plan_id)
    assert plan.tasks.count() == 78 and plan.number == "223/KH-UBND" and plan.created_by == cchc_user
    assert plan.sections.count() == 7
    fixed = TaskUnit.objects.get(task__plan=plan, task__number="14", text=first["text"])
    assert fixed.unit.code == "P08-2025-STP"
    kept = TaskUnit.objects.filter(task__plan=plan, unit=None, group=None)
    assert kept.count() == 6 and all(k.text for k in kept)
    task68 = plan.tasks.get(number="68")
    assert task68.due == dt.date(2025, 3, 31) and not task68.needs_review
    assert task68.time_frame_text == "Tháng 02/2024" and task68.completion_text == "Tháng 3/2024"  # as printed
    assert task68.time_frame["import"]["corrected"] is True
    task74 = plan.tasks.get(number="74")
    assert task74.recurring and not task74.needs_review and task74.occurrences.count() == 12
    # Committed: the preview shows the plan; another commit is refused.
    assert "78" in client.get(reverse("plans:import_preview", args=[batch.uuid])).content.decode()
    with pytest.raises(importer.PlanImportError):
        importer.commit(ImportBatch.objects.get(pk=batch.pk), cchc_user)


@pytest.mark.django_db
def test_commit_refuses_while_problems_remain_and_writes_nothing(built, login, cchc_user):
    batch = start(built, cchc_user)
    before = counts()
    with translation.override("vi"), pytest.raises(importer.CommitRefused) as refused:
        importer.commit(batch, cchc_user)
    assert len(refused.value.unmatched) == 10 and len(refused.value.time_frames) == 2
    text = "\n".join(refused.value.messages)
    assert "“Chủ đầu tư các chương trình, dự án”" in text and "Tháng 3/2024" in text and "dòng" in text
    assert counts() == before
    # Through the page: the reasons are listed, nothing is written.
    client = login("cchc")
    response = client.post(reverse("plans:import_commit", args=[batch.uuid]), follow=True)
    page = response.content.decode()
    assert "Chưa nhập dữ liệu nào" in page and "Chủ đầu tư các chương trình, dự án" in page
    assert counts() == before and ImportBatch.objects.get(pk=batch.pk).state == "preview"
    # Names only: still refused for the time frames.
    importer.accept_remaining(batch, "names")
    with pytest.raises(importer.CommitRefused) as refused:
        importer.commit(batch, cchc_user)
    assert not refused.value.unmatched and len(refused.value.time_frames) == 2
    importer.accept_remaining(batch, "time_frames")
    plan = importer.commit(batch, cchc_user)
    assert plan.tasks.count() == 78
    assert plan.tasks.filter(needs_review=True).count() == 2  # accepted in bulk: still to check on the board


@pytest.mark.django_db
def test_fixes_are_checked(built, cchc_user):
    batch = start(built, cchc_user)
    u = importer.problems(batch.rows)[0][0]
    with pytest.raises(importer.PlanImportError):
        importer.apply_fix(batch, u["row"], f"{u['role']}.{u['item']}", "P08-SYT")  # a unit of after the merger
    with pytest.raises(importer.PlanImportError):
        importer.apply_fix(batch, u["row"], f"{u['role']}.{u['item']}", "")
    with pytest.raises(importer.PlanImportError):
        importer.apply_fix(batch, 999, "accept", "")
    with pytest.raises(importer.PlanImportError):
        importer.apply_fix(batch, 0, "due", "31/02/2025")
    with pytest.raises(importer.PlanImportError):
        importer.apply_fix(batch, 0, "colour", "red")
    # A due date by hand resolves a time frame to check; the text as printed stays.
    frame = importer.problems(batch.rows)[1][0]
    importer.apply_fix(batch, frame["row"], "due", "30/03/2025")
    tf = batch.rows[frame["row"]]["time_frame"]
    assert tf["due"] == "2025-03-30" and not tf["needs_review"] and tf["completion"] == "Tháng 3/2024"
    # An unreadable correction stays to check.
    importer.apply_fix(batch, 0, "time_frame", "Tùy tình hình")
    assert batch.rows[0]["time_frame"]["needs_review"] and batch.rows[0]["time_frame"]["kind"] == "unparsed"


@pytest.mark.django_db
def test_discard_drops_the_batch(built, login, cchc_user):
    batch = start(built, cchc_user)
    client = login("cchc")
    response = client.post(reverse("plans:import_discard", args=[batch.uuid]))
    assert response.status_code == 302 and response["Location"] == reverse("plans:import_start")
    assert not ImportBatch.objects.filter(pk=batch.pk).exists()
    assert client.get(reverse("plans:import_preview", args=[batch.uuid])).status_code == 404


# --------------------------------------------------------------------------- wrong files


SHIFTED = {"shifted_cells.docx": ("dòng 4", "cột 6"), "shifted_lead.docx": ("dòng 5", "cột “Cơ quan chủ trì”"),
           "shifted.csv": ("dòng 3", "cột 8")}  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(build.BROKEN))
def test_a_wrong_file_gets_a_clear_message_and_nothing_is_imported(built, login, cchc_user, name):
    path = built / "broken" / name
    before = (*counts(), ImportBatch.objects.count())
    with translation.override("vi"), pytest.raises(importer.PlanImportError) as refused:
        importer.start_import(cchc_user, name, path.read_bytes(), fields("004"))
    message = refused.value.messages[0]
    assert name in message
    if name in SHIFTED:
        for part in SHIFTED[name]:
            assert part in message, message
        assert "lệch" in message
    if name == "no_header.docx":
        assert "Cơ quan chủ trì" in message and "bảng 2, dòng 1" in message
    if name == "zip_of_text.docx":
        assert "ke-hoach.txt" in message and "không phải văn bản Word" in message
    # Through the page: the message, "nothing was imported", the form again.
    response = upload(login("cchc"), path)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Chưa nhập dữ liệu nào" in page and name in page
    assert (*counts(), ImportBatch.objects.count()) == before


# --------------------------------------------------------------------------- who may import


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["yte", "lanhdao", "tuphap", None])
def test_only_the_reform_office_reaches_the_import_urls(built, login, cchc_user, who):
    batch = start(built, cchc_user)
    client = login(who)
    start_url = reverse("plans:import_start")
    forbidden = 302 if who is None else 403  # anonymous: to the sign-in page
    hidden = 302 if who is None else 404
    assert client.get(start_url).status_code == forbidden
    with open(built / "seed004.docx", "rb") as handle:
        assert client.post(start_url, {**fields("004"), "file": handle}).status_code == forbidden
    assert client.get(reverse("plans:import_sample")).status_code == forbidden
    assert client.get(reverse("plans:import_preview", args=[batch.uuid])).status_code == hidden
    assert client.post(reverse("plans:import_fix", args=[batch.uuid]), {"row": 0, "field": "accept"}).status_code == hidden
    assert client.post(reverse("plans:import_fix", args=[batch.uuid]), {"field": "all_names"}).status_code == hidden
    assert client.post(reverse("plans:import_commit", args=[batch.uuid])).status_code == hidden
    assert client.post(reverse("plans:import_discard", args=[batch.uuid])).status_code == hidden
    batch.refresh_from_db()
    assert batch.state == "preview" and ImportBatch.objects.filter(pk=batch.pk).exists()
    assert not importer.summary(batch.rows)["kept"]
    if who:
        from cchc.accounts.models import User

        with pytest.raises(Exception) as refused:  # noqa: PT011 - PermissionDenied (or Http404)
            importer.start_import(User.objects.get(username=who), "x.docx", (built / "seed004.docx").read_bytes(), fields("004"))
        assert type(refused.value).__name__ in ("PermissionDenied", "Http404")


@pytest.mark.django_db
def test_the_sample_docx_is_the_seed_004_appendix(login):
    response = login("cchc").get(reverse("plans:import_sample"))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    assert len(read_plan_table(response.content, filename="sample.docx")) == 78
    assert login("admin").get(reverse("plans:import_sample")).status_code == 200


# --------------------------------------------------------------------------- recurring tasks, deadlines


def csv_plan(rows: list[list[str]]) -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["TT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian thực hiện"])
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


@pytest.mark.django_db
def test_recurring_tasks_get_their_occurrences_and_deadlines_follow_the_rule(cchc_user, settings):
    content = csv_plan([
        ["1", "Báo cáo tháng", "Sở Nội vụ", "Các sở, ban, ngành", "Hằng tháng"],
        ["2", "Báo cáo quý", "Sở Nội vụ", "", "Trước ngày 25 tháng cuối quý"],
        ["3", "Báo cáo sáu tháng", "Sở Nội vụ", "", "Định kỳ 6 tháng"],
        ["4", "Hội nghị", "Sở Nội vụ", "", "Trước ngày 15/6/2025"],  # a Sunday
        ["5", "Tổng kết", "Sở Nội vụ", "", "Hằng năm, trước ngày 25/12"],
    ])  # fmt: skip
    plan_fields = {"number": "1/KH-SNV", "title": "Báo cáo", "year": 2025, "issuer": "P08-SNV", "issued_on": "2025-01-02"}
    plan = importer.commit(importer.start_import(cchc_user, "bao-cao.csv", content, plan_fields), cchc_user)
    tasks = {t.number: t for t in plan.tasks.prefetch_related("occurrences")}
    monthly = [o.due for o in tasks["1"].occurrences.all()]
    assert len(monthly) == 12 and monthly[0] == dt.date(2025, 1, 24)  # 31/01/2025 is in the Tết holiday
    assert tasks["1"].occurrences.first().label == "Tháng 01/2025"
    quarterly = [o.due for o in tasks["2"].occurrences.all()]
    assert quarterly == [dt.date(2025, 3, 25), dt.date(2025, 6, 25), dt.date(2025, 9, 25), dt.date(2025, 12, 25)]
    assert [o.label for o in tasks["2"].occurrences.all()] == ["Quý I/2025", "Quý II/2025", "Quý III/2025", "Quý IV/2025"]
    assert tasks["3"].occurrences.count() == 2 and tasks["5"].occurrences.count() == 1
    assert all(t.recurring for n, t in tasks.items() if n != "4") and not tasks["4"].recurring
    assert tasks["4"].due == dt.date(2025, 6, 13)  # default rule: the working day before
    assert tasks["4"].time_frame["due"] == "2025-06-15"  # the date as the plan states it
    assert plan.issuer.code == "P08-SNV" and plan.owner.code == "P08-SNV"
    assert TaskUnit.objects.get(task=tasks["1"], role=TaskRole.COORDINATING).group.code == "P08-2025-G-SBN"  # read at 02/01/2025

    settings.CCHC_DEADLINE_RULE = "next"
    plan = importer.commit(importer.start_import(cchc_user, "bao-cao.csv", content, {**plan_fields, "number": "2/KH-SNV"}), cchc_user)
    assert plan.tasks.get(number="4").due == dt.date(2025, 6, 16)
    assert plan.tasks.get(number="1").occurrences.first().due == dt.date(2025, 2, 3)
    assert plan.code == "2-kh-snv-2025"


@pytest.mark.django_db
def test_a_plan_over_several_years_gets_occurrences_in_each(built, cchc_user):
    plan = importer.commit(start(built, cchc_user, "003"), cchc_user, keep_unmatched=True)
    assert plan.year == 2020 and plan.year_to == 2025
    yearly = plan.tasks.filter(time_frame_text="Hằng năm").first()
    assert [o.label for o in yearly.occurrences.all()] == [f"Năm {y}" for y in range(2020, 2026)]


# --------------------------------------------------------------------------- the command line


@pytest.mark.django_db
def test_the_command_line_import_and_dry_run(built, capsys):
    path = str(built / "seed004.docx")
    args = ["plans", "import", path, "--number", "223/KH-UBND", "--title", "CCHC 2025", "--year", "2025",
            "--issued", "2024-12-23", "--issuer", "P08", "--quiet-progress"]  # fmt: skip
    before = counts()
    batches = ImportBatch.objects.count()
    with translation.override("en"):
        call_command(*args, "--dry-run")
        out = capsys.readouterr().out
        assert "78 tasks" in out and "Unmatched names:" in out and "Chủ đầu tư các chương trình, dự án" in out
        assert "Time frames to check:" in out and "Dry run: nothing was imported." in out
        assert counts() == before and ImportBatch.objects.count() == batches
        with pytest.raises(CommandError, match="10 unmatched names and 2 time frames to check"):
            call_command(*args)
        assert counts() == before and ImportBatch.objects.count() == batches
        call_command(*args, "--keep-unmatched")
        out = capsys.readouterr().out
    assert "Plan 223-kh-ubnd-2025" in out or "Plan 223-kh-ubnd-2025-" in out
    plan = Plan.objects.filter(number="223/KH-UBND").order_by("-pk").first()
    assert plan.tasks.count() == 78 and plan.issuer.code == "P08-2025"
    assert TaskUnit.objects.filter(task__plan=plan, unit=None, group=None).count() == 10
    with translation.override("en"), pytest.raises(CommandError, match="not a Word document"):
        call_command("plans", "import", str(built / "broken" / "zip_of_text.docx"), "--title", "x", "--year", "2025", "--issuer", "P08")
    assert Plan.objects.count() == before[0] + 1


@pytest.mark.django_db
def test_the_command_line_export(built, cchc_user, tmp_path, capsys):
    plan = importer.commit(start(built, cchc_user, "000"), cchc_user, keep_unmatched=True)
    out = tmp_path / "plan.docx"
    with translation.override("en"), pytest.raises(CommandError, match="No plan no-such-plan"):
        call_command("plans", "export", "no-such-plan")
    try:
        import cchc.plans.export  # noqa: F401
    except ImportError:
        with translation.override("en"), pytest.raises(CommandError, match="not available"):
            call_command("plans", "export", plan.code, "-o", str(out))
        return
    call_command("plans", "export", plan.code, "--format", "docx", "-o", str(out))
    assert out.exists() and len(read_plan_table(out)) == 66


# --------------------------------------------------------------------------- the demo


@pytest.mark.django_db
def test_the_demo_plans(demo):
    from cchc.demo.plans import build_plans
    from cchc.plans import services
    from cchc.plans.status import Status

    plans = {p.number: p for p in Plan.objects.filter(created_by=None)}
    assert set(plans) == {"116/KH-UBND", "56/KH-UBND"}  # 223/KH-UBND is left to the walk-through
    plan = plans["116/KH-UBND"]
    assert plan.tasks.count() == 66 and plan.owner.code == "P08-SNV" and plan.issuer.code == "P08-2025"
    assert plan.year_to == 2026 and plan.tasks.filter(recurring=True).exists()
    assert plans["56/KH-UBND"].tasks.count() == 35
    # Five years of follow-up: closed on time, late, and a few still overdue (red).
    rows = services.task_rows(services.with_board_data(Task.objects.filter(plan__in=plans.values())))
    statuses = {row.status for row in rows}
    assert {Status.DONE_ON_TIME, Status.DONE_LATE, Status.OVERDUE, Status.IN_PROGRESS} <= statuses
    after = Plan.objects.count()
    done = build_plans(demo["province"])
    assert done == {p.code: p.tasks.count() for p in plans.values()} and Plan.objects.count() == after  # idempotent


@pytest.mark.django_db
def test_the_source_document_stays_with_the_plan(built, cchc_user, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    plan = importer.commit(start(built, cchc_user, "000"), cchc_user, keep_unmatched=True)
    original = (built / "seed000.docx").read_bytes()
    assert plan.source_file and plan.source_file.read() == original
    page = login("yte").get(reverse("plans:plan_detail", args=[plan.code])).content.decode()
    assert 'id="plan-source"' in page and 'id="export-docx"' in page
    response = login("yte").get(reverse("plans:plan_source", args=[plan.code]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == original
    assert response["Content-Disposition"].startswith("attachment")
