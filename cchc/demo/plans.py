"""Demo plans: the tables of plans 56/KH-UBND (seed 003, 2020-2025) and 116/KH-UBND (seed 000, 2021
and the following years), imported
through the same path as an upload (reader, name matcher, time frames, commit), with five years of
follow-up: most dated tasks closed (on time or late), a few left overdue, periods of the recurring
tasks closed, progress reported on the continuous ones.

Plan 223/KH-UBND (seed 004) is not imported: the reform office imports it from the sample .docx of the
import page (that is the demo's walk-through). The names the matcher cannot place are kept as written;
the time frames to check stay marked ``needs_review`` on the board. Idempotent: a plan already there
(same number and year) is left alone.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from cchc.orgs.models import OrgUnit
from cchc.plans import importer, services
from cchc.plans.models import Plan, PlanKind, TaskRole
from cchc.plans.responsibility import Responsibility
from cchc.plans.samples import plan_meta, sample_docx

DEMO_PLANS = (
    # (sample, kind, title shown in the demo, last year covered)
    ("seed003", PlanKind.MULTI_YEAR, None, 2025),
    ("seed000", PlanKind.INDEX, None, 2026),
)


def _owner(province: OrgUnit) -> OrgUnit | None:
    """The province's Sở Nội vụ (the standing agency for reform) of today."""
    return OrgUnit.objects.current().filter(province=province, name__iexact="Sở Nội vụ").first()


@transaction.atomic
def build_plans(province: OrgUnit) -> dict[str, int]:
    """Import the demo plans for ``province``; returns {plan code: number of tasks}."""
    owner = _owner(province)
    done: dict[str, int] = {}
    for sample, kind, title, year_to in DEMO_PLANS:
        meta = plan_meta(sample)
        meta.setdefault("year", int((meta.get("date") or "2020")[:4]))
        existing = Plan.objects.filter(number=meta["number"], year=meta["year"]).first()
        if existing is not None:
            done[existing.code] = existing.tasks.count()
            continue
        fields = {
            "number": meta["number"],
            "title": title or meta["title"],
            "kind": kind,
            "year": meta["year"],
            "year_to": year_to,
            "issued_on": meta.get("date") or dt.date(meta["year"], 1, 1).isoformat(),
            "issuer": province.code,
            "owner": owner.code if owner else None,
        }
        name = f"{meta['number'].replace('/', '-')}.docx"
        batch = importer.start_import(None, name, sample_docx(sample), fields)
        plan = importer.commit(batch, None, keep_unmatched=True)
        follow_up(plan, services.today())
        done[plan.code] = plan.tasks.count()
    return done


def follow_up(plan: Plan, today: dt.date) -> None:
    """Years of follow-up on ``plan`` up to ``today``, as the units would have reported it.

    Deterministic: of the tasks due before today, about 80% closed on time and the others late, except
    that every third task due within the last year is still open (red on the board); periods of recurring tasks closed mostly on time (the latest one stays
    open when it is due within a month); continuous tasks get a progress report from their lead.
    """
    from cchc.accounts.models import User

    rng = random.Random(f"{plan.code}-{today.year}")
    office = User.objects.filter(username="cchc").first()  # the reform office reports for the demo
    if office is None:
        return
    answering = Responsibility(today)
    recent = 0
    for task in plan.tasks.prefetch_related("units", "occurrences").select_related("plan").order_by("position"):
        lead = next((tu for tu in task.units.all() if tu.role == TaskRole.LEAD), None)
        unit_ids = sorted(answering.units_of(lead)) if lead else []
        unit = OrgUnit.objects.filter(pk=unit_ids[0]).first() if unit_ids else None
        for occurrence in task.occurrences.all():
            if occurrence.due >= today - dt.timedelta(days=30):
                continue
            late = rng.random() < 0.15
            day = occurrence.due + dt.timedelta(days=rng.randint(1, 20)) if late else occurrence.due - dt.timedelta(days=rng.randint(0, 10))
            services.close_task(task, office, min(day, today), occurrence=occurrence)
        if task.recurring or task.waits_for or task.needs_review:
            continue
        if task.due is None:
            if unit is not None:
                services.report_progress(task, office, unit, rng.choice((30, 50, 60, 70, 80)), "Đang triển khai thường xuyên.")
            continue
        if task.due >= today:
            if unit is not None:
                services.report_progress(task, office, unit, rng.choice((20, 40, 60)), "Đang thực hiện theo kế hoạch.")
            continue
        draw = rng.random()
        if task.due >= today - dt.timedelta(days=365):  # due within the last year: every third still open
            recent += 1
            draw = 0.95 if recent % 3 == 0 else draw * 0.9
        else:  # long past: closed by now, on time or late
            draw = min(draw, 0.91)
        if draw < 0.80:
            services.close_task(task, office, task.due - dt.timedelta(days=rng.randint(0, 25)))
        elif draw < 0.92:
            services.close_task(task, office, min(today, task.due + dt.timedelta(days=rng.randint(3, 60))))
        elif unit is not None:
            services.report_progress(task, office, unit, rng.choice((50, 70, 90)), "Chưa hoàn thành, đang đôn đốc.")
