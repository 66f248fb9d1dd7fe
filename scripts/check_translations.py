#!/usr/bin/env python3
"""Fail when the translation catalogues are stale.

1. ``makemessages`` is run into a scratch copy of the locale folder; the set of messages
   must equal the committed catalogue's (a new or removed string means someone forgot
   to run ``python3 scripts/update_translations.py``).
2. Every Vietnamese message is translated and none is fuzzy.
3. The committed .mo files are what msgfmt makes of the .po files.

Needs GNU gettext (xgettext, msgfmt): apt-get install gettext.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "cchc" / "locale"
LANGS = ["vi", "en"]


def entries(po_path: Path) -> dict[tuple[str, str], dict]:
    """(msgctxt, msgid) -> {'str': [...], 'fuzzy': bool}, parsed without third-party code."""
    result: dict[tuple[str, str], dict] = {}
    current: dict = {}
    key = None

    def flush():
        if current.get("msgid") is not None and current["msgid"] != "":
            result[(current.get("msgctxt", ""), current["msgid"])] = {
                "str": current.get("msgstr", []),
                "fuzzy": current.get("fuzzy", False),
            }

    def unquote(text: str) -> str:
        return bytes(text.strip()[1:-1], "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")

    for raw in po_path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
            current, key = {}, None
            continue
        if line.startswith("#,") and "fuzzy" in line:
            current["fuzzy"] = True
        if line.startswith("#"):
            continue
        for prefix in ("msgctxt", "msgid_plural", "msgid", "msgstr"):
            if line.startswith(prefix):
                rest = line[len(prefix):]
                if prefix == "msgstr":
                    current.setdefault("msgstr", []).append("")
                    rest = rest.split("]", 1)[1] if rest.startswith("[") else rest
                    key = "msgstr"
                    current["msgstr"][-1] += unquote(rest)
                else:
                    key = prefix
                    current[prefix] = unquote(rest)
                break
        else:
            if line.startswith('"') and key:
                if key == "msgstr":
                    current["msgstr"][-1] += unquote(line)
                else:
                    current[key] += unquote(line)
    flush()
    return result


def main() -> int:
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp) / "cchc"
        shutil.copytree(ROOT / "cchc", scratch, ignore=shutil.ignore_patterns("__pycache__"))
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="cchc.settings", CCHC_TESTING="1", PYTHONPATH=tmp)
        cmd = [sys.executable, "-m", "django", "makemessages", "--no-obsolete", "--no-location"]
        for lang in LANGS:
            cmd += ["-l", lang]
        subprocess.run(cmd, cwd=scratch, env=env, check=True, capture_output=True)
        for lang in LANGS:
            po = LOCALE / lang / "LC_MESSAGES" / "django.po"
            fresh = scratch / "locale" / lang / "LC_MESSAGES" / "django.po"
            if not po.exists():
                problems.append(f"{po} is missing")
                continue
            committed, expected = entries(po), entries(fresh)
            missing = sorted(set(expected) - set(committed))
            extra = sorted(set(committed) - set(expected))
            for _ctx, msgid in missing[:20]:
                problems.append(f"{lang}: new message not in the catalogue: {msgid!r}")
            for _ctx, msgid in extra[:20]:
                problems.append(f"{lang}: message no longer used: {msgid!r}")
            if lang == "vi":
                for (_ctx, msgid), entry in committed.items():
                    if entry["fuzzy"] or not all(entry["str"]):
                        problems.append(f"vi: not translated (or fuzzy): {msgid!r}")
            mo = po.with_suffix(".mo")
            compiled = Path(tmp) / f"{lang}.mo"
            subprocess.run(["msgfmt", "--check-format", "-o", str(compiled), str(po)], check=True)
            if not mo.exists() or mo.read_bytes() != compiled.read_bytes():
                problems.append(f"{mo} is not compiled from {po.name}: run scripts/update_translations.py")
    for p in problems:
        print(p)
    if problems:
        print(f"Translation catalogues are stale ({len(problems)} problem(s)).")
        return 1
    print("Translation catalogues are up to date.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
