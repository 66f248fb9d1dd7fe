"""cchc framework | scores | ranking: the appendix of plan 214 on the command line, imports that are all-or-nothing."""

from __future__ import annotations

import csv
import json
import re
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from cchc.frameworks import fileformat
from cchc.frameworks.method_types import input_kind
from cchc.frameworks.model import fmt_points
from cchc.frameworks.models import Criterion, Framework, Score
from cchc.frameworks.services import DATA_DIR, SHIPPED, SHIPPED_DATASETS

pytestmark = pytest.mark.django_db

HG = "HG-214-2021"
DEPT = "AGENCY-DEPT-TEMPLATE"
SHOW_2020 = ("framework", "show", HG, "--subject", "P02-2025", "--year", "2020")
POINTS = re.compile(r"^\d+,\d\d$")


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def run_failing(*args) -> tuple[str, str, CommandError]:
    """Run a command that must refuse: (stdout, stderr, the error)."""
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as caught:
        call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue(), caught.value


def appendix_rows() -> list[dict]:
    return yaml.safe_load((DATA_DIR / "HG-214-2021.dataset.yaml").read_text(encoding="utf-8"))["rows"]


def sums_of_the_leaves(rows: list[dict], column: str) -> dict[str, Decimal]:
    """What each row of the appendix adds up to from its printed leaf lines (computed here, not by cchc)."""
    codes = [r["code"] for r in rows]
    leaves = {r["code"]: Decimal(r[column]) for r in rows if column in r and not any(c.startswith(r["code"] + ".") for c in codes)}
    sums = {}
    for code in codes:
        below = [value for leaf, value in leaves.items() if leaf == code or leaf.startswith(code + ".")]
        if below:
            sums[code] = sum(below, Decimal(0))
    return sums


def line_of(output: str, code: str) -> str:
    lines = [line for line in output.splitlines() if re.match(rf"{re.escape(code)}\s", line)]
    assert len(lines) == 1, (code, lines)
    return lines[0]


def finding_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("  - ")]


# --- framework show: the appendix of plan 214/KH-UBND, Hà Giang, 2020 -----------------------


def test_show_prints_every_line_of_the_appendix_with_the_printed_value_beside_the_computed_sum():
    output = run(*SHOW_2020)
    rows = appendix_rows()
    computed = sums_of_the_leaves(rows, "result_2020")
    assert len(rows) == 121
    for row in rows:
        line = line_of(output, row["code"])
        if "result_2020" not in row:
            assert row["code"] == "8.1"  # SIPAS: "Bộ Nội vụ đánh giá", no number in the document
            continue
        numbers = [token for token in line.split() if POINTS.match(token)]
        # max, score (computed from the leaves), result 2020 (as printed), ...
        assert numbers[0] == fmt_points(Decimal(row["max"])), line
        assert numbers[1] == fmt_points(computed[row["code"]]), line
        assert numbers[2] == fmt_points(Decimal(row["result_2020"])), line
    two_two = line_of(output, "2.2").split()
    assert "1,50" in two_two and "1,00" in two_two and "≠" in two_two
    assert "≠" not in line_of(output, "2.1").split()


def test_show_totals_the_leaves_and_lists_every_mismatch_of_the_document():
    output = run(*SHOW_2020)
    assert "55,62 / 66,50" in output  # the leaves of 2020, not the printed 56,13
    assert "Nhóm B" in output
    findings = finding_lines(output)
    assert any("56,13" in f and "55,62" in f for f in findings)  # printed total 2020
    assert any("64,30" in f and "64,40" in f for f in findings)  # printed target 2021
    for node, printed, added in (("2.2", "1,50", "1,00"), ("3.4", "4,84", "4,83"), ("7.1", "7,15", "7,25")):
        assert any(f" {node}:" in f and printed in f and added in f for f in findings), node
    assert not any(" 2.1:" in f or " 3.3:" in f for f in findings)  # lines that add up are not listed


