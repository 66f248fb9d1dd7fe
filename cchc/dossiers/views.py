"""The service pages: the dashboard, the list behind every number, the monthly late-dossier report.

Thin: the numbers are ``indicators``' (one ``counts(..., by=("unit",))`` call and one
``by=("month",)`` call for the dashboard), who sees which dossiers is the access layer's
(``access.scoped`` on Dossier: the reform office and province-wide readers see every unit, an
officer the units of their memberships and the units under them; another unit asked for by name is
a 404). The filters are read once (``read_filters``) and written back into every link, so that a
number and the list behind it always use the same scope, period, field and channel.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from dataclasses import field as dc_field

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from cchc.core import access, exports
from cchc.core.dates import parse_day
from cchc.orgs.models import OrgUnit, UnitType

from . import charts, indicators, reports, scopes
from .indicators import Counts
from .models import Channel, Procedure
from .periods import Period, PeriodError

PAGE_SIZE = 50
EXPORT_FORMATS = ("csv", "xlsx")

# --- measures: the dossiers behind each number -------------------------------------------------

_LABELS = {name: label for name, label, _what in indicators.MEASURES}
EXTRA_LABELS = {
    "early_on_time": gettext_lazy("early or on time"),
    "in_time": gettext_lazy("early, on time or open within time"),
    "open": gettext_lazy("still open"),
    "late_all": gettext_lazy("late (finished late or open past due)"),
    "late_with_apology": gettext_lazy("late with an apology letter"),
    "direct": gettext_lazy("direct"),
    "full_eligible": gettext_lazy("of procedures eligible for full-process online"),
    "paper_result": gettext_lazy("of procedures with a paper result"),
    "e_result": gettext_lazy("with an electronic result"),
    "fee_bearing": gettext_lazy("with a fee"),
    "vneid": gettext_lazy("VNeID login"),
    "reused": gettext_lazy("reusing digitised data"),
    "from_store": gettext_lazy("from the citizen's data store"),
    "rated": gettext_lazy("rated"),
    "satisfied": gettext_lazy("rated satisfied"),
    "supplements": gettext_lazy("with a supplement request"),
    "satisfied_not_late": gettext_lazy("not late and not rated unsatisfied"),
}


def measure_label(name: str) -> str:
    return str(_LABELS.get(name) or EXTRA_LABELS.get(name) or name)


measure_q = indicators.measure_condition  # the drill-down lists: the counts' own conditions


# --- filters -----------------------------------------------------------------------------------

PARTS = [("", gettext_lazy("whole year"))] + [
    (f"Q{q}", gettext_lazy("Quarter %(q)s") % {"q": roman}) for q, roman in ((1, "I"), (2, "II"), (3, "III"), (4, "IV"))
] + [("H1", gettext_lazy("first half")), ("H2", gettext_lazy("second half"))] + [
    (f"{m:02d}", gettext_lazy("month %(m)d") % {"m": m}) for m in range(1, 13)
] + [("custom", gettext_lazy("from … to … (dates)"))]
CHANNELS = [(c.value, c.label) for c in Channel]


_date = parse_day  # ISO or dd/mm/yyyy; None when blank or wrong


def last_month(today: dt.date | None = None) -> Period:
    today = today or timezone.localdate()
    first = today.replace(day=1) - dt.timedelta(days=1)
    return Period.month(first.year, first.month)


def read_period(get, default: Period, errors: list[str]) -> Period:
    """``period`` (a code: 2025, 2025-Q3, 2025-H1, 2025-03, 2025-01-01..2025-03-15), else ``from`` and
    ``to`` (a custom range), else ``year`` and ``part`` (the form's selects), else ``default``."""
    code = (get.get("period") or "").strip()
    if code:
        try:
            return Period.parse(code)
        except PeriodError as exc:
            errors.append(str(exc))
            return default
    part = (get.get("part") or "").strip().upper()
    start, end = _date(get.get("from")), _date(get.get("to"))
    if start and end and (part == "CUSTOM" or not get.get("year")):
        if end < start:
            errors.append(_("The period ends before it starts."))
            return default
        return Period(start, end, "range")
    year = (get.get("year") or "").strip()
    if year.isdigit() and 1990 <= int(year) <= 2100:
        part = "" if part == "CUSTOM" else part
        try:
            return Period.parse(f"{year}-{part}" if part else year)
        except PeriodError as exc:
            errors.append(str(exc))
    return default


def home_province(principal) -> OrgUnit | None:
    """The province of the principal's first unit, else the first current province."""
    unit_ids = [unit for unit, _role, _domain in principal.memberships]
    for unit in OrgUnit.objects.filter(pk__in=unit_ids).select_related("province").order_by("pk"):
        return unit if unit.type == UnitType.PROVINCE else (unit.province or unit)
    return OrgUnit.objects.current().filter(type=UnitType.PROVINCE).order_by("code").first()


def own_units(principal) -> list[OrgUnit]:
    """The units of an officer's memberships (what they may choose when they do not read all)."""
    ids = {unit for unit, _role, _domain in principal.memberships}
    return list(OrgUnit.objects.filter(pk__in=ids).order_by("sort_order", "name"))


@dataclass
class Filters:
    scope: scopes.Scope
    period: Period
    field: str = ""
    channel: int | None = None
    procedure: Procedure | None = None
    errors: list[str] = dc_field(default_factory=list)
    options: dict = dc_field(default_factory=dict)

    def params(self, **extra) -> dict:
        values = {"scope": self.scope.code, "period": self.period.code}
        if self.field:
            values["field"] = self.field
        if self.channel:
            values["channel"] = self.channel
        if self.procedure is not None:
            values["procedure"] = self.procedure.code
        values.update(extra)
        return {k: v for k, v in values.items() if v not in (None, "")}

    def query(self, **extra) -> str:
        return urlencode(self.params(**extra))

    def url(self, name: str, **extra) -> str:
        return reverse(name) + "?" + self.query(**extra)


def _scope(request, code: str, province: OrgUnit | None) -> scopes.Scope:
    """The scope asked for, if the principal may read it: 404 otherwise (others' units are not named)."""
    principal = request.principal
    if principal.reads_all:
        try:
            return scopes.resolve(code, province)
        except scopes.ScopeError:
            raise Http404 from None
    if code in scopes.GROUPS:
        raise Http404
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None or not principal.in_scope(unit.pk):
        raise Http404
    return scopes.resolve(code, province)


def read_filters(request, *, default_period: Period | None = None) -> Filters:
    get = request.GET
    principal = request.principal
    errors: list[str] = []
    province = home_province(principal)
    mine = [] if principal.reads_all else own_units(principal)
    code = (get.get("scope") or get.get("unit") or "").strip()
    if not code:
        if principal.reads_all:
            code = "province"
        elif mine:
            code = mine[0].code
        else:
            raise Http404
    scope = _scope(request, code, province)
    today = timezone.localdate()
    period = read_period(get, default_period or Period.year(today.year), errors)
    channel = get.get("channel", "")
    channel = int(channel) if channel.isdigit() and int(channel) in Channel.values else None
    procedure = None
    if get.get("procedure"):
        procedure = Procedure.objects.filter(code=get["procedure"].strip()).first()
        if procedure is None:
            errors.append(_("No procedure with the code %(code)s.") % {"code": get["procedure"]})
    field_name = (get.get("field") or "").strip()
    filters = Filters(scope=scope, period=period, field=field_name, channel=channel, procedure=procedure)
    filters.errors = errors
    filters.options = _options(principal, province, mine, period)
    return filters


def _options(principal, province, mine, period: Period) -> dict:
    if principal.reads_all:
        units = OrgUnit.objects.current().filter(province=province) if province else OrgUnit.objects.none()
        groups = [("province", province.name if province else _("The province")),
                  ("agencies", _("All provincial agencies")), ("communes", _("All communes"))]
        agencies = list(units.filter(type__in=scopes.PROVINCIAL_TYPES).order_by("sort_order", "name").values_list("code", "name"))
        communes = list(units.filter(type=UnitType.COMMUNE).order_by("name").values_list("code", "name"))
        unit_groups = [(_("Provincial agencies"), agencies), (_("Communes"), communes)]
    else:
        groups = []
        unit_groups = [(_("My units"), [(u.code, u.name) for u in mine])]
    this_year = timezone.localdate().year
    years = list(range(this_year, this_year - 6, -1))
    if period.start.year not in years:
        years.append(period.start.year)
    part = ""
    if period.kind in ("quarter", "half"):
        part = period.code[-2:]
    elif period.kind == "range":
        part = "custom"
    elif period.kind == "month":
        part = f"{period.start.month:02d}"
    fields = list(Procedure.objects.exclude(field="").values_list("field", flat=True).distinct().order_by("field"))
    return {
        "groups": groups, "unit_groups": unit_groups, "years": years, "parts": PARTS, "part": part,
        "custom": period.kind == "range", "fields": fields, "channels": CHANNELS,
    }


def dossiers_of(request, filters: Filters):
    """The dossiers of the filters that the principal may read (all periods)."""
    qs = indicators.scope(
        filters.scope.unit_ids, procedure=filters.procedure, field_name=filters.field or None, channel=filters.channel
    )
    return access.scoped(request, qs)


def _base_context(request, filters: Filters, **extra) -> dict:
    return {"filters": filters, "f": filters.options, "nav_current": "dossiers", **extra}


# --- 1. dashboard ----------------------------------------------------------------------------

UNIT_COLUMNS = [
    # (key, label, measure for the link, or None for a rate)
    ("received", gettext_lazy("received"), "received"),
    ("finished", gettext_lazy("finished"), "finished"),
    ("early", gettext_lazy("early"), "early"),
    ("on_time", gettext_lazy("on time"), "on_time"),
    ("late", pgettext_lazy("dossier outcome", "late"), "late"),
    ("open_within", gettext_lazy("open, within time"), "open_within"),
    ("open_past", gettext_lazy("open, past due"), "open_past"),
    ("late_no_apology", gettext_lazy("late without apology"), "late_no_apology"),
    ("online", gettext_lazy("online"), "online"),
    ("on_time_rate", gettext_lazy("on time (PAR) %"), None),
    ("on_time_rate_766", gettext_lazy("on time (766) %"), None),
    ("online_rate", gettext_lazy("online %"), None),
    ("digitised_rate", gettext_lazy("digitised %"), None),
    ("average_hours", gettext_lazy("average hours"), None),
]
SORT_KEYS = {key for key, _label, _m in UNIT_COLUMNS} | {"unit"}


def _value(counts: Counts, key: str):
    return getattr(counts, key)


def sort_rows(rows: list[dict], sort: str, descending: bool) -> list[dict]:
    if sort == "unit":
        return sorted(rows, key=lambda r: (r["unit"].sort_order, r["unit"].name), reverse=descending)
    present = [r for r in rows if _value(r["counts"], sort) is not None]
    missing = [r for r in rows if _value(r["counts"], sort) is None]
    present.sort(key=lambda r: (_value(r["counts"], sort), r["unit"].name), reverse=descending)
    return present + sorted(missing, key=lambda r: r["unit"].name)


def month_label(month: dt.date) -> str:
    return f"{month.month}/{month.year}"


def dashboard(request):
    filters = read_filters(request)
    qs = dossiers_of(request, filters)
    period = filters.period
    by_unit = indicators.counts(qs, period, by=("unit",))
    by_month = indicators.counts(qs, period, by=("month",))
    total = Counts()
    for counts in by_unit.values():
        total.add(counts)
    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=[k[0] for k in by_unit]).only("pk", "code", "name", "sort_order", "type")}
    rows = [{"unit": units[key[0]], "counts": c} for key, c in by_unit.items() if key[0] in units]
    sort = request.GET.get("sort", "")
    sort = sort if sort in SORT_KEYS else "received"
    descending = request.GET.get("dir", "desc" if sort != "unit" else "asc") != "asc"
    rows = sort_rows(rows, sort, descending)
    for row in rows:
        code = row["unit"].code
        row["cells"] = [
            {"value": _value(row["counts"], key), "rate": measure is None,
             "url": filters.url("dossiers:list", scope=code, measure=measure) if measure else ""}
            for key, _label, measure in UNIT_COLUMNS
        ]
    months = period.months()
    month_rows = []
    for month in months:
        c = by_month.get((month,), Counts())
        whole = Period.month(month.year, month.month)
        month_period = whole if whole.start >= period.start and whole.end <= period.end else Period(
            max(whole.start, period.start), min(whole.end, period.end), "range")
        month_rows.append({"month": month, "label": month_label(month), "counts": c,
                           "url": filters.url("dossiers:list", period=month_period.code, measure="received")})
    chart = charts.rate_lines(
        [r["label"] for r in month_rows],
        [
            {"label": _("on time (PAR INDEX)"), "values": [r["counts"].on_time_rate for r in month_rows]},
            {"label": _("on time (766 portal)"), "values": [r["counts"].on_time_rate_766 for r in month_rows]},
            {"label": _("online"), "values": [r["counts"].online_rate for r in month_rows]},
        ],
        title=_("On-time and online rates, month by month"),
        description=_("Open dossiers are judged at the end of each month."),
    )
    sort_links = {}
    for key in SORT_KEYS:
        direction = "asc" if key == sort and descending else "desc"
        if key == "unit":
            direction = "desc" if key == sort and not descending else "asc"
        sort_links[key] = "?" + filters.query(sort=key, dir=direction)
    cards = _cards(filters, total)
    return render(request, "dossiers/dashboard.html", _base_context(
        request, filters, total=total, rows=rows, columns=UNIT_COLUMNS, sort=sort, descending=descending,
        sort_links=sort_links, month_rows=month_rows, chart=chart, cards=cards, rates=_rates(total),
        moment=period.moment(),
    ))


