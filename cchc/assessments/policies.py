"""Who may see and do what in assessments (registered with the one permission layer)."""

from __future__ import annotations

from django.db.models import Q

from cchc.core import access
from cchc.core.access import APPRAISER, DOMAIN_LEAD, OFFICER

from .models import Citation, Cycle, Entry, Evidence, Round, Submission, SubmissionState

ENTERING_ROLES = (OFFICER, DOMAIN_LEAD)


class SubmissionPolicy(access.Policy):
    """A submission belongs to the unit that enters it (and to its subject).

    Drafts and appraisal are seen by that unit, appraisers and province-wide readers;
    published submissions by everyone signed in.
    """

    owner_field = "owner"
    public_q = Q(state=SubmissionState.PUBLISHED)

    def is_public(self, obj) -> bool:
        return obj.state == SubmissionState.PUBLISHED

    def can_view(self, principal, obj) -> bool:
        if not principal.is_authenticated:
            return False
        return (
            principal.reads_all
            or self.is_public(obj)
            or principal.in_scope(obj.owner_id)
            or principal.in_scope(obj.subject_id)
        )

    def scope(self, principal, queryset):
        if not principal.is_authenticated:
            return queryset.none()
        if principal.reads_all:
            return queryset
        ids = principal.scope_unit_ids
        return queryset.filter(Q(owner__in=ids) | Q(subject__in=ids) | self.public_q)

    def can_change(self, principal, obj) -> bool:
        """Enter scores and evidence, submit: the owner unit's officers or domain leads."""
        return principal.works_for(obj.owner_id, roles=ENTERING_ROLES)

    def can_appraise(self, principal, obj) -> bool:
        return principal.manages or APPRAISER in principal.roles

    def can_manage(self, principal, obj) -> bool:
        """Lock and publish rounds, open cycles: the reform office."""
        return principal.manages


class EntryPolicy(access.Policy):
    """An entry follows its submission."""

    def can_view(self, principal, obj) -> bool:
        return SUBMISSIONS.can_view(principal, obj.submission)

    def scope(self, principal, queryset):
        allowed = SUBMISSIONS.scope(principal, Submission.objects.all())
        return queryset.filter(submission__in=allowed)

    def can_change(self, principal, obj) -> bool:
        return SUBMISSIONS.can_change(principal, obj.submission)

    def can_appraise(self, principal, obj) -> bool:
        return SUBMISSIONS.can_appraise(principal, obj.submission)


class EvidencePolicy(access.Policy):
    """The register of a unit: its own people, appraisers and province-wide readers."""

    owner_field = "owner"

    def can_change(self, principal, obj) -> bool:
        return principal.manages or principal.works_for(obj.owner_id, roles=ENTERING_ROLES)

    def can_view(self, principal, obj) -> bool:
        if not principal.is_authenticated:
            return False
        if principal.reads_all or principal.in_scope(obj.owner_id):
            return True
        # Cited by a published submission: the evidence of published numbers is public.
        return obj.citations.filter(entry__submission__state=SubmissionState.PUBLISHED).exists()


class CitationPolicy(access.Policy):
    """A citation follows its entry."""

    def can_view(self, principal, obj) -> bool:
        return ENTRIES.can_view(principal, obj.entry)

    def can_change(self, principal, obj) -> bool:
        return ENTRIES.can_change(principal, obj.entry)


SUBMISSIONS = SubmissionPolicy()
ENTRIES = EntryPolicy()
access.register(Cycle, access.ReferencePolicy())  # the reform office runs cycles and rounds
access.register(Round, access.ReferencePolicy())
access.register(Submission, SUBMISSIONS)
access.register(Entry, ENTRIES)
access.register(Evidence, EvidencePolicy())
access.register(Citation, CitationPolicy())
