"""Framework services: import, scorecards, rankings, score imports.

Views, commands and (later) the API call these; each write runs in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from cchc.orgs.models import OrgUnit, UnitType

from . import dataset as dataset_format
from . import engine, fileformat, reports
from .method_types import input_kind
from .model import Finding, has_errors
from .models import Criterion, Dataset, Framework, Score, ScoreKind

DATA_DIR = Path(__file__).resolve().parent / "data"
SHIPPED = [
    "HG-214-2021.yaml",
    "PAR-2024-STRUCTURE.yaml",
    "AGENCY-DEPT-TEMPLATE.yaml",
    "AGENCY-COMMUNE-TEMPLATE.yaml",
]
SHIPPED_DATASETS = ["HG-214-2021.dataset.yaml"]


class FrameworkError(Exception):
    """A file that cannot be imported; ``findings`` say what and where."""

    def __init__(self, findings: list[Finding], source: str = ""):
        self.findings = findings
        self.source = source
        first = next((f for f in findings if f.is_error), findings[0] if findings else None)
        if first is not None:
            from .messages import describe

            message = describe(first)
            super().__init__(f"{source}: {message}" if source else message)
        else:
            super().__init__(source)


# --- import ------------------------------------------------------------------------------


@dataclass
class ImportResult:
    framework: Framework
    status: str  # created | new_version | replaced | unchanged
    findings: list[Finding] = field(default_factory=list)


def _write_criteria(fw: Framework, definition) -> None:
    by_code: dict[str, Criterion] = {}
    for position, (node, depth) in enumerate(definition.walk()):
        parent = None
        for candidate, _depth in definition.walk():
            if node in candidate.children:
                parent = by_code.get(candidate.code)
                break
        by_code[node.code] = Criterion.objects.create(
            framework=fw,
            code=node.code,
            parent=parent,
            title=node.title,
            max_points=node.max,
            method=node.method.type if node.method is not None else "",
            responsible=node.responsible or "",
            position=position,
            depth=depth,
            is_leaf=node.is_leaf,
        )


@transaction.atomic
def import_framework(text: str, *, source: str = "", user=None) -> ImportResult:
    definition, findings = fileformat.load(text)
    if definition is None or has_errors(findings):
        raise FrameworkError(findings, source)
    stored = [finding_dict(f) for f in findings]
    latest = Framework.objects.filter(code=definition.code).order_by("-version").first()
    fields = {
        "name": definition.name,
        "subject_kind": definition.subject_kind,
        "years": list(definition.years),
        "source": definition.source or "",
        "is_template": definition.template,
        "total_max": definition.total_max,
        "source_text": text,
        "findings": stored,
        "imported_by": user if getattr(user, "pk", None) else None,
    }
    if latest is not None and latest.source_text == text:
        return ImportResult(latest, "unchanged", findings)
    if latest is not None and not latest.in_use:
        for key, value in fields.items():
            setattr(latest, key, value)
        latest.save()
        latest.criteria.all().delete()
        latest.__dict__.pop("definition", None)
        _write_criteria(latest, definition)
        return ImportResult(latest, "replaced", findings)
    version = (latest.version + 1) if latest is not None else max(definition.version, 1)
    fw = Framework.objects.create(code=definition.code, version=version, **fields)
    _write_criteria(fw, definition)
    return ImportResult(fw, "new_version" if latest is not None else "created", findings)


def resolve_subject(spec: dict) -> OrgUnit:
    """A dataset's subject: {kind: province, name: "Hà Giang", admin_code: "02"} or {code: ...}."""
    if spec.get("code"):
        unit = OrgUnit.objects.filter(code=spec["code"]).first()
    else:
        units = OrgUnit.objects.all()
        if spec.get("kind") == "province":
            units = units.filter(type=UnitType.PROVINCE)
        if spec.get("admin_code"):
            units = units.filter(admin_code=spec["admin_code"])
        if spec.get("name"):
            units = units.filter(short_name=spec["name"]) | units.filter(name=spec["name"])
        unit = units.order_by("valid_to").last() if units.count() else None
    if unit is None:
        raise FrameworkError(
            [Finding("unknown_subject", _("The subject %(subject)s is not a loaded unit: load its province first.") % {"subject": spec})]
        )
    return unit


