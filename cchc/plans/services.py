"""Plan services: progress, contributions, closing, extensions, events, and the board's numbers.

Views, commands and tests call these. Each step runs in one transaction, asks the access layer
(``access.can(user, "report", task)``...), checks the state and raises ``PlanError`` (a
translated message) when the step is not allowed now. ``PermissionDenied`` means the user may
never do it.

Statuses come from the pure rules in ``status.py``; this module gives them the task's data.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.core import access
from cchc.orgs.models import OrgUnit

from .models import (
    ExtensionRequest,
    ExtensionState,
    Occurrence,
    ProgressUpdate,
    Task,
    TaskRole,
    TaskUnit,
)
from .status import Status, completion_rate, occurrence_status, rollup, task_status

STATUS_LABELS = {
    Status.OVERDUE: gettext_lazy("overdue"),
    Status.IN_PROGRESS: gettext_lazy("in progress within time"),
    Status.NOT_STARTED: gettext_lazy("not started"),
    Status.WAITING: gettext_lazy("waiting for an event"),
    Status.DONE_LATE: gettext_lazy("done late"),
    Status.DONE_ON_TIME: gettext_lazy("done on time"),
}


class PlanError(Exception):
    """A step that is not allowed now; the message says why, in the user's language."""


def today() -> dt.date:
    return timezone.localdate()


def _current_day() -> dt.date:
    return today()  # looked up when called, so a test may replace ``today``


