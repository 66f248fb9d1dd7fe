from django.shortcuts import render

from cchc.core import access

from .models import Cycle, Submission


def home(request):
    cycles = access.scoped(request, Cycle.objects.select_related("framework")).order_by("-year", "code")
    mine = access.scoped(request, Submission.objects.select_related("round__cycle", "subject")).filter(
        owner__in=request.principal.scope_unit_ids
    )
    return render(request, "assessments/home.html", {"cycles": cycles, "mine": mine})
