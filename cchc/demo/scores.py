"""Two years of synthetic scores for the demo province, its departments and its communes.

Deterministic: each subject and year draws from its own seeded generator, so a second run
gives the same numbers (and, finding them present, writes nothing).
"""

from __future__ import annotations

import random
from decimal import ROUND_HALF_UP, Decimal

from cchc.frameworks.method_types import External, Indicator, Threshold, YesNo, input_kind
from cchc.frameworks.models import Framework, Score, ScoreKind
from cchc.orgs.models import OrgUnit, UnitType

SEED = "cchc-demo-2026"
YEARS = (2024, 2025)
QUARTER = Decimal("0.25")
CENT = Decimal("0.01")


def _share(rng: random.Random, skill: Decimal) -> Decimal:
    """A share of the max in [0, 1], centred on the subject's skill."""
    value = Decimal(rng.randint(0, 100)) / 100
    return min(Decimal(1), max(Decimal(0), (skill * 3 + value) / 4))


def leaf_input(rng: random.Random, node, skill: Decimal):
    method = node.method
    kind = input_kind(method) if method is not None else "number"
    if isinstance(method, Indicator):
        method = method.rule
    if kind == "bool" or isinstance(method, YesNo):
        return {"done": rng.random() < float(skill) + 0.1}  # noqa: S311 - demo data
    if kind == "count":
        top = max((step.min for step in method.steps), default=Decimal(3)) if isinstance(method, Threshold) else Decimal(3)
        return {"value": Decimal(rng.randint(0, int(top) + 1))}
    if kind == "rate":
        denominator = Decimal(rng.randint(20, 400))
        rate = min(Decimal(1), _share(rng, skill) * Decimal("0.3") + Decimal("0.7"))
        numerator = (denominator * rate).quantize(Decimal(1), ROUND_HALF_UP)
        return {"numerator": numerator, "denominator": denominator}
    if node.max is None:
        return None
    step = CENT if isinstance(method, External) else QUARTER if node.max >= 1 else CENT
    value = (node.max * _share(rng, skill) / step).quantize(Decimal(1), ROUND_HALF_UP) * step
    return {"value": min(node.max, value)}


def _scores_for(fw: Framework, unit: OrgUnit, year: int, skill: Decimal, criteria: dict) -> list[Score]:
    rng = random.Random(f"{SEED}-{fw.code}-{unit.code}-{year}")  # noqa: S311 - demo data
    scores = []
    for node in fw.definition.leaves():
        values = leaf_input(rng, node, skill)
        if values is None:
            continue
        scores.append(Score(framework=fw, criterion=criteria[node.code], subject=unit, year=year,
                            kind=ScoreKind.INPUT, source="demo", published=True, **values))
    return scores


def _targets(fw: Framework, unit: OrgUnit, year: int, criteria: dict) -> list[Score]:
    return [
        Score(framework=fw, criterion=criteria[node.code], subject=unit, year=year, kind=ScoreKind.TARGET,
              value=node.max, source="demo", published=True)
        for node, depth in fw.definition.walk()
        if depth == 0 and node.max is not None
    ]


def build_scores(province: OrgUnit) -> int:
    plan = [
        ("HG-214-2021", OrgUnit.objects.filter(pk=province.pk)),
        ("AGENCY-DEPT-TEMPLATE", OrgUnit.objects.current().filter(province=province, type=UnitType.DEPARTMENT)),
        ("AGENCY-COMMUNE-TEMPLATE", OrgUnit.objects.current().filter(province=province, type=UnitType.COMMUNE)),
    ]
    created = 0
    for code, units in plan:
        fw = Framework.objects.filter(code=code).order_by("-version").first()
        if fw is None:
            continue
        criteria = {c.code: c for c in fw.criteria.all()}
        done = set(Score.objects.filter(framework=fw, source="demo").values_list("subject_id", "year").distinct())
        batch = []
        for unit in units.order_by("code"):
            low = 80 if unit.type == UnitType.PROVINCE else 55
            base = Decimal(random.Random(f"{SEED}-{unit.code}").randint(low, 95)) / 100  # noqa: S311
            for offset, year in enumerate(YEARS):
                if (unit.pk, year) in done:
                    continue
                skill = min(Decimal("0.98"), base + Decimal(offset) * Decimal("0.04"))
                batch += _scores_for(fw, unit, year, skill, criteria)
                if code == "HG-214-2021" and year == YEARS[-1]:
                    batch += _targets(fw, unit, year, criteria)
        Score.objects.bulk_create(batch, batch_size=2000)
        created += len(batch)
    return created