def _fmt(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "—"


def _require(user, action: str, task: Task) -> None:
    if not access.can(user, action, task):
        raise PermissionDenied


def _locked(task: Task) -> Task:
    return Task.objects.select_for_update(of=("self",)).select_related("plan").get(pk=task.pk)


def _acting_unit(user, task: Task, unit: OrgUnit | None) -> TaskUnit:
    """The task's lead or coordinating row of ``unit``, which the user must work for."""
    if unit is None:
        raise PlanError(_("Choose the unit you report for."))
    from .responsibility import Responsibility

    answering = Responsibility()
    rows = [tu for tu in task.units.all() if answering.answers(tu, unit.pk)]
    row = next((tu for tu in rows if tu.role == TaskRole.LEAD), None) or (rows[0] if rows else None)
    if row is None:
        raise PlanError(_("%(unit)s is neither the lead nor a coordinating unit of this task.") % {"unit": unit.name})
    principal = access.principal_of(user)
    if not (principal.manages or principal.works_for(unit.pk)):
        raise PermissionDenied
    return row


def _not_after_today(day: dt.date | None, what: str) -> dt.date:
    if day is None:
        raise PlanError(_("Enter the date: %(what)s.") % {"what": what})
    if day > today():
        raise PlanError(_("%(what)s cannot be in the future (%(day)s).") % {"what": what, "day": _fmt(day)})
    return day


# --- reporting --------------------------------------------------------------------------


@transaction.atomic
def report_progress(task: Task, user, unit: OrgUnit, percent, note: str = "", evidence: Iterable = (), occurrence=None) -> ProgressUpdate:
    """Record how far ``unit`` is on ``task`` (or on one occurrence of a recurring task).

    Officers of the lead and coordinating units report (the reform office for any of them). The
    lead's report moves the task's progress; a coordinating unit's report is its contribution's.
    Evidence comes from the unit's register.
    """
    _require(user, "report", task)
    task = _locked(task)
    row = _acting_unit(user, task, unit)
    if task.done_at is not None:
        raise PlanError(_("The task was closed on %(day)s; nothing more can be reported.") % {"day": _fmt(task.done_at)})
    try:
        percent = int(str(percent).strip().rstrip("%"))
    except (TypeError, ValueError):
        raise PlanError(_("Progress is a whole number from 0 to 100.")) from None
    if not 0 <= percent <= 100:
        raise PlanError(_("Progress is a whole number from 0 to 100."))
    if occurrence is not None:
        if occurrence.task_id != task.pk:
            raise PlanError(_("This period is not one of the task's."))
        if occurrence.done_at is not None:
            raise PlanError(_("The period %(label)s is closed already.") % {"label": occurrence.label})
    documents = list(evidence)
    for document in documents:
        if not access.can(user, "view", document):
            raise PermissionDenied
        if document.owner_id != unit.pk:
            raise PlanError(_("%(document)s is not in the register of %(unit)s.") % {"document": document, "unit": unit.name})
    update = ProgressUpdate.objects.create(
        task=task, occurrence=occurrence, unit=unit, percent=percent, note=(note or "").strip(),
        created_by=user if getattr(user, "pk", None) else None,
    )
    if documents:
        update.evidence.set(documents)
    if row.role == TaskRole.LEAD and occurrence is None and task.progress != percent:
        task.progress = percent
        task.save(update_fields=["progress"])
    return update


@transaction.atomic
def close_task(task: Task, user, done_on: dt.date, occurrence=None) -> Task:
    """The lead unit (or the reform office) closes the task, or one period of a recurring task."""
    _require(user, "close", task)
    task = _locked(task)
    _not_after_today(done_on, _("date done"))
    if task.done_at is not None:
        raise PlanError(_("The task was closed on %(day)s already.") % {"day": _fmt(task.done_at)})
    if occurrence is not None:
        occurrence = Occurrence.objects.select_for_update().get(pk=occurrence.pk)
        if occurrence.task_id != task.pk:
            raise PlanError(_("This period is not one of the task's."))
        if occurrence.done_at is not None:
            raise PlanError(_("The period %(label)s is closed already.") % {"label": occurrence.label})
        occurrence.done_at = done_on
        occurrence.save(update_fields=["done_at"])
        return task
    task.done_at, task.closed_by, task.progress = done_on, user if getattr(user, "pk", None) else None, 100
    task.save(update_fields=["done_at", "closed_by", "progress"])
    return task


@transaction.atomic
def contribute(task_unit: TaskUnit, user, done_on: dt.date, note: str = "") -> TaskUnit:
    """A coordinating unit says its part is done; the lead still closes the task."""
    task = task_unit.task
    _require(user, "report", task)
    task = _locked(task)
    task_unit = TaskUnit.objects.select_for_update(of=("self",)).select_related("unit").get(pk=task_unit.pk)
    if task_unit.role != TaskRole.COORDINATING:
        raise PlanError(_("Only coordinating units give a contribution; the lead unit closes the task."))
    from .responsibility import Responsibility

    principal = access.principal_of(user)
    if not (principal.manages or any(principal.works_for(u) for u in Responsibility().units_of(task_unit))):
        raise PermissionDenied
    if task.done_at is not None:
        raise PlanError(_("The task was closed on %(day)s; nothing more can be reported.") % {"day": _fmt(task.done_at)})
    if task_unit.contributed_at is not None:
        raise PlanError(_("The contribution was given on %(day)s already.") % {"day": _fmt(task_unit.contributed_at)})
    task_unit.contributed_at = _not_after_today(done_on, _("date of the contribution"))
    if (note or "").strip():
        task_unit.note = (note or "").strip()
    task_unit.save(update_fields=["contributed_at", "note"])
    return task_unit


# --- extensions -------------------------------------------------------------------------


@transaction.atomic
def request_extension(task: Task, user, unit: OrgUnit, requested_due: dt.date, reason: str) -> ExtensionRequest:
    _require(user, "report", task)
    task = _locked(task)
    _acting_unit(user, task, unit)
    if task.done_at is not None:
        raise PlanError(_("The task was closed on %(day)s; nothing more can be reported.") % {"day": _fmt(task.done_at)})
    if task.due is None:
        raise PlanError(_("The task has no due date to extend."))
    if not (reason or "").strip():
        raise PlanError(_("Give the reason for the extension."))
    if requested_due is None or requested_due <= task.due:
        raise PlanError(_("The new due date must be after the current one (%(day)s).") % {"day": _fmt(task.due)})
    if task.extension_requests.filter(state=ExtensionState.PENDING).exists():
        raise PlanError(_("An extension request is already waiting for a decision."))
    return ExtensionRequest.objects.create(
        task=task, unit=unit, current_due=task.due, requested_due=requested_due, reason=reason.strip(),
        created_by=user if getattr(user, "pk", None) else None,
    )


@transaction.atomic
def decide_extension(request: ExtensionRequest, user, approve: bool, note: str = "") -> ExtensionRequest:
    """The plan's owner approves (the due date moves, and the extension is counted) or refuses (with a reason)."""
    _require(user, "decide", request.task)
    task = _locked(request.task)
    request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    if request.state != ExtensionState.PENDING:
        raise PlanError(_("This request was decided already."))
    note = (note or "").strip()
    if not approve and not note:
        raise PlanError(_("Say why the extension is refused."))
    if approve and task.done_at is not None:
        raise PlanError(_("The task was closed on %(day)s; nothing more can be reported.") % {"day": _fmt(task.done_at)})
    request.state = ExtensionState.APPROVED if approve else ExtensionState.REFUSED
    request.decided_at, request.decision_note = timezone.now(), note
    request.decided_by = user if getattr(user, "pk", None) else None
    request.save(update_fields=["state", "decided_at", "decided_by", "decision_note"])
    if approve:
        task.due = request.requested_due
        task.extensions += 1
        task.save(update_fields=["due", "extensions"])
    return request


# --- events -----------------------------------------------------------------------------


def find_offset(frame: dict | None) -> dict | None:
    """The delay from the event in a stored time frame (or in one of its parts), if any."""
    if not frame:
        return None
    if frame.get("offset"):
        return frame["offset"]
    for part in frame.get("parts") or []:
        found = find_offset(part)
        if found:
            return found
    return None


def add_offset(day: dt.date, offset: dict) -> dt.date:
    amount = int(offset.get("amount") or 0) * (-1 if offset.get("before") else 1)
    unit = offset.get("unit", "days")
    if unit == "working_days":
        from cchc.workdays import default_calendar

        return default_calendar().add_working_days(day, amount)
    if unit == "months":
        month = day.month - 1 + amount
        year, month = day.year + month // 12, month % 12 + 1
        return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))
    return day + dt.timedelta(days=amount)


