"""cchc reminders send [--on DATE] [--dry-run] [--enqueue]"""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from cchc.plans.reminders import send_digests


class Command(BaseCommand):
    help = "Reminders: send the daily digests of tasks due soon or overdue, and the escalations to the plans' owners."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        send = sub.add_parser("send", help="Send today's digests and escalations (at most one of each per unit a day).")
        send.add_argument("--on", help="The day (YYYY-MM-DD) the reminders are for; default: today.")
        send.add_argument("--dry-run", action="store_true", help="Show what would be sent; send and record nothing.")
        send.add_argument("--enqueue", action="store_true", help="Queue the task for the background worker instead of sending now.")
        send.add_argument("--format", choices=["table", "json"], default="table")

    def handle(self, *args, action, **options):
        return getattr(self, f"handle_{action}")(**options)

    def handle_send(self, on=None, dry_run=False, enqueue=False, format="table", **options):
        day = None
        if on:
            try:
                day = dt.date.fromisoformat(on)
            except ValueError:
                raise CommandError(_("Not a date: %(value)s (expected YYYY-MM-DD).") % {"value": on}) from None
        if enqueue:
            if dry_run:
                raise CommandError(_("--dry-run runs inline: leave out --enqueue."))
            from cchc.plans.tasks import send_daily_digests

            result = send_daily_digests.enqueue(on_iso=day.isoformat() if day else None)
            self.stdout.write(
                _("Queued the reminders task %(id)s (status: %(status)s).") % {"id": result.id, "status": result.status}
            )
            return
        report = send_digests(on=day, dry_run=dry_run)
        if format == "json":
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        else:
            for line in report.lines():
                self.stdout.write(line)
        if report.failed:
            raise CommandError(_("%(count)d reminders could not be sent.") % {"count": len(report.failed)})
