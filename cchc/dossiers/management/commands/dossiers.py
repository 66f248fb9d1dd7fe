"""cchc dossiers import | calendar | indicators | index766

    cchc dossiers import ho-so-2026-01.csv [--unit P08-SYT] [--format csv|xlsx|jsonl] [--dry-run]
    cchc dossiers calendar [--year 2026]
    cchc dossiers rederive [--from 2026-04-30] [--to 2026-05-01] [--dry-run]
    cchc dossiers indicators [--scope province|agencies|communes|CODE] [--period 2026-Q3] [--by unit|month] [--format table|csv|json]
    cchc dossiers index766 [--scope ...] [--period 2026-10] [--format table|json]
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from cchc.core.tabular import TableError
from cchc.dossiers import importer
from cchc.dossiers.models import CalendarAdjustment, calendar

SHOWN_ERRORS = 20


def refused_message(exc: importer.DossierImportError) -> str:
    """The first refused rows and the count, for CommandError."""
    lines = exc.messages[:SHOWN_ERRORS]
    if exc.count > len(lines):
        lines.append(_("… and %(more)d more.") % {"more": exc.count - len(lines)})
    lines.append(_("Nothing was imported: %(count)d error(s).") % {"count": exc.count})
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Dossiers: import a dossier file (all rows or none); list the calendar's days off."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Import dossiers from CSV, XLSX or JSON lines (upsert by MaHoSo).")
        imp.add_argument("file")
        imp.add_argument("--unit", help="Unit code for rows without MaDonViTiepNhan.")
        imp.add_argument("--format", choices=importer.FORMATS, help="File format (default: from the extension).")
        imp.add_argument("--dry-run", action="store_true", help="Check and compare; write nothing.")
        imp.add_argument("--quiet-progress", action="store_true", help="No progress bar.")
        cal = sub.add_parser("calendar", help="Days off and make-up working days of a year.")
        cal.add_argument("--year", type=int, default=date.today().year)
        red = sub.add_parser(
            "rederive", help="Recompute the computed due, outcome and working days late after the calendar changed."
        )
        red.add_argument("--from", dest="since", help="First changed day (default: the first dossier).")
        red.add_argument("--to", dest="until", help="Last changed day (default: the last dossier).")
        red.add_argument("--dry-run", action="store_true", help="Count what would change; write nothing.")
        red.add_argument("--quiet-progress", action="store_true", help="No progress bar.")
        ind = sub.add_parser("indicators", help="Counts and rates of the dossiers received in a period.")
        idx = sub.add_parser("index766", help="The points of the 766 service index our data supports.")
        for p in (ind, idx):
            p.add_argument("--scope", default="province", help="province, agencies, communes or a unit code (default: province).")
            p.add_argument("--period", default=str(date.today().year), help="2026, 2026-Q3, 2026-H1, 2026-03 or 2026-01-01..2026-03-15.")
            p.add_argument("--format", choices=("table", "csv", "json"), default="table")
        ind.add_argument("--by", choices=("total", "unit", "month"), default="total")

    def handle(self, *args, action, **options):
        return getattr(self, f"handle_{action}")(**options)

    def handle_import(self, file, unit=None, format=None, dry_run=False, quiet_progress=False, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("File not found: %(path)s") % {"path": file})
        bar = tqdm(desc=_("Rows"), unit=" rows", unit_scale=True, disable=quiet_progress or None, file=sys.stderr, leave=False)
        try:
            report = importer.import_dossiers(path, file_format=format, default_unit=unit, dry_run=dry_run, progress=bar.update)
        except TableError as exc:
            raise CommandError(str(exc)) from None
        except importer.DossierImportError as exc:
            raise CommandError(refused_message(exc)) from None
        finally:
            bar.close()
        message = _("%(rows)d rows: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.") % {
            "rows": report.rows, "created": report.created, "updated": report.updated, "unchanged": report.unchanged,
        }
        if dry_run:
            message += " " + _("Dry run: nothing was imported.")
        self.stdout.write(message)

    def handle_rederive(self, since=None, until=None, dry_run=False, quiet_progress=False, **options):
        from cchc.core.dates import parse_day
        from cchc.dossiers.rederive import rederive

        days = {}
        for name, text in (("--from", since), ("--to", until)):
            if text:
                days[name] = parse_day(text)
                if days[name] is None:
                    raise CommandError(_("%(option)s: %(value)s is not a date (dd/mm/yyyy or yyyy-mm-dd).") % {
                        "option": name, "value": text})
        start, end = days.get("--from"), days.get("--to")
        if start and end and end < start:
            raise CommandError(_("--to is before --from."))
        bar = tqdm(desc=_("Dossiers"), unit=" dossiers", unit_scale=True, disable=quiet_progress or None, file=sys.stderr, leave=False)

        def total(n):
            bar.total = n
            bar.refresh()

        try:
            report = rederive(start, end, progress=bar.update, total=total, dry_run=dry_run)
        finally:
            bar.close()
        message = _("%(checked)d dossiers checked against the calendar: %(changed)d changed.") % {
            "checked": report.checked, "changed": report.changed}
        if dry_run:
            message += " " + _("Dry run: nothing was written.")
        self.stdout.write(message)

    def handle_calendar(self, year, **options):
        cal = calendar()
        try:
            days_off = cal.days_off(year)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        sources = dict(CalendarAdjustment.objects.filter(date__year=year).values_list("date", "source"))
        if not CalendarAdjustment.objects.filter(date__year=year).exists():
            self.stdout.write(_("No adjustment entered for %(year)d: the built-in schedule applies.") % {"year": year})
        self.stdout.write(_("Days off in %(year)d (besides Saturdays and Sundays):") % {"year": year})
        for d, name in days_off.items():
            note = f"  [{sources[d]}]" if sources.get(d) else ""
            self.stdout.write(f"  {d:%d/%m/%Y} {_weekday(d)}  {name}{note}")
        extra_weekend = sorted(d for d in cal.extra_days_off if d.year == year and d.weekday() >= 5 and d not in days_off)
        if extra_weekend:
            self.stdout.write(_("Weekend days inside the announced breaks: %(days)s") % {
                "days": ", ".join(f"{d:%d/%m}" for d in extra_weekend)})
        make_up = cal.make_up_days_in(year)
        self.stdout.write(_("Make-up working days:") + (" " + ", ".join(f"{d:%d/%m/%Y} {_weekday(d)}" for d in make_up) if make_up else " —"))


    def _scope_period(self, scope, period):
        from cchc.dossiers.periods import Period, PeriodError
        from cchc.dossiers.scopes import ScopeError, resolve
        from cchc.orgs.services import home_province

        try:
            return resolve(scope, home_province()), Period.parse(period)
        except (ScopeError, PeriodError) as exc:
            raise CommandError(str(exc)) from None

    def handle_indicators(self, scope, period, format, by, **options):
        import csv
        import json

        from cchc.dossiers import indicators
        from cchc.orgs.models import OrgUnit

        chosen, period = self._scope_period(scope, period)
        qs = indicators.scope(chosen.unit_ids)
        group = () if by == "total" else (by,)
        table = indicators.counts(qs, period, by=group)
        names = {u.pk: u.code for u in OrgUnit.objects.filter(pk__in=[k[0] for k in table])} if by == "unit" else {}
        measures = [name for name, _label, _help in indicators.MEASURES]
        rates = [name for name, _label, _help in indicators.RATES]
        rows = []
        for key in sorted(table, key=lambda k: (names.get(k[0], "") if by == "unit" else (k[0] if k else ""))):
            c = table[key]
            label = names[key[0]] if by == "unit" else (f"{key[0]:%Y-%m}" if by == "month" else chosen.code)
            rows.append({by if by != "total" else "scope": label, **{m: getattr(c, m) for m in measures},
                         **{r: getattr(c, r) for r in rates}, "average_hours": c.average_hours})
        if format == "json":
            self.stdout.write(json.dumps({"scope": chosen.code, "period": period.code, "rows": rows}, ensure_ascii=False, default=str, indent=1))
            return
        if format == "csv":
            writer = csv.DictWriter(self.stdout, fieldnames=list(rows[0]) if rows else ["scope"], lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
            return
        self.stdout.write(f"{chosen.label} · {period.label}")
        if not rows:
            self.stdout.write(_("No dossier received in this period."))
            return
        head = ["", "received", "finished", "early", "on_time", "late", "open_within", "open_past", "late_no_apology", "on_time_rate", "on_time_rate_766", "online_rate"]
        self.stdout.write("  ".join(f"{h:>12}" for h in head))
        for row in rows:
            first = next(iter(row.values()))
            self.stdout.write("  ".join([f"{first:>12}", *(f"{'' if row[h] is None else row[h]!s:>12}" for h in head[1:])]))

    def handle_index766(self, scope, period, format, **options):
        import json

        from cchc.dossiers import index766, indicators

        chosen, period = self._scope_period(scope, period)
        qs = indicators.scope(chosen.unit_ids)
        result = index766.compute(indicators.total(qs, period), indicators.procedure_counts(qs, period, chosen.levels))
        if format == "json":
            data = {
                "scope": chosen.code, "period": period.code, "points": result.points, "max_supported": result.max_supported,
                "percent": result.percent, "band": result.band,
                "lines": [{"code": line.code, "name": line.name, "max": line.max, "numerator": line.numerator,
                           "denominator": line.denominator, "ratio": line.ratio, "points": line.points,
                           "confidence": line.confidence} for line in result.lines],
            }
            self.stdout.write(json.dumps(data, ensure_ascii=False, default=str, indent=1))
            return
        self.stdout.write(f"{chosen.label} · {period.label} · {result.version}")
        for group in result.groups:
            self.stdout.write(f"{group.code} {group.name}: {group.points if group.points is not None else '—'} / {group.max}")
            for line in group.lines:
                if line.points is None:
                    self.stdout.write(f"   {line.code:>5}  {line.name}: " + _("no data here"))
                    continue
                mark = " [U]" if line.confidence == "U" else ""
                self.stdout.write(f"   {line.code:>5}  {line.name}: {line.numerator}/{line.denominator} = {line.ratio}% → {line.points} / {line.max}{mark}")
        self.stdout.write(_("Total: %(points)s / %(max)s points the data supports (%(percent)s%%), band %(band)s [bands unconfirmed].") % {
            "points": result.points, "max": result.max_supported, "percent": result.percent, "band": result.band or "—"})


def _weekday(d: date) -> str:
    return (_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun"))[d.weekday()]
