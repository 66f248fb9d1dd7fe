"""The columns of the dossier and procedure files, and the parsers of their values.

Headers are matched after folding: no accents, any case, and spaces, underscores and
punctuation ignored. So ``MaHoSo``, ``ma_ho_so`` and ``Mã hồ sơ`` are the same column. See
``docs/dossier-format.md``.

Parsers raise :class:`ValueError` with a translatable message (English source, Vietnamese in the
catalogue); the importer turns it into a ``RowError`` with the line and the column.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from cchc.orgs.matching import fold

# field -> accepted headers (the portal name first, as printed in messages)
DOSSIER_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("MaHoSo", "Mã hồ sơ", "Số hồ sơ"),
    "procedure": ("MaTTHC", "Mã TTHC", "Mã thủ tục", "Mã thủ tục hành chính"),
    "unit": ("MaDonViTiepNhan", "Đơn vị tiếp nhận", "Mã đơn vị tiếp nhận", "Mã đơn vị", "Mã cơ quan", "MaCoQuan"),
    "channel": ("KenhThucHien", "Kênh nộp", "Kênh thực hiện", "Hình thức nộp"),
    "status": ("TrangThaiHoSo", "Trạng thái", "Trạng thái hồ sơ"),
    "submitted_at": ("NgayNopHoSo", "Ngày nộp", "Ngày nộp hồ sơ"),
    "received_at": ("NgayTiepNhan", "Ngày tiếp nhận"),
    "due_at": ("NgayHenTra", "Ngày hẹn trả", "Ngày hẹn trả kết quả"),
    "finished_at": ("NgayKetThucXuLy", "Ngày kết thúc xử lý", "Ngày xử lý xong", "Ngày hoàn thành"),
    "returned_at": ("NgayTra", "Ngày trả", "Ngày trả kết quả"),
    "refused_at": ("NgayTuChoi", "Ngày từ chối"),
    "withdrawn_at": ("NgayRut", "Ngày rút", "Ngày rút hồ sơ"),
    "apology_at": ("NgayXinLoi", "Ngày xin lỗi", "Ngày phiếu xin lỗi"),
    "new_due_at": ("NgayHenTraMoi", "Ngày hẹn trả mới", "Ngày hẹn lại"),
    "requests": ("NgayYeuCauBoSung", "Ngày yêu cầu bổ sung"),
    "completions": ("NgayHoanThanhBoSung", "Ngày hoàn thành bổ sung"),
    "digitised": ("HoSoCoThanhPhanSoHoa", "Có thành phần số hóa", "Thành phần số hóa", "Số hóa"),
    "e_result": ("CoKetQuaDienTu", "Có kết quả điện tử", "Kết quả điện tử"),
    "reused": ("DuocTaiSuDung", "Được tái sử dụng", "Tái sử dụng"),
    "from_store": ("DuocLayTuKhoDMQG", "Lấy từ kho dữ liệu", "Kho dữ liệu cá nhân"),
    "vneid": ("TaiKhoanDuocXacThucVoiVNeID", "Xác thực VNeID", "VNeID"),
    "payment": ("DuocThanhToanTrucTuyen", "Thanh toán trực tuyến"),
    "fee": ("PhiLePhi", "Phí, lệ phí", "Phí lệ phí", "Lệ phí"),
    "satisfied": ("HaiLong", "Hài lòng"),
}
DOSSIER_REQUIRED = ("code", "procedure", "status")

PROCEDURE_COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("MaTTHC", "Mã TTHC", "Mã thủ tục", "Mã thủ tục hành chính"),
    "name": ("TenTTHC", "Tên TTHC", "Tên thủ tục", "Tên thủ tục hành chính"),
    "field": ("LinhVuc", "Lĩnh vực", "TenLinhVuc"),
    "level": ("CapThucHien", "Cấp thực hiện", "Cấp"),
    "time_limit": ("ThoiHan", "Thời hạn", "Thời hạn giải quyết"),
    "time_unit": ("DonViThoiHan", "Đơn vị thời hạn", "Đơn vị tính", "DonViTinh"),
    "online_level": ("MucDoDVC", "Mức độ DVC", "Mức độ dịch vụ công", "Mức độ"),
    "full_eligible": ("DuDieuKienToanTrinh", "Đủ điều kiện toàn trình"),
    "fee": ("LePhi", "Lệ phí", "Phí, lệ phí", "Phí lệ phí"),
    "postal": ("BuuChinh", "Bưu chính", "Dịch vụ bưu chính"),
    "paper_result": ("KetQuaGiay", "Kết quả giấy", "Kết quả là giấy tờ"),
    "citizen_subject": ("DoiTuongCongDan", "Đối tượng công dân"),
    "kind": ("LoaiThuTuc", "Loại thủ tục"),
}
PROCEDURE_REQUIRED = ("code", "name", "time_limit")

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def header_key(text: str) -> str:
    """Folded header: no accents, lower case, letters and digits only."""
    return _NON_ALNUM.sub("", fold(str(text or "")))


def header_map(cells: list[str], columns: dict[str, tuple[str, ...]]) -> dict[int, str]:
    """``{cell index: field}`` for the cells of a header row that name a known column
    (the first cell wins when two name the same field)."""
    aliases = {header_key(name): field for field, names in columns.items() for name in names}
    found: dict[int, str] = {}
    seen: set[str] = set()
    for i, cell in enumerate(cells):
        field = aliases.get(header_key(cell))
        if field and field not in seen:
            found[i] = field
            seen.add(field)
    return found


def column_name(columns: dict[str, tuple[str, ...]], field: str) -> str:
    return columns[field][0]


# ------------------------------------------------------------------------------- values


def parse_datetime(text) -> datetime | None:
    """A local time (naive) in one of the contract's formats; blank → None.

    yyyyMMddHHmmss (portal), yyyy-MM-dd, yyyy-MM-dd HH:MM[:SS], yyyy-MM-ddTHH:MM[:SS],
    dd/MM/yyyy, dd/MM/yyyy HH:MM[:SS]. A date alone is midnight (see :func:`parse_due`).
    Spreadsheet date cells (datetime objects) are taken as they are.
    """
    if text is None:
        return None
    if isinstance(text, datetime):
        return text.replace(tzinfo=None) if text.tzinfo is None else _aware_to_local(text)
    if isinstance(text, date):
        return datetime(text.year, text.month, text.day)
    s = text.strip()
    if not s:
        return None
    n = len(s)
    try:
        if n == 14 and s.isdigit():
            return datetime(int(s[:4]), int(s[4:6]), int(s[6:8]), int(s[8:10]), int(s[10:12]), int(s[12:14]))
        if n >= 10 and s[4] == "-" and s[7] == "-":
            y, m, d = int(s[:4]), int(s[5:7]), int(s[8:10])
            rest = s[10:]
        elif n >= 10 and s[2] == "/" and s[5] == "/":
            d, m, y = int(s[:2]), int(s[3:5]), int(s[6:10])
            rest = s[10:]
        else:
            raise ValueError
        if not rest:
            return datetime(y, m, d)
        if rest[0] not in " T":
            raise ValueError
        hh, mm, ss = _parse_time(rest[1:].strip())
        return datetime(y, m, d, hh, mm, ss)
    except (ValueError, IndexError):
        raise ValueError(
            _("“%(value)s” is not a date: use yyyyMMddHHmmss, yyyy-mm-dd [hh:mm[:ss]] or dd/mm/yyyy [hh:mm[:ss]].")
            % {"value": s[:40]}
        ) from None


def _aware_to_local(value: datetime) -> datetime:
    from cchc.workdays import VN_TZ

    return value.astimezone(VN_TZ).replace(tzinfo=None)


def _parse_time(text: str) -> tuple[int, int, int]:
    parts = text.split(":")
    if len(parts) not in (2, 3) or not all(len(p) == 2 and p.isdigit() for p in parts):
        raise ValueError
    hh, mm = int(parts[0]), int(parts[1])
    ss = int(parts[2]) if len(parts) == 3 else 0
    time(hh, mm, ss)  # range check
    return hh, mm, ss


def is_date_only(text) -> bool:
    """True for a value that names a day without a time (yyyy-MM-dd, dd/MM/yyyy)."""
    if isinstance(text, datetime):
        return False
    if isinstance(text, date):
        return True
    s = (text or "").strip()
    return len(s) == 10 and not s.isdigit()


def parse_times(text) -> list[datetime]:
    """Zero or more times separated by ";" (NgayYeuCauBoSung, NgayHoanThanhBoSung)."""
    if text is None:
        return []
    if isinstance(text, (datetime, date)):
        return [parse_datetime(text)]
    out = []
    for piece in text.split(";"):
        piece = piece.strip()
        if piece:
            out.append(parse_datetime(piece))
    return out


_TRUE = {"x", "true", "co", "yes", "y"}
_FALSE = {"false", "khong", "no", "n"}


def parse_flag(text) -> bool:
    """0/1 (blank = 0). Also accepts true/false and có/không."""
    if text is None or text is True or text is False:
        return bool(text)
    s = str(text).strip()
    if s in ("1", "1.0"):
        return True
    if s in ("0", "0.0", ""):
        return False
    key = header_key(s)
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError(_("“%(value)s” is not 0 or 1.") % {"value": s[:40]})


def parse_optional_flag(text) -> bool | None:
    """HaiLong: blank → None (no rating), 1 → True, 0 → False."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    return parse_flag(text)


