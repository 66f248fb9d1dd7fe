"""Working days (cchc.workdays): the real 2024-2026 calendars, the portal's counting conventions and
properties over random calendars. Pure Python: no database.

Confidence of the expected schedules (see DEFAULT_ADJUSTMENTS for the sources):
[S] 2024 all; Tết 2025; 2026 all except 24/11. They come from press or government-site copies of
the VPCP letters and notices.
[U] 30/4 and 2/9 of 2025 come from the ``holidays`` package and memory; no notice was read.
[U] 24/11/2026 (Ngày Văn hóa Việt Nam): the test asserts what the ``holidays`` package gives.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import holidays
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc.workdays import (
    CUTOFF_BY_KIND,
    CUTOFF_SAME_DAY,
    DEFAULT_ADJUSTMENTS,
    Adjustment,
    Calendar,
    adjustment_days,
    default_calendar,
)

D = date
DAY = timedelta(days=1)
H = timedelta(hours=1)
CAL = default_calendar()  # holidays package + DEFAULT_ADJUSTMENTS
PLAIN = Calendar()  # holidays package only
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def days(first: date, last: date):
    d = first
    while d <= last:
        yield d
        d += DAY


def assert_break(cal: Calendar, first: date, last: date) -> None:
    """Every day first..last is off, and the days just before and after are working days."""
    off = [d for d in days(first, last) if cal.is_working_day(d)]
    assert off == [], f"working days inside the break {first}..{last}: {off}"
    assert cal.is_working_day(first - DAY), f"{first - DAY} should be a working day"
    assert cal.is_working_day(last + DAY), f"{last + DAY} should be a working day"
    assert cal.next_working_day(first - DAY) == last + DAY
    assert cal.previous_working_day(last + DAY) == first - DAY


# ------------------------------------------------------------------------------------------
# What the holidays package returns (pinned: an upgrade that changes it must be re-checked)
# ------------------------------------------------------------------------------------------

PACKAGE_VN = {
    2024: [
        D(2024, 1, 1), D(2024, 2, 8), D(2024, 2, 9), D(2024, 2, 10), D(2024, 2, 11), D(2024, 2, 12),
        D(2024, 2, 13), D(2024, 2, 14), D(2024, 4, 18), D(2024, 4, 29), D(2024, 4, 30), D(2024, 5, 1),
        D(2024, 9, 2), D(2024, 9, 3),
    ],
    2025: [
        D(2025, 1, 1), D(2025, 1, 27), D(2025, 1, 28), D(2025, 1, 29), D(2025, 1, 30), D(2025, 1, 31),
        D(2025, 2, 1), D(2025, 4, 7), D(2025, 4, 30), D(2025, 5, 1), D(2025, 5, 2), D(2025, 9, 1),
        D(2025, 9, 2),
    ],
    2026: [
        D(2026, 1, 1), D(2026, 2, 16), D(2026, 2, 17), D(2026, 2, 18), D(2026, 2, 19), D(2026, 2, 20),
        D(2026, 4, 26), D(2026, 4, 27), D(2026, 4, 30), D(2026, 5, 1), D(2026, 8, 31), D(2026, 9, 1),
        D(2026, 9, 2), D(2026, 11, 24),
    ],
}  # fmt: skip


@pytest.mark.parametrize("year", sorted(PACKAGE_VN))
def test_holidays_package_vn_snapshot(year):
    got = sorted(holidays.country_holidays("VN", years=year))
    assert got == PACKAGE_VN[year], (
        f"holidays {holidays.__version__} changed VN {year}: re-check DEFAULT_ADJUSTMENTS and the "
        "module docstring of cchc.workdays"
    )


def test_package_alone_misses_the_government_swaps():
    # Make-up Saturdays are working days only with the adjustments (the package cannot say it).
    for make_up in (D(2024, 5, 4), D(2025, 4, 26), D(2026, 1, 10), D(2026, 8, 22)):
        assert not PLAIN.is_working_day(make_up)
        assert CAL.is_working_day(make_up)
    # The 2026 New Year swap (VPCP 12729/VPCP-KGVX, 25/12/2025) is not in holidays 0.109.
    assert PLAIN.is_working_day(D(2026, 1, 2))
    assert not CAL.is_working_day(D(2026, 1, 2))


# ------------------------------------------------------------------------------------------
# The real calendars
# ------------------------------------------------------------------------------------------


def test_tet_2024_giap_thin():
    assert_break(CAL, D(2024, 2, 8), D(2024, 2, 14))  # [S] 8662/VPCP-KGVX, 5015/TB-LĐTBXH
    assert CAL.working_days_between(D(2024, 2, 7), D(2024, 2, 15)) == 1


def test_tet_2025_at_ty_has_no_make_up_day():
    assert_break(CAL, D(2025, 1, 25), D(2025, 2, 2))  # [S] 8726/VPCP-KGVX
    saturdays = [d for d in days(D(2025, 1, 1), D(2025, 3, 31)) if d.weekday() == 5]
    assert not any(CAL.is_working_day(d) for d in saturdays)


def test_tet_2026_binh_ngo():
    # [S] PM's approval reported 13/10/2025: Sat 14/2 to Sun 22/2. The package agrees (16-20/2).
    assert_break(CAL, D(2026, 2, 14), D(2026, 2, 22))
    assert_break(PLAIN, D(2026, 2, 14), D(2026, 2, 22))


def test_new_year_2026_swap():
    assert_break(CAL, D(2026, 1, 1), D(2026, 1, 4))  # [S] 12729/VPCP-KGVX
    assert CAL.is_working_day(D(2026, 1, 10))  # Saturday worked in exchange
    assert CAL.working_days_between(D(2025, 12, 31), D(2026, 1, 10)) == 6  # Mon 5 to Sat 10 Jan
    assert [d for d in days(D(2026, 1, 5), D(2026, 1, 11)) if CAL.is_working_day(d)] == [
        D(2026, 1, 5), D(2026, 1, 6), D(2026, 1, 7), D(2026, 1, 8), D(2026, 1, 9), D(2026, 1, 10),
    ]  # fmt: skip


def test_hung_kings_day():
    assert not CAL.is_working_day(D(2024, 4, 18))  # Thursday, 10/3 âm lịch
    assert CAL.is_working_day(D(2024, 4, 17)) and CAL.is_working_day(D(2024, 4, 19))
    assert not CAL.is_working_day(D(2025, 4, 7))  # Monday
    assert CAL.is_working_day(D(2025, 4, 8))
    # 2026: Sunday 26/4, so Monday 27/4 is a compensatory day; 28/4 is a normal working day.
    assert_break(CAL, D(2026, 4, 25), D(2026, 4, 27))


def test_reunification_and_labour_day():
    assert_break(CAL, D(2024, 4, 27), D(2024, 5, 1))  # Mon 29/4 swapped
    assert CAL.is_working_day(D(2024, 5, 4))  # make-up Saturday [S] 2450/VPCP-KGVX
    assert_break(CAL, D(2025, 4, 30), D(2025, 5, 4))  # Fri 2/5 swapped [U]
    assert CAL.is_working_day(D(2025, 4, 26))  # make-up Saturday [U]
    assert_break(CAL, D(2026, 4, 30), D(2026, 5, 3))  # Thu-Fri plus the weekend [S]


def test_national_day():
    assert_break(CAL, D(2024, 8, 31), D(2024, 9, 3))  # 2/9 + 3/9
    assert_break(CAL, D(2025, 8, 30), D(2025, 9, 2))  # bridge day Monday 1/9 [U]
    assert not CAL.is_working_day(D(2025, 9, 1))
    assert_break(CAL, D(2026, 8, 29), D(2026, 9, 2))  # Mon 31/8 swapped [S]
    assert CAL.is_working_day(D(2026, 8, 22))  # make-up Saturday


def test_vietnam_cultural_day_2026_as_the_package_gives_it():
    # [U] whether 24/11 is already a legal holiday in 2026 was not confirmed; the package says so.
    assert not CAL.is_working_day(D(2026, 11, 24))
    # The reform office can cancel a package holiday by listing it as a working day.
    assert Calendar(make_up_days=[D(2026, 11, 24)]).is_working_day(D(2026, 11, 24))


def test_default_adjustments_are_well_formed_data():
    for year, items in DEFAULT_ADJUSTMENTS.items():
        assert items, year
        for adj in items:
            assert isinstance(adj, Adjustment)
            assert adj.source and adj.what and adj.confidence in {"C", "S", "U"}
            assert all(d.year == year for d in adj.days())
            if adj.kind == "work":
                assert adj.first.weekday() == 5, f"make-up day {adj.first} is not a Saturday"
    off, work = adjustment_days()
    assert not set(off) & set(work)
    assert sorted(work) == [D(2024, 5, 4), D(2025, 4, 26), D(2026, 1, 10), D(2026, 8, 22)]
    assert adjustment_days(years=[2025]) == (
        [d for a in DEFAULT_ADJUSTMENTS[2025] if a.kind == "off" for d in a.days()],
        [D(2025, 4, 26)],
    )


def test_days_off_listing():
    names = CAL.days_off(2026)
    assert D(2026, 1, 2) in names and "hoán đổi" in names[D(2026, 1, 2)]
    assert D(2026, 2, 17) in names  # Tết Nguyên Đán, from the package
    assert D(2026, 2, 14) not in names  # a Saturday: off anyway, not listed
    assert D(2026, 8, 22) not in names
    assert CAL.make_up_days_in(2026) == [D(2026, 1, 10), D(2026, 8, 22)]
    assert Calendar(language="en_US").days_off(2025)[D(2025, 1, 29)] == "Lunar New Year"


# ------------------------------------------------------------------------------------------
# Counting
# ------------------------------------------------------------------------------------------


def test_add_working_days_across_tet():
    assert CAL.add_working_days(D(2024, 2, 7), 3) == D(2024, 2, 19)  # 15/2, 16/2, 19/2
    assert CAL.add_working_days(D(2025, 1, 24), 1) == D(2025, 2, 3)
    assert CAL.add_working_days(D(2025, 1, 23), 5) == D(2025, 2, 6)  # 24/1, 3/2, 4/2, 5/2, 6/2
    assert CAL.add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 23)
    assert CAL.add_working_days(D(2026, 2, 12), 10) == D(2026, 3, 5)
    assert CAL.add_working_days(D(2025, 1, 28), 1) == D(2025, 2, 3)  # received during Tết
    # counting back
    assert CAL.add_working_days(D(2025, 2, 3), -1) == D(2025, 1, 24)
    assert CAL.add_working_days(D(2025, 2, 1), -1) == D(2025, 1, 24)


def test_count_from_conventions():
    # "next" (portal): day 1 is the working day after receipt. "same": the receipt day is day 1.
    assert CAL.add_working_days(D(2025, 1, 24), 1, "same") == D(2025, 1, 24)
    assert CAL.add_working_days(D(2025, 1, 24), 2, "same") == D(2025, 2, 3)
    assert CAL.add_working_days(D(2025, 1, 25), 1, "same") == D(2025, 2, 3)
    same = Calendar.from_adjustments(count_from="same")
    assert same.add_working_days(D(2025, 1, 24), 2) == D(2025, 2, 3)
    # n == 0: a same-day procedure; a day off moves to the next working day
    assert CAL.add_working_days(D(2025, 1, 24), 0) == D(2025, 1, 24)
    assert CAL.add_working_days(D(2025, 1, 25), 0) == D(2025, 2, 3)
    with pytest.raises(ValueError):
        CAL.add_working_days(D(2025, 1, 24), 1, "after")


def test_make_up_saturday_counts():
    assert CAL.add_working_days(D(2025, 4, 25), 1) == D(2025, 4, 26)  # Saturday worked
    assert CAL.add_working_days(D(2025, 4, 29), 1) == D(2025, 5, 5)  # 30/4-4/5 off
    assert PLAIN.add_working_days(D(2025, 4, 25), 1) == D(2025, 4, 28)


def test_working_days_between_both_directions():
    assert CAL.working_days_between(D(2025, 1, 24), D(2025, 2, 3)) == 1
    assert CAL.working_days_between(D(2025, 2, 3), D(2025, 1, 24)) == -1
    assert CAL.working_days_between(D(2024, 2, 8), D(2024, 2, 14)) == 0
    assert CAL.working_days_between(D(2025, 3, 7), D(2025, 3, 7)) == 0
    # inclusive count [a, b] = between(a - 1 day, b)
    assert CAL.working_days_between(D(2025, 3, 10) - DAY, D(2025, 3, 14)) == 5
    # a whole year
    assert CAL.working_days_between(D(2024, 12, 31), D(2025, 12, 31)) == sum(
        CAL.is_working_day(d) for d in days(D(2025, 1, 1), D(2025, 12, 31))
    )


def test_adjust_rules():
    assert CAL.adjust(D(2025, 1, 29), "next") == D(2025, 2, 3)
    assert CAL.adjust(D(2025, 1, 29), "previous") == D(2025, 1, 24)
    assert CAL.adjust(D(2025, 1, 29), "none") == D(2025, 1, 29)
    assert CAL.adjust(D(2025, 1, 24), "previous") == D(2025, 1, 24)
    assert CAL.adjust(datetime(2025, 1, 29, 9, 0), "next") == D(2025, 2, 3)
    with pytest.raises(ValueError):
        CAL.adjust(D(2025, 1, 29), "nearest")


# ------------------------------------------------------------------------------------------
# Receipt and moments
# ------------------------------------------------------------------------------------------


def test_receipt_after_hours_on_the_day_before_tet():
    close = CAL.closing_time
    assert close == time(17, 0)
    late = datetime(2025, 1, 24, 17, 30)  # Friday before Tết Ất Tỵ, after closing time
    assert CAL.receipt_day(late, close) == D(2025, 2, 3)  # the first working day after Tết
    assert CAL.due_date(late, 1, close) == D(2025, 2, 4)
    assert CAL.due_date(late, 0, close) == D(2025, 2, 3)
    assert CAL.receipt_day(datetime(2024, 2, 7, 16, 0), CUTOFF_SAME_DAY) == D(2024, 2, 15)
    assert CAL.receipt_day(datetime(2026, 2, 13, 17, 5), close) == D(2026, 2, 23)
    # in time: counts that day
    assert CAL.receipt_day(datetime(2025, 1, 24, 16, 59), close) == D(2025, 1, 24)
    assert CAL.due_date(datetime(2025, 1, 24, 16, 59), 1, close) == D(2025, 2, 3)


def test_receipt_cutoffs():
    friday = D(2025, 3, 7)
    assert CAL.receipt_day(datetime(2025, 3, 7, 15, 0), CUTOFF_SAME_DAY) == friday  # exactly at: same day
    assert CAL.receipt_day(datetime(2025, 3, 7, 15, 0, 1), CUTOFF_SAME_DAY) == D(2025, 3, 10)
    assert CAL.receipt_day(datetime(2025, 3, 7, 22, 0)) == friday  # no cut-off
    assert CAL.receipt_day(datetime(2025, 3, 7, 22, 0), CUTOFF_BY_KIND["none"]) == friday
    assert CAL.receipt_day(datetime(2025, 3, 7, 6, 0), CUTOFF_BY_KIND["after_hours"]) == friday
    assert CAL.receipt_day(datetime(2025, 3, 8, 9, 0)) == D(2025, 3, 10)  # Saturday, online
    assert CAL.receipt_day(D(2025, 1, 25)) == D(2025, 2, 3)  # a plain date
    make_up_saturday = datetime(2025, 4, 26, 10, 0)
    assert CAL.receipt_day(make_up_saturday, CUTOFF_SAME_DAY) == D(2025, 4, 26)


def test_aware_datetimes_are_vietnam_time():
    utc = UTC
    # 17:30 ICT, after closing time
    assert CAL.receipt_day(datetime(2025, 1, 24, 10, 30, tzinfo=utc), time(17, 0)) == D(2025, 2, 3)
    # 09:00 ICT
    assert CAL.receipt_day(datetime(2025, 1, 24, 2, 0, tzinfo=utc), time(17, 0)) == D(2025, 1, 24)
    # 03:00 ICT of the next day
    assert CAL.receipt_day(datetime(2025, 1, 23, 20, 0, tzinfo=utc), None) == D(2025, 1, 24)
    assert CAL.is_working_day(datetime(2025, 1, 24, 18, 0, tzinfo=utc)) is False  # Sat 01:00 ICT
    a = datetime(2025, 3, 10, 1, 30, tzinfo=utc)  # 08:30 ICT
    assert CAL.working_time_between(a, datetime(2025, 3, 10, 9, 30)) == H


def test_working_time_between_moments():
    wt = CAL.working_time_between
    assert wt(datetime(2025, 1, 24, 16, 0), datetime(2025, 2, 3, 8, 30)) == 2 * H  # across Tết
    assert wt(datetime(2025, 2, 3, 8, 30), datetime(2025, 1, 24, 16, 0)) == -2 * H
    assert wt(datetime(2025, 3, 10, 10, 0), datetime(2025, 3, 10, 14, 0)) == 2 * H  # lunch excluded
    assert wt(datetime(2025, 3, 10, 11, 45), datetime(2025, 3, 10, 13, 0)) == timedelta(0)
    assert wt(datetime(2025, 3, 7, 16, 0), datetime(2025, 3, 10, 8, 0)) == 1.5 * H  # weekend
    assert wt(datetime(2025, 3, 10, 7, 30), datetime(2025, 3, 14, 17, 0)) == 5 * 7.5 * H
    assert wt(datetime(2025, 1, 29, 8, 0), datetime(2025, 1, 29, 10, 0)) == timedelta(0)  # Tết
    assert wt(datetime(2024, 2, 7, 7, 30), datetime(2024, 2, 15, 17, 0)) == 2 * 7.5 * H
    assert wt(datetime(2025, 3, 10, 6, 0), datetime(2025, 3, 10, 20, 0)) == CAL.office_day
    night = Calendar(office_hours=((time(8, 0), time(12, 0)),), country_holidays=False)
    assert night.working_time_between(datetime(2025, 3, 7, 11, 0), datetime(2025, 3, 10, 9, 0)) == 2 * H


# ------------------------------------------------------------------------------------------
# Index, table, validation
# ------------------------------------------------------------------------------------------


def test_index_table_matches_index():
    first, last = D(2024, 12, 1), D(2026, 3, 31)
    table = CAL.working_day_index_table(first, last)
    assert table == [CAL.working_day_index(d) for d in days(first, last)]
    assert CAL.working_day_index_table(last, first) == []


def test_index_and_nth_consistent_over_the_whole_range():
    # Every working day 2000-2100 is found again from its index (the inverse used by add/next).
    d, prev = D(2000, 1, 1), None
    while d <= D(2100, 12, 31):
        i = CAL.working_day_index(d)
        if prev is not None:
            assert i - prev == CAL.is_working_day(d), d
        if CAL.is_working_day(d) and d.day in (1, 7, 13, 19, 25):
            assert CAL._nth(i) == d
        prev, d = i, d + DAY


def test_brute_force_2024_2026():
    work = [d for d in days(D(2023, 12, 1), D(2027, 3, 31)) if CAL.is_working_day(d)]
    pos = {d: k for k, d in enumerate(work)}
    for start in days(D(2023, 12, 15), D(2026, 12, 31)):
        after = next(k for k, d in enumerate(work) if d > start)
        for n in (1, 2, 3, 5, 7, 10, 15, 20, 30, 45):
            assert CAL.add_working_days(start, n) == work[after + n - 1], (start, n)
        if start in pos:
            assert CAL.add_working_days(start, -5) == work[pos[start] - 5]


def test_large_n():
    start = D(2001, 3, 15)  # a Thursday
    n = 20_000  # about 80 years
    result = CAL.add_working_days(start, n)
    assert CAL.is_working_day(result) and CAL.working_days_between(start, result) == n
    assert CAL.add_working_days(result, -n) == start


def test_validation():
    with pytest.raises(ValueError, match="both off and make-up"):
        Calendar([D(2025, 3, 8)], [D(2025, 3, 8)])
    with pytest.raises(ValueError):
        Calendar(weekend=range(7))
    with pytest.raises(ValueError):
        Calendar(weekend=(7,))
    with pytest.raises(ValueError):
        Calendar(office_hours=((time(8), time(12)), (time(11), time(13))))
    with pytest.raises(ValueError):
        Calendar(office_hours=((time(12), time(8)),))
    with pytest.raises(ValueError):
        Calendar(office_hours=())
    with pytest.raises(ValueError):
        Calendar([D(2101, 1, 3)])
    with pytest.raises(ValueError):
        CAL.is_working_day(D(2101, 1, 3))
    with pytest.raises(ValueError):
        CAL.is_working_day(D(1999, 12, 31))
    with pytest.raises(ValueError):
        CAL.add_working_days(D(2100, 12, 1), 100)
    with pytest.raises(ValueError):
        CAL.add_working_days(D(2000, 1, 10), -100)
    with pytest.raises(ValueError):
        Adjustment("off", D(2025, 1, 2), D(2025, 1, 1))
    with pytest.raises(TypeError):
        CAL.is_working_day("2025-01-01")


def test_other_weekends():
    six_day = Calendar(weekend=(6,), country_holidays=False)
    assert six_day.is_working_day(D(2025, 3, 8))  # Saturday
    assert six_day.add_working_days(D(2025, 3, 8), 1) == D(2025, 3, 10)
    assert six_day.working_days_between(D(2025, 3, 2), D(2025, 3, 9)) == 6
    fri_sat = Calendar(weekend=(4, 5), country_holidays=False)
    assert fri_sat.add_working_days(D(2025, 3, 6), 1) == D(2025, 3, 9)  # Thursday → Sunday


# ------------------------------------------------------------------------------------------
# Properties
# ------------------------------------------------------------------------------------------

FOCUS = st.one_of(
    st.dates(min_value=D(2000, 2, 1), max_value=D(2094, 12, 31)),
    st.dates(min_value=D(2023, 12, 1), max_value=D(2027, 1, 31)),
)
SMALL_N = st.integers(min_value=1, max_value=60)
N = st.one_of(SMALL_N, st.integers(min_value=1, max_value=1500))


@st.composite
def calendars(draw):
    kind = draw(st.sampled_from(["default", "plain", "random"]))
    if kind == "default":
        return CAL
    if kind == "plain":
        return PLAIN
    weekend = draw(st.sets(st.integers(0, 6), max_size=3))
    picked: set[date] = set()
    for _ in range(draw(st.integers(0, 12))):  # runs of days, like Tết breaks
        first = draw(st.dates(min_value=D(2022, 1, 1), max_value=D(2028, 12, 31)))
        picked.update(first + k * DAY for k in range(draw(st.integers(1, 10))))
    picked.update(draw(st.sets(st.dates(min_value=D(2000, 1, 1), max_value=D(2100, 12, 31)), max_size=20)))
    ordered = sorted(picked)
    split = draw(st.integers(0, len(ordered)))
    return Calendar(ordered[:split], ordered[split:], weekend=weekend, country_holidays=False)


def naive_add(cal: Calendar, start: date, n: int) -> date:
    d, left = start, n
    while left:
        d += DAY
        left -= cal.is_working_day(d)
    return d


@SETTINGS
@given(calendars(), FOCUS, N)
def test_prop_add_then_count_back_gives_n(cal, start, n):
    result = cal.add_working_days(start, n)
    assert result > start and cal.is_working_day(result)
    assert cal.working_days_between(start, result) == n
    assert cal.working_days_between(result, start) == -n
    same = cal.add_working_days(start, n, "same")
    assert same >= start and cal.working_days_between(start - DAY, same) == n


@SETTINGS
@given(calendars(), FOCUS, SMALL_N)
def test_prop_add_matches_day_by_day_count(cal, start, n):
    assert cal.add_working_days(start, n) == naive_add(cal, start, n)


@SETTINGS
@given(calendars(), FOCUS, N)
def test_prop_counting_back(cal, start, n):
    start = start + timedelta(days=2200)  # room to count back
    back = cal.add_working_days(start, -n)
    assert back < start and cal.is_working_day(back)
    # n working days in [back, start)
    assert cal.working_days_between(back - DAY, start - DAY) == n
    anchor = cal.adjust(start, "next")
    assert cal.working_days_between(cal.add_working_days(anchor, -n), anchor) == n


@SETTINGS
@given(calendars(), FOCUS)
def test_prop_next_and_previous_working_day(cal, d):
    nxt = cal.next_working_day(d)
    assert nxt > d and cal.is_working_day(nxt)
    assert cal.working_days_between(d, nxt) == 1
    assert not any(cal.is_working_day(x) for x in days(d + DAY, nxt - DAY))
    prev = cal.previous_working_day(d)
    assert prev < d and cal.is_working_day(prev)
    assert not any(cal.is_working_day(x) for x in days(prev + DAY, d - DAY))
    assert cal.adjust(d, "next") == (d if cal.is_working_day(d) else nxt)
    assert cal.adjust(d, "previous") == (d if cal.is_working_day(d) else prev)


@SETTINGS
@given(calendars(), FOCUS, st.integers(min_value=0, max_value=120))
def test_prop_index_monotone_and_differences_count(cal, a, span):
    b = a + timedelta(days=span)
    ia, ib = cal.working_day_index(a), cal.working_day_index(b)
    assert ia <= ib
    assert ib - ia == cal.working_days_between(a, b) == -cal.working_days_between(b, a)
    assert ib - ia == sum(cal.is_working_day(d) for d in days(a + DAY, b))


@SETTINGS
@given(
    calendars(),
    st.datetimes(min_value=datetime(2023, 12, 1), max_value=datetime(2027, 1, 31)),
    st.datetimes(min_value=datetime(2023, 12, 1), max_value=datetime(2027, 1, 31)),
    st.datetimes(min_value=datetime(2023, 12, 1), max_value=datetime(2027, 1, 31)),
)
def test_prop_working_time_is_additive(cal, a, b, c):
    wt = cal.working_time_between
    assert wt(a, b) + wt(b, c) == wt(a, c)
    assert wt(a, b) == -wt(b, a)
    lo, hi = min(a, b), max(a, b)
    assert timedelta(0) <= wt(lo, hi) <= ((hi.date() - lo.date()).days + 1) * cal.office_day


@SETTINGS
@given(
    calendars(),
    st.datetimes(min_value=datetime(2000, 2, 1), max_value=datetime(2094, 12, 31)),
    st.sampled_from([None, time(15, 0), time(17, 0), time(11, 30)]),
)
def test_prop_receipt_day(cal, received, cutoff):
    day = cal.receipt_day(received, cutoff)
    assert cal.is_working_day(day) and day >= received.date()
    in_time = cal.is_working_day(received.date()) and (cutoff is None or received.time() <= cutoff)
    assert (day == received.date()) == in_time
    if not in_time:
        assert day == cal.next_working_day(received.date())
