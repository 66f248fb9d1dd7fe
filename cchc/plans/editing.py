"""The reform office corrects one task of an imported plan: its texts, time frame, units, criteria.

An import reads a whole table; afterwards a plan changes one row at a time (a name read wrongly,
a deadline the committee moved, the criteria a task serves). ``edit_task`` applies such a
correction in one transaction, with the same readers as the import: the time frame is read
again only when its text or the fixed due date changes (so an approved extension stays), and
the periods of a recurring task follow it, except those already reported on, which are kept
or refused with their name. Every change is in the task's history (django-simple-history).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from cchc.frameworks.models import Criterion
from cchc.orgs.models import OrgGroup, OrgUnit, UnitType

from . import importer
from .models import Occurrence, Priority, Task, TaskRole, TaskUnit
from .services import PlanError, _fmt, _locked, _require, add_offset, find_offset

UNIT, GROUP, ROW = "u", "g", "t"


def unit_key(task_unit: TaskUnit) -> str:
    """How a task's row is named in the form: its unit, its group, or the row itself (a name kept as written)."""
    if task_unit.unit_id:
        return f"{UNIT}:{task_unit.unit.code}"
    if task_unit.group_id:
        return f"{GROUP}:{task_unit.group.code}"
    return f"{ROW}:{task_unit.pk}"


@dataclass
class TaskChanges:
    """What the form sends. Units are keys of ``unit_key``; criteria are primary keys."""

    content: str
    number: str = ""
    target: str = ""
    output: str = ""
    priority: int = Priority.NORMAL
    time_frame_text: str = ""
    completion_text: str = ""
    manual_due: dt.date | None = None
    leads: list[str] = field(default_factory=list)
    coordinators: list[str] = field(default_factory=list)
    criteria: list[int] = field(default_factory=list)


def manual_due_of(task: Task) -> dt.date | None:
    value = ((task.time_frame or {}).get("import") or {}).get("manual_due")
    return dt.date.fromisoformat(value) if value else None


def _resolve(keys: list[str], rows: dict[str, TaskUnit]) -> dict[str, OrgUnit | OrgGroup | TaskUnit]:
    """The unit, group or kept row each key names; an unknown key is refused with what it was."""
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=[k[2:] for k in keys if k.startswith(f"{UNIT}:")])}
    groups = {g.code: g for g in OrgGroup.objects.filter(code__in=[k[2:] for k in keys if k.startswith(f"{GROUP}:")])}
    found: dict[str, OrgUnit | OrgGroup | TaskUnit] = {}
    for key in keys:
        kind, _sep, value = key.partition(":")
        target = units.get(value) if kind == UNIT else groups.get(value) if kind == GROUP else rows.get(key) if kind == ROW else None
        if target is None:
            raise PlanError(_("“%(value)s” is not a unit or group one can choose.") % {"value": value or key})
        found[key] = target
    return found


def _apply_units(task: Task, wanted: dict[str, tuple[str, OrgUnit | OrgGroup | TaskUnit]], rows: dict[str, TaskUnit]) -> set[str]:
    """Make the task's rows the ``wanted`` ones ({key: (role, target)}); a row that stays, or
    changes role, keeps its history. Returns the roles whose rows changed."""
    changed: set[str] = set()
    for key, row in rows.items():
        if key not in wanted:
            changed.add(row.role)
            row.delete()
        elif wanted[key][0] != row.role:
            changed |= {row.role, wanted[key][0]}
            row.role = wanted[key][0]
            row.save(update_fields=["role"])
    for key, (role, target) in wanted.items():
        if key in rows:
            continue
        if isinstance(target, OrgGroup):
            TaskUnit.objects.create(task=task, role=role, group=target, text=target.name[:500])
        else:
            TaskUnit.objects.create(task=task, role=role, unit=target, text=target.name[:500])
        changed.add(role)
    return changed


def _read_time_frame(task: Task, changes: TaskChanges) -> dict:
    """The time frame read as the import reads it; refused when it cannot be read and no due date is fixed."""
    tf = importer._time_frame(changes.time_frame_text.strip(), changes.completion_text.strip(), task.plan.year)
    if changes.manual_due is not None:
        tf["manual_due"] = changes.manual_due.isoformat()
        tf = importer._refresh(tf, task.plan.year)
    if tf["flagged"] and changes.manual_due is None:
        raise PlanError(
            _("The time frame “%(text)s” cannot be read (%(problem)s): write it the way plans do (e.g. “Quý III/2026”, “hằng tháng”) or fix the due date.")
            % {"text": tf["phrase"], "problem": importer.problem_text(tf["problem"])}
        )
    return tf


