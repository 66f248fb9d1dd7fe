"""Production defaults: off unless asked."""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = (
    "import django, json; from django.conf import settings; django.setup(); "
    "print(json.dumps([settings.DEBUG, settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, "
    "settings.SECURE_HSTS_SECONDS, settings.PASSWORD_HASHERS[0], settings.DATABASES['default']['ENGINE']]))"
)


def probe(**env):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("CCHC_", "DEBUG", "SECRET_KEY", "DATABASE_URL"))}
    base.update(DJANGO_SETTINGS_MODULE="cchc.settings", **env)
    return subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=base, check=False)


def test_production_defaults_are_safe(tmp_path):
    import json

    result = probe(SECRET_KEY="x" * 50, CCHC_DATA_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    debug, session_secure, csrf_secure, hsts, hasher, engine = json.loads(result.stdout)
    assert debug is False and session_secure and csrf_secure
    assert hsts >= 31536000
    assert hasher.endswith("Argon2PasswordHasher")
    assert engine.endswith("sqlite3")


def test_the_database_comes_from_database_url(tmp_path):
    import json

    result = probe(SECRET_KEY="x" * 50, DATABASE_URL="postgres://u@127.0.0.1:5432/cchc")
    assert json.loads(result.stdout)[-1] == "django.db.backends.postgresql"


def test_without_a_secret_key_production_refuses_to_start():
    result = probe()
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_a_bad_boolean_is_named():
    result = probe(SECRET_KEY="x" * 50, DEBUG="maybe")
    assert result.returncode != 0 and "DEBUG='maybe'" in result.stderr
