"""Importing procedures and dossiers: CSV, XLSX, JSON lines, Vietnamese headers, upsert, refusals.

The expected values of tests/fixtures/dossiers/dossiers.csv, worked out by hand (procedure
9.901234 has 3 working days; 9.900815 is a same-day certification with the 15:00 cut-off; Tết
2026 is off from 14/2 to 22/2):

line 2 SYT-…0001  received Fri 13/2 16:30, no NgayHenTra → due Wed 25/2 17:00 (23, 24, 25);
                  finished 25/2 10:00 → on time.
line 3 SYT-…0002  due Fri 6/3 17:00; supplement 3/3 10:00 → 5/3 10:00 (2 days); finished Thu 12/3
                  10:00 → effective Tue 10/3 10:00 → late by 2 working days.
line 4 SYT-…0003  two requests (5 h + 1 h of pause) → late whatever the end.
line 5 SYT-…0004  status 5, request 3/3 10:00 still pending → ends there → early, pending.
line 6 SXD-…0005  withdrawn Wed 4/3 11:00 → early.
line 7 SXD-…0006  open (status 4), apology 10/3, new due 13/3 (a day → 17:00).
line 8 SXD-…0007  status 1, never received → no receipt day, no outcome; period March (submitted).
line 9 CT-…0008   certification received Fri 13/2 15:30 (after 15:00) → due Mon 23/2 17:00;
                  finished 23/2 09:00 → on time.
"""

from __future__ import annotations

import json
import shutil
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from cchc.dossiers import importer
from cchc.dossiers.models import CalendarAdjustment, Dossier, DossierBatch, Outcome, Procedure, calendar
from cchc.workdays import VN_TZ

FIXTURES = Path(__file__).parent / "fixtures" / "dossiers"
pytestmark = pytest.mark.django_db
# The demo has its own catalogue and dossiers: these tests use codes of their own (9.90xxxx).
CODES = [
    "SYT-20260213-0001", "SYT-20260302-0002", "SYT-20260302-0003", "SYT-20260302-0004",
    "SXD-20260302-0005", "SXD-20260302-0006", "SXD-20260305-0007", "CT-20260213-0008",
]


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


def ours():
    return Dossier.objects.filter(code__in=[*CODES, "CT-20260213-0009", "VN-1"])


def vn(*args):
    return datetime(*args, tzinfo=VN_TZ)


@pytest.fixture
def procedures(demo):
    importer.import_procedures(FIXTURES / "procedures.csv")


def csv_lines(path=FIXTURES / "dossiers.csv"):
    return path.read_text(encoding="utf-8").splitlines()


def write(tmp_path, name, lines):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def check_fixture_values():
    by_code = {d.code: d for d in ours().select_related("procedure", "unit")}
    assert len(by_code) == 8
    one = by_code["SYT-20260213-0001"]
    assert (one.unit.code, one.procedure.code, one.channel, one.status) == ("P08-SYT", "9.901234", 2, 10)
    assert (one.received_at, one.due_at, one.due_computed) == (vn(2026, 2, 13, 16, 30), vn(2026, 2, 25, 17), True)
    assert (one.receipt_day, one.period_month) == (date(2026, 2, 13), date(2026, 2, 1))
    assert (one.end_at, one.outcome, one.late_working_days) == (vn(2026, 2, 25, 10), Outcome.ON_TIME, 0)
    assert (one.digitised, one.e_result, one.reused, one.vneid, one.payment) == (True, True, False, True, 1)
    assert (one.fee, one.satisfied, one.returned_at) == (Decimal(150000), True, vn(2026, 2, 25, 15))

    two = by_code["SYT-20260302-0002"]
    assert (two.pause_seconds, two.supplement_count, two.supplement_pending) == (172800, 1, False)
    assert two.effective_end_at == vn(2026, 3, 10, 10)
    assert (two.outcome, two.late_working_days, two.satisfied, two.fee) == (Outcome.LATE, 2, False, Decimal(0))
    assert two.supplement_requests == ["2026-03-03T10:00:00+07:00"]
    assert two.supplement_completions == ["2026-03-05T10:00:00+07:00"]

    three = by_code["SYT-20260302-0003"]
    assert (three.channel, three.supplement_count, three.pause_seconds) == (1, 2, 21600)
    assert (three.outcome, three.late_working_days, three.satisfied) == (Outcome.LATE, 0, None)

    four = by_code["SYT-20260302-0004"]
    assert (four.end_at, four.supplement_pending, four.outcome) == (vn(2026, 3, 3, 10), True, Outcome.EARLY)

    five = by_code["SXD-20260302-0005"]
    assert (five.unit.code, five.channel, five.end_at, five.outcome) == ("P08-SXD", 3, vn(2026, 3, 4, 11), Outcome.EARLY)

    six = by_code["SXD-20260302-0006"]
    assert (six.end_at, six.outcome, six.late_working_days) == (None, None, None)
    assert (six.apology_at, six.new_due_at) == (vn(2026, 3, 10, 8), vn(2026, 3, 13, 17))

    seven = by_code["SXD-20260305-0007"]
    assert (seven.receipt_day, seven.period_month, seven.outcome, seven.due_at) == (None, date(2026, 3, 1), None, None)

    eight = by_code["CT-20260213-0008"]
    assert (eight.due_at, eight.due_computed, eight.outcome) == (vn(2026, 2, 23, 17), True, Outcome.ON_TIME)
    assert eight.receipt_day == date(2026, 2, 13)


