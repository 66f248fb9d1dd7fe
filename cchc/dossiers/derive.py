"""The derived values of one dossier: receipt day, due time, end, pause, outcome.

Pure Python (no Django models): it takes plain values, a :class:`cchc.workdays.Calendar` and the
procedure's time limit, so the importer, the benchmark and the tests share the one definition.

The rules follow the shared file contract (``docs/dossier-format.md``), which writes down the
portal's computation of indicator 2.1 as SERVICE-INDEX.md §1.2 G2 ("On-time rule used by the
portal for 2.1" [S]) and §2.3 ("Deadline computation") describe it. Where those sections mark a
rule [U] (unconfirmed), this module makes a choice and says so in the docstring.

Times
-----
Every datetime here is a *naive local time* (Asia/Ho_Chi_Minh, UTC+7 with no DST), as the portal
writes them. :func:`local` turns an aware datetime into one.
"""

from __future__ import annotations

import calendar as _pycal
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from cchc.workdays import CUTOFF_SAME_DAY, VN_TZ, Calendar

__all__ = [
    "CHUNG_THUC",
    "DUE_TIME",
    "EARLY",
    "LATE",
    "NOT_RECEIVED_STATUSES",
    "ON_TIME",
    "OPEN_PAST_DUE",
    "OPEN_WITHIN",
    "Derived",
    "Limit",
    "compute_due",
    "derive",
    "end_time",
    "finished_outcome",
    "late_without_apology",
    "local",
    "open_state",
    "supplements",
]

# Outcome codes (stored as small integers in Dossier.outcome).
EARLY, ON_TIME, LATE = 1, 2, 3
# State of a dossier still open at the end of a period.
OPEN_WITHIN, OPEN_PAST_DUE = "within", "past_due"

NOT_RECEIVED_STATUSES = frozenset({1, 3})
"""1 Mới đăng ký (submitted, not yet accepted) and 3 Không được tiếp nhận (refused at intake):
these dossiers were never received (SERVICE-INDEX.md §2.2), so they count as submitted or refused
only and get no receipt day, due or outcome."""

CHUNG_THUC = "chung_thuc"
"""Procedure kind of same-day procedures (chứng thực bản sao...): received after 15:00 → the next
working day (SERVICE-INDEX.md §2.3, cut-off hour [S])."""

DUE_TIME = time(17, 0)
"""Time of day of a due that is only a day (a computed due, or a date-only NgayHenTra): the end of
the office day (``cchc.workdays.DEFAULT_OFFICE_HOURS``). [U]: the portal's own choice is not known."""

WORKING_DAYS, DAYS, HOURS, MONTHS = "ngay_lam_viec", "ngay", "gio", "thang"


@dataclass(frozen=True, slots=True)
class Limit:
    """A procedure's statutory time limit: ``amount`` (may be fractional, e.g. 0.5) in ``unit``
    (``ngay_lam_viec`` | ``ngay`` | ``gio`` | ``thang``) and the procedure ``kind`` ("" or
    ``chung_thuc``)."""

    amount: Decimal
    unit: str = WORKING_DAYS
    kind: str = ""


@dataclass(slots=True)
class Derived:
    """What the importer stores next to the file's values."""

    received: bool
    receipt_day: date | None
    due_at: datetime | None
    due_computed: bool
    end_at: datetime | None
    effective_end_at: datetime | None
    pause_seconds: int
    supplement_count: int
    supplement_pending: bool
    outcome: int | None
    late_working_days: int | None


def local(value: datetime | None) -> datetime | None:
    """A naive local time: aware datetimes are converted to Vietnam time, naive ones kept."""
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(VN_TZ).replace(tzinfo=None)


def _add_months(d: date, months: int) -> date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, _pycal.monthrange(year, month)[1]))


def compute_due(cal: Calendar, received_at: datetime, limit: Limit) -> datetime:
    """The due time of a dossier without NgayHenTra (SERVICE-INDEX.md §2.3 "Deadline computation").

    * ``ngay_lam_viec`` (working days, the default [U]): ``Calendar.due_date`` with the portal's
      convention (day 1 is the first working day after the receipt day). A dossier received on a
      day off counts from the next working day. No time cut-off applies to ordinary procedures:
      the general "after office hours → next day" rule of Decree 45/2020 is [U] in §2.3, so it is
      not applied.
    * ``chung_thuc`` procedures (same-day, §2.3 cut-off hour [S]): received after 15:00, or on a
      day off, → the next working day; that receipt day is day 1 (a limit of 1 day or less is due
      the same day).
    * ``ngay`` (calendar days) and ``thang`` (months): added to the date received; a due that
      falls on a day off moves to the next working day (Civil Code 2015 art. 148(5), [U] here).
    * ``gio`` (hours): clock hours added to the time received [U: office hours may be meant].

    Fractional limits round up to whole days (0.5 working day → 1) [U]. Due days get the time
    :data:`DUE_TIME` (17:00).
    """
    amount = limit.amount
    unit = limit.unit
    if unit == HOURS:
        return received_at + timedelta(hours=float(amount))
    n = max(math.ceil(amount), 0)
    if unit == DAYS:
        day = cal.adjust(received_at.date() + timedelta(days=n), "next")
    elif unit == MONTHS:
        whole = int(amount)
        day = _add_months(received_at.date(), whole)
        extra = math.ceil((amount - whole) * 30)  # a fraction of a month as days [U]
        day = cal.adjust(day + timedelta(days=extra), "next")
    elif limit.kind == CHUNG_THUC:
        day = cal.add_working_days(cal.receipt_day(received_at, CUTOFF_SAME_DAY), n, count_from="same")
    else:
        day = cal.add_working_days(cal.receipt_day(received_at.date()), n, count_from="next")
    return datetime.combine(day, DUE_TIME)


