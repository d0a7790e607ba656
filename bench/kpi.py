"""Benchmark: p50/p95 of the KPI dashboard over a year of data (200k tickets), in process.

Run:  .venv/bin/python bench/kpi.py [--tickets 200000] [--repeat 20]

Builds 2025 in a temporary SQLite file with bulk inserts — tickets with their SLA clocks
(first response, arrival on half of them, resolution), result reports, done callbacks
with satisfaction, complaints, outlets and technicians — then renders /kpi through the
Flask test client for the year and for one month, grouped by outlet and by technician.
Prints the first render, p50/p95 per scenario and the worst p95 against the 300 ms
target. Every period here has ended, so after the first render they come from the
closed-period cache; ``--no-cache`` measures computing them every time (what a period
still running costs). ``--keep DIR`` keeps the database for the next run. Not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import logged_in_client, p50_p95
from server.app import create_app
from server.auth import hash_password
from server.complaints.models import Complaint
from server.config import parse_config
from server.db import database
from server.dispatch.models import Outlet, Technician
from server.dispatch.reports import ServiceReport
from server.followup.models import Callback
from server.models import Asset, Customer, Ticket, User
from server.schema import init_db
from server.sla.models import TicketSla, TicketStatusPeriod

PLUGINS = ["home_appliances", "tobacco_retail", "insurance", "power_utility", "it_outsourcing"]
TARGET_P95_MS = 300.0
PASSWORD = "bench-password"
YEAR = 2025
BATCH = 2000
TARGETS = {"first_response": 120, "arrival": 1440, "resolution": 2880}  # working minutes


def build(tmp: Path, tickets: int, reuse: bool = False, cache_minutes: int = 10) -> object:
    """The app on ``tmp/bench.db``, filled with ``tickets`` (``reuse``: as already filled)."""
    config = parse_config(
        {
            "server": {"instance_dir": str(tmp / "instance")},
            "database": {"url": f"sqlite:///{tmp / 'bench.db'}"},
            "plugins": {"enabled": PLUGINS},
            "kpi": {"cache_minutes": cache_minutes},
        },
        tmp / "bench.toml",
    )
    app = create_app(config=config)
    with app.app_context():
        init_db(app)
        if not reuse:
            fill(app, tickets)
    return app


def _insert(model: type, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        model.insert_many(rows[start : start + BATCH]).execute()


def fill(app: object, tickets: int) -> None:
    registry = app.extensions["aftersales"].registry
    rng = random.Random(11)
    started = time.perf_counter()
    password_hash = hash_password(PASSWORD)
    with database.atomic():
        admin = User.create(
            username="boss", display_name="Boss", role="supervisor", password_hash=password_hash
        )
        outlets = [Outlet.create(name=f"网点 {i:02d}", region=f"R{i % 4}").id for i in range(12)]
        techs = []
        for i in range(60):
            user = User.create(
                username=f"tech{i}",
                display_name=f"Tech {i}",
                role="technician",
                password_hash=password_hash,
                team=f"team{i % 6}",
            )
            Technician.create(user=user.id, outlet=outlets[i % len(outlets)])
            techs.append((user.id, f"team{i % 6}"))
        _insert(Customer, [{"name": f"客户 {i}", "attributes": {}} for i in range(20_000)])
        _insert(
            Asset,
            [
                {
                    "customer": 1 + i % 20_000,
                    "plugin": "home_appliances",
                    "kind": "appliance",
                    "identifier": f"SN{i:08d}",
                    "attributes": {},
                }
                for i in range(50_000)
            ],
        )
    services = [(ind, svc.code) for (ind, _c), svc in registry.services.items()]
    year_start = dt.datetime(YEAR, 1, 1) - dt.timedelta(hours=8)
    span_minutes = 365 * 24 * 60
    counters: dict[str, int] = {}
    plan = []
    for index in range(tickets):
        industry, service = rng.choice(services)
        prefix = registry.industries[industry].ticket_prefix
        counters[prefix] = counters.get(prefix, 0) + 1
        created = year_start + dt.timedelta(minutes=rng.randrange(span_minutes))
        tech = rng.choice(techs) if rng.random() < 0.9 else (None, "")
        roll = rng.random()
        status = "cancelled" if roll < 0.02 else ("closed" if roll < 0.7 else "resolved")
        if created > year_start + dt.timedelta(days=350) and rng.random() < 0.3:
            status = "in_progress" if tech[0] else "new"
        responded = created + dt.timedelta(minutes=rng.randint(1, 300))
        resolved = created + dt.timedelta(minutes=rng.randint(60, 8000))
        plan.append((index, industry, service, prefix, created, tech, status, responded, resolved))
    print(f"planned {tickets} tickets", file=sys.stderr)
    for chunk in range(0, tickets, 10_000):
        _fill_chunk(rng, plan[chunk : chunk + 10_000], counters, admin.id)
        print(f"\rfilling: {min(chunk + 10_000, tickets)}/{tickets}", end="", file=sys.stderr)
    database.execute_sql("ANALYZE")
    print(f"\rfilled {tickets} tickets in {time.perf_counter() - started:.1f}s", file=sys.stderr)


def _fill_chunk(rng: random.Random, plan: list, counters: dict, owner: int) -> None:
    numbers: dict[str, int] = {}
    rows = []
    for index, industry, service, prefix, created, tech, status, responded, resolved in plan:
        numbers[prefix] = numbers.get(prefix, 0) + 1
        done = status in ("resolved", "closed")
        rows.append(
            {
                "number": f"{prefix}-{YEAR}-{index:07d}",
                "plugin": industry,
                "service": service,
                "customer": rng.randint(1, 20_000),
                "asset": rng.randint(1, 50_000) if rng.random() < 0.7 else None,
                "title": f"工单 {index}",
                "priority": "normal",
                "status": status,
                "assignee": tech[0],
                "team": tech[1],
                "created_at": created,
                "updated_at": created,
                "reported_at": created,
                "first_response_at": responded if status != "new" else None,
                "resolved_at": resolved if done else None,
                "closed_at": resolved if status == "closed" else None,
                "attributes": {},
                "channel": "phone",
            }
        )
    with database.atomic():
        _insert(Ticket, rows)
        first = Ticket.get(Ticket.number == rows[0]["number"]).id
        clocks, periods, reports, callbacks, complaints = [], [], [], [], []
        for offset, (index, _i, _s, _p, created, _t, status, responded, resolved) in enumerate(
            plan
        ):
            ticket = first + offset
            done = status in ("resolved", "closed")
            events = {"first_response": responded if status != "new" else None}
            if index % 2 == 0:
                events["arrival"] = created + (resolved - created) / 2 if done else None
            events["resolution"] = resolved if done else None
            for metric, stopped in events.items():
                target = TARGETS[metric] * 60
                elapsed = (stopped - created).total_seconds() * 0.35 if stopped else 0.0
                state = ("met" if elapsed <= target else "breached") if stopped else "running"
                clocks.append(
                    {
                        "ticket": ticket,
                        "metric": metric,
                        "policy": "standard",
                        "calendar": "office",
                        "target_seconds": target,
                        "due_at": created + dt.timedelta(seconds=target / 0.35),
                        "elapsed_seconds": elapsed,
                        "state": state,
                        "stopped_at": stopped,
                    }
                )
            if status == "cancelled":
                periods.append({"ticket": ticket, "status": "cancelled", "started_at": responded})
            if done and rng.random() < 0.6:
                visits = 1 if rng.random() < 0.85 else 2
                for visit in range(visits):
                    last = visit == visits - 1
                    reports.append(
                        {
                            "ticket": ticket,
                            "technician": _t[0],
                            "outcome": "resolved_on_site" if last else "unfinished",
                            "created_at": resolved,
                        }
                    )
            if done and rng.random() < 0.8:
                callbacks.append(
                    {
                        "ticket": ticket,
                        "due_at": resolved + dt.timedelta(days=2),
                        "status": "done",
                        "done_at": resolved + dt.timedelta(days=1),
                        "reached": True,
                        "satisfaction": rng.choices([1, 2, 3, 4, 5], [2, 3, 10, 35, 50])[0],
                        "answers": {},
                        "created_at": resolved,
                    }
                )
            if rng.random() < 0.02:
                complaints.append(
                    {
                        "number": f"CP-{YEAR}-{index:07d}",
                        "ticket": ticket,
                        "channel": "phone",
                        "category": "attitude",
                        "description": "慢",
                        "owner": owner,
                        "received_at": responded + dt.timedelta(days=1),
                        "created_at": responded + dt.timedelta(days=1),
                    }
                )
        _insert(TicketSla, clocks)
        _insert(TicketStatusPeriod, periods)
        _insert(ServiceReport, reports)
        _insert(Callback, callbacks)
        _insert(Complaint, complaints)


SCENARIOS = [
    ("year, by outlet", f"period=year&year={YEAR}&group=outlet"),
    ("year, by technician", f"period=year&year={YEAR}&group=technician"),
    ("month, by outlet", f"period=month&year={YEAR}&month=6&group=outlet"),
    ("month, by technician", f"period=month&year={YEAR}&month=6&group=technician"),
]


def measure(app: object, repeat: int, only: str = "") -> list[tuple[str, float, float, float]]:
    client = logged_in_client(app, "boss", PASSWORD)
    results = []
    for name, query in SCENARIOS:
        if only and only not in name:
            continue
        timings = []
        for _attempt in range(repeat):
            started = time.perf_counter()
            response = client.get(f"/kpi?{query}")
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (query, response.status_code)
        results.append((name, timings[0], *p50_p95(timings)))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument(
        "--keep", type=Path, help="build in this directory and keep it; reuse it when filled"
    )
    parser.add_argument(
        "--no-cache", action="store_true", help="[kpi] cache_minutes = 0: every render computes"
    )
    parser.add_argument("--only", default="", help="only the scenarios whose name has this")
    args = parser.parse_args()
    minutes = 0 if args.no_cache else 10
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        reuse = (args.keep / "bench.db").exists()
        app = build(args.keep, args.tickets, reuse=reuse, cache_minutes=minutes)
        results = measure(app, args.repeat, args.only)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            app = build(Path(tmp), args.tickets, cache_minutes=minutes)
            results = measure(app, args.repeat, args.only)
    cache = "cache off" if args.no_cache else "closed-period cache on"
    print(f"KPI dashboard, {args.tickets} tickets in {YEAR}, SQLite, {cache}")
    print(f"{args.repeat} renders per scenario")
    print(f"{'scenario':<24} {'first ms':>9} {'p50 ms':>8} {'p95 ms':>8}")
    for name, first, p50, p95 in results:
        print(f"{name:<24} {first:9.1f} {p50:8.1f} {p95:8.1f}")
    worst = max(p95 for _n, _f, _p50, p95 in results)
    print(
        f"worst p95 {worst:.1f} ms; target {TARGET_P95_MS:.0f} ms; "
        f"ratio {worst / TARGET_P95_MS:.2f} ({'met' if worst <= TARGET_P95_MS else 'MISSED'})"
    )


if __name__ == "__main__":
    main()
