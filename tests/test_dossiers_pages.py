"""The dossier pages on a small hand-made dataset (the same dossiers as test_dossiers_indicators, plus
one late commune dossier), every expected value worked out by hand:

    SYT (Sở Y tế), March 2026, judged at 1/4/2026 00:00:
      D1 early · D2 on time · D3 late, no apology · D4 on time (supplement pause) · D5 late (two
      supplements), apology · D6 open past due, no apology · D7 open within time · D8 withdrawn, early ·
      D9 refused at intake (not received) · D11 is February
      received 8, finished 6, early 2, on time 2, late 2, open within 1, open past 1,
      late without apology 2 (D3, D6), online 3 (D1, D6, D7), postal 1 (D4)
      PAR (2+2)/6 = 66,67 %; 766 (2+2+1)/8 = 62,50 %; average (73+174+217+168+113+26)/6 = 128,50 h
    SXD (Sở Xây dựng): E1 early in March; E2 in February.
    W02266 (Xã Lâm Bình): X1 certification due 05/03 17:00, returned 06/03 10:00: late 1 working day, no apology.

    Province, March: received 10, finished 8, early 3, on time 2, late 3, open within 1, open past 1,
    late without apology 3 (D3, D6, X1); PAR 5/8 = 62,50 %; 766 6/10 = 60,00 %.
"""

from __future__ import annotations

import io

import pytest
from lxml import html

from tests.test_dossiers_indicators import HEADER, PROCEDURES
from tests.test_dossiers_indicators import ROWS as SHARED_ROWS

ROWS = [*SHARED_ROWS, "X1,2.900815,W02266,1,10,20260305090000,20260305170000,20260306100000,,,,,,0,0,0,2000"]
MARCH = "period=2026-03"


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def data(demo, tmp_path, settings):
    from cchc.dossiers.importer import import_dossiers, import_procedures
    from cchc.dossiers.models import Dossier

    settings.CCHC_DOSSIER_IMPORT_DIR = tmp_path / "jobs"
    Dossier.objects.all().delete()  # the demo's own dossiers are left out of these counts
    import_procedures(write(tmp_path, "procedures.csv", PROCEDURES))
    import_dossiers(write(tmp_path, "dossiers.csv", "\n".join([HEADER, *ROWS]) + "\n"))
    return demo


def page(response):
    assert response.status_code == 200, response.status_code
    return html.fromstring(response.content.decode())


def codes(response) -> set[str]:
    return {row.get("data-code") for row in page(response).xpath("//table[@id='dossier-table']/tbody/tr[@data-code]")}


def text(tree, xpath: str) -> str:
    found = tree.xpath(xpath)
    assert found, xpath
    return " ".join(found[0].text_content().split())


# --- the dashboard ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_dashboard_of_the_province_shows_the_numbers_worked_out_by_hand(data, login):
    response = login("cchc").get(f"/dossiers/?scope=province&{MARCH}")
    tree = page(response)
    cards = {a.get("data-measure"): text(a, ".//div[contains(@class,'count')]") for a in tree.xpath("//div[@id='dashboard-counts']//a")}
    assert cards == {"received": "10", "finished": "8", "early": "3", "on_time": "2", "late": "3",
                     "open_within": "1", "open_past": "1", "late_no_apology": "3"}
    rates = {d.get("data-rate"): text(d, ".//*[contains(@class,'rate')]") for d in tree.xpath("//*[@id='on-time-rates']//*[@data-rate]")}
    assert rates == {"on_time_rate": "62,50%", "on_time_rate_766": "60,00%"}
    total = response.context["total"]
    assert (total.received, total.in_time, total.late_no_apology) == (10, 6, 3)
    # One row per unit, numbers right-aligned and linked to the list behind them.
    rows = {tr.get("data-unit"): [" ".join(td.text_content().split()) for td in tr.xpath("./td")]
            for tr in tree.xpath("//table[@id='unit-table']/tbody/tr")}
    assert set(rows) == {"P08-SYT", "P08-SXD", "W02266"}
    syt = rows["P08-SYT"]
    # unit, received, finished, early, on time, late, open within, open past, late no apology, online, PAR, 766, online %, digitised %, hours
    assert syt[1:10] == ["8", "6", "2", "2", "2", "1", "1", "2", "3"]
    assert syt[10:] == ["66,67", "62,50", "37,50", "50,00", "128,50"]
    assert rows["W02266"][1:6] == ["1", "1", "0", "0", "1"]
    link = tree.xpath("//tr[@data-unit='P08-SYT']/td[9]/a")[0].get("href")
    assert "measure=late_no_apology" in link and "scope=P08-SYT" in link
    # Sorted by a column on request.
    response = login("cchc").get(f"/dossiers/?scope=province&{MARCH}&sort=late&dir=asc")
    order = [tr.get("data-unit") for tr in page(response).xpath("//table[@id='unit-table']/tbody/tr")]
    assert order == ["P08-SXD", "W02266", "P08-SYT"]


