"""Service indicators from the dossiers: exact counts for any units, procedures, channel and period.

One set-based query per call (conditional aggregates, grouped by what is asked: unit, month,
procedure, channel), plus one pass over the dossiers still open, which are judged at the end of the
period (SERVICE-INDEX.md §1.2 G2: "if there is no final status, end = last day of the period").

    qs = scope(unit_ids=[...], procedure=None, field=None, channel=None)
    table = counts(qs, Period.parse("2025"), by=("unit", "month"))
    table[(unit_id, date(2025, 3, 1))].on_time_rate        # Decimal percent, 2 places, or None

What is counted (the one definition, also in docs/dossier-format.md):

* received: dossiers whose receipt day is in the period, except those never received (status 1 or 3);
  every other count is among them;
* finished: with an end (finished, returned, refused after intake, withdrawn, or waiting on a
  pending supplement request: the portal's rule); early / on time / late: their outcome at import;
* open within / past due: no end; within if the due time is at or after the period's end (or now);
* late without apology: late, or open past due, with no apology letter;
* channels (direct, online, postal), full-process online (online, of a procedure offered fully
  online), digitised components, electronic results (of procedures with a paper result), online
  payments (of dossiers with a fee: the procedure's or the dossier's), VNeID, reused data, data from
  the citizen's store, ratings;
* processing time: from receipt to the end, less the supplement pause, over the finished ones.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .derive import NOT_RECEIVED_STATUSES
from .models import Channel, Dossier, OnlineLevel, Outcome, Payment, Procedure
from .periods import Period

NOT_RECEIVED = tuple(sorted(NOT_RECEIVED_STATUSES))  # the one definition of "received" (derive.py)
PAID_ONLINE = (Payment.NATIONAL_PORTAL, Payment.LOCAL_GATEWAY)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")

# What ``by`` may hold, and the dossier column behind it.
GROUPS = {"unit": "unit_id", "month": "period_month", "procedure": "procedure_id", "channel": "channel"}


def rate(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator in percent, two places (half up); None when nothing to divide."""
    if not denominator:
        return None
    return (Decimal(numerator) * HUNDRED / Decimal(denominator)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Counts:
    received: int = 0
    finished: int = 0
    early: int = 0
    on_time: int = 0
    late: int = 0
    late_finished_no_apology: int = 0
    open_within: int = 0
    open_past: int = 0
    open_past_no_apology: int = 0
    open_past_unsatisfied: int = 0  # open past due and rated unsatisfied (counted once below)
    direct: int = 0
    online: int = 0
    postal: int = 0
    full_eligible: int = 0
    full_online: int = 0
    paper_result: int = 0
    e_result: int = 0
    e_result_paper: int = 0
    digitised: int = 0
    fee_bearing: int = 0
    paid_online: int = 0
    vneid: int = 0
    reused: int = 0
    from_store: int = 0
    rated: int = 0
    satisfied: int = 0
    supplements: int = 0
    unsatisfied_or_late: int = 0  # finished late, or rated unsatisfied
    processing_seconds: int = 0

    def add(self, other: Counts) -> Counts:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        return self

    # --- derived counts -----------------------------------------------------------------
    @property
    def open(self) -> int:
        return self.open_within + self.open_past

    @property
    def in_time(self) -> int:
        """Early, on time, or still open within the due date: the 766 numerator (2.1)."""
        return self.early + self.on_time + self.open_within

    @property
    def late_all(self) -> int:
        """Finished late, or open past the due date."""
        return self.late + self.open_past

    @property
    def late_no_apology(self) -> int:
        return self.late_finished_no_apology + self.open_past_no_apology

    @property
    def late_with_apology(self) -> int:
        return self.late_all - self.late_no_apology

    @property
    def unsatisfied(self) -> int:
        return self.rated - self.satisfied

    @property
    def satisfied_not_late(self) -> int:
        """Received, less those rated unsatisfied or late (766, 5.4 as read here)."""
        return self.received - self.unsatisfied_or_late - self.open_past + self.open_past_unsatisfied

    # --- rates (percent) ------------------------------------------------------------------
    @property
    def on_time_rate(self) -> Decimal | None:
        """PAR INDEX reading: finished early or on time ÷ finished [U] (SERVICE-INDEX.md §4)."""
        return rate(self.early + self.on_time, self.finished)

    @property
    def on_time_rate_766(self) -> Decimal | None:
        """Portal reading (766, 2.1): early, on time or open within the deadline ÷ received."""
        return rate(self.in_time, self.received)

    @property
    def late_apology_rate(self) -> Decimal | None:
        return rate(self.late_with_apology, self.late_all)

    @property
    def online_rate(self) -> Decimal | None:
        return rate(self.online, self.received)

    @property
    def postal_rate(self) -> Decimal | None:
        return rate(self.postal, self.received)

    @property
    def full_online_rate(self) -> Decimal | None:
        return rate(self.full_online, self.full_eligible)

    @property
    def paid_online_rate(self) -> Decimal | None:
        return rate(self.paid_online, self.fee_bearing)

    @property
    def digitised_rate(self) -> Decimal | None:
        return rate(self.digitised, self.received)

    @property
    def e_result_rate(self) -> Decimal | None:
        return rate(self.e_result_paper, self.paper_result)

    @property
    def vneid_rate(self) -> Decimal | None:
        return rate(self.vneid, self.received)

    @property
    def reused_rate(self) -> Decimal | None:
        return rate(self.reused, self.received)

    @property
    def from_store_rate(self) -> Decimal | None:
        return rate(self.from_store, self.received)

    @property
    def satisfaction_rate(self) -> Decimal | None:
        return rate(self.satisfied, self.rated)

    @property
    def average_hours(self) -> Decimal | None:
        if not self.finished:
            return None
        return (Decimal(self.processing_seconds) / Decimal(self.finished) / Decimal(3600)).quantize(CENT, rounding=ROUND_HALF_UP)


# The measures as the pages list them: (name, label, what it counts).
MEASURES = (
    ("received", _("received"), _("Dossiers received in the period (receipt day), never-received ones left out.")),
    ("finished", _("finished"), _("With an end: finished, returned, refused, withdrawn, or waiting for a supplement.")),
    ("early", _("early"), _("Finished before the due day.")),
    ("on_time", _("on time"), _("Finished on the due day, not after the due time.")),
    ("late", pgettext_lazy("dossier outcome", "late"), _("Finished after the due time (supplement time deducted), or asked for a supplement more than once.")),
    ("open_within", _("open, within time"), _("Not finished; the due time is not passed at the end of the period.")),
    ("open_past", _("open, past due"), _("Not finished; the due time passed before the end of the period.")),
    ("late_no_apology", _("late without apology"), _("Late or open past due, with no apology letter.")),
    ("online", _("online"), _("Submitted online (KenhThucHien = 2).")),
    ("postal", _("postal"), _("Through the public postal service (KenhThucHien = 3).")),
    ("full_online", _("full-process online"), _("Online dossiers of procedures offered fully online.")),
    ("digitised", _("digitised"), _("With digitised components.")),
    ("e_result_paper", _("electronic result"), _("With an electronic result, among procedures whose result is a paper document.")),
    ("paid_online", _("paid online"), _("Paid on the national portal or the provincial gateway, among dossiers with a fee.")),
)

RATES = (
    ("on_time_rate", _("on-time rate (PAR INDEX)"), _("(early + on time) ÷ finished")),
    ("on_time_rate_766", _("on-time rate (766 portal)"), _("(early + on time + open within time) ÷ received")),
    ("late_apology_rate", _("late dossiers with an apology"), _("late with an apology letter ÷ late (finished or open)")),
    ("online_rate", _("online rate"), _("online ÷ received")),
    ("full_online_rate", _("full-process online rate"), _("full-process online ÷ received for procedures eligible for it")),
    ("paid_online_rate", _("online payment rate"), _("paid online ÷ dossiers with a fee")),
    ("digitised_rate", _("digitisation rate"), _("digitised ÷ received")),
    ("e_result_rate", _("electronic result rate"), _("electronic results ÷ dossiers of procedures with a paper result")),
)


def scope(unit_ids=None, *, procedure: Procedure | int | None = None, field_name: str | None = None, channel: int | None = None):
    """The dossiers of these units (None: all), of a procedure or a field, through a channel."""
    qs = Dossier.objects.all()
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=list(unit_ids))
    if procedure is not None:
        qs = qs.filter(procedure=procedure)
    if field_name:
        qs = qs.filter(procedure__field=field_name)
    if channel:
        qs = qs.filter(channel=channel)
    return qs


