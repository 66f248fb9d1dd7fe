"""Recompute the calendar-dependent values of stored dossiers after the calendar changed.

The importer stores, next to the file's values, what it derived with the calendar of that day
(``derive.py``): the due time of a dossier whose file gave none (``due_computed``), its outcome and
its working days late. When the reform office adds or removes a day off or a make-up working day,
the dossiers whose life spans that day may change: those received on or before it and still open,
due on or after it, or ended on or after it. :func:`rederive` recomputes them with the calendar of
now, all or nothing, and writes only what changed (the file's values are never touched).

    cchc dossiers rederive --from 2026-04-30 --to 2026-05-01    # after a change of those days
    cchc dossiers rederive                                       # every dossier

From the web, a change on the calendar page starts :func:`cchc.dossiers.tasks.rederive_dossiers`
in the background and the page shows its progress.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Q

from .derive import Limit, derive
from .models import Dossier, calendar

CHUNK = 5_000
FIELDS = ("due_at", "outcome", "late_working_days")


@dataclass
class RederiveReport:
    checked: int = 0
    changed: int = 0
    keys: set = field(default_factory=set)  # (unit id, period month) of the changed dossiers


def affected(since: dt.date | None = None, until: dt.date | None = None):
    """The received dossiers whose derived values may depend on the days ``since``..``until``
    (None: unbounded): received on or before ``until``, and open, or due or ended on or after
    ``since`` (a day early, for the time zone)."""
    qs = Dossier.objects.filter(receipt_day__isnull=False)
    if until is not None:
        qs = qs.filter(receipt_day__lte=until)
    if since is not None:
        from cchc.workdays import VN_TZ

        start = dt.datetime.combine(since - dt.timedelta(days=1), dt.time(), tzinfo=VN_TZ)
        qs = qs.filter(Q(end_at__isnull=True) | Q(due_at__gte=start) | Q(effective_end_at__gte=start))
    return qs


def rederive(
    since: dt.date | None = None,
    until: dt.date | None = None,
    *,
    progress: Callable[[int], None] | None = None,
    total: Callable[[int], None] | None = None,
    dry_run: bool = False,
) -> RederiveReport:
    """Recompute the due (when computed), outcome and working days late of :func:`affected`
    dossiers with today's calendar; write those that differ. ``total(n)`` is called once with the
    number of dossiers to check, ``progress(n)`` after every chunk of ``n`` checked."""
    from .importer import IMPORT_LOCK

    report = RederiveReport()
    cal = calendar()
    limits: dict[int, Limit | None] = {}
    with transaction.atomic():
        if connection.vendor == "postgresql":  # not while an import writes
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])
        qs = affected(since, until)
        if total is not None:
            total(qs.count())
        last = 0
        while True:
            rows = list(
                qs.filter(pk__gt=last).order_by("pk").select_related("procedure").only(
                    "pk", "status", "unit_id", "period_month", "received_at", "due_at", "due_computed",
                    "finished_at", "returned_at", "refused_at", "withdrawn_at", "supplement_requests",
                    "supplement_completions", "outcome", "late_working_days",
                    "procedure__time_limit", "procedure__time_unit", "procedure__kind",
                )[:CHUNK]
            )
            if not rows:
                break
            last = rows[-1].pk
            changed = []
            for d in rows:
                pid = d.procedure_id
                if pid not in limits:
                    limits[pid] = d.procedure.limit
                new = derive(
                    cal, limits[pid], status=d.status, received_at=d.received_at,
                    due_at=None if d.due_computed else d.due_at,
                    finished_at=d.finished_at, returned_at=d.returned_at, refused_at=d.refused_at,
                    withdrawn_at=d.withdrawn_at,
                    requests=[_time(v) for v in d.supplement_requests or ()],
                    completions=[_time(v) for v in d.supplement_completions or ()],
                )
                due = _aware(new.due_at)
                if (due, new.outcome, new.late_working_days) != (d.due_at, d.outcome, d.late_working_days):
                    d.due_at, d.outcome, d.late_working_days = due, new.outcome, new.late_working_days
                    changed.append(d)
                    report.keys.add((d.unit_id, d.period_month))
            if changed and not dry_run:
                Dossier.objects.bulk_update(changed, FIELDS, batch_size=1000)
            report.checked += len(rows)
            report.changed += len(changed)
            if progress is not None:
                progress(len(rows))
    return report


def _time(value) -> dt.datetime:
    """A stored supplement time (ISO text with its offset) as an aware datetime."""
    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(value)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """A naive local time of ``derive`` as the aware time the model stores."""
    from cchc.workdays import VN_TZ

    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=VN_TZ)
