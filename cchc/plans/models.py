"""Plans and their tasks: who leads, who coordinates, by when, and how far along.

A task's time frame is kept twice: the text exactly as the plan printed it, and the structure
read from it by ``timeframes.parse`` (JSON), with the due date when one can be computed.
Recurring tasks have occurrences, each with its own due date and completion.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords


class PlanKind(models.TextChoices):
    ANNUAL = "annual", _("annual reform plan")
    INDEX = "index", _("index improvement plan")
    SATISFACTION = "satisfaction", _("SIPAS/PAPI improvement plan")
    MULTI_YEAR = "multi_year", _("multi-year plan")
    OTHER = "other", _("other plan")


class Plan(models.Model):
    code = models.SlugField(_("code"), max_length=80, unique=True)
    number = models.CharField(_("number and symbol"), max_length=100, blank=True, help_text=_("e.g. 223/KH-UBND"))
    title = models.CharField(pgettext_lazy("plan", "title"), max_length=500)
    kind = models.CharField(_("kind"), max_length=20, choices=PlanKind.choices, default=PlanKind.ANNUAL)
    issuer = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="issued_plans", verbose_name=_("issued by"))
    owner = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="owned_plans", verbose_name=_("followed by"),
        help_text=_("The unit that follows the plan: approves extensions, receives escalations."),
    )
    issued_on = models.DateField(_("date issued"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("plan year"), help_text=_("Relative time frames (“năm sau”) are read against it."))
    year_to = models.PositiveSmallIntegerField(_("last year covered"), null=True, blank=True)
    source_file = models.FileField(_("source document"), upload_to="plans/", blank=True)
    source_name = models.CharField(_("file name"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords(excluded_fields=["source_file"], verbose_name=_("historical plan"))

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-year", "-issued_on", "number"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()


class Section(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="sections")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    label = models.CharField(_("label"), max_length=20, help_text=_("As printed: I, II, A, B..."))
    title = models.TextField(_("title"), blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["plan", "position"]

    def __str__(self) -> str:
        return f"{self.label}. {self.title}".strip(". ")


class Priority(models.IntegerChoices):
    HIGH = 1, _("high")
    NORMAL = 2, _("normal")
    LOW = 3, _("low")


class TaskQuerySet(models.QuerySet):
    def for_unit(self, unit_ids):
        return self.filter(units__unit__in=unit_ids).distinct()

    def led_by(self, unit_ids):
        return self.filter(units__unit__in=unit_ids, units__role=TaskRole.LEAD).distinct()

    def open(self):
        return self.filter(done_at__isnull=True)

    def overdue(self, on):
        return self.open().filter(due__lt=on)


class Task(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    section = models.ForeignKey(Section, null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks")
    number = models.CharField(_("number"), max_length=20, blank=True)
    position = models.PositiveIntegerField(default=0)
    content = models.TextField(_("content"))
    target = models.TextField(_("target"), blank=True)
    output = models.TextField(_("expected output"), blank=True)
    time_frame_text = models.TextField(_("time frame (as printed)"), blank=True)
    completion_text = models.TextField(_("completion time (as printed)"), blank=True)
    time_frame = models.JSONField(_("time frame (read)"), default=dict, blank=True)
    start = models.DateField(_("start"), null=True, blank=True)
    due = models.DateField(_("due"), null=True, blank=True)
    recurring = models.BooleanField(_("recurring"), default=False)
    waits_for = models.TextField(_("waits for"), blank=True, help_text=_("The event the task waits for, if any."))
    event_on = models.DateField(_("event happened on"), null=True, blank=True)
    needs_review = models.BooleanField(_("time frame to check"), default=False)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    criteria = models.ManyToManyField("frameworks.Criterion", blank=True, related_name="tasks", verbose_name=_("criteria"))
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    done_at = models.DateField(_("done on"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    extensions = models.PositiveSmallIntegerField(_("extensions granted"), default=0)

    history = HistoricalRecords(verbose_name=_("historical task"))
    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["plan", "position"]
        indexes = [models.Index(fields=["due", "done_at"])]

    def __str__(self) -> str:
        return f"{self.number} {self.content[:80]}".strip()

    @property
    def leads(self):
        return [u for u in self.units.all() if u.role == TaskRole.LEAD]

    @property
    def coordinators(self):
        return [u for u in self.units.all() if u.role == TaskRole.COORDINATING]


class TaskRole(models.TextChoices):
    LEAD = "lead", _("lead")
    COORDINATING = "coordinating", _("coordinating")


class TaskUnit(models.Model):
    """A lead or coordinating unit of a task (a unit, or a group read at the plan's date).

    ``text`` keeps the name as the plan wrote it. Coordinating units have their own contribution
    status and due date; the lead closes the task.
    """

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="units")
    role = models.CharField(_("role"), max_length=20, choices=TaskRole.choices)
    unit = models.ForeignKey("orgs.OrgUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="task_roles")
    group = models.ForeignKey("orgs.OrgGroup", null=True, blank=True, on_delete=models.PROTECT, related_name="task_roles")
    text = models.CharField(_("as written"), max_length=500, blank=True)
    contribution_due = models.DateField(_("contribution due"), null=True, blank=True)
    contributed_at = models.DateField(_("contributed on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    history = HistoricalRecords(verbose_name=_("historical task unit"))

    class Meta:
        verbose_name = _("task unit")
        verbose_name_plural = _("task units")
        ordering = ["task", "role", "pk"]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.unit or self.group or self.text}"

    @property
    def name(self) -> str:
        """The unit's or the group's name, else the name as the plan wrote it."""
        return self.unit.name if self.unit_id else self.group.name if self.group_id else self.text


class Occurrence(models.Model):
    """One due date of a recurring task (a month's report, a quarter's report...)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="occurrences")
    label = models.CharField(_("period"), max_length=40)
    due = models.DateField(_("due"))
    done_at = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["task", "due"]
        constraints = [models.UniqueConstraint(fields=["task", "due"], name="occurrence_unique_due")]

    def __str__(self) -> str:
        return f"{self.task} · {self.label}"


