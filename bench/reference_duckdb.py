"""The floor: every indicator for every (unit, month) and (unit, year), by DuckDB straight from the CSVs.

    python bench/reference_duckdb.py /tmp/bench/procedures.csv /tmp/bench/dossiers.csv --out result.csv

Implements the rules of ``cchc.dossiers.derive`` in SQL (see ``DERIVED_SQL``) and the counting
definitions of ``cchc.dossiers.indicators``. The working-day calendar comes from
``cchc.workdays.default_calendar()`` as a small table: one row per day with is_working, working-day
index and next working day, so the due-date rules are joins.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import COUNTS, add_ratios, calendar_rows, write_canonical  # noqa: E402

# One row per received dossier with what the indicators need. Parameters: $proc, $doss (paths).
# The rules are cchc.dossiers.derive's (docs/dossier-format.md, "Derived values"); the comments
# name the function each part mirrors.
DERIVED_SQL = """
WITH p AS (
    SELECT MaTTHC AS code,
           MucDoDVC AS online_level,
           CAST(ThoiHan AS DOUBLE) AS amount,
           GREATEST(CAST(ceil(CAST(ThoiHan AS DOUBLE)) AS INTEGER), 0) AS n,  -- fractional limits round up
           COALESCE(DonViThoiHan, 'ngay_lam_viec') AS n_unit,
           COALESCE(TRY_CAST(LePhi AS DECIMAL(18, 2)), 0) AS fee,
           COALESCE(LoaiThuTuc, '') = 'chung_thuc' AS same_day
    FROM read_csv($proc, all_varchar = true, header = true)
),
raw AS (
    SELECT MaDonViTiepNhan AS unit,
           MaTTHC AS code,
           COALESCE(KenhThucHien, '1') AS channel,
           strptime(NgayTiepNhan, '%Y%m%d%H%M%S') AS recv,
           strptime(NgayHenTra, '%Y%m%d%H%M%S') AS due_given,
           COALESCE(strptime(NgayKetThucXuLy, '%Y%m%d%H%M%S'), strptime(NgayTra, '%Y%m%d%H%M%S'),
                    strptime(NgayTuChoi, '%Y%m%d%H%M%S'), strptime(NgayRut, '%Y%m%d%H%M%S')) AS final_end,
           NgayXinLoi IS NOT NULL AS apology,
           list_transform(string_split(NgayYeuCauBoSung, ';'), lambda x: strptime(x, '%Y%m%d%H%M%S')) AS req,
           list_transform(string_split(NgayHoanThanhBoSung, ';'), lambda x: strptime(x, '%Y%m%d%H%M%S')) AS comp,
           HoSoCoThanhPhanSoHoa = '1' AS digitised,
           CoKetQuaDienTu = '1' AS e_result,
           COALESCE(DuocThanhToanTrucTuyen IN ('1', '2'), false) AS paid,
           COALESCE(TRY_CAST(PhiLePhi AS DECIMAL(18, 2)), 0) AS dossier_fee,
           TaiKhoanDuocXacThucVoiVNeID = '1' AS vneid,
           HaiLong
    FROM read_csv($doss, all_varchar = true, header = true)
    WHERE NgayTiepNhan IS NOT NULL AND COALESCE(TrangThaiHoSo, '') NOT IN ('1', '3')
),
r AS (  -- receipt day = the local date of NgayTiepNhan (derive.derive)
    SELECT raw.*, p.online_level, p.amount, p.n, p.n_unit, p.fee, p.same_day,
           CAST(recv AS DATE) AS rday,
           c.working AS r_working, c.wdi AS r_wdi,
           COALESCE(len(req), 0) AS n_req,
           COALESCE(len(comp), 0) AS n_comp
    FROM raw
    LEFT JOIN p USING (code)
    LEFT JOIN cal c ON c.d = CAST(recv AS DATE)
),
t AS (  -- the target of the computed due (derive.compute_due)
    SELECT r.*,
           CASE WHEN n_unit = 'ngay_lam_viec' AND same_day
                -- after 15:00 or on a day off: the next working day, which is day 1
                THEN r_wdi + CASE WHEN NOT r_working OR CAST(recv AS TIME) > TIME '15:00' THEN 1 ELSE 0 END
                     + GREATEST(n - 1, 0)
                WHEN n_unit = 'ngay_lam_viec'
                -- day 1 = the first working day after the receipt day (moved off a day off)
                THEN r_wdi + CASE WHEN r_working THEN 0 ELSE 1 END + n
           END AS due_wdi,
           CASE n_unit
               WHEN 'ngay' THEN rday + n
               WHEN 'thang' THEN CAST(rday + to_months(CAST(trunc(amount) AS INTEGER)) AS DATE)
                                 + CAST(ceil((amount - trunc(amount)) * 30) AS INTEGER)
           END AS due_calendar_day
    FROM r
),
s AS (  -- due moment; supplement pause; end (a pending request first: derive.derive)
    SELECT t.*,
           COALESCE(due_given,
               CASE WHEN n_unit = 'ngay_lam_viec' THEN w.d + TIME '17:00'
                    WHEN n_unit IN ('ngay', 'thang')
                    THEN CASE WHEN a.working THEN a.d ELSE a.next_wd END + TIME '17:00'
                    WHEN n_unit = 'gio' THEN recv + to_microseconds(CAST(round(amount * 3600000000) AS BIGINT))
               END) AS due,
           COALESCE(list_sum(list_transform(list_zip(req, comp),
                    lambda z: CASE WHEN z[2] IS NULL THEN 0 ELSE epoch(z[2]) - epoch(z[1]) END)), 0) AS pause_s,
           CASE WHEN n_req > n_comp THEN req[n_req] ELSE final_end END AS end_at
    FROM t
    LEFT JOIN cal w ON w.working AND w.wdi = t.due_wdi AND t.due_given IS NULL
    LEFT JOIN cal a ON a.d = t.due_calendar_day AND t.due_given IS NULL
)
SELECT unit, rday, due, apology, channel, online_level, digitised, e_result,
       paid AND (fee > 0 OR dossier_fee > 0) AS paid_online,
       fee > 0 OR dossier_fee > 0 AS fee_bearing, vneid, HaiLong,
       end_at IS NOT NULL AS finished,
       end_at IS NOT NULL AND n_req <= 1 AND CAST(eff_end AS DATE) < CAST(due AS DATE) AS early,
       end_at IS NOT NULL AND (n_req > 1 OR (CAST(eff_end AS DATE) >= CAST(due AS DATE) AND eff_end > due)) AS late,
       CASE WHEN end_at IS NOT NULL THEN CAST(epoch(eff_end) - epoch(recv) AS BIGINT) END AS processing_s
