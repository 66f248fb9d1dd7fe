"""In a real browser: sign in, find a commune in the tree without typing accents, open it."""

from __future__ import annotations

import pytest

from tests.browser import sign_in

pytestmark = pytest.mark.browser


def test_an_officer_finds_a_commune_by_typing_without_accents(page):
    sign_in(page, "yte")
    page.goto("/orgs/")
    assert page.locator("#commune-count").inner_text() == "124"
    page.fill("input[name=q]", "lam binh")
    page.wait_for_selector("#result-count")
    assert "1 đơn vị" in page.locator("#result-count").inner_text()
    assert "q=lam%20binh" in page.url  # the search is kept in the address bar
    page.click("text=Xã Lâm Bình")
    page.wait_for_url("**/orgs/u/W02266/")
    assert page.locator("h1").inner_text().startswith("Xã Lâm Bình")


def test_a_wrong_password_shows_a_message_and_stays_on_the_sign_in_page(page):
    page.goto("/accounts/login/")
    page.fill("#id_username", "yte")
    page.fill("#id_password", "khong-dung")
    page.click("button[type=submit]")
    assert page.locator(".alert-danger").is_visible()
    assert "/accounts/login/" in page.url


def test_an_officer_edits_the_contact_details_of_their_own_unit(page):
    sign_in(page, "xaydung")
    page.goto("/orgs/")
    page.click("text=Sở Xây dựng")
    page.click("text=Sửa")
    page.fill("#id_p-phone", "0207.3555555")
    page.click("button:has-text('Lưu')")
    page.wait_for_selector(".alert-success")
    assert "0207.3555555" in page.content()
