"""In a real browser, the month's round from the domain lead's entry to publication."""

from __future__ import annotations

import re

import pytest

from tests.browser import sign_in

pytestmark = pytest.mark.browser
SUBMISSION = "/assessments/tq-2026-chi-so-tinh/2026-11/P08/2/"
ROUND = "/assessments/tq-2026-chi-so-tinh/2026-11/"


def sign_out(page):
    page.context.clear_cookies()


def number(text: str):
    from decimal import Decimal

    return Decimal(re.search(r"[\d.]+,\d+", text).group(0).replace(".", "").replace(",", "."))


def test_a_month_goes_from_the_domain_lead_to_publication(page):
    # The domain lead of domain 2 scores, cites evidence and sends.
    sign_in(page, "tuphap")
    page.goto("/assessments/")
    page.click(f"#my-submissions a[href='{SUBMISSION}']")
    row = page.locator("tr[data-code='2.1.1']")
    row.locator("input[name=value]").fill("0,5")
    row.locator("textarea[name=explanation]").fill("Kế hoạch theo dõi thi hành pháp luật năm 2026")
    row.locator("textarea[name=explanation]").blur()
    page.wait_for_function("document.querySelector(\"tr[data-code='2.1.1'] .entry-score\").textContent.trim() === '0,50'")
    row = page.locator("tr[data-code='2.1.1']")
    row.locator("select[name=evidence]").select_option(index=1)
    row.locator("input[name=locator]").fill("mục II")
    row.locator("form[hx-post$='/cite/'] button").click()
    page.wait_for_selector("tr[data-code='2.1.1'] .citations li")
    assert "mục II" in page.locator("tr[data-code='2.1.1'] .citations").inner_text()
    page.click("#submit-button")
    page.wait_for_selector(".state-submitted")
    sign_out(page)

    # The reform office sees the consolidated provincial score.
    sign_in(page, "cchc")
    page.goto(ROUND)
    consolidated = number(page.locator("#consolidated-self").inner_text())
    assert consolidated > 0
    sign_out(page)

    # The appraiser returns one criterion with a reason.
    sign_in(page, "thamdinh")
    page.goto(SUBMISSION + "appraise/")
    page.click("button[name=action][value=start]")
    page.wait_for_selector("input[name='return-2.2.1']")
    page.check("input[name='return-2.2.1']")
    page.fill("textarea[name='return-reason-2.2.1']", "Bổ sung quyết định công bố danh mục")
    page.click("button[name=action][value=return]")
    page.wait_for_selector(".state-returned")
    sign_out(page)

    # The lead corrects only that criterion and sends again.
    sign_in(page, "tuphap")
    page.goto(SUBMISSION)
    assert page.locator("input[name=version]").count() == 1
    row = page.locator("tr[data-code='2.2.1']")
    assert "Bổ sung quyết định" in row.inner_text()
    row.locator("input[name=value]").fill("0,25")
    row.locator("textarea[name=response]").fill("Đã bổ sung Quyết định 102/QĐ-UBND")
    row.locator("textarea[name=response]").blur()
    page.wait_for_function("document.querySelector(\"tr[data-code='2.2.1'] .entry-score\").textContent.trim() === '0,25'")
    page.click("#submit-button")
    page.wait_for_selector(".state-resubmitted")
    sign_out(page)

    # The appraiser closes the appraisal; the reform office locks and publishes the round.
    sign_in(page, "thamdinh")
    page.goto(SUBMISSION + "appraise/")
    page.click("button[name=action][value=start]")
    page.click("button[name=action][value=finish]")
    page.wait_for_selector(".state-appraised")
    sign_out(page)
    sign_in(page, "cchc")
    page.goto(ROUND)
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("button[name=action][value=lock]")  # refused: the other domains are not appraised yet
    page.wait_for_selector(".alert-danger")
    page.click("button[name=action][value=accept]")
    page.wait_for_selector(".alert-success")
    page.click("button[name=action][value=lock]")
    page.wait_for_selector("button[name=action][value=publish]")
    page.click("button[name=action][value=publish]")
    page.wait_for_selector(".alert-success")
    assert page.locator("#round-state").inner_text().strip() in ("đã công bố", "published")
    assert page.locator(".state-published").count() >= 6  # the domains that were sent
    assert page.locator(".state-locked").count() == 1  # domain 6 was never sent: locked, not published

    # The gap analysis and the ranking of the round show the new numbers.
    page.goto("/assessments/tq-2026-chi-so-tinh/-/2026-11/P08/gaps/")
    row = page.locator("#gaps tr[data-code='2.2.1'] td")
    assert row.nth(3).inner_text().startswith("0,25") and row.nth(4).inner_text() == "0,25"
    assert page.locator("#gaps tr[data-code='2.1.1'] td").nth(3).inner_text().startswith("0,50")
    from decimal import Decimal

    from cchc.assessments.models import Entry

    domain_two = sum(
        (e.final_score for e in Entry.objects.filter(submission__round__code="2026-11", submission__domain="2") if e.final_score is not None),
        Decimal(0),
    )
    page.goto("/assessments/tq-2026-chi-so-tinh/-/2026-11/-/matrix/")
    ranking = page.locator("#ranking tbody tr", has_text="2. Xây dựng")
    assert f"{domain_two:.2f}".replace(".", ",") in ranking.inner_text()