def test_show_as_json_has_one_node_per_criterion_and_the_findings_by_code():
    data = json.loads(run(*SHOW_2020, "--format", "json"))
    assert (data["framework"], data["subject"]["code"], data["year"]) == (HG, "P02-2025", 2020)
    assert Decimal(data["score"]) == Decimal("55.62") and Decimal(data["max"]) == Decimal("66.5")
    nodes = {n["code"]: n for n in data["nodes"]}
    assert len(data["nodes"]) == len(nodes) == 121
    assert [n["code"] for n in data["nodes"]] == [r["code"] for r in appendix_rows()]
    assert Decimal(nodes["2.2"]["declared"]) == Decimal("1.5")
    assert Decimal(nodes["2.2"]["score"]) == Decimal("1.00")
    assert nodes["2.2"]["declared"] == "1.5"  # as printed, not reformatted
    assert nodes["8.1"]["score"] is None and nodes["8.1"]["max"] is None
    mismatches = [f for f in data["findings"] if f["code"] == "declared_subtotal_mismatch"]
    assert {"2.2", "3.4", "7.1"} <= {f["node"] for f in mismatches}
    by_node = {(f["node"], f["params"]["column_key"]): f["params"] for f in mismatches}
    assert Decimal(by_node["3.4", "result_2020"]["declared"]) == Decimal("4.84")
    assert Decimal(by_node["3.4", "result_2020"]["computed"]) == Decimal("4.83")
    assert Decimal(by_node["7.1", "target_2021"]["declared"]) == Decimal("7.15")
    assert Decimal(by_node["7.1", "target_2021"]["computed"]) == Decimal("7.25")
    totals = {f["params"]["column_key"]: f["params"] for f in mismatches if f["node"] is None}
    assert Decimal(totals["result_2020"]["declared"]) == Decimal("56.13")
    assert Decimal(totals["result_2020"]["computed"]) == Decimal("55.62")
    assert Decimal(totals["target_2021"]["declared"]) == Decimal("64.3")
    assert Decimal(totals["target_2021"]["computed"]) == Decimal("64.40")


def test_show_as_csv_parses_with_one_row_per_criterion_and_dot_decimals():
    rows = list(csv.reader(StringIO(run(*SHOW_2020, "--format", "csv"))))
    header, body = rows[0], rows[1:]
    assert len(body) == 121
    assert header[4] == "Kết quả năm 2020" and header[5] == "Mục tiêu năm 2021"
    by_code = {r[0]: r for r in body}
    assert by_code["2.2"][2:5] == ["1.50", "1.00", "1.50"]  # max, computed, printed
    assert by_code["3.4"][2:5] == ["5.00", "4.83", "4.84"]
    assert by_code["7.1"][5] == "7.15"


def test_show_refuses_an_unknown_framework_or_unit():
    _out, _err, error = run_failing("framework", "show", "NO-SUCH-FRAMEWORK")
    assert HG in str(error)  # says which frameworks exist
    _out, _err, error = run_failing("framework", "show", HG, "--subject", "P99-NOPE", "--year", "2020")
    assert "P99-NOPE" in str(error)


# --- framework validate ---------------------------------------------------------------------

HEADER = """\
format: cchc-framework/1
code: BAD-1
version: 1
name: "Thử"
subject_kind: department
years: [2030]
nodes:
"""  # 7 lines: the first node is on line 8

