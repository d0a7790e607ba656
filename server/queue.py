"""The ticket queue: filters, sorts and pages, all carried in the URL's query string."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any
from urllib.parse import urlencode

import peewee

from server import workflow
from server.inputs import query_text
from server.models import PRIORITIES, Customer, Ticket, User
from server.search import ticket_text_filter
from server.sla.models import TicketDeadline

# Sort keys offered in the UI → the columns; each is backed by an index on ticket.
SORTS: dict[str, tuple[Any, ...]] = {
    "-created": (Ticket.created_at.desc(), Ticket.id.desc()),
    "created": (Ticket.created_at.asc(), Ticket.id.asc()),
    "-updated": (Ticket.updated_at.desc(), Ticket.id.desc()),
    "-reported": (Ticket.reported_at.desc(), Ticket.id.desc()),
    "number": (Ticket.number.asc(),),
    # nearest open SLA deadline first; tickets without one come last (_by_nearest_deadline)
    "due": (),
}
DEFAULT_SORT = "-created"
NUMBER_PATTERN = re.compile(r"^[A-Z]{2,4}-\d{4}-\d{1,6}$", re.IGNORECASE)
# Past this many matches the page says "more than N" instead of counting every row.
COUNT_LIMIT = 10_000


@dataclass(frozen=True)
class QueueFilter:
    status: str = ""
    plugin: str = ""
    service: str = ""
    priority: str = ""
    assignee: str = ""
    team: str = ""
    q: str = ""
    sort: str = DEFAULT_SORT
    page: int = 1

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> QueueFilter:
        """Read filters from a query string, dropping values that make no sense."""

        def clean(name: str, limit: int = 100) -> str:
            return query_text(args, name, limit)

        status = clean("status")
        if status not in workflow.STATUSES and status != "open":
            status = ""
        priority = clean("priority")
        if priority not in PRIORITIES:
            priority = ""
        assignee = clean("assignee")
        if assignee not in ("", "me", "none") and not assignee.isdigit():
            assignee = ""
        sort = clean("sort")
        if sort not in SORTS:
            sort = DEFAULT_SORT
        try:
            page = max(1, min(int(args.get("page", 1)), 100_000))
        except (TypeError, ValueError):
            page = 1
        return cls(
            status=status,
            plugin=clean("plugin", 50),
            service=clean("service", 80),
            priority=priority,
            assignee=assignee,
            team=clean("team"),
            q=clean("q", 100),
            sort=sort,
            page=page,
        )

    def query_string(self, **changes: Any) -> str:
        """This filter's URL query with ``changes`` applied, omitting defaults."""
        values = asdict(replace(self, **changes))
        defaults = asdict(QueueFilter())
        return urlencode({k: v for k, v in values.items() if v != defaults[k]})


@dataclass(frozen=True)
class QueuePage:
    tickets: list[Ticket]
    # None when not counted: a free-text search would have to scan the table twice.
    total: int | None
    total_is_capped: bool
    page: int
    pages: int | None
    has_next: bool


def _filtered(f: QueueFilter, user_id: int | None) -> peewee.ModelSelect:
    query = Ticket.select()
    if f.status == "open":
        query = query.where(Ticket.status.in_(sorted(workflow.OPEN_STATUSES)))
    elif f.status:
        query = query.where(Ticket.status == f.status)
    if f.plugin:
        query = query.where(Ticket.plugin == f.plugin)
    if f.service:
        query = query.where(Ticket.service == f.service)
    if f.priority:
        query = query.where(Ticket.priority == f.priority)
    if f.assignee == "me":
        query = query.where(Ticket.assignee == user_id)
    elif f.assignee == "none":
        query = query.where(Ticket.assignee.is_null())
    elif f.assignee:
        query = query.where(Ticket.assignee == int(f.assignee))
    if f.team:
        query = query.where(Ticket.team == f.team)
    if f.q:
        query = _text_search(query, f.q)
    return query


def filtered_tickets(f: QueueFilter, user_id: int | None) -> peewee.ModelSelect:
    """The tickets ``f`` selects, unordered and unpaged: the API pages them by key."""
    return _filtered(f, user_id)


def _text_search(query: peewee.ModelSelect, text: str) -> peewee.ModelSelect:
    """A ticket number is looked up exactly (indexed); other text matches number, title
    and customer name through the search table."""
    if NUMBER_PATTERN.match(text):
        prefix, year, serial = text.upper().split("-")
        return query.where(Ticket.number == f"{prefix}-{year}-{int(serial):06d}")
    return query.where(ticket_text_filter(text))


