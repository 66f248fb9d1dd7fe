"""The framework file format: loading both forms, every finding with its line, round trips."""

from __future__ import annotations

import ast
from decimal import Decimal as D
from pathlib import Path

import pytest

from cchc.frameworks.fileformat import dump, load, validate
from cchc.frameworks.methods import External, Indicator, Manual, Proportional, Step, Threshold, YesNo
from cchc.frameworks.model import Band, Framework, Node

DATA = Path(__file__).resolve().parent.parent / "cchc" / "frameworks" / "data"

HEADER = """\
format: cchc-framework/1
code: T-1
version: 1
name: "Thử"
subject_kind: province
years: [2020, 2021]
"""  # 6 lines: the first node of a test document starts on line 8 (after "nodes:")

NESTED = HEADER + """\
source: "Kế hoạch 214/KH-UBND"
template: true
total_max: 4.0
note: "Chép từ bản in"
bands:
  - {code: A, label: "Nhóm A", min: 90}
  - {code: B, label: "Nhóm B", min: 80.5}
nodes:
  - code: "1"
    title: "Công tác chỉ đạo, điều hành"
    title_en: "Direction"
    max: 2.0
    responsible: "Sở Nội vụ"
    guidance: "Hoàn thành 100% kế hoạch"
    evidence: "Báo cáo năm"
    note: "Tiêu đề lấy theo QĐ 1149"
    children:
      - code: "1.1"
        title: "Kế hoạch"
        max: 0.1
        method: {type: yes_no}
      - code: "1.2"
        title: "Kiểm tra"
        max: 1.90
        children:
          - {code: "1.2.1", title: "Tỷ lệ", max: 0.95, method: {type: proportional, floor: 50, full_at: 90}}
          - {code: "1.2.2", title: "Xử lý", max: 0.95}
  - code: "TC 2"
    title: "Một cửa"
    max: unknown
    children:
      - {code: "TCTP 2.1", title: "Đúng hạn", max: 1, method: {type: indicator, indicator: "dossiers.on_time_rate", rule: {type: threshold, input: rate, steps: [{min: 95, points: max}, {min: 90, points: 0.5}], zero_denominator: max}}}
      - {code: "A.III.3", title: "Sáng kiến", max: 1, method: {type: threshold, input: count, steps: [{min: 3, points: 1}]}}
  - {code: "SIPAS", title: "SIPAS", max: 10, method: {type: external, source: "Bộ Nội vụ"}}
"""

FLAT = HEADER + """\
source: "Kế hoạch 214/KH-UBND"
template: true
total_max: 4.0
note: "Chép từ bản in"
bands:
  - {code: A, label: "Nhóm A", min: 90}
  - {code: B, label: "Nhóm B", min: 80.5}
nodes:
  - {code: "1", title: "Công tác chỉ đạo, điều hành", title_en: "Direction", max: 2.0, responsible: "Sở Nội vụ", guidance: "Hoàn thành 100% kế hoạch", evidence: "Báo cáo năm", note: "Tiêu đề lấy theo QĐ 1149"}
  - {code: "1.1", parent: "1", title: "Kế hoạch", max: 0.1, method: {type: yes_no}}
  - {code: "1.2", parent: "1", title: "Kiểm tra", max: 1.90}
  - {code: "1.2.1", parent: "1.2", title: "Tỷ lệ", max: 0.95, method: {type: proportional, floor: 50, full_at: 90}}
  - {code: "1.2.2", parent: "1.2", title: "Xử lý", max: 0.95}
  - {code: "TC 2", title: "Một cửa", max: unknown}
  - {code: "TCTP 2.1", parent: "TC 2", title: "Đúng hạn", max: 1, method: {type: indicator, indicator: "dossiers.on_time_rate", rule: {type: threshold, input: rate, steps: [{min: 95, points: max}, {min: 90, points: 0.5}], zero_denominator: max}}}
  - {code: "A.III.3", parent: "TC 2", title: "Sáng kiến", max: 1, method: {type: threshold, input: count, steps: [{min: 3, points: 1}]}}
  - {code: "SIPAS", title: "SIPAS", max: 10, method: {type: external, source: "Bộ Nội vụ"}}
"""


