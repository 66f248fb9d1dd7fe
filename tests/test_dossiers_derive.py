"""The derived values of a dossier (cchc.dossiers.derive), worked out by hand.

The calendar is the built-in one (holidays package + DEFAULT_ADJUSTMENTS). Around the dates used:
Tết Bính Ngọ 2026 is off from Saturday 14/2 to Sunday 22/2, so Friday 13/2 is the last working day
before it and Monday 23/2 the first after; Giỗ Tổ 2026 is off from Saturday 25/4 to Monday 27/4.
Week of 2/3/2026: Monday 2 to Friday 6 are working days.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from cchc.dossiers import columns as C
from cchc.dossiers.derive import (
    EARLY,
    LATE,
    ON_TIME,
    OPEN_PAST_DUE,
    OPEN_WITHIN,
    Limit,
    compute_due,
    derive,
    end_time,
    late_without_apology,
    open_state,
    supplements,
)
from cchc.workdays import VN_TZ, default_calendar

CAL = default_calendar()
THREE_DAYS = Limit(Decimal(3))
CERTIFY = Limit(Decimal("0.5"), "ngay_lam_viec", "chung_thuc")
DUE = datetime(2026, 3, 6, 17, 0)  # Friday
RECEIVED = datetime(2026, 3, 2, 9, 0)  # Monday


def d(*args):
    return datetime(*args)


# ----------------------------------------------------------------------------- due


def test_after_hours_on_the_day_before_tet():
    """Friday 13/2/2026 16:30, 3 working days: no cut-off for an ordinary procedure, so the count
    starts after 13/2: Monday 23 (1), Tuesday 24 (2), Wednesday 25 (3)."""
    assert compute_due(CAL, d(2026, 2, 13, 16, 30), THREE_DAYS) == d(2026, 2, 25, 17, 0)


def test_received_during_tet_counts_from_the_next_working_day():
    """Saturday 14/2 (Tết): received on Monday 23/2, so 1 working day is Tuesday 24/2."""
    assert compute_due(CAL, d(2026, 2, 14, 10, 0), Limit(Decimal(1))) == d(2026, 2, 24, 17, 0)


def test_same_day_procedure_and_the_15h_cut_off():
    assert compute_due(CAL, d(2026, 2, 13, 14, 59), CERTIFY) == d(2026, 2, 13, 17, 0)
    assert compute_due(CAL, d(2026, 2, 13, 15, 0), CERTIFY) == d(2026, 2, 13, 17, 0)  # at 15:00: that day
    # After 15:00 on the day before Tết: the next working day is Monday 23/2.
    assert compute_due(CAL, d(2026, 2, 13, 15, 30), CERTIFY) == d(2026, 2, 23, 17, 0)


def test_other_time_units():
    # 3 calendar days from Thursday 23/4/2026 is Sunday 26/4, inside Giỗ Tổ (25-27/4) → Tuesday 28/4.
    assert compute_due(CAL, d(2026, 4, 23, 10, 0), Limit(Decimal(3), "ngay")) == d(2026, 4, 28, 17, 0)
    # 1 month from 31/1/2026 is 28/2 (a Saturday) → Monday 2/3.
    assert compute_due(CAL, d(2026, 1, 31, 10, 0), Limit(Decimal(1), "thang")) == d(2026, 3, 2, 17, 0)
    # Hours are clock hours.
    assert compute_due(CAL, d(2026, 3, 2, 9, 0), Limit(Decimal(8), "gio")) == d(2026, 3, 2, 17, 0)
    # A fractional number of working days rounds up: 1.5 → 2 (Wednesday 4/3).
    assert compute_due(CAL, RECEIVED, Limit(Decimal("1.5"))) == d(2026, 3, 4, 17, 0)


def test_due_missing_is_computed_and_flagged():
    r = derive(CAL, THREE_DAYS, status=9, received_at=d(2026, 2, 13, 16, 30), finished_at=d(2026, 2, 25, 10, 0))
    assert (r.due_at, r.due_computed) == (d(2026, 2, 25, 17, 0), True)
    assert r.receipt_day == date(2026, 2, 13)  # the period is that of NgayTiepNhan
    assert (r.outcome, r.late_working_days) == (ON_TIME, 0)  # the due day, before the due time
    given = derive(CAL, THREE_DAYS, status=9, received_at=RECEIVED, due_at=DUE, finished_at=d(2026, 3, 5, 10, 0))
    assert (given.due_at, given.due_computed, given.outcome) == (DUE, False, EARLY)


# ----------------------------------------------------------------------------- supplements


def test_one_supplement_request_is_deducted():
    """Asked Tuesday 3/3 10:00, completed Thursday 5/3 10:00: 2 days of pause. Finished Thursday
    12/3 10:00 → effective end Tuesday 10/3 10:00: late by Monday 9 and Tuesday 10."""
    r = derive(
        CAL, THREE_DAYS, status=9, received_at=RECEIVED, due_at=DUE, finished_at=d(2026, 3, 12, 10, 0),
        requests=[d(2026, 3, 3, 10, 0)], completions=[d(2026, 3, 5, 10, 0)],
    )
    assert r.pause_seconds == 2 * 86400
    assert r.effective_end_at == d(2026, 3, 10, 10, 0)
    assert (r.supplement_count, r.supplement_pending) == (1, False)
    assert (r.outcome, r.late_working_days) == (LATE, 2)
    early = derive(
        CAL, THREE_DAYS, status=9, received_at=RECEIVED, due_at=DUE, finished_at=d(2026, 3, 6, 16, 0),
        requests=[d(2026, 3, 3, 10, 0)], completions=[d(2026, 3, 5, 10, 0)],
    )
    assert (early.effective_end_at, early.outcome) == (d(2026, 3, 4, 16, 0), EARLY)


def test_several_requests_make_the_dossier_late():
    r = derive(
        CAL, THREE_DAYS, status=9, received_at=RECEIVED, due_at=DUE, finished_at=d(2026, 3, 5, 16, 0),
        requests=[d(2026, 3, 3, 10, 0), d(2026, 3, 4, 9, 0)],
        completions=[d(2026, 3, 3, 15, 0), d(2026, 3, 4, 10, 0)],
    )
    assert r.pause_seconds == 5 * 3600 + 3600
    assert r.effective_end_at == d(2026, 3, 5, 10, 0)
    assert (r.outcome, r.late_working_days) == (LATE, 0)  # before the due day: late, 0 days


def test_a_pending_request_ends_the_dossier_at_the_request():
    r = derive(CAL, THREE_DAYS, status=5, received_at=RECEIVED, due_at=DUE, requests=[d(2026, 3, 3, 10, 0)])
    assert (r.end_at, r.effective_end_at, r.supplement_pending) == (d(2026, 3, 3, 10, 0), d(2026, 3, 3, 10, 0), True)
    assert r.outcome == EARLY
    # A second request still pending after a completed first one: late, the first pause deducted.
    r = derive(
        CAL, THREE_DAYS, status=5, received_at=RECEIVED, due_at=DUE, finished_at=d(2026, 3, 20, 10, 0),
        requests=[d(2026, 3, 3, 10, 0), d(2026, 3, 5, 14, 0)], completions=[d(2026, 3, 4, 10, 0)],
    )
    assert r.end_at == d(2026, 3, 5, 14, 0)  # the pending request, not NgayKetThucXuLy
    assert r.effective_end_at == d(2026, 3, 4, 14, 0)
    assert (r.supplement_count, r.supplement_pending, r.outcome, r.late_working_days) == (2, True, LATE, 0)


def test_supplements_pause():
    assert supplements([], []) == (0, None)
    assert supplements([d(2026, 3, 3, 10, 0)], []) == (0, d(2026, 3, 3, 10, 0))
    assert supplements([d(2026, 3, 3, 10, 0)], [d(2026, 3, 3, 10, 30)]) == (1800, None)


# ----------------------------------------------------------------------------- ends and outcomes


def test_end_priority():
    a, b, c, w = (d(2026, 3, k, 10, 0) for k in (5, 4, 3, 2))
    assert end_time(a, b, c, w) == a
    assert end_time(None, b, c, w) == b
    assert end_time(None, None, c, w) == c
    assert end_time(None, None, None, w) == w
    assert end_time(None, None, None, None) is None


def test_on_time_boundaries():
    exactly = derive(CAL, THREE_DAYS, status=9, received_at=RECEIVED, due_at=DUE, finished_at=DUE)
    assert exactly.outcome == ON_TIME
    a_minute = derive(CAL, THREE_DAYS, status=9, received_at=RECEIVED, due_at=DUE, finished_at=DUE + timedelta(minutes=1))
    assert (a_minute.outcome, a_minute.late_working_days) == (LATE, 0)
    monday = derive(CAL, THREE_DAYS, status=10, received_at=RECEIVED, due_at=DUE, returned_at=d(2026, 3, 9, 8, 0))
    assert (monday.outcome, monday.late_working_days) == (LATE, 1)  # the weekend does not count


def test_withdrawn_dossiers():
    received = derive(CAL, THREE_DAYS, status=7, received_at=RECEIVED, due_at=DUE, withdrawn_at=d(2026, 3, 4, 11, 0))
    assert (received.end_at, received.outcome) == (d(2026, 3, 4, 11, 0), EARLY)
    never = derive(CAL, THREE_DAYS, status=1, received_at=None, withdrawn_at=d(2026, 3, 4, 11, 0))
    assert (never.received, never.receipt_day, never.end_at, never.outcome, never.due_at) == (False, None, None, None, None)
    refused = derive(CAL, THREE_DAYS, status=3, received_at=RECEIVED, refused_at=d(2026, 3, 2, 10, 0))
    assert (refused.received, refused.receipt_day, refused.outcome) == (False, None, None)


def test_open_at_the_end_of_the_period():
    r = derive(CAL, THREE_DAYS, status=4, received_at=RECEIVED, due_at=DUE)
    assert (r.end_at, r.outcome, r.late_working_days) == (None, None, None)
    end_of_march = d(2026, 3, 31, 23, 59, 59)
    assert open_state(r.due_at, end_of_march) == OPEN_PAST_DUE
    assert open_state(r.due_at, d(2026, 3, 5, 23, 59, 59)) == OPEN_WITHIN
    assert open_state(r.due_at, DUE) == OPEN_WITHIN  # due ≥ T
    assert late_without_apology(r.outcome, r.due_at, None, end_of_march) is True
    assert late_without_apology(r.outcome, r.due_at, d(2026, 3, 10, 8, 0), end_of_march) is False
    assert late_without_apology(LATE, DUE, None) is True
    assert late_without_apology(ON_TIME, DUE, None) is False


def test_aware_times_are_taken_in_vietnam_time():
    from datetime import UTC

    received = RECEIVED.replace(tzinfo=VN_TZ).astimezone(UTC)  # 02:00 UTC
    r = derive(CAL, THREE_DAYS, status=9, received_at=received, due_at=DUE.replace(tzinfo=VN_TZ), finished_at=DUE)
    assert (r.receipt_day, r.due_at, r.outcome) == (date(2026, 3, 2), DUE, ON_TIME)


# ----------------------------------------------------------------------------- values


@pytest.mark.parametrize(
    "text, expected",
    [
        ("20260213163000", d(2026, 2, 13, 16, 30)),
        ("2026-02-13", d(2026, 2, 13)),
        ("2026-02-13 16:30", d(2026, 2, 13, 16, 30)),
        ("2026-02-13 16:30:05", d(2026, 2, 13, 16, 30, 5)),
        ("2026-02-13T16:30", d(2026, 2, 13, 16, 30)),
        ("13/02/2026", d(2026, 2, 13)),
        ("13/02/2026 16:30:05", d(2026, 2, 13, 16, 30, 5)),
        ("", None),
    ],
)
def test_date_formats(text, expected):
    assert C.parse_datetime(text) == expected


@pytest.mark.parametrize("text", ["2026-02-30", "31/13/2026", "20261301000000", "13-02-2026", "2026-02-13 25:00", "hôm qua"])
def test_bad_dates(text):
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValueError, match="is not a date"):
        C.parse_datetime(text)
    with pytest.raises(ValueError, match="không phải là ngày"):  # Vietnamese by default
        C.parse_datetime(text)


def test_headers_and_values():
    assert C.header_key("Mã hồ sơ") == C.header_key("MaHoSo") == "mahoso"
    mapped = C.header_map(["Mã hồ sơ", "Mã thủ tục", "Đơn vị tiếp nhận", "Kênh nộp", "TRẠNG THÁI", "x"], C.DOSSIER_COLUMNS)
    assert mapped == {0: "code", 1: "procedure", 2: "unit", 3: "channel", 4: "status"}
    assert C.parse_channel("") == 1 and C.parse_channel("2") == 2 and C.parse_channel("Bưu chính") == 3
    assert C.parse_flag("") is False and C.parse_flag("1") is True and C.parse_flag("có") is True
    assert C.parse_optional_flag("") is None and C.parse_optional_flag("0") is False
    assert C.parse_decimal("150000") == Decimal(150000) and C.parse_decimal("0.5") == Decimal("0.5")
    assert C.parse_times("20260303100000; 2026-03-04 09:00") == [d(2026, 3, 3, 10, 0), d(2026, 3, 4, 9, 0)]
    for bad, parser in (("4", C.parse_channel), ("2", C.parse_flag), ("1.000,5", C.parse_decimal), ("-1", C.parse_decimal)):
        with pytest.raises(ValueError):
            parser(bad)
