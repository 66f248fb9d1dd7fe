"""Analysis of assessment rounds: where a subject loses points, the province's monthly trend,
the reform office's matrix of criteria and subjects, and the standings a notice publishes.

Numbers only, no HTTP. Every function takes whoever asks (a request, a user or a principal, as
``access.principal_of`` accepts) and reads only the submissions the access layer lets them see:
a reader who sees part of a subject gets the analysis of that part, one who sees nothing gets
``None`` (the page answers 404).

Scores: the *self* score is what the unit entered; the *final* score is the appraised score
where the appraiser gave one, the self score otherwise (``Entry.final_score``). Parents are
summed (and capped) by the scoring engine, never here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from cchc.core import access
from cchc.frameworks import engine, reports
from cchc.frameworks.method_types import External
from cchc.frameworks.model import Band, code_sort_key
from cchc.frameworks.models import Score
from cchc.frameworks.services import compute_scores, points_definition, scores_for, targets_for
from cchc.orgs.models import OrgUnit, UnitType

from .models import (
    Cycle,
    CycleKind,
    Entry,
    Round,
    RoundKind,
    RoundState,
    Submission,
    SubmissionState,
)
from .services import final_points, self_points, today

ZERO = Decimal(0)

#: Why a leaf is listed in the gap analysis (keys of ``GapRow.reasons``).
REASONS = {
    "max": _("below the max"),
    "target": _("below the target"),
    "month": _("lower than last month"),
    "year": _("lower than last year"),
}

#: The heatmap's colour scale: (lowest percent of the max, background, text colour), high to low.
HEAT_SCALE: tuple[tuple[Decimal, str, str], ...] = (
    (Decimal(90), "#1a7f37", "#ffffff"),
    (Decimal(80), "#7cc47f", "#000000"),
    (Decimal(70), "#f2d45c", "#000000"),
    (Decimal(50), "#f39c4a", "#000000"),
    (Decimal(0), "#d9534f", "#ffffff"),
)
HEAT_NONE = ("#e9ecef", "#6c757d")  # not scored


# --- common -------------------------------------------------------------------------------


def visible_submissions(who, round_: Round, **filters):
    """The round's submissions the access layer shows to ``who``."""
    return access.scoped(who, round_.submissions.filter(**filters)).select_related("subject", "owner")


def previous_round(round_: Round) -> Round | None:
    """Last month's round: the monthly round before this one (for the annual round, the last monthly one)."""
    monthly = round_.cycle.rounds.filter(kind=RoundKind.MONTHLY)
    if round_.kind == RoundKind.MONTHLY:
        monthly = monthly.filter(month__lt=round_.month)
    return monthly.order_by("-month").first()


def _entries(submissions):
    return list(Entry.objects.filter(submission__in=submissions).select_related("criterion", "submission__owner"))


def _leads(cycle: Cycle) -> dict[str, OrgUnit]:
    return {d.domain: d.unit for d in cycle.domain_leads.select_related("unit")}


def _domain_of(definition) -> dict[str, str]:
    """Every node's code -> the code of its domain (top-level node)."""
    return {node.code: root.code for root in definition.nodes for node, _depth in root.walk()}


def _responsible_notes(definition) -> dict[str, str]:
    """Every node's code -> the ``responsible`` text of the framework, inherited from its parents."""
    notes: dict[str, str] = {}

    def visit(node, inherited: str) -> None:
        text = node.responsible or inherited
        notes[node.code] = text
        for child in node.children:
            visit(child, text)

    for root in definition.nodes:
        visit(root, "")
    return notes


