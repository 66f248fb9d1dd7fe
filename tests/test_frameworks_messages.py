"""Findings of the pure core said in Vietnamese (and English): what is wrong, where, with the numbers."""

from __future__ import annotations

from decimal import Decimal as D
from io import StringIO

import pytest
from django.utils import translation

from cchc.frameworks import dataset, engine, fileformat
from cchc.frameworks.management.commands.framework import print_findings
from cchc.frameworks.messages import _MEANING, describe
from cchc.frameworks.model import Finding

HEADER = """\
format: cchc-framework/1
code: BAD-1
version: 1
name: "Thử"
subject_kind: department
years: [2030]
nodes:
"""  # 7 lines: the first node is on line 8

# name: (text, code, line, node, words in Vietnamese, words in English)
BROKEN = {
    "cycle": (
        HEADER + """\
  - {code: "1", title: "Chỉ đạo", max: 2}
  - {code: "A", title: "Kế hoạch", max: 1, parent: "B"}
  - {code: "B", title: "Báo cáo", max: 1, parent: "A"}
""",
        "cycle", 9, "A", ("Dòng 9, tiêu chí A:", "vòng lặp", "A → B → A"), ("Line 9, node A:", "cycle", "A → B → A"),
    ),
    "max_abc": (
        HEADER + """\
  - {code: "1", title: "Chỉ đạo", max: 2}
  - {code: "1.1", title: "Kế hoạch", max: abc, parent: "1"}
""",
        "max_not_number", 9, "1.1", ("Dòng 9, tiêu chí 1.1:", "điểm tối đa", "“abc”"), ("Line 9, node 1.1:", "max", "“abc”"),
    ),
    "duplicate": (
        HEADER + """\
  - {code: "1", title: "Chỉ đạo", max: 2}
  - {code: "1.1", title: "Kế hoạch", max: 1, parent: "1"}
  - {code: "1.1", title: "Báo cáo", max: 1, parent: "1"}
""",
        "duplicate_code", 10, "1.1", ("Dòng 10, tiêu chí 1.1:", "“1.1”", "đã được dùng ở dòng 9"),
        ("Line 10, node 1.1:", "“1.1”", "already used on line 9"),
    ),
    "unknown_method": (
        HEADER + """\
  - {code: "1", title: "Chỉ đạo", max: 2}
  - {code: "1.1", title: "Kế hoạch", max: 2, parent: "1", method: {type: magic}}
""",
        "unknown_method", 9, "1.1", ("Dòng 9, tiêu chí 1.1:", "phương pháp chấm", "“magic”", "threshold"),
        ("Line 9, node 1.1:", "unknown method type", "“magic”"),
    ),
    "threshold_steps": (
        HEADER + """\
  - code: "1"
    title: "Tỷ lệ hồ sơ đúng hạn"
    max: 2
    method:
      type: threshold
      input: rate
      steps:
        - {min: 80, points: 1}
        - {min: 95, points: 2}
""",
        "bad_parameter", 16, "1", ("Dòng 16, tiêu chí 1:", "từ cao xuống thấp", "95,00", "80,00"),
        ("Line 16, node 1:", "high to low", "95,00", "80,00"),
    ),
    "threshold_input": (
        HEADER + """\
  - {code: "1", title: "Hồ sơ", max: 2, method: {type: threshold, input: percent, steps: [{min: 1, points: 2}]}}
""",
        "bad_parameter", 8, "1", ("Dòng 8, tiêu chí 1:", "tham số “input”", "“percent”", "count / rate"),
        ("Line 8, node 1:", "“input”", "“percent”", "count / rate"),
    ),
    "step_points": (
        HEADER + """\
  - {code: "1", title: "Hồ sơ", max: 2, method: {type: threshold, input: count, steps: [{min: 5, points: 3.5}]}}
""",
        "bad_parameter", 8, "1", ("Dòng 8, tiêu chí 1:", "3,50 điểm", "điểm tối đa 2,00"), ("Line 8, node 1:", "3,50 points", "max 2,00"),
    ),
    "yaml": (
        HEADER + """\
  - {code: "1", title: "Chỉ đạo", max: 2}
  - code: "2"
    title: Kiểm tra: rà soát
    max: 1
""",
        "yaml_syntax", 10, None, ("Dòng 10:", "YAML", "dấu hai chấm"), ("Line 10:", "YAML", "colon"),
    ),
}