# ----------------------------------------------------------------------------- procedures


def test_procedure_catalogue(demo):
    report = importer.import_procedures(FIXTURES / "procedures.csv")
    assert (report.rows, report.created, report.updated, report.unchanged) == (3, 3, 0, 0)
    cert = Procedure.objects.get(code="9.900815")
    assert (cert.level, cert.time_limit, cert.time_unit, cert.kind) == ("xa", Decimal("0.5"), "ngay_lam_viec", "chung_thuc")
    assert (cert.online_level, cert.full_eligible, cert.fee, cert.postal, cert.paper_result) == ("toan_trinh", True, Decimal(2000), False, True)
    again = importer.import_procedures(FIXTURES / "procedures.csv")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert cert.history.count() == 1


def test_procedure_catalogue_vietnamese_headers_and_errors(demo, tmp_path):
    good = write(tmp_path, "thu-tuc.csv", [
        "Mã thủ tục;Tên thủ tục;Lĩnh vực;Cấp thực hiện;Thời hạn giải quyết;Đơn vị thời hạn;Mức độ DVC;Lệ phí",
        "1.000001;Thủ tục A;Y tế;Cấp tỉnh;10;Ngày làm việc;Một phần;50000",
    ])
    report = importer.import_procedures(good)
    assert report.created == 1
    p = Procedure.objects.get(code="1.000001")
    assert (p.level, p.time_limit, p.time_unit, p.online_level, p.fee) == ("tinh", 10, "ngay_lam_viec", "mot_phan", 50000)
    bad = write(tmp_path, "bad.csv", [
        "MaTTHC,TenTTHC,ThoiHan,DonViThoiHan",
        "1.000002,Thủ tục B,mười,ngay",
        "1.000003,Thủ tục C,5,tuần",
        "1.000002,Thủ tục B lần hai,5,ngay",
    ])
    with pytest.raises(importer.ProcedureImportError) as caught:
        importer.import_procedures(bad)
    messages = caught.value.messages
    assert caught.value.count == 3
    assert "row 2" in messages[0] and "ThoiHan" in messages[0]
    assert "row 3" in messages[1] and "DonViThoiHan" in messages[1]
    assert "row 4" in messages[2] and "twice" in messages[2]
    assert not Procedure.objects.filter(code__in=["1.000002", "1.000003"]).exists()


# ----------------------------------------------------------------------------- dossiers


