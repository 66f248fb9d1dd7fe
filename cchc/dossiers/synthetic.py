"""Synthetic one-stop-shop dossiers with realistic distributions (the demo and the benchmark).

Deterministic: the same seed and arguments always give the same bytes. Writes the procedure
catalogue and the dossiers in the documented file format (docs/dossier-format.md), streamed day by
day so memory stays flat, for the units given (departments P08-S..., communes W.....).

    generate(Path("/tmp/out"), dossiers=60_000, procedures=400, units=[...],
             first=date(2025, 12, 1), last=date(2026, 11, 22), snapshot=datetime(2026, 11, 23, 8))

Distributions (targets, over received dossiers): channel ≈ 55% direct / 40% online / 5% postal;
≈ 8% one completed supplement request, ≈ 1% two (late by rule), ≈ 0.5% one still pending;
≈ 3-5% late; ≈ 2% withdrawn or refused after receipt plus ≈ 1% refused at intake (not received);
≈ 5% still open at the snapshot; an apology on about half of the late ones; NgayHenTra blank on
2%. About 70% of the dossiers are for commune-level procedures. Written for the benchmark
(bench/generate.py is its command line).
"""

from __future__ import annotations

import csv
import json
import math
import random
import sys
import time as _time
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import accumulate
from pathlib import Path

from cchc.workdays import default_calendar

PORTAL_FORMAT = "%Y%m%d%H%M%S"
CLOSING_TIME = time(17, 0)  # office close: received after it (or on a day off) → next working day
SAME_DAY_CUTOFF = time(15, 0)  # LoaiThuTuc = chung_thuc

YEAR = 2025
SNAPSHOT = datetime(YEAR + 1, 1, 1)  # default export moment: later events are not in the data

PROCEDURE_COLUMNS = [
    "MaTTHC",
    "TenTTHC",
    "LinhVuc",
    "CapThucHien",
    "ThoiHan",
    "DonViThoiHan",
    "MucDoDVC",
    "DuDieuKienToanTrinh",
    "LePhi",
    "BuuChinh",
    "KetQuaGiay",
    "DoiTuongCongDan",
    "LoaiThuTuc",
]
DOSSIER_COLUMNS = [
    "MaHoSo",
    "MaTTHC",
    "MaDonViTiepNhan",
    "KenhThucHien",
    "TrangThaiHoSo",
    "NgayNopHoSo",
    "NgayTiepNhan",
    "NgayHenTra",
    "NgayKetThucXuLy",
    "NgayTra",
    "NgayTuChoi",
    "NgayRut",
    "NgayXinLoi",
    "NgayHenTraMoi",
    "NgayYeuCauBoSung",
    "NgayHoanThanhBoSung",
    "HoSoCoThanhPhanSoHoa",
    "CoKetQuaDienTu",
    "DuocTaiSuDung",
    "DuocLayTuKhoDMQG",
    "TaiKhoanDuocXacThucVoiVNeID",
    "DuocThanhToanTrucTuyen",
    "PhiLePhi",
    "HaiLong",
]
INT_KEYS = {
    "KenhThucHien",
    "TrangThaiHoSo",
    "HoSoCoThanhPhanSoHoa",
    "CoKetQuaDienTu",
    "DuocTaiSuDung",
    "DuocLayTuKhoDMQG",
    "TaiKhoanDuocXacThucVoiVNeID",
    "DuocThanhToanTrucTuyen",
    "HaiLong",
}

