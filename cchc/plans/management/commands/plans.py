"""cchc plans import | export

    cchc plans import ke-hoach-223.docx --number 223/KH-UBND --title "Cải cách hành chính năm 2025" \\
        --year 2025 --issued 2024-12-23 [--issuer P08] [--kind annual] [--keep-unmatched] [--dry-run]
    cchc plans export 223-kh-ubnd-2025 --format docx [--with-status] [-o phu-luc.docx]
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from tqdm import tqdm

from cchc.orgs.models import OrgUnit, UnitType
from cchc.plans import importer
from cchc.plans.models import Plan, PlanKind


class DryRun(Exception):
    """Raised inside the transaction of a dry run so that nothing stays."""


class Command(BaseCommand):
    help = "Plans: import a plan's assignment table (.docx, .xlsx, .csv); export a plan's table."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Import a plan's assignment table: all rows or none.")
        imp.add_argument("file", help="The .docx, .xlsx or .csv file.")
        imp.add_argument("--number", default="", help="Number and symbol, e.g. 223/KH-UBND.")
        imp.add_argument("--title", required=True)
        imp.add_argument("--year", type=int, required=True, help="The plan year (relative time frames are read against it).")
        imp.add_argument("--year-to", type=int, help="Last year covered, for a plan over several years.")
        imp.add_argument("--issued", help="Date issued (YYYY-MM-DD or DD/MM/YYYY); names are read against the units of that day.")
        imp.add_argument("--issuer", help="Code of the issuing unit (default: the province).")
        imp.add_argument("--owner", help="Code of the unit that follows the plan (default: the reform office).")
        imp.add_argument("--kind", choices=PlanKind.values, default=PlanKind.ANNUAL)
        imp.add_argument("--keep-unmatched", action="store_true", help="Keep unmatched names as written and import time frames to check as such.")
        imp.add_argument("--dry-run", action="store_true", help="Read, match and check; write nothing.")
        imp.add_argument("--quiet-progress", action="store_true", help="No progress bar.")

        exp = sub.add_parser("export", help="Write a plan's assignment table as .docx or .xlsx.")
        exp.add_argument("code", help="The plan's code, e.g. 223-kh-ubnd-2025.")
        exp.add_argument("--format", choices=["docx", "xlsx"], default="docx")
        exp.add_argument("--with-status", action="store_true", help="Add the status and progress of every task.")
        exp.add_argument("-o", "--output", help="Output file (default: CODE.FORMAT in the current directory).")

    def handle(self, *args, action, **options):
        return getattr(self, f"handle_{action.replace('-', '_')}")(**options)

    # -- import

    def _issuer(self, code):
        if code:
            unit = OrgUnit.objects.filter(code=code.strip().upper()).first()
            if unit is None:
                raise CommandError(_("No unit with the code %(code)s.") % {"code": code})
            return unit.code
        provinces = list(OrgUnit.objects.current().filter(type=UnitType.PROVINCE).order_by("code")[:2])
        if len(provinces) != 1:
            raise CommandError(_("Give the issuing unit with --issuer (e.g. --issuer P08)."))
        return provinces[0].code

    def _progress(self, quiet, desc):
        return lambda items: tqdm(items, desc=desc, unit="", disable=quiet or None, leave=False, file=sys.stderr)

    def handle_import(self, file, title, year, number="", year_to=None, issued=None, issuer=None, owner=None,
                      kind=PlanKind.ANNUAL, keep_unmatched=False, dry_run=False, quiet_progress=False, **options):
        path = Path(file)
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(_("Cannot read %(path)s: %(error)s") % {"path": file, "error": exc}) from None
        fields = {
            "number": number, "title": title, "kind": kind, "year": year, "year_to": year_to,
            "issued_on": issued, "issuer": self._issuer(issuer), "owner": owner,
        }
        try:
            with transaction.atomic():
                batch = importer.start_import(None, path.name, content, fields, progress=self._progress(quiet_progress, _("Rows")))
                self._summary(batch)
                unmatched, frames = importer.problems(batch.rows)
                if dry_run:
                    raise DryRun
                if (unmatched or frames) and not keep_unmatched:
                    raise CommandError(
                        _("Nothing was imported: %(names)d unmatched names and %(frames)d time frames to check (listed above). "
                          "Fix the file, or run again with --keep-unmatched to keep the names as written and the time frames to check on the board.")
                        % {"names": len(unmatched), "frames": len(frames)}
                    )
                plan = importer.commit(batch, None, keep_unmatched=keep_unmatched, progress=self._progress(quiet_progress, _("Tasks")))
        except DryRun:
            self.stdout.write(_("Dry run: nothing was imported."))
            return
        except importer.PlanImportError as exc:
            raise CommandError("\n".join([*exc.messages, _("Nothing was imported.")])) from None
        except (PermissionDenied, Http404):
            raise CommandError(_("Only the reform office may import plans.")) from None
        self.stdout.write(
            _("Plan %(code)s created: %(tasks)d tasks, %(sections)d sections, %(occurrences)d occurrences of recurring tasks.")
            % {
                "code": plan.code,
                "tasks": plan.tasks.count(),
                "sections": plan.sections.count(),
                "occurrences": sum(t.occurrences.count() for t in plan.tasks.all()),
            }
        )

    def _summary(self, batch):
        summary = importer.summary(batch.rows)
        unmatched, frames = importer.problems(batch.rows)
        fields = batch.plan_fields
        self.stdout.write(
            _("%(file)s: %(tasks)d tasks; %(matched)d names matched, %(unmatched)d unmatched; %(frames)d time frames to check; "
              "%(recurring)d recurring tasks (names read against %(province)s on %(day)s).")
            % {
                "file": batch.file_name, "tasks": summary["tasks"], "matched": summary["matched"],
                "unmatched": summary["unmatched"], "frames": summary["time_frames"], "recurring": summary["recurring"],
                "province": fields["province"], "day": fields["on"],
            }
        )
        if unmatched:
            self.stdout.write(_("Unmatched names:"))
            for u in unmatched:
                self.stdout.write(f"  {u['where']}: “{u['text']}” ({u['role_label']})")
        if frames:
            self.stdout.write(_("Time frames to check:"))
            for t in frames:
                self.stdout.write(f"  {t['where']}: “{t['text']}”: {t['problem']}")

    # -- export

    def handle_export(self, code, format="docx", with_status=False, output=None, **options):
        plan = Plan.objects.filter(code=code).first()
        if plan is None:
            known = ", ".join(Plan.objects.order_by("code").values_list("code", flat=True)[:20]) or "—"
            raise CommandError(_("No plan %(code)s. Plans: %(codes)s.") % {"code": code, "codes": known})
        try:
            from cchc.plans.export import export_plan
        except ImportError as exc:
            raise CommandError(
                _("Exporting plans is not available in this installation (%(error)s).") % {"error": exc}
            ) from None
        content = export_plan(plan, format, with_status=with_status)
        target = Path(output or f"{plan.code}.{format}")
        try:
            target.write_bytes(content)
        except OSError as exc:
            raise CommandError(_("Cannot write %(path)s: %(error)s") % {"path": target, "error": exc}) from None
        self.stdout.write(_("%(path)s written (%(size)d bytes).") % {"path": target, "size": len(content)})
