"""The benchmark driver: generate → import into the database → indicators (database, DuckDB, pandas).

    python bench/run.py                       # 1,000,000 dossiers, 2,000 procedures in /tmp/bench
    python bench/run.py --dossiers 100000 --out /tmp/bench-100k --python

Every engine runs in its own subprocess, so its peak memory (max RSS, from os.wait4) is its own.
Prints the figures and the ratios, checks that the engines agree line by line (bench/compare.py),
and writes ``<out>/performance.md``, a snippet for docs/performance.md. Not a test: run it by hand.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from compare import compare  # noqa: E402

PY = sys.executable
TOTALS = [
    "received",
    "finished",
    "early",
    "on_time",
    "late",
    "open_within",
    "open_past",
    "online",
    "postal",
    "paid_online",
]


def _tree_pss_kb(root: int) -> int:
    """The proportional set size of ``root`` and its descendants (Linux; 0 elsewhere): pages
    shared by forked workers are counted once, split between them."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, ()))
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
        except OSError:
            continue
    return total


def run_measured(cmd: list[str], env: dict | None = None) -> dict:
    """Run ``cmd``; return wall seconds, peak RSS of the process (MB, from ``wait4``), peak PSS of
    the process and its children (MB, sampled every 0.2 s), exit status and the JSON it printed
    last."""
    import threading

    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)  # noqa: S603
    peak_pss = [0]
    done = threading.Event()

    def sample():
        while not done.wait(0.2):
            peak_pss[0] = max(peak_pss[0], _tree_pss_kb(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out = proc.stdout.read() if proc.stdout else ""
    done.set()
    sampler.join()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    result = {
        "wall_s": time.perf_counter() - started,
        "peak_mb": usage.ru_maxrss / 1024,
        "peak_pss_mb": peak_pss[0] / 1024,
        "rc": proc.returncode,
    }
    for line in reversed(out.strip().splitlines()):
        if line.startswith("{"):
            result.update(json.loads(line))
            break
    else:
        result["output"] = out[-2000:]
    return result


# ------------------------------------------------------------------------------------ the database side

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/cchc_bench"


def db_env(url: str) -> dict:
    env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="cchc.settings")
    env.setdefault("SECRET_KEY", "bench-only-not-secret")  # noqa: S105 - a scratch database
    env.pop("CCHC_TESTING", None)
    return env


def create_database(url: str) -> None:
    """Drop and create the scratch database ``url`` names (PostgreSQL), migrate it and load the
    demo province's units (``cchc orgs load --province "Tuyên Quang"``)."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or name in ("postgres", "template0", "template1"):
        raise SystemExit(f"--db must name a scratch database, not {name!r}")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}"')
        con.execute(f'CREATE DATABASE "{name}"')
    env = db_env(url)
    cchc = shutil.which("cchc", path=str(Path(PY).parent)) or "cchc"
    for cmd in ([cchc, "migrate", "-v0"], [cchc, "orgs", "load", "--province", "Tuyên Quang", "--quiet-progress"]):
        subprocess.run(cmd, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)  # noqa: S603


def import_into_db(paths: dict, url: str, runs: int = 3) -> dict[str, dict] | None:
    """Import the catalogue, then the dossiers into the empty table ``runs`` times (emptied and
    checkpointed before each; the median run is reported, the others listed: this small VM's
    speed varies from run to run), then once more over the full table (nothing changed). Each is
    the ``cchc`` command in its own process: wall time from start to exit (Python start-up and
    Django set-up included), peak RSS and PSS."""
    env = db_env(url)
    cchc = shutil.which("cchc", path=str(Path(PY).parent)) or "cchc"
    commands = [
        ("import procedures", [cchc, "procedures", "import", paths["procedures"]]),
        *[("import dossiers", [cchc, "dossiers", "import", paths["dossiers"], "--quiet-progress"])] * runs,
        ("re-import (unchanged)", [cchc, "dossiers", "import", paths["dossiers"], "--quiet-progress"]),
    ]
    steps: dict[str, dict] = {}
    first_runs: list[dict] = []
    for kind, cmd in commands:
        print(f"  {kind} ...", flush=True)
        if kind == "import dossiers":  # a clean start for the figure that counts
            subprocess.run(["psql", url, "-qc", "TRUNCATE dossiers_dossier; CHECKPOINT"], check=False)  # noqa: S603, S607
        step = run_measured(cmd, env=env)
        print(
            f"    {step['wall_s']:.1f} s, {step['peak_mb']:.0f} MB RSS, "
            f"{step['peak_pss_mb']:.0f} MB PSS with workers: {step.get('output', '').strip()}"
        )
        if step["rc"] != 0:
            print(f"  [fail] {kind} exited with {step['rc']}: no import figures")
            return None
        if kind != "import procedures":
            step["rows_per_s"] = paths["rows"] / step["wall_s"]
        if kind == "import dossiers":
            first_runs.append(step)
            if len(first_runs) < runs:
                continue
            first_runs.sort(key=lambda r: r["wall_s"])
            step = dict(first_runs[len(first_runs) // 2])
            step["runs_s"] = [round(r["wall_s"], 2) for r in first_runs]
            step["peak_pss_mb"] = max(r["peak_pss_mb"] for r in first_runs)
            step["peak_mb"] = max(r["peak_mb"] for r in first_runs)
        steps[kind] = step
    subprocess.run(["psql", url, "-qc", "VACUUM ANALYZE dossiers_dossier"], check=False)  # noqa: S603, S607
    return steps


BATCH_ROWS = 50_000


def new_batch(paths: dict, out: Path, url: str, year: int) -> dict[str, dict]:
    """A later batch into the full table: ``BATCH_ROWS`` new dossiers (the first rows of the file
    under new codes), imported with the ``cchc`` command, then every indicator again: how soon the
    dashboard shows a new batch (nothing is pre-aggregated, so nothing else is recomputed)."""
    batch = out / "batch.csv"
    with open(paths["dossiers"], encoding="utf-8") as src, open(batch, "w", encoding="utf-8") as dst:
        dst.write(src.readline())
        for n, line in enumerate(src):
            if n >= BATCH_ROWS:
                break
            code, rest = line.split(",", 1)
            dst.write(f"{code}-B,{rest}")
    cchc = shutil.which("cchc", path=str(Path(PY).parent)) or "cchc"
    print(f"  a new batch of {BATCH_ROWS:,} dossiers ...", flush=True)
    step = run_measured([cchc, "dossiers", "import", str(batch), "--quiet-progress"], env=db_env(url))
    print(f"    {step['wall_s']:.1f} s: {step.get('output', '').strip()}")
    if step["rc"] != 0:
        return {}
    step["rows_per_s"] = BATCH_ROWS / step["wall_s"]
    again = db_indicators(out / "result-db-after-batch.csv", year, url)
    figures = {f"new batch ({BATCH_ROWS:,} rows)": step}
    if again and again["rc"] == 0:
        figures["database, after the batch"] = again
        print(f"    indicators after the batch: {again['total_s']:.2f} s")
    return figures


def db_indicators(out_csv: Path, year: int, url: str) -> dict | None:
    """Time every indicator for every unit and month of ``year`` from the database (subprocess)."""
    return run_measured(
        [PY, str(Path(__file__)), "--db-worker", str(out_csv), "--year", str(year)], env=db_env(url)
    )


def _wide(unit: str, label: str, c) -> dict:
    """A cchc.dossiers.indicators.Counts as a wide row of the canonical file."""
    return {
        "unit": unit,
        "month": label,
        "received": c.received,
        "finished": c.finished,
        "early": c.early,
        "on_time": c.on_time,
        "late": c.late,
        "open_within": c.open_within,
        "open_past": c.open_past,
        "late_without_apology": c.late_no_apology,
        "online": c.online,
        "postal": c.postal,
        "direct": c.direct,
        "full_process_online": c.full_online,
        "digitised": c.digitised,
        "e_result": c.e_result,
        "paid_online": c.paid_online,
        "fee_bearing": c.fee_bearing,
        "vneid": c.vneid,
        "rated": c.rated,
        "satisfied": c.satisfied,
        "processing_seconds": c.processing_seconds,
    }


def _db_worker(out_csv: Path, year: int) -> None:
    """Inside the subprocess: set up Django, compute, write the canonical file, print timings.

    ``total_s``: ``indicators.counts_by_month(scope(None), Period.year(year))``, every indicator
    for every unit and month and the year row of every unit (one aggregate query, one pass over
    the open dossiers). ``two_calls_s``: the same with two plain ``counts()`` calls, for the record.
    """
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from common import add_ratios, write_canonical

    from cchc.dossiers import indicators
    from cchc.dossiers.periods import Period
    from cchc.orgs.models import OrgUnit

    period = Period.year(year)
    qs = indicators.scope(None)
    indicators.counts(qs, Period.month(year, 1), by=("unit",))  # warm up: connection, caches
    started = time.perf_counter()
    months, totals = indicators.counts_by_month(qs, period, by=("unit",))
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    by_month = indicators.counts(qs, period, by=("unit", "month"))
    by_unit = indicators.counts(qs, period, by=("unit",))
    two_calls = time.perf_counter() - started
    assert by_month == months and by_unit == totals, "counts_by_month differs from counts()"
    codes = dict(OrgUnit.objects.values_list("pk", "code"))
    rows = [_wide(codes[u], f"{m:%Y-%m}", c) for (u, m), c in months.items()]
    rows += [_wide(codes[u], f"{year}", c) for (u,), c in totals.items()]
    write_canonical([add_ratios(r) for r in rows], out_csv)
    print(json.dumps({"total_s": seconds, "two_calls_s": two_calls, "cells": len(rows)}))


# ------------------------------------------------------------------------------------ report


def year_totals(path: Path, year: int) -> dict[str, int]:
    totals = dict.fromkeys(TOTALS, 0)
    with path.open(newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["month"] == str(year) and r["indicator"] in totals:
                totals[r["indicator"]] += int(r["value"])
    return totals


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    import duckdb
    import pandas

    return (
        f"{os.cpu_count()} CPU ({cpu}){mem}; Python {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}, pandas {pandas.__version__}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dossiers", type=int, default=1_000_000)
    ap.add_argument("--procedures", type=int, default=2000)
    ap.add_argument("--out", type=Path, default=Path("/tmp/bench"))  # noqa: S108
    ap.add_argument("--units-file", type=Path, help="unit codes of the demo province, one per line")
    ap.add_argument("--regenerate", action="store_true")
    ap.add_argument("--year", type=int, default=2025)
    ap.add_argument(
        "--db",
        nargs="?",
        const=DEFAULT_DB,
        metavar="URL",
        help=f"also import into this PostgreSQL database and time its indicators; the database is DROPPED "
        f"and created again (default {DEFAULT_DB})",
    )
    ap.add_argument("--python", action="store_true", help="also run the slow row-by-row reference")
    ap.add_argument("--no-pandas", action="store_true")
    ap.add_argument("--db-worker", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.db_worker:
        _db_worker(args.db_worker, args.year)
        return 0

    out: Path = args.out
    paths = {"procedures": str(out / "procedures.csv"), "dossiers": str(out / "dossiers.csv")}
    figures: dict[str, dict] = {}

    print(f"== generate {args.dossiers:,} dossiers, {args.procedures:,} procedures → {out}")
    if args.regenerate or not all(Path(p).exists() for p in paths.values()):
        cmd = [
            PY,
            str(BENCH / "generate.py"),
            "--dossiers",
            str(args.dossiers),
            "--procedures",
            str(args.procedures),
        ]
        cmd += ["--out", str(out)] + (["--units-file", str(args.units_file)] if args.units_file else [])
        figures["generate"] = run_measured(cmd)
    else:
        print("  (files present: not regenerated; --regenerate to force)")
    with open(paths["dossiers"], "rb") as fh:
        paths["rows"] = sum(1 for _ in fh) - 1
    sizes = {k: Path(paths[k]).stat().st_size / 1e6 for k in ("procedures", "dossiers")}

    db_import = None
    if args.db:
        print(f"== import into the database {args.db} (dropped and created again)")
        create_database(args.db)
        db_import = import_into_db(paths, args.db)
    else:
        print("== database steps skipped (--db [URL] to import and time the database engine)")
    if db_import:
        figures.update(db_import)

    results = {}
    print("== indicators")
    db = db_indicators(out / "result-db.csv", args.year, args.db) if db_import else None
    if db and db["rc"] == 0:
        figures["database"] = db
        results["database"] = out / "result-db.csv"
    engines = [("duckdb", "reference_duckdb.py")]
    engines += [] if args.no_pandas else [("pandas", "reference_pandas.py")]
    engines += [("python", "reference_python.py")] if args.python else []
    for name, script in engines:
        target = out / f"result-{name}.csv"
        print(f"  {name} ...", flush=True)
        figures[name] = run_measured(
            [PY, str(BENCH / script), paths["procedures"], paths["dossiers"], "--out", str(target)]
        )
        if figures[name]["rc"] != 0:
            print(f"  {name} failed: {figures[name].get('output', '')}")
            continue
        results[name] = target

    if db_import and db and db["rc"] == 0:
        figures.update(new_batch(paths, out, args.db, args.year))

    print("== agreement (canonical files, unit,month,indicator,value)")
    agreement = {}
    base = results.get("duckdb")
    for name, path in results.items():
        if name == "duckdb" or base is None:
            continue
        diffs = compare(base, path)
        agreement[name] = len(diffs)
        print(f"  duckdb vs {name}: {'identical' if not diffs else f'{len(diffs):,} mismatches'}")
        for d in diffs[:10]:
            print("    " + ",".join("" if v is None else str(v) for v in d))

    # ------------------------------------------------------------------ the table
    rows = paths["rows"]
    floor = figures.get("duckdb", {}).get("total_s")
    pandas_s = figures.get("pandas", {}).get("total_s")
    lines = [
        f"Machine: {machine()}.",
        f"Data: {rows:,} dossiers ({sizes['dossiers']:.0f} MB CSV), {args.procedures:,} procedures "
        f"({sizes['procedures']:.1f} MB), generated by `bench/generate.py` (seed 766).",
        "",
        "| step | seconds | peak RSS (MB) | peak PSS, with workers (MB) | rows/s | × DuckDB | pandas ÷ it |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, f in figures.items():
        secs = f.get("total_s") or f.get("seconds") or f["wall_s"]
        per_row = name in ("generate", "import dossiers", "re-import (unchanged)")
        rate = f"{rows / secs:,.0f}" if secs and per_row else ""
        x_floor = f"{secs / floor:.2f}" if floor and name in ("database", "pandas", "python") else ""
        vs_pandas = f"{pandas_s / secs:.2f}" if pandas_s and name in ("database", "duckdb") else ""
        pss = f"{f['peak_pss_mb']:.0f}" if f.get("peak_pss_mb") else ""
        lines.append(f"| {name} | {secs:.2f} | {f['peak_mb']:.0f} | {pss} | {rate} | {x_floor} | {vs_pandas} |")
    lines.append("")
    lines.append(
        "Imports: wall time of the whole `cchc` command (Python start-up, Django set-up and commit "
        "included). Indicator times are measured inside each process (DuckDB and pandas: reading the "
        "CSV files included; database: the queries, the data being in the database), Python start-up "
        "excluded; peak RSS is the whole process (from wait4); peak PSS sums the process and its forked "
        "workers, shared pages counted once (sampled every 0.2 s). Every engine computes every indicator of "
        "bench/common.py for every (unit, month) and (unit, year)."
    )
    for name, f in figures.items():
        detail = {k: round(v, 3) for k, v in f.items() if k.endswith("_s") and isinstance(v, float)}
        if f.get("runs_s"):
            detail["runs_s"] = f["runs_s"]
        lines.append(f"- {name}: {detail}")
    if agreement:
        lines.append(
            "- agreement with DuckDB: " + ", ".join(f"{k}: {v} mismatches" for k, v in agreement.items())
        )
    if base is not None:
        totals = year_totals(base, args.year)
        lines.append(f"- totals over {args.year} (sum over units, open at year end): " + json.dumps(totals))
    text = "\n".join(lines) + "\n"
    print()
    print(text)
    (out / "performance.md").write_text(text, encoding="utf-8")
    print(f"(written to {out / 'performance.md'})")
    return 0 if not any(agreement.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
