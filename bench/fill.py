"""Fast filling for the benchmarks: many rows through the database driver, not the ORM.

:class:`BulkTable` writes plain rows into a model's table — ``executemany`` on SQLite,
``COPY … FROM STDIN`` on PostgreSQL — with every column the model has (its Python-side
defaults filled in, values converted as peewee would). :class:`HistoryFiller` builds a
service history that grows backwards in time: the newest tickets stay where they are
and each ``grow`` adds older ones, so a bigger table has more history, not a busier
present (what a system collecting tickets for years looks like).
"""

from __future__ import annotations

import datetime as dt
import io
import random
import sys
import time
from collections.abc import Iterable, Sequence
from typing import Any

import peewee

from server.auth import hash_password
from server.complaints.models import Complaint
from server.db import database, is_sqlite
from server.dispatch.models import Outlet, Technician
from server.dispatch.reports import ServiceReport
from server.followup.models import Callback
from server.models import Customer, Ticket, TicketCounter, User
from server.search import FTS_TABLE, TicketSearch, has_trigram_index, search_text
from server.sla.models import TicketDeadline, TicketSla, TicketStatusPeriod
from server.workflow import OPEN_STATUSES

PASSWORD = "bench-password"
TITLES = ["空调不制冷", "冰箱异响", "停电", "理赔", "网络故障", "洗衣机漏水", "热水器不点火"]
SURNAMES = ["张", "李", "王", "赵", "陈", "刘"]
# statuses of tickets of the last RECENT_DAYS, and of older ones (almost all finished)
RECENT_DAYS = 14
RECENT = {
    "new": 10,
    "assigned": 10,
    "in_progress": 15,
    "en_route": 3,
    "on_site": 3,
    "waiting_customer": 5,
    "waiting_parts": 4,
    "resolved": 20,
    "closed": 27,
    "cancelled": 3,
}
OLDER = {"closed": 940, "resolved": 30, "cancelled": 30}
TARGETS = {"first_response": 2 * 3600, "resolution": 48 * 3600}


def _copy_text(value: Any) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dt.datetime):
        return value.isoformat(" ")
    text = str(value)
    if any(c in text for c in "\\\t\n\r"):
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


class BulkTable:
    """Inserts plain dict rows into ``model``'s table, every column filled."""

    def __init__(self, model: type[peewee.Model], with_id: bool = False) -> None:
        self.table = model._meta.table_name
        self.fields = [
            f
            for f in model._meta.sorted_fields
            if with_id or not (f.primary_key and isinstance(f, peewee.AutoField))
        ]

    def _values(self, row: dict[str, Any]) -> list[Any]:
        values = []
        for field in self.fields:
            if field.name in row:
                value = row[field.name]
            elif field.default is not None:
                value = field.default() if callable(field.default) else field.default
            else:
                value = None
            value = field.db_value(value)
            if isinstance(value, dt.datetime) and is_sqlite():
                value = str(value)  # as peewee stores it ("YYYY-MM-DD HH:MM:SS[.ffffff]")
            values.append(value)
        return values

    def write(self, rows: Iterable[dict[str, Any]]) -> int:
        """Insert ``rows`` in the current transaction; returns how many."""
        converted = [self._values(row) for row in rows]
        if not converted:
            return 0
        columns = ", ".join(f.column_name for f in self.fields)
        if is_sqlite():
            marks = ", ".join("?" for _ in self.fields)
            database.cursor().executemany(
                f"INSERT INTO {self.table} ({columns}) VALUES ({marks})", converted
            )
        else:
            data = io.StringIO(
                "".join("\t".join(map(_copy_text, values)) + "\n" for values in converted)
            )
            database.cursor().copy_expert(f"COPY {self.table} ({columns}) FROM STDIN", data)
        return len(converted)


def customer_name(customer_id: int) -> str:
    """The name of the filled customer with this id."""
    return f"客户 {customer_id} {SURNAMES[customer_id % len(SURNAMES)]}"


def _weighted(weights: dict[str, int]) -> list[str]:
    return [key for key, weight in weights.items() for _ in range(weight)]


