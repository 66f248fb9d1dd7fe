"""The evidence register: list, upload, detail, download.

Thin views: who may see or add what is decided by the access layer, what may be uploaded
and how it is stored and served by ``cchc.assessments.evidence``.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from cchc.core import access
from cchc.orgs.models import OrgUnit, UnitType

from . import evidence as service
from .models import Evidence

PAGE_SIZE = 50


def _label(name: str):
    return Evidence._meta.get_field(name).verbose_name


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        if obj.type == UnitType.INTERNAL and obj.parent_id:
            return f"{obj.name} · {obj.parent.name}"
        return obj.name


class EvidenceForm(forms.Form):
    unit = UnitChoiceField(
        label=_label("owner"), queryset=OrgUnit.objects.none(), to_field_name="code",
        help_text=gettext_lazy("The register the document is entered in."),
    )
    number = forms.CharField(
        label=_label("number"), max_length=100, required=False, help_text=Evidence._meta.get_field("number").help_text
    )
    issued_on = forms.DateField(
        label=_label("issued_on"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    issuer = forms.CharField(label=_label("issuer"), max_length=255, required=False)
    # "title" alone is the title of a criterion; a document's is its "trích yếu".
    title = forms.CharField(label=pgettext_lazy("document", "title"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    file = forms.FileField(
        label=_label("file"), required=False, widget=forms.FileInput(attrs={"accept": service.ACCEPT_ATTRIBUTE})
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units.select_related("parent")
        self.fields["file"].help_text = service.accepted_help()


def evidence_list(request):
    register = access.scoped(request, Evidence.objects.select_related("owner"))
    unit_code = request.GET.get("unit", "").strip()
    text = request.GET.get("q", "").strip()
    items = service.filter_register(register, unit_code=unit_code, text=text)
    page = Paginator(items.order_by("-issued_on", "-created_at", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    units = OrgUnit.objects.filter(pk__in=register.values("owner")).order_by("type", "sort_order", "name")
    return render(
        request,
        "assessments/evidence/list.html",
        {
            "page": page,
            "units": units,
            "unit_code": unit_code,
            "q": text,
            "can_add": service.upload_units(request).exists(),
        },
    )


def evidence_new(request):
    units = service.upload_units(request)
    if not units.exists():
        raise PermissionDenied
    wanted = request.GET.get("unit", "")
    initial = {"unit": units.filter(code=wanted).first() if wanted else units.first() if units.count() == 1 else None}
    if request.method == "POST":
        form = EvidenceForm(request.POST, request.FILES, units=units)
    else:
        form = EvidenceForm(units=units, initial=initial)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            item = service.register_evidence(
                data["unit"], request.user,
                number=data["number"], issued_on=data["issued_on"], issuer=data["issuer"], title=data["title"],
                uploaded_file=data["file"],
            )
        except service.EvidenceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("The document was entered in the register."))
            return redirect("assessments:evidence_detail", uuid=item.uuid)
    return render(request, "assessments/evidence/new.html", {"form": form})


def evidence_detail(request, uuid):
    item = access.get_object(request, Evidence.objects.select_related("owner", "created_by"), "view", uuid=uuid)
    return render(
        request,
        "assessments/evidence/detail.html",
        {"item": item, "kind_label": service.kind_label(item.content_type), "citations": service.visible_citations(request, item)},
    )


def evidence_download(request, uuid):
    item = access.get_object(request, Evidence, "view", uuid=uuid)
    return service.evidence_response(item)
