"""Services around organisation units: the name matcher over the database."""

from __future__ import annotations

import datetime as dt

from cchc.orgs.matching import Candidate, Matcher
from cchc.orgs.models import OrgGroup, OrgUnit, valid_at_q


def matcher_for(province: OrgUnit, day: dt.date) -> Matcher:
    """A matcher over the units and groups of ``province`` valid at ``day``.

    Units of predecessor provinces are included for dates before a merger, so a 2021
    plan of Hà Giang reads "Sở Nội vụ" as Hà Giang's own department.
    """
    provinces = [province]
    if not province.is_valid_at(day):
        provinces = [p for p in province.predecessors() if p.is_valid_at(day)] or provinces
    units = OrgUnit.objects.filter(province__in=provinces).filter(valid_at_q(day))
    external = OrgUnit.objects.filter(type="external", province__in=provinces)
    groups = OrgGroup.objects.filter(province__in=provinces).filter(valid_at_q(day))
    candidates = [
        Candidate(code=u.code, name=u.name, kind="unit", aliases=tuple(u.alias_list), short_name=u.short_name)
        for u in (units | external).distinct()
    ]
    candidates += [Candidate(code=g.code, name=g.name, kind="group", aliases=tuple(g.alias_list)) for g in groups]
    names = [p.short_name or p.name for p in provinces] + [p.short_name for p in province.predecessors()]
    return Matcher(candidates, province_names=[n for n in names if n])
