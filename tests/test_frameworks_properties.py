"""Properties of the engine and the file format over random frameworks (hypothesis)."""

from __future__ import annotations

from decimal import Decimal as D
from fractions import Fraction
from math import floor
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cchc.frameworks.engine import NodeResult, compute, rank
from cchc.frameworks.fileformat import dump, load
from cchc.frameworks.methods import (
    External,
    Indicator,
    Manual,
    Method,
    Proportional,
    Step,
    Threshold,
    YesNo,
    input_kind,
)
from cchc.frameworks.model import Band, Framework, Node, fmt_points, round_points

SETTINGS = settings(max_examples=150, deadline=None)

points = st.decimals(min_value=D("0.25"), max_value=D("5"), places=2)
percents = st.decimals(min_value=D(0), max_value=D(100), places=1)
titles = st.text(min_size=1, max_size=30).filter(lambda s: s.strip())


@st.composite
def step_lists(draw: Any, max_: D, mins: st.SearchStrategy) -> tuple[Step, ...]:
    values = sorted(set(draw(st.lists(mins, min_size=1, max_size=4))), reverse=True)
    awarded = sorted(draw(st.lists(st.decimals(min_value=D(0), max_value=max_, places=2),
                                   min_size=len(values), max_size=len(values))), reverse=True)
    steps = [Step(m, p) for m, p in zip(values, awarded, strict=True)]
    if draw(st.booleans()):
        steps[0] = Step(steps[0].min, "max")
    return tuple(steps)


@st.composite
def methods(draw: Any, max_: D) -> Method:
    kind = draw(st.sampled_from(["manual", "yes_no", "count", "rate", "proportional", "external",
                                 "indicator"]))
    zero = draw(st.sampled_from([None, "none", "zero", "max"]))
    if kind == "manual":
        return Manual()
    if kind == "yes_no":
        return YesNo()
    if kind == "count":
        return Threshold("count", draw(step_lists(max_, st.integers(0, 10).map(D))))
    if kind == "rate":
        return Threshold("rate", draw(step_lists(max_, percents)), zero)
    if kind == "external":
        return External("Bộ Nội vụ")
    full_at = draw(st.none() | st.decimals(min_value=D(1), max_value=D(100), places=0))
    floor_ = draw(st.none() | st.decimals(min_value=D(0), max_value=full_at or D(100), places=0))
    proportional = Proportional(floor_, full_at, zero)
    if kind == "proportional":
        return proportional
    rule = draw(st.sampled_from([proportional, Threshold("rate", draw(step_lists(max_, percents)))]))
    return Indicator("dossiers.on_time_rate", rule)


@st.composite
def trees(draw: Any, code: str, depth: int) -> Node:
    if depth >= 2 or draw(st.integers(0, 2)) == 0:
        max_ = draw(points)
        return Node(code, draw(titles), max_, method=draw(methods(max_)))
    children = [draw(trees(f"{code}.{i}", depth + 1)) for i in range(1, draw(st.integers(1, 3)) + 1)]
    total = sum((c.max for c in children), D(0))
    # mostly the sum of the children; sometimes another max, so that parents get capped
    max_ = draw(st.sampled_from([total, total]) | points | st.just(total / 2))
    return Node(code, draw(titles), max_, children=children)


@st.composite
def frameworks(draw: Any) -> Framework:
    roots = [draw(trees(str(i), 0)) for i in range(1, draw(st.integers(1, 3)) + 1)]
    return Framework(code="P-1", version=1, name=draw(titles), subject_kind="province", years=[2024],
                     nodes=roots, bands=[Band("A", "A", D(90)), Band("B", "B", D(80))])


def value_for(draw: Any, node: Node) -> Any:
    kind = input_kind(node.method)
    if kind == "bool":
        return draw(st.booleans())
    if kind == "count":
        return draw(st.integers(0, 12))
    if kind == "rate":
        denominator = draw(st.integers(0, 40))
        if draw(st.booleans()):
            return draw(st.decimals(min_value=D(0), max_value=D(120), places=2))
        return (draw(st.integers(0, 48)), denominator)
    return draw(st.decimals(min_value=D(0), max_value=node.max, places=3))


def raised(draw: Any, node: Node, value: Any) -> Any:
    """A value at least as good as ``value`` for this leaf."""
    if value is None:
        return value_for(draw, node)
    kind = input_kind(node.method)
    if kind == "bool":
        return True if draw(st.booleans()) else value
    if kind == "count":
        return value + draw(st.integers(0, 5))
    if isinstance(value, tuple):
        numerator, denominator = value
        if denominator == 0:
            return value
        return (numerator + draw(st.integers(0, 20)), denominator)
    if kind == "rate":
        return value + draw(st.decimals(min_value=D(0), max_value=D(50), places=2))
    return draw(st.decimals(min_value=value, max_value=node.max, places=3))


