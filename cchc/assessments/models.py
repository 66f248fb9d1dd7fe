"""Assessment: cycles of self-scoring, rounds with deadlines, submissions, entries, evidence.

* A cycle scores subjects on one framework version for one year: the province itself
  (provincial: each domain is scored by its lead agency) or a set of agencies (agency: each
  subject scores itself).
* A round (a month, or the year) has a submission deadline, a grace period and a lock date,
  kept apart on purpose.
* A submission is what one unit sends for one subject in one round (one domain of the
  provincial index, or a whole agency index); its entries hold the inputs, the self score,
  the appraised score and the dialogue of each leaf.
* Evidence is a register of documents, entered once and cited by several entries.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

POINTS = {"max_digits": 12, "decimal_places": 4}


class CycleKind(models.TextChoices):
    PROVINCIAL = "provincial", _("Provincial index (scored by domain leads)")
    AGENCY = "agency", _("Agency index (each unit scores itself)")


class Cycle(models.Model):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=300)
    framework = models.ForeignKey("frameworks.Framework", on_delete=models.PROTECT, related_name="cycles", verbose_name=_("framework"))
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=20, choices=CycleKind.choices)
    subjects = models.ManyToManyField("orgs.OrgUnit", related_name="assessment_cycles", verbose_name=_("subjects"))
    subjects_at = models.DateField(_("subjects taken from the tree at"))
    response_days = models.PositiveSmallIntegerField(
        _("days to answer an appraisal"), default=5, help_text=_("How long a unit may answer a returned criterion.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("assessment cycle")
        verbose_name_plural = _("assessment cycles")
        ordering = ["-year", "code"]

    def __str__(self) -> str:
        return self.name


class DomainLead(models.Model):
    """Provincial cycles: the agency that scores each domain (top-level node) of the index."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="domain_leads")
    domain = models.CharField(_("domain code"), max_length=40)
    unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name=_("lead agency"))

    class Meta:
        verbose_name = _("domain lead")
        verbose_name_plural = _("domain leads")
        ordering = ["cycle", "domain"]
        constraints = [models.UniqueConstraint(fields=["cycle", "domain"], name="domain_lead_unique")]

    def __str__(self) -> str:
        return f"{self.domain}: {self.unit}"


class RoundKind(models.TextChoices):
    MONTHLY = "monthly", _("monthly")
    ANNUAL = "annual", _("annual")


class RoundState(models.TextChoices):
    OPEN = "open", _("open")
    LOCKED = "locked", _("locked")
    PUBLISHED = "published", _("published")


class Round(models.Model):
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="rounds")
    code = models.SlugField(_("code"), max_length=20, help_text=_("e.g. 2026-05 or annual"))
    kind = models.CharField(_("kind"), max_length=10, choices=RoundKind.choices)
    month = models.PositiveSmallIntegerField(_("month"), null=True, blank=True)
    deadline = models.DateField(_("submission deadline"), help_text=_("Submissions after this day are late."))
    grace_until = models.DateField(
        _("grace period until"), help_text=_("Late submissions up to this day are still counted as on time.")
    )
    locks_on = models.DateField(_("lock date"), help_text=_("From this day nothing can be changed."))
    state = models.CharField(_("state"), max_length=10, choices=RoundState.choices, default=RoundState.OPEN)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords(verbose_name=_("historical round"))

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["cycle", "kind", "month"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "code"], name="round_code_per_cycle"),
            models.CheckConstraint(condition=models.Q(grace_until__gte=models.F("deadline")), name="round_grace_after_deadline"),
            models.CheckConstraint(condition=models.Q(locks_on__gte=models.F("grace_until")), name="round_lock_after_grace"),
        ]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.label}"

    @property
    def label(self) -> str:
        if self.kind == RoundKind.MONTHLY:
            return _("month %(month)02d/%(year)d") % {"month": self.month, "year": self.cycle.year}
        return _("year %(year)d") % {"year": self.cycle.year}

    def is_locked_on(self, day) -> bool:
        return self.state != RoundState.OPEN or day >= self.locks_on


