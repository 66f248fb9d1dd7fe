"""Access policies for organisation data (registered with the one permission layer)."""

from __future__ import annotations

from django.db.models import Q

from cchc.accounts.models import Membership, Role, User
from cchc.core import access
from cchc.orgs.models import OrgGroup, OrgUnit, Succession


class OrgUnitPolicy(access.Policy):
    """The map of units is reference data: everyone signed in sees it.

    The structure (name, parent, validity, successors) is the reform office's; a unit's
    own officers keep its contact profile.
    """

    owner_field = "pk"
    public_q = Q()

    def is_public(self, obj) -> bool:
        return True

    def can_view(self, principal, obj) -> bool:
        return principal.is_authenticated

    def scope(self, principal, queryset):
        return queryset if principal.is_authenticated else queryset.none()

    def can_edit_profile(self, principal, obj) -> bool:
        return principal.manages or principal.works_for(obj.pk, roles=(Role.OFFICER, Role.ADMIN))

    def can_view_members(self, principal, obj) -> bool:
        return principal.reads_all or principal.in_scope(obj.pk)


class MembershipPolicy(access.Policy):
    """Who works where is seen by the unit itself and province-wide readers."""

    owner_field = "unit"


class UserPolicy(access.Policy):
    """Accounts are managed by the reform office; a person sees their own account."""

    def can_view(self, principal, obj) -> bool:
        return principal.manages or (principal.is_authenticated and obj.pk == principal.user_id)

    def scope(self, principal, queryset):
        if principal.manages:
            return queryset
        return queryset.filter(pk=principal.user_id) if principal.is_authenticated else queryset.none()


class ReferencePolicy(access.Policy):
    """Groups and successions: visible to all signed in, changed by the reform office."""

    def can_view(self, principal, obj) -> bool:
        return principal.is_authenticated

    def scope(self, principal, queryset):
        return queryset if principal.is_authenticated else queryset.none()


access.register(OrgUnit, OrgUnitPolicy())
access.register(Membership, MembershipPolicy())
access.register(User, UserPolicy())
access.register(OrgGroup, ReferencePolicy())
access.register(Succession, ReferencePolicy())