def finding_of(name: str) -> Finding:
    text, code, line, node, _vi, _en = BROKEN[name]
    framework, findings = fileformat.load(text)
    assert framework is None
    matching = [f for f in findings if f.code == code and f.line == line and f.node == node]
    assert matching, [(f.code, f.line, f.node, f.message) for f in findings]
    return matching[0]


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_a_broken_file_is_described_in_vietnamese_with_its_line_and_value(name):
    finding = finding_of(name)
    with translation.override("vi"):
        text = describe(finding)
    assert text != finding.message
    assert all(word in text for word in BROKEN[name][4]), text
    assert "(chi tiết:" not in text  # a real sentence, not the generic fallback


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_and_in_english_when_english_is_active(name):
    finding = finding_of(name)
    with translation.override("en"):
        text = describe(finding)
    assert all(word in text for word in BROKEN[name][5]), text
    assert "Dòng" not in text and "tiêu chí" not in text


def test_the_default_language_is_vietnamese():
    finding = finding_of("max_abc")
    with translation.override("vi"):
        assert describe(finding).startswith("Dòng 9, tiêu chí 1.1: điểm tối đa (max) phải là một số")


# --- every code of the core has its own sentence ---------------------------------------------

HEAD = "format: cchc-framework/1\ncode: T\nversion: 1\nname: T\nsubject_kind: province\nyears: [2020]\n"
MANY = [
    "a: b: c",
    "",
    "- 1",
    "format: other/1\n",
    "format: cchc-framework/1\ncode: 'bad code'\nversion: 0\nname: ''\nsubject_kind: planet\n"
    "years: [2020, 2020, 1800, x]\ntemplate: 'yes'\ntotal_max: -3\nfoo: 1\n"
    "bands: [{code: A, label: A, min: 80}, {code: A, label: B, min: 90}, {code: 'C..', label: C, min: 120},"
    " {code: D, label: D, min: x}, 3]\nnodes: []\n",
    "format: cchc-framework/1\ncode: T\nname: T\nsubject_kind: province\nyears: 2020\ntotal_max: abc\n"
    "bands: 3\nnodes:\n  - {code: '1', title: x, max: 1}\n",
    HEAD + "nodes:\n  - {code: '1', title: A, max: abc}\n  - {code: '1', title: B, max: 1}\n"
    "  - {code: '3..', title: C, max: 1}\n  - {code: '4', title: D, max: -1}\n  - {code: '5', title: E}\n"
    "  - {code: '6', max: 1, colour: red}\n  - 7\n  - {code: '8', title: F, max: 1, children: 3}\n"
    "  - {code: '9', title: [a], max: 1}\n  - {code: '11', title: H, max: unknown, method: {type: yes_no}}\n"
    "  - {code: '13', title: I, max: 1, a: 1, a: 2}\n"
    "  - {code: '14', title: I, max: 1, method: {type: manual}, children: [{code: '14.1', title: x, max: 1,"
    " parent: '14'}]}\n",
    HEAD + "total_max: 10\nnodes:\n  - {code: '1', title: a, max: 3, children: [{code: '1.1', title: b, max: 1}]}\n",
    HEAD + "nodes:\n  - {code: A, title: A, max: 2, parent: B}\n  - {code: B, title: B, max: 2, parent: A}\n"
    "  - {code: C, title: C, max: 2, parent: Z}\n  - {code: D, title: D, max: 2, children: []}\n",
    HEAD + "nodes:\n" + "".join(f"  - {{code: '{i}', title: a, max: 2, method: {m}}}\n" for i, m in enumerate([
        "{type: magic}", "3", "{steps: 1}", "{type: manual, x: 1}", "{type: threshold, steps: [{min: 3, points: 1}]}",
        "{type: threshold, input: count, zero_denominator: zero, steps: [{min: 3, points: 1}]}",
        "{type: threshold, input: count, steps: []}",
        "{type: threshold, input: count, steps: [{min: 5, points: 1}, {min: 3, points: 2}]}",
        "{type: threshold, input: count, steps: [{min: 5}]}",
        "{type: threshold, input: count, steps: [{min: x, points: 1}]}",
        "{type: threshold, input: count, steps: [{min: -1, points: 1}]}",
        "{type: threshold, input: count, steps: [{min: 5, points: null}]}",
        "{type: proportional, full_at: 0}", "{type: proportional, floor: 90, full_at: 80}", "{type: external}",
        "{type: indicator, indicator: Bad, rule: {type: proportional}}",
        "{type: indicator, indicator: a.b, rule: {type: manual}}",
    ], start=1)),
]
TREE = HEAD + (
    "nodes:\n  - {code: '1', title: a, max: 4, children: [{code: '1.1', title: b, max: 2},"
    " {code: '1.2', title: b, max: 2, method: {type: proportional}},"
    " {code: '1.3', title: b, max: 2, method: {type: threshold, input: count, steps: [{min: 1, points: max}]}},"
    " {code: '1.4', title: b, max: 2, method: {type: yes_no}}, {code: '1.5', title: b, max: unknown, method: {type: yes_no}}]}\n"
)