@pytest.mark.django_db
def test_the_dashboard_of_a_year_draws_the_months(data, login):
    response = login("lanhdao").get("/dossiers/?scope=P08-SYT&year=2026&part=Q1")
    assert response.context["filters"].period.code == "2026-Q1"
    months = {tr.get("data-month"): [" ".join(td.text_content().split()) for td in tr.xpath("./td")]
              for tr in page(response).xpath("//table[@id='month-table']/tbody/tr")}
    assert list(months) == ["2026-01", "2026-02", "2026-03"]
    assert months["2026-02"][1:3] == ["1", "100,00"]  # D11, early
    assert months["2026-03"][1:4] == ["8", "66,67", "62,50"]
    assert b"trend-chart" in response.content and b"<path d=\"M" in response.content


@pytest.mark.django_db
def test_the_list_behind_each_number_holds_exactly_its_dossiers(data, login):
    client = login("cchc")
    expected = {
        "received": {"D1", "D2", "D3", "D4", "D5", "D6", "D7", "D8"},
        "finished": {"D1", "D2", "D3", "D4", "D5", "D8"},
        "early": {"D1", "D8"},
        "on_time": {"D2", "D4"},
        "late": {"D3", "D5"},
        "open_within": {"D7"},
        "open_past": {"D6"},
        "late_no_apology": {"D3", "D6"},
        "late_all": {"D3", "D5", "D6"},
        "in_time": {"D1", "D2", "D4", "D7", "D8"},
        "early_on_time": {"D1", "D2", "D4", "D8"},
        "online": {"D1", "D6", "D7"},
        "postal": {"D4"},
        "digitised": {"D1", "D4", "D6", "D7"},
        "paid_online": {"D1", "D6"},
        "e_result_paper": {"D1", "D4"},
    }
    for measure, wanted in expected.items():
        response = client.get(f"/dossiers/list/?scope=P08-SYT&{MARCH}&measure={measure}")
        assert codes(response) == wanted, measure
        assert response.context["page"].paginator.count == len(wanted)
    # The leaf readings' links (unit=..., measure=in_time) land on the same list.
    assert codes(client.get(f"/dossiers/list/?unit=P08-SYT&{MARCH}&measure=in_time")) == expected["in_time"]
    # Every linked number of the unit table equals the length of its list.
    tree = page(client.get(f"/dossiers/?scope=province&{MARCH}"))
    for a in tree.xpath("//table[@id='unit-table']/tbody//a[contains(@href,'measure=')]"):
        listed = client.get(a.get("href"))
        assert listed.context["page"].paginator.count == int(a.text_content().replace(".", "")), a.get("href")
    assert client.get(f"/dossiers/list/?{MARCH}&measure=nonsense").status_code == 404


@pytest.mark.django_db
def test_the_list_exports(data, login):
    from openpyxl import load_workbook

    client = login("cchc")
    response = client.get(f"/dossiers/list/export.xlsx?scope=P08-SYT&{MARCH}&measure=late")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    header = values.index(next(r for r in values if r and r[0] == "Dossier code" or r and r[0] == "Mã hồ sơ"))
    assert {r[0] for r in values[header + 1:]} == {"D3", "D5"}
    csv = client.get(f"/dossiers/list/export.csv?scope=P08-SYT&{MARCH}&measure=online").content.decode("utf-8-sig")
    assert sorted(line.split(",")[0] for line in csv.strip().splitlines()[1:]) == ["D1", "D6", "D7"]
    assert client.get(f"/dossiers/list/export.pdf?scope=P08-SYT&{MARCH}").status_code == 404


