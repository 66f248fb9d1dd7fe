"""cchc procedures import FILE"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from cchc.core.tabular import TableError
from cchc.dossiers import importer

from .dossiers import refused_message


class Command(BaseCommand):
    help = "Procedures: import the procedure catalogue (CSV or XLSX; upsert by MaTTHC; all rows or none)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Import the procedure catalogue.")
        imp.add_argument("file")
        imp.add_argument("--format", choices=("csv", "xlsx"), help="File format (default: from the extension).")

    def handle(self, *args, action, file, format=None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("File not found: %(path)s") % {"path": file})
        try:
            report = importer.import_procedures(path, file_format=format)
        except TableError as exc:
            raise CommandError(str(exc)) from None
        except importer.ProcedureImportError as exc:
            raise CommandError(refused_message(exc)) from None
        self.stdout.write(
            _("%(rows)d procedures: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
            % {"rows": report.rows, "created": report.created, "updated": report.updated, "unchanged": report.unchanged}
        )
