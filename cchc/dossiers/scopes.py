"""Which units a figure is about: one unit (and the units under it), all provincial agencies, all
communes, or the whole province.

    s = resolve("P08-SYT")            # Sở Y tế and its internal units
    s = resolve("agencies", province) # every department and provincial agency of the province
    s.unit_ids, s.levels, s.label
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from cchc.orgs.models import OrgUnit, UnitType
from cchc.orgs.tree import descendant_ids

GROUPS = ("province", "agencies", "communes")
PROVINCIAL_TYPES = (UnitType.DEPARTMENT, UnitType.AGENCY)


class ScopeError(ValueError):
    pass


@dataclass(frozen=True)
class Scope:
    code: str
    label: str
    unit_ids: frozenset[int]
    levels: tuple[str, ...]  # procedure levels of the catalogue that apply ("tinh", "xa")
    unit: OrgUnit | None = None  # when the scope is one unit


def _province_of(unit: OrgUnit) -> OrgUnit:
    return unit if unit.type == UnitType.PROVINCE else (unit.province or unit)


def resolve(code: str, province: OrgUnit | None = None) -> Scope:
    """A group name (with the province it is of) or a unit code."""
    code = (code or "").strip()
    if code in GROUPS:
        if province is None:
            raise ScopeError(_("Say which province."))
        units = OrgUnit.objects.current().filter(province=province)
        if code == "province":
            ids = set(units.values_list("pk", flat=True)) | {province.pk}
            return Scope(code, province.name, frozenset(ids), ("tinh", "xa"))
        if code == "agencies":
            ids = set(units.filter(type__in=PROVINCIAL_TYPES).values_list("pk", flat=True))
            ids |= descendant_ids(ids)
            return Scope(code, _("Provincial agencies"), frozenset(ids), ("tinh",))
        ids = set(units.filter(type=UnitType.COMMUNE).values_list("pk", flat=True))
        return Scope(code, _("Communes"), frozenset(ids), ("xa",))
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        raise ScopeError(_("No unit with the code %(code)s.") % {"code": code})
    if unit.type == UnitType.PROVINCE:
        return resolve("province", unit)
    levels = ("xa",) if unit.type == UnitType.COMMUNE else ("tinh",)
    return Scope(unit.code, unit.name, frozenset({unit.pk} | descendant_ids({unit.pk})), levels, unit)
