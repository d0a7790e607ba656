"""Benchmark: the queue and the dashboard at 100k and at 1M tickets, SQLite and PostgreSQL.

Run:  .venv/bin/python bench/scale.py [--postgres-url postgresql://dev:devpw@localhost/devtest]
          [--small 100000] [--large 1000000] [--repeat 30] [--only sqlite|postgres]

For each database (a SQLite file in a temporary folder; with ``--postgres-url`` also a
schema of its own in that database, dropped at the end) it fills ``--small`` tickets
(bench/fill.py: customers, SLA clocks, open deadlines, search rows, reports, callbacks,
complaints), measures every scenario in process through the Flask test client, grows
the history to ``--large`` tickets (older ones: the present stays as busy) and measures
again. Prints p50/p95 per scenario at both sizes and the ratio large/small of the p50:
near 1 means the cost follows the page, well above it means it follows the table
("norm": the same divided by the first page's ratio, for a machine whose load changed).
The KPI dashboard is measured with its caches off, so every render computes. Not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import logged_in_client, p50_p95
from bench.fill import PASSWORD, HistoryFiller
from server.app import create_app
from server.config import parse_config
from server.models import Ticket, utcnow
from server.schema import init_db

PLUGINS = ["home_appliances", "tobacco_retail", "insurance", "power_utility", "it_outsourcing"]

# (name, user, URL); a number in the URL is the ticket filled 500th newest
SCENARIOS = [
    ("queue, first page", "dispatcher", "/tickets"),
    ("queue, status filter", "dispatcher", "/tickets?status=waiting_parts"),
    ("queue, open tickets", "dispatcher", "/tickets?status=open"),
    ("queue, by due time", "dispatcher", "/tickets?sort=due"),
    ("queue, page 50", "dispatcher", "/tickets?page=50"),
    ("queue, search a word", "dispatcher", "/tickets?q=冰箱"),
    ("queue, search rare text", "dispatcher", "/tickets?q=客户 4321"),
    ("queue, search a number", "dispatcher", "/tickets?q={number}"),
    ("API, tickets", "dispatcher", "/api/v1/tickets"),
    ("KPI dashboard (month)", "boss", "/kpi"),
]


def build_app(url: str, instance: Path) -> Any:
    config = parse_config(
        {
            "server": {"instance_dir": str(instance)},
            "database": {"url": url},
            "plugins": {"enabled": PLUGINS},
            "kpi": {"cache_minutes": 0, "running_cache_seconds": 0},
        },
        instance / "bench.toml",
    )
    app = create_app(config=config)
    with app.app_context():
        init_db(app)
    return app


def measure(app: Any, repeat: int) -> dict[str, tuple[float, float]]:
    """p50/p95 (ms) per scenario. The scenarios take turns (one request each per round,
    after two warming rounds), so a burst of load on the shared machine touches them all
    alike instead of spoiling one."""
    with app.app_context():
        number = Ticket.get(Ticket.id == 500).number
    clients = {user: logged_in_client(app, user, PASSWORD) for user in ("dispatcher", "boss")}
    timings: dict[str, list[float]] = {name: [] for name, _user, _url in SCENARIOS}
    for attempt in range(repeat + 2):
        for name, user, url in SCENARIOS:
            started = time.perf_counter()
            response = clients[user].get(url.format(number=number))
            elapsed = (time.perf_counter() - started) * 1000
            assert response.status_code == 200, (url, response.status_code)
            if attempt >= 2:
                timings[name].append(elapsed)
    results = {name: p50_p95(values) for name, values in timings.items()}
    for name, (p50, p95) in results.items():
        print(f"  {name:<26} p50 {p50:8.1f} ms  p95 {p95:8.1f} ms", file=sys.stderr)
    return results


def run(label: str, url: str, instance: Path, small: int, large: int, repeat: int) -> dict:
    app = build_app(url, instance)
    now = utcnow().replace(microsecond=0)
    with app.app_context():
        filler = HistoryFiller(app, now)
        filler.people()
        fill_small = filler.grow(small)
    print(f"{label}: measuring at {small:,}", file=sys.stderr)
    at_small = measure(app, repeat)
    with app.app_context():
        fill_large = filler.grow(large)
    print(f"{label}: measuring at {large:,}", file=sys.stderr)
    at_large = measure(app, repeat)
    return {
        "label": label,
        "fill": (fill_small, fill_large),
        "small": at_small,
        "large": at_large,
        "load": os.getloadavg(),
    }


def _postgres_schema(base: str) -> tuple[str, str]:
    import psycopg2

    schema = f"bench_scale_{uuid.uuid4().hex[:8]}"
    with psycopg2.connect(base) as connection, connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {schema}")
    return schema, f"{base}?options=-csearch_path%3D{schema}"


def _drop_schema(base: str, schema: str) -> None:
    import psycopg2

    with psycopg2.connect(base) as connection, connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def report(run_result: dict, small: int, large: int, repeat: int) -> None:
    label = run_result["label"]
    fill_small, fill_large = run_result["fill"]
    load = ", ".join(f"{x:.2f}" for x in run_result["load"])
    print(
        f"\n{label}: {repeat} requests per scenario; fill {small:,} in {fill_small:.0f}s, "
        f"grow to {large:,} in {fill_large:.0f}s; load average at the end {load}"
    )
    head = f"{'scenario':<26} {'p50':>8} {'p95':>8} {'p50':>8} {'p95':>8} {'ratio':>6} {'norm':>6}"
    print(f"{'':<26} {f'at {small:,}':>17} {f'at {large:,}':>17} {'p50':>6}")
    print(head)
    # "norm": the ratio divided by the first page's, which cancels a change of the
    # machine's load between the two measurements (the first page reads 26 rows)
    first = SCENARIOS[0][0]
    drift = run_result["large"][first][0] / run_result["small"][first][0]
    for name, _user, _url in SCENARIOS:
        s50, s95 = run_result["small"][name]
        l50, l95 = run_result["large"][name]
        ratio = l50 / s50
        print(
            f"{name:<26} {s50:8.1f} {s95:8.1f} {l50:8.1f} {l95:8.1f} {ratio:6.2f} "
            f"{ratio / drift:6.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres-url", default="")
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--only", choices=["sqlite", "postgres"], default="")
    args = parser.parse_args()
    results = []
    started = dt.datetime.now()
    if args.only != "postgres":
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{Path(tmp) / 'bench.db'}"
            results.append(run("SQLite", url, Path(tmp), args.small, args.large, args.repeat))
    if args.postgres_url and args.only != "sqlite":
        schema, url = _postgres_schema(args.postgres_url)
        try:
            with tempfile.TemporaryDirectory() as tmp:
                results.append(
                    run("PostgreSQL", url, Path(tmp), args.small, args.large, args.repeat)
                )
        finally:
            _drop_schema(args.postgres_url, schema)
    for result in results:
        report(result, args.small, args.large, args.repeat)
    print(f"\nstarted {started:%Y-%m-%d %H:%M}, took {dt.datetime.now() - started}")


if __name__ == "__main__":
    main()
