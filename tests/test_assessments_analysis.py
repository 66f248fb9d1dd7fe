"""Analysis pages: gaps of a subject, the province's trend, the office's matrix, the publication notice.

Expected numbers are worked out here from the entries (and the stored scores), not with the
functions under test.
"""

from __future__ import annotations

import io
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.urls import resolve, reverse

from cchc.accounts.models import User
from cchc.assessments import services, views_analysis
from cchc.assessments.models import Entry, Round, Submission, SubmissionState
from cchc.frameworks.models import Score, ScoreKind

pytestmark = pytest.mark.django_db
CYCLE, AGENCY = "tq-2026-chi-so-tinh", "tq-2026-so-nganh"
OPEN, LOCKED, PUBLISHED = "2026-11", "2026-10", "2026-09"
SENT = ("submitted", "under_appraisal", "resubmitted", "appraised", "locked", "published")


def user(name):
    return User.objects.get(username=name)


def vn(value: Decimal) -> str:
    """Two decimals half up, comma separator: how the pages print points."""
    return format(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), "f").replace(".", ",")


def natural(code: str) -> tuple:
    return tuple(int(part) for part in code.split("."))


def final(entry: Entry) -> Decimal | None:
    return entry.appraised_score if entry.appraised_score is not None else entry.self_score


def leaf_entries(round_code: str, subject: str = "P08", cycle: str = CYCLE, **extra):
    return Entry.objects.filter(
        submission__round__cycle__code=cycle, submission__round__code=round_code, submission__subject__code=subject, **extra
    ).select_related("criterion", "submission")


def gaps_url(round_code, subject="P08", cycle=CYCLE):
    return reverse("assessments:analysis_gaps", args=[cycle, round_code, subject])


def matrix_url(round_code, cycle=CYCLE):
    return reverse("assessments:analysis_matrix", args=[cycle, round_code])


def notice_url(round_code, fmt=None, cycle=CYCLE):
    if fmt:
        return reverse("assessments:analysis_notice_export", args=[cycle, round_code, fmt])
    return reverse("assessments:analysis_notice", args=[cycle, round_code])


# --- URLs ---------------------------------------------------------------------------------


def test_the_analysis_urls_reach_their_views_and_not_a_submission_page():
    cases = {
        reverse("assessments:analysis_trend", args=[CYCLE]): views_analysis.trend_view,
        gaps_url(OPEN): views_analysis.gap_view,
        reverse("assessments:analysis_gaps_export", args=[CYCLE, OPEN, "P08", "xlsx"]): views_analysis.gap_export,
        matrix_url(OPEN): views_analysis.matrix_view,
        notice_url(PUBLISHED): views_analysis.notice_view,
        notice_url(PUBLISHED, "docx"): views_analysis.notice_export,
    }
    for url, view in cases.items():
        assert resolve(url).func is view, url
    # and the submission pages still reach theirs
    assert resolve(reverse("assessments:submission", args=[CYCLE, OPEN, "P08", "2"])).url_name == "submission"


# --- 1. gap analysis ----------------------------------------------------------------------


def expected_gaps(round_code: str, previous_code: str) -> list[tuple[str, Decimal]]:
    """(code, points at stake) of every leaf below its max, last month or last year, in page order."""
    before = {e.criterion.code: final(e) for e in leaf_entries(previous_code)}
    last_year = {
        s.criterion.code: s.value
        for s in Score.objects.filter(subject__code="P08", year=2025, kind=ScoreKind.INPUT, framework__code="HG-214-2021")
    }
    rows = []
    for e in leaf_entries(round_code):
        maximum, value = e.criterion.max_points, final(e) or Decimal(0)
        lower = (
            (maximum is not None and value < maximum)
            or (before.get(e.criterion.code) is not None and value < before[e.criterion.code])
            or (last_year.get(e.criterion.code) is not None and value < last_year[e.criterion.code])
        )
        if lower:
            rows.append((e.criterion.code, (maximum - value) if maximum is not None else Decimal(0)))
    return sorted(rows, key=lambda r: (-r[1], natural(r[0])))


