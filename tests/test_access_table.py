"""The access table: a fixed cast × every URL and method × the expected status.

Unit A is Sở Y tế (officer ``yte``), unit B is Sở Xây dựng (officer ``xaydung``).
An officer of A must neither see B's non-public data nor change anything of B; a
viewer changes nothing; anonymous visitors see only the sign-in page.
"""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.urls import get_resolver, reverse

CAST = ["admin", "cchc", "tuphap", "yte", "xaydung", "lanhdao", None]

OK, REDIRECT, FORBIDDEN, HIDDEN = 200, 302, 403, 404
DEPT = "AGENCY-DEPT-TEMPLATE"


AGENCY_CYCLE = "tq-2026-so-nganh"


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def b_evidence(demo):
    """A document in B's register, with a file."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cchc.accounts.models import User
    from cchc.assessments.evidence import register_evidence

    return register_evidence(
        demo["unit_b"], User.objects.get(username="xaydung"), number="07/BC-SXD", issued_on=None,
        issuer="Sở Xây dựng", title="Báo cáo CCHC quý III",
        uploaded_file=SimpleUploadedFile("bao-cao.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf"),
    )


def b_task(demo):
    """A task of a plan of the reform office, led by B; and an import waiting in the preview."""
    from cchc.orgs.models import OrgUnit
    from cchc.plans.models import ImportBatch, Plan, Task, TaskRole, TaskUnit

    snv = OrgUnit.objects.get(code="P08-SNV")
    plan = Plan.objects.create(code="kh-access", number="1/KH-UBND", title="Kế hoạch thử quyền", issuer=demo["province"], owner=snv, year=2026)
    task = Task.objects.create(plan=plan, number="1", position=1, content="Nhiệm vụ của B")
    TaskUnit.objects.create(task=task, role=TaskRole.LEAD, unit=demo["unit_b"])
    from cchc.plans.importer import clean_plan_fields

    fields = clean_plan_fields({"title": "Kế hoạch thử", "year": 2026, "issuer": demo["province"].code})
    batch = ImportBatch.objects.create(file_name="ke-hoach.csv", content=b"", plan_fields=fields, rows=[])
    return plan, task, batch


def unpublish_b_2025(demo):
    """B's 2025 self-assessment is a draft: not published."""
    from cchc.frameworks.models import Score

    assert Score.objects.filter(subject=demo["unit_b"], year=2025, framework__code=DEPT).update(published=False) > 0


def row(name, method="get", args=(), data=None, expect=None, default=OK, anon=REDIRECT):
    """``expect`` overrides ``default`` per member of the cast; anonymous gets ``anon``."""
    statuses = {who: default for who in CAST if who}
    statuses.update(expect or {})
    statuses[None] = anon
    return {"name": name, "method": method, "args": args, "data": data, "expect": statuses}


