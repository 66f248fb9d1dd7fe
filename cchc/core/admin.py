"""The Django admin goes through the same permission layer: system administrators only."""

from django.contrib import admin

from cchc.core import access


class AccessAdminMixin:
    def _is_admin(self, request) -> bool:
        return access.principal_of(request).is_admin

    def has_module_permission(self, request):
        return self._is_admin(request)

    def has_view_permission(self, request, obj=None):
        return self._is_admin(request) and (obj is None or access.can(request, "view", obj))

    def has_change_permission(self, request, obj=None):
        return self._is_admin(request) and (obj is None or access.can(request, "change", obj))

    def has_add_permission(self, request, *args):
        return self._is_admin(request)

    def has_delete_permission(self, request, obj=None):
        return self._is_admin(request) and (obj is None or access.can(request, "change", obj))

    def get_queryset(self, request):
        return access.scoped(request, super().get_queryset(request))


admin.site.has_permission = lambda request: bool(
    request.user.is_active and request.user.is_staff and access.principal_of(request).is_admin
)