# Departments that receive dossiers, with their share of the province-level volume and fields.
DEPARTMENTS: dict[str, tuple[float, list[str]]] = {
    "SNNMT": (
        0.22,
        ["Đất đai", "Môi trường", "Tài nguyên nước", "Trồng trọt", "Chăn nuôi", "Thú y", "Lâm nghiệp"],
    ),
    "SXD": (0.16, ["Hoạt động xây dựng", "Nhà ở", "Quy hoạch xây dựng", "Đường bộ", "Đăng kiểm"]),
    "STC": (0.14, ["Thành lập và hoạt động doanh nghiệp", "Đầu tư tại Việt Nam", "Quản lý công sản"]),
    "STP": (0.12, ["Lý lịch tư pháp", "Công chứng", "Luật sư", "Quốc tịch", "Đấu giá tài sản", "Chứng thực"]),
    "SYT": (0.10, ["Khám bệnh, chữa bệnh", "Dược phẩm", "An toàn thực phẩm", "Bảo trợ xã hội"]),
    "SNV": (0.07, ["Việc làm", "Lao động", "Người có công", "Thi đua, khen thưởng", "Tổ chức hành chính"]),
    "SGDDT": (0.06, ["Giáo dục và đào tạo", "Giáo dục nghề nghiệp", "Văn bằng, chứng chỉ"]),
    "SCT": (0.05, ["Lưu thông hàng hóa trong nước", "Điện", "Hóa chất", "Xúc tiến thương mại"]),
    "SVHTTDL": (0.03, ["Văn hóa", "Thể dục thể thao", "Du lịch", "Báo chí", "Xuất bản"]),
    "SKHCN": (0.02, ["Hoạt động khoa học và công nghệ", "Tiêu chuẩn đo lường chất lượng", "Bưu chính"]),
    "SDTTG": (0.01, ["Tôn giáo", "Công tác dân tộc"]),
    "BQLKCN": (0.01, ["Quản lý khu công nghiệp"]),
    "VP": (0.01, ["Ngoại vụ", "Tổng hợp"]),
}
COMMUNE_FIELDS = [
    "Hộ tịch",
    "Bảo trợ xã hội",
    "Người có công",
    "Đất đai",
    "Nông nghiệp",
    "Văn hóa cơ sở",
    "Giáo dục và đào tạo",
    "Tôn giáo",
    "Thi đua, khen thưởng",
    "Hòa giải cơ sở",
    "Nuôi con nuôi",
    "Kinh doanh hộ cá thể",
]
# The busiest commune procedures, real codes and names, in order of volume.
HEAD_PROCEDURES = [  # (code, name, field, kind, time limit in working days, fee)
    ("2.000815", "Chứng thực bản sao từ bản chính", "Chứng thực", "chung_thuc", 0, 2000),
    ("2.000884", "Chứng thực chữ ký trong các giấy tờ, văn bản", "Chứng thực", "chung_thuc", 0, 10000),
    ("1.001193", "Đăng ký khai sinh", "Hộ tịch", "", 1, 0),
    (
        "2.000908",
        "Chứng thực hợp đồng, giao dịch liên quan đến tài sản",
        "Chứng thực",
        "chung_thuc",
        2,
        50000,
    ),
    ("1.004227", "Cấp bản sao trích lục hộ tịch", "Hộ tịch", "chung_thuc", 0, 8000),
    ("1.000894", "Đăng ký khai tử", "Hộ tịch", "", 1, 0),
    ("1.001022", "Đăng ký thường trú kết hợp khai sinh", "Hộ tịch", "", 5, 0),
    ("1.000656", "Đăng ký kết hôn", "Hộ tịch", "", 1, 0),
    ("2.000927", "Chứng thực việc sửa đổi, bổ sung hợp đồng", "Chứng thực", "chung_thuc", 2, 30000),
    ("1.004873", "Cấp giấy xác nhận tình trạng hôn nhân", "Hộ tịch", "", 3, 0),
]
NAME_VERBS = [
    "Cấp",
    "Cấp lại",
    "Điều chỉnh",
    "Gia hạn",
    "Đăng ký",
    "Thẩm định",
    "Công nhận",
    "Thu hồi",
    "Xác nhận",
]
NAME_OBJECTS = [
    "giấy phép",
    "giấy chứng nhận",
    "chứng chỉ hành nghề",
    "hồ sơ",
    "quyết định",
    "văn bản chấp thuận",
]

