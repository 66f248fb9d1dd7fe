"""Assessment pages. Thin: rules live in services.py and the access layer."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cchc.core import access
from cchc.frameworks.dataset import as_decimal
from cchc.frameworks.messages import method_label

from . import services
from .models import (
    Citation,
    Cycle,
    CycleKind,
    Entry,
    Evidence,
    RoundState,
    Submission,
    SubmissionState,
)
from .services import AssessmentError, StaleEdit

S = SubmissionState


# --- lookups ------------------------------------------------------------------------------


def _cycle(request, cycle):
    return access.get_object(request, Cycle.objects.select_related("framework"), "view", code=cycle)


def _round(request, cycle, round_code):
    cycle_obj = _cycle(request, cycle)
    return access.get_object(request, cycle_obj.rounds.select_related("cycle__framework"), "view", code=round_code)


def _submission(request, cycle, round_code, subject, domain, action="view"):
    round_ = _round(request, cycle, round_code)
    return access.get_object(
        request,
        Submission.objects.select_related("round__cycle__framework", "subject", "owner"),
        action,
        round=round_,
        subject__code=subject,
        domain="" if domain == "all" else domain,
    )


def _entry(request, submission, code, action="view") -> Entry:
    return access.get_object(request, submission.entries.select_related("criterion"), action, criterion__code=code)


def _url_args(submission):
    return [submission.round.cycle.code, submission.round.code, submission.subject.code, submission.domain_key]


# --- pages --------------------------------------------------------------------------------


def home(request):
    cycles = access.scoped(request, Cycle.objects.select_related("framework")).order_by("-year", "code")
    principal = request.principal
    mine = (
        access.scoped(request, Submission.objects.select_related("round__cycle", "subject", "owner"))
        .filter(owner__in=principal.scope_unit_ids, round__state=RoundState.OPEN)
        .order_by("round__deadline", "subject__name", "domain")
    )
    to_appraise = []
    if principal.manages or "appraiser" in principal.roles:
        to_appraise = access.scoped(
            request, Submission.objects.filter(state__in=(S.SUBMITTED, S.RESUBMITTED, S.UNDER_APPRAISAL))
        ).select_related("round__cycle", "subject", "owner")
    return render(request, "assessments/home.html", {"cycles": cycles, "mine": mine, "to_appraise": to_appraise})


def cycle_detail(request, cycle):
    cycle_obj = _cycle(request, cycle)
    rounds = []
    for round_ in cycle_obj.rounds.order_by("kind", "month"):
        subs = access.scoped(request, round_.submissions.all())
        rounds.append({"round": round_, "expected": subs.count(), "sent": subs.sent().count()})
    return render(request, "assessments/cycle.html", {"cycle": cycle_obj, "rounds": rounds, "can_manage": request.principal.manages})


def round_detail(request, cycle, round_code):
    round_ = _round(request, cycle, round_code)
    submissions = access.scoped(
        request, round_.submissions.select_related("subject", "owner", "submitted_by").prefetch_related("entries")
    ).order_by("subject__name", "domain")
    rows = []
    for sub in submissions:
        entries = list(sub.entries.all())
        rows.append({
            "submission": sub,
            "self": sum((e.self_score for e in entries if e.self_score is not None), Decimal(0)),
            "final": sum((e.final_score for e in entries if e.final_score is not None), Decimal(0)),
            "returned": sum(1 for e in entries if e.returned),
        })
    consolidated = []
    if round_.cycle.kind == CycleKind.PROVINCIAL and request.principal.reads_all:
        for subject in round_.cycle.subjects.all():
            consolidated.append({
                "subject": subject,
                "self": services.round_result(round_, subject, final=False),
                "final": services.round_result(round_, subject, final=True),
            })
    not_sent = [r for r in rows if r["submission"].submitted_at is None]
    return render(
        request,
        "assessments/round.html",
        {"round": round_, "cycle": round_.cycle, "rows": rows, "consolidated": consolidated, "not_sent": not_sent,
         "can_manage": request.principal.manages, "today": services.today()},
    )


def _leaf_rows(submission, entries, *, editable_for, found=None):
    found = found or {}
    definition = submission.round.cycle.framework.definition
    by_code = {e.criterion.code: e for e in entries}
    nodes = definition.by_code()
    start = [nodes[submission.domain]] if submission.domain else definition.nodes
    rows = []
    for root in start:
        for node, depth in root.walk():
            entry = by_code.get(node.code)
            rows.append({
                "node": node, "depth": depth, "entry": entry,
                "kind": services.input_kind_of(entry.criterion) if entry else "",
                "method": method_label(node.method) if node.is_leaf else "",
                "editable": entry is not None and editable_for(entry),
                "reading": found.get(entry.pk) if entry is not None else None,
            })
    return rows


def submission_detail(request, cycle, round_code, subject, domain):
    submission = _submission(request, cycle, round_code, subject, domain)
    can_edit = access.can(request, "change", submission)
    framework = submission.round.cycle.framework
    if can_edit and submission.state in (S.DRAFT, S.RETURNED):
        services.fill_indicators(submission)  # leaves that read the dossiers fill themselves
    entries = services.share_framework(
        submission.entries.select_related("criterion", "updated_by").prefetch_related("citations__evidence"), framework
    )
    rows = _leaf_rows(
        submission, entries, editable_for=lambda e: can_edit and services.entry_is_editable(e),
        found=services.readings(submission, [e for e in entries if services.indicator_of(e.criterion)]),
    )
    evidence = []
    if can_edit:
        evidence = access.scoped(request, Evidence.objects.filter(owner__in=[submission.owner_id, submission.subject_id])).order_by("-issued_on")
    history = submission.history.select_related("history_user").order_by("-history_date")[:30]
    totals = {
        "max": sum((e.criterion.max_points or 0 for e in entries), Decimal(0)),
        "self": sum((e.self_score for e in entries if e.self_score is not None), Decimal(0)),
        "final": sum((e.final_score for e in entries if e.final_score is not None), Decimal(0)),
    }
    return render(
        request,
        "assessments/submission.html",
        {
            "submission": submission, "round": submission.round, "rows": rows, "evidence": evidence,
            "can_edit": can_edit and submission.state in (S.DRAFT, S.RETURNED) and not submission.round.is_locked_on(services.today()),
            "can_appraise": access.can(request, "appraise", submission),
            "missing": services.missing_explanations(submission) if can_edit else [],
            "totals": totals, "args": _url_args(submission), "history": history,
        },
    )


def _row_context(request, submission, entry, **extra):
    can_edit = access.can(request, "change", submission)
    node = submission.round.cycle.framework.definition.by_code()[entry.criterion.code]
    evidence = access.scoped(request, Evidence.objects.filter(owner__in=[submission.owner_id, submission.subject_id])).order_by("-issued_on")
    found = services.readings(submission, [entry]) if services.indicator_of(entry.criterion) else {}
    return {
        "row": {"node": node, "depth": 0, "entry": entry, "kind": services.input_kind_of(entry.criterion),
                "method": method_label(node.method), "editable": can_edit and services.entry_is_editable(entry),
                "reading": found.get(entry.pk)},
        "submission": submission, "evidence": evidence, "args": _url_args(submission), **extra,
    }


@require_POST
def entry_save(request, cycle, round_code, subject, domain, code):
    submission = _submission(request, cycle, round_code, subject, domain)
    entry = _entry(request, submission, code, "change")
    error = None
    try:
        value = services.parse_input(
            services.input_kind_of(entry.criterion),
            value=request.POST.get("value"), numerator=request.POST.get("numerator"),
            denominator=request.POST.get("denominator"), done=request.POST.get("done"),
        )
        if services.indicator_of(entry.criterion):  # the numbers of the data win over typed ones
            reading = services.readings(submission, [entry]).get(entry.pk)
            value = reading.value if reading is not None else value
        version = request.POST.get("version")
        entry = services.save_entry(
            entry, request.user, value=value, explanation=request.POST.get("explanation"),
            version=int(version) if version and version.isdigit() else None,
            response=request.POST.get("response"),
        )
    except StaleEdit as exc:
        error, entry = str(exc), exc.entry
    except AssessmentError as exc:
        error = str(exc)
        entry.refresh_from_db()
    if request.htmx:
        return render(request, "assessments/_entry_row.html", _row_context(request, submission, entry, error=error, saved=error is None))
    if error:
        messages.error(request, f"{code}: {error}")
    return redirect("assessments:submission", *_url_args(submission))


@require_POST
def entry_cite(request, cycle, round_code, subject, domain, code):
    submission = _submission(request, cycle, round_code, subject, domain)
    entry = _entry(request, submission, code, "change")
    error = None
    try:
        evidence = access.get_object(request, Evidence, "view", uuid=request.POST.get("evidence") or None)
        services.cite(entry, request.user, evidence, request.POST.get("locator", ""))
    except Http404:
        error = _("Choose a document of the register.")
    except AssessmentError as exc:
        error = str(exc)
    entry.refresh_from_db()
    if request.htmx:
        return render(request, "assessments/_entry_row.html", _row_context(request, submission, entry, error=error))
    if error:
        messages.error(request, f"{code}: {error}")
    return redirect("assessments:submission", *_url_args(submission))


@require_POST
def entry_uncite(request, cycle, round_code, subject, domain, code):
    submission = _submission(request, cycle, round_code, subject, domain)
    entry = _entry(request, submission, code, "change")
    citation = access.get_object(request, Citation.objects.filter(entry=entry), "change", evidence__uuid=request.POST.get("evidence") or None)
    error = None
    try:
        services.uncite(citation, request.user)
    except AssessmentError as exc:
        error = str(exc)
    entry.refresh_from_db()
    if request.htmx:
        return render(request, "assessments/_entry_row.html", _row_context(request, submission, entry, error=error))
    return redirect("assessments:submission", *_url_args(submission))


@require_POST
def submission_submit(request, cycle, round_code, subject, domain):
    submission = _submission(request, cycle, round_code, subject, domain, "change")
    try:
        services.submit(submission, request.user)
        messages.success(request, _("Sent to the reform office."))
    except AssessmentError as exc:
        messages.error(request, str(exc))
    return redirect("assessments:submission", *_url_args(submission))


# --- appraisal ----------------------------------------------------------------------------


def appraisal(request, cycle, round_code, subject, domain):
    submission = _submission(request, cycle, round_code, subject, domain, "appraise")
    entries = services.share_framework(
        submission.entries.select_related("criterion", "appraised_by").prefetch_related("citations__evidence"),
        submission.round.cycle.framework,
    )
    rows = _leaf_rows(submission, entries, editable_for=lambda e: submission.state == S.UNDER_APPRAISAL)
    return render(request, "assessments/appraisal.html", {"submission": submission, "round": submission.round, "rows": rows, "args": _url_args(submission)})


@require_POST
def appraisal_action(request, cycle, round_code, subject, domain):
    submission = _submission(request, cycle, round_code, subject, domain, "appraise")
    action = request.POST.get("action")
    try:
        with transaction.atomic():  # the whole form, or nothing
            _apply_appraisal(request, submission, action)
        messages.success(request, _("Saved."))
    except AssessmentError as exc:
        messages.error(request, str(exc))
    return redirect("assessments:appraisal", *_url_args(submission))


def _apply_appraisal(request, submission, action):
    """Apply the appraisal form; any refused row raises and the caller rolls back everything."""
    if action == "start":
        services.start_appraisal(submission, request.user)
    elif action in ("save", "return", "finish"):
        entries = {
            e.criterion.code: e
            for e in services.share_framework(submission.entries.select_related("criterion"), submission.round.cycle.framework)
        }
        returned = {}
        for code, entry in entries.items():
            raw = request.POST.get(f"score-{code}", "").strip()
            reason = request.POST.get(f"reason-{code}", "")
            if raw != "":
                score = as_decimal(raw.replace(",", "."))
                if score is None:
                    raise AssessmentError(_("%(code)s: “%(value)s” is not a number.") % {"code": code, "value": raw})
                if score != entry.appraised_score or reason.strip() != entry.appraisal_reason:
                    services.appraise_entry(entry, request.user, score=score, reason=reason)
            if request.POST.get(f"return-{code}"):
                returned[entry.pk] = request.POST.get(f"return-reason-{code}", "")
        if action == "return":
            services.return_entries(submission, request.user, returned)
        elif action == "finish":
            services.finish_appraisal(submission, request.user)
    else:
        raise AssessmentError(_("Unknown action."))


# --- rounds -------------------------------------------------------------------------------


@require_POST
def round_action(request, cycle, round_code):
    round_ = _round(request, cycle, round_code)
    if not request.principal.manages:
        raise PermissionDenied
    action = request.POST.get("action")
    try:
        if action == "open":
            count = services.open_submissions(round_)
            messages.success(request, _("%(count)d submissions opened.") % {"count": count})
        elif action == "accept":
            count = services.accept_self_scores(round_, request.user)
            messages.success(request, _("%(count)d submissions closed with their self scores.") % {"count": count})
        elif action == "lock":
            services.lock_round(round_, request.user)
            messages.success(request, _("The round is locked."))
        elif action == "publish":
            services.publish_round(round_, request.user)
            messages.success(request, _("The round is published."))
        else:
            raise AssessmentError(_("Unknown action."))
    except AssessmentError as exc:
        messages.error(request, str(exc))
    return redirect("assessments:round", round_.cycle.code, round_.code)


# --- bulk entry ---------------------------------------------------------------------------


def bulk_template(request, cycle, round_code, subject, domain):
    from django.http import HttpResponse
    from django.utils.text import slugify

    from . import bulk

    submission = _submission(request, cycle, round_code, subject, domain, "change")
    response = HttpResponse(
        bulk.template(submission), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = slugify(f"tu-danh-gia-{submission.subject.code}-{submission.round.code}-{submission.domain_key}")
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@require_POST
def bulk_upload(request, cycle, round_code, subject, domain):
    from . import bulk

    submission = _submission(request, cycle, round_code, subject, domain, "change")
    uploaded = request.FILES.get("file")
    if uploaded is None:
        messages.error(request, _("Choose the filled-in XLSX file."))
        return redirect("assessments:submission", *_url_args(submission))
    try:
        result = bulk.upload(submission, request.user, uploaded.name, uploaded.read())
    except bulk.BulkError as exc:
        for error in exc.errors[:50]:
            messages.error(request, f"{uploaded.name}: {error}")
        messages.error(request, _("Nothing was saved: correct the rows above and upload again."))
    except AssessmentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(saved)d criteria saved from the file (%(unchanged)d unchanged).") % {"saved": result.saved, "unchanged": result.unchanged})
    return redirect("assessments:submission", *_url_args(submission))
