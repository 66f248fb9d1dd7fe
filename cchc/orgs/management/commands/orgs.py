"""cchc orgs load | list | match"""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from cchc.orgs.loader import LoaderError, find_province, load_province, province_code_of
from cchc.orgs.models import OrgUnit, UnitType
from cchc.orgs.services import matcher_for


class Command(BaseCommand):
    help = "Organisation units: load a province, list units, match loose agency names."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="Load or refresh a province, its communes and agencies (idempotent).")
        load.add_argument("--province", required=True, help="Name or code, e.g. 'Tuyên Quang' or 08.")
        load.add_argument("--template", help="YAML template of provincial agencies (default: the one shipped).")
        load.add_argument("--quiet-progress", action="store_true", help="No progress bar.")

        lst = sub.add_parser("list", help="List units.")
        lst.add_argument("--province", help="Name or code of the province (or a historic one's unit code, e.g. P02-2025).")
        lst.add_argument("--type", choices=UnitType.values, help="Only units of this type.")
        lst.add_argument("--at", help="Units valid at this date (YYYY-MM-DD); default: current units.")
        lst.add_argument("--all", action="store_true", help="Include historic units.")
        lst.add_argument("--format", choices=["table", "json"], default="table")

        match = sub.add_parser("match", help="Match loose agency names as plan tables write them.")
        match.add_argument("text", nargs="+", help="One or more cells, e.g. 'Sở TT&TT'.")
        match.add_argument("--province", required=True, help="e.g. 08, or P02-2025 for Hà Giang before the 2025 merger.")
        match.add_argument("--at", help="Date at which the names are read (YYYY-MM-DD).")

    def handle(self, *args, action, **options):
        try:
            return getattr(self, f"handle_{action}")(**options)
        except LoaderError as exc:
            raise CommandError(str(exc)) from None

    def handle_load(self, province, template=None, quiet_progress=False, **options):
        def progress(items):
            return tqdm(items, desc=_("Communes"), unit="", disable=quiet_progress or None, leave=False)

        report = load_province(province, template, progress=progress)
        self.stdout.write(
            _("%(province)s: %(communes)d communes; %(created)d units created, %(updated)d updated, %(unchanged)d unchanged.")
            % {
                "province": report.province.name,
                "communes": report.communes,
                "created": report.created,
                "updated": report.updated,
                "unchanged": report.unchanged,
            }
        )
        for change in report.changes:
            self.stdout.write(f"  ~ {change}")

    def _province_unit(self, ref):
        """A current province by name or code, or any province unit by its code (e.g. P02-2025)."""
        unit = OrgUnit.objects.filter(code=ref.strip().upper(), type=UnitType.PROVINCE).first()
        if unit is not None:
            return unit
        province = find_province(ref)
        unit = OrgUnit.objects.filter(code=f"P{province_code_of(province)}").first()
        if unit is None:
            raise CommandError(
                _("Province %(name)s is not loaded yet: run “cchc orgs load --province %(code)s”.")
                % {"name": province.name, "code": province_code_of(province)}
            )
        return unit

    def _date(self, value):
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise CommandError(_("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value}) from None

    def handle_list(self, province=None, type=None, at=None, all=False, format="table", **options):
        units = OrgUnit.objects.select_related("parent").order_by("province_id", "type", "sort_order", "name")
        if province:
            root = self._province_unit(province)
            units = units.filter(province=root) | units.filter(pk=root.pk)
        if type:
            units = units.filter(type=type)
        day = self._date(at)
        if day:
            units = units.valid_at(day)
        elif not all:
            units = units.current()
        rows = [
            {
                "code": u.code,
                "name": u.name,
                "short_name": u.short_name,
                "type": u.type,
                "parent_code": u.parent.code if u.parent else None,
                "valid_from": u.valid_from.isoformat() if u.valid_from else None,
                "valid_to": u.valid_to.isoformat() if u.valid_to else None,
            }
            for u in units
        ]
        if format == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        widths = {"code": 14, "type": 11, "parent_code": 12}
        header = f"{_('Code'):<14} {_('Type'):<11} {_('Parent'):<12} {_('Name')}"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for r in rows:
            self.stdout.write(
                f"{r['code']:<{widths['code']}} {r['type']:<{widths['type']}} {r['parent_code'] or '':<{widths['parent_code']}} {r['name']}"
            )
        self.stdout.write(_("%(count)d units") % {"count": len(rows)})

    def handle_match(self, text, province, at=None, **options):
        root = self._province_unit(province)
        matcher = matcher_for(root, self._date(at) or dt.date.today())
        for cell in text:
            for m in matcher.match_cell(cell):
                if m.status == "unmatched":
                    options_text = "; ".join(f"{code} {name} ({score})" for code, name, score in m.candidates)
                    self.stdout.write(f"{m.text!r} → {_('unmatched')}: {options_text}")
                else:
                    self.stdout.write(f"{m.text!r} → {m.status} {m.code} {m.name} [{m.method} {m.score}]")
