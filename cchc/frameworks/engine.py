"""Computing a framework's scores from leaf inputs, and checking declared subtotals.

``compute(framework, inputs)`` scores every leaf with its method and sums upwards. Per node it
keeps the self-assessed score (external leaves excluded), the external score, the final score
(self + external, when known), the raw sum of the children before capping, whether the node was
capped at its max, and the index (final / max × 100). A score of None means nothing below the
node is scored yet; sums skip None.

Comparison rows, ranking and bands are in ``reports`` and re-exported here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from .method_types import External
from .methods import Explanation, score, to_decimal
from .model import Finding, Framework, Node, decimal_text, exact, fmt_points, round_points
from .raw import sentence, where
from .reports import RankRow, Row, band_for, comparison, rank, sort_rows

__all__ = [
    "NodeResult", "RankRow", "Result", "Row", "band_for", "compare_declared", "comparison",
    "compute", "fmt_points", "index_of", "rank", "round_points", "sort_rows",
]


@dataclass
class NodeResult:
    code: str
    title: str
    depth: int
    is_leaf: bool
    max: Decimal | None  # declared; None = unknown
    self_max: Decimal | None  # max of the self-assessed part (capped at max)
    external_max: Decimal | None  # max of the external part (capped at max)
    score: Decimal | None  # self-assessed, external excluded
    external_score: Decimal | None
    final: Decimal | None  # self + external when known, capped at max
    raw_sum: Decimal | None = None  # parents: sum of the children's final scores before capping
    raw_self_sum: Decimal | None = None  # parents: sum of the children's self scores
    capped: bool = False
    index: Decimal | None = None  # final / max × 100
    self_index: Decimal | None = None  # score / self_max × 100
    external: bool = False  # an external leaf
    external_pending: bool = False  # an external leaf at or below this node has no value yet
    leaves: int = 0
    scored_leaves: int = 0
    explanation: Explanation | None = None  # leaves only
    children: list[NodeResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def walk(self) -> Iterable[NodeResult]:
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Result:
    framework: Framework
    roots: list[NodeResult]
    nodes: dict[str, NodeResult]
    max: Decimal | None
    self_max: Decimal | None
    external_max: Decimal | None
    score: Decimal | None
    external_score: Decimal | None
    final: Decimal | None
    index: Decimal | None  # final / max × 100
    self_index: Decimal | None  # score / self_max × 100
    external_pending: bool
    findings: list[Finding]

    def __getitem__(self, code: str) -> NodeResult:
        return self.nodes[code]

    def walk(self) -> Iterable[NodeResult]:
        for root in self.roots:
            yield from root.walk()


def index_of(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    """part / whole × 100, exact to 10 decimal places; None when unknown or whole is 0."""
    if part is None or whole is None or whole == 0:
        return None
    return to_decimal(Fraction(part) * 100 / Fraction(whole))


def _sum(values: Iterable[Decimal | None]) -> Decimal | None:
    """Sum skipping None; None when every value is None."""
    known = [v for v in values if v is not None]
    return sum(known, Decimal(0)) if known else None


def _sum_all(values: Iterable[Decimal | None]) -> Decimal | None:
    """Sum; None when any value is None (an unknown max)."""
    values = list(values)
    return None if any(v is None for v in values) else sum(values, Decimal(0))  # type: ignore[arg-type]


def _cap(value: Decimal | None, max_: Decimal | None) -> Decimal | None:
    return value if value is None or max_ is None else min(value, max_)


@exact
def compute(framework: Framework, inputs: Mapping[str, Any]) -> Result:
    """Score a framework. ``inputs`` maps leaf codes to a Decimal, a bool, a (numerator,
    denominator) pair or None (not scored). Problems with inputs become findings on the result."""
    findings: list[Finding] = []
    by_code = framework.by_code()
    for code in inputs:
        node = by_code.get(code)
        if node is None:
            findings.append(Finding("unknown_code", f"There is no node {code!r} in framework "
                                    f"{framework.code}; its input is ignored.", None, code,
                                    {"code": code}))
        elif not node.is_leaf:
            findings.append(Finding("not_a_leaf", sentence(where(None, code), "it has children, so "
                                    "its score is their sum and its input is ignored."), None, code,
                                    {"code": code}))
    nodes: dict[str, NodeResult] = {}
    roots = [_node(root, 0, inputs, nodes, findings) for root in framework.nodes]
    max_ = _sum_all(r.max for r in roots)
    if max_ is None:
        max_ = framework.total_max
    self_max = _sum_all(r.self_max for r in roots)
    score_ = _sum(r.score for r in roots)
    final = _sum(r.final for r in roots)
    return Result(
        framework=framework, roots=roots, nodes=nodes, max=max_, self_max=self_max,
        external_max=_sum_all(r.external_max for r in roots), score=score_,
        external_score=_sum(r.external_score for r in roots), final=final,
        index=index_of(final, max_), self_index=index_of(score_, self_max),
        external_pending=any(r.external_pending for r in roots), findings=findings,
    )


def _node(node: Node, depth: int, inputs: Mapping[str, Any], out: dict[str, NodeResult],
          findings: list[Finding]) -> NodeResult:
    if node.is_leaf:
        result = _leaf(node, depth, inputs.get(node.code))
        findings.extend(result.findings)
    else:
        children = [_node(child, depth + 1, inputs, out, findings) for child in node.children]
        result = _parent(node, depth, children)
    out[node.code] = result
    return result


def _leaf(node: Node, depth: int, value: Any) -> NodeResult:
    assert node.method is not None
    scored = score(node.method, node.max, value, node.code)
    external = isinstance(node.method, External)
    zero = Decimal(0)
    return NodeResult(
        code=node.code, title=node.title, depth=depth, is_leaf=True, max=node.max,
        self_max=zero if external else node.max, external_max=node.max if external else zero,
        score=None if external else scored.score,
        external_score=scored.score if external else None, final=scored.score,
        index=index_of(scored.score, node.max),
        self_index=None if external else index_of(scored.score, node.max),
        external=external, external_pending=external and scored.score is None,
        leaves=1, scored_leaves=int(scored.score is not None),
        explanation=scored.explanation, findings=scored.findings,
    )


def _parent(node: Node, depth: int, children: list[NodeResult]) -> NodeResult:
    max_ = node.max
    raw_self = _sum(c.score for c in children)
    raw_external = _sum(c.external_score for c in children)
    raw_sum = _sum(c.final for c in children)
    final = _cap(raw_sum, max_)
    self_ = _cap(raw_self, max_)
    self_max = _cap(_sum_all(c.self_max for c in children), max_)
    return NodeResult(
        code=node.code, title=node.title, depth=depth, is_leaf=False, max=max_,
        self_max=self_max, external_max=_cap(_sum_all(c.external_max for c in children), max_),
        score=self_, external_score=_cap(raw_external, max_), final=final,
        raw_sum=raw_sum, raw_self_sum=raw_self, capped=final != raw_sum or self_ != raw_self,
        index=index_of(final, max_), self_index=index_of(self_, self_max),
        external_pending=any(c.external_pending for c in children),
        leaves=sum(c.leaves for c in children),
        scored_leaves=sum(c.scored_leaves for c in children), children=children,
    )


@exact
def compare_declared(result: Result, declared: Mapping[str, Decimal], places: int = 2,
                     total: Decimal | None = None) -> list[Finding]:
    """Compare values printed in a document (subtotals, totals of lines) with the computed final
    scores; ``total`` is the document's grand total, if any. Both sides are rounded half up to
    ``places`` decimals before comparing, since documents print rounded numbers. Gives
    "declared_subtotal_mismatch" (both numbers in params), "declared_without_score" (warnings) and
    "unknown_code" (error) findings."""
    findings: list[Finding] = []
    if total is not None and (result.final is None
                              or _rounded(total, places) != _rounded(result.final, places)):
        shown = "nothing scored" if result.final is None else fmt_points(result.final, ".")
        findings.append(Finding(
            "declared_subtotal_mismatch",
            f"The document declares a total of {decimal_text(total)} but the computed total is "
            f"{shown}.", None, None, {"declared": total, "computed": result.final, "raw_sum": None,
                                      "capped": False}, "warning"))
    nodes = result.framework.by_code()
    for code, value in declared.items():
        node = nodes.get(code)
        if node is None:
            findings.append(Finding("unknown_code", f"There is no node {code!r} in framework "
                                    f"{result.framework.code}; its declared value is ignored.", None,
                                    code, {"code": code}))
            continue
        computed = result.nodes[code]
        place = where(node.line, code)
        if computed.final is None:
            findings.append(Finding(
                "declared_without_score",
                sentence(place, f"the document declares {decimal_text(value)} but nothing is scored "
                         "here."), node.line, code, {"declared": value}, "warning"))
            continue
        if _rounded(value, places) == _rounded(computed.final, places):
            continue
        what = "the entered score" if computed.is_leaf else "the sum of its children"
        if computed.capped:
            what += f" {fmt_points(computed.raw_sum, '.')}, capped at the max"
        findings.append(Finding(
            "declared_subtotal_mismatch",
            sentence(place, f"the document declares {decimal_text(value)} but the computed value is "
                     f"{fmt_points(computed.final, '.')} ({what})."), node.line, code,
            {"declared": value, "computed": computed.final, "raw_sum": computed.raw_sum,
             "capped": computed.capped}, "warning"))
    return findings


def _rounded(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
