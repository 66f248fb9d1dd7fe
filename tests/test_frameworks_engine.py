"""Worked examples of the scoring engine, the methods, comparison rows, ranking and display."""

from __future__ import annotations

from decimal import Decimal as D
from decimal import localcontext

import pytest

from cchc.frameworks.engine import (
    band_for,
    compare_declared,
    comparison,
    compute,
    index_of,
    rank,
    sort_rows,
)
from cchc.frameworks.fileformat import load
from cchc.frameworks.methods import (
    External,
    Indicator,
    Manual,
    Proportional,
    Step,
    Threshold,
    YesNo,
    input_kind,
    method_from_dict,
    method_to_dict,
    score,
)
from cchc.frameworks.model import Band, fmt_points, round_points

# The worked example of docs/framework-format.md, section 4: three levels, every method.
EXAMPLE = """\
format: cchc-framework/1
code: EX-1
version: 1
name: "Ví dụ ba cấp"
subject_kind: province
years: [2021]
bands:
  - {code: A, label: "Nhóm A", min: 90}
  - {code: B, label: "Nhóm B", min: 80}
  - {code: C, label: "Nhóm C", min: 0}
nodes:
  - code: "1"
    title: "Chỉ đạo, điều hành"
    max: 6.5
    children:
      - {code: "1.1", title: "Kế hoạch CCHC", max: 1.5, method: {type: yes_no}}
      - {code: "1.2", title: "Báo cáo định kỳ", max: 0.5}
      - code: "1.3"
        title: "Kiểm tra CCHC"
        max: 2.0
        children:
          - {code: "1.3.1", title: "Tỷ lệ cơ quan được kiểm tra", max: 1.0, method: {type: proportional, full_at: 30}}
          - {code: "1.3.2", title: "Xử lý sau kiểm tra", max: 1.0, method: {type: indicator, indicator: "inspections.handled_rate", rule: {type: proportional, floor: 50}}}
      - {code: "1.5", title: "Sáng kiến", max: 2.5, method: {type: threshold, input: count, steps: [{min: 3, points: max}, {min: 1, points: 1}]}}
  - code: "2"
    title: "Thủ tục hành chính"
    max: 3.5
    children:
      - {code: "2.1", title: "Hồ sơ đúng hạn", max: 1.5, method: {type: threshold, input: rate, steps: [{min: 95, points: max}, {min: 90, points: 0.75}], zero_denominator: max}}
      - {code: "2.2", title: "Công khai", max: 2.0}
  - {code: "SIPAS", title: "Chỉ số hài lòng", max: 10, method: {type: external, source: "Bộ Nội vụ"}}
"""

INPUTS = {
    "1.1": True,
    "1.2": D("0.5"),
    "1.3.1": (3, 10),
    "1.3.2": (12, 13),
    "1.5": 2,
    "2.1": (12, 13),
    "2.2": D("1.455"),
    "SIPAS": D("8.24"),
}

