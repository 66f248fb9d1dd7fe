"""Access to plans and tasks (registered with the one permission layer).

Plans and their tasks are province-wide information: everyone signed in reads them. Writing:
the reform office manages plans (import, edit, approve extensions); a lead unit reports
progress and closes its task; a coordinating unit reports its contribution.
"""

from __future__ import annotations

from cchc.core import access
from cchc.core.access import DOMAIN_LEAD, OFFICER

from .models import ExtensionRequest, ImportBatch, Occurrence, Plan, ProgressUpdate, Task, TaskRole, TaskUnit

ACTING_ROLES = (OFFICER, DOMAIN_LEAD)


class TaskPolicy(access.ReferencePolicy):
    def _units(self, task, role=None):
        """The units that answer today for the task's rows (groups and successions followed)."""
        from .responsibility import Responsibility

        rows = [tu for tu in task.units.all() if role is None or tu.role == role]
        if not rows:
            return []
        answering = Responsibility()
        return sorted({unit for tu in rows for unit in answering.units_of(tu)})

    def can_report(self, principal, task) -> bool:
        """Report progress: an officer of a lead or coordinating unit (or the reform office)."""
        return principal.manages or any(principal.works_for(u, roles=ACTING_ROLES) for u in self._units(task))

    def can_close(self, principal, task) -> bool:
        """Close the task: the lead unit (or the reform office)."""
        return principal.manages or any(principal.works_for(u, roles=ACTING_ROLES) for u in self._units(task, TaskRole.LEAD))

    def can_decide(self, principal, task) -> bool:
        """Approve or refuse extensions: the plan's owner unit and the reform office."""
        from .responsibility import Responsibility

        if principal.manages:
            return True
        owners = Responsibility().current_of(task.plan.owner_id)
        return any(principal.works_for(u, roles=ACTING_ROLES) for u in owners)


class ImportPolicy(access.Policy):
    """An import being previewed belongs to the reform office."""

    def can_view(self, principal, obj) -> bool:
        return principal.manages

    def scope(self, principal, queryset):
        return queryset if principal.manages else queryset.none()


access.register(Plan, access.ReferencePolicy())
access.register(Task, TaskPolicy())
access.register(TaskUnit, access.ReferencePolicy())
access.register(Occurrence, access.ReferencePolicy())
access.register(ProgressUpdate, access.ReferencePolicy())
access.register(ExtensionRequest, access.ReferencePolicy())
access.register(ImportBatch, ImportPolicy())