BAD_FILES = {
    # name: (text, line of the error, words on that line)
    "cycle": (
        HEADER
        + """\
  - {code: "1", title: "Chỉ đạo", max: 2}
  - {code: "A", title: "Kế hoạch", max: 1, parent: "B"}
  - {code: "B", title: "Báo cáo", max: 1, parent: "A"}
""",
        9,
        ("A", "B"),
    ),
    "max_abc": (
        HEADER
        + """\
  - {code: "1", title: "Chỉ đạo", max: 2}
  - {code: "1.1", title: "Kế hoạch", max: abc, parent: "1"}
  - {code: "1.2", title: "Báo cáo", max: 1, parent: "1"}
""",
        9,
        ("1.1", "abc"),
    ),
    "duplicate": (
        HEADER
        + """\
  - {code: "1", title: "Chỉ đạo", max: 2}
  - {code: "1.1", title: "Kế hoạch", max: 1, parent: "1"}
  - {code: "1.1", title: "Báo cáo", max: 1, parent: "1"}
""",
        10,
        ("1.1",),
    ),
    "unknown_method": (
        HEADER
        + """\
  - {code: "1", title: "Chỉ đạo", max: 2}
  - {code: "1.1", title: "Kế hoạch", max: 2, parent: "1", method: {type: magic}}
""",
        9,
        ("1.1", "magic"),
    ),
}


