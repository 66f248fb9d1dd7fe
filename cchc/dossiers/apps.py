from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "cchc.dossiers"
    label = "dossiers"
    verbose_name = _("Dossiers and services")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from cchc.core import audit, navigation

        from . import policies  # noqa: F401  (registers access policies)

        for label in ("dossiers.Procedure", "dossiers.CalendarAdjustment"):
            audit.register(label)
        navigation.register(
            navigation.NavItem(
                key="dossiers",
                label=_("Dossiers and services"),
                url_name="dossiers:dashboard",
                visible=lambda principal: principal.is_authenticated,
                order=40,
            )
        )
        from .indicators import register_leaf_measures

        register_leaf_measures()  # framework leaves of type "indicator" read the dossiers
