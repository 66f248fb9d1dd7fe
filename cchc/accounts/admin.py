from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from cchc.accounts.models import Membership, User
from cchc.core.admin import AccessAdminMixin


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(User)
class UserAdmin(AccessAdminMixin, SimpleHistoryAdmin, BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, (None, {"fields": ("full_name", "job_title", "phone")}))
    list_display = ["username", "full_name", "email", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "email"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(AccessAdminMixin, SimpleHistoryAdmin):
    list_display = ["user", "unit", "role", "domain", "active"]
    list_filter = ["role", "active"]
    search_fields = ["user__username", "unit__name"]
    autocomplete_fields = ["user", "unit"]
