"""What bench/load.py and bench/crash.py share: a fresh installation, the real server as a
subprocess, client threads over loopback HTTP, and the check against the database.

Everything is bounded: the clients stop at a deadline and after a number of requests, the
server and workers are started by us (in their own process group) and stopped by us.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BIN = Path(sys.executable).parent
PASSWORD = "load-test-password"
INDUSTRY = "home_appliances"
# An enquiry: no auto-dispatch, no asset, no callback; plugin fields still checked.
SERVICE = "consultation"
# Moves a ticket of that service can make without an assignee or a result report.
NEXT_STATUS = {"new": "waiting_customer", "waiting_customer": "resolved"}
CUSTOMERS = 20
# An escalation ladder that fires within seconds (bench/crash.py): a 1-minute 24x7
# resolution target with steps at 5 %, 10 % and 20 % (3 s, 6 s, 12 s).
QUICK_SLA = """
[sla.policies.quick]
label_zh = "压测"
label_en = "Load test"
[sla.policies.quick.resolution]
calendar = "24x7"
minutes = { urgent = 1, high = 1, normal = 1, low = 1 }
escalation = [
  { percent = 5, notify = "supervisor" },
  { percent = 10, notify = "supervisor" },
  { percent = 20, notify = "admin" },
]
[[sla.rules]]
policy = "quick"
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- the installation -------------------------------------------------------------------


@dataclass
class Installation:
    root: Path
    config_path: Path
    database_url: str
    tokens: list[str]
    customer_ids: list[int]
    postgres_schema: str | None = None
    postgres_url: str | None = None

    @property
    def sqlite_path(self) -> Path | None:
        if self.database_url.startswith("sqlite:///"):
            return Path(self.database_url.removeprefix("sqlite:///"))
        return None

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["AFTERSALES_CONFIG"] = str(self.config_path)
        env.pop("AFTERSALES_SERVER_PROCESSES", None)
        return env

    def app(self) -> Any:
        from server.app import create_app

        return create_app(self.config_path)

    def drop(self) -> None:
        """Drop the PostgreSQL schema made for the run (the SQLite file goes with root)."""
        if self.postgres_schema and self.postgres_url:
            with contextlib.closing(_pg_connect(self.postgres_url)) as conn, conn.cursor() as cur:
                cur.execute(f"DROP SCHEMA IF EXISTS {self.postgres_schema} CASCADE")


def _pg_connect(url: str) -> Any:
    import psycopg2

    connection = psycopg2.connect(url)
    connection.autocommit = True
    return connection


def postgres_schema_url(url: str, schema: str) -> str:
    """``url`` with its own schema (created) as the search path."""
    with contextlib.closing(_pg_connect(url)) as conn, conn.cursor() as cur:
        cur.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options=-csearch_path%3D{schema}"


def prepare(
    root: Path, clients: int, postgres_url: str | None = None, quick_sla: bool = False
) -> Installation:
    """A fresh instance and database: schema, users, API tokens (one per client),
    customers. Rate limits are off (the load would be refused by design otherwise)."""
    root.mkdir(parents=True, exist_ok=True)
    schema = None
    if postgres_url:
        schema = "load_" + secrets.token_hex(6)
        database_url = postgres_schema_url(postgres_url, schema)
    else:
        database_url = f"sqlite:///{root / 'aftersales.db'}"
    config_path = root / "aftersales.toml"
    config_path.write_text(
        f'[server]\ninstance_dir = "{root / "instance"}"\n'
        f"[database]\nurl = {json.dumps(database_url)}\n"
        "[rate_limits]\nenabled = false\n"
        f'[plugins]\nenabled = ["{INDUSTRY}"]\n'
        '[locale]\ndefault = "en"\n'
        '[jobs]\nbackend = "sqlite"\n' + (QUICK_SLA if quick_sla else ""),
        encoding="utf-8",
    )
    installation = Installation(
        root, config_path, database_url, [], [], postgres_schema=schema, postgres_url=postgres_url
    )
    from unittest import mock

    from server.api_tokens import issue_token
    from server.auth import hash_password
    from server.models import Customer
    from server.schema import init_db
    from server.users import create_user

    app = installation.app()
    # every user gets the same password: hash it once (scrypt is slow on purpose)
    password_hash = hash_password(PASSWORD)
    with app.app_context(), mock.patch("server.users.hash_password", lambda _: password_hash):
        init_db(app)
        create_user("admin", PASSWORD, "admin", "Admin")
        create_user("supervisor", PASSWORD, "supervisor", "Supervisor")
        for number in range(clients):
            user = create_user(f"dispatcher{number}", PASSWORD, "dispatcher", f"D{number}")
            installation.tokens.append(issue_token(user, "load test", None)[1])
        for number in range(CUSTOMERS):
            customer = Customer.create(name=f"压测客户{number}", phone=f"1380000{number:04d}")
            installation.customer_ids.append(customer.id)
    return installation


