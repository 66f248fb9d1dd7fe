"""The agency-name matcher reads the loose names of the seed plans; pure Python, no database."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
import yaml

from cchc.orgs.matching import (
    ABBREVIATIONS,
    AgencyItem,
    Candidate,
    Matcher,
    expand_abbreviations,
    fold,
    normalise,
    split_agencies,
    split_agencies_detailed,
)

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "cchc" / "orgs" / "data" / "provincial_template.yaml"
SEED_AGENCIES = Path(__file__).resolve().parent / "data" / "seed_agencies.tsv"
PROVINCE_CODE = "P08"
PROVINCE_NAMES = ("Tuyên Quang", "Hà Giang")
UNIT_TYPES = {"province", "department", "agency", "district", "commune", "internal", "external"}
TEMPLATE_TYPES = {"department", "agency", "internal", "external"}
SUCCESSION_KINDS = {"merger", "split", "rename", "transfer"}
OTHER_UNITS = (  # what the loader adds from elsewhere: the province and its communes
    Candidate("P08", "Tỉnh Tuyên Quang", "unit", ("UBND tỉnh", "Ủy ban nhân dân tỉnh")),
    Candidate("W02266", "Xã Lâm Bình", "unit", ("UBND xã lâm bình", "Ủy ban nhân dân xã lâm bình")),
    Candidate("W02269", "Phường Minh Xuân", "unit", ("UBND phường minh xuân",)),
)


def _template() -> dict:
    return yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))


def template_candidates(short_name: str = "Tuyên Quang") -> list[Candidate]:
    def fill(text):
        return (text or "").replace("{province}", short_name)

    data = _template()
    units = [
        Candidate(
            f"{PROVINCE_CODE}-{u['key']}",
            fill(u["name"]),
            "unit",
            tuple(fill(a) for a in u.get("aliases") or ()),
            fill(u.get("short_name")),
        )
        for u in data["units"]
    ]
    groups = [
        Candidate(f"{PROVINCE_CODE}-{g['key']}", g["name"], "group", tuple(g.get("aliases") or ()))
        for g in data["groups"]
    ]
    return units + groups


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher([*template_candidates(), *OTHER_UNITS], province_names=PROVINCE_NAMES)


def outcome(match) -> str:
    """The result as written in seed_agencies.tsv: unit:SNV, group:G-SBN or unmatched."""
    if match.status == "unmatched":
        return "unmatched"
    return f"{match.status}:{match.code.removeprefix(PROVINCE_CODE + '-')}"


def _unescape(text: str) -> str:
    return re.sub(r"\\([nt\\])", lambda m: {"n": "\n", "t": "\t", "\\": "\\"}[m.group(1)], text)


def seed_rows() -> list:
    rows = []
    for number, line in enumerate(SEED_AGENCIES.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        seed, cell, expected = line.split("\t")
        rows.append(pytest.param(seed, _unescape(cell), expected.split(" | "), id=f"{seed}-line{number}"))
    return rows


# --- the seed plans ---------------------------------------------------------------------------


@pytest.mark.parametrize(("seed", "cell", "expected"), seed_rows())
def test_it_matches_every_agency_named_in_the_seed_plans(matcher, seed, cell, expected):
    assert [outcome(m) for m in matcher.match_cell(cell)] == expected


def test_the_seed_list_covers_the_five_plans_once_per_cell_text():
    rows = [p.values for p in seed_rows()]
    assert {seed for seed, _cell, _expected in rows} == {"000", "001", "002", "003", "004"}
    cells = [cell for _seed, cell, _expected in rows]
    assert len(cells) == len(set(cells)) > 150


def test_it_leaves_for_a_person_the_names_that_are_not_one_agency_or_group(matcher):
    rows = [p.values for p in seed_rows()]
    items = [
        m.text for _s, cell, expected in rows for m in matcher.match_cell(cell) if outcome(m) == "unmatched"
    ]
    assert "Thanh tra" in items  # a department's own inspectorate: which department is not said
    assert "Văn phòng Sở" in items
    assert "HĐND cấp huyện" in items
    assert all(outcome(matcher.match(text)) == "unmatched" for text in items)


# --- normalise and fold -----------------------------------------------------------------------


def test_it_normalises_decomposed_and_composed_text_alike():
    composed = "Ủy ban nhân dân tỉnh Tuyên Quang"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed
    assert normalise(decomposed) == normalise(composed) == "ủy ban nhân dân tỉnh tuyên quang"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("hoà", "hòa"),
        ("Uỷ ban", "ủy ban"),
        ("thuỷ lợi", "thủy lợi"),
        ("sức khoẻ", "sức khỏe"),
        ("Văn hoá", "văn hóa"),
        ("tuỳ", "tùy"),
        ("hoàn thành", "hoàn thành"),
        ("quý", "quý"),
        ("người", "người"),
        ("giữa", "giữa"),
        ("ngoài", "ngoài"),
        ("huỳnh", "huỳnh"),
    ],
)
def test_it_puts_tone_marks_on_their_canonical_vowel(text, expected):
    assert normalise(text) == expected
    assert normalise(unicodedata.normalize("NFD", text)) == expected


def test_it_collapses_every_kind_of_whitespace():
    assert normalise("  Sở\nNội\u00a0vụ\t tỉnh\u200b  ") == "sở nội vụ tỉnh"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Văn hoá ,Thể thao", "văn hóa, thể thao"),
        ("UBND cấp huyện,cấp xã", "ubnd cấp huyện, cấp xã"),
        ("Sở Nội vụ ; Sở Tư pháp", "sở nội vụ; sở tư pháp"),
        ("Sở Tư pháp ( chủ trì )", "sở tư pháp (chủ trì)"),
        ("mức độ 3,4", "mức độ 3,4"),
        ("Lao động -Thương binh", "lao động - thương binh"),
        ("Lao động – Thương binh", "lao động - thương binh"),
        ("PT-TH", "pt-th"),
    ],
)
def test_it_normalises_spacing_around_punctuation(text, expected):
    assert normalise(text) == expected


def test_it_keeps_the_diacritics_when_normalising_and_drops_them_when_folding():
    assert normalise("Đài Phát thanh") == "đài phát thanh"
    assert fold("Đài Phát thanh – Truyền hình") == "dai phat thanh - truyen hinh"
    assert fold("Uỷ ban") == fold("Ủy ban") == fold(unicodedata.normalize("NFD", "Ủy ban")) == "uy ban"
    assert fold("ĐĂNG KÝ") == "dang ky"


def test_fold_is_deterministic_and_idempotent():
    text = "Sở Lao động - Thương binh và Xã hội"
    assert fold(text) == fold(text) == fold(fold(text)) == "so lao dong - thuong binh va xa hoi"
    assert fold("") == normalise("") == ""


# --- abbreviations ----------------------------------------------------------------------------

ABBREVIATION_CASES = [
    ("UBND tỉnh", "ủy ban nhân dân tỉnh"),
    ("HĐND tỉnh", "hội đồng nhân dân tỉnh"),
    ("VP UBND tỉnh", "văn phòng ủy ban nhân dân tỉnh"),
    ("Sở TT&TT", "sở thông tin và truyền thông"),
    ("Sở TTTT", "sở thông tin và truyền thông"),
    ("Sở TT và TT", "sở thông tin và truyền thông"),
    ("Sở TT & TT", "sở thông tin và truyền thông"),
    ("Sở KH&ĐT", "sở kế hoạch và đầu tư"),
    ("Sở KHĐT", "sở kế hoạch và đầu tư"),
    ("Sở KH và ĐT", "sở kế hoạch và đầu tư"),
    ("Sở KH&CN", "sở khoa học và công nghệ"),
    ("Sở KH-CN", "sở khoa học và công nghệ"),
    ("CQCM cấp tỉnh", "cơ quan chuyên môn cấp tỉnh"),
    ("ĐVHC cấp huyện", "đơn vị hành chính cấp huyện"),
    ("Đài PTTH tỉnh", "đài phát thanh và truyền hình tỉnh"),
    ("Đài PT-TH tỉnh", "đài phát thanh và truyền hình tỉnh"),
    ("Đài PT - TH tỉnh", "đài phát thanh và truyền hình tỉnh"),
    ("Sở LĐTB&XH", "sở lao động - thương binh và xã hội"),
    ("Sở LĐ-TB&XH", "sở lao động - thương binh và xã hội"),
    ("Sở LĐTBXH", "sở lao động - thương binh và xã hội"),
    ("Sở TN&MT", "sở tài nguyên và môi trường"),
    ("Sở TNMT", "sở tài nguyên và môi trường"),
    ("Sở NN&PTNT", "sở nông nghiệp và phát triển nông thôn"),
    ("Sở NN và PTNT", "sở nông nghiệp và phát triển nông thôn"),
    ("Sở Nông nghiệp và PTNT", "sở nông nghiệp và phát triển nông thôn"),
    ("Sở NN&MT", "sở nông nghiệp và môi trường"),
    ("Sở GD&ĐT", "sở giáo dục và đào tạo"),
    ("Sở GD-ĐT", "sở giáo dục và đào tạo"),
    ("Sở VHTT&DL", "sở văn hóa, thể thao và du lịch"),
    ("Sở VH,TT&DL", "sở văn hóa, thể thao và du lịch"),
    ("Sở VHTTDL", "sở văn hóa, thể thao và du lịch"),
    ("Sở DT&TG", "sở dân tộc và tôn giáo"),
    ("Sở GTVT", "sở giao thông vận tải"),
    ("BHXH tỉnh", "bảo hiểm xã hội tỉnh"),
    ("BQL các KCN tỉnh", "ban quản lý các khu công nghiệp tỉnh"),
    ("Phòng Kiểm soát TTHC", "phòng kiểm soát thủ tục hành chính"),
    ("Phòng KSTTHC", "phòng kiểm soát thủ tục hành chính"),
    ("Trung tâm PVHCC tỉnh", "trung tâm phục vụ hành chính công tỉnh"),
    ("Công tác CCHC", "công tác cải cách hành chính"),
    ("Ủy ban MTTQ tỉnh", "ủy ban mặt trận tổ quốc tỉnh"),
    ("UBMTTQ tỉnh", "ủy ban mặt trận tổ quốc tỉnh"),
    ("Các tổ chức CT-XH", "các tổ chức chính trị - xã hội"),
    ("Chỉ tiêu KT-XH", "chỉ tiêu kinh tế - xã hội"),
    ("Đoàn ĐBQH tỉnh", "đoàn đại biểu quốc hội tỉnh"),
    ("Các CQHCNN", "các cơ quan hành chính nhà nước"),
    ("ĐVSNCL", "đơn vị sự nghiệp công lập"),
    ("Đơn vị SNCL", "đơn vị sự nghiệp công lập"),
    ("Văn bản QPPL", "văn bản quy phạm pháp luật"),
    ("VBQPPL", "văn bản quy phạm pháp luật"),
    ("KBNN tỉnh", "kho bạc nhà nước tỉnh"),
    ("NHNN chi nhánh tỉnh", "ngân hàng nhà nước chi nhánh tỉnh"),
    ("Thu NSNN", "thu ngân sách nhà nước"),
    ("Trung tâm Khuyến công và XTTM", "trung tâm khuyến công và xúc tiến thương mại"),
    ("Trung tâm XTĐT", "trung tâm xúc tiến đầu tư"),
    ("Đoàn TNCS Hồ Chí Minh", "đoàn thanh niên cộng sản hồ chí minh"),
    ("LĐLĐ tỉnh", "liên đoàn lao động tỉnh"),
    ("Trang TTĐT", "trang thông tin điện tử"),
    ("Trung ương (TW)", "trung ương (trung ương)"),
    ("UBND các huyện, TP", "ủy ban nhân dân các huyện, thành phố"),
]


@pytest.mark.parametrize(("text", "expected"), ABBREVIATION_CASES)
def test_it_writes_out_every_abbreviation(text, expected):
    assert expand_abbreviations(text) == expected


def test_every_listed_abbreviation_has_a_case():
    written_out = " ".join(expected for _text, expected in ABBREVIATION_CASES)
    assert [full for _pattern, full in ABBREVIATIONS if full not in written_out] == []


@pytest.mark.parametrize("text", ["mạng VPN", "Công ty TPHCM", "Sở Tư pháp và Sở Nội vụ", "Quỹ KHCNX"])
def test_it_does_not_expand_letters_inside_other_words(text):
    assert expand_abbreviations(text) == normalise(text)


# --- splitting a cell -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (
            "- Sở Nội vụ - Văn phòng UBND tỉnh; - Đài PTTH tỉnh",
            ["Sở Nội vụ", "Văn phòng UBND tỉnh", "Đài PTTH tỉnh"],
        ),
        ("- Sở Nội vụ, - Sở Khoa học và Công nghệ", ["Sở Nội vụ", "Sở Khoa học và Công nghệ"]),
        (
            "Sở Tư pháp, Văn phòng UBND tỉnh; Các cơ quan, liên quan",
            ["Sở Tư pháp", "Văn phòng UBND tỉnh", "Các cơ quan, liên quan"],
        ),
        ("Sở Kế hoạch và \nĐầu tư", ["Sở Kế hoạch và Đầu tư"]),
        ("-\nSở Tài chính;\n-\nSở Nội vụ.", ["Sở Tài chính", "Sở Nội vụ"]),
        (
            "Sở Thông tin và Truyền thông và các đơn vị liên quan",
            ["Sở Thông tin và Truyền thông", "các đơn vị liên quan"],
        ),
        ("Báo Tuyên\nQuang.\nCác\nsở, ban, ngành", ["Báo Tuyên Quang", "Các sở, ban, ngành"]),
        ("", []),
        ("  ;  \n ", []),
    ],
)
def test_it_splits_a_cell_listing_several_agencies(cell, expected):
    assert split_agencies(cell) == expected


@pytest.mark.parametrize(
    "name",
    [
        "Các sở, ban, ngành",
        "Các Sở, Ban, ngành",
        "UBND các huyện, thành phố",
        "Sở Văn hóa, Thể thao và Du lịch",
        "Các cơ quan, đơn vị liên quan",
        "Cơ quan, tổ chức, đơn vị",
        "Sở Lao động - Thương binh và Xã hội",
        "Báo và Phát thanh, Truyền hình Tuyên Quang",
        "Ban Thi đua - Khen thưởng",
        "UBND các xã, phường, thị trấn",
        "Văn phòng UBND tỉnh theo dõi, đôn đốc",
    ],
)
def test_it_does_not_split_inside_a_name_with_commas_or_dashes(name):
    assert split_agencies(name) == [name]
    assert split_agencies(f"- {name}; - Sở Nội vụ") == [name, "Sở Nội vụ"]


def test_it_keeps_parenthetical_remarks_as_a_note():
    cell = "(1) Sở Tư pháp (lĩnh vực xây dựng, thi hành pháp luật); Văn phòng UBND tỉnh"
    assert split_agencies_detailed(cell) == [
        AgencyItem("Sở Tư pháp", "lĩnh vực xây dựng, thi hành pháp luật"),
        AgencyItem("Văn phòng UBND tỉnh"),
    ]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("UBND cấp huyện, cấp xã", ["UBND cấp huyện", "UBND cấp xã"]),
        (
            "Các sở, ban, ngành; UBND cấp huyện; cấp xã",
            ["Các sở, ban, ngành", "UBND cấp huyện", "UBND cấp xã"],
        ),
        ("HĐND, UBND cấp huyện", ["HĐND cấp huyện", "UBND cấp huyện"]),
        ("HĐND, UBND cấp huyện, cấp xã.", ["HĐND cấp huyện", "UBND cấp huyện", "HĐND cấp xã", "UBND cấp xã"]),
        (
            "Các cơ quan ngành dọc tại địa phương UBND cấp huyện",
            ["Các cơ quan ngành dọc tại địa phương", "UBND cấp huyện"],
        ),
        ("các Sở: Y tế; Giáo dục và Đào tạo", ["Sở Y tế", "Sở Giáo dục và Đào tạo"]),
    ],
)
def test_it_completes_names_the_cell_leaves_implicit(cell, expected):
    assert split_agencies(cell) == expected


# --- matching ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["Sở Nội vụ tỉnh Tuyên Quang", "Sở Nội vụ tỉnh Hà Giang", "Sở Nội vụ tỉnh", "SỞ NỘI VỤ", "Sở\nNội vụ"],
)
def test_it_matches_a_department_named_with_its_province(matcher, text):
    match = matcher.match(text)
    assert (match.status, match.code, match.name) == ("unit", "P08-SNV", "Sở Nội vụ")
    assert match.method == "exact" and match.score == 100


def test_it_matches_ubnd_cac_huyen_thanh_pho_as_the_district_group(matcher):
    match = matcher.match("UBND các huyện, thành phố")
    assert (match.status, match.code, match.name) == ("group", "P08-G-UBH", "UBND cấp huyện")
    assert matcher.match("Uỷ ban nhân dân huyện, thành phố").code == "P08-G-UBH"


def test_it_matches_abbreviations_short_names_and_text_without_diacritics(matcher):
    assert (matcher.match("Sở TT&TT").code, matcher.match("Sở TT&TT").method) == ("P08-STTTT", "alias")
    assert (matcher.match("SNV").code, matcher.match("SNV").method) == ("P08-SNV", "alias")
    assert (matcher.match("So Noi vu").code, matcher.match("So Noi vu").method) == ("P08-SNV", "folded")
    assert matcher.match("So Noi vu").score == 95


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("- Sở Nội vụ (chủ trì)", "P08-SNV"),
        ("2.3. Sở Tư pháp", "P08-STP"),
        ("+ Văn phòng UBND tỉnh tổng hợp", "P08-VP"),
        ("Sở Tài chính chủ trì", "P08-STC"),
        ("Văn phòng UBND tỉnh theo dõi, đôn đốc", "P08-VP"),
        ("Các sở, ban, ngành thực hiện", "P08-G-SBN"),
        ("Sở, ban, ngành", "P08-G-SBN"),
        ("Cơ quan chuyên môn thuộc UBND tỉnh", "P08-G-CQCM"),
        ("Các cơ quan hành chính nhà nước", "P08-G-CQHCNN"),
    ],
)
def test_it_ignores_list_markers_notes_role_words_and_the_plural(matcher, text, code):
    assert matcher.match(text).code == code


def test_it_reads_a_typo_with_the_fuzzy_stage_and_lists_its_candidates(matcher):
    match = matcher.match("Các Sở, banh, ngành")
    assert (match.status, match.code, match.method) == ("group", "P08-G-SBN", "fuzzy")
    assert 90 <= match.score < 95
    assert match.candidates[0][0] == "P08-G-SBN"


def test_it_reports_a_tie_between_two_candidates_as_unmatched_with_both():
    same_name = Matcher([Candidate("A", "Phòng Nội vụ", "unit"), Candidate("B", "Phòng Nội vụ", "unit")])
    match = same_name.match("Phòng Nội vụ")
    assert (match.status, match.code, match.method, match.score) == ("unmatched", None, "none", 0)
    assert {code for code, _name, _score in match.candidates} == {"A", "B"}

    close = Matcher([Candidate("A", "Phòng Kinh tế 1", "unit"), Candidate("B", "Phòng Kinh tế 2", "unit")])
    match = close.match("Phòng Kinh tế")
    assert match.status == "unmatched"
    assert [code for code, _name, _score in match.candidates[:2]] == ["A", "B"]


def test_it_does_not_choose_between_the_old_and_the_new_department(matcher):
    match = matcher.match("Sở Nông nghiệp")
    assert match.status == "unmatched"
    assert {"P08-SNNMT", "P08-SNNPTNT"} <= {code for code, _name, _score in match.candidates}


@pytest.mark.parametrize("text", ["xyz qwerty 123", "Thường xuyên", "Năm 2025", "", "   "])
def test_it_says_unmatched_for_text_that_names_no_agency(matcher, text):
    match = matcher.match(text)
    assert (match.status, match.code, match.name, match.method) == ("unmatched", None, None, "none")
    assert len(match.candidates) <= 5


@pytest.mark.parametrize(
    ("text", "best"),
    [
        ("Thanh tra", "P08-TTRA"),  # never lengthened to "Thanh tra tỉnh"
        ("Công an", "P08-CA"),
        ("HĐND", "P08-HDND"),
        ("Bộ Giáo dục và Đào tạo", "P08-SGDDT"),  # a ministry is not a department
        ("Lâm Bình", "W02266"),  # the commune, or the former district?
    ],
)
def test_it_does_not_guess_from_a_partial_name_but_suggests_the_closest(matcher, text, best):
    match = matcher.match(text)
    assert match.status == "unmatched"
    assert match.candidates[0][0] == best


def test_it_matches_a_named_commune_committee_to_the_commune(matcher):
    assert matcher.match("UBND xã Lâm Bình").code == "W02266"
    assert matcher.match("Ủy ban nhân dân phường Minh Xuân").code == "W02269"
    assert matcher.match("UBND tỉnh").code == "P08"


def test_a_department_of_another_province_is_not_taken_for_ours(matcher):
    assert matcher.match("Sở Công Thương tỉnh Bắc Kạn").status == "unmatched"
    bac_kan = Matcher(template_candidates("Bắc Kạn"), province_names=["Bắc Kạn"])
    assert bac_kan.match("Sở Công Thương tỉnh Bắc Kạn").code == "P08-SCT"
    assert bac_kan.match("Báo Bắc Kạn").code == "P08-BAO"


def test_match_cell_splits_then_matches_and_keeps_each_item_text(matcher):
    matches = matcher.match_cell("Sở Nội vụ; Các sở, ban, ngành; UBND cấp huyện, cấp xã; Phòng Tư pháp")
    assert [m.text for m in matches] == [
        "Sở Nội vụ",
        "Các sở, ban, ngành",
        "UBND cấp huyện",
        "UBND cấp xã",
        "Phòng Tư pháp",
    ]
    assert [outcome(m) for m in matches] == [
        "unit:SNV",
        "group:G-SBN",
        "group:G-UBH",
        "group:G-UBX",
        "unmatched",
    ]
    assert matcher.match(" Sở Y tế ").text == " Sở Y tế "


# --- the template -----------------------------------------------------------------------------


def test_every_name_alias_and_short_name_of_the_template_leads_to_its_own_candidate(matcher):
    wrong = []
    for cand in template_candidates():
        for text in (cand.name, cand.short_name, *cand.aliases):
            if text and matcher.match(text).code != cand.code:
                wrong.append((cand.code, text, matcher.match(text).code))
    assert wrong == []


def test_the_template_follows_the_schema():
    data = _template()
    assert data["version"] == 1 and data["name"]
    units = {u["key"]: u for u in data["units"]}
    assert len(units) == len(data["units"])
    for key, unit in units.items():
        assert re.fullmatch(r"[A-Z0-9_]+", key), key
        assert unit["type"] in TEMPLATE_TYPES, key
        assert (unit["type"] == "internal") == ("parent" in unit), key
        assert unit.get("parent") in (None, *units), key
        assert isinstance(unit.get("aliases", []), list), key
        for succ in unit.get("successors") or []:
            assert succ["key"] in units and succ["kind"] in SUCCESSION_KINDS, key
            assert unit.get("valid_to") is not None, key
    groups = {g["key"]: g for g in data["groups"]}
    assert len(groups) == len(data["groups"])
    for key, group in groups.items():
        assert re.fullmatch(r"G-[A-Z0-9_-]+", key), key
        assert set(group["unit_types"]) <= UNIT_TYPES, key
        assert set(group["include"]) | set(group["exclude"]) <= set(units), key
    assert "G-SBN" in groups and "G-LQ" in groups and groups["G-LQ"]["unit_types"] == []
    assert [k for k, g in groups.items() if g["unit_types"] == ["commune"]] == ["G-UBX"]
    assert [k for k, g in groups.items() if g["unit_types"] == ["district"]] == ["G-UBH"]


def test_the_departments_that_ended_in_2025_point_to_those_that_took_them_over():
    units = {u["key"]: u for u in _template()["units"]}

    def successors(key):
        return {(s["key"], s["kind"]) for s in units[key]["successors"]}

    assert successors("SKHDT") == {("STC", "merger")}
    assert ("SKHCN", "merger") in successors("STTTT")
    assert successors("SLDTBXH") == {("SNV", "merger"), ("SYT", "transfer"), ("SGDDT", "transfer")}
    assert successors("STNMT") == successors("SNNPTNT") == {("SNNMT", "merger")}
    assert successors("SGTVT") == {("SXD", "merger")}
    assert successors("BANDT") == {("SDTTG", "rename")}
    for key in ("SKHDT", "STTTT", "SLDTBXH", "STNMT", "SNNPTNT", "SGTVT", "BANDT"):
        assert str(units[key]["valid_to"]) == "2025-02-28"
    for key in ("SNNMT", "SDTTG"):
        assert str(units[key]["valid_from"]) == "2025-03-01"
    names = [u["name"] for u in units.values()]
    assert names.count("Sở Nội vụ") == 1 and "valid_to" not in units["SNV"]


def test_the_merged_provinces_names_are_one_province_but_their_towns_stay_apart():
    towns = Matcher(
        [
            Candidate("D070", "Thành phố Tuyên Quang", "unit", ("UBND thành phố tuyên quang",)),
            Candidate("D024", "Thành phố Hà Giang", "unit"),
            Candidate("P08-BAO", "Báo Tuyên Quang", "unit"),
        ],
        province_names=PROVINCE_NAMES,
    )
    assert towns.match("UBND thành phố Tuyên Quang").code == "D070"
    assert towns.match("Thành phố Hà Giang").code == "D024"
    assert towns.match("Báo Hà Giang").code == "P08-BAO"
