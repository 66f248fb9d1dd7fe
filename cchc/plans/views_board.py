"""The task board, My tasks, a plan's tasks, a task's page and its forms, completion rates.

Thin views: who may do what is the access layer's (``access.can(request, "report", task)``...),
the steps are ``services``' and the statuses ``status``'. The board polls a fragment rendered
by the same partial template as the page.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cchc.assessments.models import Evidence
from cchc.core import access
from cchc.core.access import DOMAIN_LEAD, OFFICER, REFORM_OFFICE
from cchc.core.dates import parse_day
from cchc.core.templatetags.cchc import BAR_LEFT, BAR_STEP, BAR_WIDTH
from cchc.frameworks.models import Criterion
from cchc.orgs.models import OrgUnit
from cchc.orgs.tree import descendant_ids

from . import editing, services
from .models import ExtensionState, Plan, Priority, Task, TaskRole, TaskUnit
from .responsibility import Responsibility
from .services import STATUS_LABELS, PlanError
from .status import Status, completion_rate

POLL_SECONDS = 30


# --- small parsers ----------------------------------------------------------------------


_date = parse_day  # ISO or dd/mm/yyyy; None when blank or wrong


def _poll(request) -> int:
    """The polling interval; ``?poll=2`` shortens it (tests, a wall screen)."""
    try:
        return min(max(int(request.GET.get("poll", POLL_SECONDS)), 1), 300)
    except ValueError:
        return POLL_SECONDS


def _criterion_key(criterion: Criterion) -> str:
    return f"{criterion.framework.code}/v{criterion.framework.version}/{criterion.code}"


# --- the board --------------------------------------------------------------------------


def _filters(request) -> dict:
    """Read the board's filters; a value that names nothing is ignored (and shown as not chosen)."""
    get = request.GET
    plans = access.scoped(request, Plan.objects.all()).order_by("-year", "number")
    # Today's units that answer for some task (a plan's own units, their successors, groups' members).
    answering = Responsibility(services.today())
    unit_ids: set[int] = set()
    for task_unit in TaskUnit.objects.select_related("task__plan", "group"):
        unit_ids |= answering.units_of(task_unit)
    units = OrgUnit.objects.filter(pk__in=unit_ids).order_by("sort_order", "name")
    criteria = Criterion.objects.filter(tasks__isnull=False).select_related("framework").distinct().order_by("framework__code", "position")
    chosen = {
        "plan": plans.filter(code=get.get("plan", "")).first() if get.get("plan") else None,
        "unit": units.filter(code=get.get("unit", "")).first() if get.get("unit") else None,
        "criterion": None,
        "due_from": _date(get.get("from")),
        "due_to": _date(get.get("to")),
        "status": next((s for s in Status if s.value == get.get("status")), None),
    }
    key = get.get("criterion", "")
    if key.count("/") == 2:
        code, version, criterion = key.split("/")
        chosen["criterion"] = next(
            (c for c in criteria if c.framework.code == code and f"v{c.framework.version}" == version and c.code == criterion), None
        )
    options = {
        "plans": plans,
        "units": units,
        "criteria": [(_criterion_key(c), c) for c in criteria],
        "statuses": [(s, STATUS_LABELS[s]) for s in Status],
    }
    return {"chosen": chosen, "options": options}


def _presets(day: dt.date) -> list[dict]:
    monday = day - dt.timedelta(days=day.weekday())
    quarter_start = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    quarter_end = (quarter_start.replace(day=28) + dt.timedelta(days=70)).replace(day=1) - dt.timedelta(days=1)
    month_end = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return [
        {"label": _("this week"), "from": monday, "to": monday + dt.timedelta(days=6)},
        {"label": _("this month"), "from": day.replace(day=1), "to": month_end},
        {"label": _("this quarter"), "from": quarter_start, "to": quarter_end},
        {"label": _("this year"), "from": dt.date(day.year, 1, 1), "to": dt.date(day.year, 12, 31)},
    ]


