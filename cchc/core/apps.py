from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "cchc.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from . import checks, navigation  # noqa: F401  (registers system checks)

        navigation.register(
            navigation.NavItem(
                key="audit",
                label=_("Audit history"),
                url_name="core:audit",
                visible=lambda principal: principal.reads_audit,
                order=90,
            )
        )
