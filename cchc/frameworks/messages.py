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
