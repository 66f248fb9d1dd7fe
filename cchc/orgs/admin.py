from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cchc.core.admin import AccessAdminMixin
from cchc.orgs.models import OrgGroup, OrgUnit, Succession


@admin.register(OrgUnit)
class OrgUnitAdmin(AccessAdminMixin, SimpleHistoryAdmin):
    list_display = ["code", "name", "type", "parent", "valid_from", "valid_to"]
    list_filter = ["type", "division_kind"]
    search_fields = ["code", "name", "short_name", "search_text"]
    autocomplete_fields = ["parent", "province"]


@admin.register(Succession)
class SuccessionAdmin(AccessAdminMixin, SimpleHistoryAdmin):
    list_display = ["predecessor", "successor", "date", "kind"]
    autocomplete_fields = ["predecessor", "successor"]


@admin.register(OrgGroup)
class OrgGroupAdmin(AccessAdminMixin, SimpleHistoryAdmin):
    list_display = ["code", "name", "province", "valid_to"]
    filter_horizontal = ["include", "exclude"]
