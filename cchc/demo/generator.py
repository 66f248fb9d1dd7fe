"""A deterministic demo: one province (Tuyên Quang by default), its real communes and
agencies, and a user for every role with a documented login.

Fixed seed: two runs produce the same data; a second run changes nothing. The demo
password exists only here: production accounts are created with ``cchc createsuperuser``
or by the reform office, never from this module.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db import transaction

from cchc.accounts.models import Membership, Role, User
from cchc.orgs.loader import find_province, load_province, province_code_of
from cchc.orgs.models import OrgUnit, UnitType

DEMO_PASSWORD = "demo-cchc-2026"  # noqa: S105 - demo data only, documented in README
SEED = 20260101
DEFAULT_PROVINCE = "Tuyên Quang"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    full_name: str
    role: str
    unit_name: str  # the unit's name in the province (matched on the name)
    domain: str = ""
    note: str = ""


DEMO_LOGINS = [
    DemoLogin("admin", "Quản trị hệ thống", Role.ADMIN, "@province", note="system administrator"),
    DemoLogin("cchc", "Nguyễn Thị Hoa", Role.REFORM_OFFICE, "Sở Nội vụ", note="reform office, Sở Nội vụ"),
    DemoLogin("thamdinh", "Trần Văn Minh", Role.APPRAISER, "Sở Nội vụ", note="appraiser"),
    DemoLogin("tuphap", "Lê Thị Lan", Role.DOMAIN_LEAD, "Sở Tư pháp", domain="2", note="domain lead, domain 2"),
    DemoLogin("vanphong", "Phạm Quốc Huy", Role.DOMAIN_LEAD, "Văn phòng Ủy ban nhân dân tỉnh", domain="3", note="domain lead, domain 3"),
    DemoLogin("taichinh", "Hoàng Văn Nam", Role.DOMAIN_LEAD, "Sở Tài chính", domain="6", note="domain lead, domain 6"),
    DemoLogin("noivu", "Đặng Thu Hà", Role.DOMAIN_LEAD, "Sở Nội vụ", domain="1,4,5,8", note="domain lead, domains 1, 4, 5, 8"),
    DemoLogin("khcn", "Đỗ Thị Thu", Role.DOMAIN_LEAD, "Sở Khoa học và Công nghệ", domain="7", note="domain lead, domain 7"),
    DemoLogin("yte", "Vũ Thị Mai", Role.OFFICER, "Sở Y tế", note="officer of a department (A)"),
    DemoLogin("xaydung", "Bùi Văn Tùng", Role.OFFICER, "Sở Xây dựng", note="officer of another department (B)"),
    DemoLogin("xa", "Ma Văn Thắng", Role.OFFICER, "Xã Lâm Bình", note="officer of a commune"),
    DemoLogin("lanhdao", "Nguyễn Văn Sơn", Role.VIEWER, "@province", note="leader: reads everything"),
]

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ma", "Hà", "Nông", "Lương"]
MIDDLE = ["Văn", "Thị", "Quang", "Minh", "Thanh", "Hữu", "Ngọc", "Đức"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hải", "Hạnh", "Hùng", "Khánh", "Linh", "Long", "Nga", "Phong", "Quyên", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Yến"]


class DemoError(Exception):
    pass


def _unit(province: OrgUnit, name: str) -> OrgUnit:
    if name == "@province":
        return province
    unit = OrgUnit.objects.current().filter(province=province, name__iexact=name).first()
    if unit is None:
        raise DemoError(f"The demo expects a unit named {name!r} in {province.name}; the template has none.")
    return unit


def _fill_profiles(province: OrgUnit, rng: random.Random) -> None:
    """Deterministic contact details for agencies and communes (only where empty)."""
    units = OrgUnit.objects.current().filter(province=province).exclude(type=UnitType.EXTERNAL).order_by("code")
    for unit in units:
        if unit.head_name:
            continue
        unit.head_name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        unit.phone = f"0207.3{rng.randint(800000, 899999)}"
        slug = unit.code.lower().replace("-", ".")
        unit.email = f"{slug}@tuyenquang.gov.vn"
        unit.save(update_fields=["head_name", "phone", "email", "search_text"])


@transaction.atomic
def build(province_ref: str = DEFAULT_PROVINCE, progress=None) -> dict:
    """Load the province and create the demo people. Idempotent."""
    report = load_province(province_ref, progress=progress)
    province = OrgUnit.objects.get(code=f"P{province_code_of(find_province(province_ref))}")
    rng = random.Random(SEED)  # noqa: S311 - demo data, not security
    _fill_profiles(province, rng)
    logins = []
    for spec in DEMO_LOGINS:
        unit = _unit(province, spec.unit_name)
        user, created = User.objects.get_or_create(
            username=spec.username,
            defaults={"full_name": spec.full_name, "email": f"{spec.username}@demo.cchc.local"},
        )
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save()
        if spec.role == Role.ADMIN and not (user.is_superuser and user.is_staff):
            user.is_superuser = user.is_staff = True
            user.save()
        Membership.objects.get_or_create(
            user=user, unit=unit, role=spec.role, defaults={"domain": spec.domain, "active": True}
        )
        logins.append({"username": spec.username, "password": DEMO_PASSWORD, "unit": unit.name, "role": spec.note})
    from cchc.demo.scores import build_scores
    from cchc.frameworks.services import import_shipped

    import_shipped()
    scores = build_scores(province)
    from cchc.demo.assessments import build_assessments

    build_assessments(province)
    from cchc.demo.plans import build_plans

    build_plans(province)
    from cchc.demo.dossiers import build_dossiers

    build_dossiers(province)
    return {"province": province, "load": report, "logins": logins, "scores": scores}
