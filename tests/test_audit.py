"""Every change to units and memberships is kept: who, when, before and after."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_profile_change_is_in_the_audit_history_with_before_and_after(login, demo):
    unit = demo["unit_b"]
    old_phone = unit.phone
    response = login("xaydung").post(
        reverse("orgs:unit_edit", args=[unit.code]),
        {"p-phone": "0207.3123456", "p-address": "Số 1 đường Thử", "p-email": "", "p-head_name": unit.head_name},
    )
    assert response.status_code == 302
    record = unit.history.first()
    assert record.history_user.username == "xaydung"
    assert record.prev_record.phone == old_phone and record.phone == "0207.3123456"

    page = login("cchc").get(reverse("core:audit")).content.decode()
    assert "xaydung" in page and "0207.3123456" in page and old_phone in page
    unit_page = login("cchc").get(reverse("orgs:unit_history", args=[unit.code])).content.decode()
    assert "Số 1 đường Thử" in unit_page


def test_a_membership_change_is_audited(login, demo):
    from cchc.accounts.models import Membership

    membership = Membership.objects.get(user__username="yte", unit=demo["unit_a"])
    login("cchc").post(reverse("accounts:membership_end", args=["yte"]), {"unit": demo["unit_a"].code, "role": "officer"})
    membership.refresh_from_db()
    assert membership.active is False
    record = membership.history.first()
    assert record.history_user.username == "cchc"
    assert record.prev_record.active is True and record.active is False
    page = login("cchc").get(reverse("core:audit"), {"model": "accounts.Membership"}).content.decode()
    assert "Vũ Thị Mai" in page or "yte" in page


def test_the_audit_history_is_for_the_reform_office_only(login):
    for who in ("yte", "lanhdao", "tuphap"):
        assert login(who).get(reverse("core:audit")).status_code == 403
