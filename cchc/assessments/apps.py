from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "cchc.assessments"
    label = "assessments"
    verbose_name = _("Assessment")

    def ready(self):
        from cchc.core import audit, navigation

        from . import policies  # noqa: F401  (registers access policies)

        for label in ("assessments.Submission", "assessments.Entry", "assessments.Evidence", "assessments.Round", "assessments.Citation"):
            audit.register(label)
        navigation.register(
            navigation.NavItem(
                key="assessments",
                label=_("Assessment"),
                url_name="assessments:home",
                visible=lambda principal: principal.is_authenticated,
                order=15,
            )
        )
