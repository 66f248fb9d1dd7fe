"""A third, row-by-row implementation: each dossier through ``cchc.dossiers.derive.derive`` itself.

    python bench/reference_python.py /tmp/bench/procedures.csv /tmp/bench/dossiers.csv --out result.csv

Slow (plain Python, one dossier at a time) but it calls the importer's own rules, so it checks the
SQL and pandas transcriptions of them (and the calendar tables they join).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import COUNTS, PORTAL_FORMAT, add_ratios, write_canonical  # noqa: E402

from cchc.workdays import default_calendar  # noqa: E402


def _t(value: str) -> datetime | None:
    return datetime.strptime(value, PORTAL_FORMAT) if value else None


def _period_end(d: date, year: bool) -> datetime:
    if year:
        return datetime(d.year + 1, 1, 1)
    return datetime(d.year + (d.month == 12), d.month % 12 + 1, 1)


def _derived(cal, r: dict, p: dict):
    """(receipt day, due, finished, early, late, effective end) by ``cchc.dossiers.derive.derive``,
    the importer's one definition of the rules."""
    from decimal import Decimal

    from cchc.dossiers import derive as dv

    limit = dv.Limit(Decimal(p["ThoiHan"]), p["DonViThoiHan"], p.get("LoaiThuTuc") or "") if p else None
    d = dv.derive(
        cal,
        limit,
        status=int(r["TrangThaiHoSo"] or 0),
        received_at=_t(r["NgayTiepNhan"]),
        due_at=_t(r["NgayHenTra"]),
        finished_at=_t(r["NgayKetThucXuLy"]),
        returned_at=_t(r["NgayTra"]),
        refused_at=_t(r["NgayTuChoi"]),
        withdrawn_at=_t(r["NgayRut"]),
        requests=[_t(x) for x in r["NgayYeuCauBoSung"].split(";") if x],
        completions=[_t(x) for x in r["NgayHoanThanhBoSung"].split(";") if x],
    )
    finished = d.end_at is not None
    return d.receipt_day, d.due_at, finished, d.outcome == dv.EARLY, d.outcome == dv.LATE, d.effective_end_at


def compute(procedures: Path, dossiers: Path) -> tuple[list[dict], dict]:
    t0 = time.perf_counter()
    cal = default_calendar()
    with procedures.open(newline="", encoding="utf-8") as fh:
        procs = {r["MaTTHC"]: r for r in csv.DictReader(fh)}
    cells: dict[tuple[str, str], dict] = defaultdict(lambda: dict.fromkeys(COUNTS, 0))
    with dossiers.open(newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            received = _t(r["NgayTiepNhan"])
            if received is None or r["TrangThaiHoSo"] in ("1", "3"):
                continue
            p = procs.get(r["MaTTHC"], {})
            rday, due, finished, early, late, eff = _derived(cal, r, p)
            channel = r["KenhThucHien"] or "1"
            fee = float(p.get("LePhi") or 0) > 0 or float(r["PhiLePhi"] or 0) > 0
            for year in (False, True):
                label = f"{rday:%Y}" if year else f"{rday:%Y-%m}"
                c = cells[(r["MaDonViTiepNhan"], label)]
                T = _period_end(rday, year)
                open_past = not finished and due < T
                c["received"] += 1
                c["finished"] += finished
                c["early"] += early
                c["on_time"] += finished and not early and not late
                c["late"] += late
                c["open_within"] += not finished and due >= T
                c["open_past"] += open_past
                c["late_without_apology"] += (late or open_past) and not r["NgayXinLoi"]
                c["online"] += channel == "2"
                c["postal"] += channel == "3"
                c["direct"] += channel not in ("2", "3")
                c["full_process_online"] += channel == "2" and p.get("MucDoDVC") == "toan_trinh"
                c["digitised"] += r["HoSoCoThanhPhanSoHoa"] == "1"
                c["e_result"] += r["CoKetQuaDienTu"] == "1"
                c["paid_online"] += fee and r["DuocThanhToanTrucTuyen"] in ("1", "2")
                c["fee_bearing"] += fee
                c["vneid"] += r["TaiKhoanDuocXacThucVoiVNeID"] == "1"
                c["rated"] += r["HaiLong"] != ""
                c["satisfied"] += r["HaiLong"] == "1"
                if finished:
                    c["processing_seconds"] += int((eff - received).total_seconds())
    rows = [add_ratios({"unit": u, "month": m, **c}) for (u, m), c in cells.items()]
    return rows, {"total_s": time.perf_counter() - t0}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("procedures", type=Path)
    ap.add_argument("dossiers", type=Path)
    ap.add_argument("--out", type=Path)
    args = ap.parse_args(argv)
    rows, timings = compute(args.procedures, args.dossiers)
    if args.out:
        timings["canonical_lines"] = write_canonical(rows, args.out)
    timings["cells"] = len(rows)
    print(json.dumps(timings))


if __name__ == "__main__":
    main()