# --- who sees what ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_officer_sees_only_the_dossiers_of_their_unit(data, login):
    yte = login("yte")
    response = yte.get(f"/dossiers/?{MARCH}")
    assert response.context["filters"].scope.code == "P08-SYT"
    units = {tr.get("data-unit") for tr in page(response).xpath("//table[@id='unit-table']/tbody/tr")}
    assert units == {"P08-SYT"}
    assert "Sở Xây dựng" not in response.content.decode()  # not even in the scope menu
    assert codes(yte.get(f"/dossiers/list/?{MARCH}&measure=received")) == {"D1", "D2", "D3", "D4", "D5", "D6", "D7", "D8"}
    for url in (f"/dossiers/?scope=P08-SXD&{MARCH}", f"/dossiers/?scope=province&{MARCH}", f"/dossiers/?scope=communes&{MARCH}",
                f"/dossiers/list/?scope=P08-SXD&{MARCH}&measure=received", f"/dossiers/late/?scope=W02266&{MARCH}",
                f"/dossiers/index766/?scope=agencies&{MARCH}", f"/dossiers/list/export.xlsx?scope=P08-SXD&{MARCH}"):
        assert yte.get(url).status_code == 404, url
    # The commune officer: only the commune.
    xa = login("xa")
    assert codes(xa.get(f"/dossiers/list/?{MARCH}&measure=received")) == {"X1"}
    assert xa.get(f"/dossiers/list/?scope=P08-SYT&{MARCH}").status_code == 404
    # The leader reads every unit; the 766 ranking is for those who read every unit only.
    assert login("lanhdao").get(f"/dossiers/?scope=P08-SXD&{MARCH}").status_code == 200
    assert page(yte.get(f"/dossiers/index766/?{MARCH}")).xpath("//table[@id='rank-agencies']") == []
    assert login(None).get("/dossiers/").status_code == 302  # sign in first


# --- the late report ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_late_report_lists_the_late_dossiers_without_an_apology(data, login):
    from docx import Document
    from openpyxl import load_workbook

    client = login("cchc")
    response = client.get(f"/dossiers/late/?{MARCH}")
    tree = page(response)
    assert {r.get("data-code") for r in tree.xpath("//table[@id='late-dossiers']/tbody/tr[@data-code]")} == {"D3", "D6", "X1"}
    units = {tr.get("data-unit"): [" ".join(td.text_content().split()) for td in tr.xpath("./td")]
             for tr in tree.xpath("//table[@id='late-units']/tbody/tr")}
    # unit, received, finished late, open past due, late in all, with apology, without apology
    assert units["P08-SYT"][1:] == ["8", "2", "1", "3", "1", "2"]
    assert units["W02266"][1:] == ["1", "1", "0", "1", "0", "1"]
    assert units["P08-SXD"][1:] == ["1", "0", "0", "0", "0", "0"]
    assert text(tree, "//*[@id='late-no-apology-total']") == "3"
    late_all = page(client.get(f"/dossiers/late/?{MARCH}&apology=all")).xpath("//table[@id='late-dossiers']/tbody/tr[@data-code]")
    assert {r.get("data-code") for r in late_all} == {"D3", "D5", "D6", "X1"}

    workbook = load_workbook(io.BytesIO(client.get(f"/dossiers/late/export.xlsx?{MARCH}").content))
    assert workbook.sheetnames == ["Tổng hợp", "Danh sách"]
    listed = [r for r in workbook["Danh sách"].iter_rows(values_only=True) if r and isinstance(r[0], int)]
    assert sorted(r[1] for r in listed) == ["D3", "D6", "X1"]
    summary = {r[1]: r for r in workbook["Tổng hợp"].iter_rows(values_only=True) if r and r[1]}
    assert summary["Sở Y tế"][2:] == (8, 2, 1, 3, 1, 2)
    assert summary["Tổng cộng"][2:] == (10, 3, 1, 4, 1, 3)

    response = client.get(f"/dossiers/late/export.docx?{MARCH}")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    document = Document(io.BytesIO(response.content))
    assert document.sections[0].page_width > document.sections[0].page_height  # landscape
    body = "\n".join(p.text for p in document.paragraphs)
    assert "BÁO CÁO" in body and "tháng 3/2026" in body
    header = document.tables[0]
    assert "SỞ NỘI VỤ" in header.cell(0, 0).text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in header.cell(0, 1).text
    rows = [[c.text for c in row.cells] for row in document.tables[2].rows[1:]]
    assert sorted(r[1] for r in rows) == ["D3", "D6", "X1"]
    run = document.paragraphs[0].runs[0] if document.paragraphs[0].runs else document.tables[0].cell(0, 0).paragraphs[0].runs[0]
    assert run.font.name == "Times New Roman"