@transaction.atomic
def import_dataset(text: str, *, source: str = "") -> Dataset:
    probe, findings = dataset_format.load(text)
    if probe is None:
        raise FrameworkError(findings, source)
    fw = Framework.objects.filter(code=probe.framework).order_by("-version").first()
    if fw is None:
        raise FrameworkError([Finding("unknown_framework", _("Framework %(code)s is not imported.") % {"code": probe.framework})], source)
    data, findings = dataset_format.load(text, fw.definition)
    if data is None:
        raise FrameworkError(findings, source)
    subject = resolve_subject(data.subject)
    ds, _created = Dataset.objects.update_or_create(
        framework=fw,
        subject=subject,
        source=data.source,
        defaults={"source_text": text, "findings": [finding_dict(f) for f in dataset_findings(fw, data)]},
    )
    criteria = {c.code: c for c in fw.criteria.all()}
    nodes = fw.definition.by_code()
    for column in data.columns_of("score") + data.columns_of("target"):
        kind = ScoreKind.INPUT if column.kind == "score" else ScoreKind.TARGET
        for code, value in data.numbers(column.key).items():
            if kind == ScoreKind.INPUT and not nodes[code].is_leaf:
                continue  # printed subtotals stay in the dataset: the engine computes parents
            if Score.objects.filter(framework=fw, criterion=criteria[code], subject=subject, year=column.year, kind=kind, points=True).exists():
                raise FrameworkError(
                    [Finding("published", _("%(code)s %(year)s was published by an assessment round; a dataset cannot change it.") % {"code": code, "year": column.year})],
                    source,
                )
            Score.objects.update_or_create(
                framework=fw, criterion=criteria[code], subject=subject, year=column.year, kind=kind,
                defaults={"value": value, "numerator": None, "denominator": None, "done": None, "points": False,
                          "source": _("dataset: %(label)s") % {"label": column.label}, "published": True},
            )
    return ds


def points_definition(fw: Framework):
    """The framework with every leaf scored as plain points (for values printed in documents)."""
    import copy

    from .method_types import External, Manual

    definition = copy.deepcopy(fw.definition)
    for node, _depth in definition.walk():
        if node.is_leaf and not isinstance(node.method, External):
            node.method = Manual()
    return definition


def dataset_findings(fw: Framework, data) -> list[Finding]:
    """Every printed subtotal (and total) of every numeric column that is not the sum of its parts."""
    definition = points_definition(fw)
    nodes = definition.by_code()
    findings = []
    for column in data.columns_of("score") + data.columns_of("target"):
        numbers = data.numbers(column.key)
        leaves = {code: value for code, value in numbers.items() if code in nodes and nodes[code].is_leaf}
        parents = {code: value for code, value in numbers.items() if code in nodes and not nodes[code].is_leaf}
        result = engine.compute(definition, leaves)
        total = dataset_format.as_decimal(data.totals.get(column.key))
        for finding in engine.compare_declared(result, parents, total=total):
            finding.params["column"] = column.label
            finding.params["column_key"] = column.key
            findings.append(finding)
    return findings


@transaction.atomic
def import_shipped(user=None) -> list[ImportResult]:
    results = [import_framework((DATA_DIR / name).read_text(encoding="utf-8"), source=name, user=user) for name in SHIPPED]
    for name in SHIPPED_DATASETS:
        import_dataset((DATA_DIR / name).read_text(encoding="utf-8"), source=name)
    return results


# --- computing ---------------------------------------------------------------------------


def scores_for(fw: Framework, subject: OrgUnit, year: int, *, published_only: bool = False):
    scores = Score.objects.filter(framework=fw, subject=subject, year=year, kind=ScoreKind.INPUT).select_related("criterion")
    return list(scores.published() if published_only else scores)


def compute_scores(fw: Framework, scores) -> engine.Result:
    """The engine's result for one subject-year: inputs through their methods, or final points as they are."""
    if not any(s.points for s in scores):
        return engine.compute(fw.definition, {s.criterion.code: s.as_input() for s in scores})
    from .methods import score as score_leaf

    nodes = fw.definition.by_code()
    points = {}
    for s in scores:
        node = nodes[s.criterion.code]
        value = s.value if s.points else score_leaf(node.method, node.max, s.as_input(), node.code).score
        if value is not None:
            points[node.code] = value
    return engine.compute(points_definition(fw), points)


def targets_for(fw: Framework, subject: OrgUnit, year: int, *, published_only: bool = False) -> dict[str, Decimal]:
    scores = Score.objects.filter(framework=fw, subject=subject, year=year, kind=ScoreKind.TARGET).select_related("criterion")
    if published_only:
        scores = scores.published()
    return {s.criterion.code: s.value for s in scores if s.value is not None}


def stored_findings(items: list[dict]) -> list[Finding]:
    return [
        Finding(f["code"], f["message"], f.get("line"), f.get("node"), f.get("params") or {}, f.get("severity", "warning"))
        for f in items
    ]


