"""The core lists' export columns and rows: the ticket queue, customers, assets.

Rows are read in batches of :data:`BATCH` (one query per batch, then dropped), so a
100k-row export never holds 100k model objects. Times are in the configured time zone.
The customer and asset columns are also what :mod:`server.imports` reads back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import peewee

from server import workflow
from server.catalog import Registry
from server.models import Asset, Customer, Ticket, User
from server.plugin_api import Column, FieldSpec, Label
from server.queue import QueueFilter, queue_batches
from server.sla.models import TicketDeadline
from server.timeutil import to_local

BATCH = 1000
ATTR_PREFIX = "attr."

TICKET_COLUMNS = (
    Column("number", Label("工单号", "Number")),
    Column("title", Label("标题", "Title")),
    Column("customer", Label("客户", "Customer")),
    Column("customer_phone", Label("客户电话", "Customer phone")),
    Column("industry", Label("行业", "Industry")),
    Column("service", Label("服务", "Service")),
    Column("priority", Label("优先级", "Priority")),
    Column("status", Label("状态", "Status")),
    Column("assignee", Label("处理人", "Assignee")),
    Column("team", Label("班组", "Team")),
    Column("next_due", Label("最近 SLA 期限", "Next SLA deadline")),
    Column("reported_at", Label("报告时间", "Reported")),
    Column("created_at", Label("创建时间", "Created")),
    Column("resolved_at", Label("解决时间", "Resolved")),
)

CUSTOMER_CORE_COLUMNS = (
    Column("id", Label("编号", "ID")),
    Column("name", Label("名称", "Name")),
    Column("kind", Label("类型", "Kind")),
    Column("phone", Label("电话", "Phone")),
    Column("email", Label("邮箱", "Email")),
    Column("address", Label("地址", "Address")),
    Column("region", Label("地区", "Region")),
    Column("tier", Label("等级", "Tier")),
)
# The customer's mail choices (server.customer_mail): yes/no, and the language's code
# (empty: the server's default). The import reads them back.
CUSTOMER_MAIL_COLUMNS = (
    Column("notify_by_email", Label("邮件通知", "Mail notifications")),
    Column("language", Label("邮件语言", "Mail language")),
)
CUSTOMER_INFO_COLUMNS = (Column("created_at", Label("创建时间", "Created")),)

ASSET_CORE_COLUMNS = (
    Column("id", Label("编号", "ID")),
    Column("customer_id", Label("客户编号", "Customer ID")),
    Column("customer_phone", Label("客户电话", "Customer phone")),
    Column("customer_name", Label("客户名称", "Customer name")),
    Column("plugin", Label("行业", "Industry")),
    Column("kind", Label("类型", "Kind")),
    Column("identifier", Label("标识", "Identifier")),
    Column("coverage_start", Label("保修开始", "Coverage from")),
    Column("coverage_end", Label("保修结束", "Coverage until")),
)
ASSET_INFO_COLUMNS = (Column("created_at", Label("创建时间", "Created")),)


def local(value: dt.datetime | None) -> dt.datetime | None:
    """A stored naive-UTC time as a naive local wall-clock time (for a spreadsheet)."""
    moment = to_local(value)
    return moment.replace(tzinfo=None) if moment else None


def attribute_column(spec: FieldSpec) -> Column:
    """A plugin field's column: ``attr.<name>``, its label tagged with the key."""
    key = ATTR_PREFIX + spec.name
    return Column(key, Label(f"{spec.label.zh} [{key}]", f"{spec.label.en} [{key}]"))


def customer_columns(registry: Registry) -> list[Column]:
    """Customer export columns: the core fields, the mail choices, each plugin customer
    field, created."""
    specs = [attribute_column(spec) for spec in registry.customer_fields]
    return [*CUSTOMER_CORE_COLUMNS, *CUSTOMER_MAIL_COLUMNS, *specs, *CUSTOMER_INFO_COLUMNS]


def asset_field_specs(registry: Registry) -> list[FieldSpec]:
    """Every asset kind's fields, one per name (the first kind's, if two share a name)."""
    specs: dict[str, FieldSpec] = {}
    for kind in registry.asset_kinds.values():
        for spec in kind.fields:
            specs.setdefault(spec.name, spec)
    return list(specs.values())


