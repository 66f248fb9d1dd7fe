"""Load a province, its communes, its agencies and their history.

Sources: the ``vietnam-provinces`` package (34 provinces and their communes after the
2025 reorganisation), ``data/provinces_2025.yaml`` (which provinces merged, and their
historic district committees) and a template of the standard provincial agencies
(``data/provincial_template.yaml`` by default; configurable).

Loading is idempotent: units are matched by their stable code, a changed name is
updated in place, and a second run writes nothing. Everything runs in one transaction:
bad input changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import transaction
from django.utils.translation import gettext as _
from vietnam_provinces import Province, VietNamDivisionType, Ward

from cchc.orgs.matching import fold
from cchc.orgs.models import DivisionKind, OrgGroup, OrgUnit, Succession, SuccessionKind, UnitType

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_TEMPLATE = DATA_DIR / "provincial_template.yaml"
MERGERS_FILE = DATA_DIR / "provinces_2025.yaml"

TEMPLATE_TYPES = {UnitType.DEPARTMENT, UnitType.AGENCY, UnitType.INTERNAL, UnitType.EXTERNAL}
KEY_RE = re.compile(r"^[A-Z0-9][A-Z0-9_-]*$")
DIVISION_KINDS = {
    VietNamDivisionType.TINH: DivisionKind.TINH,
    VietNamDivisionType.THANH_PHO_TRUNG_UONG: DivisionKind.THANH_PHO_TW,
    VietNamDivisionType.XA: DivisionKind.XA,
    VietNamDivisionType.PHUONG: DivisionKind.PHUONG,
    VietNamDivisionType.DAC_KHU: DivisionKind.DAC_KHU,
}


class LoaderError(Exception):
    """Bad input: one clear line saying what is wrong and where."""


@dataclass
class LoadReport:
    province: OrgUnit | None = None
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    communes: int = 0
    changes: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


# --- finding the province ---------------------------------------------------------


def province_code_of(province: Province) -> str:
    return f"{int(province.code):02d}"


def find_province(ref: str) -> Province:
    """Accept a name ("Tuyên Quang", "tuyen quang", "Tỉnh Tuyên Quang"), a code ("8", "08", "P08")."""
    text = (ref or "").strip()
    if not text:
        raise LoaderError(_("No province given."))
    code = text.upper().removeprefix("P")
    provinces = list(Province.iter_all())
    if code.isdigit():
        for p in provinces:
            if int(p.code) == int(code):
                return p
    wanted = fold(text).replace("_", " ")
    for prefix in ("tinh ", "thanh pho "):
        wanted = wanted.removeprefix(prefix)
    for p in provinces:
        names = {fold(p.name), fold(p.name).removeprefix("thanh pho "), p.codename.replace("_", " ")}
        if wanted in names:
            return p
    known = ", ".join(sorted(p.name for p in provinces))
    raise LoaderError(_("Unknown province “%(ref)s”. Known provinces: %(known)s.") % {"ref": ref, "known": known})


def province_display_name(province: Province) -> str:
    if province.division_type == VietNamDivisionType.TINH:
        return f"Tỉnh {province.name}"
    return province.name


def province_short_name(name: str) -> str:
    return name.removeprefix("Tỉnh ").removeprefix("Thành phố ")


# --- reading the template ---------------------------------------------------------


def _date(value, where: str):
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise LoaderError(_("%(where)s: “%(value)s” is not a date (YYYY-MM-DD).") % {"where": where, "value": value}) from None


def read_yaml(path: Path) -> dict:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LoaderError(_("File not found: %(path)s") % {"path": path}) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LoaderError(_("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc}) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise LoaderError(_("%(path)s%(line)s: not valid YAML (%(problem)s).") % {"path": path, "line": line, "problem": problem}) from None
    if not isinstance(data, dict):
        raise LoaderError(_("%(path)s: expected a mapping with “units” and “groups”.") % {"path": path})
    return data


def read_template(path: Path | None = None) -> dict:
    """Read and check a template; every problem raises LoaderError naming the file and entry."""
    path = Path(path or DEFAULT_TEMPLATE)
    data = read_yaml(path)
    units = data.get("units")
    if not isinstance(units, list) or not units:
        raise LoaderError(_("%(path)s: “units” must be a non-empty list.") % {"path": path})
    keys: dict[str, dict] = {}
    for index, unit in enumerate(units, start=1):
        where = f"{path}: units[{index}]"
        if not isinstance(unit, dict):
            raise LoaderError(_("%(where)s: expected a mapping.") % {"where": where})
        key = str(unit.get("key") or "")
        where = f"{path}: unit {key or index}"
        if not KEY_RE.match(key):
            raise LoaderError(_("%(where)s: “key” must be upper-case letters, digits, - or _.") % {"where": where})
        if key in keys:
            raise LoaderError(_("%(where)s: the key is used twice.") % {"where": where})
        if not str(unit.get("name") or "").strip():
            raise LoaderError(_("%(where)s: “name” is missing.") % {"where": where})
        if unit.get("type") not in TEMPLATE_TYPES:
            raise LoaderError(
                _("%(where)s: type “%(type)s” is not one of %(types)s.")
                % {"where": where, "type": unit.get("type"), "types": ", ".join(sorted(TEMPLATE_TYPES))}
            )
        unit["valid_from"] = _date(unit.get("valid_from"), where)
        unit["valid_to"] = _date(unit.get("valid_to"), where)
        if unit["valid_from"] and unit["valid_to"] and unit["valid_to"] < unit["valid_from"]:
            raise LoaderError(_("%(where)s: valid_to is before valid_from.") % {"where": where})
        keys[key] = unit
    for key, unit in keys.items():
        where = f"{path}: unit {key}"
        parent = unit.get("parent")
        if parent is not None and parent not in keys:
            raise LoaderError(_("%(where)s: parent “%(parent)s” is not a unit of the template.") % {"where": where, "parent": parent})
        for succ in unit.get("successors") or []:
            if not isinstance(succ, dict) or succ.get("key") not in keys:
                raise LoaderError(_("%(where)s: successor %(succ)s is not a unit of the template.") % {"where": where, "succ": succ})
            if (succ.get("kind") or "merger") not in SuccessionKind.values:
                raise LoaderError(_("%(where)s: successor kind “%(kind)s” is unknown.") % {"where": where, "kind": succ.get("kind")})
            succ["date"] = _date(succ.get("date"), where)
    _check_parent_cycles(path, keys)
    groups = data.get("groups") or []
    if not isinstance(groups, list):
        raise LoaderError(_("%(path)s: “groups” must be a list.") % {"path": path})
    group_keys = set()
    for index, group in enumerate(groups, start=1):
        key = str((group or {}).get("key") or "")
        where = f"{path}: group {key or index}"
        if not KEY_RE.match(key) or key in group_keys:
            raise LoaderError(_("%(where)s: the key is missing, malformed or used twice.") % {"where": where})
        group_keys.add(key)
        if not str(group.get("name") or "").strip():
            raise LoaderError(_("%(where)s: “name” is missing.") % {"where": where})
        bad_types = set(group.get("unit_types") or []) - set(UnitType.values)
        if bad_types:
            raise LoaderError(_("%(where)s: unknown unit types %(types)s.") % {"where": where, "types": ", ".join(sorted(bad_types))})
        for ref in list(group.get("include") or []) + list(group.get("exclude") or []):
            if ref not in keys:
                raise LoaderError(_("%(where)s: “%(ref)s” is not a unit of the template.") % {"where": where, "ref": ref})
        group["valid_from"] = _date(group.get("valid_from"), where)
        group["valid_to"] = _date(group.get("valid_to"), where)
    data["_keys"] = keys
    return data


def _check_parent_cycles(path, keys):
    for key in keys:
        seen, node = set(), key
        while node is not None:
            if node in seen:
                raise LoaderError(_("%(path)s: unit %(key)s is its own ancestor (a cycle of parents).") % {"path": path, "key": key})
            seen.add(node)
            node = keys[node].get("parent")


def read_mergers() -> dict:
    return read_yaml(MERGERS_FILE)


# --- writing ----------------------------------------------------------------------


class _Writer:
    """Upserts units by code, counting what changed; writes only real changes."""

    def __init__(self, report: LoadReport):
        self.report = report
        self.existing = {u.code: u for u in OrgUnit.objects.all()}

    def unit(self, code: str, **fields) -> OrgUnit:
        unit = self.existing.get(code)
        if unit is None:
            unit = OrgUnit(code=code, **fields)
            unit.save()
            self.existing[code] = unit
            self.report.created += 1
            return unit
        changed = [name for name, value in fields.items() if getattr(unit, f"{name}_id" if name in ("parent", "province") else name) != (value.pk if isinstance(value, OrgUnit) else value)]
        if changed:
            for name in changed:
                setattr(unit, name, fields[name])
            unit.save()
            self.report.updated += 1
            self.report.changes.append(f"{code}: {', '.join(changed)}")
        else:
            self.report.unchanged += 1
        return unit

    def succession(self, predecessor: OrgUnit, successor: OrgUnit, date: dt.date, kind: str, note: str = ""):
        link = Succession.objects.filter(predecessor=predecessor, successor=successor).first()
        if link is None:
            Succession.objects.create(predecessor=predecessor, successor=successor, date=date, kind=kind, note=note)
        elif (link.date, link.kind, link.note) != (date, kind, note):
            link.date, link.kind, link.note = date, kind, note
            link.save()

    def group(self, code: str, province: OrgUnit, spec: dict, codes: dict[str, OrgUnit], valid_to=None):
        fields = {
            "name": spec["name"].strip(),
            "province": province,
            "unit_types": list(spec.get("unit_types") or []),
            "aliases": "\n".join(spec.get("aliases") or []),
            "valid_from": spec.get("valid_from"),
            "valid_to": _earliest(spec.get("valid_to"), valid_to),
            "sort_order": int(spec.get("sort") or 0),
        }
        group = OrgGroup.objects.filter(code=code).first()
        if group is None:
            group = OrgGroup.objects.create(code=code, **fields)
        elif any(getattr(group, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(group, k, v)
            group.save()
        include = {codes[k].pk for k in spec.get("include") or [] if k in codes}
        exclude = {codes[k].pk for k in spec.get("exclude") or [] if k in codes}
        if set(group.include.values_list("pk", flat=True)) != include:
            group.include.set(include)
        if set(group.exclude.values_list("pk", flat=True)) != exclude:
            group.exclude.set(exclude)
        return group


def _earliest(*dates):
    present = [d for d in dates if d is not None]
    return min(present) if present else None


def _latest(*dates):
    present = [d for d in dates if d is not None]
    return max(present) if present else None


def _apply_template(writer: _Writer, template: dict, province: OrgUnit, *, start=None, end=None) -> dict[str, OrgUnit]:
    """Create the template's units under ``province`` for those valid in [start, end]."""
    short = province_short_name(province.name)
    keys = template["_keys"]
    created: dict[str, OrgUnit] = {}

    def applies(unit):
        if end is not None and unit["valid_from"] and unit["valid_from"] > end:
            return False
        return not (start is not None and unit["valid_to"] and unit["valid_to"] < start)

    ordered, pending = [], [k for k in keys if applies(keys[k])]
    while pending:  # parents before children
        progressed = False
        for key in list(pending):
            parent = keys[key].get("parent")
            if parent is None or parent in ordered or parent not in pending:
                ordered.append(key)
                pending.remove(key)
                progressed = True
        if not progressed:
            break
    for position, key in enumerate(ordered):
        spec = keys[key]
        parent = created.get(spec.get("parent")) or province
        created[key] = writer.unit(
            f"{province.code}-{key}",
            name=spec["name"].replace("{province}", short).strip(),
            short_name=str(spec.get("short_name") or "").replace("{province}", short),
            type=spec["type"],
            division_kind="",
            admin_code="",
            parent=parent,
            province=province,
            valid_from=_latest(spec["valid_from"], start),
            valid_to=_earliest(spec["valid_to"], end),
            aliases="\n".join(a.replace("{province}", short) for a in spec.get("aliases") or []),
            sort_order=int(spec.get("sort") or (100 + position)),
        )
    for key, unit in created.items():
        for succ in keys[key].get("successors") or []:
            target = created.get(succ["key"])
            if target is not None:
                writer.succession(unit, target, succ["date"] or (unit.valid_to + dt.timedelta(days=1)), succ.get("kind") or "merger")
    for group in template.get("groups") or []:
        if end is not None and group.get("valid_from") and group["valid_from"] > end:
            continue
        writer.group(f"{province.code}-{group['key']}", province, group, created, valid_to=end)
    return created