def test_the_gap_analysis_lists_the_leaves_losing_points_with_the_most_at_stake_first(login):
    expected = expected_gaps(OPEN, LOCKED)
    assert expected and expected[0][1] > expected[-1][1]
    response = login("cchc").get(gaps_url(OPEN))
    assert response.status_code == 200
    rows = response.context["gaps"].rows
    assert [(r.code, r.at_stake) for r in rows] == expected
    body = response.content.decode()
    table = body[body.index('id="gaps"'):]
    assert re.findall(r'<tr data-code="([^"]+)"', table) == [code for code, _ in expected]
    # every row links to the criterion's row on its submission page
    first = leaf_entries(OPEN).get(criterion__code=expected[0][0])
    link = reverse("assessments:submission", args=[CYCLE, OPEN, "P08", first.submission.domain]) + f"#entry-{first.pk}"
    assert link in table
    # the responsible unit is the domain's lead; there is no "tasks" column (no plans yet)
    assert rows[0].responsible == first.submission.owner
    assert "/plans/" not in table  # no "tasks" column in the gap table yet


def test_a_leaf_lower_than_last_month_is_listed_even_at_its_max(login):
    e = leaf_entries(OPEN, submission__domain="3").exclude(criterion__max_points=None).first()
    previous = leaf_entries(LOCKED).get(criterion=e.criterion)
    Entry.objects.filter(pk=previous.pk).update(self_score=e.criterion.max_points, appraised_score=None)
    Entry.objects.filter(pk=e.pk).update(self_score=e.criterion.max_points - Decimal("0.25"))
    row = next(r for r in login("cchc").get(gaps_url(OPEN)).context["gaps"].rows if r.code == e.criterion.code)
    assert {"max", "month"} <= set(row.reasons)
    assert row.month_change == Decimal("-0.25") and row.at_stake == Decimal("0.25")


def test_the_gap_analysis_narrows_to_one_reason(login):
    before = {e.criterion.code: final(e) for e in leaf_entries(LOCKED)}
    lower = {
        e.criterion.code for e in leaf_entries(OPEN)
        if before.get(e.criterion.code) is not None and (final(e) or Decimal(0)) < before[e.criterion.code]
    }
    assert lower
    rows = login("cchc").get(gaps_url(OPEN) + "?why=month").context["gaps"].rows
    assert {r.code for r in rows} == lower and all("month" in r.reasons for r in rows)


def test_the_gap_analysis_exports_to_xlsx_with_one_line_per_listed_leaf(login):
    from openpyxl import load_workbook

    expected = expected_gaps(OPEN, LOCKED)
    response = login("cchc").get(reverse("assessments:analysis_gaps_export", args=[CYCLE, OPEN, "P08", "xlsx"]))
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(values) if row and row[0] and row[1] and row[3] is not None)
    lines = [row for row in values[header + 1:] if row and row[0]]
    assert [row[0] for row in lines] == [code for code, _ in expected]
    assert Decimal(str(lines[0][7])) == expected[0][1].quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_a_domain_lead_sees_only_the_part_of_the_open_month_it_may_read(login):
    gaps = login("tuphap").get(gaps_url(OPEN)).context["gaps"]
    assert gaps.partial
    assert {r.domain for r in gaps.rows} == {"2"} and [d.code for d in gaps.domains] == ["2"]


