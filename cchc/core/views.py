from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import render

from cchc.core import access
from cchc.core import audit as audit_log


def home(request):
    from cchc.orgs.models import OrgUnit, UnitType

    principal = request.principal
    provinces = OrgUnit.objects.current().filter(type=UnitType.PROVINCE)
    counts = {
        t: OrgUnit.objects.current().filter(type=t).count()
        for t in (UnitType.DEPARTMENT, UnitType.AGENCY, UnitType.COMMUNE)
    }
    memberships = request.user.memberships.active().select_related("unit")
    return render(
        request,
        "core/home.html",
        {"provinces": provinces, "counts": counts, "memberships": memberships, "principal": principal},
    )


def audit(request):
    access.require_capability(request, "reads_audit")
    model_label = request.GET.get("model") or None
    if model_label not in audit_log.AUDITED:
        model_label = None
    username = request.GET.get("user") or None
    records = audit_log.recent_records(limit=1000, model_label=model_label, username=username)
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    page.object_list = audit_log.describe(list(page.object_list))
    models = [(m._meta.label, m._meta.verbose_name_plural) for m in audit_log.audited_models()]
    return render(
        request,
        "core/audit.html",
        {"page": page, "models": models, "model_label": model_label or "", "username": username or ""},
    )


@login_not_required
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
