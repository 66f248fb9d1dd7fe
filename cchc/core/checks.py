"""System checks for settings read from the environment."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.compatibility)
def check_data_dir(app_configs, **kwargs):
    data_dir = settings.DATA_DIR
    if data_dir.exists() and not data_dir.is_dir():
        return [Error(f"CCHC_DATA_DIR {data_dir} is not a folder.", id="cchc.E002")]
    return []


@register(Tags.security, deploy=True)
def check_hosts(app_configs, **kwargs):
    if not settings.DEBUG and not settings.ALLOWED_HOSTS:
        return [Warning("ALLOWED_HOSTS is empty: set it to the host names the site is served on.", id="cchc.W001")]
    return []