def _ok(text: str) -> Framework:
    framework, findings = load(text)
    assert framework is not None, findings
    assert [f for f in findings if f.is_error] == []
    return framework


def _codes(text: str) -> list[tuple[str, int | None]]:
    return [(f.code, f.line) for f in validate(text)]


# -- loading -------------------------------------------------------------------------------------

def test_nested_form_loads_every_field():
    fw = _ok(NESTED)
    assert (fw.code, fw.version, fw.subject_kind, fw.years) == ("T-1", 1, "province", [2020, 2021])
    assert fw.source == "Kế hoạch 214/KH-UBND" and fw.template is True and fw.note == "Chép từ bản in"
    assert fw.total_max == D("4.0")
    assert fw.bands == [Band("A", "Nhóm A", D(90)), Band("B", "Nhóm B", D("80.5"))]
    one = fw.nodes[0]
    assert (one.title_en, one.responsible, one.guidance, one.evidence) == (
        "Direction", "Sở Nội vụ", "Hoàn thành 100% kế hoạch", "Báo cáo năm")
    assert one.method is None and one.line == 15
    nodes = fw.by_code()
    assert nodes["1.1"].method == YesNo()
    assert nodes["1.2.2"].method == Manual()  # a leaf without a method is manual
    assert nodes["1.2.1"].method == Proportional(D(50), D(90))
    assert nodes["TC 2"].max is None
    assert nodes["TCTP 2.1"].method == Indicator("dossiers.on_time_rate", Threshold(
        "rate", (Step(D(95), "max"), Step(D(90), D("0.5"))), "max"))
    assert nodes["A.III.3"].method == Threshold("count", (Step(D(3), D(1)),))
    assert nodes["SIPAS"].method == External("Bộ Nội vụ")
    assert [n.code for n in fw.leaves()] == ["1.1", "1.2.1", "1.2.2", "TCTP 2.1", "A.III.3", "SIPAS"]


def test_numbers_are_decimals_from_their_source_text():
    nodes = _ok(NESTED).by_code()
    assert nodes["1.1"].max == D("0.1") and isinstance(nodes["1.1"].max, D)
    assert str(nodes["1"].max) == "2.0"  # not "2"
    assert str(nodes["1.2"].max) == "1.90"
    assert sum((nodes[c].max for c in ("1.1", "1.2")), D(0)) == D("2.00")  # 0.1 + 1.90 exactly


def test_flat_form_equals_nested_form():
    flat = _ok(FLAT)
    nested = _ok(NESTED)
    assert flat == nested
    assert dump(flat) == dump(nested)


def test_unquoted_codes_keep_their_text():
    fw = _ok(HEADER + "nodes:\n  - {code: 1.10, title: a, max: 1}\n  - {code: 01, title: b, max: 2}\n")
    assert [n.code for n in fw.nodes] == ["1.10", "01"]
    assert [n.title for n in fw.nodes] == ["a", "b"]


def test_quoted_numbers_are_accepted():
    fw = _ok(HEADER + 'nodes:\n  - {code: "1", title: "a", max: "2.50"}\n')
    assert str(fw.nodes[0].max) == "2.50"


def test_warnings_still_load():
    text = HEADER + """\
total_max: 5
nodes:
  - code: "1"
    title: "a"
    max: 2.0
    children:
      - {code: "1.1", title: "b", max: 1.5}
      - {code: "1.2", title: "c", max: 1}
  - {code: "2", title: "d", max: unknown, method: {type: proportional}}
"""
    framework, findings = load(text)
    assert framework is not None
    assert [(f.code, f.line, f.node, f.severity) for f in findings] == [
        ("children_sum_mismatch", 9, "1", "warning"),
        ("method_needs_max", 15, "2", "warning")]  # no total check: a top-level max is unknown
    mismatch = findings[0]
    assert mismatch.params == {"declared": D("2.0"), "children_sum": D("2.5")}
    assert mismatch.message == "Line 9, node 1: the children of node 1 add up to 2.5 but its max is 2.0."
    framework, findings = load(text.replace("max: unknown", "max: 2"))
    assert framework is not None
    assert [(f.code, f.line) for f in findings] == [("total_max_mismatch", 7),
                                                    ("children_sum_mismatch", 9)]
    assert findings[0].params == {"declared": D(5), "computed": D("4.0")}
    assert findings[0].message == "Line 7: total_max is 5 but the top-level nodes add up to 4.0."


