"""The permission layer: who may see and change what, decided in one place.

Views, exports, downloads, commands, background tasks, the admin and (later) the API
all ask this module. Nobody re-implements a rule.

* ``principal_for(user)`` resolves a user's units and roles once (the middleware puts
  it on ``request.principal``).
* Each model that holds agency-owned data registers a ``Policy``: which unit owns an
  object, whether it is public (published), and who may change it.
* ``get_object(request, queryset, action, **lookup)`` returns the object, or raises 404
  to outsiders (they must not learn what exists) and 403 to a reader who tries to write.
* ``scoped(request, queryset)`` narrows a list to what the principal may see.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import Http404

from cchc.accounts.models import Role

# Plain strings: an Enum member hashes by its name, so it must not be looked up in a set of values.
ADMIN, REFORM_OFFICE, VIEWER, APPRAISER = Role.ADMIN.value, Role.REFORM_OFFICE.value, Role.VIEWER.value, Role.APPRAISER.value
OFFICER, DOMAIN_LEAD = Role.OFFICER.value, Role.DOMAIN_LEAD.value


@dataclass(frozen=True)
class Principal:
    user_id: int | None = None
    username: str = ""
    is_authenticated: bool = False
    is_superuser: bool = False
    # (unit id, role, domain) for every active membership
    memberships: tuple[tuple[int, str, str], ...] = ()
    # Units of the memberships and every unit below them.
    scope_unit_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(role for _, role, _ in self.memberships)

    @property
    def is_admin(self) -> bool:
        return self.is_authenticated and (self.is_superuser or ADMIN in self.roles)

    @property
    def is_reform_office(self) -> bool:
        return self.is_authenticated and REFORM_OFFICE in self.roles

    @property
    def manages(self) -> bool:
        """May change province-wide data (frameworks, structure, publication)."""
        return self.is_admin or self.is_reform_office

    @property
    def reads_all(self) -> bool:
        """May read every agency's data, published or not."""
        return self.manages or bool({VIEWER, APPRAISER} & self.roles)

    @property
    def is_read_only(self) -> bool:
        """A viewer with no other role changes nothing."""
        return self.is_authenticated and self.roles <= {VIEWER} and not self.is_superuser

    @property
    def reads_audit(self) -> bool:
        return self.manages

    @property
    def manages_people(self) -> bool:
        return self.manages

    def unit_ids_with_role(self, *roles: str) -> set[int]:
        wanted = {str(role) for role in roles}
        return {unit for unit, role, _ in self.memberships if role in wanted}

    def in_scope(self, unit_id: int | None) -> bool:
        return unit_id is not None and unit_id in self.scope_unit_ids

    def works_for(self, unit_id: int | None, roles: Iterable[str] = (OFFICER, DOMAIN_LEAD)) -> bool:
        """The principal holds one of ``roles`` in this unit or in a unit above it."""
        if unit_id is None or self.is_read_only:
            return False
        from cchc.orgs.tree import ancestor_ids

        own = self.unit_ids_with_role(*(str(role) for role in roles))
        return bool(own & ({unit_id} | ancestor_ids(unit_id)))


ANONYMOUS = Principal()


def principal_for(user) -> Principal:
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    from cchc.accounts.models import Membership
    from cchc.orgs.tree import descendant_ids

    rows = tuple(
        Membership.objects.active().filter(user=user).values_list("unit_id", "role", "domain").order_by("pk")
    )
    units = {unit for unit, _, _ in rows}
    return Principal(
        user_id=user.pk,
        username=user.get_username(),
        is_authenticated=True,
        is_superuser=user.is_superuser,
        memberships=rows,
        scope_unit_ids=frozenset(units | descendant_ids(units)),
    )


def principal_of(subject) -> Principal:
    """Accept a request, a principal or a user."""
    if isinstance(subject, Principal):
        return subject
    principal = getattr(subject, "principal", None)
    if principal is not None:
        return principal
    if hasattr(subject, "user"):
        return principal_for(subject.user)
    return principal_for(subject)


