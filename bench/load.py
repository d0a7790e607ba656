"""Load test: N clients against the real server over loopback, then a check of the database.

Run:  .venv/bin/python bench/load.py [--seconds 60] [--clients 8] [--postgres URL] [--json]

Starts ``aftersales serve`` (waitress) on a fresh SQLite instance, or gunicorn × 4
(``--workers``) on a schema of its own in ``--postgres URL``; makes users, API tokens and
customers; then each client (a thread with one keep-alive connection) creates tickets,
moves them, comments and reads the queue (one client also reads the HTML queue page with a
session) until the time is up. Afterwards it checks against the database that every
ticket answered 201 is there exactly once with its created event and every acknowledged
move and comment, that no answer was a 5xx, and that ticket numbers are unique and
gapless per prefix and year. Then the same clients run against bench/baseline_app.py (one
bare insert endpoint) on the same server kind and database kind for the same time, after
a phase of the same length in which every client only creates tickets: the target's
ratio is that phase's tickets per second over the baseline's inserts per second.

Prints req/s and p50/p95 per operation and the ratio of ticket creation to bare inserts;
exit code 1 when the check fails (timings never fail it). Loopback only; bounded by
``--seconds`` and ``--max-requests`` per client.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _loadkit as kit


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--postgres", metavar="URL", help="PostgreSQL server (gunicorn × N)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (PostgreSQL)")
    parser.add_argument(
        "--server", choices=("waitress", "gunicorn"), help="default: waitress on SQLite"
    )
    parser.add_argument("--max-requests", type=int, default=1_000_000, help="per client")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--keep", action="store_true", help="keep the temp folder and schema")
    args = parser.parse_args(argv)
    kind = args.server or ("gunicorn" if args.postgres else "waitress")
    return kit.run_and_report(
        parser, args, "aftersales-load-", lambda root, out: run(root, args, kind, out), report
    )


def run(root: Path, args: Any, kind: str, out: Any) -> dict[str, Any]:
    started = time.perf_counter()
    installation = kit.prepare(root / "app", args.clients, args.postgres)
    print(f"prepared in {time.perf_counter() - started:.1f} s; starting {kind}", file=out)
    result: dict[str, Any] = {
        "server": kind,
        "workers": args.workers if kind == "gunicorn" else 1,
        "database": "postgresql" if args.postgres else "sqlite",
        "clients": args.clients,
        "load_average_before": kit.machine_load(),
    }
    try:
        server = kit.app_server(installation, kind, args.workers, kit.free_port(), root / "s.log")
        server.start()
        try:
            record, wall = kit.run_clients(
                installation, server.port, args.clients, args.seconds, args.max_requests
            )
            result["load"] = kit.figures(record, wall)
            if not args.no_baseline:  # every client creating, as long as the baseline runs
                print("creation only", file=out)
                creating, creating_wall = kit.run_clients(
                    installation,
                    server.port,
                    args.clients,
                    args.seconds,
                    args.max_requests,
                    only_create=True,
                )
                result["create_only"] = kit.figures(creating, creating_wall)
                record.merge(creating)  # checked afterwards with the rest
        finally:
            server.stop()
        result["acknowledged"] = {
            "tickets": len(record.tickets),
            "transitions": len(record.transitions),
            "comments": len(record.comments),
        }
        result["problems"] = kit.verify(installation, record)
        if not record.tickets:
            result["problems"].append("no ticket was created at all")
        if not args.no_baseline:
            result["baseline"] = baseline(root, args, kind, installation, out)
            creates = result["load"]["operations"].get("create", {})
            inserts = result["baseline"]["operations"].get("insert", {})
            result["ratio"] = ratios(creates, inserts, args.clients)
            only = result.get("create_only", {}).get("operations", {}).get("create", {})
            if only.get("per_second") and inserts.get("per_second"):
                result["ratio"]["create_only"] = round(
                    only["per_second"] / inserts["per_second"], 3
                )
        result["load_average_after"] = kit.machine_load()
    finally:
        if not args.keep:
            installation.drop()
    result["ok"] = not result["problems"]
    if result["problems"] or kind == "gunicorn":
        log = (root / "s.log").read_text(errors="replace") if (root / "s.log").exists() else ""
        result["server_log_tail"] = log.splitlines()[-15:]
    return result


def baseline(root: Path, args: Any, kind: str, installation: Any, out: Any) -> dict[str, Any]:
    if args.postgres:
        url = kit.postgres_schema_url(args.postgres, installation.postgres_schema)
    else:
        url = f"sqlite:///{root / 'baseline.db'}"
    print("baseline: bare Flask + peewee insert endpoint", file=out)
    server = kit.baseline_server(url, kind, args.workers, kit.free_port(), root / "b.log")
    server.start()
    try:
        record, wall = kit.run_baseline_clients(
            server.port, args.clients, args.seconds, args.max_requests
        )
    finally:
        server.stop()
    return kit.figures(record, wall)


def ratios(creates: dict[str, Any], inserts: dict[str, Any], clients: int) -> dict[str, Any]:
    """Ticket creation against bare inserts.

    ``mixed``: tickets created per second during the mixed load (which spends most of its
    requests on other things) over baseline inserts per second. ``create_capacity``: what
    the mixed run's creation latency allows with every client creating (clients / mean
    latency, Little's law) over the same for bare inserts — the fair comparison of one
    creation against one insert under the same concurrency.
    """
    if not creates or not inserts or not inserts.get("per_second"):
        return {}
    capacity = clients / (creates["mean_ms"] / 1000) if creates["mean_ms"] else 0.0
    base_capacity = clients / (inserts["mean_ms"] / 1000) if inserts["mean_ms"] else 0.0
    return {
        "mixed": round(creates["per_second"] / inserts["per_second"], 3),
        "create_capacity_per_second": round(capacity, 1),
        "insert_capacity_per_second": round(base_capacity, 1),
        "create_capacity": round(capacity / base_capacity, 3) if base_capacity else None,
    }


def report(result: dict[str, Any]) -> None:
    print(
        f"\n{result['server']} ×{result['workers']} on {result['database']}, "
        f"{result['clients']} clients; load average {result['load_average_before']} → "
        f"{result.get('load_average_after', '?')}"
    )
    if "load" in result:
        kit.print_figures("aftersales", result["load"])
        print(f"  acknowledged: {result['acknowledged']}")
    if "create_only" in result:
        kit.print_figures("aftersales, creation only", result["create_only"])
    if "baseline" in result:
        kit.print_figures("baseline (bare insert)", result["baseline"])
    if result.get("ratio"):
        r = result["ratio"]
        print(
            f"ratio, ticket creation vs bare insert: {r['create_capacity']} per request "
            f"({r['create_capacity_per_second']} vs {r['insert_capacity_per_second']} /s at "
            f"this concurrency); {r['mixed']} as created in the mixed load"
        )
        if "create_only" in r:
            print(
                f"ratio, creation-only load vs bare inserts, same clients and time: "
                f"{r['create_only']} (target ≥ 0.5)"
            )
    if result["problems"]:
        print("CHECK FAILED:")
        for problem in result["problems"]:
            print(f"  {problem}")
        for line in result.get("server_log_tail", []):
            print(f"  log: {line}")
    else:
        print(
            "check passed: every acknowledged ticket, move and comment is there once; "
            "numbers gapless; no 5xx"
        )


if __name__ == "__main__":
    sys.exit(main())
