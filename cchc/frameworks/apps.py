from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrameworksConfig(AppConfig):
    name = "cchc.frameworks"
    label = "frameworks"
    verbose_name = _("Frameworks and scores")

    def ready(self):
        from cchc.core import audit, navigation

        from . import policies  # noqa: F401  (registers access policies)

        audit.register("frameworks.Framework")
        audit.register("frameworks.Score")
        navigation.register(
            navigation.NavItem(
                key="frameworks",
                label=_("Indexes"),
                url_name="frameworks:list",
                visible=lambda principal: principal.is_authenticated,
                order=20,
            )
        )