def _by_unit(rows, answering: Responsibility) -> list[dict]:
    """The units of today that lead the tasks (the unit a plan named, or the units that carry it
    on, or a group's members), with their tasks' counts by status, overdue first, and their
    completion rate."""
    table: dict[int, dict] = {}
    for row in rows:
        leading: set[int] = set()
        for lead in row.leads:
            leading |= answering.units_of(lead)
        for unit_id in leading:
            entry = table.setdefault(unit_id, {"counts": dict.fromkeys(Status, 0), "statuses": []})
            entry["counts"][row.status] += 1
            entry["statuses"].append(row.status)
    units = OrgUnit.objects.in_bulk(list(table))
    result = []
    for unit_id, entry in table.items():
        entry["unit"] = units[unit_id]
        entry["done_on_time"], entry["due"], entry["rate"] = completion_rate(entry["statuses"])
        entry["cells"] = [entry["counts"][s] for s in Status]
        result.append(entry)
    result.sort(key=lambda e: (-e["counts"][Status.OVERDUE], e["unit"].sort_order, e["unit"].name))
    return result


def _board_context(request) -> dict:
    filters = _filters(request)
    chosen = filters["chosen"]
    day = services.today()
    tasks = services.filter_tasks(
        access.scoped(request, Task.objects.all()),
        plan=chosen["plan"], unit=chosen["unit"], criterion=chosen["criterion"],
        due_from=chosen["due_from"], due_to=chosen["due_to"],
    )
    rows = services.task_rows(services.with_board_data(tasks), day)
    counts = services.status_counts(rows)
    shown = [r for r in rows if chosen["status"] is None or r.status is chosen["status"]]
    query = request.GET.copy()
    query.pop("status", None)
    return {
        **filters,
        "rows": shown,
        "total": len(rows),
        "counts": counts,
        "by_unit": _by_unit(rows, Responsibility(day)),
        "statuses": list(Status),
        "status_labels": [STATUS_LABELS[s] for s in Status],
        "today": day,
        "presets": _presets(day),
        "poll": _poll(request),
        "fragment_url": reverse("plans:board_fragment") + (f"?{request.GET.urlencode()}" if request.GET else ""),
        "base_query": query.urlencode(),
        "refreshed_at": timezone.localtime(),
    }


def board(request):
    return render(request, "plans/board/board.html", _board_context(request))


def board_fragment(request):
    """What the board polls: the same partial as the page, with the same filters."""
    return render(request, "plans/board/_board.html", _board_context(request))


# --- my tasks ---------------------------------------------------------------------------


def _my_units(principal) -> set[int]:
    own = principal.unit_ids_with_role(OFFICER, DOMAIN_LEAD, REFORM_OFFICE)
    return own | descendant_ids(own) if own else set()


def my_tasks(request):
    """What my units must do: overdue, due this week, contributions we owe, the rest."""
    day = services.today()
    sunday = day + dt.timedelta(days=6 - day.weekday())
    unit_ids = _my_units(request.principal)
    answering = Responsibility(day)
    mine = set(TaskUnit.objects.filter(answering.task_units_for(unit_ids)).values_list("pk", flat=True))
    tasks = access.scoped(request, Task.objects.filter(units__in=mine).distinct())
    rows = services.task_rows(services.with_board_data(tasks), day)
    sections = {"overdue": [], "week": [], "contribution": [], "later": []}
    for row in rows:
        for tu in row.task.units.all():
            if tu.pk not in mine:
                continue
            if tu.role == TaskRole.LEAD:
                if row.status.is_done:
                    continue
                item = {"row": row, "task_unit": tu, "status": row.status, "due": row.due, "role": tu.get_role_display()}
            else:
                contribution = next(c for c in row.contributions if c.task_unit.pk == tu.pk)
                if contribution.status.is_done or row.status.is_done:
                    continue
                item = {"row": row, "task_unit": tu, "status": contribution.status, "due": contribution.due, "role": tu.get_role_display()}
            item["status_label"] = STATUS_LABELS[item["status"]]
            if item["status"] is Status.OVERDUE:
                sections["overdue"].append(item)
            elif item["due"] and day <= item["due"] <= sunday:
                sections["week"].append(item)
            elif tu.role == TaskRole.COORDINATING:
                sections["contribution"].append(item)
            else:
                sections["later"].append(item)
    for items in sections.values():
        items.sort(key=lambda i: (i["due"] or dt.date.max, i["row"].task.position))
    units = OrgUnit.objects.filter(pk__in=request.principal.unit_ids_with_role(OFFICER, DOMAIN_LEAD, REFORM_OFFICE))
    return render(request, "plans/board/my_tasks.html", {
        "sections": sections, "units": units, "today": day, "sunday": sunday, "has_units": bool(unit_ids),
    })


