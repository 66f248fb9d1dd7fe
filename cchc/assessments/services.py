"""Assessment services: every step of the workflow, in one transaction each.

Views, commands and tests call these; each checks permissions through the access layer,
checks the state, writes, and raises ``AssessmentError`` (a translated message) when the
step is not allowed.

    draft → submitted → under appraisal → returned (per criterion) → resubmitted
          → appraised → locked → published
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core import access
from cchc.frameworks import engine
from cchc.frameworks.messages import describe
from cchc.frameworks.method_types import External, Indicator, input_kind
from cchc.frameworks.methods import score as score_leaf
from cchc.frameworks.model import fmt_points
from cchc.frameworks.models import Criterion, Framework, Score, ScoreKind
from cchc.orgs.models import OrgUnit

from .models import (
    EDITABLE_STATES,
    Citation,
    Cycle,
    CycleKind,
    DomainLead,
    Entry,
    Evidence,
    Round,
    RoundKind,
    RoundState,
    Submission,
    SubmissionState,
)

S = SubmissionState
STORED_PLACES = Decimal("0.0001")  # the scale of the points columns


class AssessmentError(Exception):
    """A step that is not allowed now; the message says why, in the user's language."""


class StaleEdit(AssessmentError):
    """Someone saved the entry after it was opened: the newer values are in ``entry``."""

    def __init__(self, entry: Entry):
        self.entry = entry
        who = entry.updated_by.get_username() if entry.updated_by else _("someone")
        super().__init__(
            _("%(who)s saved this criterion at %(when)s after you opened it; your change was not saved. The newer value is shown.")
            % {"who": who, "when": timezone.localtime(entry.updated_at).strftime("%H:%M %d/%m/%Y")}
        )


def share_framework(entries, framework: Framework):
    """Give every entry's criterion the same Framework instance (and so one parsed definition).

    Without it, reading ``entry.criterion.framework`` costs one query (and one YAML text) per entry.
    """
    entries = list(entries)
    for entry in entries:
        entry.criterion.framework = framework
    return entries


def today() -> dt.date:
    return timezone.localdate()


# --- setting up -------------------------------------------------------------------------


@dataclass
class RoundDates:
    deadline: dt.date
    grace_until: dt.date
    locks_on: dt.date


def monthly_dates(year: int, month: int, *, day: int = 25, grace_days: int = 3, lock_days: int = 10) -> RoundDates:
    """The 25th of the month by default (seed 004 item 74), a few days' grace, a lock date after."""
    last = calendar.monthrange(year, month)[1]
    deadline = dt.date(year, month, min(day, last))
    grace = deadline + dt.timedelta(days=grace_days)
    return RoundDates(deadline, grace, max(grace, deadline + dt.timedelta(days=lock_days)))


@transaction.atomic
def create_cycle(
    *,
    code: str,
    name: str,
    framework: Framework,
    year: int,
    kind: str,
    subjects: list[OrgUnit],
    subjects_at: dt.date,
    domain_leads: dict[str, OrgUnit] | None = None,
    months: list[int] | None = None,
    annual: RoundDates | None = None,
    user=None,
) -> Cycle:
    if user is not None and not access.principal_for(user).manages:
        raise PermissionDenied
    if Cycle.objects.filter(code=code).exists():
        raise AssessmentError(_("A cycle with the code %(code)s exists already.") % {"code": code})
    cycle = Cycle.objects.create(
        code=code, name=name, framework=framework, year=year, kind=kind, subjects_at=subjects_at,
        created_by=user if getattr(user, "pk", None) else None,
    )
    cycle.subjects.set(subjects)
    roots = [node.code for node in framework.definition.nodes]
    if kind == CycleKind.PROVINCIAL:
        missing = [code for code in roots if code not in (domain_leads or {})]
        if missing:
            raise AssessmentError(_("Every domain needs a lead agency; missing: %(codes)s.") % {"codes": ", ".join(missing)})
        for domain, unit in (domain_leads or {}).items():
            if domain not in roots:
                raise AssessmentError(_("%(code)s is not a domain of the framework.") % {"code": domain})
            DomainLead.objects.create(cycle=cycle, domain=domain, unit=unit)
    for month in months or []:
        dates = monthly_dates(year, month)
        Round.objects.create(cycle=cycle, code=f"{year}-{month:02d}", kind=RoundKind.MONTHLY, month=month, **dates.__dict__)
    if annual is not None:
        Round.objects.create(cycle=cycle, code="annual", kind=RoundKind.ANNUAL, **annual.__dict__)
    return cycle


