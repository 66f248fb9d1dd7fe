"""Analysis pages: gaps of a subject, the province's trend, the office's matrix, the publication notice.

Thin: the numbers come from ``analysis`` (which reads only what the access layer shows the
reader), the DOCX from ``notice``, the spreadsheets from the one exporter ``cchc.core.exports``.
Exports run the same lookups and checks as their pages.
"""

from __future__ import annotations

import math
from decimal import Decimal

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.utils.translation import gettext as _

from cchc.core import access, exports
from cchc.frameworks.display import p
from cchc.frameworks.model import fmt_points

from . import analysis
from . import notice as notice_docx
from .models import Cycle, CycleKind, RoundState

EXPORT_FORMATS = ("xlsx", "csv")


# --- lookups (through the access layer) ---------------------------------------------------


def _cycle(request, cycle):
    return access.get_object(request, Cycle.objects.select_related("framework"), "view", code=cycle)


def _round(request, cycle, round_code):
    cycle_obj = _cycle(request, cycle)
    return access.get_object(request, cycle_obj.rounds.select_related("cycle__framework"), "view", code=round_code)


def _subject(request, cycle_obj, code):
    return access.get_object(request, cycle_obj.subjects.all(), "view", code=code)


def _depth(request, round_) -> int:
    deepest = analysis.framework_depth(round_)
    raw = request.GET.get("depth", "")
    depth = int(raw) if raw.isdigit() else min(1, deepest)
    return max(0, min(depth, deepest))


# --- 1. gap analysis ----------------------------------------------------------------------


def _gaps(request, cycle, round_code, subject):
    """The gap analysis, narrowed to one reason when ``?why=`` names one (max, target, month, year)."""
    round_ = _round(request, cycle, round_code)
    unit = _subject(request, round_.cycle, subject)
    gaps = analysis.gap_analysis(request, round_, unit)
    if gaps is None:
        raise Http404
    counts = {key: sum(1 for r in gaps.rows if key in r.reasons) for key in analysis.REASONS}
    why = request.GET.get("why", "")
    if why in analysis.REASONS:
        gaps.rows = [r for r in gaps.rows if why in r.reasons]
    else:
        why = ""
    return gaps, why, counts


def gap_view(request, cycle, round_code, subject):
    gaps, why, counts = _gaps(request, cycle, round_code, subject)
    filters = [{"key": key, "label": label, "count": counts[key]} for key, label in analysis.REASONS.items()]
    return render(request, "assessments/analysis/gaps.html", {
        "gaps": gaps, "round": gaps.round, "cycle": gaps.round.cycle, "subject": gaps.subject,
        "why": why, "filters": filters, "query": f"?why={why}" if why else "",
    })


def gap_table(gaps: analysis.GapAnalysis) -> exports.Table:
    round_ = gaps.round
    columns = [
        _("Code"), _("Criterion"), _("Domain"), _("Max"), _("Self score"), _("Appraised score"), _("Final score"),
        _("Points at stake"), _("Target"), _("Gap to target"), _("Last month"), _("Change from last month"),
        _("Last year"), _("Change from last year"), _("Responsible unit"), _("Why it is listed"),
    ]
    rows = [
        [r.code, r.title, r.domain, p(r.max), p(r.self_score), p(r.appraised), p(r.final), p(r.at_stake),
         p(r.target), p(r.to_target), p(r.last_month), p(r.month_change), p(r.last_year), p(r.year_change),
         r.responsible.name, "; ".join(r.reason_labels)]
        for r in gaps.rows
    ]
    return exports.Table(
        # No "/" in the title: it names the spreadsheet, where that character is refused.
        title=_("Gap analysis %(round)s") % {"round": round_.code},
        subtitle=f"{round_.cycle.name} · {gaps.subject.name}",
        columns=columns, rows=rows,
        filename=f"gaps-{round_.cycle.code}-{round_.code}-{gaps.subject.code}",
    )


def gap_export(request, cycle, round_code, subject, fmt):
    if fmt not in EXPORT_FORMATS:
        raise Http404
    gaps, _why, _counts = _gaps(request, cycle, round_code, subject)
    return exports.response(gap_table(gaps), fmt)


# --- 2. trend -----------------------------------------------------------------------------