# --- servers --------------------------------------------------------------------------


@dataclass
class Server:
    """A server we started, in its own process group (killed with the group)."""

    argv: list[str]
    env: dict[str, str]
    port: int
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    def start(self, ready_within: float = 120.0) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115 (the child keeps it)
        log.write(f"\n--- start {self.starts + 1}: {' '.join(self.argv)}\n".encode())
        log.flush()
        self.process = subprocess.Popen(
            self.argv, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()
        self.starts += 1
        wait_until_listening(self.port, self.process, ready_within, self.log_path)

    def kill(self) -> None:
        """kill -9 the server and every process of its group (gunicorn's workers too)."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()


def wait_until_listening(
    port: int, process: subprocess.Popen[bytes], within: float, log_path: Path
) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited ({process.returncode}); see {log_path}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            status = conn.getresponse().status
            conn.close()
            if status < 500:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server did not answer within {within:.0f} s; see {log_path}")


def app_server(
    installation: Installation, kind: str, workers: int, port: int, log_path: Path
) -> Server:
    """The aftersales server: ``aftersales serve`` (waitress) or gunicorn × ``workers``."""
    if kind == "waitress":
        argv = [str(BIN / "aftersales"), "serve", "--port", str(port), "--threads", "8"]
    else:
        argv = [
            *gunicorn_argv(workers, port),
            "server.app:app_from_environment()",
        ]
    return Server(argv, installation.env(), port, log_path)


def gunicorn_argv(workers: int, port: int) -> list[str]:
    return [
        str(BIN / "gunicorn"),
        "-c",
        "python:server.gunicorn_conf",
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "--access-logfile",
        "/dev/null",
    ]


def baseline_server(database_url: str, kind: str, workers: int, port: int, log: Path) -> Server:
    """bench/baseline_app.py on the same server kind and database kind."""
    env = dict(os.environ, BASELINE_DATABASE_URL=database_url, PYTHONPATH=str(ROOT))
    if kind == "waitress":
        argv = [
            sys.executable,
            "-m",
            "waitress",
            "--listen",
            f"127.0.0.1:{port}",
            "--threads",
            "8",
            "bench.baseline_app:app",
        ]
    else:
        argv = [*gunicorn_argv(workers, port), "bench.baseline_app:app"]
    return Server(argv, env, port, log)


# --- clients --------------------------------------------------------------------------


@dataclass
class Record:
    """What the clients saw, merged over all of them."""

    timings: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    server_errors: list[str] = field(default_factory=list)
    connection_errors: int = 0
    # acknowledged: ticket number → id; (ticket id, old, new); (ticket id, text)
    tickets: dict[str, int] = field(default_factory=dict)
    # when each ticket was acknowledged (time.monotonic())
    acknowledged_at: dict[str, float] = field(default_factory=dict)
    transitions: list[tuple[int, str, str]] = field(default_factory=list)
    comments: list[tuple[int, str]] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def merge(self, other: Record) -> None:
        with self.lock:
            for op, values in other.timings.items():
                self.timings[op].extend(values)
            for op, counts in other.statuses.items():
                self.statuses[op].update(counts)
            self.server_errors.extend(other.server_errors)
            self.connection_errors += other.connection_errors
            self.tickets.update(other.tickets)
            self.acknowledged_at.update(other.acknowledged_at)
            self.transitions.extend(other.transitions)
            self.comments.extend(other.comments)
            self.unexpected.extend(other.unexpected)

    def requests(self) -> int:
        return sum(len(v) for v in self.timings.values())


class Client:
    """One keep-alive connection doing a mix of API calls (and, for one client, the HTML
    queue page with a session)."""

    def __init__(
        self,
        number: int,
        port: int,
        token: str,
        customer_ids: list[int],
        with_page: bool,
        seed: int,
    ) -> None:
        self.number = number
        self.port = port
        self.token = token
        self.customer_ids = customer_ids
        self.with_page = with_page
        self.rng = random.Random(seed)
        self.conn: http.client.HTTPConnection | None = None
        self.record = Record()
        self.mine: dict[int, str] = {}  # ticket id → status, as acknowledged
        self.cookie = ""
        self.sent = 0

    # plumbing
    def _request(
        self,
        op: str,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes, http.client.HTTPResponse] | None:
        all_headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        if headers is not None:
            all_headers = headers
        payload = None
        if body is not None:
            if isinstance(body, bytes):
                payload = body
            else:
                payload = json.dumps(body).encode()
                all_headers["Content-Type"] = "application/json"
        self.sent += 1
        started = time.perf_counter()
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.conn.request(method, path, body=payload, headers=all_headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.record.connection_errors += 1
            self._drop_connection()
            time.sleep(0.05)
            return None
        elapsed = time.perf_counter() - started
        if response.will_close:
            self._drop_connection()
        self.record.timings[op].append(elapsed)
        self.record.statuses[op][response.status] += 1
        if response.status >= 500:
            first = data.decode("utf-8", "replace").strip().splitlines()[:1]
            self.record.server_errors.append(f"{op} {response.status}: {first[0] if first else ''}")
        return response.status, data, response

    def _drop_connection(self) -> None:
        if self.conn is not None:
            self.conn.close()
        self.conn = None

    def _unexpected(self, op: str, status: int, data: bytes) -> None:
        if len(self.record.unexpected) < 20:
            text = data.decode("utf-8", "replace")[:200].replace("\n", " ")
            self.record.unexpected.append(f"{op} {status}: {text}")

    # operations
    def create(self) -> None:
        i = self.sent
        body = {
            "industry": INDUSTRY,
            "service": SERVICE,
            "customer_id": self.rng.choice(self.customer_ids),
            "title": f"压测工单 {self.number}-{i}",
            "channel": "phone",
            "attributes": {"topic": "usage", "question": f"怎么清洗滤网？({self.number}-{i})"},
        }
        answer = self._request("create", "POST", "/api/v1/tickets", body)
        if answer is None:
            return
        status, data, _ = answer
        if status == 201:
            ticket = json.loads(data)
            self.record.tickets[ticket["number"]] = ticket["id"]
            self.record.acknowledged_at[ticket["number"]] = time.monotonic()
            self.mine[ticket["id"]] = ticket["status"]
        elif status < 500:
            self._unexpected("create", status, data)

    def transition(self) -> None:
        movable = [tid for tid, status in self.mine.items() if status in NEXT_STATUS]
        if not movable:
            return self.create()
        ticket_id = self.rng.choice(movable)
        old = self.mine[ticket_id]
        new = NEXT_STATUS[old]
        answer = self._request(
            "transition",
            "POST",
            f"/api/v1/tickets/{ticket_id}/transitions",
            {"to": new, "note": f"load {self.number}"},
        )
        if answer is None:
            # not acknowledged: it may or may not have happened; stop moving this one
            self.mine[ticket_id] = "unknown"
            return None
        status, data, _ = answer
        if status == 200:
            self.mine[ticket_id] = new
            self.record.transitions.append((ticket_id, old, new))
        elif status < 500:
            self._unexpected("transition", status, data)
            self.mine[ticket_id] = "unknown"
        return None

    def comment(self) -> None:
        if not self.mine:
            return self.create()
        ticket_id = self.rng.choice(list(self.mine))
        text = f"备注 {self.number}-{self.sent}-{self.rng.randrange(10**9)}"
        answer = self._request(
            "comment", "POST", f"/api/v1/tickets/{ticket_id}/comments", {"text": text}
        )
        if answer is None:
            return None
        status, data, _ = answer
        if status == 201:
            self.record.comments.append((ticket_id, text))
        elif status < 500:
            self._unexpected("comment", status, data)
        return None

    def queue(self) -> None:
        answer = self._request("queue", "GET", "/api/v1/tickets?limit=50")
        if answer is not None and answer[0] != 200 and answer[0] < 500:
            self._unexpected("queue", answer[0], answer[1])

    def page(self) -> None:
        if not self.cookie and not self.log_in():
            return
        answer = self._request(
            "page", "GET", "/tickets", headers={"Cookie": self.cookie, "Accept": "text/html"}
        )
        if answer is None:
            return
        if answer[0] != 200:
            self.cookie = ""  # e.g. the session was refused: log in again next time
            if answer[0] < 500:
                self._unexpected("page", answer[0], answer[1])

    def log_in(self) -> bool:
        answer = self._request("login", "GET", "/login", headers={"Accept": "text/html"})
        if answer is None or answer[0] != 200:
            return False
        status, data, response = answer
        cookie = _session_cookie(response)
        match = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', data)
        if not match:
            self._unexpected("login", status, b"no csrf token on /login")
            return False
        form = urllib.parse.urlencode(
            {
                "username": f"dispatcher{self.number}",
                "password": PASSWORD,
                "csrf_token": match.group(1).decode(),
            }
        ).encode()
        answer = self._request(
            "login",
            "POST",
            "/login",
            form,
            headers={
                "Cookie": cookie,
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "text/html",
            },
        )
        if answer is None or answer[0] != 303:
            if answer is not None:
                self._unexpected("login", answer[0], answer[1])
            return False
        self.cookie = _session_cookie(answer[2]) or cookie
        return True

    def run(
        self, deadline: float, max_requests: int, stop: threading.Event, only_create: bool = False
    ) -> Record:
        weights: list[tuple[Callable[[], Any], int]] = [
            (self.create, 35),
            (self.transition, 20),
            (self.comment, 25),
            (self.queue, 15),
        ]
        if only_create:
            weights = [(self.create, 1)]
        elif self.with_page:
            weights.append((self.page, 5))
        ops = [op for op, _ in weights]
        cumulative = [w for _, w in weights]
        while time.monotonic() < deadline and self.sent < max_requests and not stop.is_set():
            self.rng.choices(ops, weights=cumulative)[0]()
        self._drop_connection()
        return self.record


def _session_cookie(response: http.client.HTTPResponse) -> str:
    for header, value in response.getheaders():
        if header.lower() == "set-cookie" and value.startswith("aftersales_session="):
            return value.split(";", 1)[0]
    return ""


def run_clients(
    installation: Installation,
    port: int,
    clients: int,
    seconds: float,
    max_requests: int,
    stop: threading.Event | None = None,
    only_create: bool = False,
) -> tuple[Record, float]:
    """``clients`` threads for ``seconds`` (or ``max_requests`` each); the merged record
    and the wall time taken. ``only_create``: every request creates a ticket (the
    phase compared with the baseline's bare inserts)."""
    stop = stop or threading.Event()
    record = Record()
    deadline = time.monotonic() + seconds
    workers = [
        Client(n, port, installation.tokens[n], installation.customer_ids, n == 0, seed=1000 + n)
        for n in range(clients)
    ]

    def work(client: Client) -> None:
        record.merge(client.run(deadline, max_requests, stop, only_create))

    threads = [threading.Thread(target=work, args=(c,), daemon=True) for c in workers]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 120)
    return record, time.perf_counter() - started


def run_baseline_clients(
    port: int, clients: int, seconds: float, max_requests: int
) -> tuple[Record, float]:
    """The baseline's clients: nothing but inserts, same concurrency and duration."""
    record = Record()
    deadline = time.monotonic() + seconds

    def work(number: int) -> None:
        client = Client(number, port, "", [], False, seed=number)
        while time.monotonic() < deadline and client.sent < max_requests:
            answer = client._request(
                "insert", "POST", "/items", {"title": f"压测 {number}-{client.sent}"}, headers={}
            )
            if answer is not None and answer[0] != 201 and answer[0] < 500:
                client._unexpected("insert", answer[0], answer[1])
        client._drop_connection()
        record.merge(client.record)

    threads = [threading.Thread(target=work, args=(n,), daemon=True) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 120)
    return record, time.perf_counter() - started


# --- figures --------------------------------------------------------------------------


def percentiles(values: list[float]) -> tuple[float, float]:
    """p50 and p95 (nearest rank) in milliseconds."""
    if not values:
        return 0.0, 0.0
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, max(0, int(len(ordered) * 0.95 + 0.5) - 1))]
    return statistics.median(ordered) * 1000, p95 * 1000