def asset_columns(registry: Registry) -> list[Column]:
    """Asset export columns (the customer by id and phone, so either can be imported),
    then each asset kind's field as ``attr.<name>``."""
    fields = [attribute_column(spec) for spec in asset_field_specs(registry)]
    return [*ASSET_CORE_COLUMNS, *fields, *ASSET_INFO_COLUMNS]


def batched(query: peewee.ModelSelect, batch: int = BATCH) -> Iterator[Any]:
    """Rows of an id-ordered query, fetched ``batch`` at a time after the last id seen."""
    model = query.model
    last = 0
    while True:
        rows = list(query.where(model.id > last).order_by(model.id).limit(batch))
        yield from rows
        if len(rows) < batch:
            return
        last = rows[-1].id


def customer_rows(query: peewee.ModelSelect, registry: Registry) -> Iterator[dict[str, Any]]:
    """Export rows of the customers ``query`` selects (oldest first)."""
    for customer in batched(query):
        row = {column.key: getattr(customer, column.key) for column in CUSTOMER_CORE_COLUMNS}
        row["notify_by_email"] = bool(customer.notify_by_email)
        row["language"] = customer.language or ""
        attributes = customer.attributes or {}
        for spec in registry.customer_fields:
            row[ATTR_PREFIX + spec.name] = attributes.get(spec.name)
        row["created_at"] = local(customer.created_at)
        yield row


def asset_rows(query: peewee.ModelSelect, registry: Registry) -> Iterator[dict[str, Any]]:
    """Export rows of the assets ``query`` selects (oldest first), with their customer
    and their kind's field values (``attr.<name>``)."""
    query = query.select(Asset, Customer).join(Customer)
    names = [spec.name for spec in asset_field_specs(registry)]
    for asset in batched(query):
        attributes = asset.attributes or {}
        yield {
            **{ATTR_PREFIX + name: attributes.get(name) for name in names},
            "id": asset.id,
            "customer_id": asset.customer.id,
            "customer_phone": asset.customer.phone,
            "customer_name": asset.customer.name,
            "plugin": asset.plugin,
            "kind": asset.kind,
            "identifier": asset.identifier,
            "coverage_start": asset.coverage_start,
            "coverage_end": asset.coverage_end,
            "created_at": local(asset.created_at),
        }


# the queue's columns an export needs, as plain values (see server.queue.queue_batches)
_TICKET_FIELDS = (
    Ticket.number,
    Ticket.title,
    Ticket.plugin,
    Ticket.service,
    Ticket.priority,
    Ticket.status,
    Ticket.team,
    Ticket.reported_at,
    Ticket.created_at,
    Ticket.resolved_at,
    Customer.name.alias("customer_name"),
    Customer.phone.alias("customer_phone"),
    User.username.alias("assignee_username"),
    User.display_name.alias("assignee_name"),
    TicketDeadline.due_at.alias("next_due"),
)


def ticket_rows(
    f: QueueFilter, user_id: int | None, registry: Registry, locale: str
) -> Iterator[dict[str, Any]]:
    """Every ticket the queue's filter matches, in the queue's order, in batches."""
    for tickets in queue_batches(f, user_id, _TICKET_FIELDS, BATCH):
        for ticket in tickets:
            yield _ticket_row(ticket, registry, locale)


def _ticket_row(ticket: dict[str, Any], registry: Registry, locale: str) -> dict[str, Any]:
    plugin, code = ticket["plugin"], ticket["service"]
    industry = registry.industries.get(plugin)
    service = registry.service(plugin, code)
    return {
        "number": ticket["number"],
        "title": ticket["title"],
        "customer": ticket["customer_name"],
        "customer_phone": ticket["customer_phone"],
        "industry": industry.label.get(locale) if industry else plugin,
        "service": service.label.get(locale) if service else code,
        "priority": ticket["priority"],
        "status": workflow.STATUSES.get(ticket["status"], ticket["status"]),
        "assignee": ticket["assignee_name"] or ticket["assignee_username"] or "",
        "team": ticket["team"],
        "next_due": local(ticket["next_due"]),
        "reported_at": local(ticket["reported_at"]),
        "created_at": local(ticket["created_at"]),
        "resolved_at": local(ticket["resolved_at"]),
    }
