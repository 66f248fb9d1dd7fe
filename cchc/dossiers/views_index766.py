"""The 766 page: the service index of Decision 766 for a period and a scope, and the ranking of units.

The index of the scope is ``index766.compute(counts, procedure_counts)`` with the catalogue levels of
the scope (provincial agencies: "tinh", communes: "xa", the province: both). The ranking (for the
readers of every unit only) computes every provincial agency and commune at once: one
``counts(..., by=("unit",))`` call, and one grouped query for the procedures each unit's dossiers
touched (``procedure_counts_by_unit``, the per-unit form of ``indicators.procedure_counts``).
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Q
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cchc.core import access
from cchc.orgs.models import OrgUnit, UnitType

from . import charts, index766, indicators, scopes
from .indicators import PAID_ONLINE, Counts, ProcedureCounts
from .models import Channel, OnlineLevel, Procedure
from .views import _base_context, dossiers_of, home_province, measure_label, read_filters

CONFIDENCE = {"S": gettext_lazy("secondary source"), "U": gettext_lazy("unconfirmed"), "C": gettext_lazy("confirmed")}


def _catalogue(levels: tuple[str, ...]) -> dict:
    catalogue = Procedure.objects.filter(level__in=levels)
    return {
        "in_scope": catalogue.count(),
        "offered": set(catalogue.filter(online_level__in=(OnlineLevel.PARTIAL, OnlineLevel.FULL)).values_list("pk", flat=True)),
        "fee": set(catalogue.filter(fee__gt=0).values_list("pk", flat=True)),
        "citizens": set(catalogue.filter(citizen_subject=True).values_list("pk", flat=True)),
        "full_eligible": catalogue.filter(Q(full_eligible=True) | Q(online_level=OnlineLevel.FULL)).count(),
    }


def procedure_counts_by_unit(qs, period, top_of: dict[int, int], levels_of: dict[int, tuple[str, ...]]) -> dict[int, ProcedureCounts]:
    """``indicators.procedure_counts`` for many units at once: ``top_of`` maps a dossier's unit to
    the ranked unit it counts for, ``levels_of`` a ranked unit to its catalogue levels."""
    received = indicators.received_in(qs, period)
    rows = received.values("unit_id", "procedure_id").annotate(
        online=Count("pk", filter=Q(channel=Channel.ONLINE)),
        paid=Count("pk", filter=Q(payment__in=PAID_ONLINE)),
        fee=Count("pk", filter=Q(fee__gt=0)),
        vneid=Count("pk", filter=Q(vneid=True)),
    ).order_by()
    touched: dict[int, dict[str, set]] = defaultdict(lambda: {"online": set(), "paid": set(), "fee": set(), "vneid": set()})
    for row in rows:
        top = top_of.get(row["unit_id"])
        if top is None:
            continue
        for key in ("online", "paid", "fee", "vneid"):
            if row[key]:
                touched[top][key].add(row["procedure_id"])
    catalogues = {levels: _catalogue(levels) for levels in set(levels_of.values())}
    result = {}
    for unit_id, levels in levels_of.items():
        cat, seen = catalogues[levels], touched.get(unit_id) or {"online": set(), "paid": set(), "fee": set(), "vneid": set()}
        result[unit_id] = ProcedureCounts(
            in_scope=cat["in_scope"], offered_online=len(cat["offered"]), full_eligible=cat["full_eligible"],
            online_offered_with_dossier=len(cat["offered"] & seen["online"]), with_fee=len(cat["fee"]),
            with_fee_paid_online=len(cat["fee"] & seen["paid"]), with_fee_data=len(cat["fee"] & seen["fee"]),
            for_citizens=len(cat["citizens"]), for_citizens_with_vneid=len(cat["citizens"] & seen["vneid"]),
        )
    return result


def _ranked_units(province) -> tuple[list[OrgUnit], list[OrgUnit], dict[int, int]]:
    units = OrgUnit.objects.current().filter(province=province)
    agencies = list(units.filter(type__in=scopes.PROVINCIAL_TYPES).order_by("sort_order", "name"))
    communes = list(units.filter(type=UnitType.COMMUNE).order_by("name"))
    ranked = {u.pk for u in agencies + communes}
    parents = dict(OrgUnit.objects.values_list("pk", "parent_id"))
    top_of = {}
    for unit_id in parents:
        node, seen = unit_id, set()
        while node is not None and node not in ranked and node not in seen:
            seen.add(node)
            node = parents.get(node)
        if node in ranked:
            top_of[unit_id] = node
    return agencies, communes, top_of


def ranking(request, filters, province) -> list[dict]:
    agencies, communes, top_of = _ranked_units(province)
    qs = access.scoped(request, indicators.scope(
        set(top_of), procedure=filters.procedure, field_name=filters.field or None, channel=filters.channel,
    ))
    by_unit = indicators.counts(qs, filters.period, by=("unit",))
    totals: dict[int, Counts] = defaultdict(Counts)
    for (unit_id,), counts in by_unit.items():
        if unit_id in top_of:
            totals[top_of[unit_id]].add(counts)
    levels_of = {u.pk: ("tinh",) for u in agencies} | {u.pk: ("xa",) for u in communes}
    procedures = procedure_counts_by_unit(qs, filters.period, top_of, levels_of)
    tables = []
    for key, title, units in (("agencies", _("Provincial agencies"), agencies), ("communes", _("Communes"), communes)):
        rows = []
        for unit in units:
            counts = totals.get(unit.pk)
            if counts is None or not counts.received:
                rows.append({"unit": unit, "result": None, "received": 0})
                continue
            result = index766.compute(counts, procedures[unit.pk])
            rows.append({"unit": unit, "result": result, "received": counts.received, "percent": result.percent,
                         "url": filters.url("dossiers:index766", scope=unit.code)})
        rows.sort(key=lambda r: (r["result"] is None or r["result"].percent is None,
                                 -(r["result"].percent or 0) if r["result"] else 0, r["unit"].name))
        rank = 0
        for row in rows:
            if row["result"] is not None and row["result"].percent is not None:
                rank += 1
                row["rank"] = rank
        bands = index766.load().get("bands", [])
        chart = charts.bars(
            [{"label": r["unit"].short_name or r["unit"].name, "title": r["unit"].name,
              "value": r["result"].percent if r["result"] else None} for r in rows],
            title=_("766 index by unit (%% of the points the data supports): %(group)s") % {"group": title},
            marks=[(b["min"], b["name"]) for b in bands if b["min"]],
        )
        tables.append({"key": key, "title": title, "rows": rows, "chart": chart,
                       "computed": sum(1 for r in rows if r.get("rank"))})
    return tables


def index_page(request):
    filters = read_filters(request)
    qs = dossiers_of(request, filters)
    period = filters.period
    total = indicators.total(qs, period)
    procedures = indicators.procedure_counts(qs, period, filters.scope.levels)
    result = index766.compute(total, procedures)
    config = index766.load()
    groups = []
    for group in result.groups:
        lines = []
        for line in group.lines:
            item = {"line": line, "confidence": CONFIDENCE.get(line.confidence, line.confidence), "url": "", "denominator_url": ""}
            if line.computed and not line.measure.startswith("procedures."):
                item["url"] = filters.url("dossiers:list", measure=line.measure)
                item["measure_label"] = measure_label(line.measure)
            denominator = _denominator(config, line.code)
            if line.computed and denominator and not denominator.startswith("procedures."):
                item["denominator_url"] = filters.url("dossiers:list", measure=denominator)
            lines.append(item)
        groups.append({"group": group, "lines": lines})
    not_computed = [line for line in result.lines if line.exact is None]
    tables = ranking(request, filters, home_province(request.principal)) if request.principal.reads_all else []
    return render(request, "dossiers/index766.html", _base_context(
        request, filters, result=result, groups=groups, not_computed=not_computed, total=total,
        procedures=procedures, tables=tables, bands=result.bands, bands_confidence=config.get("bands_confidence", "U"),
        version=config.get("version", ""), source=config.get("source", ""),
        scope_levels=", ".join(str(dict(Procedure._meta.get_field("level").choices).get(lv, lv)) for lv in filters.scope.levels),
    ))


def _denominator(config: dict, code: str) -> str:
    for group in config["groups"]:
        for item in group["indicators"]:
            if str(item["code"]) == code:
                return item.get("denominator", "")
    return ""