FROM (SELECT s.*, end_at - to_seconds(CAST(pause_s AS BIGINT)) AS eff_end FROM s)
"""

# One pass, two groupings: (unit, month) and (unit, year). T, the moment that ends the period
# (the first moment of the next one), decides open within / past due, so the three indicators
# that depend on it are counted for both T and picked per grouping.
AGG_SQL = f"""
WITH derived AS ({DERIVED_SQL}),
x AS (
    SELECT *, strftime(rday, '%Y-%m') AS month, strftime(rday, '%Y') AS year,
           NOT finished AND due >= CAST(date_trunc('month', rday) + INTERVAL 1 MONTH AS TIMESTAMP) AS within_m,
           NOT finished AND due >= CAST(date_trunc('year', rday) + INTERVAL 1 YEAR AS TIMESTAMP) AS within_y
    FROM derived
)
SELECT unit, month, year,
       count(*) AS received,
       count(*) FILTER (WHERE finished) AS finished,
       count(*) FILTER (WHERE early) AS early,
       count(*) FILTER (WHERE finished AND NOT early AND NOT late) AS on_time,
       count(*) FILTER (WHERE late) AS late,
       count(*) FILTER (WHERE within_m) AS open_within_m,
       count(*) FILTER (WHERE NOT finished AND NOT within_m) AS open_past_m,
       count(*) FILTER (WHERE (late OR (NOT finished AND NOT within_m)) AND NOT apology) AS late_without_apology_m,
       count(*) FILTER (WHERE within_y) AS open_within_y,
       count(*) FILTER (WHERE NOT finished AND NOT within_y) AS open_past_y,
       count(*) FILTER (WHERE (late OR (NOT finished AND NOT within_y)) AND NOT apology) AS late_without_apology_y,
       count(*) FILTER (WHERE channel = '2') AS online,
       count(*) FILTER (WHERE channel = '3') AS postal,
       count(*) FILTER (WHERE channel NOT IN ('2', '3')) AS direct,
       count(*) FILTER (WHERE channel = '2' AND online_level = 'toan_trinh') AS full_process_online,
       count(*) FILTER (WHERE digitised) AS digitised,
       count(*) FILTER (WHERE e_result) AS e_result,
       count(*) FILTER (WHERE paid_online) AS paid_online,
       count(*) FILTER (WHERE fee_bearing) AS fee_bearing,
       count(*) FILTER (WHERE vneid) AS vneid,
       count(*) FILTER (WHERE HaiLong IS NOT NULL) AS rated,
       count(*) FILTER (WHERE HaiLong = '1') AS satisfied,
       COALESCE(sum(processing_s), 0) AS processing_seconds,
       count(*) FILTER (WHERE due IS NULL OR rday IS NULL) AS without_due