SEASON = {
    1: 1.15,
    2: 0.75,
    3: 1.05,
    4: 1.0,
    5: 1.0,
    6: 1.05,
    7: 1.05,
    8: 0.95,
    9: 0.95,
    10: 1.0,
    11: 1.0,
    12: 1.1,
}
WEEKDAY = {0: 1.15, 1: 1.05, 2: 1.0, 3: 1.0, 4: 0.9, 5: 1.0, 6: 1.0}


@dataclass
class Procedure:
    code: str
    name: str
    field: str
    level: str  # "tinh" | "xa"
    limit: float
    limit_unit: str
    online_level: str
    full_eligible: int
    fee: int
    postal: int
    paper_result: int
    citizens: int
    kind: str
    unit: str | None  # the department for province-level procedures
    weight: float = 0.0

    def row(self) -> list:
        limit = int(self.limit) if float(self.limit).is_integer() else self.limit
        return [
            self.code,
            self.name,
            self.field,
            self.level,
            limit,
            self.limit_unit,
            self.online_level,
            self.full_eligible,
            self.fee,
            self.postal,
            self.paper_result,
            self.citizens,
            self.kind,
        ]


# ------------------------------------------------------------------------------------ units


def default_units(province_code: int = 8) -> list[str]:
    """~140 realistic receiving units: the province's departments (P08-S...) and its communes (W.....).

    Commune codes come from ``vietnam_provinces`` when installed (Tuyên Quang has 124), else from a
    seeded synthetic list."""
    units = [f"P{province_code:02d}-{key}" for key in DEPARTMENTS]
    try:
        from vietnam_provinces import Ward

        wards = sorted(int(w.code) for w in Ward.iter_by_province(province_code))
    except Exception:  # noqa: BLE001 - any failure falls back to synthetic codes
        wards = []
    if not wards:
        rng = random.Random(province_code)
        wards = sorted(rng.sample(range(2000, 3000), 125))
    return units + [f"W{w:05d}" for w in wards]


def read_units(path: Path) -> list[str]:
    """Unit codes from a file: one per line, or the first column of a CSV (header skipped if not a code)."""
    codes = []
    for line in path.read_text(encoding="utf-8").splitlines():
        code = line.split(",")[0].strip().strip('"')
        if code and not code.lower().startswith(("code", "ma")):
            codes.append(code)
    return codes


def split_units(units: list[str]) -> tuple[list[str], list[str]]:
    """(departments, communes): communes are the W codes, departments everything else but the province."""
    communes = [u for u in units if u.startswith("W")]
    departments = [u for u in units if not u.startswith("W") and "-" in u]
    if not departments:
        departments = [u for u in units if not u.startswith("W")]
    if not communes or not departments:  # odd unit lists: use every unit for both levels
        return units, units
    return departments, communes


# ------------------------------------------------------------------------------------ procedures


