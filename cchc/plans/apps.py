from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "cchc.plans"
    label = "plans"
    verbose_name = _("Plans and tasks")

    def ready(self):
        from cchc.core import audit, indicators, navigation

        from . import policies  # noqa: F401  (registers access policies)

        for label in ("plans.Plan", "plans.Task", "plans.TaskUnit", "plans.ProgressUpdate", "plans.ExtensionRequest"):
            audit.register(label)
        navigation.register(
            navigation.NavItem(
                key="plans",
                label=_("Plans and tasks"),
                url_name="plans:home",
                visible=lambda principal: principal.is_authenticated,
                order=30,
            )
        )
        from .services import COMPLETION_RATE, completion_reading

        indicators.register(COMPLETION_RATE, completion_reading)  # "completion of the reform plan" leaves