def preview(task: Task, text: str, completion: str, manual_due: dt.date | None) -> dict:
    """What the form's time frame would give, for the page to show while typing (nothing saved):
    {"description", "execution", "start", "due", "recurring", "periods", "waits_for", "problem"}.
    When the completion column says something else than the time frame, it gives the deadline and
    the time frame the start of execution, as in the import."""
    tf = importer._time_frame(text.strip(), completion.strip(), task.plan.year)
    if manual_due is not None:
        tf["manual_due"] = manual_due.isoformat()
        tf = importer._refresh(tf, task.plan.year)
    periods = 0
    if tf["recurring"] and not tf["flagged"]:
        main, _execution = importer._main_frames(tf, task.plan.year)
        years = range(task.plan.year, (task.plan.year_to or task.plan.year) + 1)
        periods = len(importer.occurrence_dates(main, years, importer._adjuster(), after=task.plan.issued_on))
    return {
        "description": tf["description"], "execution": tf["execution_description"],
        "start": dt.date.fromisoformat(tf["start"]) if tf["start"] else None,
        "due": dt.date.fromisoformat(tf["due"]) if tf["due"] else None,
        "recurring": tf["recurring"], "periods": periods, "waits_for": tf["waits_for"],
        "problem": importer.problem_text(tf["problem"]) if tf["flagged"] and manual_due is None else "",
    }


def _sync_occurrences(task: Task, tf: dict) -> None:
    """The periods of the new time frame; those reported on must stay (refused with their name)."""
    plan = task.plan
    wanted: dict[dt.date, str] = {}
    if tf["recurring"]:
        main, _execution = importer._main_frames(tf, plan.year)
        years = range(plan.year, (plan.year_to or plan.year) + 1)
        wanted = {due: label for label, due in importer.occurrence_dates(main, years, importer._adjuster(), after=plan.issued_on)}
    existing = {o.due: o for o in task.occurrences.all()}
    dropped = [o for due, o in existing.items() if due not in wanted]
    reported = [o for o in dropped if o.done_at is not None or o.updates.exists()]
    if reported:
        names = ", ".join(f"{o.label} ({_fmt(o.due)})" for o in reported)
        raise PlanError(_("These periods have progress reported and cannot be removed by the new time frame: %(periods)s.") % {"periods": names})
    Occurrence.objects.filter(pk__in=[o.pk for o in dropped]).delete()
    for due, label in wanted.items():
        occurrence = existing.get(due)
        if occurrence is None:
            Occurrence.objects.create(task=task, label=label, due=due)
        elif occurrence.label != label:
            occurrence.label = label
            occurrence.save(update_fields=["label"])


