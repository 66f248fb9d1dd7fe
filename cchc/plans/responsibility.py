"""Who answers today for the units and groups a plan names.

A plan names its units as they were on the plan's date: a 2021 plan of Tuyên Quang assigns tasks to
"Sở Kế hoạch và Đầu tư" (merged into Sở Tài chính in 2025) or to "Các cơ quan chuyên môn thuộc UBND
tỉnh" (a group, whose members are read at the plan's date). The task keeps what the plan wrote; the
people who answer for it today are those of

* the unit itself while it exists, else the units that carry it on (its successions, followed until a
  unit that exists on the day asked);
* for a group, every member at the plan's date, each followed the same way.

One ``Responsibility`` per request or per run caches the group members and successions it reads.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Q

from cchc.orgs.models import OrgUnit, Succession

from .models import TaskUnit


def plan_date(plan) -> dt.date:
    """The day a plan's names are read at: its issue date, else the first day of its year."""
    return plan.issued_on or dt.date(plan.year, 1, 1)


class Responsibility:
    def __init__(self, on: dt.date | None = None):
        from .services import today

        self.on = on or today()
        self._valid: set[int] | None = None
        self._successors: dict[int, list[int]] | None = None
        self._current: dict[int, frozenset[int]] = {}
        self._members: dict[tuple[int, dt.date], frozenset[int]] = {}

    # --- reading the organisation once -------------------------------------------------------

    def _load(self) -> None:
        if self._valid is None:
            self._valid = set(OrgUnit.objects.valid_at(self.on).values_list("pk", flat=True))
            links: dict[int, list[int]] = defaultdict(list)
            for old, new in Succession.objects.filter(date__lte=self.on).values_list("predecessor", "successor"):
                links[old].append(new)
            self._successors = links

    def current_of(self, unit_id: int) -> frozenset[int]:
        """The unit if it exists on the day, else the existing units that carry it on (maybe none)."""
        if unit_id not in self._current:
            self._load()
            found, seen, frontier = set(), {unit_id}, [unit_id]
            while frontier:
                unit = frontier.pop()
                if unit in self._valid:
                    found.add(unit)
                    continue
                for nxt in self._successors.get(unit, ()):
                    if nxt not in seen:
                        seen.add(nxt)
                        frontier.append(nxt)
            self._current[unit_id] = frozenset(found)
        return self._current[unit_id]

    def members(self, group, day: dt.date) -> frozenset[int]:
        key = (group.pk, day)
        if key not in self._members:
            self._members[key] = frozenset(group.members_at(day).values_list("pk", flat=True))
        return self._members[key]

    # --- task units ------------------------------------------------------------------------

    def units_of(self, task_unit: TaskUnit) -> frozenset[int]:
        """The existing units that answer for a lead or coordinating row today."""
        if task_unit.unit_id:
            return self.current_of(task_unit.unit_id)
        if task_unit.group_id:
            day = plan_date(task_unit.task.plan)
            result: set[int] = set()
            for member in self.members(task_unit.group, day):
                result |= self.current_of(member)
            return frozenset(result)
        return frozenset()

    def answers(self, task_unit: TaskUnit, unit_id: int) -> bool:
        return unit_id in self.units_of(task_unit)

    def task_units_for(self, unit_ids) -> Q:
        """A filter on TaskUnit: the rows that ``unit_ids`` answer for (directly, as successors, via groups)."""
        wanted = set(unit_ids)
        if not wanted:
            return Q(pk__in=[])
        self._load()
        # Units (of any date) whose current units meet ``wanted``: walk the successions backwards.
        predecessors: dict[int, list[int]] = defaultdict(list)
        for old, news in self._successors.items():
            for new in news:
                predecessors[new].append(old)
        named, frontier = set(wanted), list(wanted)
        while frontier:
            for old in predecessors.get(frontier.pop(), ()):
                if old not in named:
                    named.add(old)
                    frontier.append(old)
        named = {u for u in named if self.current_of(u) & wanted}
        via_groups = [
            tu.pk
            for tu in TaskUnit.objects.filter(group__isnull=False).select_related("group", "task__plan")
            if self.units_of(tu) & wanted
        ]
        return Q(unit__in=named) | Q(pk__in=via_groups)