@transaction.atomic
def load_province(ref: str, template_path: Path | None = None, progress=None) -> LoadReport:
    """Load or refresh one province. ``progress`` wraps iterables (e.g. tqdm) for a bar."""
    template = read_template(template_path)
    mergers = read_mergers()
    province = find_province(ref)
    report = LoadReport()
    writer = _Writer(report)
    code = province_code_of(province)
    predecessors = (mergers.get("provinces") or {}).get(code) or []
    effective = _date(mergers.get("effective"), str(MERGERS_FILE))
    last_day = _date(mergers.get("last_day_before"), str(MERGERS_FILE))
    name = province_display_name(province)
    root = writer.unit(
        f"P{code}",
        name=name,
        short_name=province.name.removeprefix("Thành phố "),
        type=UnitType.PROVINCE,
        division_kind=DIVISION_KINDS[province.division_type],
        admin_code=code,
        parent=None,
        valid_from=effective if predecessors else None,
        valid_to=None,
        aliases="\n".join(["UBND tỉnh", "Ủy ban nhân dân tỉnh", f"UBND {name.lower()}"]),
        sort_order=0,
    )
    if root.province_id != root.pk:
        root.province = root
        root.save(update_fields=["province"])
    report.province = root

    current = _apply_template(writer, template, root, start=effective if predecessors else None)

    wards = sorted(Ward.iter_by_province(province.code), key=lambda w: fold(w.name))
    for ward in progress(wards) if progress else wards:
        writer.unit(
            f"W{int(ward.code):05d}",
            name=ward.name,
            short_name=ward.name.split(" ", 1)[-1] if ward.division_type != VietNamDivisionType.DAC_KHU else ward.name,
            type=UnitType.COMMUNE,
            division_kind=DIVISION_KINDS[ward.division_type],
            admin_code=f"{int(ward.code):05d}",
            parent=root,
            province=root,
            valid_from=effective,
            valid_to=None,
            aliases=f"UBND {ward.name.lower()}\nỦy ban nhân dân {ward.name.lower()}",
            sort_order=1000,
        )
        report.communes += 1

    for old in predecessors:
        old_code = f"{int(old['code']):02d}"
        old_name = old["name"] if old["name"].startswith("Thành phố") else f"Tỉnh {old['name']}"
        historic = writer.unit(
            f"P{old_code}-2025",
            name=old_name,
            short_name=old["name"],
            type=UnitType.PROVINCE,
            division_kind=DivisionKind.TINH,
            admin_code=old_code,
            parent=None,
            valid_from=None,
            valid_to=last_day,
            aliases="",
            sort_order=1,
        )
        if historic.province_id != historic.pk:
            historic.province = historic
            historic.save(update_fields=["province"])
        writer.succession(historic, root, effective, SuccessionKind.MERGER)
        old_units = _apply_template(writer, template, historic, end=last_day)
        for key, unit in old_units.items():
            if unit.valid_to == last_day and key in current:
                writer.succession(unit, current[key], effective, SuccessionKind.MERGER)
        for district in old.get("districts") or []:
            writer.unit(
                f"D{district['code']}",
                name=district["name"],
                short_name=district["name"].split(" ", 1)[-1],
                type=UnitType.DISTRICT,
                division_kind=district.get("kind") or DivisionKind.HUYEN,
                admin_code=district["code"],
                parent=historic,
                province=historic,
                valid_from=None,
                valid_to=last_day,
                aliases=f"UBND {district['name'].lower()}",
                sort_order=500,
            )
    return report