# --- a plan -----------------------------------------------------------------------------


def plan_detail(request, code):
    plan = access.get_object(request, Plan.objects.select_related("issuer", "owner"), "view", code=code)
    day = services.today()
    rows = services.task_rows(services.with_board_data(plan.tasks.all()), day)
    rows.sort(key=lambda r: r.task.position)
    by_section = defaultdict(list)
    for row in rows:
        by_section[row.task.section_id].append(row)
    sections = [{"section": s, "rows": by_section.get(s.pk, [])} for s in plan.sections.all()]
    loose = by_section.get(None, [])
    return render(request, "plans/board/plan.html", {
        "plan": plan, "sections": sections, "loose": loose, "counts": services.status_counts(rows), "today": day,
    })


# --- a task -----------------------------------------------------------------------------


def _task(request, uuid, action="view") -> Task:
    return access.get_object(request, services.with_board_data(Task.objects.all()), action, uuid=uuid)


def _panel_context(request, task: Task, **extra) -> dict:
    day = services.today()
    row = services.task_row(task, day)
    principal = request.principal
    can_report = access.can(request, "report", task)
    can_close = access.can(request, "close", task)
    can_decide = access.can(request, "decide", task)
    open_task = task.done_at is None
    answering = Responsibility(day)
    answers = {tu.pk: answering.units_of(tu) for tu in task.units.all()}
    report_units = []
    if can_report:
        mine = {u for ids in answers.values() for u in ids if principal.manages or principal.works_for(u)}
        report_units = list(OrgUnit.objects.filter(pk__in=mine).order_by("name"))
    evidence = []
    if report_units and open_task:
        evidence = access.scoped(request, Evidence.objects.filter(owner__in=report_units).select_related("owner")).order_by("owner__name", "-issued_on", "title")
    contribute_units = [
        tu for tu in task.units.all()
        if tu.role == TaskRole.COORDINATING and tu.contributed_at is None and can_report
        and any(principal.manages or principal.works_for(u) for u in answers[tu.pk])
    ]
    extension_requests = list(task.extension_requests.select_related("unit", "created_by", "decided_by"))
    pending = next((r for r in extension_requests if r.state == ExtensionState.PENDING), None)
    updates = task.updates.select_related("unit", "created_by", "occurrence").prefetch_related("evidence").order_by("-created_at")
    open_occurrences = [o for o in row.occurrences if o.status.is_open]
    return {
        "task": task, "row": row, "today": day, "updates": updates,
        "extension_requests": extension_requests, "pending": pending,
        "time_frame_read": services.describe_time_frame(task),
        "report_units": report_units if open_task else [], "evidence": evidence,
        "contribute_units": contribute_units if open_task else [],
        "can_close": can_close and open_task,
        "can_request_extension": bool(report_units) and open_task and task.due is not None and pending is None,
        "can_decide": can_decide and pending is not None,
        "can_mark_event": open_task and bool(task.waits_for.strip()) and (can_close or can_decide),
        "open_occurrences": open_occurrences,
        **extra,
    }


def task_detail(request, uuid):
    task = _task(request, uuid)
    return render(request, "plans/board/task.html", _panel_context(request, task, can_edit=access.can(request, "change", task)))


