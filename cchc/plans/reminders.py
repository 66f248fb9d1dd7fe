"""Reminders: a daily digest per unit of its open tasks due soon or overdue, and escalation to the plans' owners.

* ``digest_for(unit, on, within_days)`` lists the open tasks (and open occurrences of recurring tasks)
  that the unit leads, or coordinates while its contribution is pending, due within ``within_days``
  days of ``on`` or overdue. A unit is concerned directly, or through a group the plan names
  ("Các sở, ban, ngành"), read at the plan's date. The digest page shows the same function's result.
* ``recipients(unit)``: the e-mail addresses of the unit's active officers and domain leads.
* ``send_digests(on, within_days, escalate_after_days, dry_run=False)`` sends one e-mail per unit per
  day at most (``ReminderLog``'s unique constraint is the guard, so running it twice, or from two
  workers, sends nothing twice), then the escalations: the open items overdue by more than
  ``escalate_after_days`` go, once a day, to the members of each plan's owner unit, listing the late
  units. It returns a ``Report`` of what was (or, with ``dry_run``, would be) sent.

Settings: ``CCHC_REMINDER_DAYS`` (7), ``CCHC_ESCALATE_AFTER_DAYS`` (3, calendar days) and
``CCHC_BASE_URL`` (the links of the e-mails). The e-mails are written in the site's language
(``LANGUAGE_CODE``, Vietnamese), as plain text with a simple HTML alternative.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cchc.accounts.models import Membership, Role
from cchc.orgs.models import OrgUnit

from .models import Occurrence, Plan, ReminderKind, ReminderLog, Task, TaskRole, TaskUnit
from .responsibility import Responsibility

logger = logging.getLogger(__name__)

DIGEST_ROLES = (Role.OFFICER.value, Role.DOMAIN_LEAD.value)
ESCALATION_ROLES = (Role.OFFICER.value, Role.DOMAIN_LEAD.value, Role.REFORM_OFFICE.value)
SHORT = 140  # characters of a task's content in lists
RED = "#b02a37"


# --------------------------------------------------------------------------- settings


def reminder_days() -> int:
    return int(getattr(settings, "CCHC_REMINDER_DAYS", 7))


def escalation_days() -> int:
    return int(getattr(settings, "CCHC_ESCALATE_AFTER_DAYS", 3))


def base_url() -> str:
    return str(getattr(settings, "CCHC_BASE_URL", "http://127.0.0.1:8000")).rstrip("/")


def absolute(path: str) -> str:
    return base_url() + path


def digest_url(unit: OrgUnit, anchor: str = "") -> str:
    """The digest page of a unit, absolute (e-mails link to it)."""
    url = absolute(reverse("plans:digest") + "?" + urlencode({"unit": unit.code}))
    return f"{url}#{anchor}" if anchor else url


def task_url(task: Task, *, full: bool = True) -> str | None:
    """The task's page on the board (absolute for e-mails), None if the board has no such page."""
    try:
        path = reverse("plans:task_detail", kwargs={"uuid": task.uuid})
    except NoReverseMatch:
        return None
    return absolute(path) if full else path


def export_url(plan: Plan, fmt: str = "xlsx", with_status: bool = True) -> str:
    path = reverse("plans:plan_export", kwargs={"code": plan.code, "fmt": fmt})
    return absolute(path + ("?status=1" if with_status else ""))


# --------------------------------------------------------------------------- what is due