def received_in(qs, period: Period):
    return qs.filter(receipt_day__gte=period.start, receipt_day__lte=period.end).exclude(status__in=NOT_RECEIVED)


def _conditions() -> dict[str, Q]:
    """What each counted measure selects among the received dossiers: the one table behind the
    counts (conditional aggregates) and the drill-down lists (:func:`measure_condition`). The
    open dossiers are judged apart, at a moment (:func:`_judge`)."""
    online = Q(channel=Channel.ONLINE)
    paper = Q(procedure__paper_result=True)
    fee = Q(procedure__fee__gt=0) | Q(fee__gt=0)
    full = Q(procedure__online_level=OnlineLevel.FULL)
    late = Q(outcome=Outcome.LATE)
    return {
        "finished": Q(end_at__isnull=False),
        "early": Q(outcome=Outcome.EARLY),
        "on_time": Q(outcome=Outcome.ON_TIME),
        "late": late,
        "late_finished_no_apology": late & Q(apology_at__isnull=True),
        "direct": Q(channel=Channel.DIRECT),
        "online": online,
        "postal": Q(channel=Channel.POSTAL),
        "full_eligible": Q(procedure__full_eligible=True) | full,
        "full_online": online & full,
        "paper_result": paper,
        "e_result": Q(e_result=True),
        "e_result_paper": paper & Q(e_result=True),
        "digitised": Q(digitised=True),
        "fee_bearing": fee,
        "paid_online": fee & Q(payment__in=PAID_ONLINE),
        "vneid": Q(vneid=True),
        "reused": Q(reused=True),
        "from_store": Q(from_store=True),
        "rated": Q(satisfied__isnull=False),
        "satisfied": Q(satisfied=True),
        "supplements": Q(supplement_count__gt=0),
        "unsatisfied_or_late": Q(satisfied=False) | late,
    }


