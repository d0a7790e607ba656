"""Benchmark: deadlines per second against the businesstimedelta package, same answers.

Run:  .venv/bin/pip install -e '.[bench]' && .venv/bin/python bench/sla.py [--cases 10000]

One calendar for both: Mon–Fri 9:00–18:00 with a 12:00–13:00 lunch, Asia/Shanghai,
China's statutory holidays. businesstimedelta cannot express make-up working days (调休),
so cases whose answer (by our calendar) involves a make-up day are left out of the
comparison and counted. Prints both rates, the ratio, and any case where answers differ.
Not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import businesstimedelta
import pytz

from server.sla.calendar import BusinessCalendar, parse_window
from server.sla.holiday_sources import china_rules

ZONE = "Asia/Shanghai"
TARGET_RATIO = 50.0


def our_calendar() -> BusinessCalendar:
    day = [parse_window("09:00-12:00"), parse_window("13:00-18:00")]
    return BusinessCalendar("office", ZONE, dict.fromkeys(range(5), day), china_rules())


def their_rules() -> object:
    zone = pytz.timezone(ZONE)
    workday = businesstimedelta.WorkDayRule(
        start_time=dt.time(9), end_time=dt.time(18), working_days=[0, 1, 2, 3, 4], tz=zone
    )
    lunch = businesstimedelta.LunchTimeRule(
        start_time=dt.time(12), end_time=dt.time(13), working_days=[0, 1, 2, 3, 4], tz=zone
    )
    holidays = businesstimedelta.HolidayRule(sorted(china_rules().holidays), tz=zone)
    return businesstimedelta.Rules([workday, lunch, holidays])


def make_cases(count: int, seed: int) -> list[tuple[dt.datetime, int]]:
    """Starts from Jan 2025 to Aug 2026 (any minute, in or out of hours); targets 1 min
    to 5 days. businesstimedelta fails (TypeError) once no holiday lies ahead in its list,
    so every case ends before China's last published holiday (7 Oct 2026)."""
    rng = random.Random(seed)
    zone = pytz.timezone(ZONE)
    first = dt.datetime(2025, 1, 1)
    span_minutes = int((dt.datetime(2026, 9, 1) - first).total_seconds() // 60)
    cases = []
    for _ in range(count):
        naive = first + dt.timedelta(minutes=rng.randrange(0, span_minutes))
        start = zone.localize(naive)
        seconds = rng.choice([60, 15 * 60, 3600, 4 * 3600, 8 * 3600, 24 * 3600, 40 * 3600])
        seconds = rng.randint(1, seconds // 60) * 60
        cases.append((start, seconds))
    return cases


def touches_makeup_day(calendar: BusinessCalendar, start: dt.datetime, due: dt.datetime) -> bool:
    makeup = calendar.rules.extra_workdays
    day = start.astimezone(calendar.zone).date()
    last = due.astimezone(calendar.zone).date()
    while day <= last:
        if day in makeup:
            return True
        day += dt.timedelta(days=1)
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--open-tickets", type=int, default=100_000)
    parser.add_argument(
        "--due", type=int, default=200, help="tickets that crossed a deadline since the last sweep"
    )
    args = parser.parse_args()

    calendar = our_calendar()
    rules = their_rules()
    cases = make_cases(args.cases, args.seed)

    started = time.perf_counter()
    calendar.add(cases[0][0], 60)  # builds the working-interval table
    build_seconds = time.perf_counter() - started

    ours = [calendar.add(start, seconds) for start, seconds in cases]  # warm-up pass
    compared = [
        (case, due)
        for case, due in zip(cases, ours, strict=True)
        if not touches_makeup_day(calendar, case[0], due)
    ]
    left_out = len(cases) - len(compared)

    started = time.perf_counter()
    for (start, seconds), _due in compared:
        calendar.add(start, seconds)
    our_time = time.perf_counter() - started

    theirs = []
    started = time.perf_counter()
    for (start, seconds), _due in compared:
        theirs.append(start + businesstimedelta.BusinessTimeDelta(rules, seconds=seconds))
    their_time = time.perf_counter() - started

    differences = [
        (case, due, other)
        for (case, due), other in zip(compared, theirs, strict=True)
        if due != other
    ]
    our_rate = len(compared) / our_time
    their_rate = len(compared) / their_time
    ratio = our_rate / their_rate
    print(f"calendar: Mon–Fri 09:00–12:00, 13:00–18:00, {ZONE}, China's holidays")
    print(
        f"cases: {len(cases)}; compared {len(compared)}; left out {left_out} "
        "(their answer would need make-up working days, which businesstimedelta lacks)"
    )
    print(f"table build (once per calendar): {build_seconds * 1000:.1f} ms")
    print(f"ours:              {our_rate:12,.0f} deadlines/s")
    print(f"businesstimedelta: {their_rate:12,.0f} deadlines/s")
    print(
        f"ratio: {ratio:.1f}x (target >= {TARGET_RATIO:.0f}x: "
        f"{'met' if ratio >= TARGET_RATIO else 'MISSED'})"
    )
    print(f"identical answers: {len(compared) - len(differences)}/{len(compared)}")
    for (start, seconds), due, other in differences[:10]:
        print(
            f"  differs: start {start.isoformat()} + {seconds}s: ours {due.isoformat()}, "
            f"theirs {other.isoformat()}"
        )
    print()
    sweep_benchmark(args.open_tickets, args.due)


# --- the breach sweep ---------------------------------------------------------------

SWEEP_POLICY = {
    "policies": {
        "standard": {
            "resolution": {
                "calendar": "24x7",
                "minutes": {"normal": 2880},
                "escalation": [
                    {"percent": 75, "notify": "assignee"},
                    {"percent": 100, "notify": "supervisor"},
                ],
            }
        }
    },
    "default_policy": "standard",
}


def sweep_benchmark(open_tickets: int, due_now: int) -> None:
    """100k open tickets with clocks; ``due_now`` of them crossed a deadline since the
    last sweep. Times one sweep with nothing due and one with ``due_now`` due."""
    import tempfile

    from server.app import create_app
    from server.config import parse_config
    from server.db import database
    from server.models import Customer, Ticket, User
    from server.schema import init_db
    from server.sla.models import TicketDeadline, TicketSla, TicketStatusPeriod
    from server.sla.sweep import sweep

    with tempfile.TemporaryDirectory() as tmp:
        config = parse_config(
            {
                "server": {"instance_dir": f"{tmp}/instance"},
                "database": {"url": f"sqlite:///{tmp}/sweep.db"},
                "plugins": {"enabled": ["home_appliances"]},
                "sla": SWEEP_POLICY,
            },
            f"{tmp}/sweep.toml",
        )
        app = create_app(config=config)
        now = dt.datetime(2026, 11, 24, 12, 0)
        with app.app_context():
            init_db(app)
            started = time.perf_counter()
            with database.atomic():
                tech = User.create(
                    username="tech", display_name="Tech", role="technician", password_hash="x"
                )
                customer = Customer.create(name="c")
            for first in range(0, open_tickets, 5000):
                ids = range(first + 1, min(first + 5000, open_tickets) + 1)
                with database.atomic():
                    Ticket.insert_many(
                        [
                            {
                                "id": i,
                                "number": f"HA-2026-{i:06d}",
                                "plugin": "home_appliances",
                                "service": "repair",
                                "customer": customer.id,
                                "title": "t",
                                "status": "assigned",
                                "assignee": tech.id,
                                "attributes": {},
                                "reported_at": _reported(i, due_now, now),
                                "created_at": now,
                                "updated_at": now,
                            }
                            for i in ids
                        ]
                    ).execute()
                    TicketStatusPeriod.insert_many(
                        [{"ticket": i, "status": "assigned", "started_at": now} for i in ids]
                    ).execute()
                    TicketSla.insert_many(
                        [
                            {
                                "ticket": i,
                                "metric": "resolution",
                                "policy": "standard",
                                "calendar": "24x7",
                                "target_seconds": 2880 * 60,
                                "due_at": _reported(i, due_now, now) + dt.timedelta(minutes=2880),
                                "state": "running",
                                "escalated_percent": 75,
                                "next_escalation_at": _reported(i, due_now, now)
                                + dt.timedelta(minutes=2880),
                                "updated_at": now,
                            }
                            for i in ids
                        ]
                    ).execute()
                    TicketDeadline.insert_many(
                        [
                            {
                                "ticket": i,
                                "due_at": _reported(i, due_now, now) + dt.timedelta(minutes=2880),
                                "metric": "resolution",
                            }
                            for i in ids
                        ]
                    ).execute()
            print(
                f"filled {open_tickets} open tickets with clocks in "
                f"{time.perf_counter() - started:.1f}s"
            )
            registry = app.extensions["aftersales"].registry
            started = time.perf_counter()
            quiet = sweep(registry, now - dt.timedelta(days=1))
            quiet_time = time.perf_counter() - started
            started = time.perf_counter()
            busy = sweep(registry, now)
            busy_time = time.perf_counter() - started
        print(f"sweep, nothing due: {quiet.tickets} tickets in {quiet_time * 1000:.1f} ms")
        print(
            f"sweep, {busy.tickets} due: {busy.breaches} breaches noted, "
            f"{len(busy.escalations)} steps fired in {busy_time * 1000:.0f} ms "
            f"({busy_time / max(busy.tickets, 1) * 1000:.2f} ms per due ticket)"
        )
        print(
            f"target: a sweep over {open_tickets} open tickets in <= 1 s: "
            f"{'met' if busy_time <= 1.0 else 'MISSED'} with {due_now} due at once"
        )


def _reported(ticket_id: int, due_now: int, now: dt.datetime) -> dt.datetime:
    """The first ``due_now`` tickets were reported 49 h ago (2 h past a 48 h target);
    the rest recently, spread over the last day."""
    if ticket_id <= due_now:
        return now - dt.timedelta(hours=49)
    return now - dt.timedelta(minutes=ticket_id % 1440)


if __name__ == "__main__":
    main()