@transaction.atomic
def mark_event(task: Task, user, day: dt.date) -> Task:
    """The event the task waited for happened on ``day``: the due date follows from the stated delay, if any."""
    if not (access.can(user, "close", task) or access.can(user, "decide", task)):
        raise PermissionDenied
    task = _locked(task)
    if not task.waits_for.strip():
        raise PlanError(_("The task does not wait for an event."))
    if task.done_at is not None:
        raise PlanError(_("The task was closed on %(day)s; nothing more can be reported.") % {"day": _fmt(task.done_at)})
    task.event_on = _not_after_today(day, _("date of the event"))
    fields = ["event_on"]
    offset = find_offset(task.time_frame)
    if offset is not None:
        task.due = add_offset(day, offset)
        fields.append("due")
    if task.start is None or task.start < day:
        task.start = day
        fields.append("start")
    task.save(update_fields=fields)
    return task


# --- time frames ------------------------------------------------------------------------


def _frame_from_dict(data: dict):
    from .timeframes_model import Offset, Period, Recurrence, TimeFrame

    def day(value):
        return dt.date.fromisoformat(value) if value else None

    return TimeFrame(
        text=data.get("text") or "", kind=data.get("kind") or "unparsed", start=day(data.get("start")), due=day(data.get("due")),
        period=Period(**data["period"]) if data.get("period") else None,
        recurrence=Recurrence(**data["recurrence"]) if data.get("recurrence") else None,
        offset=Offset(**data["offset"]) if data.get("offset") else None,
        event=data.get("event"), parts=tuple(_frame_from_dict(part) for part in data.get("parts") or []),
        label=data.get("label"), needs_review=bool(data.get("needs_review")), problem=data.get("problem") or "",
        phrase=data.get("phrase") or "",
    )


def describe_time_frame(task: Task) -> str:
    """The time frame as read (the stored structure, as the import confirmed it), in short Vietnamese."""
    from .timeframes import describe, parse

    if task.time_frame:
        try:
            return describe(_frame_from_dict(task.time_frame))
        except (TypeError, ValueError, KeyError, AssertionError):
            pass  # a structure this version cannot read: read the printed text again
    if task.time_frame_text.strip():
        return describe(parse(task.time_frame_text, plan_year=task.plan.year))
    return ""


# --- statuses ---------------------------------------------------------------------------


def with_board_data(queryset):
    """Everything the board and the pages need to compute statuses, in a fixed number of queries."""
    return queryset.select_related("plan", "section").prefetch_related(
        Prefetch("units", queryset=TaskUnit.objects.select_related("unit", "group")),
        "occurrences",
        Prefetch("updates", queryset=ProgressUpdate.objects.select_related("created_by").defer("note").order_by("-created_at")),
        "criteria",
    )


class _Labelled:
    status: Status

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self.status])


@dataclass
class OccurrenceRow(_Labelled):
    occurrence: Occurrence
    status: Status
    progress: int


@dataclass
class ContributionRow(_Labelled):
    task_unit: TaskUnit
    due: dt.date | None
    status: Status
    progress: int


