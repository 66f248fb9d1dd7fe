from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cchc.core import access, exports
from cchc.orgs.models import OrgUnit

from . import fileformat, reports
from .display import ranking_table, scorecard_table
from .messages import describe, method_label
from .models import Framework, Score, ScoreKind
from .services import ranking, scorecard

EXPORT_FORMATS = ("csv", "xlsx")
SORTABLE = ("code", "max", "score", "index", "last_year", "change", "target", "gap", "lost")


def _framework(request, code, version) -> Framework:
    return access.get_object(request, Framework, "view", code=code, version=version)


def _years_with_scores(fw, subject=None, request=None):
    scores = Score.objects.filter(framework=fw, kind=ScoreKind.INPUT)
    if request is not None:
        scores = access.scoped(request, scores)
    if subject is not None:
        scores = scores.filter(subject=subject)
    return sorted(set(scores.values_list("year", flat=True)), reverse=True)


def framework_list(request):
    frameworks = access.scoped(request, Framework.objects.all()).order_by("is_template", "code", "-version")
    rows = [{"fw": fw, "years": _years_with_scores(fw, request=request), "criteria": fw.criteria.count()} for fw in frameworks]
    return render(request, "frameworks/list.html", {"rows": rows})


def framework_detail(request, code, version):
    fw = _framework(request, code, version)
    definition = fw.definition
    nodes = [{"node": node, "depth": depth, "method": _method_text(node)} for node, depth in definition.walk()]
    return render(
        request,
        "frameworks/detail.html",
        {
            "fw": fw,
            "definition": definition,
            "nodes": nodes,
            "findings": [describe(f) for f in fw.definition_findings],
            "years": _years_with_scores(fw, request=request),
            "versions": Framework.objects.filter(code=fw.code).order_by("-version"),
        },
    )


def _method_text(node) -> str:
    return method_label(node.method) if node.is_leaf else ""


def framework_export(request, code, version):
    fw = _framework(request, code, version)
    response = HttpResponse(fileformat.dump(fw.definition), content_type="text/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{fw.code}-v{fw.version}.yaml"'
    return response


def _subjects(request, fw):
    ids = access.scoped(request, Score.objects.filter(framework=fw, kind=ScoreKind.INPUT)).values("subject")
    return OrgUnit.objects.filter(pk__in=ids).order_by("type", "sort_order", "name")


def scorecard_pick(request, code, version):
    fw = _framework(request, code, version)
    subject, year = request.GET.get("subject"), request.GET.get("year")
    if subject and year and year.isdigit() and OrgUnit.objects.filter(code=subject).exists():
        return redirect("frameworks:scorecard", code=fw.code, version=fw.version, subject=subject, year=int(year))
    return render(request, "frameworks/pick.html", {"fw": fw, "subjects": _subjects(request, fw), "years": _years_with_scores(fw, request=request)})


def _card(request, code, version, subject, year):
    fw = _framework(request, code, version)
    unit = access.get_object(request, OrgUnit, "view", code=subject)
    # A subject's own people and province-wide readers see its drafts; others only what is published.
    sees_drafts = access.can(request, "view", Score(framework=fw, subject=unit, published=False))
    card = scorecard(fw, unit, year, published_only=not sees_drafts)
    if not card.has_scores and not card.declared:
        raise Http404
    return fw, unit, card


def scorecard_view(request, code, version, subject, year):
    fw, unit, card = _card(request, code, version, subject, year)
    sort = request.GET.get("sort", "")
    rows = card.rows
    if sort.lstrip("-") in SORTABLE and sort.lstrip("-") != "code":
        rows = reports.sort_rows(rows, sort.lstrip("-"), descending=sort.startswith("-"))
    years = _years_with_scores(fw, unit, request=request)
    return render(
        request,
        "frameworks/scorecard.html",
        {
            "fw": fw, "unit": unit, "card": card, "rows": rows, "sort": sort,
            "findings": [describe(f) for f in card.findings],
            "years": years, "tree_order": not sort or sort.lstrip("-") == "code",
            "subjects": _subjects(request, fw),
        },
    )


def scorecard_export(request, code, version, subject, year, fmt):
    if fmt not in EXPORT_FORMATS:
        raise Http404
    _fw, _unit, card = _card(request, code, version, subject, year)
    return exports.response(scorecard_table(card), fmt)


def _ranking(request, code, version, year, kind=None):
    fw = _framework(request, code, version)
    rows = ranking(fw, year)
    if kind:
        rows = [r for r in rows if r.subject.type == kind]
    return fw, rows


def ranking_view(request, code, version, year):
    fw, rows = _ranking(request, code, version, year)
    top = max([r.index for r in rows if r.index is not None], default=None)
    bands = fw.definition.bands
    counts = {b.code: sum(1 for r in rows if r.band is not None and r.band.code == b.code) for b in bands}
    return render(
        request,
        "frameworks/ranking.html",
        {"fw": fw, "rows": rows, "year": year, "years": _years_with_scores(fw, request=request), "bands": bands, "band_counts": counts, "top": top},
    )


def ranking_export(request, code, version, year, fmt):
    if fmt not in EXPORT_FORMATS:
        raise Http404
    fw, rows = _ranking(request, code, version, year)
    if not rows:
        raise Http404(_("No ranking"))
    return exports.response(ranking_table(fw, year, rows), fmt)
