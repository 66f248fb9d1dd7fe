import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from cchc.core import access, exports
from cchc.orgs.forms import MatchForm, UnitProfileForm, UnitStructureForm
from cchc.orgs.models import OrgGroup, OrgUnit, UnitType
from cchc.orgs.services import matcher_for
from cchc.orgs.tree import build_tree

EXPORT_FORMATS = ("csv", "xlsx")


def _date_param(request, name="at"):
    raw = request.GET.get(name, "")
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _province(request):
    """The province shown: ?province=CODE, else the installation's, else the first loaded."""
    provinces = OrgUnit.objects.filter(type=UnitType.PROVINCE)
    code = request.GET.get("province") or ""
    if code:
        found = provinces.filter(code=code).first()
        if found:
            return found
    from cchc.orgs.services import home_province

    return home_province()


def tree(request):
    province = _province(request)
    day = _date_param(request)
    query = request.GET.get("q", "").strip()
    unit_type = request.GET.get("type", "")
    context = {
        "province": province,
        "provinces": OrgUnit.objects.filter(type=UnitType.PROVINCE).order_by("valid_to", "name"),
        "at": day,
        "q": query,
        "type": unit_type,
        "types": UnitType.choices,
    }
    if province is not None:
        units = access.scoped(request, OrgUnit.objects.filter(province=province)).select_related("parent")
        units = units.valid_at(day) if day else units.current() if province.is_current else units
        if unit_type in UnitType.values:
            units = units.filter(type=unit_type)
        if query or unit_type:
            context["results"] = list(units.search(query).order_by("type", "sort_order", "name")[:500])
        else:
            nodes = build_tree(units.exclude(pk=province.pk).order_by("sort_order", "name"))
            context["agencies"] = [n for n in nodes if n["unit"].type in (UnitType.DEPARTMENT, UnitType.AGENCY)]
            context["communes"] = [n for n in nodes if n["unit"].type == UnitType.COMMUNE]
            context["districts"] = [n for n in nodes if n["unit"].type == UnitType.DISTRICT]
            context["external"] = [n for n in nodes if n["unit"].type == UnitType.EXTERNAL]
        context["commune_count"] = units.filter(type=UnitType.COMMUNE).count()
        context["predecessors"] = province.predecessors()
        context["successors"] = province.successors()
    template = "orgs/_results.html" if request.htmx and request.htmx.target == "org-results" else "orgs/tree.html"
    return render(request, template, context)


def unit_detail(request, code):
    unit = access.get_object(request, OrgUnit.objects.select_related("parent", "province"), "view", code=code)
    children = access.scoped(request, unit.children.all()).order_by("type", "sort_order", "name")
    groups = [
        g for g in OrgGroup.objects.filter(province=unit.province) if unit in g.members_at(unit.valid_to or dt.date.today())
    ]
    return render(
        request,
        "orgs/unit_detail.html",
        {
            "unit": unit,
            "children": children,
            "successor_links": unit.successor_links.select_related("successor"),
            "predecessor_links": unit.predecessor_links.select_related("predecessor"),
            "groups": groups,
            "can_edit_profile": access.can(request, "edit_profile", unit),
            "can_change": access.can(request, "change", unit),
            "can_view_members": access.can(request, "view_members", unit),
            "can_read_audit": request.principal.reads_audit,
        },
    )


def unit_edit(request, code):
    unit = access.get_object(request, OrgUnit, "view", code=code)
    can_change = access.can(request, "change", unit)
    if not (can_change or access.can(request, "edit_profile", unit)):
        access.require(request, "change", unit)  # 403
    profile = UnitProfileForm(request.POST or None, instance=unit, prefix="p")
    structure = UnitStructureForm(request.POST or None, instance=unit, prefix="s") if can_change else None
    if request.method == "POST" and profile.is_valid() and (structure is None or structure.is_valid()):
        if structure is not None:
            structure.save(commit=False)
        profile.save()
        messages.success(request, _("Saved."))
        return redirect("orgs:unit_detail", code=unit.code)
    return render(request, "orgs/unit_edit.html", {"unit": unit, "profile": profile, "structure": structure})