def table(demo):
    b = demo["unit_b"].code
    manages = {"admin": OK, "cchc": OK}
    b_readers = {**manages, "lanhdao": OK, "xaydung": OK}
    b_readers_no_write = {"admin": FORBIDDEN, "cchc": FORBIDDEN, "lanhdao": FORBIDDEN}
    b_sub = [AGENCY_CYCLE, "annual", b, "all"]
    evidence = demo.setdefault("evidence_b", None) or b_evidence(demo)
    demo["evidence_b"] = evidence
    profile = {"p-phone": "0207.3999999", "p-address": "", "p-email": "", "p-head_name": "Người thử"}
    plan, task, batch = demo.setdefault("plan_b", None) or b_task(demo)
    demo["plan_b"] = (plan, task, batch)
    t = [task.uuid]
    from cchc.dossiers.models import AdjustmentKind, CalendarAdjustment, DossierBatch

    adjustment = CalendarAdjustment.objects.get_or_create(date=dt.date(2031, 1, 2), defaults={"kind": AdjustmentKind.OFF, "name": "Thử"})[0]
    dossier_batch = DossierBatch.objects.create(file_name="thu.csv")
    b_acts = {**{who: FORBIDDEN for who in CAST if who}, "admin": REDIRECT, "cchc": REDIRECT, "xaydung": REDIRECT}
    office_only = {"admin": OK, "cchc": OK}
    return [
        row("core:home"),
        row("core:audit", default=FORBIDDEN, expect=manages),
        row("core:healthz", anon=OK),
        row("accounts:login", default=REDIRECT, anon=OK),
        row("accounts:logout", method="post", default=REDIRECT, anon=REDIRECT),
        row("accounts:password_change"),
        row("accounts:password_done"),
        row("accounts:user_list", default=FORBIDDEN, expect=manages),
        row("accounts:user_create", default=FORBIDDEN, expect=manages),
        row("accounts:user_create", method="post", data={"username": ""}, default=FORBIDDEN, expect=manages),
        # Accounts: only the reform office and the person themself see one.
        row("accounts:user_detail", args=["xaydung"], default=HIDDEN, expect={**manages, "xaydung": OK}),
        row(
            "accounts:membership_add", method="post", args=["xaydung"],
            data={"unit": b, "role": "officer"},
            default=HIDDEN, expect={"admin": 400, "cchc": 400, "xaydung": FORBIDDEN},
        ),
        row(
            "accounts:membership_end", method="post", args=["xaydung"],
            data={"unit": "no-such-unit", "role": "officer"},
            default=HIDDEN, expect={"xaydung": FORBIDDEN},
        ),
        row("orgs:tree"),
        row("orgs:export", args=["csv"]),
        row("orgs:export", args=["xlsx"]),
        row("orgs:group_list"),
        row("orgs:group_detail", args=["P08-G-SBN"]),
        row("orgs:match", data={"text": "Sở Nội vụ"}),
        row("orgs:unit_detail", args=[b]),
        # B's profile: B's officer and the reform office edit it; nobody else.
        row("orgs:unit_edit", args=[b], default=FORBIDDEN, expect={**manages, "xaydung": OK}),
        row(
            "orgs:unit_edit", method="post", args=[b], data=profile,
            default=FORBIDDEN, expect={"admin": OK, "cchc": OK, "xaydung": REDIRECT},
        ),
        # B's people: B itself and province-wide readers; A's officer must not learn them.
        row("orgs:unit_members", args=[b], default=HIDDEN, expect={**manages, "lanhdao": OK, "xaydung": OK}),
        row("orgs:unit_members_export", args=[b, "csv"], default=HIDDEN, expect={**manages, "lanhdao": OK, "xaydung": OK}),
        row("orgs:unit_members_export", args=[b, "xlsx"], default=HIDDEN, expect={**manages, "lanhdao": OK, "xaydung": OK}),
        row("orgs:unit_history", args=[b], default=FORBIDDEN, expect=manages),
        # Indexes: frameworks are reference data; B's unpublished scores are B's and province-wide readers'.
        row("frameworks:list"),
        row("frameworks:detail", args=[DEPT, 1]),
        row("frameworks:export", args=[DEPT, 1]),
        row("frameworks:scorecard_pick", args=[DEPT, 1]),
        row("frameworks:scorecard", args=[DEPT, 1, b, 2025], default=HIDDEN, expect=b_readers),
        row("frameworks:scorecard_export", args=[DEPT, 1, b, 2025, "csv"], default=HIDDEN, expect=b_readers),
        row("frameworks:scorecard_export", args=[DEPT, 1, b, 2025, "xlsx"], default=HIDDEN, expect=b_readers),
        row("frameworks:scorecard", args=[DEPT, 1, b, 2024]),  # published: everyone signed in
        row("frameworks:ranking", args=[DEPT, 1, 2025]),
        row("frameworks:ranking_export", args=[DEPT, 1, 2025, "csv"]),
        row("frameworks:ranking_export", args=[DEPT, 1, 2025, "xlsx"]),
        # Assessment: B's draft self-assessment of its own index, and B's evidence register.
        row("assessments:home"),
        row("assessments:cycle", args=[AGENCY_CYCLE]),
        row("assessments:round", args=[AGENCY_CYCLE, "annual"]),
        row("assessments:round_action", method="post", args=[AGENCY_CYCLE, "annual"], data={"action": "none"},
            default=FORBIDDEN, expect={"admin": REDIRECT, "cchc": REDIRECT}),
        row("assessments:submission", args=[*b_sub], default=HIDDEN, expect=b_readers),
        row("assessments:bulk_template", args=[*b_sub], default=HIDDEN, expect=b_readers_no_write | {"xaydung": OK}),
        row("assessments:bulk_upload", method="post", args=[*b_sub], default=HIDDEN, expect=b_readers_no_write | {"xaydung": REDIRECT}),
        row("assessments:entry_save", method="post", args=[*b_sub, "1.4"], data={"value": ""},
            default=HIDDEN, expect=b_readers_no_write | {"xaydung": REDIRECT}),
        row("assessments:entry_cite", method="post", args=[*b_sub, "1.4"], data={"evidence": ""},
            default=HIDDEN, expect=b_readers_no_write | {"xaydung": REDIRECT}),
        row("assessments:entry_uncite", method="post", args=[*b_sub, "1.4"], data={"evidence": str(evidence.uuid)},
            default=HIDDEN, expect=b_readers_no_write),
        row("assessments:appraisal", args=[*b_sub], default=HIDDEN, expect={**manages, "lanhdao": FORBIDDEN, "xaydung": FORBIDDEN}),
        row("assessments:appraisal_action", method="post", args=[*b_sub], data={"action": "none"},
            default=HIDDEN, expect={"admin": REDIRECT, "cchc": REDIRECT, "lanhdao": FORBIDDEN, "xaydung": FORBIDDEN}),
        row("assessments:evidence_list"),
        row("assessments:evidence_new", expect={"lanhdao": FORBIDDEN}),
        row("assessments:evidence_detail", args=[evidence.uuid], default=HIDDEN, expect=b_readers),
        row("assessments:evidence_download", args=[evidence.uuid], default=HIDDEN, expect=b_readers),
        row("assessments:analysis_gaps", args=[AGENCY_CYCLE, "annual", b], default=HIDDEN, expect=b_readers),
        row("assessments:analysis_gaps_export", args=[AGENCY_CYCLE, "annual", b, "xlsx"], default=HIDDEN, expect=b_readers),
        row("assessments:analysis_matrix", args=["tq-2026-chi-so-tinh", "2026-11"], default=HIDDEN,
            expect={**manages, "lanhdao": OK, "tuphap": OK}),
        row("assessments:analysis_trend", args=["tq-2026-chi-so-tinh"]),
        row("assessments:analysis_notice", args=[AGENCY_CYCLE, "annual"], default=HIDDEN),
        row("assessments:analysis_notice_export", args=[AGENCY_CYCLE, "annual", "docx"], default=HIDDEN),
        row("assessments:submit", method="post", args=[*b_sub], default=HIDDEN, expect=b_readers_no_write | {"xaydung": REDIRECT}),
        # Plans: province-wide information; B's task is reported and closed by B (and the reform office),
        # extensions decided by the plan's owner; imports are the reform office's.
        row("plans:home"),
        row("plans:board"),
        row("plans:board_fragment"),
        row("plans:my_tasks"),
        row("plans:completion"),
        row("plans:digest"),
        row("plans:plan_detail", args=[plan.code]),
        row("plans:plan_export", args=[plan.code, "xlsx"]),
        row("plans:plan_export", args=[plan.code, "docx"]),
        row("plans:plan_source", args=[plan.code], default=HIDDEN),  # no source file: nothing to show
        row("plans:task_detail", args=t),
        row("plans:task_edit", args=t, default=FORBIDDEN, expect=office_only),
        row("plans:task_edit", method="post", args=t, data={}, default=FORBIDDEN, expect={"admin": 400, "cchc": 400}),
        row("plans:time_frame_preview", args=t, data={"time_frame_text": "Quý III/2026"}, default=FORBIDDEN, expect=office_only),
        row("plans:task_progress", method="post", args=t, data={"unit": b, "percent": "10"}, expect=b_acts),
        row("plans:task_contribute", method="post", args=t, data={"unit": b}, expect=b_acts),
        row("plans:task_close", method="post", args=t, data={"done_on": ""}, expect=b_acts),
        row("plans:task_extension", method="post", args=t, data={"unit": b}, expect=b_acts),
        row("plans:task_event", method="post", args=t, data={"day": ""}, expect=b_acts),
        row("plans:extension_decide", method="post", args=t, data={}, default=FORBIDDEN, expect={"admin": REDIRECT, "cchc": REDIRECT}),
        # Dossiers: B's numbers are B's and province-wide readers'; imports and the calendar are the reform office's.
        row("dossiers:dashboard"),
        row("dossiers:dashboard", data={"scope": b}, default=HIDDEN, expect=b_readers),
        row("dossiers:dashboard", data={"scope": "communes"}, default=HIDDEN, expect={**manages, "lanhdao": OK}),
        row("dossiers:list", data={"scope": b, "measure": "received"}, default=HIDDEN, expect=b_readers),
        row("dossiers:list_export", args=["csv"], data={"scope": b, "measure": "late"}, default=HIDDEN, expect=b_readers),
        row("dossiers:list_export", args=["xlsx"], data={"scope": b, "measure": "late"}, default=HIDDEN, expect=b_readers),
        row("dossiers:late", data={"scope": b}, default=HIDDEN, expect=b_readers),
        row("dossiers:late_export", args=["xlsx"], data={"scope": b}, default=HIDDEN, expect=b_readers),
        row("dossiers:late_export", args=["docx"], data={"scope": b}, default=HIDDEN, expect=b_readers),
        row("dossiers:index766", data={"scope": b}, default=HIDDEN, expect=b_readers),
        row("dossiers:index766", data={"scope": "province"}, default=HIDDEN, expect={**manages, "lanhdao": OK}),
        row("dossiers:procedures"),
        row("dossiers:calendar"),
        row("dossiers:calendar_add", method="post", data={}, default=FORBIDDEN, expect={"admin": 400, "cchc": 400}),
        # The admin deletes the day first; for the reform office after it, it is gone.
        row("dossiers:calendar_delete", method="post", args=[adjustment.pk], default=FORBIDDEN, expect={"admin": REDIRECT, "cchc": HIDDEN}),
        row("dossiers:calendar_copy_defaults", method="post", data={"year": "2030"}, default=FORBIDDEN, expect={"admin": REDIRECT, "cchc": REDIRECT}),
        row("dossiers:rederive_job", args=["no-such-job"], default=HIDDEN),
        row("dossiers:import", default=FORBIDDEN, expect=office_only),
        row("dossiers:import", method="post", data={}, default=FORBIDDEN, expect={"admin": 400, "cchc": 400}),
        row("dossiers:batch", args=[dossier_batch.pk], default=HIDDEN, expect=office_only),
        row("dossiers:import_job", args=["no-such-job"], default=HIDDEN),
        row("dossiers:import_job_fragment", args=["no-such-job"], default=HIDDEN),
        row("plans:import_start", default=FORBIDDEN, expect=office_only),
        row("plans:import_sample", default=FORBIDDEN, expect=office_only),
        row("plans:import_preview", args=[batch.uuid], default=HIDDEN, expect=office_only),
        row("plans:import_fix", method="post", args=[batch.uuid], data={}, default=HIDDEN, expect={"admin": 400, "cchc": 400}),
        row("plans:import_commit", method="post", args=[batch.uuid], data={}, default=HIDDEN, expect={"admin": REDIRECT, "cchc": REDIRECT}),
        row("plans:import_discard", method="post", args=[batch.uuid], data={}, default=HIDDEN, expect={"admin": REDIRECT, "cchc": REDIRECT}),
    ]