def fmt_date(day: dt.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


def short(text: str, limit: int = SHORT) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def plan_ref(plan: Plan) -> str:
    """How a plan is cited in a list: its number, else the start of its title."""
    return plan.number or short(plan.title, 60)


def party_name(task_unit: TaskUnit) -> str:
    """The unit, group or text a task assigns: what is late."""
    if task_unit.unit_id:
        return task_unit.unit.name
    if task_unit.group_id:
        return task_unit.group.name
    return task_unit.text or "?"


@dataclass(frozen=True)
class Item:
    """An open task (or an open occurrence of a recurring task) that concerns a unit, with its due date."""

    task: Task
    role: str  # TaskRole
    due: dt.date
    on: dt.date
    occurrence: Occurrence | None = None
    via: str = ""  # the group through which the unit is concerned
    party: str = ""  # escalations: who is late (a unit's, a group's name or the text of the plan)

    @property
    def key(self) -> tuple[int, int | None]:
        return (self.task.pk, self.occurrence.pk if self.occurrence else None)

    @property
    def plan(self) -> Plan:
        return self.task.plan

    @property
    def days_left(self) -> int:
        return (self.due - self.on).days

    @property
    def overdue(self) -> bool:
        return self.due < self.on

    @property
    def days_late(self) -> int:
        return max(0, (self.on - self.due).days)

    @property
    def anchor(self) -> str:
        suffix = f"-{self.occurrence.pk}" if self.occurrence else ""
        return f"task-{self.task.uuid}{suffix}"

    @property
    def content(self) -> str:
        text = short(self.task.content)
        return f"{text} ({self.occurrence.label})" if self.occurrence else text

    def role_text(self) -> str:
        text = _("lead") if self.role == TaskRole.LEAD else _("coordinating (contribution pending)")
        if self.via:
            text += " · " + _("as one of “%(group)s”") % {"group": self.via}
        return text

    def when_text(self) -> str:
        if self.overdue:
            return ngettext("%(days)d day late", "%(days)d days late", self.days_late) % {"days": self.days_late}
        if self.days_left == 0:
            return _("due today")
        return ngettext("due in %(days)d day", "due in %(days)d days", self.days_left) % {"days": self.days_left}


def waiting(task: Task) -> bool:
    """The task waits for an event that has not happened: nobody is late for it (the board's rule)."""
    return bool((task.waits_for or "").strip()) and task.event_on is None


def _open_task_units(horizon: dt.date):
    """Task units of open tasks with something due by ``horizon`` (a task, an occurrence or a contribution)."""
    due = (
        Q(task__due__lte=horizon)
        | Q(task__occurrences__due__lte=horizon, task__occurrences__done_at__isnull=True)
        | Q(contribution_due__lte=horizon)
    )
    pks = TaskUnit.objects.filter(due, task__done_at__isnull=True).values("pk")
    return (
        TaskUnit.objects.filter(pk__in=pks)
        .select_related("task__plan__owner", "task__plan__issuer", "unit", "group")
        .prefetch_related(Prefetch("task__occurrences", queryset=Occurrence.objects.order_by("due")))
        .order_by("task__plan_id", "task__position", "task_id", "role", "pk")
    )


def _items_of(task_unit: TaskUnit, on: dt.date, horizon: dt.date, **extra) -> list[Item]:
    """What ``task_unit`` has to do by ``horizon``: the task's due date, or its open occurrences.

    A coordinating unit with its own contribution date is reminded of that date until it contributes.
    Otherwise it follows the task's dates while its contribution is pending: for an occurrence, a
    contribution counts once made after the previous occurrence's due date.
    """
    task = task_unit.task
    if task.done_at is not None or waiting(task):
        return []
    coordinating = task_unit.role == TaskRole.COORDINATING
    if coordinating and task_unit.contribution_due is not None:
        if task_unit.contributed_at is None and task_unit.contribution_due <= horizon:
            return [Item(task, task_unit.role, task_unit.contribution_due, on, **extra)]
        return []
    occurrences = list(task.occurrences.all())
    if occurrences:
        items, previous = [], None
        for occurrence in occurrences:
            if occurrence.due > horizon:
                break
            pending = occurrence.done_at is None
            if pending and coordinating and task_unit.contributed_at is not None:
                pending = previous is not None and task_unit.contributed_at <= previous
            if pending:
                items.append(Item(task, task_unit.role, occurrence.due, on, occurrence=occurrence, **extra))
            previous = occurrence.due
        return items
    if task.due is None or task.due > horizon or (coordinating and task_unit.contributed_at is not None):
        return []
    return [Item(task, task_unit.role, task.due, on, **extra)]


def _sort_key(item: Item):
    return (item.due, item.plan.pk, item.task.position, item.task.pk, item.occurrence.pk if item.occurrence else 0)


def _collect(on: dt.date, horizon: dt.date, unit: OrgUnit | None = None) -> dict[int, list[Item]]:
    """unit id -> its items by ``horizon`` (the lead role wins when a unit is concerned twice)."""
    found: dict[int, dict[tuple, Item]] = defaultdict(dict)

    def add(unit_id: int, item: Item):
        known = found[unit_id].get(item.key)
        if known is None or (known.role != TaskRole.LEAD and item.role == TaskRole.LEAD):
            found[unit_id][item.key] = item

    answering = Responsibility(on)
    task_units = _open_task_units(horizon)
    if unit is not None:
        task_units = task_units.filter(answering.task_units_for({unit.pk}))
    for task_unit in task_units:
        members = answering.units_of(task_unit)
        if unit is not None:
            members &= {unit.pk}
        if not members:
            continue
        # Through a group, or a unit that merged into this one: say which name the plan used.
        via = task_unit.group.name if task_unit.group_id else ""
        if task_unit.unit_id and task_unit.unit_id not in members:
            via = task_unit.unit.name
        items = _items_of(task_unit, on, horizon, via=via) if via else _items_of(task_unit, on, horizon)
        for member in members:
            for item in items:
                add(member, item)
    return {unit_id: sorted(items.values(), key=_sort_key) for unit_id, items in found.items() if items}


@dataclass
class Digest:
    unit: OrgUnit
    on: dt.date
    within_days: int
    items: list[Item] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.items)

    @property
    def overdue(self) -> list[Item]:
        return [item for item in self.items if item.overdue]

    @property
    def upcoming(self) -> list[Item]:
        return [item for item in self.items if not item.overdue]

    @property
    def task_ids(self) -> list[int]:
        return sorted({item.task.pk for item in self.items})