def task_edit(request, uuid):
    """The reform office corrects a task: texts, time frame, units, criteria (``editing``)."""
    task = _task(request, uuid, "change")
    day = services.today()
    if request.method == "POST":
        post = request.POST
        changes = editing.TaskChanges(
            number=post.get("number", ""), content=post.get("content", ""), target=post.get("target", ""), output=post.get("output", ""),
            priority=int(post["priority"]) if post.get("priority", "").isdigit() else -1,
            time_frame_text=post.get("time_frame_text", ""), completion_text=post.get("completion_text", ""),
            manual_due=_date(post.get("manual_due")), leads=post.getlist("leads"), coordinators=post.getlist("coordinators"),
            criteria=[int(v) for v in post.getlist("criteria") if v.isdigit()],
        )
        try:
            if post.get("manual_due", "").strip() and changes.manual_due is None:
                raise PlanError(_("The due date “%(value)s” is not a date (dd/mm/yyyy).") % {"value": post["manual_due"]})
            changed = editing.edit_task(task, request.user, changes)
        except PlanError as exc:
            error, chosen = str(exc), changes
        else:
            if changed:
                messages.success(request, _("Saved: %(what)s.") % {"what": ", ".join(changed)})
            else:
                messages.info(request, _("Nothing was changed."))
            return redirect("plans:task_detail", task.uuid)
    else:
        error = None
        rows = list(task.units.all())
        chosen = editing.TaskChanges(
            number=task.number, content=task.content, target=task.target, output=task.output, priority=task.priority,
            time_frame_text=task.time_frame_text, completion_text=task.completion_text, manual_due=editing.manual_due_of(task),
            leads=[editing.unit_key(r) for r in rows if r.role == TaskRole.LEAD],
            coordinators=[editing.unit_key(r) for r in rows if r.role == TaskRole.COORDINATING],
            criteria=[c.pk for c in task.criteria.all()],
        )
    return render(request, "plans/board/task_edit.html", {
        "task": task, "form": chosen, "error": error, "priorities": Priority.choices,
        "unit_options": editing.unit_options(task, day), "criterion_options": editing.criterion_options(),
        "reported": task.updates.exists() or task.done_at is not None,
    }, status=400 if error else 200)


def _answer(request, task, error: str | None = None, success: str | None = None):
    """htmx: the task's panel again, with the message; otherwise back to the task's page."""
    if request.htmx:
        task = _task(request, task.uuid)
        return render(request, "plans/board/_task_panel.html", _panel_context(request, task, error=error, success=success))
    if error:
        messages.error(request, error)
    elif success:
        messages.success(request, success)
    return redirect("plans:task_detail", task.uuid)


def _unit_of(task, code) -> OrgUnit | None:
    """The unit reporting (the service checks that it answers for one of the task's rows)."""
    return OrgUnit.objects.filter(code=code).first() if code else None


def _occurrence_of(task, value):
    day = _date(value)
    if day is None:
        return None
    found = next((o for o in task.occurrences.all() if o.due == day), None)
    if found is None:
        raise PlanError(_("This period is not one of the task's."))
    return found


@require_POST
def task_progress(request, uuid):
    task = _task(request, uuid, "report")
    post = request.POST
    try:
        documents = []
        for key in post.getlist("evidence"):
            if not key:
                continue
            try:
                documents.append(access.get_object(request, Evidence, "view", uuid=key))
            except Http404:
                raise PlanError(_("Choose a document of the register.")) from None
        services.report_progress(
            task, request.user, _unit_of(task, post.get("unit")), post.get("percent", ""), post.get("note", ""),
            evidence=documents, occurrence=_occurrence_of(task, post.get("occurrence")),
        )
    except PlanError as exc:
        return _answer(request, task, error=str(exc))
    return _answer(request, task, success=_("Progress recorded."))


@require_POST
def task_contribute(request, uuid):
    task = _task(request, uuid, "report")
    code, row = request.POST.get("unit", ""), request.POST.get("task_unit", "")
    coordinating = [tu for tu in task.units.all() if tu.role == TaskRole.COORDINATING]
    if row.isdigit():
        task_unit = next((tu for tu in coordinating if tu.pk == int(row)), None)
    else:  # by the unit's code: its own row, or the row it answers for (a group, a merged unit)
        unit = OrgUnit.objects.filter(code=code).first()
        answering = Responsibility()
        task_unit = unit and next((tu for tu in coordinating if answering.answers(tu, unit.pk)), None)
    try:
        if task_unit is None:
            raise PlanError(_("Choose the unit you report for."))
        services.contribute(task_unit, request.user, _date(request.POST.get("done_on")), request.POST.get("note", ""))
    except PlanError as exc:
        return _answer(request, task, error=str(exc))
    return _answer(request, task, success=_("Contribution recorded."))


@require_POST
def task_close(request, uuid):
    task = _task(request, uuid, "close")
    try:
        occurrence = _occurrence_of(task, request.POST.get("occurrence"))
        services.close_task(task, request.user, _date(request.POST.get("done_on")), occurrence=occurrence)
    except PlanError as exc:
        return _answer(request, task, error=str(exc))
    return _answer(request, task, success=_("The period is closed.") if occurrence else _("The task is closed."))


