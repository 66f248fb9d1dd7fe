#!/usr/bin/env python3
"""Refresh the catalogues (makemessages) and compile them (msgfmt). Needs GNU gettext."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
env = dict(os.environ, DJANGO_SETTINGS_MODULE="cchc.settings", CCHC_TESTING="1")
subprocess.run(
    [sys.executable, "-m", "django", "makemessages", "--no-obsolete", "--no-location", "-l", "vi", "-l", "en"],
    cwd=ROOT / "cchc",
    env=env,
    check=True,
)
for po in (ROOT / "cchc" / "locale").glob("*/LC_MESSAGES/django.po"):
    subprocess.run(["msgfmt", "--check-format", "-o", str(po.with_suffix(".mo")), str(po)], check=True)
print("Catalogues updated; translate the new entries in cchc/locale/vi/LC_MESSAGES/django.po, then run this again.")
