"""The status rules of tasks and occurrences, and completion rates (pure: no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cchc.plans.status import Status, completion_rate, occurrence_status, rollup, task_status

TODAY = date(2026, 6, 15)


def status(**kwargs) -> Status:
    values = {"due": None, "start": None, "done_at": None, "waits_for": "", "event_on": None, "today": TODAY, "progress": 0}
    values.update(kwargs)
    return task_status(**values)


def test_the_colours_are_the_ones_users_expect():
    assert Status.DONE_ON_TIME.colour == "green"
    assert Status.IN_PROGRESS.colour == "blue"
    assert Status.DONE_LATE.colour == "orange"
    assert Status.OVERDUE.colour == "red"
    assert Status.NOT_STARTED.colour == "grey"
    assert Status.WAITING.colour == "purple"
    assert len({s.hex for s in Status}) == 6


def test_every_status_has_its_own_css_class():
    assert Status.OVERDUE.css == "status status-overdue"
    assert len({s.css for s in Status}) == 6


def test_the_board_order_puts_overdue_first_and_done_on_time_last():
    ranked = sorted(Status, key=lambda s: s.rank)
    assert ranked[0] is Status.OVERDUE
    assert ranked[-1] is Status.DONE_ON_TIME


def test_a_task_with_nothing_reported_is_not_started():
    assert status(due=date(2026, 12, 31)) is Status.NOT_STARTED
    assert status(due=None) is Status.NOT_STARTED


def test_the_start_date_does_not_make_a_task_started():
    assert status(start=date(2026, 1, 1), due=date(2026, 12, 31)) is Status.NOT_STARTED
    assert status(start=date(2026, 9, 1), due=date(2026, 12, 31), progress=10) is Status.IN_PROGRESS


def test_a_task_with_progress_before_its_due_date_is_in_progress_within_time():
    assert status(due=date(2026, 12, 31), progress=40) is Status.IN_PROGRESS


def test_the_due_date_itself_is_still_within_time():
    assert status(due=TODAY, progress=40) is Status.IN_PROGRESS
    assert status(due=TODAY) is Status.NOT_STARTED


def test_a_task_turns_red_the_day_after_its_due_date():
    assert status(due=date(2026, 6, 14), progress=90) is Status.OVERDUE
    assert status(due=date(2026, 6, 14)) is Status.OVERDUE


def test_a_full_progress_bar_is_not_done_until_the_lead_closes():
    assert status(due=date(2026, 12, 31), progress=100) is Status.IN_PROGRESS
    assert status(due=date(2026, 6, 1), progress=100) is Status.OVERDUE


def test_done_on_or_before_the_due_date_is_on_time():
    assert status(due=date(2026, 6, 30), done_at=date(2026, 6, 30)) is Status.DONE_ON_TIME
    assert status(due=date(2026, 6, 30), done_at=date(2026, 5, 1)) is Status.DONE_ON_TIME


def test_done_after_the_due_date_is_late():
    assert status(due=date(2026, 6, 1), done_at=date(2026, 6, 2)) is Status.DONE_LATE


def test_done_without_a_due_date_is_on_time():
    assert status(due=None, done_at=date(2026, 6, 2)) is Status.DONE_ON_TIME


def test_a_task_waiting_for_an_event_that_has_not_happened_is_waiting_not_overdue():
    assert status(waits_for="sau khi UBND tỉnh ban hành Đề án") is Status.WAITING
    assert status(waits_for="sau khi UBND tỉnh ban hành Đề án", due=date(2026, 1, 1)) is Status.WAITING
    assert status(waits_for="sau khi UBND tỉnh ban hành Đề án", progress=30) is Status.WAITING


def test_once_the_event_happened_the_usual_rules_apply():
    waits = {"waits_for": "ngày nhận đủ hồ sơ hợp lệ", "event_on": date(2026, 5, 1)}
    assert status(**waits, due=date(2026, 5, 16)) is Status.OVERDUE
    assert status(**waits, due=date(2026, 7, 1), progress=10) is Status.IN_PROGRESS
    assert status(**waits, due=None) is Status.NOT_STARTED


def test_blank_waits_for_is_no_event():
    assert status(waits_for="   ", due=date(2026, 6, 1)) is Status.OVERDUE


def test_done_wins_over_waiting():
    assert status(waits_for="sau khi ...", done_at=date(2026, 6, 1)) is Status.DONE_ON_TIME


@pytest.mark.parametrize(
    ("due", "done_at", "progress", "expected"),
    [
        (date(2026, 6, 30), None, 0, Status.NOT_STARTED),
        (date(2026, 6, 30), None, 20, Status.IN_PROGRESS),
        (date(2026, 3, 31), None, 0, Status.OVERDUE),
        (date(2026, 3, 31), date(2026, 3, 31), 0, Status.DONE_ON_TIME),
        (date(2026, 3, 31), date(2026, 4, 2), 0, Status.DONE_LATE),
    ],
)
def test_occurrences_follow_the_same_rules(due, done_at, progress, expected):
    assert occurrence_status(due=due, done_at=done_at, today=TODAY, progress=progress) is expected


def test_a_recurring_task_is_overdue_when_one_period_is():
    assert rollup([Status.DONE_ON_TIME, Status.OVERDUE, Status.NOT_STARTED]) is Status.OVERDUE


def test_a_recurring_task_otherwise_shows_its_next_open_period():
    assert rollup([Status.DONE_ON_TIME, Status.DONE_LATE, Status.IN_PROGRESS, Status.NOT_STARTED]) is Status.IN_PROGRESS
    assert rollup([Status.DONE_ON_TIME, Status.NOT_STARTED, Status.IN_PROGRESS]) is Status.NOT_STARTED


def test_a_recurring_task_with_every_period_done_is_done_late_if_one_was_late():
    assert rollup([Status.DONE_ON_TIME, Status.DONE_ON_TIME]) is Status.DONE_ON_TIME
    assert rollup([Status.DONE_ON_TIME, Status.DONE_LATE]) is Status.DONE_LATE


def test_a_recurring_task_without_periods_has_no_rolled_up_status():
    assert rollup([]) is None


def test_the_completion_rate_is_done_on_time_over_due():
    items = [Status.DONE_ON_TIME, Status.DONE_ON_TIME, Status.DONE_LATE, Status.OVERDUE]
    assert completion_rate(items) == (2, 4, Decimal("50.00"))


def test_work_not_yet_due_is_not_counted():
    items = [Status.DONE_ON_TIME, Status.IN_PROGRESS, Status.NOT_STARTED, Status.WAITING]
    assert completion_rate(items) == (1, 1, Decimal("100.00"))


def test_the_rate_is_rounded_half_up_to_two_decimals():
    assert completion_rate([Status.DONE_ON_TIME, Status.DONE_ON_TIME, Status.OVERDUE]) == (2, 3, Decimal("66.67"))
    assert completion_rate([Status.DONE_ON_TIME, Status.OVERDUE, Status.OVERDUE]) == (1, 3, Decimal("33.33"))
    eight = [Status.DONE_ON_TIME] * 7 + [Status.DONE_LATE]
    assert completion_rate(eight) == (7, 8, Decimal("87.50"))


def test_nothing_due_gives_no_rate_rather_than_zero():
    assert completion_rate([]) == (0, 0, None)
    assert completion_rate([Status.IN_PROGRESS]) == (0, 0, None)


def test_the_completion_rate_accepts_status_values_and_objects_with_a_status():
    class Row:
        def __init__(self, status):
            self.status = status

    assert completion_rate(["done_on_time", Row(Status.OVERDUE)]) == (1, 2, Decimal("50.00"))
