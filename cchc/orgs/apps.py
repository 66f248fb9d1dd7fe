from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "cchc.orgs"
    label = "orgs"
    verbose_name = _("Organisations")

    def ready(self):
        from cchc.core import navigation

        from . import policies  # noqa: F401  (registers access policies)

        navigation.register(
            navigation.NavItem(
                key="orgs",
                label=_("Organisations"),
                url_name="orgs:tree",
                visible=lambda principal: principal.is_authenticated,
                order=10,
            )
        )
