"""The interface language: Vietnamese by default, whatever the browser asks; English when chosen."""

from __future__ import annotations

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_vietnamese_by_default_even_for_an_english_browser_and_english_when_chosen(login):
    client = login("yte")
    html = client.get(reverse("plans:home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="vi">' in html and "Kế hoạch và nhiệm vụ" in html
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("plans:home"), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert '<html lang="en">' in html and "Plans and tasks" in html