def digest_for(unit: OrgUnit, on: dt.date | None = None, within_days: int | None = None) -> Digest:
    """The open tasks and occurrences the unit leads or coordinates (contribution pending), overdue
    or due within ``within_days`` days of ``on`` (default: today and ``CCHC_REMINDER_DAYS``)."""
    on = on or timezone.localdate()
    within_days = reminder_days() if within_days is None else within_days
    horizon = on + dt.timedelta(days=within_days)
    items = _collect(on, horizon, unit).get(unit.pk, [])
    return Digest(unit=unit, on=on, within_days=within_days, items=items)


def all_digests(on: dt.date, within_days: int) -> list[Digest]:
    """The digest of every unit that has something, in the order of the map of units."""
    collected = _collect(on, on + dt.timedelta(days=within_days))
    units = OrgUnit.objects.filter(pk__in=collected).order_by("type", "sort_order", "name")
    return [Digest(unit=unit, on=on, within_days=within_days, items=collected[unit.pk]) for unit in units]


def overdue_items(on: dt.date, unit: OrgUnit | None = None) -> list[Item]:
    """Every open overdue task and occurrence (for a unit: those it leads or coordinates, pending)."""
    if unit is not None:
        return digest_for(unit, on, 0).overdue
    tasks = (
        Task.objects.open()
        .filter(Q(due__lt=on) | Q(occurrences__due__lt=on, occurrences__done_at__isnull=True))
        .distinct()
        .select_related("plan")
        .prefetch_related(
            Prefetch("occurrences", queryset=Occurrence.objects.order_by("due")),
            Prefetch("units", queryset=TaskUnit.objects.select_related("unit", "group")),
        )
    )
    items = []
    for task in tasks:
        if waiting(task):
            continue
        occurrences = list(task.occurrences.all())
        if occurrences:
            items.extend(
                Item(task, TaskRole.LEAD, occ.due, on, occurrence=occ)
                for occ in occurrences
                if occ.done_at is None and occ.due < on
            )
        elif task.due and task.due < on:
            items.append(Item(task, TaskRole.LEAD, task.due, on))
    return sorted(items, key=_sort_key)