def _members(request, unit):
    if not access.can(request, "view", unit) or not access.can(request, "view_members", unit):
        raise Http404
    return access.scoped(request, unit.memberships.active().select_related("user").order_by("role", "user__username"))


def unit_members(request, code):
    unit = access.get_object(request, OrgUnit, "view", code=code)
    return render(request, "orgs/unit_members.html", {"unit": unit, "memberships": _members(request, unit)})


def unit_members_export(request, code, fmt):
    if fmt not in EXPORT_FORMATS:
        raise Http404
    unit = access.get_object(request, OrgUnit, "view", code=code)
    table = exports.Table(
        title=_("Members of %(unit)s") % {"unit": unit.name},
        columns=[_("Username"), _("Full name"), _("Role"), _("Domain"), _("E-mail")],
        rows=[
            [m.user.username, m.user.full_name, m.get_role_display(), m.domain, m.user.email]
            for m in _members(request, unit)
        ],
        filename=f"members-{unit.code}",
    )
    return exports.response(table, fmt)


def unit_history(request, code):
    access.require_capability(request, "reads_audit")
    unit = access.get_object(request, OrgUnit, "view", code=code)
    from cchc.core.audit import _field_changes

    records = [
        {"record": r, "fields": _field_changes(r) if r.history_type == "~" else []}
        for r in unit.history.select_related("history_user").order_by("-history_date")[:200]
    ]
    return render(request, "orgs/unit_history.html", {"unit": unit, "records": records})


def export_units(request, fmt):
    if fmt not in EXPORT_FORMATS:
        raise Http404
    province = _province(request)
    units = access.scoped(request, OrgUnit.objects.filter(province=province).select_related("parent"))
    day = _date_param(request)
    units = units.valid_at(day) if day else units.current()
    types = dict(UnitType.choices)
    table = exports.Table(
        title=_("Organisation units of %(province)s") % {"province": province.name if province else ""},
        columns=[_("Code"), _("Name"), _("Short name"), _("Type"), _("Parent code"), _("Valid from"), _("Valid to")],
        rows=[
            [u.code, u.name, u.short_name, str(types.get(u.type, u.type)), u.parent.code if u.parent else "",
             u.valid_from.isoformat() if u.valid_from else "", u.valid_to.isoformat() if u.valid_to else ""]
            for u in units.order_by("type", "sort_order", "name")
        ],
        filename=f"units-{province.code if province else 'none'}",
    )
    return exports.response(table, fmt)


def group_list(request):
    province = _province(request)
    day = _date_param(request) or dt.date.today()
    groups = access.scoped(request, OrgGroup.objects.filter(province=province))
    rows = [{"group": g, "count": g.members_at(day).count()} for g in groups]
    return render(request, "orgs/group_list.html", {"province": province, "rows": rows, "at": day})


def group_detail(request, code):
    group = access.get_object(request, OrgGroup, "view", code=code)
    day = _date_param(request) or dt.date.today()
    return render(request, "orgs/group_detail.html", {"group": group, "members": group.members_at(day), "at": day})


def match(request):
    province = _province(request)
    form = MatchForm(request.GET or None)
    results = None
    if form.is_valid() and province is not None:
        day = form.cleaned_data.get("at") or dt.date.today()
        matcher = matcher_for(province, day)
        lines = [line for line in form.cleaned_data["text"].splitlines() if line.strip()]
        results = [m for line in lines for m in matcher.match_cell(line)]
        codes = {m.code for m in results if m.code}
        codes |= {c for m in results for c, _n, _s in m.candidates}
        links = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}
        groups = {g.code: g for g in OrgGroup.objects.filter(code__in=codes)}
        results = [{"match": m, "link": links.get(m.code) or groups.get(m.code)} for m in results]
    return render(request, "orgs/match.html", {"form": form, "results": results, "province": province})
