"""Administrative procedures (the catalogue), the working-day calendar's yearly adjustments,
dossiers as the one-stop systems export them, and their imports.

A dossier keeps the values of the file (codes resolved to foreign keys, times as datetimes) and
the values derived from them at import (``cchc.dossiers.derive``): the receipt day, the due time,
the end, the supplement pause and the outcome. See ``docs/dossier-format.md``.
"""

from __future__ import annotations

import threading
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

# ------------------------------------------------------------------------------- procedures


class Level(models.TextChoices):
    PROVINCE = "tinh", _("province")
    COMMUNE = "xa", _("commune")


class TimeUnit(models.TextChoices):
    WORKING_DAYS = "ngay_lam_viec", _("working days")
    DAYS = "ngay", _("days")
    HOURS = "gio", _("hours")
    MONTHS = "thang", _("months")


class OnlineLevel(models.TextChoices):
    NONE = "khong", _("not online")
    PARTIAL = "mot_phan", _("partly online")
    FULL = "toan_trinh", _("fully online")


class ProcedureKind(models.TextChoices):
    ORDINARY = "", _("ordinary")
    CERTIFICATION = "chung_thuc", _("same-day (certification, 15:00 cut-off)")


class Procedure(models.Model):
    """An administrative procedure (thủ tục hành chính) of the national catalogue."""

    code = models.CharField(_("code"), max_length=40, unique=True, help_text=_("National code, e.g. 2.000815."))
    name = models.CharField(_("name"), max_length=1000)
    field = models.CharField(_("field"), max_length=255, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default=Level.PROVINCE)
    time_limit = models.DecimalField(_("time limit"), max_digits=8, decimal_places=2, default=0)
    time_unit = models.CharField(_("unit of the time limit"), max_length=20, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAYS)
    online_level = models.CharField(_("online service"), max_length=20, choices=OnlineLevel.choices, default=OnlineLevel.NONE)
    full_eligible = models.BooleanField(_("eligible for full online service"), default=False)
    fee = models.DecimalField(_("fee (VND)"), max_digits=16, decimal_places=2, default=0)
    postal = models.BooleanField(_("postal service"), default=False)
    paper_result = models.BooleanField(_("paper result"), default=False, help_text=_("The result is a paper document or certificate."))
    citizen_subject = models.BooleanField(_("for citizens"), default=False)
    kind = models.CharField(_("kind"), max_length=20, choices=ProcedureKind.choices, default=ProcedureKind.ORDINARY, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(verbose_name=_("historical procedure"))

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def limit(self):
        from .derive import Limit

        return Limit(self.time_limit, self.time_unit, self.kind)


# ------------------------------------------------------------------------------- calendar


class AdjustmentKind(models.TextChoices):
    OFF = "off", _("day off")
    MAKE_UP = "make_up", _("make-up working day")


class CalendarAdjustment(models.Model):
    """A day off or a make-up working day of the Government's yearly notice, entered by the
    reform office on top of the public holidays the ``holidays`` package knows."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=AdjustmentKind.choices)
    name = models.CharField(_("name"), max_length=255, blank=True)
    source = models.CharField(_("source"), max_length=500, blank=True, help_text=_("The notice, e.g. VPCP 12729/VPCP-KGVX."))
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(verbose_name=_("historical calendar adjustment"))

    class Meta:
        verbose_name = _("calendar adjustment")
        verbose_name_plural = _("calendar adjustments")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.get_kind_display()} {self.name}".strip()


_calendar_lock = threading.Lock()
_calendar_cache: dict[str, object] = {}


def _calendar_stamp():
    agg = CalendarAdjustment.objects.aggregate(n=models.Count("pk"), last=models.Max("updated_at"))
    return agg["n"], agg["last"]


def calendar():
    """The working-day calendar of this installation (a ``cchc.workdays.Calendar``).

    The ``holidays`` package's public holidays, plus the :class:`CalendarAdjustment` rows. A year
    with no row at all takes ``cchc.workdays.DEFAULT_ADJUSTMENTS`` for that year (the built-in
    2024-2026 schedules). Cached; the cache is dropped when a row is saved or deleted (in this
    process, through signals) and whenever the table's count or last change differs (other
    processes).
    """
    from cchc.workdays import DEFAULT_ADJUSTMENTS, Calendar

    stamp = _calendar_stamp()
    cached = _calendar_cache.get("calendar")
    if cached is not None and _calendar_cache.get("stamp") == stamp:
        return cached
    with _calendar_lock:
        rows = list(CalendarAdjustment.objects.values_list("date", "kind", "name"))
        years = {d.year for d, _kind, _name in rows}
        off: dict[date, str] = {}
        work: list[date] = []
        for year, items in DEFAULT_ADJUSTMENTS.items():
            if year in years:
                continue
            for adj in items:
                for d in adj.days():
                    if adj.kind == "off":
                        off.setdefault(d, adj.what)
                    else:
                        work.append(d)
        for d, kind, name in rows:
            if kind == AdjustmentKind.OFF:
                off[d] = name
            else:
                work.append(d)
        cal = Calendar(off, work)
        _calendar_cache.update(calendar=cal, stamp=stamp)
        return cal


def invalidate_calendar() -> None:
    """Drop the cached calendar (done on save and delete; call it after bulk changes)."""
    _calendar_cache.clear()


@receiver(post_save, sender=CalendarAdjustment)
@receiver(post_delete, sender=CalendarAdjustment)
def _adjustment_changed(**kwargs):
    invalidate_calendar()


# ------------------------------------------------------------------------------- dossiers


class Channel(models.IntegerChoices):
    DIRECT = 1, _("direct")
    ONLINE = 2, _("online")
    POSTAL = 3, _("public postal service")


class Status(models.IntegerChoices):
    """National portal codes (TrangThaiHoSo), SERVICE-INDEX.md §2.2."""

    SUBMITTED = 1, _("submitted, not yet received")
    RECEIVED = 2, _("received")
    REFUSED_AT_INTAKE = 3, _("not received")
    IN_PROCESS = 4, _("in process")
    SUPPLEMENT = 5, _("supplement requested")
    PAYMENT = 6, _("payment requested")
    WITHDRAWN = 7, _("withdrawn by the applicant")
    STOPPED = 8, _("processing stopped")
    FINISHED = 9, _("finished")
    RETURNED = 10, _("result returned")


class Payment(models.IntegerChoices):
    """DuocThanhToanTrucTuyen: 1 and 2 count as paid online (SERVICE-INDEX.md §3)."""

    NONE = 0, _("not paid online")
    NATIONAL_PORTAL = 1, _("paid on the national portal")
    LOCAL_GATEWAY = 2, _("paid through the provincial gateway")
    OTHER = 3, _("not paid online (other)")


class Outcome(models.IntegerChoices):
    EARLY = 1, _("early")
    ON_TIME = 2, _("on time")
    LATE = 3, pgettext_lazy("dossier outcome", "late")


class BatchState(models.TextChoices):
    RUNNING = "running", _("running")
    DONE = "done", _("imported")
    REFUSED = "refused", _("refused")
    DRY_RUN = "dry_run", _("checked (dry run)")
    FAILED = "failed", _("failed")


class DossierBatch(models.Model):
    """One import of a dossier file: all its rows or none."""

    file_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(_("format"), max_length=10, blank=True)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    refused = models.PositiveIntegerField(_("refused rows"), default=0)
    state = models.CharField(_("state"), max_length=10, choices=BatchState.choices, default=BatchState.RUNNING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("imported by")
    )
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    report = models.JSONField(
        _("report"), default=dict, blank=True,
        help_text=_("Refused rows ({line, column, message}, at most 1,000) and their count."),
    )

    class Meta:
        verbose_name = _("dossier import")
        verbose_name_plural = _("dossier imports")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_state_display()})"


class Dossier(models.Model):
    """A dossier (hồ sơ) of a procedure received by a unit: the file's values plus the derived
    columns (computed at import by ``cchc.dossiers.derive``)."""

    id = models.BigAutoField(primary_key=True)
    code = models.CharField(_("dossier code"), max_length=80)  # unique: Meta.constraints
    # No database-level foreign keys on the three relations (db_constraint=False): PostgreSQL checks
    # them row by row at commit, which costs more than the whole import of a large file (measured in
    # docs/performance.md). The importer resolves every code against the tables inside its
    # transaction, and on_delete=PROTECT still guards deletions made through Django.
    procedure = models.ForeignKey(
        Procedure, on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("procedure"),
        db_index=False, db_constraint=False,
    )
    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("receiving unit"),
        db_index=False, db_constraint=False,
    )
    channel = models.PositiveSmallIntegerField(_("channel"), choices=Channel.choices, default=Channel.DIRECT)
    status = models.PositiveSmallIntegerField(_("status"), choices=Status.choices)
    # Times of the file (local time of Viet Nam on input).
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True, help_text=_("NgayHenTra, or computed when the file has none."))
    due_computed = models.BooleanField(_("due computed"), default=False)
    finished_at = models.DateTimeField(_("processing finished"), null=True, blank=True)
    returned_at = models.DateTimeField(_("result returned"), null=True, blank=True)
    refused_at = models.DateTimeField(_("refused"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    apology_at = models.DateTimeField(_("apology letter"), null=True, blank=True)
    new_due_at = models.DateTimeField(_("new due (apology)"), null=True, blank=True)
    # Supplement requests and their completions: lists of ISO local times, the i-th completion
    # answers the i-th request.
    supplement_requests = models.JSONField(_("supplement requests"), default=list, blank=True)
    supplement_completions = models.JSONField(_("supplements completed"), default=list, blank=True)
    supplement_count = models.PositiveSmallIntegerField(_("supplement requests (count)"), default=0)
    supplement_pending = models.BooleanField(_("supplement pending"), default=False)
    pause_seconds = models.BigIntegerField(_("supplement pause (seconds)"), default=0)
    # Flags.
    digitised = models.BooleanField(_("digitised components"), default=False)
    e_result = models.BooleanField(_("electronic result"), default=False)
    reused = models.BooleanField(_("reused digitised data"), default=False)
    from_store = models.BooleanField(_("from the citizen's data store"), default=False)
    vneid = models.BooleanField(_("VNeID login"), default=False)
    payment = models.PositiveSmallIntegerField(_("online payment"), choices=Payment.choices, default=Payment.NONE)
    fee = models.DecimalField(_("fees (VND)"), max_digits=16, decimal_places=2, default=0)
    satisfied = models.BooleanField(_("satisfied"), null=True, blank=True)
    # Derived at import.
    receipt_day = models.DateField(_("receipt day"), null=True, blank=True, help_text=_("Local date of NgayTiepNhan; empty if never received."))
    period_month = models.DateField(
        _("period month"), null=True, blank=True,
        help_text=_("First day of the month of the receipt day (of the submission for dossiers never received)."),
    )
    end_at = models.DateTimeField(_("end"), null=True, blank=True)
    effective_end_at = models.DateTimeField(_("end less the supplement pause"), null=True, blank=True)
    outcome = models.PositiveSmallIntegerField(_("outcome"), choices=Outcome.choices, null=True, blank=True)
    late_working_days = models.IntegerField(_("working days late"), null=True, blank=True)
    row_hash = models.BigIntegerField(editable=False, default=0)
    batch = models.ForeignKey(
        DossierBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("last import"), db_index=False, db_constraint=False,
    )
    updated_at = models.DateTimeField(_("updated"), null=True, blank=True)

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        # A UniqueConstraint rather than unique=True: on PostgreSQL, unique=True adds a second
        # index (varchar_pattern_ops, for LIKE) that every import would maintain for nothing.
        constraints = [models.UniqueConstraint(fields=["code"], name="dossier_code_unique")]
        # Every index costs each import (about 3 s per million rows on the benchmark machine):
        # only the unit's one is kept; a procedure's dossiers are found by a scan of the period.
        indexes = [
            models.Index(fields=["unit", "receipt_day"], name="dossier_unit_receipt"),
        ]

    def __str__(self) -> str:
        return self.code