@st.composite
def scored_frameworks(draw: Any) -> tuple[Framework, dict[str, Any]]:
    framework = draw(frameworks())
    inputs = {}
    for leaf in framework.leaves():
        if draw(st.integers(0, 5)):
            inputs[leaf.code] = value_for(draw, leaf)
        else:
            inputs[leaf.code] = None
    return framework, inputs


def _sum(values: list[D | None]) -> D | None:
    known = [v for v in values if v is not None]
    return sum(known, D(0)) if known else None


def _parents(result: Any) -> list[NodeResult]:
    return [n for n in result.walk() if not n.is_leaf]


@SETTINGS
@given(scored_frameworks())
def test_a_parent_equals_the_sum_of_its_uncapped_children(case):
    framework, inputs = case
    result = compute(framework, inputs)
    for parent in _parents(result):
        final_sum = _sum([c.final for c in parent.children])
        self_sum = _sum([c.score for c in parent.children])
        assert parent.raw_sum == final_sum
        assert parent.raw_self_sum == self_sum
        if not parent.capped:
            assert parent.final == final_sum
            assert parent.score == self_sum
        else:
            assert parent.final == min(final_sum, parent.max)
            assert final_sum > parent.max
    roots = result.roots
    assert result.final == _sum([r.final for r in roots])
    assert result.score == _sum([r.score for r in roots])


@SETTINGS
@given(scored_frameworks())
def test_scores_stay_within_zero_and_max(case):
    framework, inputs = case
    result = compute(framework, inputs)
    for node in result.walk():
        for value in (node.score, node.external_score, node.final):
            if value is not None:
                assert D(0) <= value <= node.max, node
        if node.index is not None:
            assert D(0) <= node.index <= D(100)
        if node.is_leaf:
            assert node.explanation is not None
    if result.index is not None:
        assert D(0) <= result.index <= D(100)


@SETTINGS
@given(scored_frameworks(), st.data(),
       st.lists(st.decimals(min_value=D(0), max_value=D(100), places=2), max_size=8))
def test_raising_one_input_never_lowers_the_total_nor_the_rank(case, data, others):
    framework, inputs = case
    leaf = data.draw(st.sampled_from(framework.leaves()))
    better = dict(inputs)
    better[leaf.code] = raised(data.draw, leaf, inputs[leaf.code])
    before, after = compute(framework, inputs), compute(framework, better)
    assert (after.final or D(0)) >= (before.final or D(0))
    assert (after.score or D(0)) >= (before.score or D(0))
    if before.index is not None:
        assert after.index >= before.index

    def my_rank(index: D | None) -> float:
        rows = rank([(f"other {i}", v) for i, v in enumerate(others)] + [("me", index)])
        position = next(r.rank for r in rows if r.subject == "me")
        return float("inf") if position is None else position

    assert my_rank(after.index) <= my_rank(before.index)


@SETTINGS
@given(frameworks())
def test_dump_then_load_gives_the_same_framework(framework):
    text = dump(framework)
    loaded, findings = load(text)
    assert loaded is not None, findings
    assert loaded == framework
    assert dump(loaded) == text
    assert all(f.code == "children_sum_mismatch" for f in findings)


def _half_up(value: D) -> D:
    exact = abs(Fraction(value)) * 100
    cents = floor(exact + Fraction(1, 2))
    return (D(cents) / 100 * (-1 if value < 0 else 1)).quantize(D("0.01"))


@settings(max_examples=300)
@given(st.decimals(min_value=D(-1000), max_value=D(1000), places=4))
def test_round_half_up_matches_exact_arithmetic(value):
    assert round_points(value) == _half_up(value)
    text = fmt_points(value)
    assert "." not in text and text.count(",") == 1 and len(text.split(",")[1]) == 2
    assert fmt_points(value, sep=".").replace(".", ",") == text


@SETTINGS
@given(st.lists(st.tuples(st.integers(), st.none() | st.decimals(min_value=D(0), max_value=D(100),
                                                                  places=3)), max_size=12))
def test_rank_is_competition_ranking(items):
    rows = rank(items, [Band("A", "A", D(90)), Band("B", "B", D(0))])
    assert len(rows) == len(items)
    shown = [round_points(r.index) for r in rows if r.index is not None]
    assert shown == sorted(shown, reverse=True)
    for row in rows:
        if row.index is None:
            assert row.rank is None and row.band is None
        else:
            mine = round_points(row.index)
            assert row.rank == 1 + sum(1 for v in shown if v > mine)
            assert row.tied == (shown.count(mine) > 1)
            assert row.band.code == ("A" if mine >= 90 else "B")
    assert [r.index is None for r in rows] == sorted(r.index is None for r in rows)
