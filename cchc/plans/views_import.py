"""Import pages: upload a plan's table, preview and fix every row, commit all rows or none.

Thin: the rules live in ``importer``; who may do what is asked of the access layer (an import
belongs to the reform office: others get 403 on the upload page, 404 on a batch).
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cchc.core import access
from cchc.orgs.models import OrgUnit, UnitType

from . import importer
from .models import ImportBatch, PlanKind

ROW_LIMIT_MESSAGES = 20


# --- the upload form ----------------------------------------------------------------------


class IssuerField(forms.ModelChoiceField):
    def label_from_instance(self, unit):
        if unit.valid_to:
            return _("%(name)s (until %(day)s)") % {"name": unit.name, "day": unit.valid_to.strftime("%d/%m/%Y")}
        return unit.name


def home_province(request) -> OrgUnit | None:
    """The province of the user's units (its current unit), else the first current province."""
    principal = request.principal
    unit_ids = [unit for unit, _role, _domain in principal.memberships]
    for unit in OrgUnit.objects.filter(pk__in=unit_ids).select_related("province"):
        province = importer.province_of(unit)
        while not province.is_current:
            successor = province.successors().first()
            if successor is None:
                break
            province = successor
        return province
    return OrgUnit.objects.current().filter(type=UnitType.PROVINCE).order_by("code").first()


