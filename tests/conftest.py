"""Shared fixtures: the demo province is built once per test session."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

pytest_plugins = ["tests.browser"]  # browser, live_demo, page fixtures

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from cchc.demo.generator import build

    with django_db_blocker.unblock():
        build()


@pytest.fixture
def demo(db):
    """Names of the demo's people and the units the tests talk about."""
    from cchc.orgs.models import OrgUnit

    province = OrgUnit.objects.get(code="P08")
    return {
        "province": province,
        "unit_a": OrgUnit.objects.current().get(province=province, name="Sở Y tế"),
        "unit_b": OrgUnit.objects.current().get(province=province, name="Sở Xây dựng"),
    }


@pytest.fixture
def login(db):
    """login("yte") -> a test client signed in as that demo user; login(None) -> anonymous."""
    from django.test import Client

    from cchc.accounts.models import User

    def _login(username: str | None):
        client = Client()
        if username:
            client.force_login(User.objects.get(username=username), backend=MODEL_BACKEND)
        return client

    return _login