def parse_int(text, low: int, high: int, default: int | None = None) -> int:
    """A whole number between ``low`` and ``high``; blank → ``default`` (error if None)."""
    s = "" if text is None else str(text).strip()
    if not s:
        if default is None:
            raise ValueError(_("This value is required."))
        return default
    if s.endswith(".0"):
        s = s[:-2]
    try:
        value = int(s)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise ValueError(
            _("“%(value)s” is not a whole number from %(low)d to %(high)d.") % {"value": s[:40], "low": low, "high": high}
        )
    return value


def parse_decimal(text, default: Decimal | None = Decimal(0)) -> Decimal:
    """A non-negative decimal number (VND fees, time limits): digits with an optional "." decimal
    point; spaces are ignored. Blank → ``default``."""
    s = "" if text is None else str(text).strip().replace(" ", "").replace("\u00a0", "")
    if not s:
        if default is None:
            raise ValueError(_("This value is required."))
        return default
    try:
        value = Decimal(s)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value < 0:
        raise ValueError(_("“%(value)s” is not a number (use a dot as the decimal point, no thousands separator).") % {"value": s[:40]})
    return value


CHANNELS = {"1": 1, "2": 2, "3": 3, "tructiep": 1, "tructuyen": 2, "buuchinh": 3, "bcci": 3}