def lead_names(task: Task) -> str:
    return "; ".join(party_name(task_unit) for task_unit in task.leads)


# --------------------------------------------------------------------------- escalation


@dataclass
class Escalation:
    """Items overdue by more than the delay in the plans an owner unit follows, with who is late."""

    owner: OrgUnit
    on: dt.date
    after_days: int
    items: list[Item] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.items)

    @property
    def by_party(self) -> list[tuple[str, list[Item]]]:
        parties: dict[str, list[Item]] = defaultdict(list)
        for item in self.items:
            parties[item.party].append(item)
        return sorted(parties.items(), key=lambda pair: (-len(pair[1]), pair[0]))

    @property
    def task_ids(self) -> list[int]:
        return sorted({item.task.pk for item in self.items})

    @property
    def plans(self) -> list[Plan]:
        seen: dict[int, Plan] = {}
        for item in self.items:
            seen.setdefault(item.plan.pk, item.plan)
        return list(seen.values())


def escalations(on: dt.date, after_days: int, owner: OrgUnit | None = None) -> list[Escalation]:
    """One ``Escalation`` per plan owner with items overdue by more than ``after_days`` days."""
    horizon = on - dt.timedelta(days=after_days + 1)
    task_units = _open_task_units(horizon)
    if owner is not None:
        task_units = task_units.filter(task__plan__owner=owner)
    found: dict[int, dict[tuple, Item]] = defaultdict(dict)
    owners: dict[int, OrgUnit] = {}
    for task_unit in task_units:
        party = party_name(task_unit)
        plan = task_unit.task.plan
        owners[plan.owner_id] = plan.owner
        for item in _items_of(task_unit, on, horizon, party=party):
            found[plan.owner_id].setdefault((party, *item.key), item)
    result = [
        Escalation(owner=owners[owner_id], on=on, after_days=after_days, items=sorted(items.values(), key=_sort_key))
        for owner_id, items in found.items()
        if items
    ]
    return sorted(result, key=lambda esc: (esc.owner.sort_order, esc.owner.name))


# --------------------------------------------------------------------------- recipients and messages