@pytest.mark.django_db
def test_the_late_report_of_an_officer_is_their_unit(data, login):
    response = login("yte").get(f"/dossiers/late/?{MARCH}")
    assert {r.get("data-unit") for r in page(response).xpath("//table[@id='late-units']/tbody/tr")} == {"P08-SYT"}
    from docx import Document

    document = Document(io.BytesIO(login("yte").get(f"/dossiers/late/export.docx?{MARCH}").content))
    assert "SỞ Y TẾ" in document.tables[0].cell(0, 0).text


# --- the 766 page --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_766_page_gives_the_points_of_a_hand_checked_case(data, login):
    response = login("cchc").get(f"/dossiers/index766/?scope=P08-SYT&{MARCH}")
    tree = page(response)
    line = tree.xpath("//tr[@data-line='2.1']")[0]
    # 2.1: (early + on time + open within) / received = 5 / 8 → 20 × 5/8 = 12,50 points
    assert text(line, ".//td[contains(@class,'numerator')]") == "5"
    assert text(line, ".//td[contains(@class,'denominator')]") == "8"
    assert text(line, ".//td[contains(@class,'ratio')]") == "62,50%"
    assert text(line, ".//td[contains(@class,'line-points')]") == "12,50"
    # 3.3: online 3 / 8 = 37,5 %, full marks at 50 %: 6 × 0,375 / 0,5 = 4,50
    assert text(tree.xpath("//tr[@data-line='3.3']")[0], ".//td[contains(@class,'line-points')]") == "4,50"
    # 3.6: paid online 2 / 8 dossiers with a fee: 6 × 2/8 = 1,50
    assert text(tree.xpath("//tr[@data-line='3.6']")[0], ".//td[contains(@class,'line-points')]") == "1,50"
    not_computed = text(tree, "//*[@id='not-computed']")
    assert "1.1" in not_computed and "5.2" in not_computed
    result = response.context["result"]
    assert result.max_supported < result.max_total
    assert text(tree, "//*[@id='index-points']") == f"{result.points}".replace(".", ",")
    assert "chưa xác nhận" in response.content.decode() or "unconfirmed" in response.content.decode()
    # The ranking (the reform office reads every unit): Sở Y tế and the commune are ranked with their percent.
    tree = page(login("cchc").get(f"/dossiers/index766/?scope=province&{MARCH}"))
    agencies = {tr.get("data-unit"): tr for tr in tree.xpath("//table[@id='rank-agencies']/tbody/tr")}
    assert text(agencies["P08-SYT"], ".//td[contains(@class,'percent')]") == f"{result.percent}".replace(".", ",")
    communes = [tr.get("data-unit") for tr in tree.xpath("//table[@id='rank-communes']/tbody/tr")]
    assert communes[0] == "W02266"
    assert tree.xpath("//figure[@id='bars-agencies']//rect")


@pytest.mark.django_db
def test_the_procedures_of_each_unit_counted_at_once_equal_those_counted_one_by_one(data):
    from cchc.dossiers import indicators
    from cchc.dossiers.periods import Period
    from cchc.dossiers.views_index766 import procedure_counts_by_unit

    period = Period.parse("2026-03")
    syt, xa = data["unit_a"], __import__("cchc.orgs.models", fromlist=["OrgUnit"]).OrgUnit.objects.get(code="W02266")
    qs = indicators.scope([syt.pk, xa.pk])
    many = procedure_counts_by_unit(qs, period, {syt.pk: syt.pk, xa.pk: xa.pk}, {syt.pk: ("tinh",), xa.pk: ("xa",)})
    assert many[syt.pk] == indicators.procedure_counts(indicators.scope([syt.pk]), period, ("tinh",))
    assert many[xa.pk] == indicators.procedure_counts(indicators.scope([xa.pk]), period, ("xa",))


