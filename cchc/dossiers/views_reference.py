"""Reference pages: the procedure catalogue and the working-day calendar of a year.

Everyone signed in reads both; only the reform office (and the administrators) changes the calendar
(403 for others). The catalogue is changed by importing it (the import page).
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cchc.core import access

from .forms import AdjustmentForm
from .models import AdjustmentKind, CalendarAdjustment, Level, OnlineLevel, Procedure, calendar
from .periods import month_end

PAGE_SIZE = 50


def procedures(request):
    get = request.GET
    qs = access.scoped(request, Procedure.objects.all())
    q = (get.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q))
    level = get.get("level", "")
    if level in Level.values:
        qs = qs.filter(level=level)
    field_name = (get.get("field") or "").strip()
    if field_name:
        qs = qs.filter(field=field_name)
    online = get.get("online", "")
    if online in OnlineLevel.values:
        qs = qs.filter(online_level=online)
    page = Paginator(qs.order_by("code"), PAGE_SIZE).get_page(get.get("page"))
    fields = list(Procedure.objects.exclude(field="").values_list("field", flat=True).distinct().order_by("field"))
    return render(request, "dossiers/procedures.html", {
        "page": page, "q": q, "level": level, "field": field_name, "online": online, "fields": fields,
        "levels": Level.choices, "online_levels": OnlineLevel.choices, "nav_current": "dossiers",
    })


def _year(request) -> int:
    raw = (request.GET.get("year") or request.POST.get("year") or "").strip()
    if not raw:
        return timezone.localdate().year
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        raise Http404
    return int(raw)


def calendar_page(request, form: AdjustmentForm | None = None, status: int = 200):
    year = _year(request)
    cal = calendar()
    adjustments = list(CalendarAdjustment.objects.filter(date__year=year).order_by("date"))
    entered = {a.date: a for a in adjustments}
    off = cal.days_off(year)
    make_up = cal.make_up_days_in(year)
    days = []
    for day, name in off.items():
        days.append({"date": day, "kind": "off", "name": name, "adjustment": entered.get(day), "weekend": day.weekday() >= 5})
    for day in make_up:
        days.append({"date": day, "kind": "make_up", "name": getattr(entered.get(day), "name", ""),
                     "adjustment": entered.get(day), "weekend": day.weekday() >= 5})
    days.sort(key=lambda d: d["date"])
    months = []
    for month in range(1, 13):
        first = dt.date(year, month, 1)
        last = month_end(first)
        working = cal.working_days_between(first - dt.timedelta(days=1), last)
        months.append({"month": month, "working": working, "days": [d for d in days if d["date"].month == month]})
    principal = request.principal
    if form is None and principal.manages:
        form = AdjustmentForm(initial={"kind": AdjustmentKind.OFF})
    return render(request, "dossiers/calendar.html", {
        "year": year, "months": months, "adjustments": adjustments, "uses_defaults": not adjustments,
        "form": form, "can_change": principal.manages and not principal.is_read_only,
        "years": list(range(timezone.localdate().year - 2, timezone.localdate().year + 3)),
        "working_total": sum(m["working"] for m in months), "nav_current": "dossiers",
    }, status=status)


@require_POST
def calendar_add(request):
    access.require_capability(request, "manages")
    form = AdjustmentForm(request.POST)
    if not form.is_valid():
        request.GET = request.GET.copy()
        if form.cleaned_data.get("date"):
            request.GET["year"] = str(form.cleaned_data["date"].year)
        return calendar_page(request, form=form, status=400)
    adjustment = form.save()
    messages.success(request, _("Added: %(what)s.") % {"what": adjustment})
    return redirect(reverse("dossiers:calendar") + f"?year={adjustment.date.year}")


@require_POST
def calendar_delete(request, pk):
    access.require_capability(request, "manages")
    adjustment = CalendarAdjustment.objects.filter(pk=pk).first()
    if adjustment is None:
        raise Http404
    year = adjustment.date.year
    adjustment.delete()
    messages.success(request, _("Removed: %(what)s.") % {"what": adjustment})
    return redirect(reverse("dossiers:calendar") + f"?year={year}")


@require_POST
def calendar_copy_defaults(request):
    """Write the built-in schedule of a year as rows the reform office can then correct."""
    access.require_capability(request, "manages")
    from cchc.workdays import DEFAULT_ADJUSTMENTS

    year = _year(request)
    if CalendarAdjustment.objects.filter(date__year=year).exists():
        messages.error(request, _("The year already has its own days; the built-in schedule was not copied."))
        return redirect(reverse("dossiers:calendar") + f"?year={year}")
    created = 0
    for adjustment in DEFAULT_ADJUSTMENTS.get(year, ()):
        for day in adjustment.days():
            kind = AdjustmentKind.OFF if adjustment.kind == "off" else AdjustmentKind.MAKE_UP
            _obj, made = CalendarAdjustment.objects.get_or_create(
                date=day, defaults={"kind": kind, "name": adjustment.what[:255], "source": adjustment.source[:500]},
            )
            created += made
    messages.success(request, _("%(count)d days copied from the built-in schedule.") % {"count": created})
    return redirect(reverse("dossiers:calendar") + f"?year={year}")
