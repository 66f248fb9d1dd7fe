"""The ``cchc`` console command: Django's management commands under one name.

    cchc migrate
    cchc createsuperuser
    cchc orgs load --province "Tuyên Quang"
    cchc demo
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    try:
        execute_from_command_line(["cchc", *args])
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"cchc: {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
