"""The digest page (my units' reminders of today, the same lists as the e-mail) and the plan exports."""

from __future__ import annotations

from functools import cache

from django.http import FileResponse, Http404, HttpResponse
from django.template import engines
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.accounts.models import Role
from cchc.core import access
from cchc.orgs.models import OrgUnit

from . import export, reminders
from .models import Plan, ReminderLog

# Units whose digest is "mine": where the user acts (the reform office acts for its own unit too).
MEMBER_ROLES = (Role.OFFICER.value, Role.DOMAIN_LEAD.value, Role.REFORM_OFFICE.value)

# The page is small and has no text of its own (every string comes translated from the view),
# so it lives here rather than in a template file.
PAGE = """{% extends "base.html" %}
{% block title %}{{ labels.title }}{% endblock %}
{% block content %}
<h1 class="h4">{{ labels.title }}</h1>
<p class="text-muted">{{ labels.intro }}</p>
{% if choices %}
<form method="get" class="row g-2 align-items-center mb-3 d-print-none">
  <div class="col-auto"><label class="col-form-label" for="digest-unit">{{ labels.unit }}</label></div>
  <div class="col-auto">
    <select id="digest-unit" name="unit" class="form-select form-select-sm">
      <option value="">{{ labels.mine }}</option>
      {% for code, name in choices %}<option value="{{ code }}"{% if code == selected %} selected{% endif %}>{{ name }}</option>{% endfor %}
    </select>
  </div>
  <div class="col-auto"><button class="btn btn-sm btn-outline-primary" type="submit">{{ labels.show }}</button></div>
</form>
{% endif %}
{% for block in blocks %}
<section class="mb-4 digest" id="unit-{{ block.unit.code }}" data-unit="{{ block.unit.code }}">
  <h2 class="h5">{{ block.unit.name }}</h2>
  {{ block.digest }}
  {% if block.escalation %}
  <h2 class="h6 mt-3 text-danger">{{ block.escalation_title }}</h2>
  {{ block.escalation }}
  {% endif %}
</section>
{% empty %}
<p class="text-muted">{{ labels.empty }}</p>
{% endfor %}
{% endblock %}
"""


@cache
def _page():
    return engines["django"].from_string(PAGE)


def _member_units(principal) -> list[int]:
    return sorted(principal.unit_ids_with_role(*MEMBER_ROLES))


def digest(request):
    """Today's digest of my units (or of ``?unit=CODE`` for those who may read it), with the
    escalations of the plans they follow. Seeing their own units' digest is the read receipt
    (``ReminderLog.seen_at``) of the day's e-mails."""
    principal = access.principal_of(request)
    if not principal.is_authenticated:
        raise Http404
    on = timezone.localdate()
    within, after = reminders.reminder_days(), reminders.escalation_days()
    mine = _member_units(principal)
    code = (request.GET.get("unit") or "").strip()
    if code:
        unit = OrgUnit.objects.filter(code=code).first()
        if unit is None or not (unit.pk in mine or principal.reads_all or principal.in_scope(unit.pk)):
            raise Http404
        units = [unit]
    else:
        units = list(OrgUnit.objects.filter(pk__in=mine, valid_to__isnull=True).order_by("type", "sort_order", "name"))
    blocks = []
    for unit in units:
        unit_digest = reminders.digest_for(unit, on, within)
        owned = reminders.escalations(on, after, owner=unit)
        blocks.append(
            {
                "unit": unit,
                "digest": reminders.digest_html(unit_digest, full=False),
                "escalation": reminders.escalation_html(owned[0], full=False) if owned else "",
                "escalation_title": _("Late in the plans %(unit)s follows (overdue by more than %(days)d days)")
                % {"unit": unit.name, "days": after},
            }
        )
    seen = [unit.pk for unit in units if unit.pk in mine]
    if seen and not principal.is_read_only:
        ReminderLog.objects.filter(unit_id__in=seen, sent_on=on, seen_at__isnull=True).update(seen_at=timezone.now())
    choices = []
    if principal.reads_all:
        choices = list(
            OrgUnit.objects.filter(task_roles__isnull=False, valid_to__isnull=True)
            .distinct()
            .order_by("type", "sort_order", "name")
            .values_list("code", "name")
        )
    labels = {
        "title": _("Reminders"),
        "intro": _("Open tasks overdue or due within %(days)d days, as of %(date)s: the same lists as the daily e-mail.")
        % {"days": within, "date": reminders.fmt_date(on)},
        "unit": _("Unit"),
        "mine": _("My units"),
        "show": _("Show"),
        "empty": _("You are not an officer of any unit: choose a unit to see its reminders."),
    }
    context = {"labels": labels, "blocks": blocks, "choices": choices, "selected": code}
    return HttpResponse(_page().render(context, request))


def plan_source(request, code: str):
    """The file the plan's table was imported from, as uploaded."""
    plan = access.get_object(request, Plan.objects.all(), "view", code=code)
    if not plan.source_file:
        raise Http404
    response = FileResponse(plan.source_file.open("rb"), as_attachment=True, filename=plan.source_name or plan.source_file.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


def plan_export(request, code: str, fmt: str):
    """The plan's assignment table as DOCX or XLSX; ``?status=1`` adds the status columns."""
    if fmt not in export.FORMATS:
        raise Http404
    plan = access.get_object(request, Plan.objects.select_related("issuer__province", "owner"), "view", code=code)
    with_status = request.GET.get("status", "").lower() in ("1", "true", "yes", "on")
    body = export.export_plan(plan, fmt, with_status=with_status, on=timezone.localdate())
    response = HttpResponse(body, content_type=export.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{export.filename(plan, fmt, with_status)}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
