"""Visit planning: when each of a customer manager's retailers is next due a visit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from server.plugin_api import CustomerInfo, TicketInfo

from .settings import Settings
from .sla import CALENDAR

# Visits are planned in the retailers' local days (the plugin's office calendar's zone).
ZONE = ZoneInfo(CALENDAR.timezone)


def local_day(moment: dt.datetime) -> dt.date:
    """A stored naive-UTC moment's local calendar day."""
    return moment.replace(tzinfo=dt.UTC).astimezone(ZONE).date()


def local_today() -> dt.date:
    return dt.datetime.now(ZONE).date()


@dataclass(frozen=True)
class VisitDue:
    """One row of the "visits due" list."""

    customer: CustomerInfo
    grade: str
    cycle_days: int
    last_visit: TicketInfo | None
    # None: never visited — a new retailer is due a first visit at once.
    due_on: dt.date | None

    def overdue(self, today: dt.date) -> bool:
        return self.due_on is None or self.due_on < today

    def due_within(self, today: dt.date, days: int) -> bool:
        return self.due_on is None or self.due_on <= today + dt.timedelta(days=days)


def visits_due(
    customers: list[CustomerInfo],
    last_visits: Mapping[int, TicketInfo],
    settings: Settings,
) -> list[VisitDue]:
    """Open retailers with their next visit date, never-visited first, then soonest due.

    A retailer is due ``cycle_days`` after its last visit (the visit ticket's reported
    day, local); one never visited is due at once. Suspended retailers are left out.
    """
    rows = []
    for customer in customers:
        if customer.attributes.get("tr_business_status") == "suspended":
            continue
        grade = customer.tier
        cycle = settings.cycle_for(grade)
        last = last_visits.get(customer.id) if customer.id is not None else None
        due = local_day(last.reported_at) + dt.timedelta(days=cycle) if last else None
        rows.append(VisitDue(customer, grade, cycle, last, due))
    return sorted(
        rows, key=lambda r: (r.due_on is not None, r.due_on or dt.date.min, r.customer.name)
    )