def issuer_queryset(province: OrgUnit | None):
    if province is None:
        return OrgUnit.objects.none()
    provinces = [province.pk, *province.predecessors().values_list("pk", flat=True)]
    units = OrgUnit.objects.filter(pk__in=provinces) | OrgUnit.objects.current().filter(
        province=province, type__in=[UnitType.DEPARTMENT, UnitType.AGENCY]
    )
    return units.order_by("-type", "valid_to", "sort_order", "name")


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File of the plan's table (.docx, .xlsx or .csv)"),
        allow_empty_file=True,  # an empty file gets the importer's own message
        widget=forms.ClearableFileInput(attrs={"accept": ".docx,.xlsx,.csv"}),
    )
    number = forms.CharField(label=gettext_lazy("Number and symbol"), max_length=100, required=False, help_text=gettext_lazy("e.g. 223/KH-UBND"))
    title = forms.CharField(label=gettext_lazy("Title of the plan"), max_length=500)
    kind = forms.ChoiceField(label=gettext_lazy("Kind of plan"), choices=PlanKind.choices, initial=PlanKind.ANNUAL)
    issuer = IssuerField(label=gettext_lazy("Issued by"), queryset=OrgUnit.objects.none(), to_field_name="code")
    year = forms.IntegerField(label=gettext_lazy("Plan year"), min_value=1990, max_value=2100)
    year_to = forms.IntegerField(
        label=gettext_lazy("Last year covered"), min_value=1990, max_value=2110, required=False,
        help_text=gettext_lazy("For a plan over several years (2021-2025): recurring tasks get occurrences in each year."),
    )
    issued_on = forms.DateField(
        label=gettext_lazy("Date issued"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Agency names are read against the units of that day."),
    )

    def __init__(self, *args, province=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer"].queryset = issuer_queryset(province)
        if province is not None and not self.is_bound:
            self.initial.setdefault("issuer", province.code)
        self.initial.setdefault("year", dt.date.today().year)


def _plan_fields(form: ImportForm) -> dict:
    data = form.cleaned_data
    return {
        "number": data["number"],
        "title": data["title"],
        "kind": data["kind"],
        "issuer": data["issuer"].code,
        "year": data["year"],
        "year_to": data.get("year_to"),
        "issued_on": data["issued_on"].isoformat() if data.get("issued_on") else None,
    }


def import_start(request):
    access.require_capability(request, "manages")
    province = home_province(request)
    errors: list[str] = []
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, province=province)
        if form.is_valid():
            uploaded = form.cleaned_data["file"]
            try:
                batch = importer.start_import(request.user, uploaded.name, uploaded.read(), _plan_fields(form))
            except importer.PlanImportError as exc:
                errors = exc.messages
            else:
                return redirect("plans:import_preview", batch.uuid)
    else:
        form = ImportForm(province=province)
    waiting = access.scoped(request, ImportBatch.objects.filter(state=importer.PREVIEW)).select_related("created_by")[:20]
    return render(
        request,
        "plans/import/start.html",
        {"form": form, "errors": errors, "waiting": waiting, "nav_current": "plans"},
        status=400 if errors or form.errors else 200,
    )


def import_sample(request):
    access.require_capability(request, "manages")
    from .samples import sample_docx

    response = HttpResponse(
        sample_docx("seed004"), content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response["Content-Disposition"] = 'attachment; filename="ke-hoach-223-KH-UBND-2025-phu-luc.docx"'
    return response


# --- the preview --------------------------------------------------------------------------


def _batch(request, uuid, action: str = "view") -> ImportBatch:
    return access.get_object(request, ImportBatch.objects.select_related("plan", "created_by"), action, uuid=uuid)


def _iso(value: str | None) -> str:
    return dt.date.fromisoformat(value).strftime("%d/%m/%Y") if value else ""


def display_row(row: dict) -> dict:
    """The row with what the template shows besides the stored data."""
    tf = row["time_frame"]
    items = [item for role in importer.ROLES for item in row[role]["items"]]
    return {
        **row,
        "where": importer.where_text(row),
        "place": importer.place_text(row),
        "problems": tf["needs_review"] or any(item["status"] == "unmatched" for item in items),
        "due_display": _iso(tf.get("due")),
        "start_display": _iso(tf.get("start")),
        "due_moved": bool(tf.get("due") and tf.get("due_nominal") and tf["due"] != tf["due_nominal"] and not tf.get("manual_due")),
        "due_nominal_display": _iso(tf.get("due_nominal")),
        "problem_text": importer.problem_text(tf.get("problem", "")),
        "section_path": ".".join(row["section"]),
        "section_title": row["section_titles"][-1] if row["section_titles"] else "",
    }


def _choices(batch: ImportBatch):
    fields = batch.plan_fields
    return importer.unit_choices(fields["province"], dt.date.fromisoformat(fields["on"]))


def _context(request, batch: ImportBatch, **extra) -> dict:
    summary = importer.summary(batch.rows)
    return {"batch": batch, "summary": summary, "fields": batch.plan_fields, **extra}


def _plan_url(plan) -> str | None:
    try:
        return reverse("plans:plan_detail", args=[plan.code])
    except NoReverseMatch:
        return None


def import_preview(request, uuid):
    batch = _batch(request, uuid)
    if batch.state == importer.COMMITTED and batch.plan is not None:
        tasks = batch.plan.tasks.select_related("section").prefetch_related("units__unit", "units__group")
        return render(
            request,
            "plans/import/done.html",
            {"batch": batch, "plan": batch.plan, "tasks": tasks, "plan_url": _plan_url(batch.plan), "nav_current": "plans"},
        )
    only_problems = request.GET.get("show") == "problems"
    rows = [display_row(row) for row in batch.rows]
    if only_problems:
        rows = [row for row in rows if row["problems"]]
    issuer = OrgUnit.objects.filter(code=batch.plan_fields.get("issuer")).first()
    owner = OrgUnit.objects.filter(code=batch.plan_fields.get("owner")).first()
    return render(
        request,
        "plans/import/preview.html",
        _context(
            request, batch, rows=rows, choices=_choices(batch), only_problems=only_problems,
            issuer=issuer, owner=owner, kind_label=dict(PlanKind.choices).get(batch.plan_fields.get("kind")),
            issued_display=_iso(batch.plan_fields.get("issued_on")), on_display=_iso(batch.plan_fields.get("on")),
            nav_current="plans",
        ),
    )


@require_POST
def import_fix(request, uuid):
    batch = _batch(request, uuid, "change")
    field = request.POST.get("field", "")
    value = request.POST.get("value", "")
    error = None
    if field in ("all_names", "all_time_frames"):
        try:
            changed = importer.accept_remaining(batch, "names" if field == "all_names" else "time_frames")
        except importer.PlanImportError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(count)d rows changed.") % {"count": len(changed)})
        return redirect("plans:import_preview", batch.uuid)
    try:
        index = int(request.POST.get("row", ""))
    except ValueError:
        index = -1
    if not 0 <= index < len(batch.rows):
        return HttpResponse(_("The preview has no such row."), status=400)
    changed = [index]
    try:
        changed = importer.apply_fix(batch, index, field, value)
    except importer.PlanImportError as exc:
        error = " ".join(exc.messages)
        batch.refresh_from_db()
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect(f"{reverse('plans:import_preview', args=[batch.uuid])}#import-row-{index}")
    others = [display_row(batch.rows[i]) for i in changed if i != index]
    return render(
        request,
        "plans/import/_fix.html",
        _context(
            request, batch, row=display_row(batch.rows[index]), others=others, choices=_choices(batch), error=error,
            saved=error is None,
        ),
    )


@require_POST
def import_commit(request, uuid):
    batch = _batch(request, uuid, "change")
    try:
        plan = importer.commit(batch, request.user)
    except importer.CommitRefused as exc:
        for message in exc.messages[: ROW_LIMIT_MESSAGES + 1]:
            messages.error(request, message)
        if len(exc.messages) > ROW_LIMIT_MESSAGES + 1:
            messages.error(request, _("… and %(count)d more.") % {"count": len(exc.messages) - ROW_LIMIT_MESSAGES - 1})
        return redirect("plans:import_preview", batch.uuid)
    except importer.PlanImportError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("plans:import_start")
    count = plan.tasks.count()
    messages.success(
        request,
        _("Plan %(plan)s imported: %(count)d tasks.") % {"plan": plan.number or plan.title, "count": count},
    )
    return redirect(_plan_url(plan) or reverse("plans:import_preview", args=[batch.uuid]))


@require_POST
def import_discard(request, uuid):
    batch = _batch(request, uuid, "change")
    try:
        importer.discard(batch, request.user)
    except importer.PlanImportError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("plans:import_preview", batch.uuid)
    messages.info(request, _("The import of %(file)s was discarded; nothing was imported.") % {"file": batch.file_name})
    return redirect("plans:import_start")
