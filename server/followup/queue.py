"""The callback queue's rows: filters (plugin, due, status), next due first, pages."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import peewee

from server.followup.models import CALLBACK_STATUSES, Callback
from server.models import Customer, Ticket, User

DUE_FILTERS = ("all", "today", "overdue")
STATUS_FILTERS = ("pending", "unreachable", "done", "cancelled", "all")

# When the callback should be made next: the retry time after a missed call, else due.
NEXT_DUE = peewee.fn.COALESCE(Callback.next_try_at, Callback.due_at)


@dataclass(frozen=True)
class CallbackFilter:
    """The queue's filters as they come from the query string (bad values → defaults)."""

    plugin: str = ""
    due: str = "all"
    status: str = "pending"
    page: int = 1

    @classmethod
    def from_args(cls, args: Any, plugins: list[str]) -> CallbackFilter:
        plugin = args.get("plugin", "")
        due = args.get("due", "all")
        status = args.get("status", "pending")
        try:
            page = max(1, min(int(args.get("page", "1")), 100_000))
        except ValueError:
            page = 1
        return cls(
            plugin=plugin if plugin in plugins else "",
            due=due if due in DUE_FILTERS else "all",
            status=status if status in STATUS_FILTERS else "pending",
            page=page,
        )

    def query_args(self) -> dict[str, str]:
        """The non-default filters, for links that keep them."""
        args = {"plugin": self.plugin, "due": self.due, "status": self.status}
        defaults = {"plugin": "", "due": "all", "status": "pending"}
        return {k: v for k, v in args.items() if v != defaults[k]}


@dataclass(frozen=True)
class CallbackPage:
    rows: list[Callback]
    page: int
    pages: int
    total: int


def callback_query(f: CallbackFilter, now: dt.datetime, end_of_today: dt.datetime) -> Any:
    """Callbacks with their ticket, customer and agent, next due first.

    ``now`` and ``end_of_today`` (the end of the local day) are naive UTC; the due
    filters look at the next due time (``today``: due by the end of today, overdue
    included; ``overdue``: already past).
    """
    query = (
        Callback.select(Callback, Ticket, Customer, User)
        .join(Ticket, on=(Callback.ticket == Ticket.id))
        .join(Customer, on=(Ticket.customer == Customer.id))
        .switch(Callback)
        .join(User, peewee.JOIN.LEFT_OUTER, on=(Callback.agent == User.id))
    )
    if f.status in CALLBACK_STATUSES:
        query = query.where(Callback.status == f.status)
    if f.plugin:
        query = query.where(Ticket.plugin == f.plugin)
    if f.due == "today":
        query = query.where(end_of_today >= NEXT_DUE)
    elif f.due == "overdue":
        query = query.where(now > NEXT_DUE)
    return query.order_by(NEXT_DUE, Callback.id)


def callback_page(
    f: CallbackFilter, now: dt.datetime, end_of_today: dt.datetime, page_size: int
) -> CallbackPage:
    """One page of the queue, with the page count."""
    query = callback_query(f, now, end_of_today)
    total = query.count()
    pages = max(1, math.ceil(total / page_size))
    page = min(f.page, pages)
    rows = list(query.offset((page - 1) * page_size).limit(page_size))
    return CallbackPage(rows=rows, page=page, pages=pages, total=total)