def expected_submissions(round_: Round) -> list[tuple[OrgUnit, str, OrgUnit]]:
    """(subject, domain, owner) for every submission the round expects."""
    cycle = round_.cycle
    subjects = list(cycle.subjects.order_by("type", "sort_order", "name"))
    if cycle.kind == CycleKind.PROVINCIAL:
        leads = {d.domain: d.unit for d in cycle.domain_leads.select_related("unit")}
        return [(subject, node.code, leads[node.code]) for subject in subjects for node in cycle.framework.definition.nodes]
    return [(subject, "", subject) for subject in subjects]


@transaction.atomic
def open_submissions(round_: Round) -> int:
    """Create the round's submissions and entries, carrying values forward from the previous round."""
    created = 0
    for subject, domain, owner in expected_submissions(round_):
        submission, new = Submission.objects.get_or_create(
            round=round_, subject=subject, domain=domain, defaults={"owner": owner}
        )
        if new:
            created += 1
        _ensure_entries(submission)
    return created


def leaf_criteria(submission: Submission):
    criteria = Criterion.objects.filter(framework=submission.round.cycle.framework, is_leaf=True).order_by("position")
    if submission.domain:
        codes = _codes_under(submission.round.cycle.framework, submission.domain)
        criteria = criteria.filter(code__in=codes)
    return criteria


def _codes_under(framework: Framework, domain: str) -> set[str]:
    node = framework.definition.by_code()[domain]
    return {n.code for n, _depth in node.walk()}


def _previous_round(round_: Round) -> Round | None:
    if round_.kind != RoundKind.MONTHLY:
        return round_.cycle.rounds.filter(kind=RoundKind.MONTHLY).order_by("-month").first()
    return round_.cycle.rounds.filter(kind=RoundKind.MONTHLY, month__lt=round_.month).order_by("-month").first()


def _ensure_entries(submission: Submission) -> None:
    existing = set(submission.entries.values_list("criterion_id", flat=True))
    previous = _previous_round(submission.round)
    carried = {}
    if previous is not None:
        for e in Entry.objects.filter(submission__round=previous, submission__subject=submission.subject, submission__domain=submission.domain):
            carried[e.criterion_id] = e
    new = []
    for criterion in leaf_criteria(submission):
        if criterion.pk in existing:
            continue
        before = carried.get(criterion.pk)
        fields = {}
        if before is not None:
            fields = {k: getattr(before, k) for k in ("value", "numerator", "denominator", "done", "self_score", "explanation")}
        new.append(Entry(submission=submission, criterion=criterion, **fields))
    Entry.objects.bulk_create(new)
    if carried:
        for entry in submission.entries.filter(criterion_id__in=[e.criterion_id for e in new]):
            before = carried[entry.criterion_id]
            entry.citations.bulk_create(
                [Citation(entry=entry, evidence_id=c.evidence_id, locator=c.locator) for c in before.citations.all()],
                ignore_conflicts=True,
            )


# --- entering scores ---------------------------------------------------------------------


def _require(user, action: str, obj) -> None:
    if not access.can(user, "view", obj):
        raise PermissionDenied
    if not access.can(user, action, obj):
        raise PermissionDenied


def is_external(criterion: Criterion) -> bool:
    """Scored by someone else (a survey, SIPAS): the reform office enters it at appraisal."""
    node = criterion.framework.definition.by_code()[criterion.code]
    return isinstance(node.method, External)


def entry_is_editable(entry: Entry, on: dt.date | None = None) -> bool:
    submission = entry.submission
    day = on or today()
    if submission.round.is_locked_on(day) or is_external(entry.criterion):
        return False
    if submission.state == S.RETURNED and submission.response_due and day > submission.response_due:
        return False
    if submission.state == S.DRAFT:
        return True
    return submission.state == S.RETURNED and entry.returned


