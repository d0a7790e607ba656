"""A hand-built month of tickets with known KPI figures (shared by the KPI tests).

Calendar "office" (Asia/Shanghai): 09:00–12:00 and 13:00–18:00 on weekdays, with
Wednesday 2026-03-04 a holiday. Policy: first response 60 working minutes, resolution
480. All times below are local (Asia/Shanghai); the period is March 2026.

=====  =====  ==========================  ===========  ============  ===============
ticket asset  created                     responded    resolved      figures
=====  =====  ==========================  ===========  ============  ===============
T1     A      Mon 03-02 11:30             13:30 (60 m) 17:00 (270 m) report: resolved
T2     -      Tue 03-03 17:00             Thu 09:30    Thu 14:00     FR 90 breached;
                                          (90 m)       (300 m)       2 reports
T3     -      Fri 03-06 10:00             10:20 (20 m) Mon 03-09     RES 540 breached
                                                       11:00
T4     -      Mon 03-16 09:00             09:10 (10 m) open          backlog
T5     B      Mon 02-02 10:00 (February)  10:00        02-03 10:00   previous period
T6     A      Fri 03-20 10:00             -            open          repeat (T1 +18 d)
T7     B      Thu 03-12 10:00             -            open          not repeat (+37 d)
T8     -      Tue 03-10 09:00             cancelled 09:05 (5 m)      not backlog
=====  =====  ==========================  ===========  ============  ===============

Callbacks done (satisfaction): T1 5 (03-04), T2 2 (03-06), T5 3 (03-01), T3 4 (in April).
Complaints: about T2 on 03-07; one about no ticket on 03-07; about T1 on 04-01.

T1, T2 are assigned to "tech1" (outlet North), T3 to "tech2" (outlet ``<script>South``,
team "B"), T4 to "tech1" with team "A".
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask

from server.complaints.ledger import open_complaint
from server.dispatch.models import Outlet, Technician
from server.dispatch.reports import ServiceReport
from server.followup.models import Callback
from server.models import Asset, Customer, Ticket
from server.tickets import NewTicket, assign_ticket, create_ticket, transition_ticket
from tests.conftest import build_app, ensure_user

SHANGHAI = ZoneInfo("Asia/Shanghai")
EVIL = "<script>South"

SLA_CONFIG: dict[str, Any] = {
    "calendars": {
        "office": {
            "timezone": "Asia/Shanghai",
            "weekdays": ["09:00-12:00", "13:00-18:00"],
            "extra_holidays": [dt.date(2026, 3, 4)],
        }
    },
    "policies": {
        "kpi": {
            "first_response": {
                "calendar": "office",
                "minutes": {"urgent": 60, "high": 60, "normal": 60, "low": 60},
            },
            "resolution": {
                "calendar": "office",
                "minutes": {"urgent": 480, "high": 480, "normal": 480, "low": 480},
            },
        }
    },
    "rules": [{"policy": "kpi"}],
}


def local(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A 2026 local (Shanghai) time as naive UTC."""
    moment = dt.datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def kpi_app(tmp_path: Any) -> Flask:
    return build_app(tmp_path, sla=SLA_CONFIG)


def build_month(app: Flask) -> dict[str, Any]:
    """Create the tickets of the table above; returns them and the people by name."""
    registry = app.extensions["aftersales"].registry
    boss = ensure_user(app, "dispatcher", "dispatcher")
    tech1 = ensure_user(app, "tech1", "technician")
    tech2 = ensure_user(app, "tech2", "technician")
    with app.app_context():
        north = Outlet.create(name="North")
        south = Outlet.create(name=EVIL)
        Technician.create(user=tech1.id, outlet=north)
        Technician.create(user=tech2.id, outlet=south)
        customer = Customer.create(name="客户")
        asset_a = Asset.create(
            customer=customer, plugin="sample", kind="gadget", identifier="AAAA1"
        )
        asset_b = Asset.create(
            customer=customer, plugin="sample", kind="gadget", identifier="BBBB2"
        )
        service = registry.service("sample", "consult")

        def new(at: dt.datetime, asset: Asset | None = None) -> Ticket:
            ticket = NewTicket(
                industry="sample",
                service=service,
                customer=customer,
                title="t",
                asset=asset,
                reported_at=at,
            )
            return create_ticket(registry, ticket, boss, 2026, now=at)

        def assign(ticket: Ticket, who: Any, at: dt.datetime, team: str = "") -> Ticket:
            return assign_ticket(registry, ticket, ticket.version, who, team, boss, now=at)

        def move(ticket: Ticket, status: str, at: dt.datetime) -> Ticket:
            return transition_ticket(registry, ticket, ticket.version, status, boss, now=at)

        t1 = new(local(3, 2, 11, 30), asset_a)
        t1 = move(assign(t1, tech1, local(3, 2, 13, 30)), "resolved", local(3, 2, 17))
        t2 = new(local(3, 3, 17))
        t2 = move(assign(t2, tech1, local(3, 5, 9, 30)), "resolved", local(3, 5, 14))
        t3 = new(local(3, 6, 10))
        t3 = move(assign(t3, tech2, local(3, 6, 10, 20), "B"), "resolved", local(3, 9, 11))
        t4 = assign(new(local(3, 16, 9)), tech1, local(3, 16, 9, 10), "A")
        t5 = new(local(2, 2, 10), asset_b)
        t5 = move(assign(t5, tech1, local(2, 2, 10)), "resolved", local(2, 3, 10))
        t6 = new(local(3, 20, 10), asset_a)
        t7 = new(local(3, 12, 10), asset_b)
        t8 = move(new(local(3, 10, 9)), "cancelled", local(3, 10, 9, 5))
        ServiceReport.create(ticket=t1, technician=tech1.id, outcome="resolved_on_site")
        ServiceReport.create(ticket=t2, technician=tech1.id, outcome="unfinished")
        ServiceReport.create(ticket=t2, technician=tech1.id, outcome="resolved_on_site")
        for ticket, stars, done in (
            (t1, 5, (3, 4)),
            (t2, 2, (3, 6)),
            (t3, 4, (4, 2)),
            (t5, 3, (3, 1)),
        ):
            Callback.delete().where(Callback.ticket == ticket).execute()
            Callback.create(
                ticket=ticket,
                due_at=local(*done, 9),
                status="done",
                done_at=local(*done, 10),
                reached=True,
                satisfaction=stars,
            )
        Callback.create(ticket=t1, due_at=local(3, 5, 9), status="unreachable", attempts=3)
        complaint = {"channel": "phone", "category": "attitude", "owner": boss}
        open_complaint(description="rude", ticket=t2, now=local(3, 7, 10), **complaint)
        open_complaint(description="no ticket", now=local(3, 7, 11), **complaint)
        open_complaint(description="April", ticket=t1, now=local(4, 1, 10), **complaint)
    return {
        "tickets": [t1, t2, t3, t4, t5, t6, t7, t8],
        "tech1": tech1,
        "tech2": tech2,
        "north": north,
        "south": south,
    }
