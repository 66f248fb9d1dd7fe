from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cchc.accounts.forms import LoginForm, MembershipForm, UserCreateForm
from cchc.accounts.models import Membership, User
from cchc.core import access


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def user_list(request):
    access.require_capability(request, "manages_people")
    users = access.scoped(request, User.objects.prefetch_related("memberships__unit").order_by("username"))
    query = request.GET.get("q", "").strip()
    if query:
        users = users.filter(
            Q(username__icontains=query) | Q(full_name__icontains=query) | Q(memberships__unit__name__icontains=query)
        ).distinct()
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"page": page, "query": query})


def user_create(request):
    access.require_capability(request, "manages_people")
    form = UserCreateForm(request.POST or None)
    membership_form = MembershipForm(request.POST or None, prefix="m", principal=request.principal)
    if request.method == "POST" and form.is_valid() and membership_form.is_valid():
        with transaction.atomic():
            user = form.save()
            Membership.objects.create(
                user=user,
                unit=membership_form.cleaned_data["unit"],
                role=membership_form.cleaned_data["role"],
                domain=membership_form.cleaned_data["domain"],
            )
        messages.success(request, _("Account %(username)s created.") % {"username": user.username})
        return redirect("accounts:user_detail", username=user.username)
    return render(request, "accounts/user_form.html", {"form": form, "membership_form": membership_form})


def user_detail(request, username):
    user = access.get_object(request, User, "view", username=username)
    memberships = access.scoped(request, user.memberships.select_related("unit").order_by("-active", "unit__name"))
    form = MembershipForm(user=user, principal=request.principal) if access.can(request, "change", user) else None
    return render(
        request,
        "accounts/user_detail.html",
        {"person": user, "memberships": memberships, "form": form, "can_change": form is not None},
    )


@require_POST
def membership_add(request, username):
    user = access.get_object(request, User, "change", username=username)
    form = MembershipForm(request.POST, user=user, principal=request.principal)
    if form.is_valid():
        Membership.objects.update_or_create(
            user=user,
            unit=form.cleaned_data["unit"],
            role=form.cleaned_data["role"],
            defaults={"domain": form.cleaned_data["domain"], "active": True},
        )
        messages.success(request, _("Role added."))
        return redirect("accounts:user_detail", username=user.username)
    memberships = user.memberships.select_related("unit").order_by("-active", "unit__name")
    return render(
        request,
        "accounts/user_detail.html",
        {"person": user, "memberships": memberships, "form": form, "can_change": True},
        status=400,
    )


@require_POST
def membership_end(request, username):
    user = access.get_object(request, User, "change", username=username)
    membership = access.get_object(
        request,
        user.memberships.all(),
        "change",
        unit__code=request.POST.get("unit"),
        role=request.POST.get("role"),
    )
    membership.active = False
    membership.save()
    messages.success(request, _("Role ended: %(membership)s.") % {"membership": membership})
    return redirect("accounts:user_detail", username=user.username)