# -- every finding code, with its line -----------------------------------------------------------

def node_doc(*lines: str) -> str:
    """HEADER, then "nodes:" on line 7 and the given lines from line 8."""
    return HEADER + "nodes:\n" + "".join(line + "\n" for line in lines)


@pytest.mark.parametrize(("text", "code", "line", "node"), [
    (node_doc('  - {code: "1", title: "a", max: abc}'), "max_not_number", 8, "1"),
    (node_doc('  - code: "1"', '    title: "a"', "    max: 7,88"), "max_not_number", 10, "1"),
    (node_doc('  - {code: "1", title: "a", max: 1e3}'), "max_not_number", 8, "1"),
    (node_doc('  - {code: "1", title: "a", max: -1}'), "negative_max", 8, "1"),
    (node_doc('  - {code: "1", title: "a", max: 1}', '  - {code: "1", title: "b", max: 1}'),
     "duplicate_code", 9, "1"),
    (node_doc('  - {code: "1.", title: "a", max: 1}'), "malformed_code", 8, "1."),
    (node_doc('  - {code: "TC  1", title: "a", max: 1}'), "malformed_code", 8, "TC  1"),
    (node_doc('  - {code: "Đ1", title: "a", max: 1}'), "malformed_code", 8, "Đ1"),
    (node_doc('  - {code: "1", title: "a", max: 1}', '  - {code: "2", title: "b", max: 1, parent: "9"}'),
     "missing_parent", 9, "2"),
    (node_doc('  - {code: "1", title: "a", max: 1, parent: "1"}'), "cycle", 8, "1"),
    (node_doc('  - {code: "1", title: "a", max: 1}', '  - {code: "2", title: "b", max: 1, parent: "1",',
              '     children: []}'), "mixed_forms", 10, "2"),
    (node_doc('  - code: "1"', '    title: "a"', "    max: 1", "    children:",
              '      - {code: "1.1", title: "b", max: 1, parent: "1"}'), "mixed_forms", 12, "1.1"),
    (node_doc('  - {code: "1", title: "a", max: 1, method: {type: magic}}'), "unknown_method", 8, "1"),
    (node_doc('  - code: "1"', '    title: "a"', "    max: 1", "    method:", "      type: manual",
              "      colour: red"), "bad_parameter", 13, "1"),
    (node_doc('  - code: "1"', '    title: "a"', "    max: 1", "    method: {type: threshold, input: count,",
              "      steps: [{min: 1, points: 1}, {min: 3, points: 1}]}"), "bad_parameter", 12, "1"),
    (node_doc('  - {code: "1", title: "a", max: 1, method: {type: threshold, input: count, steps: '
              '[{min: 1, points: 2}]}}'), "bad_parameter", 8, "1"),
    (node_doc('  - {code: "1", title: "a", max: 1, method: {type: threshold, input: ratio, steps: '
              '[{min: 1, points: 1}]}}'), "bad_parameter", 8, "1"),
    (node_doc('  - {code: "1", title: "a", max: 1, method: {type: proportional, full_at: 0}}'),
     "bad_parameter", 8, "1"),
    (node_doc('  - {code: "1", title: "a", max: 1, method: {type: proportional, floor: x}}'),
     "bad_parameter", 8, "1"),
    (node_doc('  - {code: "1", title: "a", max: 1, method: {type: external}}'), "bad_parameter", 8, "1"),
    (node_doc('  - {code: "1", title: "a", max: 1, method: {type: indicator, indicator: "Dossiers", '
              'rule: {type: proportional}}}'), "bad_parameter", 8, "1"),
    (node_doc('  - {code: "1", title: "a", max: 1, method: {type: indicator, indicator: "a.b", '
              'rule: {type: manual}}}'), "bad_parameter", 8, "1"),
    (node_doc('  - {code: "1", title: "a", max: 1, method: {type: threshold, input: count, '
              'zero_denominator: max, steps: [{min: 1, points: 1}]}}'), "bad_parameter", 8, "1"),
    (node_doc('  - {code: "1", title: "a", max: 1, method: manual}'), "bad_parameter", 8, "1"),
    (node_doc('  - code: "1"', '    title: "a"', "    max: 1", "    method: {type: yes_no}",
              "    children:", '      - {code: "1.1", title: "b", max: 1}'), "method_on_parent", 11, "1"),
    (node_doc('  - {code: "1", max: 1}'), "missing_field", 8, "1"),
    (node_doc('  - {code: "1", title: "a"}'), "missing_field", 8, "1"),
    (node_doc('  - {title: "a", max: 1}'), "missing_field", 8, None),
    (node_doc('  - {code: "1", title: "a", max: 1, chidren: []}'), "unknown_field", 8, "1"),
    (node_doc('  - code: "1"', '    title: "a"', "    max: 1", "    title: b"), "duplicate_key", 11, None),
    (node_doc('  - code: "1"', '    title: "a"', "    max: 1", "    children: 3"), "bad_value", 11, "1"),
])
def test_node_findings(text, code, line, node):
    findings = [f for f in validate(text) if f.code == code]
    assert findings, validate(text)
    finding = findings[0]
    assert (finding.line, finding.node) == (line, node), finding
    assert finding.severity == "error"
    assert finding.message.startswith(f"Line {line}")
    assert load(text)[0] is None


