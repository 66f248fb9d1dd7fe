"""Demo assessment cycles: the province's monthly self-scoring in 2026 and the departments' annual index.

Built through the workflow services (submit, appraise, lock, publish) so the history reads
as a real year: January to September published, October locked, November open with some
domains still in draft. Deterministic; a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from cchc.accounts.models import Membership, Role, User
from cchc.assessments import services
from cchc.assessments.models import Cycle, CycleKind, Entry, Evidence, Round, RoundState, SubmissionState
from cchc.frameworks.models import Framework
from cchc.orgs.models import OrgUnit, UnitType

YEAR = 2026
PROVINCIAL = "tq-2026-chi-so-tinh"
AGENCY = "tq-2026-so-nganh"
DOMAIN_LEADS = {"1": "SNV", "2": "STP", "3": "VP", "4": "SNV", "5": "SNV", "6": "STC", "7": "SKHCN", "8": "SNV"}
PUBLISHED_MONTHS = range(1, 10)
LOCKED_MONTHS = (10,)
OPEN_MONTH = 11
STILL_DRAFT = {"2", "6"}  # in the open month: domains whose leads have not sent yet
HUNDREDTH = Decimal("0.01")


def _user_for(unit: OrgUnit) -> User:
    membership = (
        Membership.objects.filter(unit=unit, active=True, role__in=(Role.DOMAIN_LEAD, Role.OFFICER))
        .select_related("user").order_by("pk").first()
    )
    return membership.user


def _fill(entries, rng: random.Random, share: Decimal) -> None:
    for entry in entries:
        maximum = entry.criterion.max_points
        if maximum is None:
            continue
        draw = Decimal(rng.randint(0, 100)) / 100
        value = (maximum * min(Decimal(1), share + (draw - Decimal("0.5")) / 5)).quantize(HUNDREDTH, ROUND_HALF_UP)
        value = max(Decimal(0), min(maximum, value))
        if services.input_kind_of(entry.criterion) != "number":
            continue  # the provincial framework is scored by hand; other kinds stay for the leads to enter
        entry.value = entry.self_score = value
        entry.explanation = "Theo báo cáo kết quả thực hiện của cơ quan chủ trì."
    Entry.objects.bulk_update(entries, ["value", "self_score", "explanation"])


def _evidence(province: OrgUnit, admin: User) -> None:
    stp = OrgUnit.objects.get(code=f"{province.code}-STP")
    docs = [
        ("01/KH-UBND", dt.date(YEAR, 1, 5), "UBND tỉnh Tuyên Quang", "Kế hoạch cải cách hành chính năm 2026"),
        ("15/BC-STP", dt.date(YEAR, 10, 20), "Sở Tư pháp", "Báo cáo kết quả theo dõi thi hành pháp luật 10 tháng năm 2026"),
        ("102/QĐ-UBND", dt.date(YEAR, 3, 2), "UBND tỉnh Tuyên Quang", "Quyết định công bố danh mục văn bản hết hiệu lực năm 2025"),
    ]
    for number, day, issuer, title in docs:
        Evidence.objects.get_or_create(owner=stp, number=number, defaults={"issued_on": day, "issuer": issuer, "title": title, "created_by": admin})


def build_assessments(province: OrgUnit) -> None:
    if Cycle.objects.filter(code=PROVINCIAL).exists():
        return
    admin = User.objects.get(username="admin")
    framework = Framework.objects.filter(code="HG-214-2021").order_by("-version").first()
    leads = {domain: OrgUnit.objects.get(code=f"{province.code}-{key}") for domain, key in DOMAIN_LEADS.items()}
    cycle = services.create_cycle(
        code=PROVINCIAL, name=f"Tự đánh giá Chỉ số CCHC tỉnh năm {YEAR}", framework=framework, year=YEAR,
        kind=CycleKind.PROVINCIAL, subjects=[province], subjects_at=dt.date(YEAR, 1, 1), domain_leads=leads,
        months=list(range(1, OPEN_MONTH + 1)),
        annual=services.RoundDates(dt.date(YEAR, 12, 15), dt.date(YEAR, 12, 18), dt.date(YEAR, 12, 31)), user=admin,
    )
    _evidence(province, admin)
    rng = random.Random(f"cchc-demo-{YEAR}")  # noqa: S311 - demo data
    tz = timezone.get_current_timezone()
    for round_ in cycle.rounds.filter(kind="monthly").order_by("month"):
        services.open_submissions(round_)
        share = Decimal("0.70") + Decimal(round_.month) / 100
        for submission in round_.submissions.select_related("owner"):
            _fill(list(submission.entries.select_related("criterion")), rng, share)
            if round_.month == OPEN_MONTH and submission.domain in STILL_DRAFT:
                continue
            late = round_.month == 3 and submission.domain == "7"
            day = round_.grace_until + dt.timedelta(days=2) if late else round_.deadline - dt.timedelta(days=3)
            when = timezone.make_aware(dt.datetime.combine(day, dt.time(16, 30)), tz)
            services.submit(submission, _user_for(submission.owner), now=when)
            if round_.month == OPEN_MONTH:
                continue
            services.start_appraisal(submission, admin)
            services.finish_appraisal(submission, admin)
        if round_.month in LOCKED_MONTHS or round_.month in PUBLISHED_MONTHS:
            services.lock_round(round_, admin)
        if round_.month in PUBLISHED_MONTHS:
            services.publish_round(round_, admin)
    # The departments' own index: the annual round is open, every department has its draft.
    dept_framework = Framework.objects.filter(code="AGENCY-DEPT-TEMPLATE").order_by("-version").first()
    departments = list(OrgUnit.objects.current().filter(province=province, type=UnitType.DEPARTMENT))
    agency = services.create_cycle(
        code=AGENCY, name=f"Chỉ số CCHC các sở, ban, ngành năm {YEAR}", framework=dept_framework, year=YEAR,
        kind=CycleKind.AGENCY, subjects=departments, subjects_at=dt.date(YEAR, 1, 1),
        annual=services.RoundDates(dt.date(YEAR, 12, 15), dt.date(YEAR, 12, 18), dt.date(YEAR, 12, 31)), user=admin,
    )
    services.open_submissions(Round.objects.get(cycle=agency, code="annual"))
    assert not Round.objects.filter(cycle=cycle, month=OPEN_MONTH).exclude(state=RoundState.OPEN).exists()
    assert Entry.objects.filter(submission__state=SubmissionState.DRAFT).exists()