def recipients(unit: OrgUnit, roles=DIGEST_ROLES) -> list[str]:
    """The e-mail addresses of the unit's active members with one of ``roles`` (officers and domain leads)."""
    emails = (
        Membership.objects.active()
        .filter(unit=unit, role__in=[str(role) for role in roles], user__is_active=True)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    return sorted(set(emails), key=str.lower)


def _items_table(items: list[Item], link_unit: OrgUnit | None, *, full: bool = True) -> SafeString:
    """A simple HTML table of items (inline styles for mail readers, Bootstrap classes for the page).

    Each task links to its page on the board (absolute URLs when ``full``, for e-mails), or else
    to its line on ``link_unit``'s digest page.
    """
    cell = mark_safe('style="border:1px solid #ccc;padding:4px 6px;vertical-align:top"')  # noqa: S308 (a constant)
    red = mark_safe(f' style="color:{RED}"')  # noqa: S308 (a constant)
    head = [_("Plan"), _("No."), _("Task"), _("Role"), _("Due"), _("Status")]
    rows = []
    for item in items:
        url = task_url(item.task, full=full)
        if url is None and link_unit is not None:
            url = digest_url(link_unit, item.anchor)
        content = format_html('<a href="{}">{}</a>', url, item.content) if url else item.content
        rows.append(
            format_html(
                '<tr id="{}" class="{}"{}><td {}>{}</td><td {}>{}</td><td {}>{}</td><td {}>{}</td><td {}>{}</td>'
                "<td {}><strong>{}</strong></td></tr>",
                item.anchor,
                "table-danger" if item.overdue else ("table-warning" if item.days_left == 0 else ""),
                red if item.overdue else "",
                cell, plan_ref(item.plan),
                cell, item.task.number,
                cell, content,
                cell, item.role_text(),
                cell, fmt_date(item.due),
                cell, item.when_text(),
            )
        )
    header = format_html_join(
        "", '<th style="border:1px solid #ccc;padding:4px 6px;text-align:left">{}</th>', ((h,) for h in head)
    )
    return format_html(
        '<table class="table table-sm table-bordered" style="border-collapse:collapse;font-size:14px">'
        "<thead><tr>{}</tr></thead><tbody>{}</tbody></table>",
        header,
        mark_safe("".join(rows)),  # noqa: S308 (built with format_html)
    )


def digest_html(digest: Digest, *, full: bool = True) -> SafeString:
    """The digest's lists as HTML: overdue first (red), then due soon. The page and the e-mail share it
    (``full``: absolute links, for the e-mail)."""
    link_unit = digest.unit if full else None
    parts = []
    if digest.overdue:
        parts.append(
            format_html(
                '<h3 class="h6 text-danger" style="color:{}">{}</h3>{}', RED,
                _("Overdue (%(count)d)") % {"count": len(digest.overdue)},
                _items_table(digest.overdue, link_unit, full=full),
            )
        )
    if digest.upcoming:
        title = _("Due within %(days)d days (%(count)d)") % {"days": digest.within_days, "count": len(digest.upcoming)}
        parts.append(format_html('<h3 class="h6">{}</h3>{}', title, _items_table(digest.upcoming, link_unit, full=full)))
    if not parts:
        parts.append(format_html('<p class="text-muted">{}</p>', _("Nothing overdue or due soon.")))
    return mark_safe("".join(parts))  # noqa: S308 (built with format_html)


def escalation_html(escalation: Escalation, *, full: bool = True) -> SafeString:
    """The late units of an escalation, each with its overdue items."""
    link_unit = escalation.owner if full else None
    parts = [
        format_html(
            '<h3 class="h6 text-danger" style="color:{}">{} ({})</h3>{}', RED, party, len(items),
            _items_table(items, link_unit, full=full),
        )
        for party, items in escalation.by_party
    ]
    return mark_safe("".join(parts))  # noqa: S308 (built with format_html)


def _text_lines(items: list[Item], *, party: bool = False) -> list[str]:
    lines = []
    for number, item in enumerate(items, start=1):
        task = f"{item.task.number} {item.content}".strip()
        lines.append(f"{number}. [{plan_ref(item.plan)}] {task}")
        who = item.party if party else item.role_text()
        lines.append(f"   {who} · {_('due %(date)s') % {'date': fmt_date(item.due)}} · {item.when_text()}")
    return lines


@dataclass
class Message:
    subject: str
    text: str
    html: str


def _html_page(title: str, body: str) -> str:
    return format_html(
        '<!doctype html><html lang="{}"><head><meta charset="utf-8"><title>{}</title></head>'
        '<body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222">{}</body></html>',
        translation.get_language() or "vi",
        title,
        mark_safe(body),  # noqa: S308 (built with format_html)
    )


def digest_message(digest: Digest) -> Message:
    """The digest e-mail of a unit, in the site's language."""
    with translation.override(settings.LANGUAGE_CODE):
        unit = digest.unit
        values = {
            "unit": unit.name, "date": fmt_date(digest.on), "days": digest.within_days,
            "overdue": len(digest.overdue), "soon": len(digest.upcoming),
        }
        subject = _("[CCHC] %(unit)s: %(overdue)d overdue, %(soon)d due within %(days)d days (%(date)s)") % values
        greeting = _("To: %(unit)s") % values
        intro = _("The tasks of your unit in the province's plans that are overdue or due within %(days)d days, as of %(date)s.") % values
        link = _("See them and report progress: %(url)s") % {"url": digest_url(unit)}
        footer = _("This message is sent automatically, at most once a day, to the officers of %(unit)s.") % values
        text = [greeting, "", intro, ""]
        if digest.overdue:
            text += [(_("Overdue (%(count)d)") % {"count": len(digest.overdue)}).upper(), *_text_lines(digest.overdue), ""]
        if digest.upcoming:
            text += [
                (_("Due within %(days)d days (%(count)d)") % {"days": digest.within_days, "count": len(digest.upcoming)}).upper(),
                *_text_lines(digest.upcoming), "",
            ]
        text += [link, "", "-- ", footer]
        body = format_html(
            '<p><strong>{}</strong></p><p>{}</p>{}<p><a href="{}">{}</a></p><hr><p style="color:#666;font-size:12px">{}</p>',
            greeting, intro, digest_html(digest), digest_url(unit), _("Open the digest in CCHC"), footer,
        )
        return Message(subject=subject, text="\n".join(text) + "\n", html=_html_page(subject, body))


def escalation_message(escalation: Escalation) -> Message:
    """The escalation e-mail to a plan owner, in the site's language."""
    with translation.override(settings.LANGUAGE_CODE):
        owner = escalation.owner
        values = {
            "unit": owner.name, "date": fmt_date(escalation.on), "days": escalation.after_days,
            "count": len(escalation.items), "parties": len(escalation.by_party),
        }
        subject = _("[CCHC] Escalation to %(unit)s: %(count)d items overdue by more than %(days)d days (%(date)s)") % values
        greeting = _("To: %(unit)s") % values
        intro = " ".join([
            _("In the plans your unit follows, these tasks are overdue by more than %(days)d days as of %(date)s.") % values,
            ngettext("%(parties)d unit is late.", "%(parties)d units are late.", values["parties"]) % values,
            _("Please remind them, or decide on their extension requests."),
        ])
        footer = _("This message is sent automatically, at most once a day, to the members of %(unit)s.") % values
        text = [greeting, "", intro, ""]
        for party, items in escalation.by_party:
            text += [f"{party.upper()} ({len(items)})", *_text_lines(items), ""]
        exports = [(plan_ref(plan), export_url(plan)) for plan in escalation.plans]
        text += [_("Assignment tables with their status:")] + [f"- {ref}: {url}" for ref, url in exports] + [""]
        text += [_("See them in CCHC: %(url)s") % {"url": digest_url(owner)}, "", "-- ", footer]
        body = format_html(
            '<p><strong>{}</strong></p><p>{}</p>{}<p>{}</p><ul>{}</ul><p><a href="{}">{}</a></p>'
            '<hr><p style="color:#666;font-size:12px">{}</p>',
            greeting, intro, escalation_html(escalation), _("Assignment tables with their status:"),
            format_html_join("", '<li><a href="{}">{}</a></li>', ((url, ref) for ref, url in exports)),
            digest_url(owner), _("Open the digest in CCHC"), footer,
        )
        return Message(subject=subject, text="\n".join(text) + "\n", html=_html_page(subject, body))


# --------------------------------------------------------------------------- sending


@dataclass
class Delivery:
    kind: str  # ReminderKind
    unit: str  # code
    unit_name: str
    recipients: list[str]
    items: int
    task_ids: list[int]
    error: str = ""

    def as_dict(self) -> dict:
        return {
            "kind": self.kind, "unit": self.unit, "unit_name": self.unit_name, "recipients": self.recipients,
            "items": self.items, "task_ids": self.task_ids, **({"error": self.error} if self.error else {}),
        }


@dataclass
class Report:
    on: dt.date
    within_days: int
    escalate_after_days: int
    dry_run: bool = False
    sent: list[Delivery] = field(default_factory=list)  # with dry_run: what would be sent
    already: list[Delivery] = field(default_factory=list)  # sent earlier the same day
    no_recipients: list[Delivery] = field(default_factory=list)
    failed: list[Delivery] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "on": self.on.isoformat(), "within_days": self.within_days, "escalate_after_days": self.escalate_after_days,
            "dry_run": self.dry_run,
            **{name: [d.as_dict() for d in getattr(self, name)] for name in ("sent", "already", "no_recipients", "failed")},
        }

    def lines(self) -> list[str]:
        kinds = {ReminderKind.DIGEST: _("digest"), ReminderKind.ESCALATION: _("escalation")}
        heads = (
            ("sent", _("Would send") if self.dry_run else _("Sent")),
            ("already", _("Already sent today")),
            ("no_recipients", _("No recipient")),
            ("failed", _("Failed")),
        )
        out = [
            _("Reminders of %(date)s (due within %(days)d days; escalation after %(after)d days)%(dry)s")
            % {"date": fmt_date(self.on), "days": self.within_days, "after": self.escalate_after_days,
               "dry": " — " + _("dry run, nothing sent") if self.dry_run else ""}
        ]
        for name, head in heads:
            for d in getattr(self, name):
                line = f"{head}: {kinds.get(d.kind, d.kind)} {d.unit} {d.unit_name} ({d.items})"
                if d.recipients:
                    line += " → " + ", ".join(d.recipients)
                if d.error:
                    line += f" [{d.error}]"
                out.append(line)
        out.append(
            _("%(sent)d sent, %(already)d already sent, %(none)d without recipients, %(failed)d failed.")
            % {"sent": len(self.sent), "already": len(self.already), "none": len(self.no_recipients), "failed": len(self.failed)}
        )
        return out