def measure_condition(name: str, moment: dt.datetime) -> Q | None:
    """The filter of a measure (a count of :class:`Counts`, stored or derived) among the dossiers
    received in a period, exactly as :func:`counts` counts it; open dossiers are judged at
    ``moment`` (``period.moment()``). None: no such measure."""
    table = _conditions()
    open_ = Q(end_at__isnull=True)
    open_within = open_ & (Q(due_at__isnull=True) | Q(due_at__gte=moment))
    open_past = open_ & Q(due_at__lt=moment)
    early_on_time = table["early"] | table["on_time"]
    late_all = table["late"] | open_past
    table.update({
        "received": Q(),
        "early_on_time": early_on_time,
        "open": open_,
        "open_within": open_within,
        "open_past": open_past,
        "open_past_no_apology": open_past & Q(apology_at__isnull=True),
        "open_past_unsatisfied": open_past & Q(satisfied=False),
        "in_time": early_on_time | open_within,
        "late_all": late_all,
        "late_no_apology": late_all & Q(apology_at__isnull=True),
        "late_with_apology": late_all & Q(apology_at__isnull=False),
        "unsatisfied": Q(satisfied=False),
        "satisfied_not_late": ~table["unsatisfied_or_late"] & ~open_past,
    })
    return table.get(name)


def _aggregates() -> dict:
    finished = Q(end_at__isnull=False)
    duration = ExpressionWrapper(F("effective_end_at") - F("received_at"), output_field=DurationField())
    return {
        "received": Count("pk"),
        **{name: Count("pk", filter=condition) for name, condition in _conditions().items()},
        "processing": Sum(duration, filter=finished & Q(received_at__isnull=False)),
    }


def _moments(period: Period, by: tuple[str, ...], now: dt.datetime | None) -> callable:
    """When the open dossiers of a row are judged: the end of its month when grouped by month."""
    if "month" not in by:
        moment = period.moment(now)
        return lambda month: moment
    cache: dict = {}

    def of(month: dt.date):
        if month not in cache:
            cache[month] = Period(max(month, period.start), min(Period.month(month.year, month.month).end, period.end)).moment(now)
        return cache[month]

    return of


def counts(qs, period: Period, by: tuple[str, ...] = (), *, now: dt.datetime | None = None) -> dict[tuple, Counts]:
    """The counts of ``qs`` received in ``period``, grouped by ``by`` (keys are tuples, () for none)."""
    unknown = set(by) - set(GROUPS)
    if unknown:
        raise ValueError(f"cannot group by {sorted(unknown)}")
    columns = [GROUPS[name] for name in by]
    base = received_in(qs, period)
    result = _aggregate(base, columns)
    # The dossiers still open, judged at the end of the period (or of their month).
    moment_of = _moments(period, by, now)
    month_index = columns.index("period_month") if "period_month" in columns else None
    for key, due, apology, satisfied in _open_rows(base, columns):
        _judge(result[key], due, apology, satisfied, moment_of(key[month_index] if month_index is not None else None))
    return dict(result)