def supplements(
    requests: Sequence[datetime], completions: Sequence[datetime]
) -> tuple[int, datetime | None]:
    """``(pause seconds, pending request)`` of the supplement requests (SERVICE-INDEX.md §1.2 G2:
    "Supplement time is deducted", "Dossier still waiting for the applicant").

    The i-th completion answers the i-th request. The pause is the sum over the completed pairs of
    (completion − request). One fewer completion than requests means the last request is still
    pending: it is returned (the caller ends the dossier there).
    """
    pause = 0
    for req, done in zip(requests, completions, strict=False):
        pause += int((done - req).total_seconds())
    pending = requests[-1] if len(completions) < len(requests) else None
    return pause, pending


def end_time(
    finished_at: datetime | None,
    returned_at: datetime | None,
    refused_at: datetime | None,
    withdrawn_at: datetime | None,
) -> datetime | None:
    """The first present of NgayKetThucXuLy, NgayTra, NgayTuChoi, NgayRut, in that priority order
    (SERVICE-INDEX.md §1.2 G2: "Đã xử lý xong" (9), then "Đã trả kết quả" (10), then stop or
    refusal; withdrawal ends a received dossier)."""
    if finished_at is not None:
        return finished_at
    if returned_at is not None:
        return returned_at
    if refused_at is not None:
        return refused_at
    return withdrawn_at


def finished_outcome(
    cal: Calendar, effective_end: datetime, due: datetime, supplement_count: int
) -> tuple[int, int]:
    """``(outcome, working days late)`` of a dossier that has an end.

    Late if more than one supplement was requested (§1.2 G2 and §2.3 [S]); otherwise early if the
    effective end is before the due *day*, on time if it is at or before the due time, late
    otherwise ("On time: end time ≤ NgayHenTra", §1.2 G2). Working days late =
    ``Calendar.working_days_between(due day, effective end day)``, 0 unless late (and never
    negative: a dossier late only because of repeated requests may end before its due day).
    """
    if supplement_count > 1:
        outcome = LATE
    elif effective_end.date() < due.date():
        return EARLY, 0
    elif effective_end <= due:
        return ON_TIME, 0
    else:
        outcome = LATE
    return outcome, max(cal.working_days_between(due.date(), effective_end.date()), 0)


def derive(
    cal: Calendar,
    limit: Limit | None,
    *,
    status: int,
    received_at: datetime | None,
    due_at: datetime | None = None,
    finished_at: datetime | None = None,
    returned_at: datetime | None = None,
    refused_at: datetime | None = None,
    withdrawn_at: datetime | None = None,
    requests: Sequence[datetime] = (),
    completions: Sequence[datetime] = (),
) -> Derived:
    """All derived values of one dossier (the "Derived per dossier" rules of the contract).

    * Received = status not 1 or 3 and NgayTiepNhan present; ``receipt_day`` is the local date of
      NgayTiepNhan, which assigns the dossier to a period (§1.2 G1 1.4 and §3: "NgayTiepNhan
      governs period assignment"). Never-received dossiers get no receipt day, end or outcome.
    * Due: NgayHenTra when present, else :func:`compute_due` (``due_computed=True``).
    * End: a pending supplement request ends the dossier at that request; otherwise
      :func:`end_time`. Effective end = end − pause (:func:`supplements`).
    * Outcome (:func:`finished_outcome`) for dossiers with an end; ``None`` while open.
      A dossier waiting for a supplement has an end (the request), hence an outcome;
      ``supplement_pending`` tells it apart.
    """
    received_at, due_at = local(received_at), local(due_at)
    requests = [local(r) for r in requests]
    completions = [local(c) for c in completions]
    count = len(requests)
    pause, pending = supplements(requests, completions) if count else (0, None)
    received = status not in NOT_RECEIVED_STATUSES and received_at is not None
    due_computed = False
    if due_at is None and received and limit is not None:
        due_at = compute_due(cal, received_at, limit)
        due_computed = True
    if not received:
        return Derived(False, None, due_at, due_computed, None, None, pause, count, pending is not None, None, None)
    end = pending if pending is not None else end_time(
        local(finished_at), local(returned_at), local(refused_at), local(withdrawn_at)
    )
    outcome = late_days = effective = None
    if end is not None:
        effective = end - timedelta(seconds=pause) if pause else end
        if due_at is not None:
            outcome, late_days = finished_outcome(cal, effective, due_at, count)
    return Derived(
        True, received_at.date(), due_at, due_computed, end, effective, pause, count,
        pending is not None, outcome, late_days,
    )


def open_state(due_at: datetime | None, at: datetime) -> str | None:
    """A dossier still open at ``at`` (the end of the period asked): "within" if due ≥ ``at``,
    else "past due" (§1.2 G2: "Still open: end = last day of the period"). ``None`` without due."""
    if due_at is None:
        return None
    return OPEN_WITHIN if local(due_at) >= local(at) else OPEN_PAST_DUE


def late_without_apology(
    outcome: int | None, due_at: datetime | None, apology_at: datetime | None, at: datetime | None = None
) -> bool:
    """Late (finished late, or open past due at ``at``) and no apology letter (NgayXinLoi blank).
    The portal does not excuse apologised dossiers (§2.3 "Apology letter" [S]); this is the
    province's own follow-up list."""
    if apology_at is not None:
        return False
    if outcome is not None:
        return outcome == LATE
    return at is not None and open_state(due_at, at) == OPEN_PAST_DUE
