"""The start page of plans: every plan with its tasks counted by status, and the ways in."""

from collections import defaultdict

from django.shortcuts import render

from cchc.core import access

from . import services
from .models import Plan, Task
from .services import STATUS_LABELS
from .status import Status


def home(request):
    plans = list(access.scoped(request, Plan.objects.select_related("issuer", "owner")).order_by("-year", "number"))
    tasks = access.scoped(request, Task.objects.filter(plan__in=plans))
    rows = services.task_rows(services.with_board_data(tasks), services.today())
    by_plan = defaultdict(list)
    for row in rows:
        by_plan[row.task.plan_id].append(row)
    entries = [
        {"plan": plan, "total": len(by_plan[plan.pk]), "counts": services.status_counts(by_plan[plan.pk])} for plan in plans
    ]
    return render(request, "plans/home.html", {
        "plans": entries,
        "totals": services.status_counts(rows) if rows else [],
        "status_labels": [(s, STATUS_LABELS[s]) for s in Status],
    })
