from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from cchc.demo.generator import DEFAULT_PROVINCE, DemoError, build
from cchc.orgs.loader import LoaderError


class Command(BaseCommand):
    help = "Load the deterministic demo data (a province, its units, users for every role). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--province", default=DEFAULT_PROVINCE)
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Create the demo logins even with DEBUG off (never on a real installation).",
        )

    def handle(self, *args, province, allow_production, **options):
        if not (settings.DEBUG or settings.TESTING or allow_production):
            raise CommandError(
                _("The demo creates accounts with a published password; it runs only with DEBUG=1 (or --allow-production).")
            )
        try:
            result = build(province, progress=lambda items: tqdm(items, desc=_("Communes"), leave=False))
        except (LoaderError, DemoError) as exc:
            raise CommandError(str(exc)) from None
        load = result["load"]
        self.stdout.write(
            _("Demo ready: %(province)s, %(communes)d communes (%(created)d units created, %(updated)d updated).")
            % {"province": result["province"].name, "communes": load.communes, "created": load.created, "updated": load.updated}
        )
        self.stdout.write(_("Scores: %(count)d demo inputs added (two years, province, departments, communes).") % {"count": result["scores"]})
        self.stdout.write(_("Demo logins (password for all: %(password)s):") % {"password": result["logins"][0]["password"]})
        for login in result["logins"]:
            self.stdout.write(f"  {login['username']:<10} {login['role']} — {login['unit']}")