def _check_editable(entry: Entry) -> None:
    submission = entry.submission
    if submission.round.is_locked_on(today()):
        raise AssessmentError(_("The round is locked: nothing can be changed."))
    if submission.state not in EDITABLE_STATES:
        raise AssessmentError(
            _("The submission is %(state)s: it cannot be changed now.") % {"state": submission.get_state_display()}
        )
    if submission.state == S.RETURNED and not entry.returned:
        raise AssessmentError(_("Only the criteria returned by the appraiser can be changed."))
    if submission.state == S.RETURNED and submission.response_due and today() > submission.response_due:
        raise AssessmentError(
            _("The time to answer the appraisal ended on %(day)s.") % {"day": submission.response_due.strftime("%d/%m/%Y")}
        )
    if is_external(entry.criterion):
        node = entry.criterion.framework.definition.by_code()[entry.criterion.code]
        raise AssessmentError(_("This criterion is scored by %(source)s, not by the unit.") % {"source": node.method.source})


def parse_input(kind: str, *, value=None, numerator=None, denominator=None, done=None):
    """Turn form text into the engine's input for the leaf's kind; None when nothing is entered."""
    from cchc.frameworks.dataset import as_decimal

    def number(text):
        if text in (None, ""):
            return None
        parsed = as_decimal(str(text).strip().replace(",", "."))
        if parsed is None:
            raise AssessmentError(_("“%(value)s” is not a number.") % {"value": text})
        return parsed

    if kind == "bool":
        if done in (None, ""):
            return None
        answer = str(done).strip().lower()
        if answer in ("1", "true", "yes", "on", "co", "có", "đạt", "dat", "x"):
            return True
        if answer in ("0", "false", "no", "off", "khong", "không", "chưa đạt", "chua dat"):
            return False
        raise AssessmentError(_("“%(value)s” is not yes/no (1 or 0).") % {"value": done})
    if kind == "rate":
        n, d = number(numerator), number(denominator)
        if n is None and d is None:
            return None
        if n is None or d is None:
            raise AssessmentError(_("Enter both the numerator and the denominator."))
        return (n, d)
    return number(value)


def compute_leaf(criterion: Criterion, value):
    """(score, explanation text) of one leaf for an input; raises AssessmentError when refused."""
    node = criterion.framework.definition.by_code()[criterion.code]
    scored = score_leaf(node.method, node.max, value, node.code)
    if scored.findings:
        raise AssessmentError(describe(scored.findings[0], line=False))
    return scored.score, scored.explanation


# --- leaves read from another module (cchc.core.indicators) ---------------------------------


def round_period(round_: Round) -> tuple[dt.date, dt.date]:
    """The days a round's indicators cover: the year to the end of the round's month (monthly
    rounds), or the whole year (the annual round)."""
    year = round_.cycle.year
    if round_.month:
        return dt.date(year, 1, 1), dt.date(year, round_.month, calendar.monthrange(year, round_.month)[1])
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def indicator_of(criterion: Criterion) -> str | None:
    node = criterion.framework.definition.by_code()[criterion.code]
    return node.method.indicator if isinstance(node.method, Indicator) else None


def readings(submission: Submission, entries) -> dict[int, object]:
    """entry id -> the reading of its indicator for the submission's subject and the round's period."""
    from cchc.core import indicators

    start, end = round_period(submission.round)
    found = {}
    for entry in entries:
        name = indicator_of(entry.criterion)
        if name and indicators.known(name):
            reading = indicators.read(name, submission.subject, start, end)
            if reading is not None:
                found[entry.pk] = reading
    return found


