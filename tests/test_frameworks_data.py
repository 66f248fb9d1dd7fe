"""The framework data files in cchc/frameworks/data: load them and check them against the documents.

HG-214-2021 and its dataset transcribe the appendix of Kế hoạch 214/KH-UBND (Hà Giang, 23/7/2021),
seed 001. The printed subtotals are kept as printed; where they differ from the sum of their parts the
differences are asserted here exactly, so that any edit of a number shows up.
"""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run without pytest-django (-p no:django) and without an install
    sys.path.insert(0, str(ROOT))

from cchc.frameworks.fileformat import load_path  # noqa: E402

DATA = ROOT / "cchc" / "frameworks" / "data"
SEED_001 = sorted(Path("/work/shared/seeds").glob("001_*.txt"))

RECONSTRUCTED_NOTE = "Tiêu đề lĩnh vực không có trong bản xuất; lấy theo Quyết định 1149/QĐ-BNV"

# Printed subtotal -> sum of its rows, in the appendix of KH 214 (code, column): (printed, computed).
PRINTED_SUBTOTAL_DIFFERENCES = {
    ("2.2", "result_2020"): (Decimal("1.5"), Decimal("1.0")),
    ("3.4", "result_2020"): (Decimal("4.84"), Decimal("4.83")),
    ("7.1", "target_2021"): (Decimal("7.15"), Decimal("7.25")),
}


def load_framework(name: str):
    framework, findings = load_path(DATA / f"{name}.yaml")
    errors = [f.message for f in findings if f.severity == "error"]
    assert not errors, errors
    assert framework is not None
    return framework, findings


def raw_yaml(name: str) -> dict:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8"))


def leaves(framework):
    return [node for node, _ in framework.walk() if not node.children]


def dec(text: str) -> Decimal:
    return Decimal(text)


# -- HG-214-2021 ---------------------------------------------------------------------------------


def test_hg_framework_has_the_eight_domains_of_the_table():
    fw, findings = load_framework("HG-214-2021")
    assert [n.code for n in fw.nodes] == ["1", "2", "3", "4", "5", "6", "7", "8"]
    assert findings == []  # not even a warning: every printed max adds up
    assert fw.subject_kind == "province" and fw.years == [2020, 2021] and fw.template is False
    assert [n.max for n in fw.nodes] == [
        Decimal(x) for x in ("8.5", "5.0", "13.5", "7.0", "7.5", "8.0", "11.0", "6.0")
    ]


def test_hg_counts_of_criteria_sub_criteria_and_leaves():
    fw, _ = load_framework("HG-214-2021")
    depth = [d for _, d in fw.walk()]
    assert depth.count(0) == 8
    assert depth.count(1) == 37  # criteria, 8.1 (SIPAS, "Bộ Nội vụ đánh giá") included
    assert depth.count(2) == 76  # sub-criteria
    assert len(leaves(fw)) == 89


def test_hg_leaf_max_add_up_to_66_5():
    fw, _ = load_framework("HG-214-2021")
    known = [n.max for n in leaves(fw) if n.max is not None]
    assert sum(known, Decimal(0)) == Decimal("66.5")
    assert fw.total_max == Decimal("66.5")
    unknown = [n.code for n in leaves(fw) if n.max is None]
    assert unknown == ["8.1"]
    assert fw.by_code()["8.1"].method.type == "external"


def test_hg_parents_max_equal_the_sum_of_their_children():
    fw, _ = load_framework("HG-214-2021")
    for node, _ in fw.walk():
        kids = [c.max for c in node.children if c.max is not None]
        if node.children:
            assert sum(kids, Decimal(0)) == node.max, node.code


def test_hg_reconstructed_domain_titles_carry_the_note():
    fw, _ = load_framework("HG-214-2021")
    for node in fw.nodes[:7]:
        assert node.note == RECONSTRUCTED_NOTE, node.code
    # Domain 8 has its printed title; only its number is reconstructed.
    assert fw.nodes[7].title == "TÁC ĐỘNG CỦA CCHC ĐẾN NGƯỜI DÂN, TỔ CHỨC VÀ PHÁT TRIỂN KT-XH CỦA TỈNH"
    assert fw.nodes[7].note and fw.nodes[7].note != RECONSTRUCTED_NOTE
    titled = [n.code for n, _ in fw.walk() if n.note and n.code not in "12345678"]
    assert titled == ["4.3", "8.1"]  # the cut title "Thực hiện phân cấp quản"; "Bộ Nội vụ đánh giá"


