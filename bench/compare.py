"""Diff two canonical result files (``unit,month,indicator,value``).

    python bench/compare.py duckdb.csv pandas.csv

Counts must be equal; ratios may differ by ``--tolerance`` (relative). A line missing on one side
is a mismatch (an indicator row of a (unit, month) cell the other engine does not have). Exit
status 1 when anything differs. The database engine's output is checked the same way.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import RATIOS  # noqa: E402


def load(path: Path) -> dict[tuple[str, str, str], str]:
    with path.open(newline="", encoding="utf-8") as fh:
        return {(r["unit"], r["month"], r["indicator"]): r["value"] for r in csv.DictReader(fh)}


def compare(a: Path, b: Path, tolerance: float = 1e-9) -> list[tuple]:
    """Mismatches as (unit, month, indicator, value in a, value in b), sorted."""
    left, right = load(a), load(b)
    out = []
    for key in sorted(left.keys() | right.keys()):
        va, vb = left.get(key), right.get(key)
        if va == vb:
            continue
        if va and vb and key[2] in RATIOS:
            fa, fb = float(va), float(vb)
            if abs(fa - fb) <= tolerance * max(1.0, abs(fa), abs(fb)):
                continue
        out.append((*key, va, vb))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("a", type=Path)
    ap.add_argument("b", type=Path)
    ap.add_argument("--tolerance", type=float, default=1e-6)
    ap.add_argument("--show", type=int, default=20, help="print at most this many mismatches")
    args = ap.parse_args(argv)
    diffs = compare(args.a, args.b, args.tolerance)
    total = len(load(args.a))
    if not diffs:
        print(f"identical: {total:,} lines")
        return 0
    print(f"{len(diffs):,} mismatches (of {total:,} lines in {args.a.name}):")
    for d in diffs[: args.show]:
        print("  " + ",".join("" if v is None else str(v) for v in d))
    return 1


if __name__ == "__main__":
    sys.exit(main())
