"""cchc tasks overdue [--unit CODE] [--on DATE] [--format table|csv|json]"""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from cchc.core.exports import Table, render_csv
from cchc.orgs.models import OrgUnit
from cchc.plans.reminders import fmt_date, lead_names, overdue_items, plan_ref, short

KEYS = ["plan", "number", "content", "lead", "role", "due", "days_late"]


class Command(BaseCommand):
    help = "Tasks: list the open tasks and occurrences past their due date."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        overdue = sub.add_parser("overdue", help="Open tasks and occurrences past their due date, the most late first.")
        overdue.add_argument("--unit", help="Only what this unit (code, e.g. P08-SYT) leads or coordinates, contribution pending.")
        overdue.add_argument("--on", help="The day (YYYY-MM-DD); default: today.")
        overdue.add_argument("--format", choices=["table", "csv", "json"], default="table")

    def handle(self, *args, action, **options):
        return getattr(self, f"handle_{action}")(**options)

    def handle_overdue(self, unit=None, on=None, format="table", **options):
        day = timezone.localdate()
        if on:
            try:
                day = dt.date.fromisoformat(on)
            except ValueError:
                raise CommandError(_("Not a date: %(value)s (expected YYYY-MM-DD).") % {"value": on}) from None
        org = None
        if unit:
            org = OrgUnit.objects.filter(code=unit.strip().upper()).first()
            if org is None:
                raise CommandError(_("No unit %(code)s.") % {"code": unit})
        items = sorted(overdue_items(day, org), key=lambda item: (-item.days_late, item.plan.pk, item.task.position))
        rows = [
            {
                "plan": plan_ref(item.plan),
                "number": item.task.number,
                "content": item.content,
                "lead": lead_names(item.task),
                "role": item.role if org else "",
                "due": item.due.isoformat(),
                "days_late": item.days_late,
            }
            for item in items
        ]
        if format == "json":
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if format == "csv":
            headers = [_("Plan"), _("No."), _("Task"), _("Lead"), _("Role"), _("Due"), _("Days late")]
            table = Table(title=_("Overdue tasks"), columns=headers, rows=[[row[k] for k in KEYS] for row in rows])
            self.stdout.write(render_csv(table).decode("utf-8-sig"), ending="")
            return
        title = _("Overdue tasks on %(date)s") % {"date": fmt_date(day)}
        if org:
            title += f" — {org.name}"
        self.stdout.write(f"{title}: {len(rows)}")
        for item, row in zip(items, rows, strict=True):
            self.stdout.write(
                f"{row['days_late']:>5}  {fmt_date(item.due)}  {short(row['plan'], 24):<24}  {row['number']:<6} "
                f"{short(row['content'], 60):<60}  {short(row['lead'], 40)}"
            )