def _aggregate(base, columns: list[str]) -> defaultdict:
    """The conditional aggregates of ``base`` grouped by ``columns``: one query."""
    result: defaultdict = defaultdict(Counts)
    # Aliased "n_…": an aggregate may not take the name of a field (e_result, digitised...).
    aggregates = {f"n_{name}": expression for name, expression in _aggregates().items()}
    rows = base.values(*columns).annotate(**aggregates).order_by() if columns else [base.aggregate(**aggregates)]
    for row in rows:
        if not row["n_received"]:
            continue
        key = tuple(row[c] for c in columns)
        processing = row["n_processing"]
        item = result[key]
        for name in _NAMES:
            setattr(item, name, row[f"n_{name}"])
        item.processing_seconds = int(processing.total_seconds()) if processing is not None else 0
    return result


def _open_rows(base, columns: list[str]):
    """``(key, due, apology, satisfied)`` of the dossiers of ``base`` that have no end."""
    width = len(columns)
    for values in base.filter(end_at__isnull=True).values_list(*columns, "due_at", "apology_at", "satisfied"):
        yield tuple(values[:width]), values[-3], values[-2], values[-1]


def _judge(item: Counts, due, apology, satisfied, moment) -> None:
    """Count an open dossier as within time or past due at ``moment``."""
    if due is not None and due < moment:
        item.open_past += 1
        if apology is None:
            item.open_past_no_apology += 1
        if satisfied is False:
            item.open_past_unsatisfied += 1
    else:
        item.open_within += 1


_NAMES = tuple(name for name in _aggregates() if name != "processing")
_OPEN = ("open_within", "open_past", "open_past_no_apology", "open_past_unsatisfied")


def counts_by_month(
    qs, period: Period, by: tuple[str, ...] = ("unit",), *, now: dt.datetime | None = None
) -> tuple[dict[tuple, Counts], dict[tuple, Counts]]:
    """``(months, totals)``: the counts grouped by ``(*by, "month")``, and by ``by`` over the whole
    period, from one aggregate query and one pass over the open dossiers (instead of two of each
    for two calls of :func:`counts`). The totals are the sums of the months, except the open
    dossiers, judged again at the end of the period rather than at the end of their month. The
    results equal ``counts(qs, period, (*by, "month"))`` and ``counts(qs, period, by)``."""
    if set(by) - set(GROUPS) or "month" in by:
        raise ValueError(f"cannot group by {sorted(by)} and month")
    columns = [GROUPS[name] for name in by]
    base = received_in(qs, period)
    months = _aggregate(base, [*columns, "period_month"])
    width = len(columns)
    totals: defaultdict = defaultdict(Counts)
    for key, item in months.items():
        total_ = totals[key[:width]]
        for f in fields(item):
            if f.name not in _OPEN:
                setattr(total_, f.name, getattr(total_, f.name) + getattr(item, f.name))
    moment_of = _moments(period, ("month",), now)
    moment = period.moment(now)
    for key, due, apology, satisfied in _open_rows(base, [*columns, "period_month"]):
        _judge(months[key], due, apology, satisfied, moment_of(key[-1]))
        _judge(totals[key[:width]], due, apology, satisfied, moment)
    return dict(months), dict(totals)


def total(qs, period: Period, *, now: dt.datetime | None = None) -> Counts:
    return counts(qs, period, now=now).get((), Counts())


# --- procedures (the 766 indicators counted per procedure) ---------------------------------


@dataclass
class ProcedureCounts:
    """Counts of procedures (not dossiers) for the 766 groups G3, G4 and G6."""

    in_scope: int = 0  # procedures of the units' level in the catalogue
    offered_online: int = 0  # with a partial or full online service
    full_eligible: int = 0
    online_offered_with_dossier: int = 0  # offered online and received at least one online dossier
    with_fee: int = 0
    with_fee_paid_online: int = 0
    with_fee_data: int = 0  # with a fee, and at least one dossier with a fee recorded
    for_citizens: int = 0
    for_citizens_with_vneid: int = 0
    extra: dict = field(default_factory=dict)