FROM x
GROUP BY GROUPING SETS ((unit, month), (unit, year))
"""  # noqa: S608 - constant SQL; the file paths are parameters
PERIOD_DEPENDENT = ("open_within", "open_past", "late_without_apology")


def load_calendar(con: duckdb.DuckDBPyConnection, first_year: int, last_year: int) -> None:
    """The calendar table ``cal(d, working, wdi, next_wd)`` from cchc.workdays.default_calendar()."""
    rows = calendar_rows(first_year, last_year)
    con.execute(
        "CREATE OR REPLACE TEMP TABLE cal AS SELECT unnest($1) AS d, unnest($2) AS working, "
        "unnest($3) AS wdi, unnest($4) AS next_wd",
        [list(col) for col in zip(*rows, strict=True)],
    )


def compute(
    procedures: Path,
    dossiers: Path,
    first_year: int = 2024,
    last_year: int = 2027,
    threads: int | None = None,
) -> tuple[list[dict], dict]:
    """Wide rows (unit, month, counts, ratios) for months ("2025-03") and years ("2025"), and timings."""
    t0 = time.perf_counter()
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    load_calendar(con, first_year, last_year)
    t1 = time.perf_counter()
    cur = con.execute(AGG_SQL, {"proc": str(procedures), "doss": str(dossiers)})
    names = [c[0] for c in cur.description]
    records = cur.fetchall()
    t2 = time.perf_counter()
    rows, missing = [], 0
    for rec in records:
        row = dict(zip(names, rec, strict=True))
        by_month = row["month"] is not None
        suffix = "_m" if by_month else "_y"
        for name in PERIOD_DEPENDENT:
            row[name] = row[name + suffix]
        if not by_month:
            row["month"] = row["year"]
            missing += row["without_due"]
        rows.append(
            add_ratios(
                {k: row[k] if k in ("unit", "month") else int(row[k]) for k in ("unit", "month", *COUNTS)}
            )
        )
    t3 = time.perf_counter()
    con.close()
    timings = {
        "calendar_s": t1 - t0,
        "query_s": t2 - t1,
        "rows_s": t3 - t2,
        "total_s": t3 - t0,
        "rows_without_due": missing,
    }
    return rows, timings


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("procedures", type=Path)
    ap.add_argument("dossiers", type=Path)
    ap.add_argument("--out", type=Path, help="canonical result CSV (unit,month,indicator,value)")
    ap.add_argument("--threads", type=int)
    args = ap.parse_args(argv)
    rows, timings = compute(args.procedures, args.dossiers, threads=args.threads)
    if args.out:
        timings["canonical_lines"] = write_canonical(rows, args.out)
    timings["cells"] = len(rows)
    print(json.dumps(timings))


if __name__ == "__main__":
    main()
