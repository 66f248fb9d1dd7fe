"""The time-frame parser reads the phrases of plan tables; pure Python, no database."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata
from dataclasses import FrozenInstanceError
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc.plans.timeframes import KINDS, TimeFrame, describe, due_dates, occurrences, parse

SEED_TIMEFRAMES = Path(__file__).resolve().parent / "data" / "seed_timeframes.tsv"
SEEDS = Path("/work/shared/seeds")
DOMAIN = Path("/work/shared/domain/DOMAIN.md")
UNITS = {"days": "d", "working_days": "wd", "months": "m"}


def summary(frame: TimeFrame) -> str:
    """The compact form of the 'expected' column of seed_timeframes.tsv."""
    if frame.kind == "combined":
        text = "combined(" + " ; ".join(summary(part) for part in frame.parts) + ")"
    else:
        bits = [frame.kind]
        if frame.start:
            bits.append(f"start={frame.start.isoformat()}")
        if frame.due:
            bits.append(f"due={frame.due.isoformat()}")
        if rec := frame.recurrence:
            bits.append(
                rec.frequency + (f" m={rec.month_in_period}" if rec.month_in_period else "")
                + (f" d={rec.day}" if rec.day else "")
            )
        if off := frame.offset:
            bits.append(f"{'-' if off.before else '+'}{off.amount}{UNITS[off.unit]}")
        text = " ".join(bits)
        if frame.label:
            text = f"[{frame.label}] {text}"
    if frame.needs_review and frame.kind != "unparsed":
        text += " !review"
    return text


def _unescape(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        code = m.group(1)
        return {"n": "\n", "t": "\t", "\\": "\\"}.get(code) or chr(int(code[1:], 16))

    return re.sub(r"\\(u[0-9a-fA-F]{4}|[nt\\])", one, text)


def seed_rows() -> list:
    rows = []
    for line in SEED_TIMEFRAMES.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        seed, cell, plan_year, expected, where = line.split("\t")
        rows.append(pytest.param(seed, _unescape(cell), int(plan_year), expected, where, id=f"{seed}-{where}"))
    return rows


SEED_ROWS = seed_rows()


# --- the seed plans ---------------------------------------------------------------------------


@pytest.mark.parametrize(("seed", "cell", "plan_year", "expected", "where"), SEED_ROWS)
def test_it_reads_every_time_frame_cell_of_the_seed_plans(seed, cell, plan_year, expected, where):
    frame = parse(cell, plan_year=plan_year)
    assert summary(frame) == expected
    assert frame.text == cell


def test_the_seed_list_holds_every_cell_of_the_five_plans():
    rows = [p.values for p in SEED_ROWS]
    per_seed = {seed: sum(1 for row in rows if row[0] == seed) for seed in ("000", "001", "002", "003", "004")}
    assert per_seed == {"000": 66, "001": 112, "002": 78, "003": 70, "004": 155}
    blank = {seed: sum(1 for row in rows if row[0] == seed and not row[1].strip()) for seed in per_seed}
    assert blank == {"000": 0, "001": 24, "002": 25, "003": 0, "004": 0}


def test_no_seed_cell_is_left_unread_and_only_three_are_flagged():
    frames = [parse(cell, plan_year=year) for _seed, cell, year, _exp, _where in (p.values for p in SEED_ROWS)]
    assert not [f.text for f in frames if f.kind == "unparsed"]
    flagged = sorted(f.text for f in frames if f.needs_review)
    assert flagged == ["Hằng thắng", "Tháng 02/2024", "Tháng 3/2024"]
    assert {f.kind for f in frames} == set(KINDS) - {"unparsed"}


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed exports are not on this machine")
def test_every_listed_cell_is_where_the_list_says_in_its_seed():
    texts = {path.name[:3]: path.read_text(encoding="utf-8").split("\n") for path in SEEDS.glob("*.txt")}
    for seed, cell, _year, _expected, where in (p.values for p in SEED_ROWS):
        if cell.strip():
            line = int(where.split(":")[0].removeprefix("L"))
            assert cell.split("\n")[0].strip() in texts[seed][line - 1], (seed, where, cell)


# --- the phrases DOMAIN.md lists ---------------------------------------------------------------

DOMAIN_PHRASES = [
    ("Thường xuyên", None, "continuous"),
    ("Hằng năm", None, "recurring yearly"),
    ("Hằng tháng", None, "recurring monthly"),
    ("Năm 2024", None, "period start=2024-01-01 due=2024-12-31"),
    ("Trong năm 2021", None, "period start=2021-01-01 due=2021-12-31"),
    ("Trước ngày 15/8/2021", None, "date due=2021-08-15"),
    ("Trước ngày 25/12", 2021, "date due=2021-12-25"),
    ("Trước ngày 25 tháng cuối quý", None, "recurring quarterly d=25"),
    ("Quý III", 2021, "period start=2021-07-01 due=2021-09-30"),
    (
        "Thành lập trong Quý III/2021; đưa vào hoạt động Quý IV/2021", None,
        "combined([Thành lập] period start=2021-07-01 due=2021-09-30 ; "
        "[đưa vào hoạt động] period start=2021-10-01 due=2021-12-31)",
    ),
    ("Tháng 12/2024", None, "period start=2024-12-01 due=2024-12-31"),
    ("Tháng 01/2025", None, "period start=2025-01-01 due=2025-01-31"),
    ("Tháng 12/2024 → Tháng 01/2025", None, "period start=2024-12-01 due=2025-01-31"),
    ("15/01/2025", None, "date due=2025-01-15"),
    ("Trước ngày 31/01 năm sau", 2021, "date due=2022-01-31"),
    ("Kế hoạch trong quý IV năm trước liền kề năm kế hoạch", 2021, "[Kế hoạch] period start=2020-10-01 due=2020-12-31"),
    ("Sau 15 ngày kể từ ngày nhận đủ hồ sơ hợp lệ", None, "offset +15d"),
    ("Ngay sau khi văn bản được ban hành", None, "offset +0d"),
    ("Theo Kế hoạch của Bộ Nội vụ", None, "external"),
    ("Triển khai thực hiện sau khi UBND tỉnh ban hành Đề án", None, "[Triển khai thực hiện] event"),
]


@pytest.mark.parametrize(("text", "plan_year", "expected"), DOMAIN_PHRASES, ids=[p[0] for p in DOMAIN_PHRASES])
def test_it_reads_every_phrase_domain_md_lists(text, plan_year, expected):
    assert summary(parse(text, plan_year=plan_year)) == expected


@pytest.mark.skipif(not DOMAIN.is_file(), reason="DOMAIN.md is not on this machine")
def test_the_domain_phrase_list_is_the_one_in_domain_md():
    section = DOMAIN.read_text(encoding="utf-8").split("## Tasks and time frames")[1].split("\n## ")[0]
    listed = {p for p in re.findall(r"`([^`]+)`", section.split("Some are dates")[0]) if p[0].isupper() or p[0].isdigit()}
    assert len(listed) == 19
    assert listed <= {p[0] for p in DOMAIN_PHRASES}


def test_the_details_of_the_domain_phrases():
    offset = parse("Sau 15 ngày kể từ ngày nhận đủ hồ sơ hợp lệ").offset
    assert (offset.amount, offset.unit, offset.from_event, offset.before) == (15, "days", "ngày nhận đủ hồ sơ hợp lệ", False)
    offset = parse("Ngay sau khi văn bản được ban hành").offset
    assert (offset.amount, offset.unit, offset.from_event) == (0, "days", "văn bản được ban hành")
    assert parse("Triển khai thực hiện sau khi UBND tỉnh ban hành Đề án").event == "sau khi UBND tỉnh ban hành Đề án"
    quarterly = parse("Trước ngày 25 tháng cuối quý").recurrence
    assert (quarterly.frequency, quarterly.month_in_period, quarterly.day) == ("quarterly", None, 25)
    yearly = parse("Hằng năm, trước ngày 25/12").recurrence
    assert (yearly.frequency, yearly.month_in_period, yearly.day) == ("yearly", 12, 25)
    assert parse("Hằng năm ... trước ngày 25/12").recurrence == yearly
    period = parse("Quý III/2021").period
    assert (period.unit, period.index, period.year) == ("quarter", 3, 2021)
    plan = parse("Kế hoạch Trong quý IV năm trước liền kề năm kế hoạch; Báo cáo trước ngày 25/12", plan_year=2021)
    assert [(p.label, p.due) for p in plan.parts] == [("Kế hoạch", date(2020, 12, 31)), ("Báo cáo", date(2021, 12, 25))]
    assert (plan.start, plan.due) == (date(2020, 10, 1), date(2021, 12, 25))
    assert parse("Theo yêu cầu nhiệm vụ").kind == "external"


# --- the variants a cell comes in --------------------------------------------------------------

SAME_AS = [
    ("Quý III", "quý 3", "QUÝ III", "Quý  III", "quý iii", "Trong quý III", "Quý III."),
    ("Quý III/2021", "quý 3/2021", "Quý III năm 2021", "quý 3 năm 2021", "Quý III / 2021"),
    ("quý IV năm 2024", "Quý IV/2024", "quý 4/2024"),
    ("Tháng 01/2025", "tháng 01/2025", "01/2025", "tháng 1/2025", "Tháng 1 năm 2025", "Trong tháng 01/2025", "Tháng 01 / 2025"),
    ("15/8/2021", "15/08/2021", "ngày 15 tháng 8 năm 2021", "Ngày 15/8/2021", "15.8.2021", "Trước ngày 15/8/2021"),
    ("Năm 2024", "năm 2024", "NĂM 2024", "Trong năm 2024", "2024", "Năm 2024;"),
    ("2021-2025", "Giai đoạn 2021-2025", "2021 - 2025", "2021\n- 2025", "Từ năm 2021 đến năm 2025", "2021 – 2025"),
    ("Tháng 12/2024 → Tháng 01/2025", "Từ tháng 12/2024 đến tháng 01/2025", "Tháng 12/2024 - Tháng 01/2025",
     "Từ tháng 12 đến tháng 01/2025", "tháng 12/2024 -> tháng 1/2025"),
    ("6 tháng đầu năm", "6 tháng đầu năm 2025", "sáu tháng đầu năm", "Trong 6 tháng đầu năm"),
    ("Thường xuyên", "thường xuyên", "THƯỜNG XUYÊN", "Thường\n xuyên", "Thường \nxuyên ", "- Thường xuyên", "  Thường   xuyên.",
     " Thường xuyên", "Thường Xuyên"),
    ("Hằng năm", "Hàng năm", "Hằng\nnăm", "hằng năm"),
    ("Hằng tháng", "Hàng tháng", "Định kỳ hằng tháng", "hằng tháng"),
    ("Hằng quý", "Hàng quý", "Định kỳ hằng quý", "Định kỳ quý"),
    ("Định kỳ 6 tháng", "Hằng 6 tháng", "6 tháng một lần"),
    ("Trước ngày 25 tháng cuối quý", "- Trước ngày 25 tháng cuối quý", "Hằng quý, trước ngày 25 tháng cuối quý",
     "trước ngày 25 của tháng cuối quý", "Hằng quý trước ngày 25 tháng cuối quý"),
    ("Trước ngày 25/12", "trước ngày 25/12/2025", "Trước ngày 25 tháng 12", "Chậm nhất ngày 25/12"),
]


@pytest.mark.parametrize("variants", SAME_AS, ids=[group[0] for group in SAME_AS])
def test_the_variants_of_a_phrase_read_the_same(variants):
    first = parse(variants[0], plan_year=2025)
    for variant in variants[1:]:
        frame = parse(variant, plan_year=2025)
        assert summary(frame) == summary(first), variant
        assert frame.text == variant


def test_nfd_input_reads_like_nfc_and_is_kept_as_given():
    for text in ("Trước ngày 25 tháng cuối quý", "Quý III/2021", "Hằng tháng", "Thường xuyên"):
        nfd = unicodedata.normalize("NFD", text)
        assert nfd != text
        assert summary(parse(nfd)) == summary(parse(text))
        assert parse(nfd).text == nfd


def test_a_missing_year_is_the_plan_year_and_flagged_without_one():
    assert parse("Trước ngày 25/12", plan_year=2021).due == date(2021, 12, 25)
    assert parse("Quý III", plan_year=2021).due == date(2021, 9, 30)
    assert parse("Tháng 12", plan_year=2024).due == date(2024, 12, 31)
    for text in ("Trước ngày 25/12", "Quý III", "Tháng 12", "Trước ngày 31/01 năm sau", "6 tháng cuối năm",
                 "Kế hoạch trong quý IV năm trước liền kề năm kế hoạch"):
        frame = parse(text)
        assert frame.needs_review and frame.problem and frame.due is None, text
        assert frame.kind in ("date", "period"), text
    assert parse("Quý III").period.year is None
    assert parse("Trước ngày 25/12", plan_year=2021).needs_review is False


def test_relative_years_count_from_the_plan_year():
    assert parse("Trước ngày 31/01 năm sau", plan_year=2021).due == date(2022, 1, 31)
    assert parse("Trong quý IV năm trước liền kề năm kế hoạch", plan_year=2021).period.year == 2020
    assert parse("Quý I năm sau", plan_year=2024).start == date(2025, 1, 1)
    assert parse("6 tháng cuối năm", plan_year=2025).start == date(2025, 7, 1)


def test_a_range_end_without_a_year_takes_it_from_the_other_end():
    frame = parse("Từ tháng 12 đến tháng 01/2025")
    assert (frame.start, frame.due, frame.needs_review) == (date(2024, 12, 1), date(2025, 1, 31), False)
    frame = parse("Từ tháng 01/2025")
    assert (frame.kind, frame.start, frame.due) == ("period", date(2025, 1, 1), None)


def test_offsets_count_days_working_days_or_months_after_or_before_an_event():
    assert parse("Trong vòng 10 ngày làm việc kể từ ngày nhận hồ sơ").offset.unit == "working_days"
    assert parse("Sau 3 tháng kể từ khi Đề án được phê duyệt").offset.amount == 3
    before = parse("Trình UBND tỉnh chậm nhất là 10 ngày trước ngày văn bản được quy định chi tiết hết hiệu lực")
    assert (before.label, before.offset.amount, before.offset.before) == ("Trình UBND tỉnh", 10, True)


def test_a_plan_year_far_from_the_deadline_is_flagged():
    frame = parse("Tháng 3/2024", plan_year=2025)
    assert frame.needs_review and "2025" in frame.problem and frame.due == date(2024, 3, 31)
    assert not parse("Tháng 12/2024", plan_year=2025).needs_review
    assert not parse("Tháng 3/2024").needs_review


def test_a_known_typo_is_read_and_flagged():
    frame = parse("Hằng thắng")
    assert (frame.kind, frame.recurrence.frequency, frame.needs_review) == ("recurring", "monthly", True)
    assert "thắng" in frame.problem


# --- unread text --------------------------------------------------------------------------------


UNREAD = [
    "Tùy tình hình thực tế", "Quý V/2021", "31/02/2025", "Tháng 13/2025", "2025-2021", "Sau 15 ngày", "Đột xuất",
    # a word in front that changes the meaning is not taken for a label: no silent guess
    "Trước tháng 12", "Cuối năm 2025", "Đầu năm 2025", "Sau quý III/2021", "Năm 2025 và các năm tiếp theo",
    "Không thực hiện trong năm 2025",
]


@pytest.mark.parametrize("text", UNREAD)
def test_text_it_cannot_read_is_flagged_and_kept(text):
    frame = parse(text, plan_year=2025)
    assert (frame.kind, frame.needs_review, frame.text) == ("unparsed", True, text)
    assert frame.problem
    assert describe(frame).startswith("Chưa đọc được")


def test_a_combination_with_an_unread_part_keeps_the_read_part_and_flags_the_rest():
    frame = parse("Báo cáo trước ngày 25/12; tùy tình hình", plan_year=2021)
    assert frame.kind == "combined" and frame.needs_review
    assert [part.kind for part in frame.parts] == ["date", "unparsed"]
    assert "tùy tình hình" in frame.problem


def test_items_joined_by_va_or_a_comma_are_parts_when_each_reads():
    frame = parse("Tháng 12/2024, tháng 01/2025")
    assert [part.due for part in frame.parts] == [date(2024, 12, 31), date(2025, 1, 31)]
    frame = parse("Ngay sau khi văn bản được ban hành và thường xuyên")
    assert [part.kind for part in frame.parts] == ["offset", "continuous"]
    assert parse("Thường xuyên, khi nhận được yêu cầu").event == "khi nhận được yêu cầu"
    assert parse("Theo hướng dẫn của Bộ Nội vụ và Kế hoạch của UBND tỉnh").kind == "external"


def test_blank_cells_are_empty_not_flagged():
    for text in ("", "  ", "\n", "\u00a0"):
        frame = parse(text)
        assert (frame.kind, frame.needs_review, frame.text) == ("empty", False, text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789/-;., \nQuýIVXThángnămtrướcsaukhiHằngđầucuốiàvđ")), max_size=40))
def test_it_never_fails_and_never_drops_the_text(text):
    frame = parse(text, plan_year=2025)
    assert frame.text == text
    assert frame.kind in KINDS
    assert frame.kind != "unparsed" or frame.needs_review
    json.dumps(frame.as_dict())
    describe(frame)


# --- dates in a year ------------------------------------------------------------------------------


def test_monthly_frames_give_twelve_dates():
    ends = occurrences(parse("Hằng tháng"), 2025)
    assert len(ends) == 12 and ends[0] == date(2025, 1, 31) and ends[1] == date(2025, 2, 28) and ends[-1] == date(2025, 12, 31)
    assert occurrences(parse("Hằng tháng, trước ngày 25"), 2025) == [date(2025, month, 25) for month in range(1, 13)]
    assert occurrences(parse("Trước ngày 31 hằng tháng"), 2024)[1] == date(2024, 2, 29)


def test_quarterly_frames_give_four_dates():
    frame = parse("Trước ngày 25 tháng cuối quý")
    expected = [date(2025, 3, 25), date(2025, 6, 25), date(2025, 9, 25), date(2025, 12, 25)]
    assert occurrences(frame, 2025) == expected
    assert occurrences(parse("Hằng quý"), 2025) == [date(2025, 3, 31), date(2025, 6, 30), date(2025, 9, 30), date(2025, 12, 31)]
    assert occurrences(parse("Hằng quý, trước ngày 15 tháng đầu quý"), 2025)[0] == date(2025, 1, 15)


def test_yearly_and_half_yearly_frames():
    assert occurrences(parse("Hằng năm, trước ngày 25/12"), 2025) == [date(2025, 12, 25)]
    assert occurrences(parse("Hằng năm"), 2025) == [date(2025, 12, 31)]
    assert occurrences(parse("Định kỳ 6 tháng"), 2025) == [date(2025, 6, 30), date(2025, 12, 31)]
    assert occurrences(parse("Hằng năm", plan_year=2020), 2023) == [date(2023, 12, 31)]


def test_one_off_and_waiting_frames():
    assert occurrences(parse("Trước ngày 15/8/2021"), 2021) == [date(2021, 8, 15)]
    assert occurrences(parse("Trước ngày 15/8/2021"), 2022) == []
    combined = parse("Ban hành Kế hoạch trong tháng 01/2025; Báo cáo trước ngày 10/12/2025")
    assert occurrences(combined, 2025) == [date(2025, 1, 31), date(2025, 12, 10)]
    for text in ("Thường xuyên", "Sau khi có thông báo của Bộ Tư pháp", "Theo quy định", "Ngay sau khi văn bản được ban hành", ""):
        assert occurrences(parse(text), 2025) == [], text


def test_due_dates_apply_the_working_day_rule_it_is_given():
    def previous_weekday(day: date) -> date:  # stands in for the calendar module
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        return day

    monthly = parse("Hằng tháng, trước ngày 25")
    moved = due_dates(monthly, 2025, adjust=previous_weekday)
    assert moved[0] == date(2025, 1, 24)  # 25/01/2025 is a Saturday
    assert date(2025, 5, 23) in moved and date(2025, 10, 24) in moved
    assert due_dates(monthly, 2025) == occurrences(monthly, 2025)
    assert due_dates(parse("Hằng tháng"), 2025, adjust=lambda day: date(2025, 12, 31)) == [date(2025, 12, 31)]


# --- words for screens, data for storage ----------------------------------------------------------

DESCRIPTIONS = [
    ("Trước ngày 25 tháng cuối quý", None, "Hằng quý, trước ngày 25 tháng cuối quý"),
    ("Trước ngày 15/8/2021", None, "Hạn 15/08/2021"),
    ("Hằng năm, trước ngày 25/12", None, "Hằng năm, trước ngày 25/12"),
    ("Hằng tháng", None, "Hằng tháng"),
    ("Quý III", 2021, "Quý III/2021 (hạn 30/09/2021)"),
    ("Quý III", None, "Quý III (chưa rõ năm) (cần xem lại)"),
    ("Năm 2024", None, "Năm 2024 (hạn 31/12/2024)"),
    ("Tháng 12/2024 → Tháng 01/2025", None, "Từ 01/12/2024 đến 31/01/2025"),
    ("Thường xuyên", None, "Thường xuyên"),
    ("Sau khi có thông báo của Bộ Tư pháp", None, "Chờ sự kiện: Sau khi có thông báo của Bộ Tư pháp"),
    ("Triển khai thực hiện sau khi UBND tỉnh ban hành Đề án", None,
     "Chờ sự kiện: Triển khai thực hiện sau khi UBND tỉnh ban hành Đề án"),
    ("Sau 15 ngày kể từ ngày nhận đủ hồ sơ hợp lệ", None, "Sau 15 ngày kể từ ngày nhận đủ hồ sơ hợp lệ"),
    ("Ngay sau khi văn bản được ban hành", None, "Ngay sau khi văn bản được ban hành"),
    ("Theo Kế hoạch của Bộ Nội vụ", None, "Theo Kế hoạch của Bộ Nội vụ"),
    ("- Thành lập trong Quý III/2021;\n- Đưa vào hoạt động Quý IV/2021", None,
     "Thành lập: Quý III/2021 (hạn 30/09/2021); Đưa vào hoạt động: Quý IV/2021 (hạn 31/12/2021)"),
    ("Hằng thắng", None, "Hằng tháng (cần xem lại)"),
    ("", None, "Chưa có thời gian"),
    ("Tùy tình hình", None, "Chưa đọc được: Tùy tình hình"),
]


@pytest.mark.parametrize(("text", "plan_year", "expected"), DESCRIPTIONS, ids=[d[0] or "blank" for d in DESCRIPTIONS])
def test_it_describes_a_frame_in_a_few_vietnamese_words(text, plan_year, expected):
    assert describe(parse(text, plan_year=plan_year)) == expected


def test_a_frame_is_frozen_and_stores_as_json():
    frame = parse("Kế hoạch Trong quý IV năm trước liền kề năm kế hoạch; Báo cáo trước ngày 25/12", plan_year=2021)
    with pytest.raises(FrozenInstanceError):
        frame.kind = "date"  # type: ignore[misc]
    data = json.loads(json.dumps(frame.as_dict()))
    assert data["kind"] == "combined" and data["due"] == "2021-12-25"
    assert data["parts"][0]["period"] == {"unit": "quarter", "index": 4, "year": 2020}
    assert data["parts"][1]["label"] == "Báo cáo"


def test_the_parser_imports_no_django():
    code = "import sys, cchc.plans.timeframes; print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