@transaction.atomic
def edit_task(task: Task, user, changes: TaskChanges) -> list[str]:
    """Apply the reform office's correction; return what changed (labels for the message)."""
    _require(user, "change", task)
    task = _locked(task)
    changed: list[str] = []
    content = changes.content.strip()
    if not content:
        raise PlanError(_("The task's content cannot be empty."))
    if changes.priority not in Priority.values:
        raise PlanError(_("Choose a priority from the list."))
    texts = {"number": changes.number.strip()[:20], "content": content, "target": changes.target.strip(), "output": changes.output.strip(), "priority": changes.priority}
    labels = {"number": _("number"), "content": _("content"), "target": _("target"), "output": _("expected output"), "priority": _("priority")}
    for name, value in texts.items():
        if getattr(task, name) != value:
            setattr(task, name, value)
            changed.append(labels[name])

    frame_changed = (
        changes.time_frame_text.strip() != task.time_frame_text.strip()
        or changes.completion_text.strip() != task.completion_text.strip()
        or changes.manual_due != manual_due_of(task)
    )
    if frame_changed:
        tf = _read_time_frame(task, changes)
        task.time_frame_text, task.completion_text = changes.time_frame_text.strip(), changes.completion_text.strip()
        task.time_frame = importer._stored_frame(tf)
        task.time_frame["import"]["edited"] = True
        task.start = dt.date.fromisoformat(tf["start"]) if tf["start"] else None
        task.due = dt.date.fromisoformat(tf["due"]) if tf["due"] else None
        task.recurring, task.waits_for, task.needs_review = tf["recurring"], tf["waits_for"], False
        offset = find_offset(task.time_frame)
        if task.waits_for and task.event_on and offset is not None and not tf.get("manual_due"):
            task.due = add_offset(task.event_on, offset)  # the event happened already: its delay counts from it
        if not task.waits_for:
            task.event_on = None
        _sync_occurrences(task, tf)
        changed.append(_("time frame"))
    task.save()

    rows = {unit_key(tu): tu for tu in task.units.select_related("unit", "group")}
    if not changes.leads:
        raise PlanError(_("Choose at least one lead unit."))
    both = set(changes.leads) & set(changes.coordinators)
    if both:
        names = ", ".join(str(getattr(t, "name", t)) for t in _resolve(sorted(both), rows).values())
        raise PlanError(_("A unit is either the lead or a coordinating unit, not both: %(names)s.") % {"names": names})
    wanted = {key: (TaskRole.LEAD, target) for key, target in _resolve(list(dict.fromkeys(changes.leads)), rows).items()}
    wanted |= {key: (TaskRole.COORDINATING, target) for key, target in _resolve(list(dict.fromkeys(changes.coordinators)), rows).items()}
    roles = _apply_units(task, wanted, rows)
    changed += [label for role, label in ((TaskRole.LEAD, _("lead units")), (TaskRole.COORDINATING, _("coordinating units"))) if role in roles]

    criteria = list(Criterion.objects.filter(pk__in=changes.criteria))
    if len(criteria) != len(set(changes.criteria)):
        raise PlanError(_("A chosen criterion no longer exists; reload the page."))
    if {c.pk for c in criteria} != set(task.criteria.values_list("pk", flat=True)):
        task.criteria.set(criteria)
        changed.append(_("criteria"))
    return changed


# --- the form's choices -------------------------------------------------------------------


def unit_options(task: Task, day: dt.date) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(heading, [(key, label)])]: the province's groups and units of today, then what the task
    names that is not among them (a unit before a merger, a group read at the plan's date, a
    name kept as written), so that keeping a row is one click and never a silent change."""
    from .responsibility import Responsibility

    province = importer.province_of(task.plan.issuer)
    today = sorted(Responsibility(day).current_of(province.pk)) or [province.pk]
    province = OrgUnit.objects.get(pk=today[0])
    units, groups = importer._candidate_querysets(province, day)
    out: list[tuple[str, list[tuple[str, str]]]] = []
    group_list = [(f"{GROUP}:{g.code}", g.name) for g in groups.order_by("sort_order", "name")]
    offered = {key for key, _name in group_list}
    if group_list:
        out.append((_("Groups of agencies"), group_list))
    by_type: dict[str, list[tuple[str, str]]] = {}
    for unit in units.order_by("sort_order", "name"):
        by_type.setdefault(unit.type, []).append((f"{UNIT}:{unit.code}", unit.name))
    for kind, label in UnitType.choices:
        if by_type.get(kind):
            out.append((str(label).capitalize(), by_type[kind]))
            offered |= {key for key, _name in by_type[kind]}
    named = []
    for row in task.units.select_related("unit", "group"):
        key = unit_key(row)
        if key not in offered:
            named.append((key, _("%(name)s (as the plan wrote it)") % {"name": row.text} if key.startswith(ROW) else row.name))
            offered.add(key)
    if named:
        out.insert(0, (_("Named in the task"), named))
    return out


def criterion_options() -> list[tuple[str, list[tuple[int, str]]]]:
    """[(framework, [(pk, indented "code title")])] of every framework, those in use first (templates last)."""
    criteria = Criterion.objects.select_related("framework").order_by("framework__is_template", "framework__code", "-framework__version", "position")
    by_framework: dict[int, tuple[str, list[tuple[int, str]]]] = {}
    for c in criteria:
        heading, items = by_framework.setdefault(c.framework_id, (f"{c.framework.name} (v{c.framework.version})", []))
        title = c.title if len(c.title) <= 110 else c.title[:109] + "…"
        items.append((c.pk, "\u00a0\u00a0" * c.depth + f"{c.code} {title}"))
    return list(by_framework.values())