class ProgressUpdate(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="updates")
    occurrence = models.ForeignKey(Occurrence, null=True, blank=True, on_delete=models.CASCADE, related_name="updates")
    unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    percent = models.PositiveSmallIntegerField(_("progress (%)"))
    note = models.TextField(_("note"), blank=True)
    evidence = models.ManyToManyField("assessments.Evidence", blank=True, related_name="task_updates", verbose_name=_("evidence"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords(verbose_name=_("historical progress update"))

    class Meta:
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.task} · {self.percent}%"


class ExtensionState(models.TextChoices):
    PENDING = "pending", _("waiting for a decision")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")


class ExtensionRequest(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="extension_requests")
    unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+")
    current_due = models.DateField(_("current due date"), null=True, blank=True)
    requested_due = models.DateField(_("requested due date"))
    reason = models.TextField(_("reason"))
    state = models.CharField(_("state"), max_length=10, choices=ExtensionState.choices, default=ExtensionState.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decision_note = models.TextField(_("decision note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords(verbose_name=_("historical extension request"))

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.task} → {self.requested_due}"


class ImportBatch(models.Model):
    """A plan table read from a file and waiting in the preview: fixed by a person, then committed or discarded."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file_name = models.CharField(max_length=255)
    content = models.BinaryField()
    plan_fields = models.JSONField(default=dict)
    rows = models.JSONField(default=list, help_text="Parsed rows with their matches and time frames, as the preview shows them.")
    state = models.CharField(max_length=10, default="preview")  # preview | committed | discarded
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name


class ReminderKind(models.TextChoices):
    DIGEST = "digest", _("daily digest")
    ESCALATION = "escalation", _("escalation to the plan's owner")


class ReminderLog(models.Model):
    """A digest or an escalation that was sent: to whom, about which tasks (proof for disputes)."""

    unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    sent_on = models.DateField()
    task_ids = models.JSONField(default=list)
    recipients = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_on", "unit"]
        constraints = [models.UniqueConstraint(fields=["unit", "kind", "sent_on"], name="reminder_once_a_day")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.unit} · {self.sent_on}"
