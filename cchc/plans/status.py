"""The status of a task, of an occurrence of a recurring task, and completion rates.

Pure Python, no Django: the rules are computed here and tested on their own; ``services`` loads
tasks and ``views_board`` shows them.

Six states, with the colours users expect::

    done on time               green
    in progress within time    blue
    done late                  orange
    overdue                    red
    not started                grey
    waiting for an event       purple (no deadline can run before the event)

The rules, in order:

1. Done (``done_at`` set): on time when it was done on or before the due date (or there is no due
   date), late otherwise. A done task is done whatever else is true.
2. Waiting: the task waits for an event (``waits_for``) that has not happened (``event_on`` empty).
   It is not overdue even if a nominal due date has passed: nobody can be late for an event that
   has not come.
3. Overdue: the due date has passed (the due date itself is the last day allowed).
4. In progress within time: some progress was reported.
5. Not started: nothing reported yet (whether or not the start date has come).

A recurring task rolls up the status of its occurrences (:func:`rollup`): overdue when one is
overdue, else the status of its next open occurrence, else done (late when one was late).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum

__all__ = ["Status", "completion_rate", "occurrence_status", "rollup", "task_status"]


class Status(Enum):
    OVERDUE = "overdue"
    IN_PROGRESS = "in_progress"
    NOT_STARTED = "not_started"
    WAITING = "waiting"
    DONE_LATE = "done_late"
    DONE_ON_TIME = "done_on_time"

    @property
    def colour(self) -> str:
        return _COLOURS[self][0]

    @property
    def hex(self) -> str:
        """The colour for SVG fills (the same as the CSS class)."""
        return _COLOURS[self][1]

    @property
    def css(self) -> str:
        """Classes of a badge or a row marker: ``status status-overdue``."""
        return f"status status-{self.value}"

    @property
    def rank(self) -> int:
        """Board order: overdue first, done on time last."""
        return _ORDER.index(self)

    @property
    def is_done(self) -> bool:
        return self in (Status.DONE_ON_TIME, Status.DONE_LATE)

    @property
    def is_open(self) -> bool:
        return not self.is_done

    @property
    def counts_as_due(self) -> bool:
        """In the denominator of a completion rate: the deadline has passed, or the work is done."""
        return self in (Status.DONE_ON_TIME, Status.DONE_LATE, Status.OVERDUE)


_COLOURS = {
    Status.DONE_ON_TIME: ("green", "#198754"),
    Status.IN_PROGRESS: ("blue", "#0d6efd"),
    Status.DONE_LATE: ("orange", "#fd7e14"),
    Status.OVERDUE: ("red", "#dc3545"),
    Status.NOT_STARTED: ("grey", "#6c757d"),
    Status.WAITING: ("purple", "#6f42c1"),
}
_ORDER = list(Status)  # the declaration order is the board order


def task_status(
    *,
    due: date | None,
    start: date | None,
    done_at: date | None,
    waits_for: str | None,
    event_on: date | None,
    today: date,
    progress: int | None,
) -> Status:
    """The status of one task (or of a coordinating unit's contribution) on ``today``.

    ``start`` is accepted for symmetry and for callers that show it; it does not change the
    status: a task with nothing reported is "not started" before and after its start date.
    """
    del start  # see the docstring
    if done_at is not None:
        return Status.DONE_ON_TIME if due is None or done_at <= due else Status.DONE_LATE
    if (waits_for or "").strip() and event_on is None:
        return Status.WAITING
    if due is not None and today > due:
        return Status.OVERDUE
    if progress:
        return Status.IN_PROGRESS
    return Status.NOT_STARTED


def occurrence_status(*, due: date, done_at: date | None, today: date, progress: int | None = 0) -> Status:
    """The status of one occurrence of a recurring task (a month's, a quarter's report...)."""
    return task_status(due=due, start=None, done_at=done_at, waits_for="", event_on=None, today=today, progress=progress)


def rollup(statuses: Iterable[Status]) -> Status | None:
    """A recurring task from its occurrences' statuses, given in due-date order.

    Overdue if any is overdue; else the first open one's status; else done, late if any was late.
    None when there are no occurrences (the caller falls back on the task's own dates).
    """
    statuses = list(statuses)
    if not statuses:
        return None
    if Status.OVERDUE in statuses:
        return Status.OVERDUE
    for status in statuses:
        if status.is_open:
            return status
    return Status.DONE_LATE if Status.DONE_LATE in statuses else Status.DONE_ON_TIME


def _status_of(item) -> Status:
    if isinstance(item, Status):
        return item
    if isinstance(item, str):
        return Status(item)
    return item.status


def completion_rate(items: Iterable) -> tuple[int, int, Decimal | None]:
    """``(done on time, due, rate in percent)`` over statuses (or objects with a ``status``).

    Due = done (on time or late) or overdue: work that is not done and whose deadline has not
    passed (in progress, not started, waiting) is not counted either way. The rate has two
    decimals, rounded half up; it is None when nothing is due (0/0 is not 0%).
    """
    done_on_time = due = 0
    for item in items:
        status = _status_of(item)
        if status.counts_as_due:
            due += 1
            done_on_time += status is Status.DONE_ON_TIME
    if not due:
        return done_on_time, due, None
    rate = (Decimal(done_on_time) * 100 / Decimal(due)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return done_on_time, due, rate