class Policy:
    """How a model's objects are owned and who may act on them.

    Subclasses set ``owner_field`` (the path to the owning OrgUnit's id, used to scope
    querysets) and may override the ``can_*`` methods. The default: the owner unit's
    members and province-wide readers see an object; only the reform office and system
    administrators change it.
    """

    owner_field: str | None = None
    public_q: Q | None = None  # objects everyone signed in may see (published data)

    def owner_unit_id(self, obj) -> int | None:
        if self.owner_field is None:
            return None
        value = obj
        for part in self.owner_field.split("__"):
            value = getattr(value, part, None)
            if value is None:
                return None
        return value.pk if isinstance(value, Model) else value

    def is_public(self, obj) -> bool:
        if self.public_q is None:
            return False
        return type(obj)._default_manager.filter(self.public_q, pk=obj.pk).exists()

    def can_view(self, principal: Principal, obj) -> bool:
        if not principal.is_authenticated:
            return False
        return principal.reads_all or self.is_public(obj) or principal.in_scope(self.owner_unit_id(obj))

    def can_change(self, principal: Principal, obj) -> bool:
        return principal.manages

    def scope(self, principal: Principal, queryset: QuerySet) -> QuerySet:
        if not principal.is_authenticated:
            return queryset.none()
        if principal.reads_all:
            return queryset
        visible = Q(pk__in=[])
        if self.owner_field:
            visible |= Q(**{f"{self.owner_field}__in": principal.scope_unit_ids})
        if self.public_q is not None:
            visible |= self.public_q
        return queryset.filter(visible)


class ReferencePolicy(Policy):
    """Reference data (the map of units, frameworks, cycles): everyone signed in reads it;
    the reform office and system administrators change it."""

    def can_view(self, principal: Principal, obj) -> bool:
        return principal.is_authenticated

    def scope(self, principal: Principal, queryset: QuerySet) -> QuerySet:
        return queryset if principal.is_authenticated else queryset.none()


_POLICIES: dict[type, Policy] = {}


def register(model: type[Model], policy: Policy) -> None:
    _POLICIES[model] = policy


def policy_for(model_or_obj) -> Policy:
    model = model_or_obj if isinstance(model_or_obj, type) else type(model_or_obj)
    model = getattr(model, "_meta", None) and model._meta.concrete_model or model
    try:
        return _POLICIES[model]
    except KeyError:
        raise LookupError(f"No access policy registered for {model.__name__}") from None


def is_read_action(action: str) -> bool:
    """Actions named ``view`` or ``view_*`` read; every other action writes."""
    return action == "view" or action.startswith("view_")


def can(subject, action: str, obj) -> bool:
    principal = principal_of(subject)
    check = getattr(policy_for(obj), f"can_{action}", None)
    if check is None:
        raise LookupError(f"Unknown action {action!r} for {type(obj).__name__}")
    if not is_read_action(action) and principal.is_read_only:
        return False
    return bool(check(principal, obj))


def scoped(subject, queryset: QuerySet) -> QuerySet:
    return policy_for(queryset.model).scope(principal_of(subject), queryset)


def require(subject, action: str, obj) -> None:
    """404 if the principal may not even see ``obj``; 403 if it may see but not do ``action``."""
    if not can(subject, "view", obj):
        raise Http404
    if action != "view" and not can(subject, action, obj):
        raise PermissionDenied


def get_object(subject, queryset, action: str = "view", **lookup):
    if isinstance(queryset, type):
        queryset = queryset._default_manager.all()
    try:
        obj = queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None
    require(subject, action, obj)
    return obj


def require_capability(subject, capability: str) -> Principal:
    """For pages that are not about one object: ``manages``, ``reads_audit``..."""
    principal = principal_of(subject)
    if not principal.is_authenticated:
        raise Http404
    if not getattr(principal, capability):
        raise PermissionDenied
    return principal