class HistoryFiller:
    """Users, outlets, technicians and a ticket history ending at ``now``.

    Ticket *i* (from 0, the newest) is created ``i × spacing`` before ``now``; each one
    has its customer, search text, SLA clocks (first response, resolution), its open
    deadline while open, and — when finished — mostly a result report and a done
    callback with satisfaction; a few have a complaint.
    """

    def __init__(
        self,
        app: Any,
        now: dt.datetime,
        spacing: dt.timedelta = dt.timedelta(minutes=3),
        customers_per_ticket: float = 0.2,
        seed: int = 7,
    ) -> None:
        self.registry = app.extensions["aftersales"].registry
        self.now = now
        self.spacing = spacing
        self.customers_per_ticket = customers_per_ticket
        self.rng = random.Random(seed)
        self.tickets = 0
        self.customers = 0
        self.counters: dict[tuple[str, int], int] = {}
        self.techs: list[tuple[int, str]] = []
        self.services = [(ind, svc.code) for (ind, _c), svc in self.registry.services.items()]
        self.recent = _weighted(RECENT)
        self.older = _weighted(OLDER)

    def people(self, technicians: int = 60, outlets: int = 12) -> None:
        """A dispatcher, a supervisor ("boss"), outlets and technicians (password PASSWORD)."""
        password_hash = hash_password(PASSWORD)
        with database.atomic():
            for name, role in (("dispatcher", "dispatcher"), ("boss", "supervisor")):
                User.create(
                    username=name, display_name=name.title(), role=role, password_hash=password_hash
                )
            outlet_ids = [
                Outlet.create(name=f"网点 {i:02d}", region=f"R{i % 4}").id for i in range(outlets)
            ]
            for i in range(technicians):
                team = f"team{i % 6}"
                user = User.create(
                    username=f"tech{i}",
                    display_name=f"Tech {i}",
                    role="technician",
                    password_hash=password_hash,
                    team=team,
                )
                Technician.create(user=user.id, outlet=outlet_ids[i % outlets])
                self.techs.append((user.id, team))

    def grow(self, total: int, chunk: int = 20_000) -> float:
        """Add older tickets until there are ``total``; returns the seconds it took."""
        started = time.perf_counter()
        first = self.tickets
        while self.tickets < total:
            count = min(chunk, total - self.tickets)
            with database.atomic():
                self._customers(int((self.tickets + count) * self.customers_per_ticket))
                self._chunk(self.tickets, count)
            self.tickets += count
            rate = (self.tickets - first) / max(time.perf_counter() - started, 1e-9)
            print(
                f"\rfilling: {self.tickets:,}/{total:,} tickets ({rate:,.0f}/s)",
                end="",
                file=sys.stderr,
            )
        with database.atomic():
            if has_trigram_index():
                database.execute_sql(
                    f"INSERT INTO {FTS_TABLE} (rowid, text) "
                    "SELECT ticket_id, text FROM ticket_search WHERE ticket_id > ?",
                    (first,),
                )
            TicketCounter.delete().execute()
            BulkTable(TicketCounter).write(
                {"prefix": prefix, "year": year, "value": value}
                for (prefix, year), value in self.counters.items()
            )
            if not is_sqlite():
                for table in ("ticket", "customer"):
                    database.execute_sql(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
        database.execute_sql("ANALYZE")
        seconds = time.perf_counter() - started
        print(f"\rfilled {total:,} tickets (+{total - first:,}) in {seconds:.1f}s", file=sys.stderr)
        return seconds

    def _customers(self, wanted: int) -> None:
        rows = [
            {
                "id": i + 1,
                "name": customer_name(i + 1),
                "phone": f"138{i:08d}",
                "address": f"上海市 {i} 号",
                "created_at": self.now,
                "updated_at": self.now,
            }
            for i in range(self.customers, wanted)
        ]
        BulkTable(Customer, with_id=True).write(rows)
        self.customers = max(self.customers, wanted)

    def _chunk(self, start: int, count: int) -> None:
        rng, now = self.rng, self.now
        tickets, search, clocks, deadlines = [], [], [], []
        reports, callbacks, complaints, periods = [], [], [], []
        for index in range(start, start + count):
            ticket_id = index + 1
            industry, service = rng.choice(self.services)
            prefix = self.registry.industries[industry].ticket_prefix
            created = now - self.spacing * index - dt.timedelta(seconds=rng.randrange(60))
            serial = self.counters.get((prefix, created.year), 0) + 1
            self.counters[prefix, created.year] = serial
            recent = now - created < dt.timedelta(days=RECENT_DAYS)
            status = rng.choice(self.recent if recent else self.older)
            tech = rng.choice(self.techs) if status != "new" else (None, "")
            responded = created + dt.timedelta(minutes=rng.randint(1, 300))
            resolved = created + dt.timedelta(minutes=rng.randint(60, 6000))
            done = status in ("resolved", "closed") and resolved < now
            if status in ("resolved", "closed") and not done:
                status = "in_progress"
            number = f"{prefix}-{created.year}-{serial:06d}"
            title = f"工单 {index} {rng.choice(TITLES)}"
            customer = rng.randint(1, self.customers)
            tickets.append(
                {
                    "id": ticket_id,
                    "number": number,
                    "plugin": industry,
                    "service": service,
                    "customer": customer,
                    "title": title,
                    "priority": rng.choice(["low", "normal", "normal", "high", "urgent"]),
                    "status": status,
                    "assignee": tech[0],
                    "team": tech[1],
                    "created_at": created,
                    "updated_at": resolved if done else responded,
                    "reported_at": created,
                    "first_response_at": responded if status != "new" else None,
                    "resolved_at": resolved if done else None,
                    "closed_at": resolved if status == "closed" else None,
                }
            )
            search.append(
                {"ticket": ticket_id, "text": search_text(number, title, customer_name(customer))}
            )
            for metric, stopped in (
                ("first_response", responded if status != "new" else None),
                ("resolution", resolved if done else None),
            ):
                target = TARGETS[metric]
                elapsed = (stopped - created).total_seconds() * 0.4 if stopped else 0.0
                state = ("met" if elapsed <= target else "breached") if stopped else "running"
                clocks.append(
                    {
                        "ticket": ticket_id,
                        "metric": metric,
                        "policy": "standard",
                        "calendar": "office",
                        "target_seconds": target,
                        "due_at": created + dt.timedelta(seconds=target / 0.4),
                        "elapsed_seconds": elapsed,
                        "state": state,
                        "stopped_at": stopped,
                        "updated_at": stopped or created,
                    }
                )
            if status in OPEN_STATUSES:
                deadlines.append(
                    {
                        "ticket": ticket_id,
                        "due_at": created + dt.timedelta(seconds=TARGETS["resolution"] / 0.4),
                        "metric": "resolution",
                    }
                )
            if status == "cancelled":
                periods.append({"ticket": ticket_id, "status": status, "started_at": responded})
            if done and rng.random() < 0.6:
                reports.append(
                    {
                        "ticket": ticket_id,
                        "technician": tech[0],
                        "outcome": "resolved_on_site" if rng.random() < 0.85 else "unfinished",
                        "created_at": resolved,
                    }
                )
            if done and rng.random() < 0.5 and resolved + dt.timedelta(days=1) < now:
                callbacks.append(
                    {
                        "ticket": ticket_id,
                        "due_at": resolved + dt.timedelta(days=2),
                        "status": "done",
                        "done_at": resolved + dt.timedelta(days=1),
                        "reached": True,
                        "satisfaction": rng.choices([1, 2, 3, 4, 5], [2, 3, 10, 35, 50])[0],
                        "created_at": resolved,
                    }
                )
            if rng.random() < 0.01:
                complaints.append(
                    {
                        "number": f"CP-{created.year}-{index:07d}",
                        "ticket": ticket_id,
                        "channel": "phone",
                        "category": "attitude",
                        "description": "慢",
                        "received_at": min(now, responded + dt.timedelta(days=1)),
                        "created_at": min(now, responded + dt.timedelta(days=1)),
                    }
                )
        BulkTable(Ticket, with_id=True).write(tickets)
        BulkTable(TicketSearch, with_id=True).write(search)
        BulkTable(TicketSla).write(clocks)
        BulkTable(TicketDeadline, with_id=True).write(deadlines)
        BulkTable(TicketStatusPeriod).write(periods)
        BulkTable(ServiceReport).write(reports)
        BulkTable(Callback).write(callbacks)
        if complaints:
            owner = User.get(User.username == "boss").id
            BulkTable(Complaint).write([dict(c, owner=owner) for c in complaints])


def table_sizes(models: Sequence[type[peewee.Model]]) -> dict[str, int]:
    """Rows per table (for the report)."""
    return {m._meta.table_name: m.select().count() for m in models}