class SubmissionState(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    UNDER_APPRAISAL = "under_appraisal", _("under appraisal")
    RETURNED = "returned", _("returned for changes")
    RESUBMITTED = "resubmitted", _("resubmitted")
    APPRAISED = "appraised", _("appraised")
    LOCKED = "locked", _("locked")
    PUBLISHED = "published", _("published")


EDITABLE_STATES = (SubmissionState.DRAFT, SubmissionState.RETURNED)
SENT_STATES = (
    SubmissionState.SUBMITTED, SubmissionState.UNDER_APPRAISAL, SubmissionState.RESUBMITTED,
    SubmissionState.APPRAISED, SubmissionState.LOCKED, SubmissionState.PUBLISHED,
)


class SubmissionQuerySet(models.QuerySet):
    def sent(self):
        """Sent at least once (a locked draft that was never sent is not)."""
        return self.filter(submitted_at__isnull=False)

    def not_sent(self):
        return self.filter(submitted_at__isnull=True)


class Submission(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="submissions")
    subject = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="submissions", verbose_name=_("subject"))
    domain = models.CharField(_("domain"), max_length=40, blank=True, help_text=_("Empty: the whole framework."))
    owner = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="owned_submissions", verbose_name=_("entered by")
    )
    state = models.CharField(_("state"), max_length=20, choices=SubmissionState.choices, default=SubmissionState.DRAFT)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    late = models.BooleanField(_("late"), default=False)
    late_days = models.PositiveSmallIntegerField(_("days late"), default=0)
    response_due = models.DateField(_("answer due"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(verbose_name=_("historical submission"))
    objects = SubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["round", "subject__name", "domain"]
        constraints = [models.UniqueConstraint(fields=["round", "subject", "domain"], name="submission_unique")]

    def __str__(self) -> str:
        part = f" · {self.domain}" if self.domain else ""
        return f"{self.subject} · {self.round.label}{part}"

    @property
    def domain_key(self) -> str:
        """The domain in URLs: its code, or "all" for the whole framework."""
        return self.domain or "all"

    @property
    def is_published(self) -> bool:
        return self.state == SubmissionState.PUBLISHED


class Entry(models.Model):
    """One leaf of one submission: the input, the scores and the appraisal dialogue."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="entries")
    criterion = models.ForeignKey("frameworks.Criterion", on_delete=models.PROTECT, related_name="entries")
    value = models.DecimalField(_("value"), null=True, blank=True, **POINTS)
    numerator = models.DecimalField(_("numerator"), null=True, blank=True, **POINTS)
    denominator = models.DecimalField(_("denominator"), null=True, blank=True, **POINTS)
    done = models.BooleanField(_("done"), null=True, blank=True)
    self_score = models.DecimalField(_("self score"), null=True, blank=True, **POINTS)
    explanation = models.TextField(_("explanation"), blank=True)
    reading = models.TextField(
        _("read from the data"), blank=True,
        help_text=_("For leaves that read an indicator (dossiers...): the numbers as last read, with their period."),
    )
    appraised_score = models.DecimalField(_("appraised score"), null=True, blank=True, **POINTS)
    appraisal_reason = models.TextField(_("reason of the appraisal"), blank=True)
    appraised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    appraised_at = models.DateTimeField(null=True, blank=True)
    returned = models.BooleanField(_("returned"), default=False)
    return_reason = models.TextField(_("reason for returning"), blank=True)
    response = models.TextField(_("answer of the unit"), blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(verbose_name=_("historical entry"))

    class Meta:
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        ordering = ["submission", "criterion__position"]
        constraints = [models.UniqueConstraint(fields=["submission", "criterion"], name="entry_unique")]

    def __str__(self) -> str:
        return f"{self.submission} · {self.criterion.code}"

    @property
    def final_score(self) -> Decimal | None:
        return self.appraised_score if self.appraised_score is not None else self.self_score

    def as_input(self):
        if self.numerator is not None or self.denominator is not None:
            return (self.numerator, self.denominator)
        if self.done is not None:
            return self.done
        return self.value


def evidence_path(instance, filename):
    return f"evidence/{instance.owner_id}/{instance.uuid}"


class Evidence(models.Model):
    """A document entered once in the register and cited by any number of entries."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="evidence", verbose_name=_("unit"))
    number = models.CharField(_("number and symbol"), max_length=100, blank=True, help_text=_("e.g. 214/KH-UBND"))
    issued_on = models.DateField(_("date issued"), null=True, blank=True)
    issuer = models.CharField(_("issued by"), max_length=255, blank=True)
    title = models.CharField(pgettext_lazy("document", "title"), max_length=500)
    file = models.FileField(_("file"), upload_to=evidence_path, blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    sha256 = models.CharField(_("checksum (SHA-256)"), max_length=64, blank=True)
    content_type = models.CharField(_("file type"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords(excluded_fields=["file"], verbose_name=_("historical evidence"))

    class Meta:
        verbose_name = _("evidence document")
        verbose_name_plural = _("evidence register")
        ordering = ["-issued_on", "title"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}".strip()


class Citation(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="citations")
    evidence = models.ForeignKey(Evidence, on_delete=models.PROTECT, related_name="citations")
    locator = models.CharField(_("page or section"), max_length=200, blank=True)

    history = HistoricalRecords(verbose_name=_("historical citation"))

    class Meta:
        verbose_name = _("citation")
        verbose_name_plural = _("citations")
        constraints = [models.UniqueConstraint(fields=["entry", "evidence"], name="citation_unique")]

    def __str__(self) -> str:
        return f"{self.evidence} ({self.locator})" if self.locator else str(self.evidence)
