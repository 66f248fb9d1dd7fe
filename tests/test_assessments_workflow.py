"""The monthly self-scoring workflow: enter, submit, appraise, return, resubmit, lock, publish."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from cchc.accounts.models import User
from cchc.assessments import services
from cchc.assessments.models import Entry, Evidence, Round, RoundState, Submission, SubmissionState
from cchc.assessments.services import AssessmentError

pytestmark = pytest.mark.django_db
CYCLE, MONTH = "tq-2026-chi-so-tinh", "2026-11"


def user(name):
    return User.objects.get(username=name)


@pytest.fixture
def draft():
    """Domain 2 of the province in November: still a draft of Sở Tư pháp (demo)."""
    return Submission.objects.get(round__cycle__code=CYCLE, round__code=MONTH, domain="2")


def url(name, submission, *extra):
    return reverse(f"assessments:{name}", args=[CYCLE, submission.round.code, submission.subject.code, submission.domain_key, *extra])


def entry(submission, code) -> Entry:
    return submission.entries.get(criterion__code=code)


def test_a_domain_lead_scores_a_criterion_and_sees_the_score_at_once(draft, login):
    e = entry(draft, "2.1.1")
    response = login("tuphap").post(
        url("entry_save", draft, "2.1.1"),
        {"value": "0,75", "explanation": "Đã ban hành kế hoạch", "version": e.version},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and "0,75" in body
    e.refresh_from_db()
    assert e.self_score == Decimal("0.75") and e.explanation == "Đã ban hành kế hoạch"
    assert e.history.first().history_user.username == "tuphap"


def test_a_score_above_the_max_is_refused_with_a_message_and_not_saved(draft, login):
    e = entry(draft, "2.1.1")
    before = e.self_score
    body = login("tuphap").post(
        url("entry_save", draft, "2.1.1"), {"value": "5", "version": e.version}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "alert-danger" in body
    e.refresh_from_db()
    assert e.self_score == before


def test_the_second_of_two_editors_is_refused_and_shown_the_newer_value(draft, login):
    e = entry(draft, "2.3")
    opened = e.version
    first = login("tuphap").post(url("entry_save", draft, "2.3"), {"value": "1,5", "version": opened}, HTTP_HX_REQUEST="true")
    assert first.status_code == 200
    second = login("tuphap").post(url("entry_save", draft, "2.3"), {"value": "0,25", "version": opened}, HTTP_HX_REQUEST="true")
    body = second.content.decode()
    assert "tuphap" in body and "1,50" in body and "alert-danger" in body
    e.refresh_from_db()
    assert e.self_score == Decimal("1.5") and e.version == opened + 1


def test_a_scored_leaf_without_evidence_or_explanation_blocks_the_submission(draft):
    lead = user("tuphap")
    e = entry(draft, "2.2.1")
    services.save_entry(e, lead, value=Decimal("0.5"), explanation="")
    with pytest.raises(AssessmentError, match="2.2.1"):
        services.submit(draft, lead)
    evidence = Evidence.objects.filter(owner=draft.owner).first()
    services.cite(entry(draft, "2.2.1"), lead, evidence, "trang 2")
    services.submit(draft, lead)
    draft.refresh_from_db()
    assert draft.state == SubmissionState.SUBMITTED


def test_a_submission_after_the_grace_period_is_recorded_as_late(draft):
    round_ = draft.round
    when = timezone.make_aware(dt.datetime.combine(round_.grace_until + dt.timedelta(days=2), dt.time(9)))
    services.submit(draft, user("tuphap"), now=when)
    draft.refresh_from_db()
    assert draft.late and draft.late_days == (round_.grace_until - round_.deadline).days + 2


def test_a_submission_within_the_grace_period_is_on_time(draft):
    when = timezone.make_aware(dt.datetime.combine(draft.round.grace_until, dt.time(16)))
    services.submit(draft, user("tuphap"), now=when)
    draft.refresh_from_db()
    assert not draft.late and draft.late_days == 0


def test_a_returned_criterion_reopens_alone(draft, login):
    lead, appraiser = user("tuphap"), user("thamdinh")
    services.submit(draft, lead)
    services.start_appraisal(draft, appraiser)
    returned = entry(draft, "2.2.1")
    services.return_entries(draft, appraiser, {returned.pk: "Thiếu quyết định công bố"})
    draft.refresh_from_db()
    assert draft.state == SubmissionState.RETURNED and draft.response_due is not None
    # The returned criterion can be corrected ...
    services.save_entry(entry(draft, "2.2.1"), lead, value=Decimal("0.25"), response="Đã bổ sung")
    # ... the others cannot, through the service and through the page.
    with pytest.raises(AssessmentError):
        services.save_entry(entry(draft, "2.1.1"), lead, value=Decimal("0.1"))
    before = entry(draft, "2.1.1").self_score
    login("tuphap").post(url("entry_save", draft, "2.1.1"), {"value": "0,1"})
    assert entry(draft, "2.1.1").self_score == before
    page = login("tuphap").get(url("submission", draft)).content.decode()
    assert page.count('name="version"') == 1  # one editable row
    services.submit(draft, lead)
    draft.refresh_from_db()
    assert draft.state == SubmissionState.RESUBMITTED


def test_an_appraised_score_that_differs_needs_a_reason(draft):
    lead, appraiser = user("tuphap"), user("thamdinh")
    services.submit(draft, lead)
    services.start_appraisal(draft, appraiser)
    e = entry(draft, "2.3")
    with pytest.raises(AssessmentError):
        services.appraise_entry(e, appraiser, score=Decimal("0.5"), reason="")
    services.appraise_entry(e, appraiser, score=Decimal("0.5"), reason="Chưa đủ tài liệu kiểm chứng")
    services.finish_appraisal(draft, appraiser)
    e.refresh_from_db()
    draft.refresh_from_db()
    assert e.final_score == Decimal("0.5") and draft.state == SubmissionState.APPRAISED
    with pytest.raises(PermissionDenied):
        services.appraise_entry(e, lead, score=Decimal("1"), reason="x")


def test_a_locked_round_refuses_edits_through_every_path(draft, login):
    lead = user("tuphap")
    e = entry(draft, "2.1.1")
    evidence = Evidence.objects.filter(owner=draft.owner).first()
    services.cite(e, lead, evidence)
    services.accept_self_scores(draft.round, user("cchc"))
    services.lock_round(draft.round, user("cchc"))
    draft.refresh_from_db()
    assert draft.state == SubmissionState.LOCKED
    e.refresh_from_db()
    for attempt in (
        lambda: services.save_entry(e, lead, value=Decimal("0.1")),
        lambda: services.cite(entry(draft, "2.3"), lead, evidence),
        lambda: services.uncite(e.citations.first(), lead),
        lambda: services.submit(draft, lead),
    ):
        with pytest.raises(AssessmentError):
            attempt()
    client = login("tuphap")
    before = e.self_score
    client.post(url("entry_save", draft, "2.1.1"), {"value": "0,1", "version": e.version})
    client.post(url("entry_uncite", draft, "2.1.1"), {"evidence": str(evidence.uuid)})
    client.post(url("submit", draft))
    e.refresh_from_db()
    draft.refresh_from_db()
    assert e.self_score == before and e.citations.count() == 1 and draft.state == SubmissionState.LOCKED


def test_the_lock_date_alone_locks_the_round(draft, monkeypatch):
    monkeypatch.setattr(services, "today", lambda: draft.round.locks_on)
    with pytest.raises(AssessmentError):
        services.save_entry(entry(draft, "2.1.1"), user("tuphap"), value=Decimal("0.1"))


@pytest.mark.parametrize("who", ["yte", "xaydung", "xa"])
def test_an_officer_of_another_unit_cannot_read_the_draft_by_guessing_urls(draft, login, who):
    client = login(who)
    assert client.get(url("submission", draft)).status_code == 404
    assert client.post(url("entry_save", draft, "2.1.1"), {"value": "1"}).status_code == 404
    assert client.get(url("appraisal", draft)).status_code == 404
    assert client.post(url("submit", draft)).status_code == 404


def test_an_officer_cannot_read_another_departments_draft_index(login):
    own = reverse("assessments:submission", args=["tq-2026-so-nganh", "annual", "P08-SYT", "all"])
    other = reverse("assessments:submission", args=["tq-2026-so-nganh", "annual", "P08-SXD", "all"])
    client = login("yte")
    assert client.get(own).status_code == 200
    assert client.get(other).status_code == 404


def test_a_viewer_reads_the_draft_but_changes_nothing(draft, login):
    client = login("lanhdao")
    assert client.get(url("submission", draft)).status_code == 200
    assert client.post(url("entry_save", draft, "2.1.1"), {"value": "0"}).status_code == 403
    assert client.post(url("submit", draft)).status_code == 403
    assert client.post(reverse("assessments:round_action", args=[CYCLE, MONTH]), {"action": "lock"}).status_code == 403


def test_the_reform_office_sees_the_consolidated_score_change(draft, login):
    round_url = reverse("assessments:round", args=[CYCLE, MONTH])
    office = login("cchc")

    def consolidated():
        page = office.get(round_url).content.decode()
        start = page.index('id="consolidated-self">') + len('id="consolidated-self">')
        return page[start : page.index(" /", start)]

    before = Decimal(consolidated().replace(",", "."))
    e = entry(draft, "2.3")
    old = e.self_score
    assert old > 0
    services.save_entry(e, user("tuphap"), value=Decimal("0"))
    after = Decimal(consolidated().replace(",", "."))
    assert after == before - old


def test_publishing_the_annual_round_writes_the_published_scores_and_the_ranking(login):
    from cchc.frameworks.services import ranking

    office, appraiser = user("cchc"), user("thamdinh")
    round_ = Round.objects.get(cycle__code="tq-2026-so-nganh", code="annual")
    expected = {}
    for code, officer in (("P08-SYT", "yte"), ("P08-SXD", "xaydung")):
        submission = round_.submissions.get(subject__code=code)
        total = Decimal(0)
        for e in submission.entries.select_related("criterion"):
            if services.input_kind_of(e.criterion) != "number" or e.criterion.max_points is None:
                continue
            node = e.criterion.framework.definition.by_code()[e.criterion.code]
            if node.method.type == "external":
                continue
            services.save_entry(e, user(officer), value=e.criterion.max_points, explanation="Đủ")
            total += e.criterion.max_points
        services.submit(submission, user(officer))  # leaves that read the dossiers fill themselves
        total += sum(
            (e.self_score for e in submission.entries.select_related("criterion__framework")
             if services.indicator_of(e.criterion) and e.self_score is not None), Decimal(0),
        )
        services.start_appraisal(submission, appraiser)
        services.finish_appraisal(submission, appraiser)
        expected[code] = total
    services.lock_round(round_, office)
    services.publish_round(round_, office)
    round_.refresh_from_db()
    assert round_.state == RoundState.PUBLISHED
    rows = {r.subject.code: r for r in ranking(round_.cycle.framework, 2026)}
    assert set(rows) == {"P08-SYT", "P08-SXD"}
    assert rows["P08-SYT"].score == expected["P08-SYT"]
    assert rows["P08-SYT"].rank == 1 or rows["P08-SXD"].rank == 1


def test_a_submission_never_sent_is_locked_but_not_published(draft):
    office = user("cchc")
    services.submit(draft, user("tuphap"))
    with pytest.raises(AssessmentError):
        services.lock_round(draft.round, office)  # sent submissions are not appraised yet
    assert services.accept_self_scores(draft.round, office) == 7
    services.lock_round(draft.round, office)
    services.publish_round(draft.round, office)
    never_sent = Submission.objects.get(round=draft.round, domain="6")
    draft.refresh_from_db()
    assert draft.state == SubmissionState.PUBLISHED
    assert never_sent.state == SubmissionState.LOCKED


def test_the_unit_cannot_answer_after_the_time_limit(draft, monkeypatch):
    lead, appraiser = user("tuphap"), user("thamdinh")
    services.submit(draft, lead)
    services.start_appraisal(draft, appraiser)
    services.return_entries(draft, appraiser, {entry(draft, "2.3").pk: "Thiếu tài liệu"})
    draft.refresh_from_db()
    monkeypatch.setattr(services, "today", lambda: draft.response_due + dt.timedelta(days=1))
    with pytest.raises(AssessmentError, match=draft.response_due.strftime("%d/%m/%Y")):
        services.save_entry(entry(draft, "2.3"), lead, value=Decimal("1"))


def test_an_external_criterion_is_entered_by_the_appraisal_not_by_the_unit():
    from cchc.assessments.models import Round

    round_ = Round.objects.get(cycle__code="tq-2026-so-nganh", code="annual")
    submission = round_.submissions.get(subject__code="P08-SYT")
    external = next(e for e in submission.entries.select_related("criterion") if services.is_external(e.criterion))
    with pytest.raises(AssessmentError):
        services.save_entry(external, user("yte"), value=Decimal("1"))
    assert not services.entry_is_editable(external)
    services.submit(submission, user("yte"))
    services.start_appraisal(submission, user("thamdinh"))
    services.appraise_entry(external, user("thamdinh"), score=external.criterion.max_points, reason="")
    external.refresh_from_db()
    assert external.final_score == external.criterion.max_points and external.self_score is None
