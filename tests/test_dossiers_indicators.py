"""The indicators on a small hand-made dataset, every expected value worked out by hand below;
the periods; the 766 points; and the assessment leaves that read the dossiers.

Sở Y tế (SYT) receives nine dossiers of procedure 1.900001 (5 working days) in March 2026, and one in
February; Sở Xây dựng (SXD) one in March and a same-day certification on the Friday before Tết.
Times are local (Vietnam). "Now" is 1 June 2026, so March is judged at 1/4/2026 00:00.

    D1 online  rec 02/03 09:00 due 09/03 17:00 end 05/03 10:00              early    73 h
    D2 direct  rec 02/03 10:00 due 09/03 17:00 end 09/03 16:00              on time 174 h
    D3 direct  rec 03/03 08:00 due 10/03 17:00 end 12/03 09:00              late    217 h (2 working days late), no apology
    D4 postal  rec 03/03 09:00 due 10/03 17:00 end 12/03 09:00, supplement 04/03 09:00 → 06/03 09:00 (2 days):
               effective end 10/03 09:00                                     on time 168 h
    D5 direct  rec 04/03 08:00 due 11/03 17:00 end 09/03 08:00, two supplements (6 h, 1 h): late by rule,
               apology 08/03                                                 late    113 h
    D6 online  rec 20/03 09:00 due 27/03 17:00 still open                   open past due (at 1/4), no apology
    D7 online  rec 30/03 09:00 due 06/04 17:00 still open                   open within time
    D8 direct  rec 25/03 08:00 due 01/04 17:00 withdrawn 26/03 10:00        early     26 h
    D9 online  status 3 (refused at intake) 10/03                           not received: not counted
    D11 direct rec 27/02 08:00 due 06/03 17:00 end 05/03 09:00              February, early
    E1 (SXD) direct rec 10/03 08:00 due 17/03 17:00 end 16/03 08:00         early
    E2 (SXD) certification received Friday 13/02/2026 16:30 (after the 15:00 cut-off), no NgayHenTra:
               counts from the next working day, Monday 23/02 after Tết → due 23/02 17:00; end 23/02 10:00: on time

SYT, March: received 8; finished 6 (D1-D5, D8); early 2; on time 2; late 2; open within 1; open past 1;
late without apology 2 (D3, D6); online 3; postal 1; direct 4;
PAR on-time rate (2+2)/6 = 66.67 %; 766 rate (2+2+1)/8 = 62.50 %; average time (73+174+217+168+113+26)/6 = 128.5 h.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from cchc.dossiers import index766
from cchc.dossiers import indicators as I
from cchc.dossiers.periods import Period, PeriodError

NOW = timezone.make_aware(dt.datetime(2026, 6, 1, 8, 0))
MARCH = Period.parse("2026-03")

PROCEDURES = """MaTTHC,TenTTHC,LinhVuc,CapThucHien,ThoiHan,DonViThoiHan,MucDoDVC,DuDieuKienToanTrinh,LePhi,BuuChinh,KetQuaGiay,DoiTuongCongDan,LoaiThuTuc
1.900001,Cấp giấy phép thử nghiệm,Y tế,tinh,5,ngay_lam_viec,toan_trinh,1,50000,1,1,1,
2.900815,Chứng thực bản sao thử nghiệm,Chứng thực,xa,0,ngay_lam_viec,mot_phan,0,2000,0,0,1,chung_thuc
"""

HEADER = ("MaHoSo,MaTTHC,MaDonViTiepNhan,KenhThucHien,TrangThaiHoSo,NgayTiepNhan,NgayHenTra,NgayKetThucXuLy,"
          "NgayTuChoi,NgayRut,NgayXinLoi,NgayYeuCauBoSung,NgayHoanThanhBoSung,HoSoCoThanhPhanSoHoa,CoKetQuaDienTu,"
          "DuocThanhToanTrucTuyen,PhiLePhi")
ROWS = [
    "D1,1.900001,P08-SYT,2,9,20260302090000,20260309170000,20260305100000,,,,,,1,1,1,50000",
    "D2,1.900001,P08-SYT,1,9,20260302100000,20260309170000,20260309160000,,,,,,0,0,0,50000",
    "D3,1.900001,P08-SYT,1,9,20260303080000,20260310170000,20260312090000,,,,,,0,0,0,50000",
    "D4,1.900001,P08-SYT,3,9,20260303090000,20260310170000,20260312090000,,,,20260304090000,20260306090000,1,1,0,50000",
    "D5,1.900001,P08-SYT,1,9,20260304080000,20260311170000,20260309080000,,,20260308090000,20260305090000;20260306090000,20260305150000;20260306100000,0,0,0,50000",
    "D6,1.900001,P08-SYT,2,4,20260320090000,20260327170000,,,,,,,1,0,2,50000",
    "D7,1.900001,P08-SYT,2,4,20260330090000,20260406170000,,,,,,,1,0,0,50000",
    "D8,1.900001,P08-SYT,1,7,20260325080000,20260401170000,,,20260326100000,,,,0,0,0,",
    "D9,1.900001,P08-SYT,2,3,,,,20260310090000,,,,,0,0,0,",
    "D11,1.900001,P08-SYT,1,9,20260227080000,20260306170000,20260305090000,,,,,,0,0,0,50000",
    "E1,1.900001,P08-SXD,1,9,20260310080000,20260317170000,20260316080000,,,,,,0,0,0,50000",
    "E2,2.900815,P08-SXD,1,10,20260213163000,,20260223100000,,,,,,0,0,0,2000",
]


@pytest.fixture
def data(demo, tmp_path):
    from cchc.dossiers.importer import import_dossiers, import_procedures
    from cchc.dossiers.models import Dossier

    Dossier.objects.all().delete()  # the demo's own dossiers are left out of these counts
    (tmp_path / "procedures.csv").write_text(PROCEDURES, encoding="utf-8")
    (tmp_path / "dossiers.csv").write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    import_procedures(tmp_path / "procedures.csv")
    import_dossiers(tmp_path / "dossiers.csv")
    return {"syt": demo["unit_a"], "sxd": demo["unit_b"]}


# --- periods -------------------------------------------------------------------------------


def test_periods_parse_and_label():
    assert (Period.parse("2026").start, Period.parse("2026").end) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    q3 = Period.parse("2026-q3")
    assert (q3.start, q3.end, q3.code) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30), "2026-Q3")
    assert Period.parse("2026-H2").start == dt.date(2026, 7, 1)
    assert Period.parse("2024-02").end == dt.date(2024, 2, 29)
    custom = Period.parse("2026-01-05 .. 2026-02-10")
    assert (custom.kind, custom.code) == ("range", "2026-01-05..2026-02-10")
    assert [m.month for m in Period.parse("2026-Q2").months()] == [4, 5, 6]
    assert Period.parse("2025-02").previous_year().end == dt.date(2024, 2, 29)
    for bad in ("", "2026-13", "2026-Q5", "tháng 3", "2026-03-10..2026-03-01"):
        with pytest.raises(PeriodError):
            Period.parse(bad)


def test_the_end_of_a_running_period_is_now():
    assert MARCH.moment(NOW) == timezone.make_aware(dt.datetime(2026, 4, 1))
    assert Period.parse("2026").moment(NOW) == NOW


# --- counts -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_counts_of_a_unit_for_a_month_are_those_worked_out_by_hand(data):
    c = I.total(I.scope([data["syt"].pk]), MARCH, now=NOW)
    assert (c.received, c.finished, c.early, c.on_time, c.late) == (8, 6, 2, 2, 2)
    assert (c.open_within, c.open_past, c.late_all, c.late_no_apology, c.late_with_apology) == (1, 1, 3, 2, 1)
    assert (c.online, c.postal, c.direct) == (3, 1, 4)
    assert c.on_time_rate == Decimal("66.67") and c.on_time_rate_766 == Decimal("62.50")
    assert c.online_rate == Decimal("37.50") and c.late_apology_rate == Decimal("33.33")
    assert c.average_hours == Decimal("128.50")
    # Payments: 7 of the 8 carry the procedure's fee; D1 (portal) and D6 (provincial gateway) paid online.
    assert (c.fee_bearing, c.paid_online, c.paid_online_rate) == (8, 2, Decimal("25.00"))
    # Digitised D1, D4, D6, D7; electronic results D1, D4 among the 8 of a paper-result procedure.
    assert (c.digitised, c.e_result_paper, c.paper_result, c.digitised_rate) == (4, 2, 8, Decimal("50.00"))


@pytest.mark.django_db
def test_every_list_behind_a_number_holds_that_many_dossiers(data):
    """The drill-down lists and the counts read one table of conditions: for every count, stored
    or derived, the list has exactly the number shown. D6 (open past due) is rated unsatisfied
    and D2 (on time) satisfied, so that "satisfied and not late" counts D6 once, not twice."""
    import dataclasses

    from cchc.dossiers.models import Dossier

    Dossier.objects.filter(code="D6").update(satisfied=False)
    Dossier.objects.filter(code="D2").update(satisfied=True)
    qs = I.scope([data["syt"].pk])
    c = I.total(qs, MARCH, now=NOW)
    # received 8, less D3 and D5 (late) and D6 (unsatisfied and open past due, once).
    assert (c.rated, c.unsatisfied, c.unsatisfied_or_late, c.satisfied_not_late) == (2, 1, 3, 5)
    names = [f.name for f in dataclasses.fields(I.Counts) if f.name != "processing_seconds"]
    names += [n for n, v in vars(I.Counts).items() if isinstance(v, property) and not n.endswith(("_rate", "_766", "hours"))]
    names += ["early_on_time"]
    received = I.received_in(qs, MARCH)
    moment = MARCH.moment(NOW)
    checked = 0
    for name in names:
        condition = I.measure_condition(name, moment)
        assert condition is not None, name
        wanted = c.early + c.on_time if name == "early_on_time" else getattr(c, name)
        assert received.filter(condition).count() == wanted, name
        checked += 1
    assert checked >= 35 and I.measure_condition("nonsense", moment) is None


@pytest.mark.django_db
def test_the_outcome_and_lateness_stored_per_dossier(data):
    from cchc.dossiers.models import Dossier, Outcome

    got = {d.code: (d.outcome, d.late_working_days) for d in Dossier.objects.all()}
    assert got["D3"] == (Outcome.LATE, 2) and got["D4"] == (Outcome.ON_TIME, 0)
    assert got["D5"][0] == Outcome.LATE and got["D8"][0] == Outcome.EARLY
    assert got["D6"] == (None, None) and got["D9"] == (None, None)
    e2 = Dossier.objects.get(code="E2")  # after the cut-off on the Friday before Tết: due the Monday after
    assert e2.due_computed and timezone.localtime(e2.due_at) == timezone.make_aware(dt.datetime(2026, 2, 23, 17, 0))
    assert e2.outcome == Outcome.ON_TIME


@pytest.mark.django_db
def test_grouped_by_unit_and_by_month(data):
    units = I.counts(I.scope([data["syt"].pk, data["sxd"].pk]), Period.parse("2026-Q1"), by=("unit",), now=NOW)
    assert units[(data["syt"].pk,)].received == 9 and units[(data["sxd"].pk,)].received == 2
    months = I.counts(I.scope([data["syt"].pk]), Period.parse("2026-Q1"), by=("month",), now=NOW)
    assert {k[0].month: v.received for k, v in months.items()} == {2: 1, 3: 8}
    # The quarter ends on 31/3: D6 (due 27/3) is past due, D7 (due 6/4) within, as for March.
    quarter = I.total(I.scope([data["syt"].pk]), Period.parse("2026-Q1"), now=NOW)
    assert (quarter.open_within, quarter.open_past, quarter.early) == (1, 1, 3)
    # Judged on 25/3 (a period ending then): D6 is still within its time.
    early = I.total(I.scope([data["syt"].pk]), Period.parse("2026-03-01..2026-03-25"), now=NOW)
    assert (early.received, early.open_within, early.open_past) == (7, 1, 0)


@pytest.mark.django_db
def test_by_channel_and_procedure_filters(data):
    online = I.total(I.scope([data["syt"].pk], channel=2), MARCH, now=NOW)
    assert (online.received, online.open_within, online.open_past, online.early) == (3, 1, 1, 1)
    certification = I.total(I.scope(None, field_name="Chứng thực"), Period.parse("2026-02"), now=NOW)
    assert (certification.received, certification.on_time) == (1, 1)


# --- the 766 points -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_766_points_follow_the_configured_formulas(data):
    c = I.total(I.scope([data["syt"].pk]), MARCH, now=NOW)
    result = index766.compute(c, I.procedure_counts(I.scope([data["syt"].pk]), MARCH, ("tinh",)))
    lines = {line.code: line for line in result.lines}
    assert (lines["2.1"].numerator, lines["2.1"].denominator, lines["2.1"].points) == (5, 8, Decimal("12.50"))  # 20 × 5/8
    assert lines["3.3"].points == Decimal("4.50")  # 6 × (37.5 % ÷ 50 %)
    assert lines["3.6"].points == Decimal("1.50")  # 6 × 2/8
    assert not lines["1.1"].computed and lines["1.1"].points is None  # no data here: listed, not scored
    assert lines["4.4"].confidence == "U"
    assert result.max_supported == sum((line.max for line in result.lines if line.points is not None), Decimal(0))
    assert result.band in {b["name"] for b in index766.load()["bands"]}


def test_a_zero_denominator_follows_the_configuration():
    assert index766.score(Decimal(6), 0, 0, Decimal(1), "full") == 6
    assert index766.score(Decimal(6), 0, 0, Decimal(1), "zero") == 0
    assert index766.score(Decimal(6), 0, 0, Decimal(1), "none") is None
    assert index766.score(Decimal(2), 9, 10, Decimal("0.8"), "none") == 2  # capped at full marks


# --- framework leaves that read the dossiers ---------------------------------------------------------


@pytest.mark.django_db
def test_a_leaf_reading_the_on_time_rate_fills_itself_in_the_round(data, login, monkeypatch):
    """The department template's 3.4.1 reads dossiers.on_time_rate: opening the draft fills it."""
    from django.urls import reverse

    from cchc.assessments import services
    from cchc.assessments.models import Submission

    monkeypatch.setattr(services, "today", lambda: dt.date(2026, 6, 1))
    submission = Submission.objects.get(round__cycle__code="tq-2026-so-nganh", round__code="annual", subject=data["syt"])
    html = login("yte").get(reverse("assessments:submission", args=["tq-2026-so-nganh", "annual", "P08-SYT", "all"])).content.decode()
    entry = submission.entries.get(criterion__code="3.4.1")
    year = I.total(I.scope([data["syt"].pk]), Period.parse("2026"))
    assert (entry.numerator, entry.denominator) == (Decimal(year.early + year.on_time), Decimal(year.finished))
    assert entry.self_score is not None and "entry-reading" in html and entry.reading in html
    # Typed numbers do not replace the data's.
    response = login("yte").post(
        reverse("assessments:entry_save", args=["tq-2026-so-nganh", "annual", "P08-SYT", "all", "3.4.1"]),
        {"numerator": "1", "denominator": "1", "explanation": "Theo báo cáo của đơn vị", "version": entry.version},
    )
    assert response.status_code in (200, 302)
    entry.refresh_from_db()
    assert entry.numerator == Decimal(year.early + year.on_time) and entry.explanation == "Theo báo cáo của đơn vị"