@require_POST
def task_extension(request, uuid):
    task = _task(request, uuid, "report")
    try:
        services.request_extension(
            task, request.user, _unit_of(task, request.POST.get("unit")), _date(request.POST.get("requested_due")),
            request.POST.get("reason", ""),
        )
    except PlanError as exc:
        return _answer(request, task, error=str(exc))
    return _answer(request, task, success=_("Extension requested from the plan's owner."))


@require_POST
def extension_decide(request, uuid):
    """Decide the task's pending extension request (there is at most one)."""
    task = _task(request, uuid, "decide")
    pending = task.extension_requests.filter(state=ExtensionState.PENDING).first()
    approve = request.POST.get("decision") == "approve"
    try:
        if pending is None:
            raise PlanError(_("No extension request is waiting for a decision."))
        services.decide_extension(pending, request.user, approve, request.POST.get("note", ""))
    except PlanError as exc:
        return _answer(request, task, error=str(exc))
    return _answer(request, task, success=_("Extension approved: the due date moved.") if approve else _("Extension refused."))


@require_POST
def task_event(request, uuid):
    task = _task(request, uuid)
    if not (access.can(request, "close", task) or access.can(request, "decide", task)):
        raise PermissionDenied  # the lead, the plan's owner or the reform office
    try:
        services.mark_event(task, request.user, _date(request.POST.get("day")))
    except PlanError as exc:
        return _answer(request, task, error=str(exc))
    return _answer(request, task, success=_("The event is recorded."))


def time_frame_preview(request, uuid):
    """htmx: what the edit form's time frame reads as, while the reform office types it."""
    task = _task(request, uuid, "change")
    get = request.GET
    reading = editing.preview(task, get.get("time_frame_text", ""), get.get("completion_text", ""), _date(get.get("manual_due")))
    return render(request, "plans/board/_time_frame_preview.html", {"reading": reading})


# --- completion rates -------------------------------------------------------------------


def _chart(rows) -> dict:
    """Stacked bars (done on time, done late, overdue) on the geometry of the ranking chart."""
    bars = []
    for position, entry in enumerate(rows):
        y = 14 + position * BAR_STEP
        segments, x = [], BAR_LEFT
        if entry.due:
            for count, status in ((entry.done_on_time, Status.DONE_ON_TIME), (entry.done_late, Status.DONE_LATE), (entry.overdue, Status.OVERDUE)):
                width = int(Decimal(count) * BAR_WIDTH / entry.due)
                if width:
                    segments.append({"x": x, "w": width, "fill": status.hex, "label": STATUS_LABELS[status], "count": count})
                x += width
        bars.append({"entry": entry, "y": y, "text_y": y + 10, "segments": segments, "value_x": x + 3})
    return {"bars": bars, "height": 20 + len(rows) * BAR_STEP, "label_x": BAR_LEFT - 4}


def completion(request):
    day = services.today()
    start = _date(request.GET.get("from")) or dt.date(day.year, 1, 1)
    end = _date(request.GET.get("to")) or dt.date(day.year, 12, 31)
    if end < start:
        start, end = end, start
    plans = access.scoped(request, Plan.objects.all()).order_by("-year", "number")
    plan = plans.filter(code=request.GET.get("plan", "")).first() if request.GET.get("plan") else None
    tasks = access.scoped(request, Task.objects.all())
    if plan is not None:
        tasks = tasks.filter(plan=plan)
    answering = Responsibility(day)
    unit_ids: set[int] = set()
    for task_unit in TaskUnit.objects.filter(task__in=tasks).select_related("task__plan", "group"):
        unit_ids |= answering.units_of(task_unit)  # today's units, whatever the plan named
    rows = [r for r in services.unit_completion(list(unit_ids), start, end, day, tasks=tasks) if r.due or r.open]
    return render(request, "plans/board/completion.html", {
        "rows": rows, "chart": _chart([r for r in rows if r.due]), "start": start, "end": end, "plan": plan, "plans": plans,
        "today": day, "legend": [(s, STATUS_LABELS[s]) for s in (Status.DONE_ON_TIME, Status.DONE_LATE, Status.OVERDUE)],
    })
