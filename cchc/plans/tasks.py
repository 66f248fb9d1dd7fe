"""Background tasks of plans (Django's tasks API, the ``django_tasks`` backport).

``send_daily_digests`` sends the day's reminder digests and escalations (``reminders.send_digests``).
It runs once a day; nothing inside the application keeps a clock, so the server's scheduler starts it:

* a systemd timer (or a cron line) runs ``cchc reminders send --enqueue`` every morning, which puts
  the task in the database queue for the worker (``cchc db_worker``, a service of its own);
* or, without a worker, the same timer runs ``cchc reminders send``, which sends inline.

For example, ``/etc/systemd/system/cchc-reminders.service``::

    [Service]
    Type=oneshot
    User=cchc
    EnvironmentFile=/etc/cchc.env
    ExecStart=/opt/cchc/bin/cchc reminders send --enqueue

and ``/etc/systemd/system/cchc-reminders.timer``::

    [Timer]
    OnCalendar=Mon..Sat 07:00
    Persistent=true

    [Install]
    WantedBy=timers.target

or in cron: ``0 7 * * 1-6 cchc /opt/cchc/bin/cchc reminders send --enqueue``. Running it twice the
same day sends nothing twice: a unit gets one digest (and a plan's owner one escalation) a day.
The day is the date when the task runs unless ``on_iso`` (YYYY-MM-DD) is given.
"""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from .reminders import send_digests


@task()
def send_daily_digests(on_iso: str | None = None) -> dict:
    """Send the digests and escalations of the day (today, or ``on_iso``); returns the report as a dict."""
    on = dt.date.fromisoformat(on_iso) if on_iso else None
    return send_digests(on=on).as_dict()
