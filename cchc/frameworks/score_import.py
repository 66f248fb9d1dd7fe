"""Importing scores from CSV/XLSX: all rows or none, every refused row named."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from cchc.core.tabular import RowError, TableError, read_table
from cchc.orgs.models import OrgUnit
from cchc.orgs.services import UnitLookupError, resolve_unit

from .dataset import as_decimal
from .messages import describe
from .models import Framework, Score, ScoreKind

COLUMNS = {
    "framework": ("bộ chỉ số", "bo chi so", "ma bo chi so"),
    "subject": ("đơn vị", "ma don vi", "cơ quan"),
    "year": ("năm",),
    "code": ("mã", "mã tiêu chí", "tiêu chí", "criterion"),
    "value": ("điểm", "giá trị", "score"),
    "numerator": ("tử số",),
    "denominator": ("mẫu số",),
    "kind": ("loại",),
}
REQUIRED = ("framework", "subject", "year", "code")
TRUE = {"1", "true", "yes", "co", "có", "x", "dat", "đạt"}
FALSE = {"0", "false", "no", "khong", "không", "chua", "chưa"}


class ScoreImportError(Exception):
    def __init__(self, errors: list[RowError | str]):
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


@dataclass
class ScoreImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    subjects: set = field(default_factory=set)


def _framework(code: str, cache: dict) -> Framework | None:
    if code not in cache:
        cache[code] = Framework.objects.filter(code=code).order_by("-version").first()
    return cache[code]


def _subject(ref: str, year: int, cache: dict) -> OrgUnit | str:
    """The unit, or the reason it cannot be found (a name is read at the end of the year)."""
    key = (ref, year)
    if key not in cache:
        try:
            cache[key] = resolve_unit(ref, dt.date(year, 12, 31))
        except UnitLookupError as exc:
            cache[key] = str(exc)
    return cache[key]


def parse_value(kind: str, row: dict) -> tuple[object, str | None]:
    """The engine input for an input kind ("number", "bool", "count", "rate"), or an error."""
    value, num, den = row.get("value", ""), row.get("numerator", ""), row.get("denominator", "")
    if kind == "rate" and (num or den):
        n, d = as_decimal(num), as_decimal(den)
        if n is None or d is None:
            return None, _("numerator and denominator must both be numbers")
        return (n, d), None
    if kind == "bool":
        folded = value.strip().lower()
        if folded in TRUE:
            return True, None
        if folded in FALSE:
            return False, None
        return None, _("“%(value)s” is not yes/no (1 or 0)") % {"value": value}
    number = as_decimal(value.replace(",", ".") if value.count(",") == 1 and "." not in value else value)
    if number is None:
        return None, _("“%(value)s” is not a number") % {"value": value}
    return number, None


@transaction.atomic
def import_scores(path, *, content: bytes | None = None, source: str = "") -> ScoreImportReport:
    """Read every row first; if any row is wrong nothing is written."""
    from .services import check_input, expected_input

    errors: list[RowError] = []
    pending: list[dict] = []
    frameworks: dict = {}
    subjects: dict = {}
    seen: dict[tuple, int] = {}
    try:
        for line, row in read_table(path, COLUMNS, REQUIRED, content=content):
            fw = _framework(row["framework"], frameworks)
            if fw is None:
                errors.append(RowError(line, "framework", _("unknown framework %(code)s") % {"code": row["framework"]}))
                continue
            if not row["year"].isdigit() or not 1990 <= int(row["year"]) <= 2100:
                errors.append(RowError(line, "year", _("“%(value)s” is not a year") % {"value": row["year"]}))
                continue
            subject = _subject(row["subject"], int(row["year"]), subjects)
            if isinstance(subject, str):
                errors.append(RowError(line, "subject", subject))
                continue
            kind = (row.get("kind") or ScoreKind.INPUT).strip().lower()
            if kind not in ScoreKind.values:
                errors.append(RowError(line, "kind", _("kind must be input or target")))
                continue
            code = row["code"]
            criterion = fw.criteria.filter(code=code).first()
            if criterion is None:
                errors.append(RowError(line, "code", _("code %(code)s is not in framework %(framework)s") % {"code": code, "framework": fw.code}))
                continue
            input_kind = "number" if kind == ScoreKind.TARGET else expected_input(fw, code)
            value, problem = parse_value(input_kind, row)
            if problem:
                errors.append(RowError(line, "value", problem))
                continue
            if kind == ScoreKind.INPUT:
                findings = check_input(fw, code, value)
                if findings:
                    errors.append(RowError(line, "value", describe(findings[0], line=False)))
                    continue
            elif criterion.max_points is not None and not Decimal(0) <= value <= criterion.max_points:
                errors.append(RowError(line, "value", _("a target must be between 0 and the max %(max)s") % {"max": criterion.max_points}))
                continue
            published = Score.objects.filter(
                framework=fw, criterion=criterion, subject=subject, year=int(row["year"]), kind=kind, points=True
            ).first()
            if published is not None:
                errors.append(RowError(line, "code", _("%(code)s was published by %(source)s and cannot be changed by an import") % {"code": code, "source": published.source}))
                continue
            key = (fw.pk, subject.pk, int(row["year"]), code, kind)
            if key in seen:
                errors.append(RowError(line, "code", _("the same score is already on row %(line)d") % {"line": seen[key]}))
                continue
            seen[key] = line
            pending.append({"fw": fw, "criterion": criterion, "subject": subject, "year": int(row["year"]), "kind": kind, "value": value})
    except TableError as exc:
        raise ScoreImportError([str(exc)]) from None
    if errors:
        raise ScoreImportError(errors)
    if not pending:
        raise ScoreImportError([_("the file has no score rows")])
    report = ScoreImportReport()
    for item in pending:
        fields = {"value": None, "numerator": None, "denominator": None, "done": None, "points": False}
        value = item["value"]
        if isinstance(value, tuple):
            fields["numerator"], fields["denominator"] = value
        elif isinstance(value, bool):
            fields["done"] = value
        else:
            fields["value"] = value
        score, created = Score.objects.get_or_create(
            framework=item["fw"], criterion=item["criterion"], subject=item["subject"], year=item["year"], kind=item["kind"],
            defaults={**fields, "source": source or Path(str(path)).name},
        )
        if created:
            report.created += 1
        elif any(getattr(score, k) != v for k, v in fields.items()):
            for k, v in fields.items():
                setattr(score, k, v)
            score.source = source or Path(str(path)).name
            score.save()
            report.updated += 1
        else:
            report.unchanged += 1
        report.subjects.add(item["subject"].code)
    return report
