"""Access to frameworks (reference data) and scores (owned by their subject)."""

from django.db.models import Q

from cchc.core import access

from .models import Dataset, Framework, Score


class ReferencePolicy(access.Policy):
    def can_view(self, principal, obj) -> bool:
        return principal.is_authenticated

    def scope(self, principal, queryset):
        return queryset if principal.is_authenticated else queryset.none()


class ScorePolicy(access.Policy):
    """Published scores are seen by all signed in; drafts by their subject and province-wide readers."""

    owner_field = "subject"
    public_q = Q(published=True)

    def is_public(self, obj) -> bool:
        return obj.published


access.register(Framework, ReferencePolicy())
access.register(Dataset, ReferencePolicy())
access.register(Score, ScorePolicy())
