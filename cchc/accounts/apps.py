from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "cchc.accounts"
    label = "accounts"
    verbose_name = _("People and access")

    def ready(self):
        from cchc.core import navigation

        navigation.register(
            navigation.NavItem(
                key="users",
                label=_("People"),
                url_name="accounts:user_list",
                visible=lambda principal: principal.manages_people,
                order=80,
            )
        )