def test_an_officer_of_another_unit_cannot_see_an_unpublished_gap_analysis(demo, login):
    yte = login("yte")
    assert yte.get(gaps_url(OPEN)).status_code == 404
    assert yte.get(reverse("assessments:analysis_gaps_export", args=[CYCLE, OPEN, "P08", "xlsx"])).status_code == 404
    assert yte.get(gaps_url(PUBLISHED)).status_code == 200  # published: everyone signed in
    b, a = demo["unit_b"].code, demo["unit_a"].code
    assert yte.get(gaps_url("annual", b, AGENCY)).status_code == 404
    assert yte.get(reverse("assessments:analysis_gaps_export", args=[AGENCY, "annual", b, "xlsx"])).status_code == 404
    assert yte.get(gaps_url("annual", a, AGENCY)).status_code == 200
    assert login("xaydung").get(gaps_url("annual", b, AGENCY)).status_code == 200


# --- 2. trend -----------------------------------------------------------------------------


def domain_self(month: int, domain: str) -> Decimal:
    entries = Entry.objects.filter(
        submission__round__cycle__code=CYCLE, submission__round__month=month, submission__domain=domain,
        self_score__isnull=False,
    )
    return sum((e.self_score for e in entries), Decimal(0))


def domain_final(month: int, domain: str) -> Decimal:
    entries = Entry.objects.filter(submission__round__cycle__code=CYCLE, submission__round__month=month, submission__domain=domain)
    return sum((final(e) for e in entries if final(e) is not None), Decimal(0))


def test_the_trend_shows_each_domains_self_score_month_by_month_and_the_total(login):
    response = login("cchc").get(reverse("assessments:analysis_trend", args=[CYCLE]))
    assert response.status_code == 200
    body = response.content.decode()
    trend = response.context["trend"]
    domains = [str(d) for d in range(1, 9)]
    for month in (3, 11):
        for domain in domains:
            expected = domain_self(month, domain)
            line = next(line for line in trend.lines if line.code == domain)
            assert line.values[month] == expected
            cell = re.search(rf'id="trend-{domain}-{month}">(.*?)</td>', body).group(1)
            assert cell.startswith(vn(expected))
        total = sum((domain_self(month, d) for d in domains), Decimal(0))
        assert trend.totals[month] == total
        assert re.search(rf'id="trend-total-{month}">(.*?)</td>', body).group(1) == vn(total)
    # the drafts of the open month are marked, and the chart is drawn: one line per domain
    assert {"2", "6"} == {line.code for line in trend.lines if 11 in line.pending}
    assert not trend.partial
    assert body.count('class="series"') == 8 + 1
    assert "<title" in body and 'role="img"' in body


def test_the_projection_carries_the_last_sent_final_score_forward(login):
    trend = login("cchc").get(reverse("assessments:analysis_trend", args=[CYCLE])).context["trend"]
    lines = {line.code: line for line in trend.lines}
    # domain 1 was sent in November; domain 2 is still a draft there, so October counts
    assert (lines["1"].projected, lines["1"].projected_from) == (domain_final(11, "1"), 11)
    assert (lines["2"].projected, lines["2"].projected_from) == (domain_final(10, "2"), 10)
    expected = sum((domain_final(10 if d in ("2", "6") else 11, d) for d in map(str, range(1, 9))), Decimal(0))
    assert trend.projected_total == expected


def test_the_trend_lists_who_has_not_sent_the_open_month_with_its_deadline(login):
    response = login("cchc").get(reverse("assessments:analysis_trend", args=[CYCLE]))
    (open_round,) = response.context["trend"].open_rounds
    assert open_round.round.code == OPEN
    assert sorted(i.submission.domain for i in open_round.items) == ["2", "6"]
    assert {i.submission.owner.code for i in open_round.items} == {"P08-STP", "P08-STC"}
    body = response.content.decode()
    assert Round.objects.get(cycle__code=CYCLE, code=OPEN).deadline.strftime("%d/%m/%Y") in body


def test_a_reader_of_published_data_only_sees_the_published_months(login):
    trend = login("yte").get(reverse("assessments:analysis_trend", args=[CYCLE])).context["trend"]
    line = trend.lines[0]
    assert line.values[9] == domain_self(9, "1")
    assert 10 not in line.values and 11 not in line.values
    assert trend.totals[11] is None and trend.partial