def finding_dict(f: Finding) -> dict:
    """A finding as JSON, with its numbers kept as text."""
    return {
        "code": f.code, "message": f.message, "line": f.line, "node": f.node, "severity": f.severity,
        "params": {k: (None if v is None else str(v)) for k, v in (f.params or {}).items()},
    }


@dataclass
class Scorecard:
    framework: Framework
    subject: OrgUnit
    year: int
    result: engine.Result
    rows: list
    declared: dict[str, Decimal]  # the document's printed result for this year, subtotals included
    printed: list[tuple[str, dict[str, Decimal]]]  # every numeric column of the document
    findings: list[Finding]
    band: object
    dataset: Dataset | None
    text_columns: dict[str, dict[str, str]]

    @property
    def has_scores(self) -> bool:
        return any(r.scored_leaves for r in self.result.roots)


def scorecard(fw: Framework, subject: OrgUnit, year: int, *, published_only: bool = False) -> Scorecard:
    definition = fw.definition
    result = compute_scores(fw, scores_for(fw, subject, year, published_only=published_only))
    last = compute_scores(fw, scores_for(fw, subject, year - 1, published_only=published_only))
    last_year = last if any(r.scored_leaves for r in last.roots) else None
    rows = reports.comparison(result, last_year, targets_for(fw, subject, year, published_only=published_only))
    declared, printed, text_columns = {}, [], {}
    findings = list(fw.definition_findings)
    ds = fw.datasets.filter(subject=subject).first()
    if ds is not None and ds.definition is not None:
        for column in ds.definition.columns_of("score") + ds.definition.columns_of("target"):
            printed.append((column.label, ds.definition.numbers(column.key)))
            if column.kind == "score" and column.year == year:
                declared = ds.definition.numbers(column.key)
        for key in ds.definition.text_keys:
            text_columns[key] = {row["code"]: row[key] for row in ds.definition.rows if row.get(key)}
        findings += stored_findings(ds.findings)
    findings += result.findings
    for node in result.walk():
        if node.capped:
            findings.append(
                Finding("capped", f"{node.code}: the parts add up to {node.raw_sum}, more than the max {node.max}; capped.",
                        None, node.code, {"sum": str(node.raw_sum), "max": str(node.max)}, "warning")
            )
    band = reports.band_for(result.index, definition.bands)
    return Scorecard(fw, subject, year, result, rows, declared, printed, findings, band, ds, text_columns)


@dataclass
class RankingRow:
    rank: int | None
    subject: OrgUnit
    score: Decimal | None
    max: Decimal | None
    index: Decimal | None
    band: object
    tied: bool


def ranking(fw: Framework, year: int, subjects=None) -> list[RankingRow]:
    """Every subject with published inputs for the year, ranked by index (ties share a rank)."""
    definition = fw.definition
    subject_ids = Score.objects.filter(framework=fw, year=year, kind=ScoreKind.INPUT, published=True).values("subject")
    units = OrgUnit.objects.filter(pk__in=subject_ids)
    if subjects is not None:
        units = units.filter(pk__in=[s.pk for s in subjects])
    by_subject: dict[int, list] = {}
    for score in Score.objects.filter(framework=fw, year=year, kind=ScoreKind.INPUT, published=True, subject__in=units).select_related("criterion"):
        by_subject.setdefault(score.subject_id, []).append(score)
    results = {unit.pk: compute_scores(fw, by_subject.get(unit.pk, [])) for unit in units}
    units_by_id = {u.pk: u for u in units}
    ranked = reports.rank([(pk, r.index) for pk, r in sorted(results.items(), key=lambda i: units_by_id[i[0]].name)], definition.bands)
    return [
        RankingRow(row.rank, units_by_id[row.subject], results[row.subject].final, results[row.subject].max, row.index, row.band, row.tied)
        for row in ranked
    ]


# --- validating one input (used by score imports and, later, the assessment forms) --------


def check_input(fw: Framework, code: str, value) -> list[Finding]:
    node = fw.definition.by_code().get(code)
    if node is None:
        return [Finding("unknown_code", _("Code %(code)s is not in framework %(framework)s.") % {"code": code, "framework": fw.code})]
    if not node.is_leaf:
        return [Finding("not_a_leaf", _("%(code)s is computed from its sub-criteria: enter its sub-criteria instead.") % {"code": code})]
    from .methods import score

    return score(node.method, node.max, value, code).findings


def expected_input(fw: Framework, code: str) -> str:
    node = fw.definition.by_code().get(code)
    return input_kind(node.method) if node is not None and node.method is not None else "number"