def test_csv_import_and_derived_values(procedures):
    seen = []
    importer.on_batch_committed.append(lambda batch, keys: seen.append((batch.pk, keys)))
    try:
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True):
            report = importer.import_dossiers(FIXTURES / "dossiers.csv")
    finally:
        importer.on_batch_committed.pop()
    assert (report.rows, report.created, report.updated, report.unchanged) == (8, 8, 0, 0)
    check_fixture_values()
    batch = DossierBatch.objects.get(pk=report.batch.pk)
    assert (batch.state, batch.rows_read, batch.created, batch.file_format) == ("done", 8, 8, "csv")
    assert Dossier.objects.filter(batch=batch).count() == 8
    units = dict(ours().values_list("unit__code", "unit_id").distinct())
    assert seen == [(batch.pk, {
        (units["P08-SYT"], date(2026, 2, 1)), (units["P08-SYT"], date(2026, 3, 1)),
        (units["P08-SXD"], date(2026, 2, 1)), (units["P08-SXD"], date(2026, 3, 1)),
    })]


def test_upsert_changes_one_row(procedures, tmp_path):
    importer.import_dossiers(FIXTURES / "dossiers.csv")
    lines = csv_lines()
    # The open dossier (line 7) is finished on Monday 9/3 at 08:00: one working day late.
    lines[6] = lines[6].replace(",4,", ",9,", 1).replace("20260306170000,,", "20260306170000,20260309080000,", 1)
    changed = write(tmp_path, "dossiers.csv", lines)
    seen = []
    importer.on_batch_committed.append(lambda batch, keys: seen.append(keys))
    try:
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True):
            report = importer.import_dossiers(changed)
    finally:
        importer.on_batch_committed.pop()
    assert (report.rows, report.created, report.updated, report.unchanged) == (8, 0, 1, 7)
    assert ours().count() == 8
    six = Dossier.objects.get(code="SXD-20260302-0006")
    assert (six.status, six.end_at, six.outcome, six.late_working_days) == (9, vn(2026, 3, 9, 8), Outcome.LATE, 1)
    assert six.batch_id == report.batch.pk
    assert Dossier.objects.get(code="SYT-20260213-0001").batch_id != report.batch.pk  # unchanged: untouched
    assert seen == [{(six.unit_id, date(2026, 3, 1))}]
    # The same file again: nothing changes.
    again = importer.import_dossiers(changed)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 8)


def test_dry_run_writes_nothing(procedures):
    report = importer.import_dossiers(FIXTURES / "dossiers.csv", dry_run=True)
    assert (report.rows, report.created, report.dry_run) == (8, 8, True)
    assert ours().count() == 0
    assert DossierBatch.objects.get(pk=report.batch.pk).state == "dry_run"


def test_vietnamese_headers_and_default_unit(procedures, tmp_path):
    path = write(tmp_path, "ho-so.csv", [
        "Mã hồ sơ;Mã TTHC;Kênh nộp;Trạng thái;Ngày nộp;Ngày tiếp nhận;Ngày hẹn trả;Ngày kết thúc xử lý;Phí, lệ phí",
        "VN-1;9.901234;Trực tuyến;9;2026-03-02 08:00;2026-03-02 09:00;2026-03-06;2026-03-06 16:00;150000",
    ])
    report = importer.import_dossiers(path, default_unit="P08-SYT")
    assert report.created == 1
    d = Dossier.objects.get(code="VN-1")
    assert (d.unit.code, d.channel, d.due_at, d.outcome, d.fee) == ("P08-SYT", 2, vn(2026, 3, 6, 17), Outcome.ON_TIME, 150000)


@pytest.mark.parametrize("streamed", [False, True], ids=["calamine", "openpyxl-streamed"])
def test_xlsx_import(procedures, tmp_path, monkeypatch, streamed):
    """Small workbooks are read whole by calamine, large ones row by row by openpyxl: the same."""
    from openpyxl import Workbook

    monkeypatch.setattr(importer, "XLSX_STREAM_BYTES", 0 if streamed else 1 << 40)
    used = []
    real = importer._streamed_xlsx_rows
    monkeypatch.setattr(importer, "_streamed_xlsx_rows", lambda path: used.append(path) or real(path))

    wb = Workbook()
    ws = wb.active
    import csv

    rows = list(csv.reader(csv_lines()))
    ws.append(["Danh sách hồ sơ"])  # a title line above the header
    ws.append(rows[0])
    for row in rows[1:]:
        cells = []
        for name, value in zip(rows[0], row, strict=True):
            if name in ("TrangThaiHoSo", "KenhThucHien", "HoSoCoThanhPhanSoHoa") and value:
                cells.append(int(value))
            elif name == "NgayTiepNhan" and len(value) == 14:
                cells.append(datetime.strptime(value, "%Y%m%d%H%M%S"))  # a real date cell
            else:
                cells.append(value)
        ws.append(cells)
    path = tmp_path / "ho-so.xlsx"
    wb.save(path)
    report = importer.import_dossiers(path)
    assert (report.rows, report.created) == (8, 8)
    assert bool(used) == streamed
    check_fixture_values()


