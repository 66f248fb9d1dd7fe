"""Reference pages: the procedure catalogue and the working-day calendar of a year.

Everyone signed in reads both; only the reform office (and the administrators) changes the calendar
(403 for others). The catalogue is changed by importing it (the import page). A change of the
calendar recomputes the dossiers it concerns in the background (``rederive.py``); the page shows
the progress (to the reform office).
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cchc.core import access

from . import tasks
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
    jobs = []
    if principal.manages:
        jobs = tasks.recent_jobs(kind=tasks.REDERIVE)
        shown = request.GET.get("job")
        if shown and not any(j["job"] == shown for j in jobs):
            try:
                job_status = tasks.read_status(shown)
            except ValueError:
                job_status = None
            if job_status and job_status.get("kind") == tasks.REDERIVE:
                jobs.insert(0, {"job": shown, **job_status})
    if form is None and principal.manages:
        form = AdjustmentForm(initial={"kind": AdjustmentKind.OFF})
    return render(request, "dossiers/calendar.html", {
        "year": year, "months": months, "adjustments": adjustments, "uses_defaults": not adjustments,
        "form": form, "can_change": principal.manages and not principal.is_read_only,
        "years": list(range(timezone.localdate().year - 2, timezone.localdate().year + 3)),
        "working_total": sum(m["working"] for m in months), "nav_current": "dossiers",
        "jobs": [_rederive_context(request, j["job"], j) for j in jobs],
    }, status=status)


def _start_rederive(request, first: dt.date, last: dt.date) -> str:
    """Recompute, in the background, the dossiers that the days ``first``..``last`` concern."""
    job = tasks.new_status_job(kind=tasks.REDERIVE, since=first.isoformat(), until=last.isoformat(),
                               user_id=request.user.pk, checked=0, total=None)
    tasks.rederive_dossiers.enqueue(job, since=first.isoformat(), until=last.isoformat(),
                                    language=translation.get_language() or "vi")
    return job


def _rederive_context(request, job: str, status: dict) -> dict:
    total, checked = status.get("total"), status.get("checked") or 0
    finished = status.get("state") in tasks.FINISHED
    return {
        "job": job, "status": status, "finished": finished,
        "percent": 100 if finished else (min(100, int(checked * 100 / total)) if total else None),
        "since": dt.date.fromisoformat(status["since"]) if status.get("since") else None,
        "until": dt.date.fromisoformat(status["until"]) if status.get("until") else None,
        "fragment_url": reverse("dossiers:rederive_job", args=[job]),
    }


def rederive_job(request, job):
    """The progress of a recomputation (polled by the calendar page)."""
    if not request.principal.manages:
        raise Http404
    try:
        status = tasks.read_status(job)
    except ValueError:
        raise Http404 from None
    if status is None or status.get("kind") != tasks.REDERIVE:
        raise Http404
    return render(request, "dossiers/_rederive_job.html", {"j": _rederive_context(request, job, status)})


def _after_change(request, first: dt.date, last: dt.date, year: int):
    job = _start_rederive(request, first, last)
    return redirect(reverse("dossiers:calendar") + f"?year={year}&job={job}")


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
    return _after_change(request, adjustment.date, adjustment.date, adjustment.date.year)


@require_POST
def calendar_delete(request, pk):
    access.require_capability(request, "manages")
    adjustment = CalendarAdjustment.objects.filter(pk=pk).first()
    if adjustment is None:
        raise Http404
    day = adjustment.date
    adjustment.delete()
    messages.success(request, _("Removed: %(what)s.") % {"what": adjustment})
    return _after_change(request, day, day, day.year)


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
    # The same days as before, so nothing should change; checked all the same (the year's rows now
    # replace the built-in schedule, whatever was entered in between).
    return _after_change(request, dt.date(year, 1, 1), dt.date(year, 12, 31), year)
