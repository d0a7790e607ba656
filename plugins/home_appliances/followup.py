"""Follow-up dates while a ticket waits for parts or for the factory, in working days.

Parts are due within ``parts_working_days`` (7) working days of the ticket starting to
wait; a unit returned to the factory is followed up after the first number of
``factory_return_working_days`` (10) and due back by the second (15). Working days are
China's (weekends and public holidays off, make-up Saturdays on) from the
`chinesecalendar` package; for years it has no data for, Monday to Friday.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import chinese_calendar

from server.plugin_api import Label, Panel, TicketInfo, label

from .settings import Settings

TITLE = label("跟进日期", "Follow-up dates")


def is_workday(day: dt.date) -> bool:
    """Whether ``day`` is a working day in mainland China."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # no holiday data for that year
        return day.weekday() < 5


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The ``days``-th working day after ``start`` (``start`` itself does not count)."""
    day = start
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_workday(day):
            counted += 1
    return day


def panels(ticket: TicketInfo, settings: Settings, today: dt.date | None = None) -> list[Panel]:
    """The follow-up panel of a ticket waiting for parts (or the factory), else nothing."""
    if ticket.status != "waiting_parts" or ticket.status_since is None:
        return []
    zone = ZoneInfo(settings.timezone)
    since = ticket.status_since.replace(tzinfo=dt.UTC).astimezone(zone).date()
    today = today or dt.datetime.now(zone).date()
    rows: list[tuple[Label, Label | str]] = [
        (Label("等待开始", "Waiting since"), since.isoformat())
    ]
    if ticket.attributes.get("factory_return"):
        first, latest = settings.factory_return_working_days
        follow_up = add_working_days(since, first)
        due = add_working_days(since, latest)
        rows.append((Label("返厂跟进", "Factory follow-up"), follow_up.isoformat()))
        rows.append((Label("返厂最迟返回", "Back from the factory by"), _due(due, today)))
    else:
        due = add_working_days(since, settings.parts_working_days)
        rows.append((Label("配件最迟到货", "Parts due by"), _due(due, today)))
    return [Panel(TITLE, tuple(rows))]


def _due(due: dt.date, today: dt.date) -> Label | str:
    if today > due:
        return Label(f"{due.isoformat()}（已逾期）", f"{due.isoformat()} (overdue)")
    return due.isoformat()