def make_procedures(n: int, departments: list[str], rng: random.Random) -> list[Procedure]:
    """A catalogue of ``n`` procedures with popularity weights (70% of the volume is commune level)."""
    n_commune = max(len(HEAD_PROCEDURES), n // 4)
    codes = {head[0] for head in HEAD_PROCEDURES}
    dep_keys = [d.split("-", 1)[-1] for d in departments]
    known = [k for k in dep_keys if k in DEPARTMENTS]
    procs: list[Procedure] = []

    def new_code() -> str:
        while True:
            code = f"{rng.choice('1112')}.00{rng.randint(0, 9999):04d}"
            if code not in codes:
                codes.add(code)
                return code

    def limits(kind: str) -> tuple[float, str]:
        if kind == "chung_thuc":
            return 0, "ngay_lam_viec"  # same day; 15:00 cut-off
        r = rng.random()
        if r < 0.86:
            return rng.choice(
                [1, 2, 3, 3, 5, 5, 5, 7, 7, 10, 10, 10, 12, 15, 15, 20, 20, 25, 30]
            ), "ngay_lam_viec"
        if r < 0.93:
            return rng.choice([4, 8, 8, 16, 24, 48]), "gio"
        if r < 0.98:
            return rng.choice([15, 30, 30, 45, 60]), "ngay"
        return rng.choice([1, 2, 3]), "thang"

    for i in range(n):
        commune = i < n_commune
        head = HEAD_PROCEDURES[i] if commune and i < len(HEAD_PROCEDURES) else None
        if head:
            code, name, field, kind = head[:4]
        else:
            code, kind = new_code(), ""
            if commune:
                field = rng.choice(COMMUNE_FIELDS)
            else:
                key = rng.choices(known, [DEPARTMENTS[k][0] for k in known])[0] if known else None
                field = rng.choice(DEPARTMENTS[key][1]) if key else rng.choice(COMMUNE_FIELDS)
            if field == "Chứng thực" and rng.random() < 0.5:
                kind = "chung_thuc"
            name = f"{rng.choice(NAME_VERBS)} {rng.choice(NAME_OBJECTS)} lĩnh vực {field.lower()} ({code})"
        if commune:
            unit = None
        elif known:
            key = next((k for k in known if field in DEPARTMENTS[k][1]), None) or rng.choice(known)
            unit = departments[dep_keys.index(key)]
        else:
            unit = rng.choice(departments)
        limit, limit_unit = (head[4], "ngay_lam_viec") if head else limits(kind)
        r = rng.random()
        level = "khong" if r < 0.15 else ("mot_phan" if r < 0.5 else "toan_trinh")
        if kind == "chung_thuc" or head:
            level = "toan_trinh" if head and not kind else "mot_phan"
        full_eligible = 1 if level == "toan_trinh" or rng.random() < 0.1 else 0
        fee = 0
        if head:
            fee = head[5]
        elif kind == "chung_thuc" or rng.random() < 0.4:
            fee = rng.choice(
                [2000, 10000, 10000, 20000, 30000, 50000, 100000, 150000, 200000, 500000, 1000000]
            )
        procs.append(
            Procedure(
                code=code,
                name=name,
                field=field,
                level="xa" if commune else "tinh",
                limit=limit,
                limit_unit=limit_unit,
                online_level=level,
                full_eligible=full_eligible,
                fee=fee,
                postal=1 if rng.random() < 0.8 else 0,
                paper_result=1 if rng.random() < 0.6 else 0,
                citizens=1 if commune or rng.random() < 0.7 else 0,
                kind=kind,
                unit=unit,
            )
        )
    # Popularity: Zipf within each level, the head procedures first; commune level = 70% of volume.
    for level, share in (("xa", 0.7), ("tinh", 0.3)):
        group = [p for p in procs if p.level == level]
        raw = [1 / (rank + 1) ** 1.1 for rank in range(len(group))]
        total = sum(raw)
        for p, w in zip(group, raw, strict=True):
            p.weight = share * w / total
    return procs


# ------------------------------------------------------------------------------------ dossiers


def _fmt(dt: datetime | None) -> str:
    return dt.strftime(PORTAL_FORMAT) if dt is not None else ""


def _add_months(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 + n, 12)
    y, m = d.year + y, m + 1
    last = (date(y + m // 12, m % 12 + 1, 1) - timedelta(days=1)).day
    return date(y, m, min(d.day, last))


class DossierMaker:
    """Makes the dossiers of one day at a time. All randomness comes from one seeded Random."""

    def __init__(self, procs: list[Procedure], communes: list[str], rng: random.Random, snapshot: datetime = SNAPSHOT) -> None:
        self.rng = rng
        self.snapshot = snapshot
        self.cal = default_calendar()
        self.procs = procs
        self.cum = list(accumulate(p.weight for p in procs))
        online = [p.weight if p.online_level != "khong" else 0.0 for p in procs]
        self.cum_online = list(accumulate(online))
        self.communes = communes
        self.cum_communes = list(accumulate(rng.lognormvariate(0, 0.6) for _ in communes))
        self.seq = 0

    # time helpers
    def office_time(self, d: date, after: datetime | None = None) -> datetime:
        """A random moment of the office hours of ``d`` (7:30-11:30, 13:30-17:00), after ``after``."""
        rng = self.rng
        u = rng.random() * 450
        minute = 450 + u if u < 240 else 810 + (u - 240)
        dt = datetime.combine(d, time()) + timedelta(minutes=int(minute), seconds=rng.randrange(60))
        if after is not None and dt <= after:
            close = datetime.combine(d, CLOSING_TIME)
            span = (close - after).total_seconds()
            dt = (
                after + timedelta(seconds=1 + int(rng.random() * span))
                if span > 1
                else after + timedelta(minutes=5)
            )
        return dt

    def due(self, proc: Procedure, received: datetime, receipt_day: date) -> datetime:
        """The due moment by the contract's rule (used for the NgayHenTra the generator writes)."""
        n = proc.limit
        if proc.limit_unit == "gio":
            return received + timedelta(seconds=round(n * 3600))
        if proc.limit_unit == "ngay":
            day = receipt_day + timedelta(days=int(n))
        elif proc.limit_unit == "thang":
            day = _add_months(receipt_day, int(n))
        else:
            day = self.cal.add_working_days(receipt_day, int(n))
        return datetime.combine(day, CLOSING_TIME)

    def pick_working_day(self, first: date, before: date) -> date | None:
        """A random working day d with first <= d < before (None if there is none); ``first`` is a
        working day (a receipt day)."""
        cal = self.cal
        lo = cal.working_day_index(first)
        hi = cal.working_day_index(before - timedelta(days=1))
        if hi < lo:
            return None
        return cal.add_working_days(first, self.rng.randint(0, hi - lo))

    def day_rows(self, d: date, count: int) -> Iterator[dict]:
        rng, cal = self.rng, self.cal
        working = cal.is_working_day(d)
        for _ in range(count):
            self.seq += 1
            if working:
                proc = self.procs[
                    min(bisect_right(self.cum, rng.random() * self.cum[-1]), len(self.procs) - 1)
                ]
            else:
                cum = self.cum_online
                proc = self.procs[min(bisect_right(cum, rng.random() * cum[-1]), len(self.procs) - 1)]
            yield self.dossier(d, working, proc)

    def dossier(self, d: date, working: bool, proc: Procedure) -> dict:
        rng, cal = self.rng, self.cal
        if proc.unit is not None:
            unit = proc.unit
        else:
            i = bisect_right(self.cum_communes, rng.random() * self.cum_communes[-1])
            unit = self.communes[min(i, len(self.communes) - 1)]
        # channel
        r = rng.random()
        if not working:
            channel = 2
        elif proc.online_level == "khong":
            channel = 3 if (r < 0.07 and proc.postal) else 1
        else:
            channel = 2 if r < 0.47 else (3 if (r < 0.52 and proc.postal) else 1)
        row = dict.fromkeys(DOSSIER_COLUMNS, "")
        row["MaHoSo"] = f"{unit}-{d:%Y%m%d}-{self.seq:07d}"
        row["MaTTHC"] = proc.code
        row["MaDonViTiepNhan"] = unit
        row["KenhThucHien"] = "" if channel == 1 and rng.random() < 0.03 else channel

        # receipt moment
        if not working:  # online dossiers auto-accepted on a day off
            received = datetime.combine(d, time(rng.randrange(6, 23), rng.randrange(60), rng.randrange(60)))
        elif channel == 2 and rng.random() < 0.03:  # accepted after hours
            received = datetime.combine(d, time(rng.randrange(17, 22), rng.randrange(60), rng.randrange(60)))
        else:
            received = self.office_time(d)
        if channel == 2:
            submitted = received - timedelta(seconds=rng.randrange(300, 30 * 3600))
        elif channel == 3:
            submitted = received - timedelta(days=rng.randint(1, 3), seconds=rng.randrange(3600))
        else:
            submitted = received - timedelta(seconds=rng.randrange(60, 1200))
        row["NgayNopHoSo"] = _fmt(submitted)

        # never received: refused at intake (status 3) or an online submission not yet accepted (1)
        r = rng.random()
        if r < 0.01 or (channel == 2 and self.snapshot - datetime.combine(d, time()) < timedelta(days=3) and r < 0.2):
            if r < 0.01:
                row["TrangThaiHoSo"] = 3
                row["NgayTuChoi"] = _fmt(received)
            else:
                row["TrangThaiHoSo"] = 1
            self.flags(row, proc, channel, finished=False)
            return row
        row["NgayTiepNhan"] = _fmt(received)

        cutoff = SAME_DAY_CUTOFF if proc.kind == "chung_thuc" else CLOSING_TIME
        receipt_day = cal.receipt_day(received, cutoff)
        computed_due = self.due(proc, received, receipt_day)
        if rng.random() < 0.02:
            due = computed_due  # NgayHenTra blank: the reader computes the same value
        else:
            due = computed_due
            if proc.limit_unit != "gio" and rng.random() < 0.2:  # some systems print another time
                due = self.office_time(computed_due.date(), after=received)
            row["NgayHenTra"] = _fmt(due)

        # outcome plan: the effective end (end minus supplement pauses)
        r = rng.random()
        requests: list[datetime] = []
        completions: list[datetime] = []
        end: datetime | None = None
        status = 10
        if r < 0.01:
            status = 7
        elif r < 0.02:
            status = 8
        elif r < 0.035:
            status = 6 if rng.random() < 0.2 else 4  # stuck: never finished
        if status in (7, 8):
            span = max((due - received).total_seconds(), 600)
            end = received + timedelta(seconds=60 + int(rng.random() * span))
            row["NgayRut" if status == 7 else "NgayTuChoi"] = _fmt(end)
        elif status == 10:
            eff = self.plan_end(received, receipt_day, due)
            # supplement requests during processing; the pauses push the real end later
            s = rng.random()
            n_req = 1 if s < 0.08 else (2 if s < 0.09 else 0)
            pending = 0.09 <= s < 0.095
            if pending:
                span = max((due - received).total_seconds() * 0.8, 600)
                requests.append(received + timedelta(seconds=60 + int(rng.random() * span)))
            else:
                span = max((eff - received).total_seconds(), 120)
                marks = sorted(
                    received + timedelta(seconds=1 + int(rng.random() * (span - 1))) for _ in range(n_req)
                )
                shift = 0
                for m in marks:
                    pause = rng.randrange(2 * 3600, 10 * 86400)
                    requests.append(m + timedelta(seconds=shift))
                    shift += pause
                    completions.append(m + timedelta(seconds=shift))
                end = eff + timedelta(seconds=shift)
            # what the export at self.snapshot can see
            requests = [t for t in requests if t < self.snapshot]
            completions = [t for t in completions if t < self.snapshot]
            if end is not None and end >= self.snapshot:
                end = None
            if end is None:
                status = 5 if len(requests) > len(completions) else 4
            else:
                status = 10 if rng.random() < 0.78 else 9
                returned = end + timedelta(seconds=rng.randrange(0, 3 * 86400))
                if status == 10 and returned >= self.snapshot:
                    status = 9
                if status == 10 and rng.random() < 0.03:
                    row["NgayTra"] = _fmt(end)  # no NgayKetThucXuLy: the return time is the end
                else:
                    row["NgayKetThucXuLy"] = _fmt(end)
                    if status == 10:
                        row["NgayTra"] = _fmt(returned)
            if requests:
                row["NgayYeuCauBoSung"] = ";".join(_fmt(t) for t in requests)
            if completions:
                row["NgayHoanThanhBoSung"] = ";".join(_fmt(t) for t in completions)
        row["TrangThaiHoSo"] = status

        # late? (the reader's rule) → an apology letter on about half of them
        if end is not None:
            pause = sum((c - q).total_seconds() for q, c in zip(requests, completions, strict=False))
            eff_end = end - timedelta(seconds=pause)
            late = len(requests) > 1 or (eff_end.date() >= due.date() and eff_end > due)
        elif len(requests) > len(completions):
            late = requests[len(completions)] > due
        else:
            late = due < self.snapshot
        if late and rng.random() < 0.5:
            letter = max(
                received + timedelta(minutes=5), due - timedelta(seconds=rng.randrange(0, 2 * 86400))
            )
            row["NgayXinLoi"] = _fmt(min(letter, self.snapshot - timedelta(minutes=1)))
            new_due = cal.add_working_days(due.date(), rng.randint(2, 10))
            row["NgayHenTraMoi"] = _fmt(datetime.combine(new_due, CLOSING_TIME))
        self.flags(row, proc, channel, finished=end is not None and status in (9, 10))
        return row

    def plan_end(self, received: datetime, receipt_day: date, due: datetime) -> datetime:
        """The effective end of a normally processed dossier: early, on time or (≈3.5%) late."""
        rng, cal = self.rng, self.cal
        r = rng.random()
        if r < 0.035:
            if due.time() > CLOSING_TIME or not cal.is_working_day(due):
                return due + timedelta(hours=rng.randint(1, 48))
            late_day = cal.add_working_days(due.date(), min(1 + int(rng.expovariate(0.35)), 25))
            return self.office_time(late_day)
        if r < 0.40 or due.date() <= receipt_day:  # on the due day, not after the due time
            start = max(received, datetime.combine(due.date(), time(7, 30)))
            span = (due - start).total_seconds()
            return start + timedelta(seconds=1 + int(rng.random() * (span - 1))) if span > 2 else due
        day = self.pick_working_day(receipt_day, due.date())
        if day is None:
            return due
        return self.office_time(day, after=received if day == received.date() else None)

    def flags(self, row: dict, proc: Procedure, channel: int, finished: bool) -> None:
        rng = self.rng
        online = channel == 2
        digitised = rng.random() < (0.92 if online else (0.6 if channel == 3 else 0.65))
        row["HoSoCoThanhPhanSoHoa"] = 1 if digitised else 0
        row["DuocTaiSuDung"] = 1 if digitised and rng.random() < 0.25 else ""
        row["DuocLayTuKhoDMQG"] = 1 if rng.random() < (0.15 if online else 0.02) else 0
        row["TaiKhoanDuocXacThucVoiVNeID"] = 1 if rng.random() < (0.75 if online else 0.03) else 0
        if finished:
            p = (0.8 if online else 0.5) if proc.paper_result else 0.3
            row["CoKetQuaDienTu"] = 1 if rng.random() < p else 0
        if proc.fee:
            row["PhiLePhi"] = proc.fee if rng.random() < 0.95 else ""
            r = rng.random()
            if online:
                row["DuocThanhToanTrucTuyen"] = 1 if r < 0.55 else (2 if r < 0.85 else 0)
            else:
                row["DuocThanhToanTrucTuyen"] = 2 if r < 0.05 else (3 if r < 0.65 else 0)
        elif rng.random() < 0.015:
            row["PhiLePhi"] = rng.choice([5000, 10000])
            row["DuocThanhToanTrucTuyen"] = 1 if online and rng.random() < 0.6 else 0
        if finished and rng.random() < 0.2:
            row["HaiLong"] = 1 if rng.random() < 0.92 else 0


def day_counts(total: int, year: int = YEAR, first: date | None = None, last: date | None = None) -> list[tuple[date, int]]:
    """Split ``total`` dossiers over the days of ``year`` (or ``first``..``last``; largest remainders;
    days off get a few)."""
    cal = default_calendar()
    first = first or date(year, 1, 1)
    last = last or date(year, 12, 31)
    days = [first + timedelta(days=k) for k in range((last - first).days + 1)]
    weights = [
        SEASON[d.month] * WEEKDAY[d.weekday()] * (1.0 if cal.is_working_day(d) else 0.015) for d in days
    ]
    scale = total / sum(weights)
    exact = [w * scale for w in weights]
    counts = [math.floor(x) for x in exact]
    rest = total - sum(counts)
    for k in sorted(range(len(days)), key=lambda k: exact[k] - counts[k], reverse=True)[:rest]:
        counts[k] += 1
    return list(zip(days, counts, strict=True))


# ------------------------------------------------------------------------------------ writers


def _json_value(key: str, value):
    if value == "" or value is None:
        return None
    if key in INT_KEYS:
        return int(value)
    if key == "PhiLePhi":
        return value
    return str(value)


def write_xlsx(path: Path, header: list[str], rows) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("data")
    ws.append(header)
    for row in rows:
        ws.append(list(row))
    wb.save(path)


def generate(
    out: Path,
    dossiers: int = 1_000_000,
    procedures: int = 2000,
    units: list[str] | None = None,
    seed: int = 766,
    fmt: str = "csv",
    xlsx: bool = False,
    progress: bool = False,
    first: date | None = None,
    last: date | None = None,
    snapshot: datetime | None = None,
) -> dict:
    """Write the catalogue and the dossiers into ``out``; return paths, counts and timings."""
    started = _time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    units = units or default_units()
    departments, communes = split_units(units)
    procs = make_procedures(procedures, departments, rng)
    proc_path = out / "procedures.csv"
    with proc_path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(PROCEDURE_COLUMNS)
        w.writerows(p.row() for p in procs)
    maker = DossierMaker(procs, communes, rng, snapshot or SNAPSHOT)
    dossier_path = out / ("dossiers.jsonl" if fmt == "jsonl" else "dossiers.csv")
    written = 0
    with dossier_path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n") if fmt == "csv" else None
        if writer:
            writer.writerow(DOSSIER_COLUMNS)
        for d, count in day_counts(dossiers, first=first, last=last):
            batch = list(maker.day_rows(d, count))
            if writer:
                writer.writerows([r[c] for c in DOSSIER_COLUMNS] for r in batch)
            else:
                fh.writelines(
                    json.dumps({c: _json_value(c, r[c]) for c in DOSSIER_COLUMNS}, ensure_ascii=False) + "\n"
                    for r in batch
                )
            written += len(batch)
            if progress and d.day == 1:
                print(f"  {d:%Y-%m}: {written:,} dossiers", file=sys.stderr)
    result = {
        "procedures": str(proc_path),
        "dossiers": str(dossier_path),
        "rows": written,
        "units": len(units),
        "seconds": _time.perf_counter() - started,
    }
    if xlsx:  # read the text file back, so the workbook holds exactly the same rows
        write_xlsx(out / "procedures.xlsx", PROCEDURE_COLUMNS, (p.row() for p in procs))
        with dossier_path.open(encoding="utf-8") as fh:
            if fmt == "csv":
                rows = csv.reader(fh)
                next(rows)
            else:
                rows = ([rec[c] for c in DOSSIER_COLUMNS] for rec in map(json.loads, fh))
            write_xlsx(out / "dossiers.xlsx", DOSSIER_COLUMNS, rows)
        result["xlsx"] = [str(out / "procedures.xlsx"), str(out / "dossiers.xlsx")]
    return result
