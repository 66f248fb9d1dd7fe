"""The index pages (/indexes/): frameworks, criteria trees, scorecards, rankings, exports, and who sees what."""

from __future__ import annotations

import csv
import html
import io
import re
from decimal import Decimal

import pytest
import yaml
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from cchc.frameworks.messages import method_label
from cchc.frameworks.model import fmt_points
from cchc.frameworks.models import Framework, Score
from cchc.frameworks.services import DATA_DIR

pytestmark = pytest.mark.django_db

HG = "HG-214-2021"
DEPT = "AGENCY-DEPT-TEMPLATE"
CARD_2020 = reverse("frameworks:scorecard", args=[HG, 1, "P02-2025", 2020])
SXD_2025 = reverse("frameworks:scorecard", args=[DEPT, 1, "P08-SXD", 2025])
RANKING_2025 = reverse("frameworks:ranking", args=[DEPT, 1, 2025])
ROW = re.compile(r'<tr class="[^"]*" data-code="([^"]+)">(.*?)</tr>', re.S)
CELL = re.compile(r"<td[^>]*>(.*?)</td>", re.S)


def get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def scorecard_rows(page: str) -> list[tuple[str, list[str]]]:
    """(code, cells) of every row of the scorecard table, in page order."""
    return [(code, [re.sub(r"<[^>]+>", "", c).strip() for c in CELL.findall(body)]) for code, body in ROW.findall(page)]


def ranking_rows(page: str) -> list[tuple[str, str]]:
    """(rank, unit code) of every row of the ranking table."""
    table = page.split('id="ranking"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<tr><td class="text-end">(\d+|—)(?:<sup[^>]*>=</sup>)?</td>\s*<td><a href="/indexes/[^/]+/v\d+/scorecard/([^/]+)/', table)


def appendix_codes() -> list[str]:
    return [r["code"] for r in yaml.safe_load((DATA_DIR / "HG-214-2021.dataset.yaml").read_text(encoding="utf-8"))["rows"]]


def workbook_rows(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))


# --- the list and the criteria tree ---------------------------------------------------------


def test_the_list_shows_every_framework_with_its_criteria_and_years(login):
    page = get(login("yte"), reverse("frameworks:list"))
    for code, criteria in ((HG, 121), ("PAR-2024-STRUCTURE", 46), (DEPT, 72), ("AGENCY-COMMUNE-TEMPLATE", 61)):
        assert f'href="{reverse("frameworks:detail", args=[code, 1])}"' in page
        row = page.split(f">{code}</a>", 1)[1].split("</tr>", 1)[0]
        assert f'<td class="text-end">{criteria}</td>' in row, code
    assert f'href="{RANKING_2025}"' in page
    assert f'href="{reverse("frameworks:ranking", args=[HG, 1, 2020])}"' in page


def tree_rows(page: str) -> dict[str, str]:
    """code -> the scoring method shown on the row of the criteria tree."""
    rows = page.split('<tr class="depth-')[1:]
    found = {}
    for row in rows:
        code = re.search(r'<td class="text-nowrap">([^<]+)</td>', row).group(1)
        found[code] = html.unescape(re.findall(r'<td class="small">(.*?)</td>', row, re.S)[-1].strip())
    return found


def test_the_tree_page_folds_every_criterion_and_shows_the_scoring_methods(login):
    page = get(login("yte"), reverse("frameworks:detail", args=[DEPT, 1]))
    definition = Framework.objects.get(code=DEPT).definition
    assert page.count("<details") == 72 == len(list(definition.walk()))
    assert page.count("<details open>") == 8  # the domains start open, the rest folded
    assert 'data-expand="open"' in page and 'data-expand="close"' in page
    shown = tree_rows(page)
    with translation.override("vi"):
        for node, _depth in definition.walk():
            assert shown[node.code] == (method_label(node.method) if node.is_leaf else ""), node.code
    assert len({shown[n.code] for n in definition.leaves()}) > 5  # yes/no, thresholds, proportional, external...
    assert "Sở Nội vụ (khảo sát sự hài lòng)" in shown["8.1"]  # who scores an external criterion
    assert "90" in shown["8.3"]  # proportional, full marks at 90%
    assert "Xuất sắc" in page and "90,00%" in page  # bands


