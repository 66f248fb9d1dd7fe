"""Access to dossiers (registered with the one permission layer).

Dossiers belong to their receiving unit: its people (and the people of the units above it) read
them, as do the province-wide readers (reform office, leaders, appraisers). The procedure catalogue
and the calendar are reference data that everyone signed in reads. Only the reform office and the
system administrators write (import, edit the calendar).
"""

from __future__ import annotations

from cchc.core import access

from .models import CalendarAdjustment, Dossier, DossierBatch, Procedure


class DossierPolicy(access.Policy):
    owner_field = "unit"


class BatchPolicy(access.Policy):
    """Imports are the reform office's business."""

    def can_view(self, principal, obj) -> bool:
        return principal.manages

    def scope(self, principal, queryset):
        return queryset if principal.manages else queryset.none()


access.register(Dossier, DossierPolicy())
access.register(DossierBatch, BatchPolicy())
access.register(Procedure, access.ReferencePolicy())
access.register(CalendarAdjustment, access.ReferencePolicy())