# Seed 001 (Kế hoạch 214/KH-UBND Hà Giang), domain 1 and criterion 2.2 with the 2020 results.
SEED = """\
format: cchc-framework/1
code: HG-214-2021-PART
version: 1
name: "Trích Phụ lục Kế hoạch 214/KH-UBND"
subject_kind: province
years: [2020, 2021]
nodes:
  - code: "1"
    title: "Công tác chỉ đạo, điều hành CCHC"
    max: 8.5
    children:
      - {code: "1.1", title: "Thực hiện Kế hoạch CCHC năm", max: 1.5}
      - {code: "1.2", title: "Thực hiện chế độ báo cáo CCHC định kỳ", max: 0.5}
      - code: "1.3"
        title: "Công tác kiểm tra CCHC"
        max: 2.0
        children:
          - {code: "1.3.1", title: "Tỷ lệ cơ quan được kiểm tra trong năm", max: 1.0}
          - {code: "1.3.2", title: "Xử lý các vấn đề phát hiện qua kiểm tra", max: 1.0}
      - {code: "1.4", title: "Công tác tuyên truyền CCHC", max: 1.0}
      - {code: "1.5", title: "Sáng kiến trong cải cách hành chính", max: 2.0}
      - {code: "1.6", title: "Thực hiện các nhiệm vụ được Chính phủ giao", max: 1.5}
  - code: "2.2"
    title: "Rà soát VBQPPL"
    max: 1.5
    children:
      - {code: "2.2.1", title: "Công bố danh mục văn bản hết hiệu lực", max: 0.5}
      - {code: "2.2.2", title: "Kết quả sửa đổi, bổ sung văn bản sau rà soát", max: 1.0}
"""
SEED_2020 = {"1.1": D("1.5"), "1.2": D("0.5"), "1.3.1": D("1.0"), "1.3.2": D("0.96"), "1.4": D("1.0"),
             "1.5": D("1.5"), "1.6": D("1.42"), "2.2.1": D("0.5"), "2.2.2": D("0.5")}

CAPPED = """\
format: cchc-framework/1
code: CAP
version: 1
name: "Capped"
subject_kind: department
years: [2024]
nodes:
  - code: "1"
    title: "Parent whose children add up to more than its max"
    max: 2
    children:
      - {code: "1.1", title: "a", max: 1.5}
      - {code: "1.2", title: "b", max: 1.5}
  - {code: "2", title: "unknown max", max: unknown}
  - {code: "3", title: "yes/no with unknown max", max: unknown, method: {type: yes_no}}
"""


def _load(text: str):
    framework, findings = load(text)
    assert framework is not None, findings
    return framework


@pytest.fixture(scope="module")
def example():
    return _load(EXAMPLE)


@pytest.fixture(scope="module")
def result(example):
    return compute(example, INPUTS)


# -- the worked example ------------------------------------------------------------------------

def test_example_leaf_scores(result):
    expected = {"1.1": D("1.5"), "1.2": D("0.5"), "1.3.1": D("1"), "1.3.2": D("0.9230769231"),
                "1.5": D("1"), "2.1": D("0.75"), "2.2": D("1.455")}
    for code, value in expected.items():
        assert result[code].score == value, code
        assert result[code].final == value, code
    assert result.findings == []


def test_example_sums_and_indexes(result):
    assert result["1.3"].score == D("1.9230769231")
    assert result["1"].score == D("4.9230769231")
    assert result["2"].score == D("2.205")
    assert result["1"].index == D("75.7396449708")
    assert result["2"].index == D("63")
    assert result["1.3"].raw_sum == D("1.9230769231")
    assert not result["1"].capped
    assert [fmt_points(result[c].final) for c in ("1", "1.3", "2", "2.2")] == ["4,92", "1,92", "2,21",
                                                                              "1,46"]


def test_example_totals(result, example):
    assert result.max == D("20")
    assert result.self_max == D("10")
    assert result.external_max == D("10")
    assert result.score == D("7.1280769231")
    assert result.external_score == D("8.24")
    assert result.final == D("15.3680769231")
    assert result.index == D("76.8403846155")
    assert result.self_index == D("71.280769231")
    assert fmt_points(result.index) == "76,84"
    assert band_for(result.index, example.bands).code == "C"
    assert not result.external_pending
    assert result["1"].leaves == 5 and result["1"].scored_leaves == 5