# --- imports ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_reform_office_imports_a_file_through_the_page(data, login, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cchc.dossiers.models import Dossier, DossierBatch

    client = login("cchc")
    rows = [
        "N1,1.900001,P08-SYT,2,9,20260401090000,20260408170000,20260403100000,,,,,,1,1,1,50000",
        "N2,1.900001,,1,4,20260402090000,20260409170000,,,,,,,0,0,0,50000",
        "D1,1.900001,P08-SYT,2,10,20260302090000,20260309170000,20260305100000,,,,,,1,1,1,50000",  # updated
    ]
    upload = SimpleUploadedFile("ho-so-thang-4.csv", ("\n".join([HEADER, *rows]) + "\n").encode())
    # A dry run first: nothing written.
    response = client.post("/dossiers/import/", {"kind": "dossiers", "file": upload, "unit": "P08-SXD", "dry_run": "on"})
    assert response.status_code == 302
    job_page = client.get(response["Location"])
    tree = page(job_page)
    assert tree.xpath("//div[@id='import-job']")[0].get("data-state") == "dry_run"
    assert (text(tree, "//*[@id='job-created']"), text(tree, "//*[@id='job-updated']")) == ("2", "1")
    assert not Dossier.objects.filter(code__in=["N1", "N2"]).exists()
    # Then for real.
    upload.seek(0)
    response = client.post("/dossiers/import/", {"kind": "dossiers", "file": upload, "unit": "P08-SXD"})
    tree = page(client.get(response["Location"]))
    assert tree.xpath("//div[@id='import-job']")[0].get("data-state") == "done"
    assert tree.xpath("//div[@id='import-job']/@hx-get") == []  # finished: no more polling
    assert (text(tree, "//*[@id='job-created']"), text(tree, "//*[@id='job-updated']"), text(tree, "//*[@id='job-unchanged']")) == ("2", "1", "0")
    assert Dossier.objects.get(code="N2").unit.code == "P08-SXD"
    batch = DossierBatch.objects.order_by("-pk").first()
    assert (batch.state, batch.rows_read, batch.created) == ("done", 3, 2)
    listing = page(client.get("/dossiers/import/"))
    assert listing.xpath(f"//table[@id='batches']//tr[@data-batch='{batch.pk}']")
    assert client.get(f"/dossiers/import/batches/{batch.pk}/").status_code == 200


