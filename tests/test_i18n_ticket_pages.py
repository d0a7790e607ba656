"""The ticket-side pages speak Chinese to a Chinese browser and English to an English one.

One app for the module: all five industry plugins, demo data (tickets with appointments,
callbacks and a story of events each) and the staff; every page must render (200) in both
languages, show its translated wording and none of the English source on a Chinese page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask

from server import testing
from server.complaints.ledger import open_complaint
from server.complaints.models import Complaint
from server.demo import create_demo_data
from server.dispatch.appointments import Appointment
from server.followup.models import Callback
from server.models import Customer, Ticket, User
from server.timeutil import to_local

ALL_PLUGINS = ["home_appliances", "tobacco_retail", "insurance", "power_utility", "it_outsourcing"]
STAFF = {"admin": "admin", "boss": "supervisor", "tech1": "technician", "tech2": "technician"}
CHINESE = {"Accept-Language": "zh-CN,zh;q=0.9"}
ENGLISH = {"Accept-Language": "en-US,en;q=0.9"}


@dataclass
class World:
    app: Flask
    customer_id: int
    booked: str  # a ticket with an appointment
    booked_tech: str  # its technician's username
    booked_day: dt.date  # the appointment's local day
    called: str  # a ticket with a callback
    callback_id: int
    complaint: str
    clients: dict[str, Any] = field(default_factory=dict)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    app = testing.build_app(tmp_path_factory.mktemp("i18n"), enabled=ALL_PLUGINS)
    for username, role in STAFF.items():
        testing.ensure_user(app, username, role)
    with app.app_context():
        create_demo_data(app, 3, 2026)
        appointment = (
            Appointment.select()
            .join(Ticket)
            .where(Ticket.assignee.is_null(False))
            .order_by(Appointment.id)
            .first()
        )
        assert appointment is not None, "the demo data books appointments"
        callback = Callback.select().order_by(Callback.id).first()
        assert callback is not None, "the demo data makes callbacks"
        ticket = appointment.ticket
        complaint = open_complaint(
            channel="phone",
            category="attitude",
            description="师傅态度差",
            owner=User.get(User.username == "admin"),
            ticket=ticket,
            customer=ticket.customer,
        )
        found = World(
            app=app,
            customer_id=ticket.customer_id,
            booked=ticket.number,
            booked_tech=ticket.assignee.username,
            booked_day=to_local(appointment.starts_at).date(),
            called=callback.ticket.number,
            callback_id=callback.id,
            complaint=Complaint.get_by_id(complaint.id).number,
        )
    # outside the app context: each request must get its own (and its own language)
    yield found


def _client(world: World, username: str = "admin") -> Any:
    """A logged-in client per user (logging in hashes a password: once is enough)."""
    if username not in world.clients:
        client = world.clients[username] = world.app.test_client()
        client.login(username)
    return world.clients[username]


def _page(world: World, path: str, headers: dict[str, str], username: str = "admin") -> str:
    response = _client(world, username).get(path, headers=headers)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def _pages(world: World) -> dict[str, tuple[str, str]]:
    """Page name → (path, user) for every page under test."""
    return {
        "queue": ("/tickets", "admin"),
        "new ticket": (f"/tickets/new?customer={world.customer_id}", "admin"),
        "ticket with appointment": (f"/tickets/{world.booked}", "admin"),
        "ticket with callback": (f"/tickets/{world.called}", "admin"),
        "dispatch": ("/dispatch", "admin"),
        "my jobs": (f"/my/jobs?date={world.booked_day.isoformat()}", world.booked_tech),
        "calendar day": (f"/calendar?date={world.booked_day.isoformat()}", "admin"),
        "calendar week": (f"/calendar?view=week&date={world.booked_day.isoformat()}", "admin"),
        "callbacks": ("/callbacks?status=all", "admin"),
        "callback": (f"/callbacks/{world.callback_id}", "admin"),
        "complaints": ("/complaints", "admin"),
        "complaint": (f"/complaints/{world.complaint}", "admin"),
        "customers": ("/customers", "admin"),
        "customer": (f"/customers/{world.customer_id}", "admin"),
        "new customer": ("/customers/new", "admin"),
        "edit customer": (f"/customers/{world.customer_id}/edit", "admin"),
        "notifications": ("/notifications", "admin"),
    }


# page → (Chinese wording that must show, English source that must not)
CHINESE_WORDING: dict[str, tuple[list[str], list[str]]] = {
    "queue": (
        ["<h1>工单</h1>", 'placeholder="编号、标题或客户"', ">筛选</button>", "张工单", "导出："],
        ["<h1>Tickets</h1>", "Number, title or customer", ">Filter</button>", "Export:"],
    ),
    "new ticket": (
        ["为 ", "<legend>报修内容</legend>", ">新建工单</button>"],
        ["New ticket for", "<legend>Request</legend>", ">Create ticket</button>"],
    ),
    "ticket with appointment": (
        [">工单信息</h2>", ">预约</h2>", ">处理记录</h2>", "创建了工单", "<dt>优先级</dt>"],
        [">Work order</h2>", ">Appointment</h2>", ">Timeline</h2>", "created the ticket"],
    ),
    "ticket with callback": (
        [">回访</h2>", "回访了客户（第 1 次）", ">服务报告</h2>"],
        [">Callback</h2>", "called the customer back", ">Service reports</h2>"],
    ),
    "dispatch": (
        ["<h1>派工</h1>", ">待指派", "任务少的优先", ">刷新</a>"],
        ["<h1>Dispatch</h1>", "Unassigned", "least loaded first", "Refresh"],
    ),
    "my jobs": (
        ["我的任务", "<h2>预约</h2>", "<h2>其他未完成任务</h2>"],
        ["My jobs", "<h2>Appointments</h2>", "Other open jobs"],
    ),
    "calendar day": (
        ["<h1>日程</h1>", ">今天</a>", "前一天", "个预约"],
        ["<h1>Calendar</h1>", ">Today</a>", "Previous day"],
    ),
    "calendar week": (
        ["<h1>日程</h1>", "所在周", "下一周"],
        ["Week of", "Next week"],
    ),
    "callbacks": (
        ["<h1>回访</h1>", "今天到期（含超时）", "条回访", '<th scope="col">尝试次数</th>'],
        ["<h1>Callbacks</h1>", "Due today (and overdue)", "Attempts"],
    ),
    "callback": (
        ["的回访</h1>", "<dt>尝试次数</dt>", "<dt>不满意时</dt>"],
        ["Callback for", "<dt>Attempts</dt>", "If unsatisfied"],
    ),
    "complaints": (
        ["<h1>投诉</h1>", ">登记投诉</a>", "条投诉", "来电"],
        ["<h1>Complaints</h1>", "Record a complaint", "Stage due"],
    ),
    "complaint": (
        ["<h1>投诉 ", "<dt>涉及人员</dt>", "负责人（首问负责）", ">移交</button>"],
        ["Staff concerned", "Owner (first-contact responsibility)", "Hand over"],
    ),
    "customers": (
        ["<h1>客户</h1>", "名称、电话或邮箱", "位客户"],
        ["<h1>Customers</h1>", "Name, phone or email"],
    ),
    "customer": (
        [">联系方式</h2>", ">工单记录</h2>", ">服务对象</h2>", ">上传附件</button>"],
        [">Contact</h2>", "Ticket history", ">Assets</h2>", "Attach file"],
    ),
    "new customer": (["<h1>新建客户</h1>", ">保存</button>"], ["New customer", ">Save</button>"]),
    "edit customer": (["<h1>编辑 "], ["<h1>Edit "]),
    "notifications": (
        ["<h1>通知</h1>", "全部标为已读"],
        ["Notifications</h1>", "Mark all as read"],
    ),
}

ENGLISH_WORDING: dict[str, list[str]] = {
    page: english for page, (_chinese, english) in CHINESE_WORDING.items()
}


@pytest.mark.parametrize("page", list(CHINESE_WORDING))
def test_the_ticket_side_pages_speak_chinese(world: World, page: str) -> None:
    path, user = _pages(world)[page]
    body = _page(world, path, CHINESE, user)
    assert '<html lang="zh-CN">' in body
    chinese, english = CHINESE_WORDING[page]
    assert [text for text in chinese if text not in body] == []
    assert [text for text in english if text in body] == []


@pytest.mark.parametrize("page", list(ENGLISH_WORDING))
def test_the_ticket_side_pages_speak_english(world: World, page: str) -> None:
    path, user = _pages(world)[page]
    body = _page(world, path, ENGLISH, user)
    assert '<html lang="en">' in body
    assert [text for text in ENGLISH_WORDING[page] if text not in body] == []


def test_the_new_ticket_customer_search_and_edit_pages_render_in_both_languages(world):
    with world.app.app_context():
        name = Customer.get_by_id(world.customer_id).name
    for headers, wording in (
        (CHINESE, "新建工单 — 是哪位客户的请求？"),
        (ENGLISH, "whose request"),
    ):
        assert wording in _page(world, f"/tickets/new?q={name[:1]}", headers)
        edit = _page(world, f"/tickets/{world.booked}/edit", headers)
        assert ("<legend>服务详情</legend>" if headers is CHINESE else "Service details") in edit
        assert "/complaints/new" in _page(world, f"/tickets/{world.booked}", headers)
        assert _page(world, "/complaints/new", headers)


def test_codes_shown_to_people_are_words_in_chinese(world: World) -> None:
    """Priorities, channels and callback states are words of the page's language."""
    with world.app.app_context():
        ticket = Ticket.get(Ticket.number == world.booked)
    detail = _page(world, f"/tickets/{world.booked}", CHINESE)
    priority = {"low": "低", "normal": "普通", "high": "高", "urgent": "紧急"}[ticket.priority]
    assert f"<dt>优先级</dt><dd>{priority}</dd>" in detail
    callbacks = _page(world, "/callbacks?status=all", CHINESE)
    assert ">待回访</option>" in callbacks and ">Pending</option>" not in callbacks