def test_example_explanations(result):
    texts = {code: result[code].explanation.text for code in INPUTS}
    assert texts == {
        "1.1": "Yes → 1.50 of 1.50.",
        "1.2": "Entered 0.50 of 0.50.",
        "1.3.1": "3/10 = 30.00% of 30% → 1.00 of 1.00.",
        "1.3.2": "Indicator inspections.handled_rate: 12/13 = 92.31% of 100% → 0.92 of 1.00.",
        "1.5": "Count 2 reaches the step at 1 → 1.00 of 2.50.",
        "2.1": "Rate 12/13 = 92.31% reaches the step at 90% → 0.75 of 1.50.",
        "2.2": "Entered 1.46 of 2.00.",
        "SIPAS": "Entered by Bộ Nội vụ: 8.24 of 10.00.",
    }
    explanation = result["1.3.2"].explanation
    assert explanation.code == "indicator"
    assert explanation.params["rule"] == "proportional"
    assert explanation.params["numerator"] == D(12) and explanation.params["denominator"] == D(13)
    assert explanation.params["rate"] == D("92.3076923077")
    assert result["1.3"].explanation is None


def test_external_is_excluded_from_self_assessment(example):
    result = compute(example, {**INPUTS, "SIPAS": None})
    assert result["SIPAS"].score is None and result["SIPAS"].external_score is None
    assert result["SIPAS"].external_pending and result.external_pending
    assert result.external_score is None
    assert result.score == D("7.1280769231")
    assert result.final == result.score
    assert result.index == D("35.6403846155")  # final so far / 20
    assert result.self_index == D("71.280769231")
    assert result["SIPAS"].explanation.code == "not_scored"


def test_unscored_leaves_are_skipped_and_none_when_nothing_scored(example):
    result = compute(example, {"1.1": True})
    assert result["1"].score == D("1.5")
    assert result["1.3"].score is None and result["1.3"].final is None and result["1.3"].index is None
    assert result["2"].score is None
    assert result.score == D("1.5")
    assert result["1"].scored_leaves == 1
    empty = compute(example, {})
    assert empty.score is None and empty.final is None and empty.index is None


def test_input_findings(example):
    result = compute(example, {"9.9": D(1), "1": D(1), "1.2": D("0.6"), "2.2": D("-1"),
                               "1.1": D(1), "1.5": D("2.5"), "2.1": (1, 0), "1.3.1": 0.5})
    codes = {(f.code, f.node) for f in result.findings}
    assert codes == {("unknown_code", "9.9"), ("not_a_leaf", "1"), ("score_above_max", "1.2"),
                     ("negative_score", "2.2"), ("bad_input", "1.1"), ("bad_input", "1.5"),
                     ("bad_input", "1.3.1")}
    assert result["1.2"].score is None  # the value is refused
    assert result["1.2"].explanation.code == "refused"
    assert result["2.1"].score == D("1.5")  # zero_denominator: max
    above = next(f for f in result.findings if f.code == "score_above_max")
    assert above.params == {"value": D("0.6"), "max": D("0.5")}
    assert above.message == "Node 1.2: the score 0.6 is above the max 0.5."
    assert above.severity == "error"


def test_capped_parent_and_unknown_max():
    framework, findings = load(CAPPED)
    assert [(f.code, f.line, f.severity) for f in findings] == [
        ("children_sum_mismatch", 8, "warning"), ("method_needs_max", 15, "warning")]
    result = compute(framework, {"1.1": D("1.5"), "1.2": D("1.2"), "2": D(7), "3": True})
    parent = result["1"]
    assert parent.raw_sum == D("2.7") and parent.final == D("2") and parent.score == D("2")
    assert parent.capped and parent.index == D("100")
    assert parent.self_max == D("2")
    assert result["2"].score == D("7") and result["2"].index is None
    assert result["3"].score is None
    assert [f.code for f in result.findings] == ["max_unknown"]
    assert result.max is None and result.index is None


# -- methods one by one --------------------------------------------------------------------------

def test_manual_accepts_more_decimals_than_printed():
    scored = score(Manual(), D("1.5"), D("1.4449"))
    assert scored.score == D("1.4449")
    assert fmt_points(scored.score) == "1,44"


def test_yes_no():
    assert score(YesNo(), D("0.5"), False).score == D(0)
    assert score(YesNo(), D("0.5"), True).score == D("0.5")
    assert score(YesNo(), D("0.5"), D(1)).findings[0].code == "bad_input"


