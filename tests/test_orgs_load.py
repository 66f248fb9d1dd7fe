"""cchc orgs load / list: a real province from vietnam-provinces, idempotent, all-or-nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from cchc.orgs.loader import DEFAULT_TEMPLATE, LoaderError, find_province, load_province
from cchc.orgs.models import OrgGroup, OrgUnit, Succession, UnitType

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_tuyen_quang_has_its_124_communes_under_the_province():
    province = OrgUnit.objects.get(code="P08")
    communes = OrgUnit.objects.current().filter(province=province, type=UnitType.COMMUNE)
    assert province.name == "Tỉnh Tuyên Quang"
    assert communes.count() == 124
    assert set(communes.values_list("parent__code", flat=True)) == {"P08"}
    assert communes.filter(name="Xã Lâm Bình", code="W02266").exists()
    assert communes.filter(division_kind="phuong").count() == 7


def test_the_provinces_merged_in_2025_stay_readable_with_their_successor():
    ha_giang = OrgUnit.objects.get(code="P02-2025")
    assert ha_giang.name == "Tỉnh Hà Giang"
    assert str(ha_giang.valid_to) == "2025-06-30"
    assert list(ha_giang.successors().values_list("code", flat=True)) == ["P08"]
    assert set(OrgUnit.objects.get(code="P08").predecessors().values_list("code", flat=True)) == {"P02-2025", "P08-2025"}
    districts = OrgUnit.objects.filter(province=ha_giang, type=UnitType.DISTRICT)
    assert districts.count() == 11 and not districts.filter(valid_to__isnull=True).exists()
    # Hà Giang's own Sở Nội vụ carried on as the merged province's.
    old_snv = OrgUnit.objects.get(province=ha_giang, name="Sở Nội vụ")
    assert Succession.objects.filter(predecessor=old_snv, successor__province__code="P08", successor__name="Sở Nội vụ").exists()


def test_the_departments_follow_the_template_and_their_2025_mergers():
    province = OrgUnit.objects.get(code="P08")
    names = set(OrgUnit.objects.current().filter(province=province, type=UnitType.DEPARTMENT).values_list("name", flat=True))
    assert {"Sở Nội vụ", "Sở Tài chính", "Sở Tư pháp", "Sở Khoa học và Công nghệ", "Sở Y tế", "Sở Xây dựng"} <= names
    assert "Sở Kế hoạch và Đầu tư" not in names  # merged into Sở Tài chính on 1/3/2025
    old = OrgUnit.objects.get(province__code="P08-2025", name="Sở Kế hoạch và Đầu tư")
    assert old.successors().filter(name="Sở Tài chính").exists()


def test_loading_twice_changes_nothing():
    before = OrgUnit.objects.count(), Succession.objects.count(), OrgGroup.objects.count()
    history_before = OrgUnit.history.count()
    report = load_province("Tuyên Quang")
    assert (report.created, report.updated) == (0, 0)
    assert report.unchanged == report.total > 200
    assert (OrgUnit.objects.count(), Succession.objects.count(), OrgGroup.objects.count()) == before
    assert OrgUnit.history.count() == history_before


def test_a_renamed_unit_is_updated_not_duplicated(tmp_path):
    data = yaml.safe_load(DEFAULT_TEMPLATE.read_text(encoding="utf-8"))
    snv = next(u for u in data["units"] if u["name"] == "Sở Nội vụ")
    snv["name"] = "Sở Nội vụ (tên mới)"
    template = tmp_path / "template.yaml"
    template.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    count = OrgUnit.objects.count()
    out = run("orgs", "load", "--province", "08", "--template", str(template), "--quiet-progress")
    assert OrgUnit.objects.count() == count
    renamed = OrgUnit.objects.get(code=f"P08-{snv['key']}")
    assert renamed.name == "Sở Nội vụ (tên mới)"
    assert f"P08-{snv['key']}: name" in out
    assert renamed.history.first().prev_record.name == "Sở Nội vụ"


@pytest.mark.parametrize("ref", ["Tuyên Quang", "tuyen quang", "Tỉnh Tuyên Quang", "8", "08", "P08", "tuyen_quang"])
def test_a_province_is_found_by_name_or_code(ref):
    assert find_province(ref).name == "Tuyên Quang"


def test_an_unknown_province_gets_one_clear_line_and_changes_nothing():
    count = OrgUnit.objects.count()
    with pytest.raises(CommandError) as info:
        run("orgs", "load", "--province", "Atlantis")
    message = str(info.value)
    assert "Atlantis" in message and "\n" not in message
    assert OrgUnit.objects.count() == count


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("units: [\n  {key: A, name: x\n", "YAML"),
        ("units: []\n", "units"),
        ("units:\n  - {key: SNV, name: Sở Nội vụ, type: bogus}\n", "bogus"),
        ("units:\n  - {key: SNV, type: department}\n", "name"),
        ("units:\n  - {key: SNV, name: A, type: department}\n  - {key: SNV, name: B, type: department}\n", "SNV"),
        ("units:\n  - {key: A, name: A, type: internal, parent: B}\n  - {key: B, name: B, type: internal, parent: A}\n", "vòng lặp"),
        ("units:\n  - {key: A, name: A, type: department, valid_to: 31/12/2024}\n", "31/12/2024"),
        ("units:\n  - {key: A, name: A, type: department, successors: [{key: Z}]}\n", "kế thừa"),
    ],
)
def test_a_broken_template_is_refused_with_a_clear_message_and_nothing_changes(tmp_path, content, fragment):
    template = tmp_path / "broken.yaml"
    template.write_text(content, encoding="utf-8")
    count, names = OrgUnit.objects.count(), list(OrgUnit.objects.values_list("name", flat=True))
    with pytest.raises(LoaderError) as info:
        load_province("Tuyên Quang", template)
    assert fragment in str(info.value) and str(template) in str(info.value)
    assert OrgUnit.objects.count() == count
    assert list(OrgUnit.objects.values_list("name", flat=True)) == names


def test_a_missing_template_file_is_named():
    with pytest.raises(CommandError, match="no-such-file.yaml"):
        run("orgs", "load", "--province", "08", "--template", "/nonexistent/no-such-file.yaml")


def test_orgs_list_json_gives_code_name_type_and_parent():
    rows = json.loads(run("orgs", "list", "--province", "Tuyên Quang", "--type", "commune", "--format", "json"))
    assert len(rows) == 124
    assert {"code", "name", "type", "parent_code"} <= set(rows[0])
    assert {r["parent_code"] for r in rows} == {"P08"}


def test_orgs_list_at_a_date_before_the_merger_shows_the_district_committees():
    out = run("orgs", "list", "--type", "district", "--at", "2024-06-01", "--format", "json")
    codes = {r["code"] for r in json.loads(out)}
    assert {"D070", "D024"} <= codes
    assert json.loads(run("orgs", "list", "--type", "district", "--format", "json")) == []


def test_orgs_list_table_prints_a_count():
    out = run("orgs", "list", "--province", "08", "--type", "department")
    assert "Sở Nội vụ" in out
    assert out.strip().splitlines()[-1].split()[0].isdigit()


def test_the_cchc_command_reports_an_unknown_province_on_one_line(tmp_path):
    env = dict(os.environ, CCHC_DATA_DIR=str(tmp_path), DATABASE_URL="", CCHC_TESTING="1")
    result = subprocess.run(
        [sys.executable, "-m", "cchc", "orgs", "load", "--province", "Atlantis"],
        capture_output=True, text=True, env=env, cwd=Path(__file__).parent.parent, check=False,
    )
    assert result.returncode == 1
    lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and "Atlantis" in lines[0]