def _cards(filters: Filters, total: Counts) -> list[dict]:
    names = ["received", "finished", "early", "on_time", "late", "open_within", "open_past", "late_no_apology"]
    return [{"name": n, "label": measure_label(n), "value": getattr(total, n), "url": filters.url("dossiers:list", measure=n)}
            for n in names]


RATE_PARTS = {
    # rate: (numerator measure, denominator measure)
    "on_time_rate": ("early_on_time", "finished"),
    "on_time_rate_766": ("in_time", "received"),
    "late_apology_rate": ("late_with_apology", "late_all"),
    "online_rate": ("online", "received"),
    "postal_rate": ("postal", "received"),
    "full_online_rate": ("full_online", "full_eligible"),
    "paid_online_rate": ("paid_online", "fee_bearing"),
    "digitised_rate": ("digitised", "received"),
    "e_result_rate": ("e_result_paper", "paper_result"),
}
RATE_LABELS = {name: (label, definition) for name, label, definition in indicators.RATES}
RATE_LABELS["postal_rate"] = (gettext_lazy("postal rate"), gettext_lazy("postal ÷ received"))


def count_of(counts: Counts, measure: str) -> int:
    if measure == "early_on_time":
        return counts.early + counts.on_time
    return int(getattr(counts, measure))


def _rates(total: Counts) -> list[dict]:
    result = []
    for name in ("on_time_rate", "on_time_rate_766", "online_rate", "postal_rate", "full_online_rate",
                 "paid_online_rate", "digitised_rate", "e_result_rate", "late_apology_rate"):
        numerator, denominator = RATE_PARTS[name]
        label, definition = RATE_LABELS[name]
        result.append({"name": name, "label": label, "definition": definition, "value": getattr(total, name),
                       "numerator": count_of(total, numerator), "denominator": count_of(total, denominator),
                       "numerator_measure": numerator, "denominator_measure": denominator})
    return result