@transaction.atomic
def fill_indicators(submission: Submission) -> int:
    """Write the readings into the editable entries of indicator leaves (numerator, denominator,
    score); returns how many changed. Locked, sent or appraised entries are left as they are."""
    entries = [
        e for e in submission.entries.select_related("criterion__framework", "submission__round__cycle")
        if indicator_of(e.criterion) and entry_is_editable(e)
    ]
    changed = 0
    for entry_id, reading in readings(submission, entries).items():
        entry = next(e for e in entries if e.pk == entry_id)
        if (entry.numerator, entry.denominator) == reading.value and entry.self_score is not None and entry.reading == reading.text:
            continue
        score, _explanation = compute_leaf(entry.criterion, reading.value)
        entry.numerator, entry.denominator = reading.value
        entry.value = entry.done = None
        entry.self_score = score.quantize(STORED_PLACES, rounding=ROUND_HALF_UP) if score is not None else None
        if not entry.explanation.strip() or entry.explanation == entry.reading:
            entry.explanation = reading.text  # the unit's own words, once written, are kept
        entry.reading = reading.text
        entry.version += 1
        entry.save(update_fields=["numerator", "denominator", "value", "done", "self_score", "explanation", "reading", "version", "updated_at"])
        changed += 1
    return changed


@transaction.atomic
def save_entry(entry: Entry, user, *, value, explanation: str | None = None, version: int | None = None, response: str | None = None) -> Entry:
    """Store one leaf's input; refuse a stale version (someone saved in between)."""
    entry = Entry.objects.select_for_update(of=("self",)).select_related("submission__round__cycle", "criterion__framework").get(pk=entry.pk)
    _require(user, "change", entry)
    _check_editable(entry)
    if version is not None and version != entry.version:
        raise StaleEdit(entry)
    score, _explanation = compute_leaf(entry.criterion, value)
    if score is not None:
        score = score.quantize(STORED_PLACES, rounding=ROUND_HALF_UP)  # what the database keeps
    entry.value = entry.numerator = entry.denominator = entry.done = None
    if isinstance(value, tuple):
        entry.numerator, entry.denominator = value
    elif isinstance(value, bool):
        entry.done = value
    else:
        entry.value = value
    entry.self_score = score
    if explanation is not None:
        entry.explanation = explanation.strip()
    if response is not None:
        entry.response = response.strip()
    entry.version += 1
    entry.updated_by = user
    entry.save()
    return entry


@transaction.atomic
def cite(entry: Entry, user, evidence: Evidence, locator: str = "") -> Citation:
    _require(user, "change", entry)
    _check_editable(entry)
    if not access.can(user, "view", evidence):
        raise PermissionDenied
    if evidence.owner_id not in (entry.submission.owner_id, entry.submission.subject_id) and not access.principal_of(user).manages:
        raise AssessmentError(_("This document belongs to another unit's register."))
    citation, _created = Citation.objects.update_or_create(entry=entry, evidence=evidence, defaults={"locator": locator.strip()})
    Entry.objects.filter(pk=entry.pk).update(version=F("version") + 1)  # the citation has its own history
    return citation


@transaction.atomic
def uncite(citation: Citation, user) -> None:
    entry = citation.entry
    _require(user, "change", entry)
    _check_editable(entry)
    citation.delete()
    Entry.objects.filter(pk=entry.pk).update(version=F("version") + 1)


# --- submitting --------------------------------------------------------------------------


def missing_explanations(submission: Submission) -> list[Entry]:
    """Leaves scored above zero with no evidence and no written explanation (the MOHA rule)."""
    entries = share_framework(submission.entries.select_related("criterion").prefetch_related("citations"), submission.round.cycle.framework)
    return [
        e
        for e in entries
        if e.self_score and e.self_score > 0 and not e.citations.all() and not e.explanation.strip()
        and not is_external(e.criterion)
    ]


@transaction.atomic
def submit(submission: Submission, user, *, now: dt.datetime | None = None) -> Submission:
    submission = Submission.objects.select_for_update(of=("self",)).select_related("round__cycle").get(pk=submission.pk)
    _require(user, "change", submission)
    now = now or timezone.now()
    day = timezone.localdate(now)
    if submission.round.is_locked_on(day):
        raise AssessmentError(_("The round is locked since %(day)s: it can no longer be submitted.") % {"day": submission.round.locks_on.strftime("%d/%m/%Y")})
    if submission.state not in EDITABLE_STATES:
        raise AssessmentError(_("The submission is %(state)s: there is nothing to send.") % {"state": submission.get_state_display()})
    fill_indicators(submission)  # the numbers sent are those of today
    unexplained = missing_explanations(submission)
    if unexplained:
        codes = ", ".join(e.criterion.code for e in unexplained)
        raise AssessmentError(
            _("Criteria scored above zero need evidence or a written explanation: %(codes)s.") % {"codes": codes}
        )
    if submission.state == S.DRAFT:
        submission.state = S.SUBMITTED
        submission.submitted_at = now
        submission.submitted_by = user
        submission.late = day > submission.round.grace_until
        submission.late_days = max(0, (day - submission.round.deadline).days) if submission.late else 0
    else:
        submission.state = S.RESUBMITTED
        submission.response_due = None
    submission.save()
    return submission