# --- the command line -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_line_prints_the_indicators_and_the_766_points(data):
    import json
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("dossiers", "indicators", "--scope", "P08-SYT", "--period", "2026-Q1", "--by", "month", "--format", "json", stdout=out)
    rows = {r["month"]: r for r in json.loads(out.getvalue())["rows"]}
    assert set(rows) == {"2026-02", "2026-03"}
    assert (rows["2026-03"]["received"], rows["2026-03"]["late"], rows["2026-03"]["on_time_rate"]) == (8, 2, "66.67")
    out = StringIO()
    call_command("dossiers", "index766", "--scope", "P08-SYT", "--period", "2026-03", "--format", "json", stdout=out)
    lines = {line["code"]: line for line in json.loads(out.getvalue())["lines"]}
    assert (lines["2.1"]["numerator"], lines["2.1"]["denominator"], lines["2.1"]["points"]) == (5, 8, "12.50")
    out = StringIO()
    call_command("dossiers", "indicators", "--scope", "agencies", "--period", "2026-03", stdout=out)
    assert "9" in out.getvalue()  # SYT 8 + SXD 1
    with pytest.raises(CommandError):
        call_command("dossiers", "indicators", "--scope", "NO-SUCH-UNIT")
    with pytest.raises(CommandError):
        call_command("dossiers", "indicators", "--period", "quý 3")