def test_threshold_count_steps_and_max_points():
    method = Threshold("count", (Step(D(3), "max"), Step(D(1), D(1))))
    assert [score(method, D(2), n).score for n in (0, 1, 2, 3, 10)] == [D(0), D(1), D(1), D(2), D(2)]
    assert score(method, D(2), 0).explanation.text == \
        "Count 0 is below the lowest step (1) → 0.00 of 2.00."
    assert score(method, D(2), D("1.5")).findings[0].code == "bad_input"
    assert score(method, D(2), -1).findings[0].code == "bad_input"


def test_threshold_rate_exact_boundaries():
    method = Threshold("rate", (Step(D("66.67"), D(1)),))
    assert score(method, D(1), (2, 3)).score == D(0)  # 66.666...% < 66.67%
    assert score(method, D(1), (6667, 10000)).score == D(1)
    assert score(method, D(1), D("66.67")).score == D(1)  # a percent directly


@pytest.mark.parametrize(("policy", "expected", "finding"), [
    (None, None, "zero_denominator"), ("none", None, "zero_denominator"), ("zero", D(0), None),
    ("max", D(2), None)])
def test_zero_denominator_policies(policy, expected, finding):
    method = Proportional(zero_denominator=policy)
    scored = score(method, D(2), (0, 0), node="3.5.1")
    assert scored.score == expected
    assert [f.code for f in scored.findings] == ([finding] if finding else [])
    if finding:
        assert scored.findings[0].node == "3.5.1"


def test_proportional_floor_and_full_at():
    assert score(Proportional(), D(1), (12, 13)).score == D("0.9230769231")
    assert score(Proportional(floor=D(50)), D(1), D(40)).score == D(0)
    assert score(Proportional(floor=D(50)), D(1), D(50)).score == D("0.5")
    assert score(Proportional(full_at=D(90)), D(2), D(45)).score == D(1)
    capped = score(Proportional(), D(1), (14, 10))
    assert capped.score == D(1)
    assert capped.explanation.text == "14/10 = 140.00% of 100% (counted as 100%) → 1.00 of 1.00."
    assert score(Proportional(), D(1), (1, 3)).score == D("0.3333333333")
    assert score(Proportional(), D(1), (-1, 3)).findings[0].code == "bad_input"


def test_external_checks_range():
    method = External("Bộ Nội vụ")
    assert score(method, D(10), D("10.5")).findings[0].code == "score_above_max"
    assert score(method, D(10), D("9.56")).explanation.params["source"] == "Bộ Nội vụ"


def test_indicator_behaves_like_its_rule():
    rule = Threshold("rate", (Step(D(95), "max"), Step(D(90), D("0.5"))))
    method = Indicator("dossiers.on_time_rate", rule)
    for value in ((19, 20), (181, 200), (17, 20), D("97.5")):
        assert score(method, D("1.5"), value).score == score(rule, D("1.5"), value).score
    assert input_kind(method) == "rate"


def test_method_dict_round_trip_and_validation():
    data = {"type": "indicator", "indicator": "dossiers.postal_rate",
            "rule": {"type": "threshold", "input": "rate", "zero_denominator": "max",
                     "steps": [{"min": D(50), "points": "max"}, {"min": D(20), "points": D("0.25")}]}}
    method, findings = method_from_dict(data, D("0.5"))
    assert findings == []
    assert method_to_dict(method) == data
    assert method_from_dict(method_to_dict(method), D("0.5"))[0] == method
    _, findings = method_from_dict({"type": "proportional", "floor": D(95), "full_at": D(90)})
    assert [(f.code, f.params["parameter"]) for f in findings] == [("bad_parameter", "floor")]
    _, findings = method_from_dict({"type": "proportional", "floor": 0.5})
    assert findings[0].code == "bad_parameter"  # a float is never converted
    assert [input_kind(m) for m in (Manual(), YesNo(), External("x"), Proportional())] == \
        ["number", "bool", "number", "rate"]