def _fresh(submission: Submission) -> Submission:
    """The submission as it is in the database now, locked for this transaction."""
    return Submission.objects.select_for_update(of=("self",)).select_related("round__cycle").get(pk=submission.pk)


# --- appraising --------------------------------------------------------------------------


@transaction.atomic
def start_appraisal(submission: Submission, user) -> Submission:
    _require(user, "appraise", submission)
    submission = _fresh(submission)
    if submission.state not in (S.SUBMITTED, S.RESUBMITTED):
        raise AssessmentError(_("Only a submitted submission can be appraised."))
    submission.state = S.UNDER_APPRAISAL
    submission.save()
    return submission


@transaction.atomic
def appraise_entry(entry: Entry, user, *, score: Decimal | None, reason: str = "") -> Entry:
    entry = Entry.objects.select_for_update(of=("self",)).select_related("submission__round__cycle", "criterion__framework").get(pk=entry.pk)
    _require(user, "appraise", entry)
    if entry.submission.state != S.UNDER_APPRAISAL:
        raise AssessmentError(_("Start the appraisal of the submission first."))
    if score is not None:
        maximum = entry.criterion.max_points
        if score < 0 or (maximum is not None and score > maximum):
            raise AssessmentError(_("The appraised score must be between 0 and %(max)s.") % {"max": fmt_points(maximum)})
        if score != (entry.self_score or 0) and not reason.strip() and not is_external(entry.criterion):
            raise AssessmentError(_("Give the reason why the appraised score differs from the self score."))
    entry.appraised_score = score
    entry.appraisal_reason = reason.strip()
    entry.appraised_by = user
    entry.appraised_at = timezone.now()
    entry.version += 1
    entry.save()
    return entry


@transaction.atomic
def return_entries(submission: Submission, user, reasons: dict[int, str]) -> Submission:
    """Send criteria back to the unit, each with its reason; only they reopen."""
    _require(user, "appraise", submission)
    submission = _fresh(submission)
    if submission.state not in (S.UNDER_APPRAISAL, S.SUBMITTED, S.RESUBMITTED):
        raise AssessmentError(_("Only a submission being appraised can be returned."))
    if not reasons:
        raise AssessmentError(_("Choose at least one criterion to return."))
    if submission.round.is_locked_on(today()):
        raise AssessmentError(_("The round is locked: criteria can no longer be returned."))
    for entry_id, reason in reasons.items():
        if not reason.strip():
            raise AssessmentError(_("Every returned criterion needs a reason."))
        updated = submission.entries.filter(pk=entry_id).update(returned=True, return_reason=reason.strip())
        if not updated:
            raise AssessmentError(_("That criterion is not part of this submission."))
    submission.entries.exclude(pk__in=reasons).update(returned=False)
    submission.state = S.RETURNED
    last_open_day = submission.round.locks_on - dt.timedelta(days=1)
    submission.response_due = min(today() + dt.timedelta(days=submission.round.cycle.response_days), last_open_day)
    submission.save()
    for entry in submission.entries.filter(pk__in=reasons):
        entry.save()  # one history record per returned criterion
    return submission


@transaction.atomic
def finish_appraisal(submission: Submission, user) -> Submission:
    _require(user, "appraise", submission)
    submission = _fresh(submission)
    if submission.state != S.UNDER_APPRAISAL:
        raise AssessmentError(_("Only a submission under appraisal can be closed."))
    submission.entries.update(returned=False)
    submission.state = S.APPRAISED
    submission.save()
    return submission