# -- the Hà Giang dataset ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dataset():
    return raw_yaml("HG-214-2021.dataset.yaml")


@pytest.fixture(scope="module")
def hg():
    return load_framework("HG-214-2021")[0]


def test_dataset_codes_are_the_framework_codes(dataset, hg):
    rows = [r["code"] for r in dataset["rows"]]
    assert len(rows) == len(set(rows))
    assert set(rows) == set(hg.by_code())
    assert rows == [n.code for n, _ in hg.walk()]  # same order as the table


def test_dataset_max_is_the_framework_max(dataset, hg):
    nodes = hg.by_code()
    for row in dataset["rows"]:
        node = nodes[row["code"]]
        if node.max is None:
            assert row["max"] == "Bộ Nội vụ đánh giá"
        else:
            assert dec(row["max"]) == node.max, row["code"]
            assert str(node.max) == row["max"]  # same text: 2.0 stays 2.0


def test_dataset_values_are_strings_as_printed(dataset):
    for row in dataset["rows"]:
        for key, value in row.items():
            assert isinstance(value, str), (row["code"], key)
    assert dataset["totals"] == {"max": "66.5", "result_2020": "56.13", "target_2021": "64.3"}


def _leaf_rows(dataset, hg):
    nodes = hg.by_code()
    return [r for r in dataset["rows"] if not nodes[r["code"]].children]


def test_leaf_rows_add_up_to_the_printed_totals_or_to_the_documented_differences(dataset, hg):
    rows = _leaf_rows(dataset, hg)
    totals = {k: dec(v) for k, v in dataset["totals"].items()}

    def total(key):
        return sum((dec(r[key]) for r in rows if key in r and r[key] != "Bộ Nội vụ đánh giá"), Decimal(0))

    assert total("max") == totals["max"] == Decimal("66.5")
    # Printed 56.13; the leaves give 55.62 (2.2 printed 1.5 over 1.0, 3.4 printed 4.84 over 4.83).
    assert total("result_2020") == Decimal("55.62")
    assert total("result_2020") - totals["result_2020"] == Decimal("-0.51")
    # Printed 64.3; the leaves give 64.40 (7.1 printed 7.15 over 7.25).
    assert total("target_2021") == Decimal("64.40")
    assert total("target_2021") - totals["target_2021"] == Decimal("0.10")


def test_printed_subtotals_that_differ_from_their_parts_are_exactly_the_documented_ones(dataset, hg):
    rows = {r["code"]: r for r in dataset["rows"]}
    found = {}
    for node, _ in hg.walk():
        if not node.children:
            continue
        for key in ("max", "result_2020", "target_2021"):
            printed = dec(rows[node.code][key])
            computed = sum(
                (
                    dec(rows[c.code][key])
                    for c in node.children
                    if key in rows[c.code] and rows[c.code][key] != "Bộ Nội vụ đánh giá"
                ),
                Decimal(0),
            )
            if printed != computed:
                found[(node.code, key)] = (printed, computed)
    assert found == PRINTED_SUBTOTAL_DIFFERENCES


def test_domains_and_total_add_up_as_printed(dataset, hg):
    rows = {r["code"]: r for r in dataset["rows"]}
    for key in ("max", "result_2020", "target_2021"):
        domains = sum((dec(rows[n.code][key]) for n in hg.nodes), Decimal(0))
        assert domains == dec(dataset["totals"][key]), key


def test_leaf_rows_have_time_frame_lead_and_coordinating(dataset, hg):
    for row in _leaf_rows(dataset, hg):
        if row["code"] == "8.1":
            assert set(row) == {"code", "max"}
            continue
        assert {"time_frame", "lead", "coordinating", "result_2020", "target_2021"} <= set(row), row["code"]
    parents = [r for r in dataset["rows"] if hg.by_code()[r["code"]].children]
    for row in parents:  # the table leaves these cells empty on parent and domain rows
        assert not {"time_frame", "lead", "coordinating"} & set(row), row["code"]


