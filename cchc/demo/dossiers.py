"""Demo dossiers: a procedure catalogue and the dossiers the province's departments and communes
received since the 2025 merger (1/7/2025) up to yesterday, from the synthetic generator
(``cchc.dossiers.synthetic``), imported through the same importer as a file from the one-stop system.

Idempotent: nothing is done when the province's units already have dossiers.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from django.utils import timezone

from cchc.orgs.models import OrgUnit, UnitType

DOSSIERS = 40_000
PROCEDURES = 400
FIRST = dt.date(2025, 7, 1)  # the departments and communes of today exist from this day


def build_dossiers(province: OrgUnit, *, dossiers: int = DOSSIERS, today: dt.date | None = None) -> dict[str, int]:
    from cchc.dossiers.importer import import_dossiers, import_procedures
    from cchc.dossiers.models import Dossier
    from cchc.dossiers.synthetic import generate

    units = OrgUnit.objects.current().filter(province=province)
    if Dossier.objects.filter(unit__in=units).exists():
        return {"dossiers": Dossier.objects.filter(unit__in=units).count(), "created": 0}
    codes = list(
        units.filter(type__in=[UnitType.DEPARTMENT, UnitType.COMMUNE]).values_list("code", flat=True)
    ) + list(units.filter(code=f"{province.code}-BQLKCN").values_list("code", flat=True))
    today = today or timezone.localdate()
    now = timezone.localtime().replace(tzinfo=None)
    snapshot = min(now, dt.datetime.combine(today, dt.time(7, 0)))
    with tempfile.TemporaryDirectory() as tmp:
        files = generate(
            Path(tmp), dossiers=dossiers, procedures=PROCEDURES, units=codes, seed=2026,
            first=FIRST, last=today - dt.timedelta(days=1), snapshot=snapshot,
        )
        import_procedures(files["procedures"])
        report = import_dossiers(files["dossiers"], file_name="demo-mot-cua.csv")
    return {"dossiers": report.rows if hasattr(report, "rows") else dossiers, "created": getattr(report, "created", 0)}