def _minus(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    return None if a is None or b is None else a - b


def sees_drafts(who, framework, subject: OrgUnit) -> bool:
    """May ``who`` read the subject's unpublished scores (targets, last year's inputs)?"""
    return access.can(who, "view", Score(framework=framework, subject=subject, published=False))


def province_of(cycle: Cycle) -> OrgUnit | None:
    """The province a cycle belongs to: its subject (provincial) or its subjects' province."""
    subjects = list(cycle.subjects.select_related("province"))
    for unit in subjects:
        if unit.type == UnitType.PROVINCE:
            return unit
    for unit in subjects:
        if unit.province_id:
            return unit.province
    return None


# --- gap analysis -------------------------------------------------------------------------


@dataclass
class GapRow:
    """One leaf where points are lost, with what it is compared to."""

    code: str
    title: str
    domain: str
    max: Decimal | None
    self_score: Decimal | None
    appraised: Decimal | None
    final: Decimal | None  # None: not scored (counted as 0 in the comparisons)
    at_stake: Decimal  # max − final
    target: Decimal | None
    to_target: Decimal | None  # target − final
    last_month: Decimal | None
    month_change: Decimal | None  # final − last month
    last_year: Decimal | None
    year_change: Decimal | None  # final − last year
    reasons: tuple[str, ...]
    entry: Entry
    submission: Submission
    responsible: OrgUnit
    responsible_note: str = ""

    @property
    def reason_labels(self) -> list[str]:
        return [str(REASONS[r]) for r in self.reasons]


@dataclass
class DomainLine:
    code: str
    title: str
    max: Decimal | None
    self_score: Decimal | None
    final: Decimal | None
    at_stake: Decimal | None
    target: Decimal | None
    last_month: Decimal | None
    last_year: Decimal | None
    responsible: OrgUnit | None


@dataclass
class GapAnalysis:
    round: Round
    subject: OrgUnit
    rows: list[GapRow]
    domains: list[DomainLine]
    previous: Round | None  # the round "last month" refers to, when the reader sees any of it
    last_year: int | None  # the year "last year" refers to, when it has scores
    has_targets: bool
    partial: bool  # the reader sees only some of the subject's submissions
    total_max: Decimal | None
    total_final: Decimal | None

    @property
    def total_at_stake(self) -> Decimal:
        return sum((r.at_stake for r in self.rows), ZERO)


def gap_analysis(who, round_: Round, subject: OrgUnit) -> GapAnalysis | None:
    """Every leaf of ``subject`` in ``round_`` below its max, below its target, lower than last month
    or lower than last year, sorted by the points at stake (max − final), most first."""
    cycle = round_.cycle
    fw = cycle.framework
    submissions = list(visible_submissions(who, round_, subject=subject))
    if not submissions:
        return None
    partial = round_.submissions.filter(subject=subject).count() > len(submissions)
    definition = points_definition(fw)
    nodes = definition.by_code()
    domain_of = _domain_of(definition)
    notes = _responsible_notes(definition)
    leads = _leads(cycle)

    entries = _entries(submissions)
    current = engine.compute(definition, final_points(entries))
    own = engine.compute(definition, self_points(entries))

    previous = previous_round(round_)
    before: dict[str, Decimal | None] = {}
    if previous is not None:
        previous_entries = _entries(visible_submissions(who, previous, subject=subject))
        if previous_entries:
            before = {c: n.final for c, n in engine.compute(definition, final_points(previous_entries)).nodes.items()}
        else:
            previous = None

    published_only = not sees_drafts(who, fw, subject)
    last = compute_scores(fw, scores_for(fw, subject, cycle.year - 1, published_only=published_only))
    has_last = any(r.scored_leaves for r in last.roots)
    last_year = {c: n.final for c, n in last.nodes.items()} if has_last else {}
    targets = targets_for(fw, subject, cycle.year, published_only=published_only)

    rows = []
    for entry in entries:
        code = entry.criterion.code
        node = nodes.get(code)
        if node is None or not node.is_leaf:
            continue
        final = entry.final_score
        value = final if final is not None else ZERO
        target, month, year = targets.get(code), before.get(code), last_year.get(code)
        reasons = []
        if node.max is not None and value < node.max:
            reasons.append("max")
        if target is not None and value < target:
            reasons.append("target")
        if month is not None and value < month:
            reasons.append("month")
        if year is not None and value < year:
            reasons.append("year")
        if not reasons:
            continue
        domain = domain_of[code]
        responsible = leads.get(domain, entry.submission.owner) if cycle.kind == CycleKind.PROVINCIAL else entry.submission.owner
        rows.append(GapRow(
            code=code, title=node.title, domain=domain, max=node.max, self_score=entry.self_score,
            appraised=entry.appraised_score, final=final,
            at_stake=max(ZERO, node.max - value) if node.max is not None else ZERO,
            target=target, to_target=_minus(target, value) if target is not None else None,
            last_month=month, month_change=_minus(final, month), last_year=year, year_change=_minus(final, year),
            reasons=tuple(reasons), entry=entry, submission=entry.submission, responsible=responsible,
            responsible_note=notes.get(code, ""),
        ))
    rows.sort(key=lambda r: (-r.at_stake, code_sort_key(r.code)))

    seen_domains = {s.domain for s in submissions}
    domains = []
    for root in definition.nodes:
        if "" not in seen_domains and root.code not in seen_domains:
            continue
        node = current.nodes[root.code]
        domains.append(DomainLine(
            code=root.code, title=root.title, max=root.max, self_score=own.nodes[root.code].final, final=node.final,
            at_stake=_minus(root.max, node.final or ZERO), target=targets.get(root.code),
            last_month=before.get(root.code), last_year=last_year.get(root.code),
            responsible=leads.get(root.code) if cycle.kind == CycleKind.PROVINCIAL else submissions[0].owner,
        ))
    return GapAnalysis(
        round=round_, subject=subject, rows=rows, domains=domains, previous=previous,
        last_year=cycle.year - 1 if has_last else None, has_targets=bool(targets), partial=partial,
        total_max=sum((d.max for d in domains if d.max is not None), ZERO),
        total_final=sum((d.final for d in domains if d.final is not None), ZERO),
    )


# --- trend of the province ----------------------------------------------------------------


@dataclass
class TrendLine:
    """One domain month by month."""

    code: str
    title: str
    max: Decimal | None
    lead: OrgUnit | None
    values: dict[int, Decimal | None] = field(default_factory=dict)  # month -> self-assessed score
    finals: dict[int, Decimal | None] = field(default_factory=dict)  # month -> final score
    pending: set[int] = field(default_factory=set)  # months whose submission was never sent
    projected: Decimal | None = None
    projected_from: int | None = None  # the month whose final score is carried forward
    target: Decimal | None = None

    def value(self, month: int) -> Decimal | None:
        return self.values.get(month)


@dataclass
class OpenItem:
    submission: Submission
    days_left: int  # deadline − today; negative when past the deadline

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def days_late(self) -> int:
        return max(0, -self.days_left)


@dataclass
class OpenRound:
    round: Round
    items: list[OpenItem]  # the visible submissions not sent yet
    sent: int
    visible: int
    expected: int


@dataclass
class Trend:
    cycle: Cycle
    subject: OrgUnit
    months: list[int]
    rounds: dict[int, Round]
    lines: list[TrendLine]
    totals: dict[int, Decimal | None]  # self-assessed total; None when the reader does not see every domain
    total_max: Decimal | None
    projected_total: Decimal | None  # None unless every domain has a projection
    projected_index: Decimal | None
    projected_band: Band | None
    target_total: Decimal | None
    open_rounds: list[OpenRound]
    today: dt.date
    partial: bool = False  # some month has submissions the reader may not read


    @property
    def has_values(self) -> bool:
        return any(v is not None for line in self.lines for v in line.values.values())


def trend(who, cycle: Cycle, subject: OrgUnit) -> Trend:
    """The provincial index month by month: the self-assessed score of each domain, the total,
    the projected year-end score and what is still open.

    Projection rule: *if nothing changes*, each domain ends the year with the final score (appraised,
    or self-assessed where not appraised) of the latest month in which its lead agency sent it; the
    projected total is the sum over the domains (only when every domain has such a month).
    """
    definition = points_definition(cycle.framework)
    leads = _leads(cycle)
    rounds = list(cycle.rounds.filter(kind=RoundKind.MONTHLY).order_by("month"))
    by_month = {r.month: r for r in rounds}
    submissions = list(
        access.scoped(who, Submission.objects.filter(round__in=rounds, subject=subject)).select_related("round", "owner")
    )
    entries_by_submission: dict[int, list[Entry]] = {}
    for entry in Entry.objects.filter(submission__in=submissions).select_related("criterion"):
        entries_by_submission.setdefault(entry.submission_id, []).append(entry)
    roots = [root.code for root in definition.nodes]
    lines = {
        root.code: TrendLine(code=root.code, title=root.title, max=root.max, lead=leads.get(root.code))
        for root in definition.nodes
    }
    subs_by_round: dict[int, list[Submission]] = {}
    for sub in submissions:
        subs_by_round.setdefault(sub.round_id, []).append(sub)
    totals: dict[int, Decimal | None] = {}
    partial = Submission.objects.filter(round__in=rounds, subject=subject).count() > len(submissions)
    sent_finals: dict[str, dict[int, Decimal | None]] = {code: {} for code in roots}
    for round_ in rounds:
        subs = subs_by_round.get(round_.pk, [])
        entries = [e for sub in subs for e in entries_by_submission.get(sub.pk, [])]
        own = engine.compute(definition, self_points(entries))
        final = engine.compute(definition, final_points(entries))
        visible = set()
        for sub in subs:
            codes = roots if not sub.domain else [sub.domain]
            for code in codes:
                if code not in lines:
                    continue
                visible.add(code)
                line = lines[code]
                line.values[round_.month] = own.nodes[code].final
                line.finals[round_.month] = final.nodes[code].final
                if sub.submitted_at is not None:  # sent at least once (a never-sent draft stays out when locked)
                    sent_finals[code][round_.month] = final.nodes[code].final
                else:
                    line.pending.add(round_.month)
        totals[round_.month] = own.final if visible and visible >= set(roots) else None

    for code, line in lines.items():
        for month in sorted(sent_finals[code], reverse=True):
            if sent_finals[code][month] is not None:
                line.projected, line.projected_from = sent_finals[code][month], month
                break
    total_max = engine.compute(definition, {}).max
    projections = [line.projected for line in lines.values()]
    projected_total = sum(projections, ZERO) if projections and all(p is not None for p in projections) else None
    projected_index = engine.index_of(projected_total, total_max)

    targets = targets_for(cycle.framework, subject, cycle.year, published_only=not sees_drafts(who, cycle.framework, subject))
    for code, line in lines.items():
        line.target = targets.get(code)
    domain_targets = [line.target for line in lines.values()]
    target_total = sum(domain_targets, ZERO) if domain_targets and all(t is not None for t in domain_targets) else None

    return Trend(
        cycle=cycle, subject=subject, months=[r.month for r in rounds], rounds=by_month,
        lines=[lines[code] for code in roots], totals=totals, total_max=total_max,
        projected_total=projected_total, projected_index=projected_index,
        projected_band=reports.band_for(projected_index, definition.bands), target_total=target_total,
        open_rounds=open_rounds(who, cycle, subject), today=today(), partial=partial,
    )


def open_rounds(who, cycle: Cycle, subject: OrgUnit | None = None) -> list[OpenRound]:
    """The cycle's open rounds that have submissions: who has not sent yet, with the deadlines."""
    day = today()
    result = []
    for round_ in cycle.rounds.filter(state=RoundState.OPEN).order_by("deadline"):
        everything = round_.submissions.all()
        if subject is not None:
            everything = everything.filter(subject=subject)
        expected = everything.count()
        if not expected:
            continue
        visible = list(access.scoped(who, everything).select_related("subject", "owner").order_by("round__deadline", "domain", "subject__name"))
        items = [OpenItem(s, (round_.deadline - day).days) for s in visible if s.submitted_at is None]
        result.append(OpenRound(round_, items, sum(1 for s in visible if s.submitted_at is not None), len(visible), expected))
    return result


# --- matrix and standings -----------------------------------------------------------------


@dataclass
class HeatCell:
    code: str
    title: str
    subject: str  # the subject's label
    subject_key: str
    max: Decimal | None
    final: Decimal | None
    percent: Decimal | None
    background: str
    colour: str


def heat_colours(percent: Decimal | None) -> tuple[str, str]:
    """(background, text colour) of a percent of the max on the heatmap's scale."""
    if percent is None:
        return HEAT_NONE
    shown = percent.quantize(Decimal("0.01"))
    for low, background, colour in HEAT_SCALE:
        if shown >= low:
            return background, colour
    return HEAT_SCALE[-1][1], HEAT_SCALE[-1][2]


@dataclass
class Standing:
    """One subject of a round's ranking: a department (agency cycles) or a domain (provincial)."""

    key: str  # the domain code (provincial) or the unit's code (agency)
    label: str
    unit: OrgUnit  # the unit that enters the submission
    submission: Submission
    domain_title: str
    self_score: Decimal | None
    final: Decimal | None
    max: Decimal | None
    index: Decimal | None  # final / max × 100
    rank: int | None = None
    band: Band | None = None
    tied: bool = False
    appraised: int = 0  # entries with an appraised score
    lowered: int = 0  # entries appraised below their self score
    overclaim: Decimal = ZERO  # Σ (self − appraised) over the appraised entries
    result: engine.Result | None = None

    @property
    def entered_by(self) -> str:
        return self.unit.short_name or self.unit.name


@dataclass
class MatrixRow:
    head: object  # a criterion (agency cycles: a framework node) or a Standing (provincial)
    depth: int
    cells: list[HeatCell]


@dataclass
class Matrix:
    round: Round
    provincial: bool
    depth: int  # deepest level of criteria shown (0 = domains)
    standings: list[Standing]  # in the round's order (domain, or unit name)
    ranked: list[Standing]  # by rank
    overclaims: list[Standing]  # by self − appraised, most first
    rows: list[MatrixRow]
    bands: list[Band]
    partial: bool

    @property
    def cell_count(self) -> int:
        return sum(len(r.cells) for r in self.rows)


def standings(who, round_: Round, *, published_only: bool = False) -> tuple[list[Standing], bool] | None:
    """The visible subjects of a round with their self and final scores, ranked by final index
    (``reports.rank``, ties share a rank), and the over-claim (self − appraised) of each.
    None when the reader sees none of the round's submissions (and there are some).

    The over-claim leaves out the criteria scored by others (SIPAS, surveys): the unit does not
    score them, the reform office enters them at appraisal."""
    cycle = round_.cycle
    definition = points_definition(cycle.framework)
    nodes = definition.by_code()
    everything = round_.submissions.all()
    if published_only:
        everything = everything.filter(state=SubmissionState.PUBLISHED)
    submissions = list(access.scoped(who, everything).select_related("subject", "owner").order_by("subject__name", "domain"))
    total = everything.count()
    if total and not submissions:
        return None
    entries: dict[int, list[Entry]] = {}
    for entry in Entry.objects.filter(submission__in=submissions).select_related("criterion"):
        entries.setdefault(entry.submission_id, []).append(entry)
    provincial = cycle.kind == CycleKind.PROVINCIAL
    order = {root.code: i for i, root in enumerate(definition.nodes)}
    rows = []
    for sub in submissions:
        mine = entries.get(sub.pk, [])
        own = engine.compute(definition, self_points(mine))
        final = engine.compute(definition, final_points(mine))
        appraised = [
            e for e in mine
            if e.appraised_score is not None and not isinstance(getattr(nodes.get(e.criterion.code), "method", None), External)
        ]
        if provincial and sub.domain in nodes:
            node = nodes[sub.domain]
            key, label, title = sub.domain, f"{sub.domain}. {node.title}", node.title
            self_score, final_score, maximum = own.nodes[sub.domain].final, final.nodes[sub.domain].final, node.max
        else:
            key, label, title = sub.subject.code, sub.subject.name, ""
            self_score, final_score, maximum = own.final, final.final, final.max
        rows.append(Standing(
            key=key, label=label, unit=sub.owner, submission=sub, domain_title=title,
            self_score=self_score, final=final_score, max=maximum, index=engine.index_of(final_score, maximum),
            appraised=len(appraised),
            lowered=sum(1 for e in appraised if e.appraised_score < (e.self_score or ZERO)),
            overclaim=sum(((e.self_score or ZERO) - e.appraised_score for e in appraised), ZERO),
            result=final,
        ))
    if provincial:
        rows.sort(key=lambda s: (order.get(s.key, len(order)), s.label))
    ranks = {r.subject: r for r in reports.rank([(s.key, s.index) for s in rows], definition.bands)}
    for s in rows:
        r = ranks[s.key]
        s.rank, s.band, s.tied = r.rank, r.band, r.tied
    return rows, len(submissions) < total


def ranked(rows: list[Standing]) -> list[Standing]:
    return sorted(rows, key=lambda s: (s.rank is None, s.rank or 0, s.label.casefold()))


def matrix(who, round_: Round, depth: int = 1) -> Matrix | None:
    """Criteria × subjects of a round, each cell the final score as a percent of the max.

    Agency cycles: one row per criterion (down to ``depth``), one column per department.
    Provincial cycles: the subjects are the domains; each domain's row holds its own criteria.
    """
    found = standings(who, round_)
    if found is None:
        return None
    rows_, partial = found
    definition = points_definition(round_.cycle.framework)
    provincial = round_.cycle.kind == CycleKind.PROVINCIAL

    def cell(node, standing: Standing) -> HeatCell:
        result = standing.result.nodes.get(node.code) if standing.result is not None else None
        final = result.final if result is not None else None
        percent = result.index if result is not None else None
        background, colour = heat_colours(percent)
        return HeatCell(node.code, node.title, standing.label, standing.key, node.max, final, percent, background, colour)

    grid = []
    if provincial:
        by_code = definition.by_code()
        for standing in rows_:
            root = by_code.get(standing.key)
            if root is None:
                continue
            cells = [cell(node, standing) for node, d in root.walk() if 1 <= d <= depth]
            if not cells:  # a domain without criteria is its own cell
                cells = [cell(root, standing)]
            grid.append(MatrixRow(standing, 0, cells))
    else:
        for node, d in definition.walk():
            if d <= depth:
                grid.append(MatrixRow(node, d, [cell(node, s) for s in rows_]))
    return Matrix(
        round=round_, provincial=provincial, depth=depth, standings=rows_, ranked=ranked(rows_),
        overclaims=sorted(rows_, key=lambda s: (-s.overclaim, -s.lowered, s.label.casefold())),
        rows=grid, bands=list(definition.bands), partial=partial,
    )


def framework_depth(round_: Round) -> int:
    """The deepest level of the round's framework (0 = domains only)."""
    return max((d for _node, d in round_.cycle.framework.definition.walk()), default=0)


# --- publication notice -------------------------------------------------------------------


@dataclass
class Notice:
    round: Round
    province: OrgUnit | None
    rows: list[Standing]  # by rank: the published submissions
    provincial: bool
    left_out: list[Submission]  # visible to the reader, never sent: not published, not in the notice
    self_total: Decimal | None  # provincial: the province's totals
    final_total: Decimal | None
    total_max: Decimal | None

    @property
    def total_index(self) -> Decimal | None:
        return engine.index_of(self.final_total, self.total_max)


def notice(who, round_: Round) -> Notice | None:
    """The ranking a published round announces: its published submissions (the same for every
    reader). None for a round that is not published."""
    if round_.state != RoundState.PUBLISHED:
        return None
    found = standings(who, round_, published_only=True)
    if found is None:
        return None
    rows_, _partial = found
    left_out = list(visible_submissions(who, round_).exclude(state=SubmissionState.PUBLISHED).order_by("domain", "subject__name"))
    provincial = round_.cycle.kind == CycleKind.PROVINCIAL
    self_total = final_total = total_max = None
    if provincial and rows_:
        self_total = sum((s.self_score for s in rows_ if s.self_score is not None), ZERO)
        final_total = sum((s.final for s in rows_ if s.final is not None), ZERO)
        total_max = engine.compute(points_definition(round_.cycle.framework), {}).max
    return Notice(
        round=round_, province=province_of(round_.cycle), rows=ranked(rows_), provincial=provincial, left_out=left_out,
        self_total=self_total, final_total=final_total, total_max=total_max,
    )
