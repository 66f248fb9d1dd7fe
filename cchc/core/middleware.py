from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils.functional import SimpleLazyObject

from cchc.core.access import principal_for


class PrincipalMiddleware:
    """Resolves the user's units and roles once per request: ``request.principal``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.principal = SimpleLazyObject(lambda: principal_for(getattr(request, "user", None)))
        return self.get_response(request)


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Vietnamese unless the person chose another language with the switcher (the language cookie).

    Django's middleware would follow the browser's Accept-Language; the machines of provincial
    offices often run an English browser, and the product speaks Vietnamese by default.
    """

    def process_request(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        super().process_request(request)