CHART_WIDTH, CHART_HEIGHT = 640, 300
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM = 52, 16, 14, 44
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#8C564B", "#7F7F7F", "#BCBD22")
DASHES = ("", "6 3", "2 3")
MONTHS = range(1, 13)


def _n(value: float) -> str:
    """An SVG coordinate: a dot decimal whatever the language (templates would print a comma)."""
    return f"{value:.1f}"


def _nice_top(top: Decimal) -> tuple[int, int]:
    """(axis top, tick step) for values up to ``top``."""
    value = float(top or 1)
    for step in (1, 2, 5, 10, 20, 25, 50, 100):
        if value / step <= 8:
            return int(math.ceil(value / step) * step), step
    return int(math.ceil(value / 100) * 100), 100


def line_chart(series, *, title: str, description: str, top: Decimal, x_label: str, y_label: str, marks=()):
    """Geometry of a server-drawn line chart (months 1-12 × points).

    ``series``: dicts with ``label``, ``values`` (month -> Decimal or None), optional ``pending``
    (months not sent yet: hollow dots), ``projected`` (value) and ``projected_from`` (month). ``marks``: horizontal reference lines (value, label).
    """
    plot_w = CHART_WIDTH - PLOT_LEFT - PLOT_RIGHT
    plot_h = CHART_HEIGHT - PLOT_TOP - PLOT_BOTTOM
    axis_top, step = _nice_top(top)

    def x(month: int) -> float:
        return PLOT_LEFT + (month - 1) * plot_w / 11

    def y(value) -> float:
        return PLOT_TOP + plot_h * (1 - float(value) / axis_top)

    month_word, unsent_word, projected_word = _("month"), _("not sent yet"), _("projected for December")
    lines = []
    for i, s in enumerate(series):
        colour, dash = COLOURS[i % len(COLOURS)], DASHES[(i // len(COLOURS)) % len(DASHES)]
        path, pen_down, points = [], False, []
        for month in MONTHS:
            value = s["values"].get(month)
            if value is None:
                pen_down = False
                continue
            path.append(f"{'L' if pen_down else 'M'}{_n(x(month))} {_n(y(value))}")
            pen_down = True
            pending = month in s.get("pending", ())
            note = f" ({unsent_word})" if pending else ""
            points.append({"x": _n(x(month)), "y": _n(y(value)), "hollow": pending,
                           "title": f"{s['label']} · {month_word} {month}: {fmt_points(value)}{note}"})
        projection = None
        if s.get("projected") is not None and s.get("projected_from"):
            projection = {
                "x1": _n(x(s["projected_from"])), "x2": _n(x(12)), "y": _n(y(s["projected"])),
                "title": f"{s['label']} · {projected_word}: {fmt_points(s['projected'])}",
            }
        lines.append({"label": s["label"], "colour": colour, "dash": dash, "path": " ".join(path),
                      "points": points, "projection": projection})
    return {
        "width": CHART_WIDTH, "height": CHART_HEIGHT, "title": title, "description": description,
        "left": PLOT_LEFT, "right": CHART_WIDTH - PLOT_RIGHT, "top": PLOT_TOP, "bottom": CHART_HEIGHT - PLOT_BOTTOM,
        "x_ticks": [{"x": _n(x(m)), "label": m} for m in MONTHS],
        "y_ticks": [{"y": _n(y(v)), "label": v} for v in range(0, axis_top + 1, step)],
        "x_label": x_label, "y_label": y_label,
        "x_label_x": _n(PLOT_LEFT + plot_w / 2), "x_label_y": CHART_HEIGHT - 6,
        "y_label_y": _n(PLOT_TOP + plot_h / 2),
        "marks": [{"y": _n(y(v)), "label": f"{label} {fmt_points(v)}"} for v, label in marks if v is not None],
        "lines": lines,
    }


def trend_view(request, cycle):
    cycle_obj = _cycle(request, cycle)
    if cycle_obj.kind != CycleKind.PROVINCIAL:
        raise Http404
    subjects = list(cycle_obj.subjects.order_by("name"))
    wanted = request.GET.get("subject")
    subject = _subject(request, cycle_obj, wanted) if wanted else (subjects[0] if subjects else None)
    if subject is None:
        raise Http404
    data = analysis.trend(request, cycle_obj, subject)
    domain_max = max((line.max for line in data.lines if line.max is not None), default=Decimal(1))
    domains_chart = line_chart(
        [{"label": f"{line.code}. {line.title}", "values": line.values, "pending": line.pending,
          "projected": line.projected, "projected_from": line.projected_from} for line in data.lines],
        title=_("Self-assessed score of each domain, month by month"),
        description=_("One line per domain; dashed: the projection to December."),
        top=domain_max, x_label=_("Month"), y_label=_("Points"),
    )
    pending = {m for line in data.lines for m in line.pending}
    total_chart = line_chart(
        [{"label": _("Total"), "values": data.totals, "pending": pending, "projected": data.projected_total,
          "projected_from": max((m for m, v in data.totals.items() if v is not None), default=None)}],
        title=_("Self-assessed total, month by month"),
        description=_("The province's total; dashed: the projection to December."),
        top=data.total_max or Decimal(1), x_label=_("Month"), y_label=_("Points"),
        marks=[(data.total_max, _("max")), (data.target_total, _("target"))],
    )
    return render(request, "assessments/analysis/trend.html", {
        "trend": data, "cycle": cycle_obj, "subject": subject, "subjects": subjects,
        "domains_chart": domains_chart, "total_chart": total_chart,
    })


# --- 3. matrix ----------------------------------------------------------------------------


def matrix_view(request, cycle, round_code):
    round_ = _round(request, cycle, round_code)
    depth = _depth(request, round_)
    data = analysis.matrix(request, round_, depth)
    if data is None:
        raise Http404
    scale, upper = [], None
    for low, background, colour in analysis.HEAT_SCALE:
        label = f"≥ {low}%" if upper is None else f"{low}–<{upper}%"
        scale.append({"low": low, "background": background, "colour": colour, "label": label})
        upper = low
    return render(request, "assessments/analysis/matrix.html", {
        "matrix": data, "round": round_, "cycle": round_.cycle, "scale": scale,
        "none_background": analysis.HEAT_NONE[0], "depths": range(0, analysis.framework_depth(round_) + 1),
        "published": round_.state == RoundState.PUBLISHED,
    })


# --- 4. publication notice ----------------------------------------------------------------


def _notice(request, cycle, round_code):
    round_ = _round(request, cycle, round_code)
    data = analysis.notice(request, round_)
    if data is None:
        raise Http404(_("Only a published round has a notice."))
    return data


def notice_table(data: analysis.Notice) -> exports.Table:
    round_ = data.round
    unit = _("Domain (lead agency)") if data.provincial else _("Unit")
    return exports.Table(
        title=_("Ranking %(round)s") % {"round": round_.code},
        subtitle=f"{round_.cycle.name} · {notice_docx.period(round_)}",
        columns=[_("No."), unit, _("Self score"), _("Appraised score"), _("Index (%)"), _("Rank"), _("Band")],
        rows=[
            [i, notice_docx.unit_text(r, data.provincial), p(r.self_score), p(r.final), p(r.index),
             r.rank if r.rank is not None else "", r.band.label if r.band else ""]
            for i, r in enumerate(data.rows, start=1)
        ],
        filename=notice_docx.filename(round_),
    )


def notice_view(request, cycle, round_code):
    data = _notice(request, cycle, round_code)
    return render(request, "assessments/analysis/notice.html", {
        "notice": data, "round": data.round, "cycle": data.round.cycle,
        "subject_line": notice_docx.subject_line(data.round),
        "lines": [{"row": r, "unit": notice_docx.unit_text(r, data.provincial)} for r in data.rows],
    })


def notice_export(request, cycle, round_code, fmt):
    if fmt not in ("docx", "xlsx"):
        raise Http404
    data = _notice(request, cycle, round_code)
    if fmt == "xlsx":
        return exports.response(notice_table(data), "xlsx")
    response = HttpResponse(notice_docx.render_docx(data), content_type=notice_docx.CONTENT_TYPE)
    name = slugify(notice_docx.filename(data.round)) or "notice"
    response["Content-Disposition"] = f'attachment; filename="{name}.docx"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
