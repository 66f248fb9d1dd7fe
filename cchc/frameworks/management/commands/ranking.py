"""cchc ranking CODE --year Y"""

import json
from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from cchc.core.exports import render_csv
from cchc.frameworks.display import cell_text, ranking_table
from cchc.frameworks.models import Framework
from cchc.frameworks.services import ranking


class Command(BaseCommand):
    help = "Rank the subjects of a framework for a year by index (ties share a rank), with their bands."

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--framework-version", dest="version", type=int, help="Default: the latest.")
        parser.add_argument("--format", choices=["table", "csv", "json"], default="table")

    def handle(self, *args, code, year, version=None, format="table", **options):
        qs = Framework.objects.filter(code=code)
        fw = qs.filter(version=version).first() if version else qs.order_by("-version").first()
        if fw is None:
            raise CommandError(_("No framework %(code)s.") % {"code": code})
        rows = ranking(fw, year)
        if not rows:
            raise CommandError(_("No published scores on %(code)s for %(year)d.") % {"code": code, "year": year})
        table = ranking_table(fw, year, rows)
        if format == "csv":
            self.stdout.write(render_csv(table).decode("utf-8-sig"), ending="")
        elif format == "json":
            keys = ["rank", "code", "name", "score", "max", "index", "band"]
            rows = [{k: (str(v) if isinstance(v, Decimal) else v) for k, v in zip(keys, r, strict=True)} for r in table.rows]
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(f"{table.title} — {table.subtitle}")
            for r in table.rows:
                r = [cell_text(v) for v in r]
                self.stdout.write(f"{r[0]:>4}  {r[2]:<45} {r[3]:>8} / {r[4]:<7} {r[5]:>7}%  {r[6]}")