def test_jsonl_import(procedures, tmp_path):
    import csv

    rows = list(csv.DictReader(csv_lines()))
    path = tmp_path / "ho-so.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            obj = {k: v for k, v in row.items() if v != ""}
            obj["TrangThaiHoSo"] = int(obj["TrangThaiHoSo"])
            if "NgayYeuCauBoSung" in obj:
                obj["NgayYeuCauBoSung"] = obj["NgayYeuCauBoSung"].split(";")  # a list is accepted too
            out.write(json.dumps(obj, ensure_ascii=False) + "\n")
            out.write("\n")
    report = importer.import_dossiers(path)
    assert (report.rows, report.created) == (8, 8)
    check_fixture_values()


BAD = [
    ("20260230090000", "NgayTiepNhan", "is not a date"),
    ("9.999999", "MaTTHC", "Unknown procedure code 9.999999"),
    ("P08-XXX", "MaDonViTiepNhan", "Unknown unit code P08-XXX"),
]


def test_bad_rows_refuse_the_whole_batch(procedures, tmp_path):
    importer.import_dossiers(FIXTURES / "dossiers.csv")
    before = list(ours().order_by("code").values_list("code", "row_hash", "status"))
    lines = csv_lines()
    lines[1] = lines[1].replace("20260213163000", "20260230090000", 1)  # line 2: 30 February
    lines[2] = lines[2].replace("9.901234", "9.999999", 1)  # line 3
    lines[3] = lines[3].replace("P08-SYT", "P08-XXX", 1)  # line 4
    lines[4] = lines[4].replace(",5,", ",11,", 1)  # line 5: no status 11
    lines.append(lines[8].replace("0008", "0009"))  # line 10: a new, valid row
    lines.append(lines[6])  # line 11: the code of line 7 again
    path = write(tmp_path, "bad.csv", lines)
    with pytest.raises(importer.DossierImportError) as caught:
        importer.import_dossiers(path)
    error = caught.value
    assert error.count == 5, "\n".join(error.messages)
    got = [(e.line, e.column) for e in error.errors]
    assert got == [(2, "NgayTiepNhan"), (3, "MaTTHC"), (4, "MaDonViTiepNhan"), (5, "TrangThaiHoSo"), (11, "MaHoSo")]
    assert "is not a date" in error.messages[0] and error.messages[0].startswith("row 2, column NgayTiepNhan")
    assert "Unknown procedure code 9.999999" in error.messages[1]
    assert "Unknown unit code P08-XXX" in error.messages[2]
    assert "appears twice" in error.messages[4]
    # Nothing of the batch was written, not even the valid new row.
    assert list(ours().order_by("code").values_list("code", "row_hash", "status")) == before
    batch = error.batch
    batch.refresh_from_db()
    assert (batch.state, batch.refused, batch.rows_read) == ("refused", 5, 10)
    assert batch.report["error_count"] == 5
    assert batch.report["errors"][0]["line"] == 2 and batch.report["errors"][0]["column"] == "NgayTiepNhan"


def test_unreadable_files(procedures, tmp_path):
    from cchc.core.tabular import TableError

    with pytest.raises(TableError, match="no header row"):
        importer.import_dossiers(write(tmp_path, "x.csv", ["a,b,c", "1,2,3"]))
    with pytest.raises(TableError, match="only .csv"):
        importer.import_dossiers(write(tmp_path, "x.pdf", ["%PDF"]))
    with pytest.raises(TableError, match="No unit"):
        importer.import_dossiers(FIXTURES / "dossiers.csv", default_unit="NOPE")
    broken = tmp_path / "x.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")
    for limit in (0, 1 << 40):  # read streamed, or whole
        importer.XLSX_STREAM_BYTES, saved = limit, importer.XLSX_STREAM_BYTES
        try:
            with pytest.raises(TableError, match="not a readable spreadsheet"):
                importer.import_dossiers(broken)
        finally:
            importer.XLSX_STREAM_BYTES = saved
    assert not Dossier.objects.filter(batch__file_name="x.xlsx").exists()