@pytest.mark.parametrize(("replace", "by", "code", "line"), [
    ("format: cchc-framework/1", "format: cchc-framework/2", "bad_format", 1),
    ("code: T-1", "code: T 1", "malformed_code", 2),
    ("version: 1", "version: 0", "bad_value", 3),
    ("version: 1", "version: one", "bad_value", 3),
    ('name: "Thử"', 'name: ""', "missing_field", 4),
    ("subject_kind: province", "subject_kind: planet", "bad_value", 5),
    ("years: [2020, 2021]", "years: [2020, 2020]", "bad_value", 6),
    ("years: [2020, 2021]", "years: 2020", "bad_value", 6),
    ("years: [2020, 2021]", "years: [2020, 2021]\ntemplate: maybe", "bad_value", 7),
    ("years: [2020, 2021]", "years: [2020, 2021]\ntotal_max: lots", "max_not_number", 7),
    ("years: [2020, 2021]", "years: [2020, 2021]\ntotal_max: -1", "negative_max", 7),
    ("years: [2020, 2021]", "years: [2020, 2021]\ncolour: red", "unknown_field", 7),
    ("years: [2020, 2021]", "years: [2020, 2021]\nbands:\n  - {code: A, label: A, min: 80}\n"
     "  - {code: B, label: B, min: 90}", "bands_not_descending", 9),
    ("years: [2020, 2021]", "years: [2020, 2021]\nbands:\n  - {code: A, label: A, min: 80}\n"
     "  - {code: A, label: B, min: 70}", "duplicate_code", 9),
    ("years: [2020, 2021]", "years: [2020, 2021]\nbands:\n  - {code: A, label: A, min: 120}",
     "bad_value", 8),
    ("years: [2020, 2021]", "years: [2020, 2021]\nbands:\n  - {code: A, label: A}", "missing_field", 8),
    ("nodes:\n", "nodes: []\nx:\n", "missing_field", 7),
])
def test_header_findings(replace, by, code, line):
    text = node_doc('  - {code: "1", title: "a", max: 1}').replace(replace, by, 1)
    findings = [f for f in validate(text) if f.code == code]
    assert findings, validate(text)
    assert findings[0].line == line
    assert load(text)[0] is None


def test_bad_format_stops_early():
    text = "format: cchc-dataset/1\nframework: HG-214-2021\nrows: []\n"
    assert _codes(text) == [("bad_format", 1)]