def run_table(demo, login) -> list[str]:
    unpublish_b_2025(demo)
    mismatches = []
    clients = {who: login(who) for who in CAST}
    for entry in table(demo):
        url = reverse(entry["name"], args=entry["args"])
        for who, expected in entry["expect"].items():
            client = clients[who]
            if entry["method"] == "get":
                response = client.get(url, entry["data"] or {})
            else:
                response = client.post(url, entry["data"] or {})
            if response.status_code != expected:
                mismatches.append(f"{entry['method'].upper()} {url} as {who or 'anonymous'}: {response.status_code}, expected {expected}")
            if entry["name"] == "accounts:logout":
                clients[who] = login(who)  # signed out: sign in again for the next rows
    return mismatches


@pytest.mark.django_db
def test_every_member_of_the_cast_gets_the_expected_status_on_every_url(demo, login):
    assert run_table(demo, login) == []


@pytest.mark.django_db
def test_the_table_covers_every_url_of_the_application(demo):
    covered = {entry["name"] for entry in table(demo)}
    resolver = get_resolver()
    names = set()
    for namespace in ("core", "accounts", "orgs", "frameworks", "assessments", "plans", "dossiers"):
        sub = resolver.namespace_dict[namespace][1]
        names |= {f"{namespace}:{name}" for name in sub.reverse_dict if isinstance(name, str)}
    assert names - covered == set(), "add the new URLs to the access table"


