from django.conf import settings

from cchc.core import navigation as nav


def navigation(request):
    """Menu entries the current principal may see, and the principal itself."""
    principal = getattr(request, "principal", None)
    if principal is None or not principal.is_authenticated:
        return {"nav_items": [], "principal": principal}
    match = getattr(request, "resolver_match", None)
    return {
        "nav_items": nav.items_for(principal),
        "nav_current": match.namespace if match else "",
        "principal": principal,
        "cchc_debug": settings.DEBUG,
    }