@dataclass
class TaskRow(_Labelled):
    task: Task
    status: Status
    due: dt.date | None  # for a recurring task: its overdue or next open period's
    days_late: int
    occurrences: list[OccurrenceRow] = field(default_factory=list)
    contributions: list[ContributionRow] = field(default_factory=list)

    @property
    def leads(self) -> list[TaskUnit]:
        return [tu for tu in self.task.units.all() if tu.role == TaskRole.LEAD]

    @property
    def coordinators(self) -> list[TaskUnit]:
        return [tu for tu in self.task.units.all() if tu.role == TaskRole.COORDINATING]

    @property
    def sort_key(self):
        far = dt.date.max
        return (self.status.rank, self.due or far, self.task.plan_id, self.task.position)


def _latest_percent(task: Task, *, unit_id=None, occurrence_id=None) -> int:
    for update in task.updates.all():  # newest first
        if occurrence_id is not None and update.occurrence_id != occurrence_id:
            continue
        if unit_id is not None and update.unit_id != unit_id:
            continue
        return update.percent
    return 0


def task_row(task: Task, day: dt.date) -> TaskRow:
    occurrences = [
        OccurrenceRow(
            occ,
            occurrence_status(due=occ.due, done_at=occ.done_at, today=day, progress=_latest_percent(task, occurrence_id=occ.pk)),
            _latest_percent(task, occurrence_id=occ.pk),
        )
        for occ in sorted(task.occurrences.all(), key=lambda o: o.due)
    ]
    status = rollup(o.status for o in occurrences) if task.recurring and task.done_at is None else None
    due = task.due
    if status is not None:
        current = next((o for o in occurrences if o.status is Status.OVERDUE), None) or next(
            (o for o in occurrences if o.status.is_open), occurrences[-1]
        )
        due = current.occurrence.due
    else:
        status = task_status(
            due=task.due, start=task.start, done_at=task.done_at, waits_for=task.waits_for,
            event_on=task.event_on, today=day, progress=task.progress,
        )
    contributions = []
    for tu in task.units.all():
        if tu.role != TaskRole.COORDINATING:
            continue
        c_due = tu.contribution_due or task.due
        progress = 100 if tu.contributed_at else (_latest_percent(task, unit_id=tu.unit_id) if tu.unit_id else 0)
        c_status = task_status(
            due=c_due, start=task.start, done_at=tu.contributed_at, waits_for=task.waits_for,
            event_on=task.event_on, today=day, progress=progress,
        )
        contributions.append(ContributionRow(tu, c_due, c_status, progress))
    days_late = (day - due).days if status is Status.OVERDUE and due else 0
    return TaskRow(task, status, due, days_late, occurrences, contributions)


def task_rows(tasks: Iterable[Task], day: dt.date | None = None) -> list[TaskRow]:
    """Rows in board order: overdue first (the oldest deadline first), done on time last."""
    day = day or today()
    return sorted((task_row(task, day) for task in tasks), key=lambda row: row.sort_key)


def status_counts(rows: Iterable) -> list[dict]:
    """One entry per status, in board order, with its count (zero included)."""
    counts = dict.fromkeys(Status, 0)
    for row in rows:
        counts[row.status] += 1
    return [{"status": s, "label": STATUS_LABELS[s], "count": n} for s, n in counts.items()]


# --- filters ----------------------------------------------------------------------------


def filter_tasks(queryset, *, plan=None, unit=None, criterion=None, due_from=None, due_to=None):
    """The board's filters: a plan, a unit (lead or coordinating), a criterion, a due-date range.

    A recurring task is in a date range when one of its periods falls due in it.
    """
    if plan is not None:
        queryset = queryset.filter(plan=plan)
    if unit is not None:  # the unit as named, and what it answers for today (predecessors, groups)
        from .responsibility import Responsibility

        answered = Q(unit=unit) | Responsibility().task_units_for([unit.pk])
        queryset = queryset.filter(pk__in=TaskUnit.objects.filter(answered).values("task"))
    if criterion is not None:
        queryset = queryset.filter(pk__in=Task.criteria.through.objects.filter(criterion=criterion).values("task"))
    if due_from or due_to:
        own, periods = Q(), Q()
        if due_from:
            own &= Q(due__gte=due_from)
            periods &= Q(due__gte=due_from)
        if due_to:
            own &= Q(due__lte=due_to)
            periods &= Q(due__lte=due_to)
        queryset = queryset.filter(own | Q(pk__in=Occurrence.objects.filter(periods).values("task")))
    return queryset


# --- completion rates -------------------------------------------------------------------


@dataclass
class UnitCompletion:
    unit: OrgUnit
    done_on_time: int = 0
    due: int = 0
    rate: Decimal | None = None
    done_late: int = 0
    overdue: int = 0
    open: int = 0  # falls due in the period, not done, deadline not passed (or waiting)
    statuses: list[Status] = field(default_factory=list)