def parse_channel(text) -> int:
    """KenhThucHien: 1 direct, 2 online, 3 public postal; blank = direct (SERVICE-INDEX.md §3)."""
    s = "" if text is None else str(text).strip()
    if not s:
        return 1
    if s.endswith(".0"):
        s = s[:-2]
    value = CHANNELS.get(s) or CHANNELS.get(header_key(s))
    if value is None:
        raise ValueError(_("“%(value)s” is not a channel: 1 direct, 2 online, 3 postal.") % {"value": s[:40]})
    return value


def parse_choice(text, choices: dict[str, str], default: str | None = None) -> str:
    """A code of ``choices`` (keys are folded codes and labels, values the stored code)."""
    s = "" if text is None else str(text).strip()
    if not s:
        if default is None:
            raise ValueError(_("This value is required."))
        return default
    value = choices.get(header_key(s))
    if value is None:
        allowed = ", ".join(sorted(set(choices.values()) - {""}))
        raise ValueError(_("“%(value)s” is not one of: %(allowed)s.") % {"value": s[:40], "allowed": allowed})
    return value


LEVELS = {"tinh": "tinh", "captinh": "tinh", "xa": "xa", "capxa": "xa", "province": "tinh", "commune": "xa"}
TIME_UNITS = {
    "ngaylamviec": "ngay_lam_viec", "ngay": "ngay", "gio": "gio", "thang": "thang",
    "workingdays": "ngay_lam_viec", "days": "ngay", "hours": "gio", "months": "thang",
}
ONLINE_LEVELS = {
    "khong": "khong", "0": "khong", "motphan": "mot_phan", "toantrinh": "toan_trinh",
    "none": "khong", "partial": "mot_phan", "full": "toan_trinh",
}
KINDS = {"chungthuc": "chung_thuc", "": ""}