def figures(record: Record, wall: float) -> dict[str, Any]:
    operations = {}
    for op in sorted(record.timings):
        values = record.timings[op]
        p50, p95 = percentiles(values)
        operations[op] = {
            "requests": len(values),
            "per_second": round(len(values) / wall, 1),
            "p50_ms": round(p50, 1),
            "p95_ms": round(p95, 1),
            "mean_ms": round(statistics.fmean(values) * 1000, 1) if values else 0.0,
            "statuses": {str(k): v for k, v in sorted(record.statuses[op].items())},
        }
    return {
        "seconds": round(wall, 2),
        "requests": record.requests(),
        "per_second": round(record.requests() / wall, 1),
        "operations": operations,
        "server_errors": len(record.server_errors),
        "server_error_lines": dict(Counter(record.server_errors).most_common(10)),
        "connection_errors": record.connection_errors,
        "unexpected": record.unexpected[:10],
    }


def print_figures(title: str, result: dict[str, Any]) -> None:
    print(
        f"{title}: {result['requests']} requests in {result['seconds']} s = "
        f"{result['per_second']} req/s; 5xx: {result['server_errors']}; "
        f"connection errors: {result['connection_errors']}"
    )
    for op, row in result["operations"].items():
        print(
            f"  {op:<11} {row['requests']:>7} req {row['per_second']:>8} req/s  "
            f"p50 {row['p50_ms']:>7} ms  p95 {row['p95_ms']:>7} ms  {row['statuses']}"
        )
    for line, count in result["server_error_lines"].items():
        print(f"  5xx ×{count}: {line}")
    for line in result["unexpected"]:
        print(f"  unexpected: {line}")