def ticket_queue(f: QueueFilter, user_id: int | None, page_size: int) -> QueuePage:
    """One page of the queue, with the customer and assignee loaded in the same query.

    Filtered lists are counted (up to COUNT_LIMIT, over an index); a free-text search is
    not, so that it scans the table once: its pages only say whether another follows.
    """
    base = _filtered(f, user_id)
    total: int | None = None
    pages: int | None = None
    page = f.page
    counted = 0
    if not f.q or NUMBER_PATTERN.match(f.q):
        counted = base.select(Ticket.id).limit(COUNT_LIMIT + 1).count()
        total = min(counted, COUNT_LIMIT)
        pages = max(1, math.ceil(total / page_size))
        page = min(f.page, pages)
    rows = _ordered(base, f.sort, (page - 1) * page_size, page_size + 1)
    return QueuePage(
        tickets=rows[:page_size],
        total=total,
        total_is_capped=counted > COUNT_LIMIT,
        page=page,
        pages=pages,
        has_next=len(rows) > page_size,
    )


# Each sort but "due" as (column, ascending): the export pages through it by key.
_SORT_KEYS: dict[str, tuple[Any, bool]] = {
    "-created": (Ticket.created_at, False),
    "created": (Ticket.created_at, True),
    "-updated": (Ticket.updated_at, False),
    "-reported": (Ticket.reported_at, False),
    "number": (Ticket.number, True),
}


def queue_batches(
    f: QueueFilter, user_id: int | None, fields: Sequence[Any], size: int
) -> Iterator[list[dict[str, Any]]]:
    """The whole filtered queue in the queue's order, ``size`` rows at a time, as dicts of
    ``fields`` (columns of ticket, customer, user — the assignee — and ticket_deadline,
    the nearest deadline): plain dicts are many times cheaper than four joined models.

    Each batch starts after the previous one's last sort key (and id), so reading 100k
    rows costs the same per batch; the "due" sort, in two parts, pages by offset.
    """
    base = _filtered(f, user_id)
    if f.sort not in _SORT_KEYS:
        offset = 0
        while True:
            rows = _ordered(base, f.sort, offset, size, fields)
            yield rows
            if len(rows) < size:
                return
            offset += size
    column, ascending = _SORT_KEYS[f.sort]
    key = column.alias("_sort_key")
    after: tuple[Any, int] | None = None
    while True:
        query = _with_related(base, fields=(*fields, key, Ticket.id.alias("_sort_id")))
        if after is not None:
            if ascending:
                query = query.where(
                    (column > after[0]) | ((column == after[0]) & (Ticket.id > after[1]))
                )
            else:
                query = query.where(
                    (column < after[0]) | ((column == after[0]) & (Ticket.id < after[1]))
                )
        order = (column.asc(), Ticket.id.asc()) if ascending else (column.desc(), Ticket.id.desc())
        rows = list(query.order_by(*order).limit(size).dicts())
        yield rows
        if len(rows) < size:
            return
        after = (rows[-1]["_sort_key"], rows[-1]["_sort_id"])


def _ordered(
    base: peewee.ModelSelect, sort: str, offset: int, limit: int, fields: Sequence[Any] = ()
) -> list[Any]:
    if sort == "due":
        return _by_nearest_deadline(base, offset, limit, fields)
    query = _with_related(base, fields=fields).order_by(*SORTS[sort]).offset(offset)
    return list(query.limit(limit).dicts() if fields else query.limit(limit))


def _with_related(
    query: peewee.ModelSelect,
    deadline_join: Any = peewee.JOIN.LEFT_OUTER,
    fields: Sequence[Any] = (),
) -> Any:
    return (
        query.select(*(fields or (Ticket, Customer, User, TicketDeadline)))
        .join_from(Ticket, Customer)
        .join_from(Ticket, User, peewee.JOIN.LEFT_OUTER)
        .join_from(Ticket, TicketDeadline, deadline_join, attr="next_deadline")
    )


def _by_nearest_deadline(
    base: peewee.ModelSelect, offset: int, limit: int, fields: Sequence[Any] = ()
) -> list[Any]:
    """Tickets with an open deadline, nearest first, then those without one.

    Two queries instead of one NULLS LAST sort: the first walks the deadline index and
    stops after ``limit`` rows; a single outer-joined sort would order every ticket.
    """
    with_deadline = _with_related(base, peewee.JOIN.INNER, fields)
    first = with_deadline.order_by(TicketDeadline.due_at, Ticket.id).offset(offset).limit(limit)
    rows = list(first.dicts() if fields else first)
    if len(rows) == limit:
        return rows
    # Past the tickets with deadlines: continue with the others, oldest number first.
    skipped = offset - min(offset, with_deadline.select(Ticket.id).limit(offset + 1).count())
    without = (
        _with_related(base, fields=fields)
        .where(TicketDeadline.ticket.is_null())
        .order_by(Ticket.id)
        .offset(max(0, skipped))
        .limit(limit - len(rows))
    )
    return rows + list(without.dicts() if fields else without)