def test_the_tree_of_plan_214_has_every_line_of_the_appendix(login):
    page = get(login("lanhdao"), reverse("frameworks:detail", args=[HG, 1]))
    codes = re.findall(r'<td class="text-nowrap">([^<]+)</td>', page)
    assert codes == appendix_codes()
    assert "Rà soát VBQPPL" in page and "66,50" in page


def test_the_yaml_of_a_framework_can_be_downloaded(login):
    response = login("yte").get(reverse("frameworks:export", args=[HG, 1]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{HG}-v1.yaml"'
    from cchc.frameworks.fileformat import load

    assert load(response.content.decode())[0] == Framework.objects.get(code=HG).definition


# --- the scorecard of Hà Giang, 2020 -------------------------------------------------------------


def test_the_scorecard_shows_the_printed_total_the_computed_total_and_the_findings(login):
    page = get(login("yte"), CARD_2020)
    assert 'id="total-score">55,62 / 66,50<' in page
    assert 'id="total-index">83,64%<' in page
    assert "Nhóm B" in page
    findings = page.split('id="findings"', 1)[1].split("</div>", 1)[0]
    items = re.findall(r"<li>(.*?)</li>", findings)
    assert any("56,13" in f and "55,62" in f for f in items)
    assert any("64,30" in f and "64,40" in f for f in items)
    for node, printed, added in (("2.2", "1,50", "1,00"), ("3.4", "4,84", "4,83"), ("7.1", "7,15", "7,25")):
        assert any(f"{node}:" in f and printed in f and added in f for f in items), node


def test_the_scorecard_puts_the_printed_values_beside_the_computed_ones(login):
    page = get(login("yte"), CARD_2020)
    rows = scorecard_rows(page)
    assert [code for code, _cells in rows] == appendix_codes()
    cells = dict(rows)
    # code, title, max, score (computed), result 2020 (printed), target 2021 (printed), ...
    assert cells["2.2"][2:6] == ["1,50", "1,00", "1,50", "1,50"]
    assert cells["3.4"][2:5] == ["5,00", "4,83", "4,84"]
    assert cells["7.1"][5] == "7,15"
    assert cells["2.1"][3] == cells["2.1"][4] == "2,00"
    # The printed value that differs is marked.
    two_two = dict(ROW.findall(page))["2.2"]
    assert 'table-danger">1,50<' in two_two
    assert "table-danger" not in dict(ROW.findall(page))["2.1"]


def test_sorting_by_points_lost_reorders_the_rows(login):
    client = login("yte")
    tree = [code for code, _ in scorecard_rows(get(client, CARD_2020))]
    rows = scorecard_rows(get(client, CARD_2020, sort="-lost"))
    assert sorted(code for code, _ in rows) == sorted(tree)
    assert [code for code, _ in rows] != tree
    lost = [cells[-1] for _code, cells in rows]
    known = [Decimal(v.replace(",", ".")) for v in lost if v]
    assert known == sorted(known, reverse=True)
    assert rows[0][0] == "8" and lost[0] == "4,00"  # domain 8 loses the most
    assert lost.index("") == len(known)  # unscored (8.1) last
    ascending = scorecard_rows(get(client, CARD_2020, sort="lost"))
    assert [Decimal(c[-1].replace(",", ".")) for _code, c in ascending if c[-1]] == sorted(known)
    assert [code for code, _ in scorecard_rows(get(client, CARD_2020, sort="code"))] == tree


def test_an_unknown_sort_keeps_the_tree_order(login):
    client = login("yte")
    tree = [code for code, _ in scorecard_rows(get(client, CARD_2020))]
    assert [code for code, _ in scorecard_rows(get(client, CARD_2020, sort="title;drop"))] == tree


def test_the_scorecard_exports_to_xlsx_with_every_row(login):
    response = login("yte").get(reverse("frameworks:scorecard_export", args=[HG, 1, "P02-2025", 2020, "xlsx"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = workbook_rows(response.content)
    header = next(i for i, r in enumerate(rows) if r and "Kết quả năm 2020" in r)
    columns = rows[header]
    body = {r[0]: r for r in rows[header + 1 :] if r and r[0]}
    assert list(body) == appendix_codes()
    printed, target = columns.index("Kết quả năm 2020"), columns.index("Mục tiêu năm 2021")
    assert body["2.2"][printed] in ("1,50", 1.5) and body["2.2"][3] in ("1,00", 1.0)
    assert body["7.1"][target] in ("7,15", 7.15)
    assert body["2.2"][1] == "Rà soát VBQPPL"


def test_the_scorecard_exports_to_csv_with_dot_decimals(login):
    response = login("yte").get(reverse("frameworks:scorecard_export", args=[HG, 1, "P02-2025", 2020, "csv"]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 122
    assert {r[0]: r for r in rows[1:]}["3.4"][2:5] == ["5.00", "4.83", "4.84"]


def test_a_scorecard_with_nothing_scored_is_not_found(login):
    client = login("cchc")
    assert client.get(reverse("frameworks:scorecard", args=[HG, 1, "P02-2025", 2031])).status_code == 404
    assert client.get(reverse("frameworks:scorecard", args=[HG, 1, "NO-UNIT", 2020])).status_code == 404
    assert client.get(reverse("frameworks:scorecard_export", args=[HG, 1, "P02-2025", 2020, "pdf"])).status_code == 404
    assert client.get(reverse("frameworks:detail", args=[HG, 9])).status_code == 404


# --- the ranking of the departments, 2025 ---------------------------------------------------------


def test_the_ranking_lists_the_13_departments_with_ranks_bands_and_a_chart(login):
    page = get(login("lanhdao"), RANKING_2025)
    rows = ranking_rows(page)
    assert [rank for rank, _ in rows] == [str(i) for i in range(1, 14)]
    assert len({code for _, code in rows}) == 13 and {"P08-SYT", "P08-SXD"} <= {code for _, code in rows}
    assert "Sở Y tế" in page and "Sở Xây dựng" in page
    assert "Xuất sắc" in page and "Khá" in page
    chart = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert chart.count("<rect") == 13
    assert "Sở Công Thương: 94,03%" in chart
    widths = [int(w) for w in re.findall(r'<rect x="\d+" y="\d+" width="(\d+)"', chart)]
    assert widths == sorted(widths, reverse=True) and widths[0] > widths[-1] > 0


def test_the_ranking_exports_to_xlsx_and_csv(login):
    client = login("lanhdao")
    xlsx = client.get(reverse("frameworks:ranking_export", args=[DEPT, 1, 2025, "xlsx"]))
    assert xlsx.status_code == 200
    rows = workbook_rows(xlsx.content)
    header = next(i for i, r in enumerate(rows) if len([c for c in r if c not in (None, "")]) == 7)  # the column names
    body = [r for r in rows[header + 1 :] if r and r[1]]
    assert len(body) == 13
    assert [int(r[0]) for r in body] == list(range(1, 14))
    assert {r[1] for r in body} >= {"P08-SYT", "P08-SXD"}
    assert all(r[6] for r in body)  # every department has a band

    response = client.get(reverse("frameworks:ranking_export", args=[DEPT, 1, 2025, "csv"]))
    assert response.content.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(lines) == 14
    assert [r[0] for r in lines[1:]] == [str(i) for i in range(1, 14)]
    assert lines[1][1:4] == ["P08-SCT", "Sở Công Thương", "94.03"]


def test_a_year_without_scores_has_no_ranking_export(login):
    assert login("cchc").get(reverse("frameworks:ranking_export", args=[DEPT, 1, 2031, "csv"])).status_code == 404


# --- who sees what -----------------------------------------------------------------------------


@pytest.fixture
def sxd_2025_unpublished(db):
    changed = Score.objects.filter(framework__code=DEPT, subject__code="P08-SXD", year=2025).update(published=False)
    assert changed > 0
    return changed


def test_an_unpublished_scorecard_is_hidden_from_other_agencies(login, sxd_2025_unpublished):
    yte = login("yte")
    assert yte.get(SXD_2025).status_code == 404
    assert yte.get(reverse("frameworks:scorecard_export", args=[DEPT, 1, "P08-SXD", 2025, "xlsx"])).status_code == 404
    assert yte.get(reverse("frameworks:scorecard_export", args=[DEPT, 1, "P08-SXD", 2025, "csv"])).status_code == 404
    # Its published year and other agencies' scorecards stay visible.
    assert yte.get(reverse("frameworks:scorecard", args=[DEPT, 1, "P08-SXD", 2024])).status_code == 200
    assert yte.get(reverse("frameworks:scorecard", args=[DEPT, 1, "P08-SYT", 2025])).status_code == 200


@pytest.mark.parametrize("username", ["xaydung", "cchc", "lanhdao"])
def test_the_agency_itself_and_province_wide_readers_see_the_draft(login, sxd_2025_unpublished, username):
    page = get(login(username), SXD_2025)
    assert 'id="total-score">81,95 / 100,00<' in page  # the demo score of Sở Xây dựng for 2025


def test_the_ranking_leaves_out_an_unpublished_agency(login, sxd_2025_unpublished):
    for username in ("yte", "cchc"):
        page = get(login(username), RANKING_2025)
        codes = [code for _rank, code in ranking_rows(page)]
        assert len(codes) == 12 and "P08-SXD" not in codes
        assert "Sở Xây dựng" not in page
    lines = list(csv.reader(io.StringIO(
        login("cchc").get(reverse("frameworks:ranking_export", args=[DEPT, 1, 2025, "csv"])).content.decode("utf-8-sig"))))
    assert len(lines) == 13 and "P08-SXD" not in [r[1] for r in lines]
    # 2024 is still complete.
    assert "P08-SXD" in [code for _rank, code in ranking_rows(get(login("yte"), reverse("frameworks:ranking", args=[DEPT, 1, 2024])))]


def test_unpublished_targets_are_hidden_from_other_agencies(login):
    """Targets are scores too: a draft target is the subject's and the province-wide readers' only."""
    url = reverse("frameworks:scorecard", args=[HG, 1, "P08", 2025])
    csv_url = reverse("frameworks:scorecard_export", args=[HG, 1, "P08", 2025, "csv"])
    targets = Score.objects.filter(framework__code=HG, subject__code="P08", year=2025, kind="target")
    target = fmt_points(targets.get(criterion__code="1").value)
    assert dict(scorecard_rows(get(login("yte"), url)))["1"][-3] == target  # published: everyone sees it

    targets.update(published=False)

    reader = dict(scorecard_rows(get(login("cchc"), url)))
    assert reader["1"][-3] == target  # the reform office sees the draft
    outsider = dict(scorecard_rows(get(login("yte"), url)))
    assert outsider["1"][3]  # Sở Y tế still sees the province's published score...
    assert outsider["1"][-3] == "", "Sở Y tế sees the province's unpublished target"  # ...but not its draft target
    exported = {r[0]: r for r in csv.reader(io.StringIO(login("yte").get(csv_url).content.decode("utf-8-sig")))}
    assert exported["1"][-3] == ""


@pytest.mark.parametrize("url", [
    reverse("frameworks:list"),
    reverse("frameworks:detail", args=[HG, 1]),
    CARD_2020,
    reverse("frameworks:scorecard_export", args=[HG, 1, "P02-2025", 2020, "xlsx"]),
    RANKING_2025,
    reverse("frameworks:ranking_export", args=[DEPT, 1, 2025, "csv"]),
    reverse("frameworks:export", args=[HG, 1]),
])
def test_anonymous_visitors_are_sent_to_the_login_page(login, url):
    response = login(None).get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login")) and "next=" in response["Location"]