@pytest.mark.django_db
def test_the_table_fails_when_the_permission_layer_is_bypassed(demo, login):
    """If views skipped the layer (here: a layer that allows everything), the table would catch it."""
    from cchc.core import access

    with (
        mock.patch.object(access, "can", lambda *a, **k: True),
        mock.patch.object(access, "require", lambda *a, **k: None),
        mock.patch.object(access.Policy, "scope", lambda self, p, qs: qs),
    ):
        mismatches = run_table(demo, login)
    assert any("as yte" in m and "/members" in m for m in mismatches)
    assert any("as yte" in m and "/scorecard/P08-SXD/2025" in m for m in mismatches)
    assert any("as yte" in m and "/assessments/tq-2026-so-nganh/annual/P08-SXD/" in m for m in mismatches)
    assert any("as yte" in m and "/evidence/" in m for m in mismatches)
    assert any("as lanhdao" in m and "POST" in m for m in mismatches)


@pytest.mark.django_db
def test_a_viewer_changes_nothing_even_with_a_valid_form(demo, login):
    unit = demo["unit_b"]
    before = unit.phone
    response = login("lanhdao").post(
        reverse("orgs:unit_edit", args=[unit.code]),
        {"p-phone": "1", "p-address": "", "p-email": "", "p-head_name": "x"},
    )
    assert response.status_code == FORBIDDEN
    unit.refresh_from_db()
    assert unit.phone == before


@pytest.mark.django_db
def test_an_officer_of_a_cannot_change_the_profile_of_b(demo, login):
    unit = demo["unit_b"]
    response = login("yte").post(
        reverse("orgs:unit_edit", args=[unit.code]),
        {"p-phone": "0000", "p-address": "", "p-email": "", "p-head_name": "Kẻ lạ"},
    )
    assert response.status_code == FORBIDDEN
    unit.refresh_from_db()
    assert unit.head_name != "Kẻ lạ"


@pytest.mark.django_db
def test_an_officer_of_a_cannot_read_the_members_of_b_through_the_export(demo, login):
    response = login("yte").get(reverse("orgs:unit_members_export", args=[demo["unit_b"].code, "csv"]))
    assert response.status_code == HIDDEN
    assert b"xaydung" not in response.content


@pytest.mark.django_db
def test_the_admin_site_is_for_system_administrators_only(login):
    assert login("admin").get("/admin/").status_code == OK
    for who in ("cchc", "yte", "lanhdao"):
        response = login(who).get("/admin/")
        assert response.status_code == REDIRECT and "/admin/login/" in response["Location"]
