"""Export columns and rows of the field-work lists: the dispatcher board's three lists, the
appointment calendar, the outlets and technicians admin lists. Times are local."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from server import workflow
from server.catalog import Registry
from server.dispatch.appointment_calendar import CalendarPage
from server.dispatch.board import BoardList, TechnicianLoad
from server.dispatch.models import Outlet
from server.list_exports import local
from server.models import User
from server.plugin_api import Column, Label

BOARD_LISTS = ("unassigned", "at_risk", "technicians")

BOARD_TICKET_COLUMNS = (
    Column("number", Label("工单号", "Number")),
    Column("title", Label("标题", "Title")),
    Column("customer", Label("客户", "Customer")),
    Column("region", Label("地区", "Region")),
    Column("service", Label("服务", "Service")),
    Column("priority", Label("优先级", "Priority")),
    Column("status", Label("状态", "Status")),
    Column("assignee", Label("处理人", "Assignee")),
    Column("metric", Label("SLA 指标", "SLA metric")),
    Column("due_at", Label("最近期限", "Nearest deadline")),
)
LOAD_COLUMNS = (
    Column("technician", Label("技师", "Technician")),
    Column("username", Label("登录名", "Login")),
    Column("outlet", Label("网点", "Outlet")),
    Column("open_tickets", Label("未完成工单", "Open tickets")),
)
CALENDAR_COLUMNS = (
    Column("technician", Label("技师", "Technician")),
    Column("starts_at", Label("开始", "Starts")),
    Column("ends_at", Label("结束", "Ends")),
    Column("number", Label("工单号", "Number")),
    Column("title", Label("标题", "Title")),
    Column("customer", Label("客户", "Customer")),
    Column("address", Label("地址", "Address")),
    Column("status", Label("状态", "Status")),
    Column("missed", Label("已错过", "Missed")),
)
OUTLET_COLUMNS = (
    Column("name", Label("名称", "Name")),
    Column("kind", Label("类型", "Kind")),
    Column("region", Label("地区", "Region")),
    Column("contact_name", Label("联系人", "Contact")),
    Column("contact_phone", Label("联系电话", "Contact phone")),
    Column("grade", Label("等级", "Grade")),
    Column("technicians", Label("技师人数", "Technicians")),
    Column("active", Label("启用", "Active")),
)
TECHNICIAN_COLUMNS = (
    Column("technician", Label("技师", "Technician")),
    Column("username", Label("登录名", "Login")),
    Column("outlet", Label("网点", "Outlet")),
    Column("skills", Label("技能", "Skills")),
    Column("regions", Label("地区", "Regions")),
    Column("active", Label("启用", "Active")),
)
_UNASSIGNED = Label("未分配", "Unassigned")


def board_rows(board_list: BoardList, registry: Registry, locale: str) -> Iterator[dict]:
    """One of the board's ticket lists (unassigned or at risk), every row of it."""
    for row in board_list.rows:
        ticket = row.ticket
        service = registry.service(ticket.plugin, ticket.service)
        yield {
            "number": ticket.number,
            "title": ticket.title,
            "customer": ticket.customer.name,
            "region": ticket.customer.region,
            "service": service.label.get(locale) if service else ticket.service,
            "priority": ticket.priority,
            "status": workflow.STATUSES.get(ticket.status, ticket.status),
            "assignee": str(ticket.assignee) if ticket.assignee_id else "",
            "metric": row.metric if row.due_at else "",
            "due_at": local(row.due_at),
        }


def load_rows(loads: Iterable[TechnicianLoad]) -> Iterator[dict[str, Any]]:
    """The board's technicians, least loaded first."""
    for load in loads:
        yield {
            "technician": str(load.user),
            "username": load.user.username,
            "outlet": load.outlet,
            "open_tickets": load.open_tickets,
        }


def calendar_rows(page: CalendarPage) -> Iterator[dict[str, Any]]:
    """Every window the calendar shows, technician by technician, day by day."""
    for row in page.rows:
        for cell in row.cells:
            for appointment, ticket in cell:
                yield {
                    "technician": str(row.user) if row.user else _UNASSIGNED,
                    "starts_at": local(appointment.starts_at),
                    "ends_at": local(appointment.ends_at),
                    "number": ticket.number,
                    "title": ticket.title,
                    "customer": ticket.customer.name,
                    "address": ticket.customer.address,
                    "status": workflow.STATUSES.get(ticket.status, ticket.status),
                    "missed": appointment.missed_at is not None,
                }


def outlet_rows(outlets: Iterable[tuple[Outlet, int]]) -> Iterator[dict[str, Any]]:
    """The outlets list with each one's number of technicians."""
    for outlet, count in outlets:
        yield {
            "name": outlet.name,
            "kind": outlet.kind,
            "region": outlet.region,
            "contact_name": outlet.contact_name,
            "contact_phone": outlet.contact_phone,
            "grade": outlet.grade,
            "technicians": count,
            "active": outlet.active,
        }


def technician_rows(
    rows: Iterable[tuple[User, Outlet | None, list[str], list[str]]],
) -> Iterator[dict[str, Any]]:
    """The technicians admin list: outlet, skills and regions."""
    for user, outlet, skills, regions in rows:
        yield {
            "technician": str(user),
            "username": user.username,
            "outlet": outlet.name if outlet else "",
            "skills": ", ".join(skills),
            "regions": ", ".join(regions),
            "active": user.active,
        }