# -- declared values -----------------------------------------------------------------------------

def test_compare_declared_with_seed_001():
    framework = _load(SEED)
    result = compute(framework, SEED_2020)
    assert result["1"].final == D("7.88")
    assert result["1.3"].final == D("1.96")
    declared = {"1": D("7.88"), "1.3": D("1.96"), "2.2": D("1.5"), "1.1": D("1.5")}
    findings = compare_declared(result, declared, total=D("9.38"))
    assert [(f.code, f.node, f.line) for f in findings] == [
        ("declared_subtotal_mismatch", None, None), ("declared_subtotal_mismatch", "2.2", 23)]
    mismatch = findings[1]
    assert mismatch.params["declared"] == D("1.5") and mismatch.params["computed"] == D("1.0")
    assert mismatch.severity == "warning"
    assert mismatch.message == ("Line 23, node 2.2: the document declares 1.5 but the computed value "
                                "is 1.00 (the sum of its children).")
    assert "9.38" in findings[0].message and "8.88" in findings[0].message


def test_compare_declared_rounds_and_reports_unknown_and_unscored():
    framework = _load(SEED)
    result = compute(framework, {**SEED_2020, "1.6": D("1.424")})
    findings = compare_declared(result, {"1": D("7.88"), "X": D(1)})
    assert [f.code for f in findings] == ["unknown_code"]  # 7.884 prints 7.88
    result = compute(framework, {})
    assert [f.code for f in compare_declared(result, {"1": D(1)})] == ["declared_without_score"]


def test_compare_declared_on_capped_parent():
    framework = _load(CAPPED)
    result = compute(framework, {"1.1": D("1.5"), "1.2": D("1.2")})
    finding = compare_declared(result, {"1": D("2.7")})[0]
    assert finding.params == {"declared": D("2.7"), "computed": D("2"), "raw_sum": D("2.7"),
                              "capped": True}
    assert "capped at the max" in finding.message


# -- comparison rows -----------------------------------------------------------------------------

def test_comparison_rows(example, result):
    last_year = compute(example, {**INPUTS, "1.1": False, "2.2": D(2)})
    rows = comparison(result, last_year, {"1": D("6.5"), "2": D(3)})
    assert [r.code for r in rows] == ["1", "1.1", "1.2", "1.3", "1.3.1", "1.3.2", "1.5", "2", "2.1",
                                      "2.2", "SIPAS"]
    first = rows[0]
    assert (first.max, first.score, first.last_year) == (D("6.5"), D("4.9230769231"),
                                                         D("3.4230769231"))
    assert first.change == D("1.5000000000")
    assert first.gap == D("1.5769230769") and first.lost == D("1.5769230769")
    two = rows[7]
    assert two.change == D("-0.545") and two.target == D(3) and two.gap == D("0.795")
    assert rows[1].target is None and rows[1].gap is None
    assert rows[3].depth == 1 and not rows[3].is_leaf


def test_comparison_with_mapping_and_nothing(result):
    rows = comparison(result, {"1": D(4)})
    assert rows[0].change == D("0.9230769231")
    assert rows[1].last_year is None and rows[1].change is None
    assert all(r.target is None for r in comparison(result, None, None))


def test_sort_rows_none_last_and_natural_codes(example):
    result = compute(example, {"1.1": True, "1.2": D("0.25"), "2.2": D("0.5")})
    rows = comparison(result)
    by_lost = sort_rows(rows, "lost", descending=True)
    assert [r.code for r in by_lost][:5] == ["1", "2", "2.2", "1.2", "1.1"]
    assert all(r.lost is None for r in by_lost[-6:])
    ascending = sort_rows(rows, "lost")
    assert ascending[0].code == "1.1" and ascending[-1].lost is None
    assert [r.code for r in sort_rows(rows, "code", descending=True)][:3] == ["SIPAS", "2.2", "2.1"]
    codes = [type("R", (), {"code": c})() for c in ("1.10", "1.2", "TC 1.1", "1.9.1", "2")]
    assert [r.code for r in sort_rows(codes, "code")] == ["1.2", "1.9.1", "1.10", "2", "TC 1.1"]
    with pytest.raises(ValueError):
        sort_rows(rows, "colour")