@pytest.mark.skipif(not SEED_001, reason="seed 001 (the source export) is not on this machine")
def test_framework_and_dataset_rebuild_the_export_of_the_table_line_for_line(dataset, hg):
    """Write the table back in the export's layout (one cell a line, " |") and compare with seed 001."""
    lines = SEED_001[0].read_text(encoding="utf-8").split("\n")
    start = lines.index("Chủ trì |") + 2  # the "||||||" line after the header
    end = lines.index("Tổng số: |") + 7
    nodes = hg.by_code()

    def cell(value):
        return f"{value} |" if value else "|"

    out = []
    for row in dataset["rows"]:
        code = row["code"]
        if "." not in code:
            if code == "8":
                out += [
                    cell(nodes[code].title),
                    cell(row["max"]),
                    cell(row["result_2020"]),
                    cell(row["target_2021"]),
                    "|",
                    "|",
                    "|",
                    "|",
                ]
            else:
                out += ["||||||"] if code == "1" else []
                out += [
                    cell(row["max"]),
                    cell(row["result_2020"]),
                    cell(row["target_2021"]),
                    "|",
                    "|",
                    "|",
                    "||",
                ]
            continue
        out += [cell(code), cell(nodes[code].title), cell(row["max"])]
        if code == "8.1":
            out += ["|||||"]
            continue
        out += [
            cell(row.get(k)) for k in ("result_2020", "target_2021", "time_frame", "lead", "coordinating")
        ]
    t = dataset["totals"]
    out += ["Tổng số: |", cell(t["max"]), cell(t["result_2020"]), cell(t["target_2021"]), "|", "|", "|"]
    assert out == lines[start:end]


# -- PAR-2024-STRUCTURE --------------------------------------------------------------------------


def test_par_2024_structure_loads_with_every_max_unknown():
    fw, _ = load_framework("PAR-2024-STRUCTURE")
    assert fw.years == [2024] and fw.template is False
    assert [n.code for n in fw.nodes] == ["1", "2", "3", "4", "5", "6", "7", "8"]
    assert all(node.max is None for node, _ in fw.walk())
    items = [node for node, depth in fw.walk() if depth == 1]
    assert len(items) == 38
    assert all(n.code.startswith(("PL1 TC ", "PL1 TCTP ", "PL2 TC ", "PL2 TCTP ")) for n in items)
    assert fw.note and "Chưa biết" in fw.note
    assert all(n.note and n.note.startswith("Bản in: ") for n in items)


def test_par_2024_survey_items_are_external():
    fw, _ = load_framework("PAR-2024-STRUCTURE")
    for node in leaves(fw):
        survey = "(Điều tra XHH)" in node.title or node.code == "PL2 TC 7.1"
        assert (node.method.type == "external") == survey, node.code


# -- agency templates ----------------------------------------------------------------------------

BANDS = [
    ("Xuất sắc", Decimal(90)),
    ("Tốt", Decimal(80)),
    ("Khá", Decimal(70)),
    ("Trung bình", Decimal(50)),
    ("Yếu", Decimal(0)),
]


@pytest.mark.parametrize(
    ("name", "kind"), [("AGENCY-DEPT-TEMPLATE", "department"), ("AGENCY-COMMUNE-TEMPLATE", "commune")]
)
def test_agency_templates_total_exactly_100(name, kind):
    fw, findings = load_framework(name)
    assert findings == []  # no errors, and no warnings either (every parent adds up)
    assert fw.template is True and fw.subject_kind == kind
    assert fw.total_max == Decimal(100)
    assert sum((n.max for n in fw.nodes), Decimal(0)) == Decimal(100)
    assert sum((n.max for n in leaves(fw)), Decimal(0)) == Decimal(100)
    for node, _ in fw.walk():
        assert node.max is not None, node.code
        if node.children:
            assert sum((c.max for c in node.children), Decimal(0)) == node.max, node.code
    assert [(b.label, b.min) for b in fw.bands] == BANDS
    assert len(fw.nodes) == 8


@pytest.mark.parametrize("name", ["AGENCY-DEPT-TEMPLATE", "AGENCY-COMMUNE-TEMPLATE"])
def test_agency_templates_mix_the_methods(name):
    fw, _ = load_framework(name)
    types = {n.method.type for n in leaves(fw)}
    assert {"manual", "yes_no", "threshold", "proportional", "external", "indicator"} <= types
    read = [n for n in leaves(fw) if n.method.type == "indicator"]
    assert [n.method.indicator for n in read] == [
        "plans.completion_rate", "dossiers.on_time_rate", "dossiers.late_apology_rate", "dossiers.digitised_rate",
    ]
    assert read[1].method.rule.full_at == Decimal(100) and read[1].method.rule.floor is not None
    assert read[2].method.rule.type == "threshold" and read[2].method.rule.zero_denominator == "max"
    from cchc.core import indicators

    assert all(indicators.known(n.method.indicator) for n in read)  # the plans and dossiers modules provide them