# --- 2. the list behind a number --------------------------------------------------------------


def _listed(request, filters: Filters, measure: str):
    moment = filters.period.moment()
    q = measure_q(measure, moment)
    if q is None:
        raise Http404
    qs = indicators.received_in(dossiers_of(request, filters), filters.period).filter(q)
    return qs.select_related("procedure", "unit").order_by("received_at", "code")


def dossier_list(request):
    filters = read_filters(request)
    measure = request.GET.get("measure", "received") or "received"
    qs = _listed(request, filters, measure)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "dossiers/list.html", _base_context(
        request, filters, page=page, measure=measure, measure_label=measure_label(measure),
        moment=filters.period.moment(), measures=[(n, measure_label(n)) for n in LIST_MEASURES],
        export_query=filters.query(measure=measure), keep=[("measure", measure)],
    ))


LIST_MEASURES = ["received", "finished", "early", "on_time", "late", "open_within", "open_past", "late_all",
                 "late_no_apology", "direct", "online", "postal", "full_online", "digitised", "e_result_paper",
                 "paid_online", "vneid", "supplements"]


def dossier_list_export(request, fmt):
    if fmt not in EXPORT_FORMATS:
        raise Http404
    filters = read_filters(request)
    measure = request.GET.get("measure", "received") or "received"
    qs = _listed(request, filters, measure)
    table = reports.dossier_table(
        qs, title=_("Dossiers: %(measure)s") % {"measure": measure_label(measure)},
        subtitle=f"{filters.scope.label} · {filters.period.label}", moment=filters.period.moment(),
        filename=f"ho-so-{filters.scope.code}-{filters.period.code}-{measure}",
    )
    return exports.response(table, fmt)


