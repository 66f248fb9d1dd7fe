"""Frameworks (criteria trees) as stored data, and the scores entered against them.

The definition of a framework is its YAML text (``source_text``), read by the pure core
(``fileformat.load``); ``Criterion`` rows mirror its nodes so that scores, tasks and pages can
point at them. A framework used by scores is never changed in place: importing a changed file
makes a new version.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

POINTS = {"max_digits": 12, "decimal_places": 4}
_DEFINITIONS: dict = {}  # (pk, version, hash of the YAML) -> parsed definition; read-only once built


class FrameworkQuerySet(models.QuerySet):
    def latest_versions(self):
        latest = {}
        for fw in self.order_by("code", "-version"):
            latest.setdefault(fw.code, fw)
        return self.filter(pk__in=[fw.pk for fw in latest.values()])


class Framework(models.Model):
    code = models.CharField(_("code"), max_length=60)
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=500)
    subject_kind = models.CharField(_("subject kind"), max_length=20)
    years = models.JSONField(_("years"), default=list)
    source = models.TextField(_("source document"), blank=True)
    is_template = models.BooleanField(_("template to adapt"), default=False)
    total_max = models.DecimalField(_("declared total"), null=True, blank=True, **POINTS)
    source_text = models.TextField(_("definition (YAML)"))
    findings = models.JSONField(_("validation findings"), default=list, blank=True)
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    history = HistoricalRecords(excluded_fields=["source_text"], verbose_name=_("historical framework"))
    objects = FrameworkQuerySet.as_manager()

    class Meta:
        verbose_name = _("framework")
        verbose_name_plural = _("frameworks")
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="framework_code_version")]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    @cached_property
    def definition(self):
        """The pure-Python framework (nodes, methods, bands) read from the stored YAML.

        Parsed once per process for a given text: every Criterion row carries its own
        Framework instance, and parsing a large framework for each would be slow.
        """
        key = (self.pk, self.version, hash(self.source_text))
        cached = _DEFINITIONS.get(key)
        if cached is not None:
            return cached
        from .fileformat import load

        framework, findings = load(self.source_text)
        if framework is None:
            raise ValueError(f"stored framework {self} no longer loads: {findings[0].message}")
        framework.version = self.version
        if len(_DEFINITIONS) > 64:
            _DEFINITIONS.clear()
        _DEFINITIONS[key] = framework
        return framework

    @property
    def definition_findings(self):
        """The findings of the import (warnings such as children that do not add up)."""
        from .model import Finding

        return [
            Finding(f["code"], f["message"], f.get("line"), f.get("node"), f.get("params") or {}, f.get("severity", "warning"))
            for f in self.findings
        ]

    @property
    def in_use(self) -> bool:
        """Scored, or used by an assessment cycle: changes must make a new version."""
        return self.scores.exists() or self.cycles.exists()


class Criterion(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="criteria")
    code = models.CharField(_("code"), max_length=40)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    title = models.TextField(_("title"))
    max_points = models.DecimalField(_("max points"), null=True, blank=True, **POINTS)
    method = models.CharField(_("scoring method"), max_length=20, blank=True)
    responsible = models.TextField(_("responsible"), blank=True)
    position = models.PositiveIntegerField(default=0)
    depth = models.PositiveSmallIntegerField(default=0)
    is_leaf = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["framework", "position"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="criterion_code_per_framework")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Dataset(models.Model):
    """Values a document printed for one subject (e.g. the appendix of plan 214/KH-UBND)."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="datasets")
    subject = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="datasets")
    source = models.TextField(_("source document"), blank=True)
    source_text = models.TextField(_("dataset (YAML)"))
    findings = models.JSONField(_("findings"), default=list, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")
        constraints = [models.UniqueConstraint(fields=["framework", "subject", "source"], name="dataset_unique_source")]

    def __str__(self) -> str:
        return f"{self.framework} · {self.subject}"

    @cached_property
    def definition(self):
        from .dataset import load

        dataset, _findings = load(self.source_text)
        return dataset


class ScoreKind(models.TextChoices):
    INPUT = "input", _("self-assessed input")
    TARGET = "target", _("target")


class ScoreQuerySet(models.QuerySet):
    def for_subject(self, subject, year):
        return self.filter(subject=subject, year=year)

    def published(self):
        return self.filter(published=True)


class Score(models.Model):
    """One leaf's input (or one node's target) for a subject and a year."""

    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    subject = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="scores")
    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind"), max_length=10, choices=ScoreKind.choices, default=ScoreKind.INPUT)
    value = models.DecimalField(_("value"), null=True, blank=True, **POINTS)
    numerator = models.DecimalField(_("numerator"), null=True, blank=True, **POINTS)
    denominator = models.DecimalField(_("denominator"), null=True, blank=True, **POINTS)
    done = models.BooleanField(_("done"), null=True, blank=True)
    points = models.BooleanField(
        _("value is points"), default=False, help_text=_("Set for published appraisal results: the value is the final points.")
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    published = models.BooleanField(_("published"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(verbose_name=_("historical score"))
    objects = ScoreQuerySet.as_manager()

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["framework", "criterion", "subject", "year", "kind"], name="score_unique"),
        ]
        indexes = [models.Index(fields=["framework", "year", "kind"])]

    def __str__(self) -> str:
        return f"{self.subject} {self.year} {self.criterion.code}"

    def as_input(self):
        """The value as the scoring engine takes it."""
        if self.numerator is not None or self.denominator is not None:
            return (self.numerator, self.denominator)
        if self.done is not None:
            return self.done
        return self.value if self.value is None else Decimal(self.value)