@pytest.mark.django_db
def test_a_bad_file_is_refused_with_its_rows_and_columns_and_nothing_is_imported(data, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cchc.dossiers.models import Dossier

    client = login("cchc")
    before = Dossier.objects.count()
    rows = [
        "B1,1.900001,P08-SYT,2,9,20260401090000,20260408170000,20260403100000,,,,,,1,1,1,50000",
        "B2,1.900001,P08-SYT,1,9,31/02/2026,20260409170000,,,,,,,0,0,0,50000",
        "B3,9.999999,P08-SYT,1,9,20260402090000,20260409170000,,,,,,,0,0,0,50000",
    ]
    upload = SimpleUploadedFile("ho-so-loi.csv", ("\n".join([HEADER, *rows]) + "\n").encode())
    response = client.post("/dossiers/import/", {"kind": "dossiers", "file": upload})
    job = client.get(response["Location"])
    tree = page(job)
    assert tree.xpath("//div[@id='import-job']")[0].get("data-state") == "refused"
    errors = [[" ".join(td.text_content().split()) for td in tr.xpath("./td")] for tr in tree.xpath("//table[@id='refused-rows']/tbody/tr")]
    assert [(e[0], e[1]) for e in errors] == [("3", "NgayTiepNhan"), ("4", "MaTTHC")]
    assert Dossier.objects.count() == before and not Dossier.objects.filter(code="B1").exists()
    # A file that is not a table at all.
    upload = SimpleUploadedFile("khong-phai-bang.csv", "xin chào\n1,2\n".encode())
    tree = page(client.get(client.post("/dossiers/import/", {"kind": "dossiers", "file": upload})["Location"]))
    assert tree.xpath("//div[@id='import-job']")[0].get("data-state") == "error"
    assert "NgayTiepNhan" in text(tree, "//*[@id='job-result']") or "MaHoSo" in text(tree, "//*[@id='job-result']")


@pytest.mark.django_db
def test_the_procedure_catalogue_is_imported_at_once_and_its_errors_shown(data, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cchc.dossiers.models import Procedure

    client = login("cchc")
    good = PROCEDURES + "1.900002,Thủ tục mới thử nghiệm,Y tế,tinh,10,ngay_lam_viec,khong,0,0,0,0,0,\n"
    response = client.post("/dossiers/import/", {"kind": "procedures", "file": SimpleUploadedFile("tthc.csv", good.encode())}, follow=True)
    assert "1 created" in response.content.decode() or "1" in response.content.decode()
    assert Procedure.objects.filter(code="1.900002").exists()
    bad = PROCEDURES + "1.900003,Thủ tục lỗi,Y tế,tinh,mười,ngay_lam_viec,khong,0,0,0,0,0,\n"
    response = client.post("/dossiers/import/", {"kind": "procedures", "file": SimpleUploadedFile("tthc.csv", bad.encode())})
    assert response.status_code == 400
    assert "ThoiHan" in response.content.decode()
    assert not Procedure.objects.filter(code="1.900003").exists()


@pytest.mark.django_db
def test_only_the_reform_office_imports(data, login):
    from cchc.dossiers.models import DossierBatch

    batch = DossierBatch.objects.order_by("-pk").first()
    for username in ("yte", "lanhdao", "xa"):
        client = login(username)
        assert client.get("/dossiers/import/").status_code == 403
        assert client.get(f"/dossiers/import/batches/{batch.pk}/").status_code == 404
    assert login("cchc").get(f"/dossiers/import/batches/{batch.pk}/").status_code == 200
    assert login("cchc").get("/dossiers/import/jobs/0123456789abcdef0123456789abcdef/").status_code == 404
    assert login("cchc").get("/dossiers/import/jobs/not-a-job/").status_code == 404


# --- reference pages ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_procedure_catalogue_is_searched_and_filtered(data, login):
    client = login("xa")
    tree = page(client.get("/dossiers/procedures/?q=thử nghiệm"))
    assert {tr.get("data-code") for tr in tree.xpath("//table[@id='procedure-table']/tbody/tr[@data-code]")} == {"1.900001", "2.900815"}
    tree = page(client.get("/dossiers/procedures/?q=thử nghiệm&level=xa&online=mot_phan"))
    assert {tr.get("data-code") for tr in tree.xpath("//table[@id='procedure-table']/tbody/tr[@data-code]")} == {"2.900815"}


@pytest.mark.django_db
def test_the_calendar_is_read_by_all_and_changed_by_the_reform_office(data, login):
    from cchc.dossiers.models import CalendarAdjustment

    tree = page(login("yte").get("/dossiers/calendar/?year=2026"))
    assert tree.xpath("//tr[@data-date='2026-02-17'][@data-kind='off']")  # Tết
    assert tree.xpath("//*[@id='calendar-defaults']")
    assert login("yte").post("/dossiers/calendar/add/", {"date": "2027-02-10", "kind": "off"}).status_code == 403
    assert login("lanhdao").post("/dossiers/calendar/add/", {"date": "2027-02-10", "kind": "off"}).status_code == 403
    client = login("cchc")
    response = client.post("/dossiers/calendar/add/", {"date": "2027-02-08", "kind": "off", "name": "Nghỉ Tết", "source": "Thông báo thử"})
    assert response.status_code == 302
    tree = page(client.get("/dossiers/calendar/?year=2027"))
    assert tree.xpath("//table[@id='adjustments']//tr[@data-date='2027-02-08']")
    assert tree.xpath("//table[@id='calendar-days']//tr[@data-date='2027-02-08'][@data-kind='off']")
    adjustment = CalendarAdjustment.objects.get(date="2027-02-08")
    assert client.post(f"/dossiers/calendar/{adjustment.pk}/delete/").status_code == 302
    assert not CalendarAdjustment.objects.filter(pk=adjustment.pk).exists()
    response = client.post("/dossiers/calendar/copy-defaults/", {"year": "2026"})
    assert response.status_code == 302 and CalendarAdjustment.objects.filter(date__year=2026).exists()


@pytest.mark.django_db
def test_the_menu_shows_the_dossiers(data, login):
    response = login("xa").get("/dossiers/procedures/")
    assert b'href="/dossiers/"' in response.content
