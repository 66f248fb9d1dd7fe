"""cchc scores import FILE"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from cchc.frameworks.score_import import ScoreImportError, import_scores


class Command(BaseCommand):
    help = "Scores: import a CSV/XLSX of framework, subject, year, code, value (or numerator/denominator). All rows or none."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Import scores (columns: framework, subject, year, code, value | numerator, denominator, kind).")
        imp.add_argument("file")

    def handle(self, *args, action, file, **options):
        path = Path(file)
        if not path.exists():
            raise CommandError(_("File not found: %(path)s") % {"path": file})
        try:
            report = import_scores(path)
        except ScoreImportError as exc:
            for error in exc.errors:
                self.stderr.write(f"{file}: {error}")
            raise CommandError(_("Nothing was imported: %(count)d row(s) refused.") % {"count": len(exc.errors)}) from None
        self.stdout.write(
            _("%(created)d scores created, %(updated)d updated, %(unchanged)d unchanged, for %(subjects)d unit(s).")
            % {"created": report.created, "updated": report.updated, "unchanged": report.unchanged, "subjects": len(report.subjects)}
        )
