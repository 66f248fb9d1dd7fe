"""Turning scorecards and rankings into tables (for the command line and exports)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from cchc.core.exports import Table

from .model import fmt_points, round_points


def p(value):
    """A number for a table: Decimal rounded half up to 2 places (exports keep it numeric)."""
    return None if value is None else round_points(value)


def cell_text(value) -> str:
    """A table cell as the terminal shows it: points with a comma."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return fmt_points(value)
    return str(value)


def scorecard_table(card) -> Table:
    """The scorecard as the documents print it: computed sums beside the printed values."""
    columns = [_("Code"), _("Criterion"), _("Max"), _("Score (computed)")]
    columns += [label for label, _values in card.printed]
    if card.declared:
        columns.append(_("Differs"))
    columns += [_("Last year"), _("Change"), _("Target"), _("Gap to target"), _("Points lost")]
    text_keys = [k for k in ("time_frame", "lead", "coordinating") if card.text_columns.get(k)]
    labels = {"time_frame": _("Time frame"), "lead": _("Lead agency"), "coordinating": _("Coordinating agencies")}
    columns += [labels[k] for k in text_keys]
    rows = []
    for row in card.rows:
        line = [row.code, row.title, p(row.max), p(row.score)]
        line += [p(values.get(row.code)) for _label, values in card.printed]
        if card.declared:
            printed = card.declared.get(row.code)
            differs = printed is not None and row.score is not None and round_points(printed) != round_points(row.score)
            line.append("≠" if differs else "")
        line += [p(row.last_year), p(row.change), p(row.target), p(row.gap), p(row.lost)]
        line += [card.text_columns[k].get(row.code, "") for k in text_keys]
        rows.append(line)
    return Table(
        title=f"{card.framework.code} — {card.framework.name}"[:200],
        subtitle=f"{card.subject.name} · {card.year}",
        columns=columns,
        rows=rows,
        filename=f"scorecard-{card.framework.code}-{card.subject.code}-{card.year}",
    )


def ranking_table(fw, year, rows) -> Table:
    return Table(
        title=_("Ranking %(framework)s, %(year)s") % {"framework": fw.code, "year": year},
        subtitle=fw.name,
        columns=[_("Rank"), _("Code"), _("Unit"), _("Score"), _("Max"), _("Index (%)"), _("Band")],
        rows=[
            [r.rank if r.rank is not None else "", r.subject.code, r.subject.name, p(r.score), p(r.max),
             p(r.index), r.band.label if r.band else ""]
            for r in rows
        ],
        filename=f"ranking-{fw.code}-{year}",
    )
