"""?format=csv|xlsx on the dispatcher board's lists, the calendar, outlets and technicians."""

from __future__ import annotations

import csv
import datetime as dt
import io

from server.dispatch.appointments import set_appointment
from server.models import utcnow
from server.sla.models import TicketDeadline
from server.tickets import assign_ticket
from tests.test_dispatch_board import crew, registry_of, ticket_in
from tests.test_tabular import xlsx_rows

ZH = {"Accept-Language": "zh-CN"}  # the headers asserted below are the Chinese ones


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_the_board_exports_the_unassigned_list_with_its_filters(app, login_as):
    tickets = [ticket_in(app, title=f"t{n}") for n in range(3)]
    client = login_as("dispatcher")
    page = client.get("/dispatch?region=朝阳").get_data(as_text=True)
    assert "/dispatch?region=%E6%9C%9D%E9%98%B3&amp;list=unassigned&amp;format=csv" in page
    rows = _csv(client.get("/dispatch?region=朝阳&list=unassigned&format=csv", headers=ZH))
    assert rows[0][:3] == ["工单号", "标题", "客户"]
    assert sorted(row[0] for row in rows[1:]) == sorted(t.number for t in tickets)
    assert _csv(client.get("/dispatch?region=海淀&format=csv"))[1:] == []
    assert client.get("/dispatch?list=nope&format=csv").status_code == 400


def test_the_board_exports_at_risk_and_technician_loads(app, login_as):
    _north, _south, people = crew(app)
    close = ticket_in(app, title="close")
    actor = people["a"]
    with app.app_context():
        assign_ticket(registry_of(app), close, close.version, people["a"], "北区", actor)
        TicketDeadline.update(due_at=utcnow() + dt.timedelta(minutes=30)).where(
            TicketDeadline.ticket == close.id
        ).execute()
    client = login_as("dispatcher")
    risky = _csv(client.get("/dispatch?list=at_risk&format=csv"))
    assert [row[0] for row in risky[1:]] == [close.number]
    assert risky[1][7] == "A"  # the assignee's display name
    loads = xlsx_rows(client.get("/dispatch?list=technicians&format=xlsx", headers=ZH).get_data())
    assert loads[0] == ("技师", "登录名", "网点", "未完成工单")
    assert {row[1]: row[3] for row in loads[1:]} == {"a": 1, "b": 0, "c": 0}


def test_the_calendar_exports_its_windows(app, login_as):
    _north, _south, people = crew(app)
    ticket = ticket_in(app, title="上门")
    registry = registry_of(app)
    day = (utcnow() + dt.timedelta(days=2)).date()
    start = dt.datetime.combine(day, dt.time(2))
    with app.app_context():
        ticket = assign_ticket(registry, ticket, ticket.version, people["a"], "", people["a"])
        set_appointment(registry, ticket, start, start + dt.timedelta(hours=2), people["a"])
    client = login_as("dispatcher")
    query = f"/calendar?view=week&date={day.isoformat()}"
    assert "format=csv" in client.get(query).get_data(as_text=True)
    rows = _csv(client.get(query + "&format=csv", headers=ZH))
    assert rows[0][:4] == ["技师", "开始", "结束", "工单号"]
    assert [(row[0], row[3], row[4], row[8]) for row in rows[1:]] == [
        ("A", ticket.number, "上门", "no")
    ]


def test_outlets_and_technicians_export(app, login_as):
    crew(app)
    client = login_as("supervisor")
    assert "format=xlsx" in client.get("/admin/outlets").get_data(as_text=True)
    outlets = _csv(client.get("/admin/outlets?format=csv"))
    assert outlets[1:] == [
        ["北区", "own", "朝阳", "", "", "A", "2", "yes"],
        ["南区", "own", "海淀", "", "", "B", "1", "yes"],
    ]
    assert "format=csv" in client.get("/admin/technicians").get_data(as_text=True)
    technicians = xlsx_rows(client.get("/admin/technicians?format=xlsx").get_data())
    assert technicians[1:] == [
        ("A", "a", "北区", "sample:*", "朝阳", True),
        ("B", "b", "北区", "sample:*", "朝阳", True),
        ("C", "c", "南区", "sample:*", "海淀", True),
    ]
    assert login_as("dispatcher", "d").get("/admin/outlets?format=csv").status_code == 403


def test_the_users_list_exports_without_passwords(app, login_as):
    client = login_as("admin")
    assert "format=csv" in client.get("/admin/users").get_data(as_text=True)
    rows = _csv(client.get("/admin/users?format=csv", headers=ZH))
    assert rows[0] == ["登录名", "姓名", "角色", "班组", "邮箱", "启用"]
    assert [row[0] for row in rows[1:]] == ["admin"]
    assert "scrypt" not in client.get("/admin/users?format=csv").get_data(as_text=True)
