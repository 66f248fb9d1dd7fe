"""Access to frameworks (reference data) and scores (owned by their subject)."""

from django.db.models import Q

from cchc.core import access

from .models import Dataset, Framework, Score


class ScorePolicy(access.Policy):
    """Published scores are seen by all signed in; drafts by their subject and province-wide readers."""

    owner_field = "subject"
    public_q = Q(published=True)

    def is_public(self, obj) -> bool:
        return obj.published


access.register(Framework, access.ReferencePolicy())
access.register(Dataset, access.ReferencePolicy())
access.register(Score, ScorePolicy())