# ----------------------------------------------------------------------------- commands


def test_commands(demo, tmp_path, capsys):
    call_command("procedures", "import", str(FIXTURES / "procedures.csv"))
    assert "3 procedures: 3 created" in capsys.readouterr().out
    shutil.copy(FIXTURES / "dossiers.csv", tmp_path / "a.csv")
    call_command("dossiers", "import", str(tmp_path / "a.csv"), "--quiet-progress", "--dry-run")
    assert ours().count() == 0
    call_command("dossiers", "import", str(tmp_path / "a.csv"), "--quiet-progress")
    assert "8 rows: 8 created, 0 updated, 0 unchanged" in capsys.readouterr().out
    lines = csv_lines()
    lines[2] = lines[2].replace("9.901234", "9.999999", 1)
    with pytest.raises(CommandError) as caught:
        call_command("dossiers", "import", str(write(tmp_path, "b.csv", lines)), "--quiet-progress")
    assert "row 3, column MaTTHC" in str(caught.value) and "Nothing was imported" in str(caught.value)
    call_command("dossiers", "calendar", "--year", "2026")
    out = capsys.readouterr().out
    assert "17/02/2026" in out and "10/01/2026" in out  # Tết, and the Saturday worked for 2/1


# ----------------------------------------------------------------------------- calendar and access


def test_calendar_from_adjustments(db):
    cal = calendar()
    assert not cal.is_working_day(date(2026, 1, 2))  # the built-in 2026 schedule: 2/1 off
    assert cal.is_working_day(date(2026, 1, 10))  # ... and Saturday 10/1 worked
    row = CalendarAdjustment.objects.create(date=date(2026, 11, 24), kind="make_up", name="Ngày Văn hóa: làm việc")
    cal = calendar()
    assert cal.is_working_day(date(2026, 11, 24))
    assert cal.is_working_day(date(2026, 1, 2))  # 2026 now comes from the table only
    assert not cal.is_working_day(date(2025, 1, 28))  # other years keep the built-in schedule
    row.delete()
    assert not calendar().is_working_day(date(2026, 1, 2))


def test_access(procedures):
    from cchc.accounts.models import User
    from cchc.core import access

    importer.import_dossiers(FIXTURES / "dossiers.csv")
    yte = access.principal_for(User.objects.get(username="yte"))
    mine = access.scoped(yte, ours())
    assert set(mine.values_list("unit__code", flat=True)) == {"P08-SYT"}
    other = ours().filter(unit__code="P08-SXD").first()
    assert not access.can(yte, "view", other) and not access.can(yte, "change", mine.first())
    cchc = access.principal_for(User.objects.get(username="cchc"))
    assert access.scoped(cchc, ours()).count() == 8 and access.can(cchc, "change", other)
    lanhdao = access.principal_for(User.objects.get(username="lanhdao"))
    assert access.can(lanhdao, "view", other) and not access.can(lanhdao, "change", other)
    proc = Procedure.objects.get(code="9.900815")
    assert access.can(yte, "view", proc) and not access.can(yte, "change", proc)
    assert access.scoped(yte, DossierBatch.objects.all()).count() == 0
    assert access.scoped(cchc, DossierBatch.objects.all()).count() >= 1


