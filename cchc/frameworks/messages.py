"""Findings of the pure core in the user's language.

The core gives each finding a stable code and its numbers; this module says it in
Vietnamese (or English) for pages, exports and the command line. Codes without a
sentence here fall back to the core's English message.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from .model import Finding, fmt_points


def _n(value) -> str:
    if value is None or value == "None":
        return "—"
    return fmt_points(value if isinstance(value, (Decimal, int)) else Decimal(str(value)))


def describe(finding: Finding) -> str:
    p = finding.params or {}
    node = finding.node
    column = p.get("column")
    if finding.code == "declared_subtotal_mismatch":
        if node is None:
            text = _("The document prints a total of %(declared)s, but its lines add up to %(computed)s.")
        else:
            text = _("%(node)s: the document prints %(declared)s, but its parts add up to %(computed)s.")
        text = text % {"node": node, "declared": _n(p.get("declared")), "computed": _n(p.get("computed"))}
        return f"{column}: {text}" if column else text
    if finding.code == "declared_without_score":
        return _("%(node)s: the document prints %(declared)s, but nothing is scored there.") % {"node": node, "declared": _n(p.get("declared"))}
    if finding.code == "children_sum_mismatch":
        return _("%(node)s: its sub-criteria add up to %(sum)s points, but its max is %(max)s.") % {
            "node": node, "sum": _n(p.get("children_sum")), "max": _n(p.get("declared"))}
    if finding.code == "total_max_mismatch":
        return _("The declared total is %(declared)s points, but the domains add up to %(computed)s.") % {
            "declared": _n(p.get("declared")), "computed": _n(p.get("computed"))}
    if finding.code == "capped":
        return _("%(node)s: its parts add up to %(sum)s, more than its max %(max)s; the score is capped at the max.") % {
            "node": node, "sum": _n(p.get("sum")), "max": _n(p.get("max"))}
    if finding.code in ("score_above_max", "negative_score"):
        return _("%(node)s: the score must be between 0 and the max.") % {"node": node}
    return finding.message


def method_label(method) -> str:
    """How a leaf is scored, in a sentence for the criteria tree."""
    from .method_types import External, Indicator, Proportional, Threshold, YesNo

    if method is None:
        return ""
    if isinstance(method, YesNo):
        return _("Yes/no: done = max points")
    if isinstance(method, Threshold):
        unit = "%" if method.input == "rate" else ""
        steps = "; ".join(
            f"≥ {fmt_points(step.min).removesuffix(',00')}{unit} → "
            + (_("max") if step.points == "max" else fmt_points(step.points))
            for step in method.steps
        )
        what = _("rate") if method.input == "rate" else _("count")
        return _("Threshold on a %(what)s: %(steps)s; otherwise 0") % {"what": what, "steps": steps}
    if isinstance(method, Proportional):
        text = _("Proportional to the rate, full marks at %(full)s%%") % {"full": fmt_points(method.full_at_value).removesuffix(",00")}
        if method.floor is not None:
            text += _("; 0 below %(floor)s%%") % {"floor": fmt_points(method.floor).removesuffix(",00")}
        return text
    if isinstance(method, External):
        return _("Scored by %(source)s") % {"source": method.source}
    if isinstance(method, Indicator):
        return _("From the indicator %(indicator)s: %(rule)s") % {"indicator": method.indicator, "rule": method_label(method.rule)}
    return _("Scored directly, 0 to max")