def procedure_counts(qs, period: Period, levels: tuple[str, ...]) -> ProcedureCounts:
    """Procedures of ``levels`` (province, commune) and what the dossiers of ``qs`` in ``period`` did with them."""
    catalogue = Procedure.objects.filter(level__in=levels)
    online_levels = (OnlineLevel.PARTIAL, OnlineLevel.FULL)
    received = received_in(qs, period)
    with_online = set(received.filter(channel=Channel.ONLINE).values_list("procedure_id", flat=True).distinct().order_by())
    paid = set(received.filter(payment__in=PAID_ONLINE).values_list("procedure_id", flat=True).distinct().order_by())
    fee_data = set(received.filter(fee__gt=0).values_list("procedure_id", flat=True).distinct().order_by())
    vneid = set(received.filter(vneid=True).values_list("procedure_id", flat=True).distinct().order_by())
    offered = set(catalogue.filter(online_level__in=online_levels).values_list("pk", flat=True))
    fee = set(catalogue.filter(fee__gt=0).values_list("pk", flat=True))
    citizens = set(catalogue.filter(citizen_subject=True).values_list("pk", flat=True))
    return ProcedureCounts(
        in_scope=catalogue.count(),
        offered_online=len(offered),
        full_eligible=catalogue.filter(Q(full_eligible=True) | Q(online_level=OnlineLevel.FULL)).count(),
        online_offered_with_dossier=len(offered & with_online),
        with_fee=len(fee),
        with_fee_paid_online=len(fee & paid),
        with_fee_data=len(fee & fee_data),
        for_citizens=len(citizens),
        for_citizens_with_vneid=len(citizens & vneid),
    )


# --- the measures framework leaves read (cchc.core.indicators) ------------------------------

# name: (numerator, denominator, the list behind the numerator, what is counted)
LEAF_MEASURES = {
    "dossiers.on_time_rate": ("early_on_time", "finished", "early_on_time", _("dossiers finished early or on time / finished")),
    "dossiers.on_time_rate_766": ("in_time", "received", "in_time", _("dossiers early, on time or open within time / received")),
    "dossiers.late_apology_rate": ("late_with_apology", "late_all", "late_all", _("late dossiers with an apology letter / late dossiers")),
    "dossiers.online_rate": ("online", "received", "online", _("dossiers received online / received")),
    "dossiers.postal_rate": ("postal", "received", "postal", _("dossiers received by post / received")),
    "dossiers.full_online_rate": ("full_online", "full_eligible", "full_online", _("full-process online dossiers / dossiers of procedures eligible for it")),
    "dossiers.paid_online_rate": ("paid_online", "fee_bearing", "paid_online", _("dossiers paid online / dossiers with a fee")),
    "dossiers.digitised_rate": ("digitised", "received", "digitised", _("digitised dossiers / received")),
    "dossiers.e_result_rate": ("e_result_paper", "paper_result", "e_result_paper", _("dossiers with an electronic result / dossiers of procedures with a paper result")),
}


def _leaf_value(counts: Counts, name: str) -> int:
    if name == "early_on_time":
        return counts.early + counts.on_time
    return int(getattr(counts, name))


def leaf_reading(name: str, unit, start: dt.date, end: dt.date, *, now: dt.datetime | None = None):
    """The reading of a measure for a subject unit (and the units under it) over ``start``..``end``;
    None when the unit received no dossier in the period (the leaf is then entered by hand)."""
    from django.urls import NoReverseMatch, reverse
    from django.utils.http import urlencode

    from cchc.core.indicators import Reading
    from cchc.orgs.tree import descendant_ids

    numerator, denominator, measure, words = LEAF_MEASURES[name]
    period = Period(start, end)
    counts_ = total(scope({unit.pk} | descendant_ids({unit.pk})), period, now=now)
    if not counts_.received:
        return None
    n, d = _leaf_value(counts_, numerator), _leaf_value(counts_, denominator)
    text = f"{n:,} / {d:,}".replace(",", ".") + f" {words} ({start:%d/%m/%Y}–{end:%d/%m/%Y})"
    try:
        url = reverse("dossiers:list") + "?" + urlencode({"unit": unit.code, "period": period.code, "measure": measure})
    except NoReverseMatch:  # the pages are not installed
        url = ""
    return Reading(Decimal(n), Decimal(d), text, url)


def register_leaf_measures() -> None:
    from functools import partial

    from cchc.core import indicators as registry

    for name in LEAF_MEASURES:
        registry.register(name, partial(leaf_reading, name))