def test_an_agency_cycle_has_no_province_trend(login):
    assert login("cchc").get(reverse("assessments:analysis_trend", args=[AGENCY])).status_code == 404


# --- 3. matrix ----------------------------------------------------------------------------


def test_the_heatmap_has_a_cell_per_criterion_and_subject(login):
    from cchc.frameworks.models import Criterion

    response = login("cchc").get(matrix_url("annual", AGENCY) + "?depth=1")
    assert response.status_code == 200
    body = response.content.decode()
    departments = Submission.objects.filter(round__cycle__code=AGENCY, round__code="annual").count()
    criteria = Criterion.objects.filter(framework__code="AGENCY-DEPT-TEMPLATE", depth__lte=1).count()
    assert departments == 13
    assert len(re.findall(r'<td class="heat', body)) == criteria * departments
    assert response.context["matrix"].cell_count == criteria * departments
    assert 'id="heat-legend"' in body


def test_the_provincial_heatmap_shows_each_domains_criteria_as_a_percent_of_the_max(login):
    from cchc.frameworks.models import Criterion

    response = login("cchc").get(matrix_url(PUBLISHED) + "?depth=1")
    body = response.content.decode()
    criteria = Criterion.objects.filter(framework__code="HG-214-2021", depth=1)
    assert len(re.findall(r'class="heat ', body)) == criteria.count()
    criterion = criteria.get(code="2.1")
    scored = [final(e) for e in leaf_entries(PUBLISHED, submission__domain="2") if e.criterion.code.startswith("2.1.")]
    percent = sum(scored, Decimal(0)) / criterion.max_points * 100
    cell = next(c for row in response.context["matrix"].rows for c in row.cells if c.code == "2.1")
    assert vn(cell.percent) == vn(percent)