def _unit_items(task_unit: TaskUnit, start: dt.date, end: dt.date, day: dt.date) -> list[Status]:
    """The statuses a unit answers for on one task, for the deadlines falling in [start, end].

    A lead answers for the task, or for each period of a recurring task; a coordinating unit for
    its contribution (due on its own date, else the task's).
    """
    task = task_unit.task
    if task_unit.role == TaskRole.LEAD:
        if task.recurring and task.occurrences.all():
            return [
                occurrence_status(due=o.due, done_at=o.done_at, today=day, progress=_latest_percent(task, occurrence_id=o.pk))
                for o in task.occurrences.all()
                if start <= o.due <= end
            ]
        if task.due and start <= task.due <= end:
            return [task_status(due=task.due, start=task.start, done_at=task.done_at, waits_for=task.waits_for,
                                event_on=task.event_on, today=day, progress=task.progress)]
        return []
    due = task_unit.contribution_due or task.due
    if due and start <= due <= end:
        return [task_status(due=due, start=task.start, done_at=task_unit.contributed_at, waits_for=task.waits_for,
                            event_on=task.event_on, today=day, progress=0)]
    return []


def unit_completion(unit_ids: Sequence[int], start: dt.date, end: dt.date, today: dt.date | None = None, tasks=None) -> list[UnitCompletion]:
    """Per unit of today, over the deadlines that fall in [start, end]: done on time / due, with the
    rate. A unit answers for the tasks a plan gave it, those given to the units it carries on, and
    those given to a group it was a member of at the plan's date.

    Counts every period of a recurring task. This is the number behind the criteria "implementation
    of the reform plan" (tasks done on time / tasks due) and "tasks assigned by the provincial
    committee" (the same over that plan's tasks: pass ``tasks``, a queryset of them).
    """
    from .responsibility import Responsibility

    day = today or _current_day()
    answering = Responsibility(day)
    units = {u.pk: UnitCompletion(u) for u in OrgUnit.objects.filter(pk__in=list(unit_ids))}
    rows = TaskUnit.objects.filter(answering.task_units_for(units)).select_related("task__plan", "group").prefetch_related(
        "task__occurrences",
        Prefetch("task__updates", queryset=ProgressUpdate.objects.only("pk", "task_id", "occurrence_id", "unit_id", "percent", "created_at").order_by("-created_at")),
    )
    if tasks is not None:
        rows = rows.filter(task__in=tasks)
    for task_unit in rows:
        # Today's units answer: the unit the plan named while it exists, else its successors;
        # a group's members at the plan's date.
        answering_units = answering.units_of(task_unit) & units.keys()
        if answering_units:
            items = _unit_items(task_unit, start, end, day)
            for unit_id in answering_units:
                units[unit_id].statuses.extend(items)
    result = []
    for entry in units.values():
        entry.done_on_time, entry.due, entry.rate = completion_rate(entry.statuses)
        entry.done_late = entry.statuses.count(Status.DONE_LATE)
        entry.overdue = entry.statuses.count(Status.OVERDUE)
        entry.open = sum(1 for s in entry.statuses if not s.counts_as_due)
        result.append(entry)
    result.sort(key=lambda e: (e.rate is None, -(e.rate or 0), e.unit.sort_order, e.unit.name))
    return result


# --- the measure framework leaves read (cchc.core.indicators) -----------------------------


COMPLETION_RATE = "plans.completion_rate"


def completion_reading(unit: OrgUnit, start: dt.date, end: dt.date):
    """The unit's tasks and periods done on time over those falling due in ``start``..``end``
    (the number of ``unit_completion`` and of the completion page), for a framework leaf such as
    "level of completion of the annual reform plan"; None when nothing fell due (entered by hand)."""
    from django.urls import NoReverseMatch, reverse
    from django.utils.http import urlencode

    from cchc.core.indicators import Reading

    entry = unit_completion([unit.pk], start, end)[0]
    if not entry.due:
        return None
    text = _("%(done)s / %(due)s tasks and periods done on time / falling due (%(start)s–%(end)s)") % {
        "done": f"{entry.done_on_time:,}".replace(",", "."), "due": f"{entry.due:,}".replace(",", "."), "start": _fmt(start), "end": _fmt(end),
    }
    try:
        url = reverse("plans:completion") + "?" + urlencode({"from": start.isoformat(), "to": end.isoformat()})
    except NoReverseMatch:  # the pages are not installed
        url = ""
    return Reading(Decimal(entry.done_on_time), Decimal(entry.due), text, url)
