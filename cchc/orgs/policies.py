"""Access policies for organisation data (registered with the one permission layer)."""

from __future__ import annotations

from cchc.accounts.models import Membership, Role, User
from cchc.core import access
from cchc.orgs.models import OrgGroup, OrgUnit, Succession


class OrgUnitPolicy(access.ReferencePolicy):
    """The map of units is reference data: everyone signed in sees it.

    The structure (name, parent, validity, successors) is the reform office's; a unit's
    own officers keep its contact profile.
    """

    owner_field = "pk"

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


access.register(OrgUnit, OrgUnitPolicy())
access.register(Membership, MembershipPolicy())
access.register(User, UserPolicy())
access.register(OrgGroup, access.ReferencePolicy())
access.register(Succession, access.ReferencePolicy())
