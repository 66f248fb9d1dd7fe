"""Playwright driving Debian's Chromium, headless (no browser download)."""

from __future__ import annotations

import os
import shutil

import pytest

FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    return os.environ.get("CCHC_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        if os.environ.get("CCHC_REQUIRE_BROWSER"):
            pytest.fail("CCHC_REQUIRE_BROWSER is set but no Chromium was found")
        pytest.skip("no Chromium installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=path, headless=True, args=FLAGS)
        yield instance
        instance.close()


@pytest.fixture
def live_demo(live_server, transactional_db):
    """The demo loaded into the live server's database (transactional tests start empty)."""
    from cchc.demo.generator import build

    build()
    return live_server


@pytest.fixture
def page(browser, live_demo):
    context = browser.new_context(locale="vi-VN", base_url=live_demo.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def sign_in(page, username: str, password: str = "demo-cchc-2026") -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