# --- the check against the database ---------------------------------------------------


def _chunks(items: list[Any], size: int = 500) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def verify(installation: Installation, record: Record) -> list[str]:
    """Everything acknowledged is in the database exactly once with its timeline; ticket
    numbers are unique and gapless per prefix and year; no 5xx; SQLite is intact."""
    from server.models import Ticket, TicketCounter, TicketEvent

    problems: list[str] = []
    if record.server_errors:
        problems.append(f"{len(record.server_errors)} responses were 5xx")
    app = installation.app()
    with app.app_context():
        numbers = list(record.tickets)
        found: Counter[str] = Counter()
        ids: dict[str, int] = {}
        for chunk in _chunks(numbers):
            for number, ticket_id in (
                Ticket.select(Ticket.number, Ticket.id).where(Ticket.number.in_(chunk)).tuples()
            ):
                found[number] += 1
                ids[number] = ticket_id
        for number in numbers:
            if found[number] != 1:
                problems.append(f"acknowledged ticket {number} is there {found[number]} times")
            elif ids[number] != record.tickets[number]:
                problems.append(f"{number} has id {ids[number]}, answered {record.tickets[number]}")
        events: dict[int, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
        ticket_ids = sorted(set(record.tickets.values()))
        for chunk in _chunks(ticket_ids):
            query = TicketEvent.select(TicketEvent.ticket, TicketEvent.kind, TicketEvent.data)
            for ticket_id, kind, data in query.where(TicketEvent.ticket.in_(chunk)).tuples():
                events[ticket_id][kind].append(data or {})
        for ticket_id in ticket_ids:
            created = len(events[ticket_id]["created"])
            if created != 1:
                problems.append(f"ticket id {ticket_id} has {created} 'created' events")
        for ticket_id, old, new in record.transitions:
            moves = events[ticket_id]["status"]
            if not any(m.get("old") == old and m.get("new") == new for m in moves):
                problems.append(f"ticket id {ticket_id}: acknowledged move {old}→{new} missing")
        for ticket_id, text in record.comments:
            texts = [c.get("text") for c in events[ticket_id]["comment"]]
            if texts.count(text) != 1:
                problems.append(f"ticket id {ticket_id}: comment {text!r} ×{texts.count(text)}")
        problems.extend(numbering_problems(Ticket, TicketCounter))
        if installation.sqlite_path is not None:
            check = app.extensions["aftersales"].db.execute_sql("PRAGMA integrity_check")
            verdict = [row[0] for row in check.fetchall()]
            if verdict != ["ok"]:
                problems.append(f"PRAGMA integrity_check: {verdict[:5]}")
    return problems[:50] + ([f"… {len(problems) - 50} more"] if len(problems) > 50 else [])


def numbering_problems(Ticket: Any, TicketCounter: Any) -> list[str]:
    """Numbers per prefix and year: unique, 1..max without gaps, the counter at max."""
    problems = []
    values: dict[tuple[str, str], list[int]] = defaultdict(list)
    for (number,) in Ticket.select(Ticket.number).tuples():
        prefix, year, value = number.rsplit("-", 2)
        values[(prefix, year)].append(int(value))
    counters = {
        (prefix, str(year)): value
        for prefix, year, value in TicketCounter.select(
            TicketCounter.prefix, TicketCounter.year, TicketCounter.value
        ).tuples()
    }
    for key, got in sorted(values.items()):
        if len(got) != len(set(got)):
            problems.append(f"{key[0]}-{key[1]}: {len(got) - len(set(got))} duplicate numbers")
        missing = set(range(1, max(got) + 1)) - set(got)
        if missing:
            problems.append(f"{key[0]}-{key[1]}: gaps at {sorted(missing)[:10]}")
        if counters.get(key) != max(got):
            problems.append(f"{key[0]}-{key[1]}: counter {counters.get(key)} ≠ max {max(got)}")
    return problems


def machine_load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def run_and_report(
    parser: Any,
    args: Any,
    prefix: str,
    run: Callable[[Path, Any], dict[str, Any]],
    report: Callable[[dict[str, Any]], None],
) -> int:
    """The scripts' shared ending: check the bounds, run in a temporary folder (kept with
    ``--keep``), print the result (one JSON object with ``--json``); exit 0 when it is ok."""
    if not 1 <= args.clients <= 64 or not 0 < args.seconds <= 600:
        parser.error("--clients must be 1–64 and --seconds 0–600")
    root = Path(tempfile.mkdtemp(prefix=prefix))
    out = sys.stderr if args.json else sys.stdout
    try:
        result = run(root, out)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        report(result)
    return 0 if result["ok"] else 1
