from django.shortcuts import render

from cchc.core import access

from .models import Plan


def home(request):
    plans = access.scoped(request, Plan.objects.select_related("issuer", "owner")).order_by("-year", "number")
    return render(request, "plans/home.html", {"plans": plans})