def every_finding() -> list[Finding]:
    findings = [f for text in MANY for f in fileformat.validate(text)]
    framework, _findings = fileformat.load(TREE)
    assert framework is not None
    for inputs in (
        {"1.1": D(5), "1.2": (D(0), D(0)), "1.3": D("1.5"), "1.4": D(1), "1.5": True, "9": D(1), "1": D(1)},
        {"1.1": D(-1), "1.2": (D(1),), "1.3": D(-2)},
        {"1.1": "x", "1.2": (D(-1), D(2))},
        {"1.1": D("Infinity"), "1.2": D(-5)},
    ):
        findings += engine.compute(framework, inputs).findings
    result = engine.compute(framework, {"1.1": D(1)})
    findings += engine.compare_declared(result, {"1": D(3), "1.2": D(1), "X": D(1)}, total=D(9))
    for text in ("format: x\n", "- 1", "format: cchc-dataset/1\ncolumns: [{kind: score}, {key: a, kind: weird},"
                 " {key: b, kind: score}, {key: r, kind: score, year: 2020}]\n"
                 "rows: [3, {x: 1}, {code: '1', r: abc}, {code: '1'}, {code: Q}]\n"):
        findings += dataset.load(text, framework)[1]
    return findings


def test_every_code_of_the_core_is_said_in_a_sentence_of_its_own():
    findings = every_finding()
    assert {f.code for f in findings} == set(_MEANING) - {"capped"}  # "capped" is the scorecard's
    with translation.override("vi"):
        for f in findings:
            text = describe(f)
            assert "(chi tiết:" not in text, (f.code, f.message, text)
            assert text != f.message, (f.code, text)
            if f.line is not None and f.code not in ("declared_subtotal_mismatch", "declared_without_score"):
                assert text.startswith(f"Dòng {f.line}"), text
    with translation.override("en"):
        for f in findings:
            assert "(details:" not in describe(f)


def test_scoring_findings_keep_their_numbers():
    framework, _findings = fileformat.load(TREE)
    findings = {f.node: f for f in engine.compute(framework, {"1.1": D("2.5"), "1.2": (D(3), D(0))}).findings}
    with translation.override("vi"):
        assert describe(findings["1.1"]) == "Tiêu chí 1.1: điểm 2,50 vượt điểm tối đa 2,00."
        assert describe(findings["1.2"]) == "Tiêu chí 1.2: tỷ lệ 3/0 có mẫu số bằng 0 nên không tính được."
    with translation.override("en"):
        assert describe(findings["1.1"]) == "Node 1.1: the score 2,50 is above the max 2,00."


def test_warnings_stored_without_params_get_their_numbers_back_from_the_message():
    text = HEAD + "total_max: 10\nnodes:\n  - {code: '1', title: a, max: 3, children: [{code: '1.1', title: b, max: 1}]}\n"
    stored = [Finding(f.code, f.message, f.line, f.node, {}, f.severity) for f in fileformat.validate(text)]
    with translation.override("vi"):
        said = [describe(f) for f in stored]
    assert said == [
        "Dòng 7: tổng điểm khai báo là 10,00, nhưng cộng các lĩnh vực được 3,00.",
        "Dòng 9, tiêu chí 1: các tiêu chí thành phần cộng được 1,00 điểm, nhưng điểm tối đa là 3,00.",
    ]


def test_without_params_a_code_falls_back_to_a_sentence_and_the_core_message():
    finding = Finding("malformed_code", "Line 3, node x..: the node code 'x..' is malformed.", 3, "x..", {})
    with translation.override("vi"):
        assert describe(finding) == ("Dòng 3, tiêu chí x..: có mã viết sai quy cách "
                                     "(chi tiết: the node code 'x..' is malformed.)")


def test_findings_that_are_not_the_cores_are_shown_as_they_are():
    assert describe(Finding("unknown_subject", "Đối tượng X chưa có.")) == "Đối tượng X chưa có."
    assert describe(Finding("unknown_code", "Mã 9 không có trong bộ chỉ số T.")) == "Mã 9 không có trong bộ chỉ số T."


def test_the_command_line_prints_the_file_and_line_then_the_vietnamese_sentence():
    out = StringIO()
    with translation.override("vi"):
        print_findings(out, [finding_of("max_abc")], "bad.yaml")
    assert out.getvalue().strip() == (
        "bad.yaml:9: lỗi: Tiêu chí 1.1: điểm tối đa (max) phải là một số (hoặc “unknown”), không phải “abc”. "
        "Số thập phân viết bằng dấu chấm: 7.88."
    )
