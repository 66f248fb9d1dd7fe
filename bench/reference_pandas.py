"""What an analyst would write: the same indicators with read_csv, to_datetime and groupby.

    python bench/reference_pandas.py /tmp/bench/procedures.csv /tmp/bench/dossiers.csv --out result.csv

Same rules as ``reference_duckdb.py`` (cchc.dossiers.derive and the counting of
cchc.dossiers.indicators); plain vectorised pandas, no tuning.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import calendar_rows, frame_to_rows, write_canonical  # noqa: E402

FMT = "%Y%m%d%H%M%S"
DATE_COLS = ["NgayTiepNhan", "NgayHenTra", "NgayKetThucXuLy", "NgayTra", "NgayTuChoi", "NgayRut"]


def compute(
    procedures: Path, dossiers: Path, first_year: int = 2024, last_year: int = 2027
) -> tuple[list[dict], dict]:
    """Wide rows (unit, month, counts, ratios) for months and years, and timings."""
    t0 = time.perf_counter()
    cal = pd.DataFrame(calendar_rows(first_year, last_year), columns=["d", "working", "wdi", "next_wd"])
    cal["d"] = pd.to_datetime(cal["d"])
    cal["next_wd"] = pd.to_datetime(cal["next_wd"])
    t1 = time.perf_counter()

    procs = pd.read_csv(procedures, dtype=str)
    procs["ThoiHan"] = procs["ThoiHan"].astype(float)
    procs["LePhi"] = pd.to_numeric(procs["LePhi"], errors="coerce").fillna(0)
    df = pd.read_csv(dossiers, dtype=str)
    t2 = time.perf_counter()

    # received dossiers only
    df = df[df["NgayTiepNhan"].notna() & ~df["TrangThaiHoSo"].isin(["1", "3"])]
    for col in DATE_COLS:
        df[col] = pd.to_datetime(df[col], format=FMT)
    df = df.merge(procs, on="MaTTHC", how="left")

    # receipt day: the local date of NgayTiepNhan (cchc.dossiers.derive)
    df["rday"] = df["NgayTiepNhan"].dt.normalize()
    df = df.merge(cal, left_on="rday", right_on="d", how="left")

    # due: NgayHenTra, else derive.compute_due from the procedure's time limit (2% of the rows)
    missing = df[df["NgayHenTra"].isna()]
    amount = missing["ThoiHan"].fillna(0)
    n = np.ceil(amount).clip(lower=0).astype(int)  # fractional limits round up
    unit = missing["DonViThoiHan"].fillna("ngay_lam_viec")
    working = missing["working"] == True  # noqa: E712
    after_cutoff = (missing["NgayTiepNhan"] - missing["rday"]) > pd.Timedelta(hours=15)
    same_day = missing["LoaiThuTuc"] == "chung_thuc"
    # working days: day 1 = the first working day after the receipt day (moved off a day off);
    # chung_thuc: received after 15:00 or on a day off → the next working day, which is day 1
    target = np.where(
        same_day,
        missing["wdi"] + (~working | after_cutoff).astype(int) + (n - 1).clip(lower=0),
        missing["wdi"] + (~working).astype(int) + n,
    )
    nth_working_day = cal[cal["working"]].set_index("wdi")["d"]
    by_working_days = pd.Series(target, index=missing.index).map(nth_working_day) + pd.Timedelta(hours=17)
    # calendar days and months: added to the date received; a day off moves to the next working day
    candidate = missing["rday"] + pd.to_timedelta(n, unit="D")
    months = unit == "thang"
    whole = amount.astype(int)
    for k in whole[months].unique():
        rows = months & (whole == k)
        candidate[rows] = missing.loc[rows, "rday"] + pd.DateOffset(months=int(k))
    extra = np.ceil((amount - whole) * 30).astype(int)
    candidate = candidate + pd.to_timedelta(extra.where(months, 0), unit="D")
    day_info = cal.set_index("d")
    adjusted = candidate.where(candidate.map(day_info["working"]) == True, candidate.map(day_info["next_wd"]))  # noqa: E712
    by_days = adjusted + pd.Timedelta(hours=17)
    by_hours = missing["NgayTiepNhan"] + pd.to_timedelta((amount * 3600e6).round(), unit="us")
    computed = by_working_days.where(unit == "ngay_lam_viec")
    computed = computed.fillna(by_days.where(unit.isin(["ngay", "thang"]))).fillna(by_hours.where(unit == "gio"))
    df["due"] = df["NgayHenTra"].fillna(computed)

    # supplements (the rows that have any): pause = sum of (completion - request) over answered requests
    sup = df[df["NgayYeuCauBoSung"].notna()]
    req = sup["NgayYeuCauBoSung"].str.split(";", expand=True)
    comp = sup["NgayHoanThanhBoSung"].fillna("").str.split(";", expand=True)
    n_req = req.notna().sum(axis=1).reindex(df.index, fill_value=0)
    n_comp = (comp.fillna("") != "").sum(axis=1).reindex(df.index, fill_value=0)
    pause = pd.Series(0.0, index=df.index)
    last_request = pd.Series(pd.NaT, index=df.index, dtype="datetime64[ns]")
    for i in range(req.shape[1]):
        r_i = pd.to_datetime(req[i], format=FMT).reindex(df.index)
        if i < comp.shape[1]:
            c_i = pd.to_datetime(comp[i].replace("", None), format=FMT).reindex(df.index)
            pause += (c_i - r_i).dt.total_seconds().fillna(0)
        last_request = last_request.where(~(n_req == i + 1), r_i)
    pending_at = last_request.where(n_req > n_comp)

    # end: a pending supplement request first, else the first of the end columns
    end = (
        pending_at.fillna(df["NgayKetThucXuLy"])
        .fillna(df["NgayTra"])
        .fillna(df["NgayTuChoi"])
        .fillna(df["NgayRut"])
    )
    eff_end = end - pd.to_timedelta(pause, unit="s")
    df["finished"] = end.notna()
    df["early"] = df["finished"] & (n_req <= 1) & (eff_end.dt.normalize() < df["due"].dt.normalize())
    df["late"] = df["finished"] & (
        (n_req > 1) | ((eff_end.dt.normalize() >= df["due"].dt.normalize()) & (eff_end > df["due"]))
    )
    df["on_time"] = df["finished"] & ~df["early"] & ~df["late"]
    df["processing_seconds"] = (eff_end - df["NgayTiepNhan"]).dt.total_seconds().fillna(0)
    df["apology"] = df["NgayXinLoi"].notna()

    channel = df["KenhThucHien"].fillna("1")
    df["online"] = channel == "2"
    df["postal"] = channel == "3"
    df["direct"] = ~channel.isin(["2", "3"])
    df["full_process_online"] = df["online"] & (df["MucDoDVC"] == "toan_trinh")
    df["digitised"] = df["HoSoCoThanhPhanSoHoa"] == "1"
    df["e_result"] = df["CoKetQuaDienTu"] == "1"
    df["fee_bearing"] = (df["LePhi"].fillna(0) > 0) | (
        pd.to_numeric(df["PhiLePhi"], errors="coerce").fillna(0) > 0
    )
    df["paid_online"] = df["fee_bearing"] & df["DuocThanhToanTrucTuyen"].isin(["1", "2"])
    df["vneid"] = df["TaiKhoanDuocXacThucVoiVNeID"] == "1"
    df["rated"] = df["HaiLong"].notna()
    df["satisfied"] = df["HaiLong"] == "1"
    df["received"] = True
    t3 = time.perf_counter()

    frames = []
    for label, freq in (("%Y-%m", "M"), ("%Y", "Y")):
        period = df["rday"].dt.to_period(freq)
        T = (period + 1).dt.start_time  # the moment that ends the period
        df["month"] = df["rday"].dt.strftime(label)
        df["open_within"] = ~df["finished"] & (df["due"] >= T)
        df["open_past"] = ~df["finished"] & (df["due"] < T)
        df["late_without_apology"] = (df["late"] | df["open_past"]) & ~df["apology"]
        g = df.groupby(["MaDonViTiepNhan", "month"]).agg(
            received=("received", "sum"),
            finished=("finished", "sum"),
            early=("early", "sum"),
            on_time=("on_time", "sum"),
            late=("late", "sum"),
            open_within=("open_within", "sum"),
            open_past=("open_past", "sum"),
            late_without_apology=("late_without_apology", "sum"),
            online=("online", "sum"),
            postal=("postal", "sum"),
            direct=("direct", "sum"),
            full_process_online=("full_process_online", "sum"),
            digitised=("digitised", "sum"),
            e_result=("e_result", "sum"),
            paid_online=("paid_online", "sum"),
            fee_bearing=("fee_bearing", "sum"),
            vneid=("vneid", "sum"),
            rated=("rated", "sum"),
            satisfied=("satisfied", "sum"),
            processing_seconds=("processing_seconds", "sum"),
        )
        frames.append(g.reset_index().rename(columns={"MaDonViTiepNhan": "unit"}))
    result = pd.concat(frames, ignore_index=True)
    t4 = time.perf_counter()
    rows = frame_to_rows(result)
    timings = {
        "calendar_s": t1 - t0,
        "read_s": t2 - t1,
        "derive_s": t3 - t2,
        "aggregate_s": t4 - t3,
        "total_s": time.perf_counter() - t0,
        "rows_without_due": int(df["due"].isna().sum()),
    }
    return rows, timings


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("procedures", type=Path)
    ap.add_argument("dossiers", type=Path)
    ap.add_argument("--out", type=Path, help="canonical result CSV (unit,month,indicator,value)")
    args = ap.parse_args(argv)
    rows, timings = compute(args.procedures, args.dossiers)
    if args.out:
        timings["canonical_lines"] = write_canonical(rows, args.out)
    timings["cells"] = len(rows)
    print(json.dumps(timings))


if __name__ == "__main__":
    main()
