"""The organisation pages as a signed-in user sees them."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

pytestmark = pytest.mark.django_db


def test_the_tree_shows_the_agencies_and_the_124_communes(login):
    page = login("yte").get(reverse("orgs:tree")).content.decode()
    assert "Tỉnh Tuyên Quang" in page
    assert 'id="commune-count">124<' in page
    assert "Sở Nội vụ" in page and "Xã Lâm Bình" in page


@pytest.mark.parametrize("query", ["Lâm Bình", "lam binh", "LAM BINH", "W02266"])
def test_the_search_finds_a_commune_with_or_without_accents(login, query):
    page = login("yte").get(reverse("orgs:tree"), {"q": query}).content.decode()
    assert "Xã Lâm Bình" in page
    assert "Xã Minh Quang" not in page


def test_the_search_answers_htmx_with_the_results_fragment_only(login):
    response = login("yte").get(reverse("orgs:tree"), {"q": "phuong"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="org-results")
    body = response.content.decode()
    assert "<html" not in body
    assert "7 đơn vị" in body


def test_the_type_filter_lists_only_that_type(login):
    page = login("yte").get(reverse("orgs:tree"), {"type": "department"}).content.decode()
    assert "Sở Y tế" in page and "Xã Lâm Bình" not in page


def test_a_historic_province_shows_its_district_committees_and_what_it_became(login):
    page = login("yte").get(reverse("orgs:tree"), {"province": "P02-2025"}).content.decode()
    assert "Tỉnh Hà Giang" in page and "Huyện Đồng Văn" in page
    assert "Tỉnh Tuyên Quang" in page  # its successor


def test_a_unit_page_shows_its_history_of_mergers(login):
    page = login("yte").get(reverse("orgs:unit_detail", args=["P02-2025"])).content.decode()
    assert "Tỉnh Tuyên Quang" in page and "01/07/2025" in page


def test_a_group_resolves_to_its_members_at_a_date(login):
    from cchc.orgs.models import OrgGroup

    districts = OrgGroup.objects.filter(province__code="P08-2025", unit_types=["district"]).first()
    assert districts is not None
    before = login("yte").get(reverse("orgs:group_detail", args=[districts.code]), {"at": "2024-01-01"}).content.decode()
    assert "Thành phố Tuyên Quang" in before and "Huyện Na Hang" in before
    communes = OrgGroup.objects.get(province__code="P08", unit_types=["commune"])
    assert communes.members_at(__import__("datetime").date(2026, 1, 1)).count() == 124


def test_the_units_export_is_a_workbook_of_the_current_units(login):
    response = login("lanhdao").get(reverse("orgs:export", args=["xlsx"]), {"province": "P08"})
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows.index(next(r for r in rows if r and r[0] == "Mã"))
    codes = [r[0] for r in rows[header + 1 :]]
    assert "W02266" in codes and "P08-2025" not in codes
    assert len([c for c in codes if c.startswith("W")]) == 124


def test_the_csv_export_opens_in_a_spreadsheet_with_vietnamese_text(login):
    body = login("lanhdao").get(reverse("orgs:export", args=["csv"]), {"province": "P08"}).content
    assert body.startswith("\ufeff".encode())
    assert "Xã Lâm Bình".encode() in body


def test_the_match_tool_reads_loose_names(login):
    page = login("cchc").get(
        reverse("orgs:match"), {"province": "P08-2025", "text": "Sở TT&TT\nUBND các huyện, thành phố", "at": "2021-07-23"}
    ).content.decode()
    assert "Sở Thông tin và Truyền thông" in page


def test_the_menu_shows_only_pages_that_exist_for_the_role(login):
    officer = login("yte").get(reverse("core:home")).content.decode()
    office = login("cchc").get(reverse("core:home")).content.decode()
    def link(name):
        return f'href="{reverse(name)}"'

    assert link("orgs:tree") in officer
    assert link("core:audit") not in officer and link("accounts:user_list") not in officer
    assert link("core:audit") in office and link("accounts:user_list") in office


def test_the_interface_is_in_vietnamese_by_default_and_english_on_request(login):
    client = login("yte")
    assert "Tổ chức" in client.get(reverse("core:home")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Organisations" in client.get(reverse("core:home")).content.decode()


def test_every_static_asset_is_served_locally(login):
    import re

    page = login("yte").get(reverse("orgs:tree")).content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', page)
    assert sources and all(s.startswith("/static/") for s in sources)