# --- 3. the monthly late-dossier report -----------------------------------------------------------


def _late(request):
    filters = read_filters(request, default_period=last_month())
    qs = dossiers_of(request, filters)
    by_unit = indicators.counts(qs, filters.period, by=("unit",))
    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=[k[0] for k in by_unit])}
    rows = []
    total = Counts()
    for (unit_id,), counts in by_unit.items():
        if unit_id not in units:
            continue
        total.add(counts)
        rows.append({"unit": units[unit_id], "counts": counts})
    rows.sort(key=lambda r: (-r["counts"].late_no_apology, -r["counts"].late_all, r["unit"].sort_order, r["unit"].name))
    which = request.GET.get("apology", "without")
    which = which if which in ("without", "with", "all") else "without"
    measure = {"without": "late_no_apology", "with": "late_with_apology", "all": "late_all"}[which]
    listed = _listed(request, filters, measure).order_by("unit__sort_order", "unit__name", "received_at", "code")
    return filters, rows, total, which, measure, listed


def late_report(request):
    filters, rows, total, which, measure, listed = _late(request)
    for row in rows:
        code = row["unit"].code
        row["urls"] = {m: filters.url("dossiers:list", scope=code, measure=m)
                       for m in ("received", "late", "open_past", "late_all", "late_with_apology", "late_no_apology")}
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "dossiers/late.html", _base_context(
        request, filters, rows=rows, total=total, which=which, page=page, measure=measure,
        moment=filters.period.moment(), export_query=filters.query(apology=which), keep=[("apology", which)],
        choices=[("without", _("without an apology letter")), ("with", _("with an apology letter")), ("all", _("all late"))],
    ))


def late_report_export(request, fmt):
    if fmt not in ("xlsx", "docx"):
        raise Http404
    filters, rows, total, which, measure, listed = _late(request)
    province = home_province(request.principal)
    report = reports.LateReport(
        scope=filters.scope, period=filters.period, rows=rows, total=total, dossiers=listed, which=which,
        moment=filters.period.moment(), issuer=reports.issuer_of(request.principal, province), province=province,
    )
    body = reports.late_xlsx(report) if fmt == "xlsx" else reports.late_docx(report)
    response = HttpResponse(body, content_type=reports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{report.filename}.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