@pytest.mark.parametrize(("text", "code", "line"), [
    ("format: [\n", "yaml_syntax", 2),
    ("a: 1\n  b: 2\n", "yaml_syntax", 2),
    ("", "empty_document", None),
    ("- 1\n- 2\n", "not_a_mapping", 1),
    ("a: &x [*x]\n", "bad_value", 1),
])
def test_document_findings(text, code, line):
    findings = validate(text)
    assert (findings[0].code, findings[0].line) == (code, line)
    assert load(text)[0] is None


def test_cycle_is_reported_once_with_its_codes():
    text = node_doc(
        '  - {code: "1", title: "root", max: 1}',
        '  - {code: "A", title: "a", max: 1, parent: "B"}',
        '  - {code: "B", title: "b", max: 1, parent: "C"}',
        '  - {code: "C", title: "c", max: 1, parent: "A"}',
        '  - {code: "D", title: "below the cycle", max: 1, parent: "C"}',
    )
    findings = validate(text)
    assert [(f.code, f.line, f.node) for f in findings] == [("cycle", 9, "A")]
    assert findings[0].params == {"codes": ["A", "B", "C"]}
    assert findings[0].message == "Line 9, node A: the parents form a cycle: A → B → C → A."


def test_errors_below_a_broken_parent_are_still_reported():
    text = node_doc('  - code: "1"', '    title: "a"', "    max: abc", "    children:",
                    '      - {code: "1.1", title: "b", max: 1, method: {type: nope}}')
    assert _codes(text) == [("max_not_number", 10), ("unknown_method", 12)]


def test_findings_are_sorted_by_line():
    text = node_doc('  - {code: "1", title: "a", max: x}', '  - {code: "1", title: "b", max: y}')
    lines = [f.line for f in validate(text)]
    assert lines == sorted(lines)


# -- round trip ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [NESTED, FLAT], ids=["nested", "flat"])
def test_round_trip(text):
    first = _ok(text)
    dumped = dump(first)
    second = _ok(dumped)
    assert second == first
    assert dump(second) == dumped
    assert "max: 2.0\n" in dumped and "max: 1.90\n" in dumped and "max: unknown\n" in dumped
    assert 'method: {type: manual}' in dumped


def test_dump_writes_the_nested_form():
    dumped = dump(_ok(FLAT))
    assert "parent:" not in dumped
    assert dumped.startswith("format: cchc-framework/1\ncode: \"T-1\"\nversion: 1\n")
    assert '  - {code: "B", label: "Nhóm B", min: 80.5}' in dumped
    assert ('method: {type: indicator, indicator: "dossiers.on_time_rate", rule: {type: threshold, '
            'input: rate, steps: [{min: 95, points: max}, {min: 90, points: 0.5}], '
            'zero_denominator: max}}') in dumped


def test_round_trip_of_awkward_text():
    title = 'Quote " backslash \\ newline\nTab\t# not a comment: {x} [y] \x85 \u2028 \x07 \ufeff 😀 '
    framework = Framework(code="X", version=2, name="yes", subject_kind="agency", years=[],
                          nodes=[Node("1", title, D("0.50"), guidance="null", note="- item")])
    framework.nodes[0].method = Manual()
    again = _ok(dump(framework))
    assert again == framework
    assert again.nodes[0].title == title


# -- real files, and purity ----------------------------------------------------------------------

def _framework_files() -> list[Path]:
    if not DATA.is_dir():
        return []
    return sorted(p for p in DATA.glob("*.yaml")
                  if p.read_text(encoding="utf-8").count("format: cchc-framework/1"))


@pytest.mark.parametrize("path", _framework_files(), ids=lambda p: p.name)
def test_transcribed_frameworks_load_and_round_trip(path):
    framework = _ok(path.read_text(encoding="utf-8"))
    assert _ok(dump(framework)) == framework


PURE_MODULES = ("dataset", "engine", "fileformat", "method_params", "method_types", "methods", "model", "raw", "reports", "writer")


def test_the_pure_core_has_no_django_import():
    package = DATA.parent
    for path in [package / f"{name}.py" for name in PURE_MODULES]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(n.split(".")[0] == "django" for n in names), f"{path.name} imports {names}"