@pytest.mark.parametrize("name", SHIPPED + SHIPPED_DATASETS)
def test_every_shipped_file_validates(name):
    path = DATA_DIR / name
    lines = run("framework", "validate", str(path)).strip().splitlines()
    assert lines[-1].startswith(f"{path}: ")  # "<file>: valid (n warnings)"
    assert not [line for line in lines if re.match(rf"{re.escape(str(path))}:\d+: (error|lỗi):", line)]


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_bad_file_is_refused_with_its_line_and_nothing_is_imported(tmp_path, name):
    text, line, words = BAD_FILES[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    frameworks, criteria = Framework.objects.count(), Criterion.objects.count()

    out, _err, _error = run_failing("framework", "validate", str(path))
    named = [row for row in out.splitlines() if row.startswith(f"{path}:{line}:")]
    assert named, out
    assert all(word in named[0] for word in words), named

    _out, err, _error = run_failing("framework", "import", str(path))
    assert any(row.startswith(f"{path}:{line}:") for row in err.splitlines()), err
    assert (Framework.objects.count(), Criterion.objects.count()) == (frameworks, criteria)
    assert not Framework.objects.filter(code="BAD-1").exists()


# --- framework import: unchanged, new version, replaced -----------------------------------------


def test_importing_the_same_file_again_changes_nothing():
    path = DATA_DIR / "HG-214-2021.yaml"
    before = Framework.objects.count(), Criterion.objects.count(), Framework.history.count()
    output = run("framework", "import", str(path))
    assert output.strip().endswith(f"{HG} v1 unchanged")
    assert (Framework.objects.count(), Criterion.objects.count(), Framework.history.count()) == before


def test_a_changed_framework_that_has_scores_becomes_version_2_and_version_1_stays(tmp_path):
    original = (DATA_DIR / "HG-214-2021.yaml").read_text(encoding="utf-8")
    assert 'title: "Rà soát VBQPPL"' in original
    changed = tmp_path / "HG-214-2021.yaml"
    changed.write_text(original.replace('title: "Rà soát VBQPPL"', 'title: "Rà soát văn bản QPPL"'), encoding="utf-8")
    v1 = Framework.objects.get(code=HG, version=1)
    scores_of_v1 = Score.objects.filter(framework=v1).count()
    assert scores_of_v1 > 0

    output = run("framework", "import", str(changed))

    assert f"{HG} v2 new_version" in output
    assert list(Framework.objects.filter(code=HG).order_by("version").values_list("version", flat=True)) == [1, 2]
    v1.refresh_from_db()
    assert v1.source_text == original
    assert v1.criteria.get(code="2.2").title == "Rà soát VBQPPL"
    assert Score.objects.filter(framework=v1).count() == scores_of_v1
    v2 = Framework.objects.get(code=HG, version=2)
    assert v2.criteria.get(code="2.2").title == "Rà soát văn bản QPPL"
    assert v2.criteria.count() == v1.criteria.count() == 121
    assert not Score.objects.filter(framework=v2).exists()


def test_a_changed_framework_without_scores_is_replaced_in_place(tmp_path):
    code = "PAR-2024-STRUCTURE"
    before = Framework.objects.get(code=code)
    assert not Score.objects.filter(framework=before).exists()
    original = (DATA_DIR / f"{code}.yaml").read_text(encoding="utf-8")
    assert 'title: "CẢI CÁCH THỂ CHẾ"' in original
    changed = tmp_path / f"{code}.yaml"
    changed.write_text(original.replace('title: "CẢI CÁCH THỂ CHẾ"', 'title: "CẢI CÁCH THỂ CHẾ (sửa)"'), encoding="utf-8")

    output = run("framework", "import", str(changed))

    assert f"{code} v1 replaced" in output
    after = Framework.objects.get(code=code)  # still exactly one
    assert (after.pk, after.version) == (before.pk, 1)
    assert after.criteria.get(code="2").title == "CẢI CÁCH THỂ CHẾ (sửa)"
    assert after.criteria.count() == 46
    assert after.definition.by_code()["2"].title == "CẢI CÁCH THỂ CHẾ (sửa)"


# --- framework export ---------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["HG-214-2021", "PAR-2024-STRUCTURE", "AGENCY-DEPT-TEMPLATE", "AGENCY-COMMUNE-TEMPLATE"])
def test_export_gives_back_the_stored_definition(code):
    stored = Framework.objects.filter(code=code).order_by("-version").first()
    definition, findings = fileformat.load(run("framework", "export", code))
    assert not [f for f in findings if f.is_error]
    assert definition == stored.definition


def test_export_to_a_file_writes_the_same_yaml(tmp_path):
    target = tmp_path / "out.yaml"
    assert run("framework", "export", HG, "-o", str(target)) == ""
    assert target.read_text(encoding="utf-8") == run("framework", "export", HG)
    assert fileformat.load(target.read_text(encoding="utf-8"))[0] == Framework.objects.get(code=HG).definition


# --- scores import ------------------------------------------------------------------------------

CSV_HEADER = "framework,subject,year,code,value,numerator,denominator\n"


def write_csv(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text(CSV_HEADER + "".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def score(code, subject="P08-SYT", year=2030):
    return Score.objects.get(framework__code=DEPT, criterion__code=code, subject__code=subject, year=year, kind="input")


def test_a_csv_of_scores_is_imported_and_a_second_import_changes_nothing(tmp_path):
    path = write_csv(tmp_path, "scores.csv", [
        f"{DEPT},P08-SYT,2030,1.4,0.75,,",      # manual: points
        f"{DEPT},P08-SYT,2030,2.2,\"1,5\",,",    # manual, written Vietnamese style
        f"{DEPT},P08-SYT,2030,1.1.1,1,,",        # yes_no: 1
        f"{DEPT},P08-SYT,2030,2.1.2,0,,",        # yes_no: 0
        f"{DEPT},P08-SYT,2030,1.1.2,,18,20",     # rate: numerator/denominator
    ])
    before = Score.objects.count()

    output = run("scores", "import", str(path))

    assert Score.objects.count() == before + 5
    assert "Tạo 5 điểm" in output
    assert score("1.4").value == Decimal("0.75")
    assert score("2.2").value == Decimal("1.5")
    assert score("1.1.1").done is True and score("1.1.1").value is None
    assert score("2.1.2").done is False
    assert (score("1.1.2").numerator, score("1.1.2").denominator) == (Decimal(18), Decimal(20))
    assert score("1.1.2").as_input() == (Decimal(18), Decimal(20))

    history = Score.history.count()
    again = run("scores", "import", str(path))
    assert "giữ nguyên 5" in again and "Tạo 0 điểm" in again
    assert Score.objects.count() == before + 5
    assert Score.history.count() == history


def test_a_changed_value_updates_the_score(tmp_path):
    run("scores", "import", str(write_csv(tmp_path, "a.csv", [f"{DEPT},P08-SYT,2030,1.4,0.75,,"])))
    output = run("scores", "import", str(write_csv(tmp_path, "b.csv", [f"{DEPT},P08-SYT,2030,1.4,0.5,,"])))
    assert "cập nhật 1" in output
    assert score("1.4").value == Decimal("0.5")


def test_a_csv_with_bad_rows_names_each_row_and_imports_nothing(tmp_path):
    path = write_csv(tmp_path, "bad.csv", [
        f"{DEPT},P08-SYT,2030,1.4,0.5,,",        # line 2: good
        f"{DEPT},P08-SYT,2030,2.2,5,,",          # line 3: above the max of 2
        f"{DEPT},P08-SYT,2030,9.9.9,1,,",        # line 4: no such criterion
        f"{DEPT},P08-SYT,2030,4.4,1,,",          # line 5: good
    ])
    before, history = Score.objects.count(), Score.history.count()

    _out, err, error = run_failing("scores", "import", str(path))

    assert "2 dòng" in str(error)
    refused = err.strip().splitlines()
    assert len(refused) == 2, err
    assert "dòng 3" in refused[0] and "2.2" in refused[0] and "5" in refused[0]  # above the max
    assert "dòng 4" in refused[1] and "9.9.9" in refused[1]  # no such code
    assert not any("dòng 2" in r or "dòng 5" in r for r in refused)
    assert Score.objects.count() == before  # all or nothing: the good rows are not written either
    assert Score.history.count() == history
    assert not Score.objects.filter(year=2030).exists()


def test_a_yes_no_leaf_refuses_a_number_other_than_1_or_0(tmp_path):
    path = write_csv(tmp_path, "bool.csv", [f"{DEPT},P08-SYT,2030,1.1.1,0.5,,"])
    _out, err, _error = run_failing("scores", "import", str(path))
    assert "dòng 2" in err and "0.5" in err
    assert not Score.objects.filter(year=2030).exists()


def test_an_xlsx_file_with_vietnamese_headers_is_imported_too(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["Bộ chỉ số", "Đơn vị", "Năm", "Mã", "Điểm", "Tử số", "Mẫu số"])
    sheet.append([DEPT, "P08-SXD", 2030, "1.4", 0.25, None, None])
    sheet.append([DEPT, "Sở Xây dựng", 2030, "3.1", 1, None, None])   # a unit by its name; yes_no as 1
    sheet.append([DEPT, "P08-SXD", 2030, "3.3", None, 7, 8])          # rate
    path = tmp_path / "scores.xlsx"
    book.save(path)

    output = run("scores", "import", str(path))

    assert "Tạo 3 điểm" in output
    assert score("1.4", "P08-SXD").value == Decimal("0.25")
    assert score("3.1", "P08-SXD").done is True
    assert score("3.3", "P08-SXD").as_input() == (Decimal(7), Decimal(8))


def test_a_unit_named_by_its_name_is_the_one_that_exists_in_that_year(tmp_path):
    """Three units are called "Sở Xây dựng": Tuyên Quang's today, and the two that ended on 30/6/2025."""
    from cchc.orgs.models import OrgUnit

    namesakes = OrgUnit.objects.filter(name="Sở Xây dựng")
    assert set(namesakes.values_list("code", flat=True)) == {"P08-SXD", "P08-2025-SXD", "P02-2025-SXD"}
    OrgUnit.objects.filter(code="P08-SXD").update(sort_order=99)  # the display order must not decide
    path = write_csv(tmp_path, "by-name.csv", [f"{DEPT},Sở Xây dựng,2030,1.4,0.25,,"])

    run("scores", "import", str(path))

    landed = list(Score.objects.filter(year=2030).values_list("subject__code", flat=True))
    assert landed == ["P08-SXD"], f"the 2030 score went to {landed}"
    assert score("1.4", "P08-SXD").value == Decimal("0.25")


def test_scores_import_refuses_a_missing_file(tmp_path):
    _out, _err, error = run_failing("scores", "import", str(tmp_path / "none.csv"))
    assert "none.csv" in str(error)


# --- ranking ------------------------------------------------------------------------------------


def full_marks_rows(subject: str, year: int, share: str) -> list[str]:
    """One row per leaf of the department template: share "1" is full marks, "0" nothing."""
    fw = Framework.objects.get(code=DEPT)
    rows = []
    for node in fw.definition.leaves():
        kind = input_kind(node.method)
        if kind == "bool":
            rows.append(f"{DEPT},{subject},{year},{node.code},{share},,")
        elif kind == "rate":
            rows.append(f"{DEPT},{subject},{year},{node.code},,{int(share) * 10},10")
        elif kind == "count":
            rows.append(f"{DEPT},{subject},{year},{node.code},{int(share) * 9},,")
        else:
            rows.append(f"{DEPT},{subject},{year},{node.code},{node.max if share == '1' else 0},,")
    return rows


@pytest.fixture
def year_2030(tmp_path):
    """Sở Y tế and Sở Xây dựng with the same (full) inputs for 2030, Sở Tư pháp with none of the points."""
    rows = full_marks_rows("P08-SYT", 2030, "1") + full_marks_rows("P08-SXD", 2030, "1") + full_marks_rows("P08-STP", 2030, "0")
    output = run("scores", "import", str(write_csv(tmp_path, "2030.csv", rows)))
    assert f"Tạo {len(rows)} điểm" in output and "3 đơn vị" in output
    return rows


def test_equal_inputs_share_a_rank_and_the_next_rank_is_skipped(year_2030):
    rows = json.loads(run("ranking", DEPT, "--year", "2030", "--format", "json"))
    ranks = {r["code"]: r["rank"] for r in rows}
    assert ranks == {"P08-SYT": 1, "P08-SXD": 1, "P08-STP": 3}
    bands = {r["code"]: r["band"] for r in rows}
    assert bands == {"P08-SYT": "Xuất sắc", "P08-SXD": "Xuất sắc", "P08-STP": "Yếu"}
    assert {r["code"]: r["index"] for r in rows} == {"P08-SYT": "100.00", "P08-SXD": "100.00", "P08-STP": "0.00"}


def test_the_ranking_table_shows_ranks_and_bands(year_2030):
    title, *lines = run("ranking", DEPT, "--year", "2030").splitlines()
    assert DEPT in title and "2030" in title
    by_unit = {name: line for line in lines for name in ("Sở Y tế", "Sở Xây dựng", "Sở Tư pháp") if name in line}
    assert len(lines) == len(by_unit) == 3
    assert by_unit["Sở Y tế"].split()[0] == by_unit["Sở Xây dựng"].split()[0] == "1"
    assert by_unit["Sở Tư pháp"].split()[0] == "3"
    assert by_unit["Sở Y tế"].rstrip().endswith("100,00%  Xuất sắc")
    assert by_unit["Sở Tư pháp"].rstrip().endswith("0,00%  Yếu")


def test_the_ranking_as_csv(year_2030):
    rows = list(csv.reader(StringIO(run("ranking", DEPT, "--year", "2030", "--format", "csv"))))
    assert len(rows) == 4
    assert sorted((r[0], r[1], r[6]) for r in rows[1:]) == [("1", "P08-SXD", "Xuất sắc"), ("1", "P08-SYT", "Xuất sắc"), ("3", "P08-STP", "Yếu")]


def test_the_demo_ranking_of_2025_has_the_13_departments_in_order():
    rows = json.loads(run("ranking", DEPT, "--year", "2025", "--format", "json"))
    assert len(rows) == 13
    assert [r["rank"] for r in rows] == list(range(1, 14))
    indexes = [Decimal(r["index"]) for r in rows]
    assert indexes == sorted(indexes, reverse=True)
    assert all(r["band"] for r in rows)


def test_a_year_without_scores_has_no_ranking():
    _out, _err, error = run_failing("ranking", DEPT, "--year", "2031")
    assert "2031" in str(error)