PENDING_APPRAISAL = (S.SUBMITTED, S.UNDER_APPRAISAL, S.RETURNED, S.RESUBMITTED)


@transaction.atomic
def accept_self_scores(round_: Round, user) -> int:
    """Close the appraisal of every sent submission not yet appraised, keeping the self scores."""
    if not access.principal_of(user).manages:
        raise PermissionDenied
    count = 0
    for submission in round_.submissions.filter(state__in=(S.SUBMITTED, S.RESUBMITTED, S.UNDER_APPRAISAL)):
        if submission.state != S.UNDER_APPRAISAL:
            start_appraisal(submission, user)
        finish_appraisal(submission, user)
        count += 1
    return count


# --- locking and publishing --------------------------------------------------------------


@transaction.atomic
def lock_round(round_: Round, user) -> Round:
    if not access.principal_of(user).manages:
        raise PermissionDenied
    round_ = Round.objects.select_for_update(of=("self",)).get(pk=round_.pk)
    if round_.state != RoundState.OPEN:
        raise AssessmentError(_("The round is already %(state)s.") % {"state": round_.get_state_display()})
    pending = list(round_.submissions.filter(state__in=PENDING_APPRAISAL).select_related("subject", "round__cycle"))
    if pending:
        names = "; ".join(str(s) for s in pending[:10])
        raise AssessmentError(_("Finish the appraisal first (or accept the self scores) of: %(names)s.") % {"names": names})
    round_.state = RoundState.LOCKED
    round_.save()
    for submission in round_.submissions.all():
        submission.state = S.LOCKED
        submission.save()
    return round_


@transaction.atomic
def publish_round(round_: Round, user) -> Round:
    """Freeze the final numbers; an annual round also writes them as the published scores of the year."""
    if not access.principal_of(user).manages:
        raise PermissionDenied
    round_ = Round.objects.select_for_update(of=("self",)).select_related("cycle__framework").get(pk=round_.pk)
    if round_.state != RoundState.LOCKED:
        raise AssessmentError(_("Lock the round before publishing it."))
    round_.state = RoundState.PUBLISHED
    round_.published_at = timezone.now()
    round_.published_by = user
    round_.save()
    for submission in round_.submissions.all():
        if submission.submitted_at is None:
            continue  # never sent: stays locked, its numbers are not published
        submission.state = S.PUBLISHED
        submission.save()
    if round_.kind == RoundKind.ANNUAL:
        _write_published_scores(round_)
    return round_


def _write_published_scores(round_: Round) -> None:
    cycle = round_.cycle
    for entry in Entry.objects.filter(submission__round=round_, submission__state=S.PUBLISHED).select_related("criterion", "submission"):
        if entry.final_score is None:
            continue
        Score.objects.update_or_create(
            framework=cycle.framework, criterion=entry.criterion, subject=entry.submission.subject, year=cycle.year,
            kind=ScoreKind.INPUT,
            defaults={"value": entry.final_score, "numerator": None, "denominator": None, "done": None,
                      "points": True, "published": True, "source": str(round_)},
        )


# --- numbers -----------------------------------------------------------------------------


def final_points(entries) -> dict[str, Decimal]:
    return {e.criterion.code: e.final_score for e in entries if e.final_score is not None}


def self_points(entries) -> dict[str, Decimal]:
    return {e.criterion.code: e.self_score for e in entries if e.self_score is not None}


def round_result(round_: Round, subject: OrgUnit, *, final: bool = True, published_only: bool = False) -> engine.Result:
    """The framework computed from the round's points for a subject (all its submissions)."""
    from cchc.frameworks.services import points_definition

    entries = Entry.objects.filter(submission__round=round_, submission__subject=subject).select_related("criterion")
    if published_only:
        entries = entries.filter(submission__state=S.PUBLISHED)
    points = final_points(entries) if final else self_points(entries)
    return engine.compute(points_definition(round_.cycle.framework), points)


def input_kind_of(criterion: Criterion) -> str:
    node = criterion.framework.definition.by_code()[criterion.code]
    return input_kind(node.method) if node.method is not None else "number"
