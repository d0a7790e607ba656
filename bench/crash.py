"""Crash test: kill -9 the server (and the job worker) in the middle of the load.

Run:  .venv/bin/python bench/crash.py [--seconds 30] [--clients 4] [--postgres URL] [--json]

The set-up of bench/load.py, with an SLA ladder that fires within seconds (a 1-minute
24x7 resolution target, steps at 5 %, 10 % and 20 %). While the clients run, the job
worker runs too: ``aftersales worker --once`` again and again (``--worker once``, the
default: a sweep every second or two), or the huey consumer ``aftersales worker``
(``--worker consumer``: its sweep is periodic, on the minute). After a random 30–70 % of
the time the server's whole process group and the running worker get SIGKILL; both are
started again on the same database and the clients carry on (requests that got no answer
are not counted as acknowledged). Afterwards, and after two more sweeps (one with ``--quick``):

- every ticket, move and comment acknowledged before or after the kill is there exactly
  once, numbers are gapless, no 5xx (bench/load.py's check);
- SQLite: ``PRAGMA integrity_check`` is ok;
- each (ticket, metric, step) fired exactly once: one ``sla_escalation`` event per step,
  and the steps on each timeline are exactly those the clock row says were claimed;
- the queue resumed: nothing was left due as of the last sweep, and steps did fire.

Exit code 1 when any check fails.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _loadkit as kit

LADDER = (5, 10, 20)


class Worker:
    """The job worker as subprocesses we start and kill (each in its own group)."""

    def __init__(self, installation: kit.Installation, mode: str, log_path: Path) -> None:
        self.installation = installation
        self.mode = mode
        self.log_path = log_path
        self.current: subprocess.Popen[bytes] | None = None
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.runs: Counter[str] = Counter()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _spawn(self, *extra: str) -> subprocess.Popen[bytes]:
        log = open(self.log_path, "ab")  # noqa: SIM115 (the child keeps it)
        process = subprocess.Popen(
            [str(kit.BIN / "aftersales"), "worker", *extra],
            env=self.installation.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        return process

    def _loop(self) -> None:
        while not self.stop.is_set():
            with self.lock:
                if self.stop.is_set():
                    return
                self.current = self._spawn(*(("--once",) if self.mode == "once" else ()))
            code = self.current.wait()
            self.runs["killed" if code == -signal.SIGKILL else f"exit {code}"] += 1
            if self.mode == "consumer" and code != -signal.SIGKILL:
                return  # stopped by us
            self.stop.wait(0.2)

    def start(self) -> None:
        self.thread.start()

    def kill(self, wait: float = 0.0, delay: float = 0.0) -> bool:
        """SIGKILL the worker, ``delay`` seconds into its run (waiting up to ``wait``
        seconds for one to be running); whether one was killed while running."""
        deadline = time.monotonic() + wait
        while True:
            with self.lock:
                process = self.current
            if process is not None and process.poll() is None:
                break
            if time.monotonic() >= deadline or self.stop.is_set():
                return False
            time.sleep(0.05)
        time.sleep(delay)
        with self.lock:
            if process.poll() is not None:
                return False
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            return True

    def finish(self) -> None:
        self.stop.set()
        with self.lock:
            process = self.current
        if process is not None and process.poll() is None:
            if self.mode == "consumer":
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=60)
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
        self.thread.join(90)

    def once(self) -> int:
        """One synchronous sweep; its exit code."""
        process = self._spawn("--once")
        return process.wait(timeout=300)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--postgres", metavar="URL", help="PostgreSQL server (gunicorn × N)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (PostgreSQL)")
    parser.add_argument("--worker", choices=("once", "consumer"), default="once")
    parser.add_argument("--seed", type=int, default=None, help="for the moment of the kill")
    parser.add_argument("--max-requests", type=int, default=1_000_000, help="per client")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--quick", action="store_true", help="one sweep after the load, not two (CI)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp folder and schema")
    args = parser.parse_args(argv)
    return kit.run_and_report(
        parser, args, "aftersales-crash-", lambda root, out: run(root, args, out), report
    )


def run(root: Path, args: Any, out: Any) -> dict[str, Any]:
    kind = "gunicorn" if args.postgres else "waitress"
    rng = random.Random(args.seed)
    installation = kit.prepare(root / "app", args.clients, args.postgres, quick_sla=True)
    result: dict[str, Any] = {
        "server": kind,
        "workers": args.workers if kind == "gunicorn" else 1,
        "database": "postgresql" if args.postgres else "sqlite",
        "clients": args.clients,
        "worker_mode": args.worker,
        "load_average_before": kit.machine_load(),
    }
    try:
        server = kit.app_server(installation, kind, args.workers, kit.free_port(), root / "s.log")
        server.start()
        worker = Worker(installation, args.worker, root / "w.log")
        worker.start()
        holder: dict[str, Any] = {}
        stop = threading.Event()
        clients = threading.Thread(
            target=lambda: holder.update(
                run=kit.run_clients(
                    installation,
                    server.port,
                    args.clients,
                    args.seconds * 3 + 300,  # bounded; `stop` ends it
                    args.max_requests,
                    stop,
                )
            ),
            daemon=True,
        )
        began = time.monotonic()
        clients.start()
        kill_after = args.seconds * rng.uniform(0.3, 0.7)
        time.sleep(kill_after)
        server.kill()
        result["killed_after_s"] = round(time.monotonic() - began, 2)
        # the worker too, a moment into a run (the server restarts meanwhile)
        worker_kill = threading.Thread(
            target=lambda: result.update(
                worker_killed_mid_run=worker.kill(wait=10.0, delay=rng.uniform(0.2, 1.5))
            ),
            daemon=True,
        )
        worker_kill.start()
        print(f"killed the server after {result['killed_after_s']} s; restarting", file=out)
        restarted = time.monotonic()
        try:
            server.start()
        except RuntimeError as exc:
            result["restart_failed"] = str(exc)
        back = time.monotonic()
        result["restart_s"] = round(back - restarted, 2)
        # the clients carry on against the restarted server for the rest of the time
        time.sleep(max(1.0, args.seconds - kill_after))
        stop.set()
        clients.join(180)
        worker_kill.join(30)
        server.stop()
        worker.finish()
        from server.models import utcnow

        swept_at = utcnow()
        codes = [worker.once(), *([] if args.quick else [worker.once()])]
        result["worker_runs"] = dict(worker.runs)
        record, wall = holder.get("run", (kit.Record(), 0.0))
        result["load"] = kit.figures(record, wall or 1.0)
        result["acknowledged"] = {
            "tickets": len(record.tickets),
            "transitions": len(record.transitions),
            "comments": len(record.comments),
        }
        problems = kit.verify(installation, record)
        if "restart_failed" in result:
            problems.append(f"restart failed: {result['restart_failed']}")
        if any(codes):
            problems.append(f"the sweeps after the load exited with {codes}")
        after = sum(1 for at in record.acknowledged_at.values() if at > back)
        result["acknowledged"]["tickets_after_restart"] = after
        if not record.tickets:
            problems.append("no ticket was created at all")
        elif not after and "restart_failed" not in result:
            problems.append("no ticket was acknowledged after the restart")
        escalations, step_problems = escalation_check(installation, swept_at)
        result["escalations_fired"] = escalations
        problems.extend(step_problems)
        result["problems"] = problems
        result["load_average_after"] = kit.machine_load()
        if problems:
            for name in ("s.log", "w.log"):
                path = root / name
                if path.exists():
                    lines = path.read_text(errors="replace").splitlines()
                    result[f"{name}_tail"] = lines[-15:]
    finally:
        if not args.keep:
            installation.drop()
    result["ok"] = not result["problems"]
    return result


def escalation_check(installation: kit.Installation, swept_at: Any) -> tuple[int, list[str]]:
    """Each step fired once, exactly the claimed ones, and nothing left due."""
    from server.models import TicketEvent
    from server.sla.models import TicketSla
    from server.sla.sweep import tickets_to_sweep

    problems: list[str] = []
    app = installation.app()
    with app.app_context():
        fired: Counter[tuple[int, str, int]] = Counter()
        query = TicketEvent.select(TicketEvent.ticket, TicketEvent.data).where(
            TicketEvent.kind == "sla_escalation"
        )
        for ticket_id, data in query.tuples():
            fired[(ticket_id, data["metric"], int(data["percent"]))] += 1
        for (ticket_id, metric, percent), count in sorted(fired.items()):
            if count != 1:
                problems.append(f"ticket id {ticket_id} {metric} {percent}% fired {count} times")
        for ticket_id, metric, claimed in TicketSla.select(
            TicketSla.ticket, TicketSla.metric, TicketSla.escalated_percent
        ).tuples():
            expected = {p for p in LADDER if p <= claimed}
            got = {p for (t, m, p) in fired if t == ticket_id and m == metric}
            if got != expected:
                problems.append(
                    f"ticket id {ticket_id} {metric}: claimed up to {claimed}%, fired {sorted(got)}"
                )
        left = tickets_to_sweep(swept_at)
        if left:
            problems.append(f"{len(left)} tickets still due after the last sweeps: {left[:10]}")
        if not fired:
            problems.append("no escalation step fired at all: the queue did not run")
    return sum(fired.values()), problems


def report(result: dict[str, Any]) -> None:
    print(
        f"\ncrash test: {result['server']} ×{result['workers']} on {result['database']}, "
        f"{result['clients']} clients, worker {result['worker_mode']}; load average "
        f"{result['load_average_before']} → {result.get('load_average_after', '?')}"
    )
    print(
        f"killed (kill -9) after {result.get('killed_after_s')} s, worker killed mid-run: "
        f"{result.get('worker_killed_mid_run')}; restarted in {result.get('restart_s')} s; "
        f"worker runs {result.get('worker_runs')}"
    )
    if "load" in result:
        kit.print_figures("aftersales", result["load"])
        print(f"  acknowledged: {result['acknowledged']}")
    print(f"escalation steps fired: {result.get('escalations_fired')}")
    if result["problems"]:
        print("CHECK FAILED:")
        for problem in result["problems"]:
            print(f"  {problem}")
        for key in ("s.log_tail", "w.log_tail"):
            for line in result.get(key, []):
                print(f"  {key[0]}: {line}")
    else:
        print(
            "check passed: every acknowledged ticket, move and comment is there once; "
            "integrity ok; each escalation step fired exactly once; the queue resumed"
        )


if __name__ == "__main__":
    sys.exit(main())
