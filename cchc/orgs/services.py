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


class UnitLookupError(ValueError):
    pass


def resolve_unit(ref: str, on: dt.date | None = None) -> OrgUnit:
    """A unit by its code, or by its exact name among the units valid at ``on`` (default: today).

    A name shared by several units valid that day (or by none) is refused with a message that
    asks for the code: a score must never land on a unit that no longer exists.
    """
    from django.utils.translation import gettext as _

    text = (ref or "").strip()
    unit = OrgUnit.objects.filter(code=text.upper()).first()
    if unit is not None:
        return unit
    day = on or dt.date.today()
    named = list(OrgUnit.objects.filter(name=text).filter(valid_at_q(day))[:3])
    if len(named) == 1:
        return named[0]
    if not named:
        raise UnitLookupError(_("no unit named or coded “%(ref)s” on %(day)s") % {"ref": text, "day": day.strftime("%d/%m/%Y")})
    codes = ", ".join(u.code for u in named)
    raise UnitLookupError(_("several units are named “%(ref)s” (%(codes)s): use the code") % {"ref": text, "codes": codes})


def home_province() -> OrgUnit | None:
    """The province this installation serves (setting CCHC_PROVINCE), else the first current one loaded."""
    from django.conf import settings

    from cchc.orgs.models import UnitType

    provinces = OrgUnit.objects.filter(type=UnitType.PROVINCE)
    if settings.CCHC_PROVINCE:
        from cchc.orgs.loader import LoaderError, find_province, province_code_of

        try:
            found = provinces.filter(code=f"P{province_code_of(find_province(settings.CCHC_PROVINCE))}").first()
        except LoaderError:
            found = None
        if found:
            return found
    return provinces.current().order_by("code").first()