def test_fast_path_builds_what_the_checked_path_builds(db, tmp_path):
    """The importer's fast path (strings and cached rules) and its checked path (the parsers and
    derive.derive itself) build the same stored values, on synthetic dossiers plus rows in the
    other accepted formats and procedures with fractional limits, hours and months."""
    import csv
    from collections import Counter

    from cchc.dossiers.derive import Limit
    from cchc.dossiers.synthetic import generate

    generate(tmp_path, dossiers=4000, procedures=120, seed=7)
    with open(tmp_path / "procedures.csv", encoding="utf-8", newline="") as fh:
        procedures = list(csv.DictReader(fh))
    with open(tmp_path / "dossiers.csv", encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = list(reader)
    assert header == [importer.C.DOSSIER_COLUMNS[f][0] for f in importer.FIELDS]
    odd = [  # (limit amount, unit, kind) given to some procedures
        (Decimal("0.5"), "ngay_lam_viec", ""), (Decimal("1.5"), "thang", ""), (Decimal("2.5"), "gio", ""),
        (Decimal("0"), "ngay_lam_viec", "chung_thuc"), (Decimal("3"), "ngay", ""), (Decimal("2.2"), "ngay", ""),
    ]

    def builder():
        b = importer._RowBuilder({}, None)
        b.procedures = {}
        for i, p in enumerate(procedures):
            limit = Limit(Decimal(p["ThoiHan"]), p["DonViThoiHan"], p["LoaiThuTuc"])
            b.procedures[p["MaTTHC"]] = (i + 1, Limit(*odd[i % len(odd)]) if i % 3 == 0 else limit)
        b.units = {code: i + 1 for i, code in enumerate(sorted({r[2] for r in rows}))}
        return b

    def dashed(s):  # yyyyMMddHHmmss → yyyy-MM-dd HH:MM:SS
        return f"{s[:4]}-{s[4:6]}-{s[6:8]} {s[8:10]}:{s[10:12]}:{s[12:]}" if len(s) == 14 else s

    extra = []
    for r in rows[::50]:
        r2 = [dashed(v) if i in range(5, 14) else v for i, v in enumerate(r)]
        r2[0] += "-dashed"
        extra.append(r2)
        r3 = list(r)
        r3[0] += "-spaced"
        r3[1] = f" {r3[1]} "
        extra.append(r3)
    fast, checked = builder(), builder()
    paths = Counter()
    for line, row in enumerate(rows + extra, start=2):
        try:
            a = fast._fast(list(row))
            paths["fast"] += 1
        except (ValueError, KeyError, TypeError, AttributeError, ArithmeticError, IndexError):
            a = fast.build(line, list(row))
            paths["checked"] += 1
        b = checked._checked(line, [c.strip() for c in row])
        assert a == b, (line, row)
        assert not isinstance(a, list), a
    assert paths["fast"] > 4000 and paths["checked"] >= len(extra) // 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker processes serve PostgreSQL only")
@pytest.mark.parametrize("empty", [False, True], ids=["beside-the-demo", "into-an-empty-table"])
def test_large_csv_through_worker_processes(procedures, tmp_path, monkeypatch, empty):
    """Large CSV files are read by forked workers, slice by slice: same values, same upsert, and
    refusals with the lines of the whole file (a code repeated across slices included). Into an
    empty table the codes are not looked up (none can be there): the same outcome."""
    if empty:  # a first load: the secondary indexes are dropped and built again after the rows
        Dossier.objects.all().delete()
        monkeypatch.setattr(importer, "BULK_MIN_BYTES", 0)
    indexes = _index_definitions()
    assert len(indexes) == 3 and any("UNIQUE" in d for d in indexes)
    monkeypatch.setattr(importer, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(importer, "_SLICE_BYTES", 150)  # about one line per slice
    plan = importer._parallel_plan(FIXTURES / "dossiers.csv", "csv")
    assert plan is not None and len(plan["slices"]) > 3
    report = importer.import_dossiers(FIXTURES / "dossiers.csv")
    assert (report.rows, report.created, report.updated, report.unchanged) == (8, 8, 0, 0)
    assert _index_definitions() == indexes  # built again, the same
    check_fixture_values()
    again = importer.import_dossiers(FIXTURES / "dossiers.csv")
    assert (again.rows, again.created, again.updated, again.unchanged) == (8, 0, 0, 8)
    lines = csv_lines()
    other = lines[2].replace("9.901234", "9.999999").replace("SYT-20260302-0002", "SYT-20260302-0099")
    bad = write(tmp_path, "bad.csv", [*lines, lines[1], other])
    with pytest.raises(importer.DossierImportError) as caught:
        importer.import_dossiers(bad)
    messages = caught.value.messages
    assert caught.value.count == 2
    assert "row 10" in messages[0] and "twice" in messages[0]
    assert "row 11" in messages[1] and "9.999999" in messages[1]
    if empty:  # the same refusal when the table is empty, and nothing written
        Dossier.objects.all().delete()
        with pytest.raises(importer.DossierImportError) as caught:
            importer.import_dossiers(bad)
        assert caught.value.count == 2 and "row 10" in caught.value.messages[0]
        assert not Dossier.objects.exists()
        assert _index_definitions() == indexes  # the rollback put them back


def _index_definitions() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s ORDER BY indexname", [Dossier._meta.db_table])
        return [row[0] for row in cursor.fetchall()]


def test_a_code_repeated_in_a_file_is_refused_even_into_an_empty_table(procedures, tmp_path):
    Dossier.objects.all().delete()
    lines = csv_lines()
    with pytest.raises(importer.DossierImportError) as caught:
        importer.import_dossiers(write(tmp_path, "twice.csv", [*lines, lines[3]]), chunk_size=2)
    assert caught.value.count == 1 and "row 10" in caught.value.messages[0] and "twice" in caught.value.messages[0]
    assert not Dossier.objects.exists()
    report = importer.import_dossiers(FIXTURES / "dossiers.csv", chunk_size=2)
    assert (report.created, report.updated) == (8, 0)
    check_fixture_values()
    again = importer.import_dossiers(FIXTURES / "dossiers.csv", chunk_size=2)  # now looked up
    assert (again.created, again.updated, again.unchanged) == (0, 0, 8)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan of PostgreSQL's look-up")
def test_code_lookup_probes_the_index_whatever_the_table_size(procedures):
    """The per-chunk look-up of the codes must not scan the dossiers: with a plain join and an
    array of a chunk's size, PostgreSQL hashes the whole table for every chunk, and an import
    slows down with every row already in it."""
    table = importer._table(Dossier._meta.db_table)
    codes = [f"X-{n:07d}" for n in range(importer.CHUNK_SIZE)]
    with connection.cursor() as cursor:
        raw = cursor.cursor
        raw.execute(f"EXPLAIN (FORMAT JSON) {importer._lookup_sql(table)}", [codes])
        plan = json.dumps(raw.fetchone()[0])
    assert "Index Scan" in plan or "Index Only Scan" in plan, plan
    assert "Seq Scan" not in plan and "Hash Join" not in plan, plan


# ------------------------------------------------------------------- calendar changes


def _copy_built_in_2026():
    from cchc.workdays import DEFAULT_ADJUSTMENTS

    for adjustment in DEFAULT_ADJUSTMENTS[2026]:
        for day in adjustment.days():
            CalendarAdjustment.objects.get_or_create(date=day, defaults={"kind": adjustment.kind, "name": adjustment.what[:255]})


def test_a_calendar_change_recomputes_the_dossiers_it_concerns(procedures, capsys):
    """Worked out by hand from the fixture (see the top of this file):
    SYT-…0001 received Fri 13/2 16:30, computed due Wed 25/2 17:00 (23, 24, 25), ended 25/2 10:00:
    on time. With Tue 24/2 off, the due is Thu 26/2 17:00 (23, 25, 26) and the end is early.
    SYT-…0002: due Fri 6/3 from the file, effective end Tue 10/3: late by 2 working days (9, 10/3);
    with Mon 9/3 off, late by 1 (its due, from the file, stays)."""
    from cchc.dossiers.rederive import affected, rederive

    importer.import_dossiers(FIXTURES / "dossiers.csv")
    _copy_built_in_2026()  # the schedule the fixture was computed with, now as rows
    # The importer's fast path and derive.py agree: recomputing every dossier (the demo's 40,000
    # synthetic ones too) changes nothing.
    report = rederive()
    assert report.checked == Dossier.objects.filter(receipt_day__isnull=False).count() > 30_000
    assert report.changed == 0
    Dossier.objects.exclude(pk__in=ours()).delete()  # the demo's, for the counts below
    assert (rederive().checked, rederive().changed) == (7, 0)  # 7 received (one never was)

    CalendarAdjustment.objects.create(date=date(2026, 2, 24), kind="off", name="thử")
    assert set(affected(date(2026, 2, 24), date(2026, 2, 24)).values_list("code", flat=True)) == {
        "SYT-20260213-0001", "CT-20260213-0008",  # received before, due or ended after (the rest: received later)
    }
    call_command("dossiers", "rederive", "--from", "24/02/2026", "--to", "2026-02-24", "--dry-run", "--quiet-progress")
    assert "2 dossiers checked against the calendar: 1 changed. Dry run" in capsys.readouterr().out
    one = Dossier.objects.get(code="SYT-20260213-0001")
    assert (one.due_at, one.outcome) == (vn(2026, 2, 25, 17), Outcome.ON_TIME)  # the dry run wrote nothing
    call_command("dossiers", "rederive", "--from", "24/02/2026", "--to", "24/02/2026", "--quiet-progress")
    assert "2 dossiers checked against the calendar: 1 changed." in capsys.readouterr().out
    one.refresh_from_db()
    assert (one.due_at, one.due_computed, one.outcome, one.late_working_days) == (vn(2026, 2, 26, 17), True, Outcome.EARLY, 0)
    cert = Dossier.objects.get(code="CT-20260213-0008")
    assert (cert.due_at, cert.outcome) == (vn(2026, 2, 23, 17), Outcome.ON_TIME)

    CalendarAdjustment.objects.create(date=date(2026, 3, 9), kind="off", name="thử")
    report = rederive(date(2026, 3, 9), date(2026, 3, 9))
    two = Dossier.objects.get(code="SYT-20260302-0002")
    assert (two.due_at, two.due_computed, two.outcome, two.late_working_days) == (vn(2026, 3, 6, 17), False, Outcome.LATE, 1)
    assert report.changed >= 1 and (two.unit_id, date(2026, 3, 1)) in report.keys

    CalendarAdjustment.objects.filter(date__in=[date(2026, 2, 24), date(2026, 3, 9)]).delete()
    rederive()
    check_fixture_values()  # back to the values worked out at the top


def test_the_rederive_command_refuses_bad_dates(procedures):
    with pytest.raises(CommandError, match="not a date"):
        call_command("dossiers", "rederive", "--from", "31/02/2026", "--quiet-progress")
    with pytest.raises(CommandError, match="before"):
        call_command("dossiers", "rederive", "--from", "2026-03-02", "--to", "2026-03-01", "--quiet-progress")


def test_a_change_on_the_calendar_page_recomputes_in_the_background(procedures, login):
    from lxml import html

    importer.import_dossiers(FIXTURES / "dossiers.csv")
    Dossier.objects.exclude(pk__in=ours()).delete()  # the demo's
    _copy_built_in_2026()
    client = login("cchc")
    response = client.post("/dossiers/calendar/add/", {"date": "2026-02-24", "kind": "off", "name": "Nghỉ bù thử"})
    assert response.status_code == 302 and "job=" in response["Location"]
    # Tests run the tasks at once: the page shows the finished job.
    tree = html.fromstring(client.get(response["Location"]).content)
    job = tree.xpath("//div[contains(@class,'rederive-job')]")[0]
    assert job.get("data-state") == "done"
    assert "đã đối chiếu 2 hồ sơ, 1 hồ sơ thay đổi" in job.text_content()  # the page is in Vietnamese
    assert Dossier.objects.get(code="SYT-20260213-0001").outcome == Outcome.EARLY
    fragment = client.get(job.xpath(".")[0].get("id").replace("rederive-", "/dossiers/calendar/jobs/") + "/")
    assert fragment.status_code == 200 and "1 hồ sơ thay đổi" in fragment.content.decode()
    # The job is the reform office's business only.
    assert login("yte").get(f"/dossiers/calendar/jobs/{job.get('id')[9:]}/").status_code == 404
    assert client.get("/dossiers/calendar/jobs/not-a-job/").status_code == 404
    adjustment = CalendarAdjustment.objects.get(date="2026-02-24")
    response = client.post(f"/dossiers/calendar/{adjustment.pk}/delete/")
    assert "job=" in response["Location"]
    assert Dossier.objects.get(code="SYT-20260213-0001").outcome == Outcome.ON_TIME