def _deliver(report: Report, connection, *, kind: str, unit: OrgUnit, to: list[str], task_ids: list[int],
             count: int, message) -> None:
    delivery = Delivery(kind=kind, unit=unit.code, unit_name=unit.name, recipients=to, items=count, task_ids=task_ids)
    if not to:
        report.no_recipients.append(delivery)
        return
    if ReminderLog.objects.filter(unit=unit, kind=kind, sent_on=report.on).exists():
        report.already.append(delivery)
        return
    if report.dry_run:
        report.sent.append(delivery)
        return
    try:  # the unique constraint claims the day: a second run or a second worker stops here
        with transaction.atomic():
            log = ReminderLog.objects.create(
                unit=unit, kind=kind, sent_on=report.on, task_ids=task_ids, recipients=", ".join(to)
            )
    except IntegrityError:
        report.already.append(delivery)
        return
    built = message()
    email = EmailMultiAlternatives(
        built.subject, built.text, to=to, connection=connection, headers={"Auto-Submitted": "auto-generated"}
    )
    email.attach_alternative(built.html, "text/html")
    try:
        email.send()
    except OSError as exc:  # SMTP errors included: give the day back so that a later run retries
        log.delete()
        logger.warning("Reminder %s to %s failed: %s", kind, unit.code, exc)
        delivery.error = str(exc)
        report.failed.append(delivery)
        return
    report.sent.append(delivery)


def send_digests(
    on: dt.date | None = None,
    within_days: int | None = None,
    escalate_after_days: int | None = None,
    dry_run: bool = False,
) -> Report:
    """Send the day's digests (one per unit with something due) and escalations (one per plan owner)."""
    on = on or timezone.localdate()
    within_days = reminder_days() if within_days is None else within_days
    escalate_after_days = escalation_days() if escalate_after_days is None else escalate_after_days
    report = Report(on=on, within_days=within_days, escalate_after_days=escalate_after_days, dry_run=dry_run)
    connection = None if dry_run else get_connection()
    for digest in all_digests(on, within_days):
        _deliver(
            report, connection, kind=ReminderKind.DIGEST, unit=digest.unit, to=recipients(digest.unit),
            task_ids=digest.task_ids, count=len(digest.items), message=lambda digest=digest: digest_message(digest),
        )
    for escalation in escalations(on, escalate_after_days):
        _deliver(
            report, connection, kind=ReminderKind.ESCALATION, unit=escalation.owner,
            to=recipients(escalation.owner, ESCALATION_ROLES), task_ids=escalation.task_ids,
            count=len(escalation.items), message=lambda escalation=escalation: escalation_message(escalation),
        )
    return report
