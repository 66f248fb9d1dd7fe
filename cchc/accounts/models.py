"""People, their units and roles.

A user belongs to one or more organisation units with a role. What a role may do is
decided in one place, ``cchc.core.access``; this module only stores the facts.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    ADMIN = "admin", _("System administrator")
    REFORM_OFFICE = "reform_office", _("Reform office")
    DOMAIN_LEAD = "domain_lead", _("Domain lead")
    OFFICER = "officer", _("Agency officer")
    APPRAISER = "appraiser", _("Appraiser")
    VIEWER = "viewer", _("Viewer (leader)")


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)

    history = HistoricalRecords(
        excluded_fields=["password", "last_login"],
        verbose_name=_("historical user"),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True, unit__valid_to__isnull=True)

    def for_unit(self, unit):
        return self.filter(unit=unit)


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user"))
    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="memberships", verbose_name=_("unit")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    domain = models.CharField(
        _("domain"),
        max_length=50,
        blank=True,
        help_text=_("For a domain lead: the code of the index domain they score, e.g. 3."),
    )
    active = models.BooleanField(_("active"), default=True)
    created = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords(verbose_name=_("historical membership"))
    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["unit__name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="membership_unique_user_unit_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"
