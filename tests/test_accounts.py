"""Signing in: throttling, sessions, password rules; people and roles managed by the reform office."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import reverse

from cchc.accounts.models import Membership, Role, User

pytestmark = pytest.mark.django_db


def test_the_demo_logins_work_with_the_documented_password():
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": "cchc", "password": "demo-cchc-2026"})
    assert response.status_code == 302
    assert client.get(reverse("core:home")).status_code == 200


def test_a_wrong_password_is_refused_with_a_message_in_vietnamese():
    response = Client().post(reverse("accounts:login"), {"username": "cchc", "password": "sai-mat-khau"})
    assert response.status_code == 200
    assert "Sai tên đăng nhập hoặc mật khẩu" in response.content.decode()


def test_sign_in_is_locked_after_repeated_failures_even_with_the_right_password():
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": "yte", "password": "wrong-password-1"})
    response = client.post(reverse("accounts:login"), {"username": "yte", "password": "demo-cchc-2026"})
    assert response.status_code == 429
    assert "Quá nhiều lần đăng nhập sai" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sessions_expire_after_a_working_day_and_when_the_browser_closes():
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True


@pytest.mark.parametrize("password", ["short1", "12345678901", "password123", "demo"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password, User(username="someone"))


def test_a_strong_password_is_accepted():
    validate_password("Tuyen-Quang-cchc-2026!", User(username="someone"))


def test_pages_need_a_signed_in_user():
    response = Client().get(reverse("orgs:tree"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@override_settings(DEBUG=False, TESTING=False)
def test_the_demo_refuses_to_create_its_published_logins_in_production():
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo")


def test_the_reform_office_creates_an_account_with_its_first_role(login, demo):
    client = login("cchc")
    response = client.post(
        reverse("accounts:user_create"),
        {
            "username": "moi",
            "full_name": "Người Mới",
            "email": "moi@example.org",
            "job_title": "Chuyên viên",
            "phone": "",
            "password": "Mat-khau-rat-manh-2026",
            "m-unit": demo["unit_a"].code,
            "m-role": Role.OFFICER,
            "m-domain": "",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="moi")
    assert user.check_password("Mat-khau-rat-manh-2026")
    assert Membership.objects.filter(user=user, unit=demo["unit_a"], role=Role.OFFICER).exists()


def test_a_new_account_with_a_weak_password_is_not_created(login, demo):
    response = login("cchc").post(
        reverse("accounts:user_create"),
        {"username": "yeu", "password": "123", "m-unit": demo["unit_a"].code, "m-role": Role.OFFICER},
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="yeu").exists()


def test_a_domain_lead_needs_a_domain(login, demo):
    response = login("cchc").post(
        reverse("accounts:membership_add", args=["yte"]),
        {"unit": demo["unit_a"].code, "role": Role.DOMAIN_LEAD, "domain": ""},
    )
    assert response.status_code == 400
    assert not Membership.objects.filter(user__username="yte", role=Role.DOMAIN_LEAD).exists()


def test_ending_a_role_removes_the_access_it_gave(login, demo):
    member_url = reverse("orgs:unit_members", args=[demo["unit_b"].code])
    officer = login("xaydung")
    assert officer.get(member_url).status_code == 200
    login("cchc").post(
        reverse("accounts:membership_end", args=["xaydung"]), {"unit": demo["unit_b"].code, "role": Role.OFFICER}
    )
    assert not Membership.objects.get(user__username="xaydung", unit=demo["unit_b"]).active
    assert officer.get(member_url).status_code == 404