# -- bands and ranking ---------------------------------------------------------------------------

BANDS = [Band("A", "Nhóm A", D(90)), Band("B", "Nhóm B", D(80)), Band("C", "Nhóm C", D(70))]


def test_band_for():
    assert band_for(D(90), BANDS).code == "A"
    assert band_for(D("89.995"), BANDS).code == "A"  # published as 90,00
    assert band_for(D("89.995"), BANDS, places=None).code == "B"
    assert band_for(D("89.994"), BANDS).code == "B"
    assert band_for(D("83.87"), BANDS).code == "B"
    assert band_for(D("69.99"), BANDS) is None
    assert band_for(None, BANDS) is None


def test_rank_competition_ties_and_none_last():
    rows = rank([("Tuyên Quang", D("83.81")), ("Hà Giang", D("83.87")), ("Bắc Kạn", None),
                 ("Quảng Ninh", D("90.1")), ("Hải Phòng", D("83.87")), ("Cao Bằng", D("79.5"))], BANDS)
    assert [(r.subject, r.rank, r.tied, r.band.code if r.band else None) for r in rows] == [
        ("Quảng Ninh", 1, False, "A"),
        ("Hà Giang", 2, True, "B"),
        ("Hải Phòng", 2, True, "B"),
        ("Tuyên Quang", 4, False, "B"),
        ("Cao Bằng", 5, False, "C"),
        ("Bắc Kạn", None, False, None),
    ]


def test_rank_compares_published_values_unless_exact():
    items = [("a", D("83.874")), ("b", D("83.866")), ("c", D("83.8649"))]
    assert [r.rank for r in rank(items, BANDS)] == [1, 1, 3]
    assert [(r.subject, r.rank) for r in rank(items, BANDS, places=None)] == [("a", 1), ("b", 2),
                                                                              ("c", 3)]
    assert rank([], BANDS) == []
    assert [r.rank for r in rank([("x", None), ("y", None)])] == [None, None]


# -- display -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [
    ("0.125", "0.13"), ("2.675", "2.68"), ("1.005", "1.01"), ("7.875", "7.88"), ("0.124999", "0.12"),
    ("-0.125", "-0.13"), ("83.865", "83.87"), ("5", "5.00"), ("0.1", "0.10")])
def test_round_half_up(value, expected):
    assert round_points(D(value)) == D(expected)
    assert str(round_points(D(value))) == expected


def test_fmt_points_vietnamese():
    assert fmt_points(D("7.875")) == "7,88"
    assert fmt_points(D("7.875"), sep=".") == "7.88"
    assert fmt_points(D("66.5")) == "66,50"
    assert fmt_points(D("-0.001")) == "0,00"
    assert fmt_points(8) == "8,00"
    assert fmt_points(None) == ""
    with pytest.raises(TypeError):
        fmt_points(2.675)  # type: ignore[arg-type]


def test_index_of():
    assert index_of(D("7.88"), D("8.5")) == D("92.7058823529")
    assert index_of(D(1), D(0)) is None
    assert index_of(None, D(1)) is None
    assert index_of(D(1), None) is None


def test_results_do_not_depend_on_the_callers_decimal_context(example):
    expected = compute(example, INPUTS)
    with localcontext() as ctx:
        ctx.prec = 3
        again = compute(example, INPUTS)
        rows = comparison(again, expected)
    assert again.final == expected.final == D("15.3680769231")
    assert all(r.change == 0 for r in rows)
