from django.utils.functional import SimpleLazyObject

from cchc.core.access import principal_for


class PrincipalMiddleware:
    """Resolves the user's units and roles once per request: ``request.principal``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.principal = SimpleLazyObject(lambda: principal_for(getattr(request, "user", None)))
        return self.get_response(request)