def test_the_ranking_orders_the_domains_by_final_index(login):
    m = login("cchc").get(matrix_url(PUBLISHED)).context["matrix"]
    from cchc.frameworks.models import Criterion

    maxima = {c.code: c.max_points for c in Criterion.objects.filter(framework__code="HG-214-2021", depth=0)}
    index = {d: domain_final(9, d) / maxima[d] * 100 for d in maxima}
    ordered = sorted(index, key=lambda d: -index[d].quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    assert [s.key for s in m.ranked] == ordered
    assert m.ranked[0].rank == 1 and m.ranked[0].band is not None


def test_appraising_an_entry_lower_shows_who_over_claims(login):
    submission = Submission.objects.get(round__cycle__code=CYCLE, round__code=OPEN, domain="1")
    assert submission.state == SubmissionState.SUBMITTED
    appraiser = user("thamdinh")
    services.start_appraisal(submission, appraiser)
    entry = submission.entries.filter(self_score__gte=Decimal("0.5")).select_related("criterion").first()
    services.appraise_entry(entry, appraiser, score=entry.self_score - Decimal("0.5"), reason="Thiếu tài liệu kiểm chứng")
    response = login("cchc").get(matrix_url(OPEN))
    m = response.context["matrix"]
    first = m.overclaims[0]
    assert (first.key, first.overclaim, first.lowered, first.appraised) == ("1", Decimal("0.5"), 1, 1)
    assert all(s.overclaim == 0 for s in m.overclaims[1:])
    expected_final = domain_self(11, "1") - Decimal("0.5")
    assert first.final == expected_final and first.self_score == domain_self(11, "1")
    table = response.content.decode().split('id="overclaims"')[1]
    assert re.search(r'<tr data-subject="([^"]+)"', table).group(1) == "1"
    assert "0,50" in table


def test_an_officer_of_another_unit_cannot_see_the_matrix_of_an_unpublished_round(demo, login):
    yte = login("yte")
    assert yte.get(matrix_url(OPEN)).status_code == 404
    assert yte.get(matrix_url(LOCKED)).status_code == 404
    assert yte.get(matrix_url(PUBLISHED)).status_code == 200
    # the departments' open round: only its own column
    body = yte.get(matrix_url("annual", AGENCY)).content.decode()
    assert f'data-subject="{demo["unit_a"].code}"' in body
    assert f'data-subject="{demo["unit_b"].code}"' not in body


# --- 4. publication notice ----------------------------------------------------------------


def test_the_notice_docx_has_the_official_header_and_one_row_per_subject(login):
    from docx import Document

    response = login("yte").get(notice_url(PUBLISHED, "docx"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    document = Document(io.BytesIO(response.content))
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert document.styles["Normal"].font.name == "Times New Roman"
    header = document.tables[0]
    left = header.cell(0, 0).text
    right = header.cell(0, 1).text
    assert "ỦY BAN NHÂN DÂN" in left and "TỈNH TUYÊN QUANG" in left
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in right and "Độc lập - Tự do - Hạnh phúc" in right
    assert header.cell(1, 0).text == "Số: ……/TB-UBND"
    assert header.cell(1, 1).text.startswith("Tuyên Quang, ngày")
    text = "\n".join(p.text for p in document.paragraphs)
    assert "THÔNG BÁO" in text and "tháng 9 năm 2026" in text
    results = document.tables[1]
    assert [c.text for c in results.rows[0].cells][:2] == ["STT", "Lĩnh vực (cơ quan chủ trì)"]
    assert len(results.rows) == 1 + 8
    for row in results.rows[1:]:
        domain = row.cells[1].text.split(".")[0]
        assert row.cells[3].text == vn(domain_final(9, domain))
    signature = document.tables[2]
    assert "Nơi nhận:" in signature.cell(0, 0).text and "TM. ỦY BAN NHÂN DÂN" in signature.cell(0, 1).text


def test_the_notice_of_the_departments_lists_every_published_department(demo, login):
    from docx import Document

    round_ = Round.objects.get(cycle__code=AGENCY, code="annual")
    for name, unit in (("yte", demo["unit_a"]), ("xaydung", demo["unit_b"])):
        services.submit(round_.submissions.get(subject=unit), user(name))
    office = user("cchc")
    services.accept_self_scores(round_, office)
    services.lock_round(round_, office)
    services.publish_round(round_, office)
    for reader in ("yte", "cchc"):
        document = Document(io.BytesIO(login(reader).get(notice_url("annual", "docx", AGENCY)).content))
        assert "TỈNH TUYÊN QUANG" in document.tables[0].cell(0, 0).text
        rows = document.tables[1].rows
        assert len(rows) == 1 + 2  # the two departments that sent; the eleven others were never published
        assert sorted(row.cells[1].text for row in rows[1:]) == sorted([demo["unit_b"].name, demo["unit_a"].name])
    page = login("cchc").get(notice_url("annual", cycle=AGENCY))
    assert len(page.context["notice"].left_out) == 11


def test_the_notice_xlsx_opens_with_one_line_per_domain(login):
    from openpyxl import load_workbook

    response = login("lanhdao").get(notice_url(PUBLISHED, "xlsx"))
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    lines = [row for row in rows if row and isinstance(row[0], int)]
    assert [row[0] for row in lines] == list(range(1, 9))
    by_domain = {row[1].split(".")[0]: row for row in lines}
    assert Decimal(str(by_domain["3"][3])) == domain_final(9, "3").quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_a_round_that_is_not_published_has_no_notice(login):
    office = login("cchc")
    for round_code in (OPEN, LOCKED):
        assert office.get(notice_url(round_code)).status_code == 404
        assert office.get(notice_url(round_code, "docx")).status_code == 404
        assert office.get(notice_url(round_code, "xlsx")).status_code == 404
    assert office.get(notice_url(PUBLISHED)).status_code == 200
