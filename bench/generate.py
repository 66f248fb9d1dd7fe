"""Deterministic synthetic dossiers for the benchmark (the file contract of the dossier importer).

    python bench/generate.py --dossiers 1000000 --procedures 2000 --out /tmp/bench
    python bench/generate.py --dossiers 5000 --out /tmp/small --format jsonl --xlsx

Writes ``procedures.csv`` and ``dossiers.csv`` (or ``dossiers.jsonl``; ``--xlsx`` adds .xlsx copies
of both, for small sizes). Dossiers are streamed day by day, so memory stays flat. The same seed
and arguments always give the same bytes.

Distributions (targets, over received dossiers): channel ≈ 55% direct / 40% online / 5% postal;
≈ 8% one completed supplement request, ≈ 1% two (late by rule), ≈ 0.5% one still pending;
≈ 3-5% late; ≈ 2% withdrawn or refused after receipt plus ≈ 1% refused at intake (not received);
≈ 5% still open at the end of the data (2026-01-01 00:00); an apology on about half of the late
ones; NgayHenTra blank on 2%. About 70% of the dossiers are for commune-level procedures.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cchc.dossiers.synthetic import *  # noqa: E402,F403 - the generator lives in the package (the demo uses it)
from cchc.dossiers.synthetic import generate, read_units  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dossiers", type=int, default=1_000_000)
    ap.add_argument("--procedures", type=int, default=2000)
    ap.add_argument("--out", type=Path, default=Path("/tmp/bench"))  # noqa: S108
    ap.add_argument("--seed", type=int, default=766)
    ap.add_argument(
        "--units", help="comma-separated unit codes (default: Tuyên Quang's departments and communes)"
    )
    ap.add_argument("--units-file", type=Path, help="unit codes, one per line (or first CSV column)")
    ap.add_argument("--format", choices=["csv", "jsonl"], default="csv")
    ap.add_argument("--xlsx", action="store_true", help="also write .xlsx copies (small sizes only)")
    args = ap.parse_args(argv)
    units = None
    if args.units_file:
        units = read_units(args.units_file)
    elif args.units:
        units = [u.strip() for u in args.units.split(",") if u.strip()]
    if args.xlsx and args.dossiers > 200_000:
        ap.error("--xlsx is meant for small sizes (at most 200,000 dossiers)")
    res = generate(
        args.out, args.dossiers, args.procedures, units, args.seed, args.format, args.xlsx, progress=True
    )
    print(json.dumps(res))


if __name__ == "__main__":
    main()
