#!/usr/bin/env python3
"""Set up and run cchc with nothing but Python 3.11+.

    python3 dev.py demo     # venv, install, migrate, demo data, serve on http://127.0.0.1:8000
    python3 dev.py test     # venv, install, the whole test suite (SQLite, or DATABASE_URL)
    python3 dev.py check    # the checks CI runs besides the tests

Both are idempotent: a second run reuses the virtual environment and the database.
Standard library only: this file runs before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("CCHC_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
STAMP = VENV / ".cchc-installed"


def run(*args, env=None, check=True) -> int:
    print("+", " ".join(str(a) for a in args), flush=True)
    return subprocess.run([str(a) for a in args], cwd=ROOT, env=env, check=check).returncode


def ensure_venv() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this file may be started by an older Python
        sys.exit(f"cchc needs Python 3.11 or newer (this is {sys.version.split()[0]}).")
    if not PY.exists():
        print(f"Creating the virtual environment in {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == wanted:
        return
    run(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(PY, "-m", "pip", "install", "--quiet", "-e", ".[test]")
    STAMP.write_text(wanted)


def base_env(**extra) -> dict:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "cchc.settings")
    env.update(extra)
    return env


def cchc(*args, env=None, check=True) -> int:
    return run(BIN / "cchc", *args, env=env, check=check)


def demo(argv: list[str]) -> int:
    ensure_venv()
    env = base_env()
    env.setdefault("DEBUG", "1")
    env.setdefault("CCHC_TASKS_IMMEDIATE", "1")
    cchc("migrate", "--no-input", "-v", "0", env=env)
    cchc("demo", env=env)
    address = argv[0] if argv else "127.0.0.1:8000"
    print(f"\nServing on http://{address}/  (Ctrl+C stops)\n", flush=True)
    try:
        return cchc("runserver", address, env=env, check=False)
    except KeyboardInterrupt:
        return 0


def browser_available() -> bool:
    return any(shutil.which(name) for name in ("chromium", "chromium-browser")) or bool(
        os.environ.get("CCHC_CHROMIUM")
    )


def test(argv: list[str]) -> int:
    ensure_venv()
    env = base_env(CCHC_TESTING="1", DJANGO_ALLOW_ASYNC_UNSAFE="true")
    if not browser_available():
        if os.environ.get("CCHC_REQUIRE_BROWSER"):
            sys.exit("Browser tests need Chromium (apt-get install chromium); none found.")
        print("Note: no Chromium found; browser tests will be skipped (apt-get install chromium).", flush=True)
    code = run(PY, "-m", "pytest", *argv, env=env, check=False)
    if code == 5:  # pytest: no tests collected
        print("No tests were collected: that is a failure, not a pass.", file=sys.stderr)
        return 1
    return code


def check(argv: list[str]) -> int:
    ensure_venv()
    env = base_env(CCHC_TESTING="1")
    steps = [
        [BIN / "cchc", "check", "--fail-level", "WARNING"],
        [BIN / "cchc", "makemigrations", "--check", "--dry-run"],
        [PY, str(ROOT / "scripts" / "check_translations.py")],
        [BIN / "ruff", "check", "."],
    ]
    failed = 0
    for step in steps:
        if run(*step, env=env, check=False) != 0:
            failed += 1
    if failed:
        print(f"{failed} check(s) failed.", file=sys.stderr)
    return 1 if failed else 0


COMMANDS = {"demo": demo, "test": test, "check": check}


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__)
        return 2
    return COMMANDS[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
