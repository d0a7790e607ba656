"""Messages made in Python reach people in their language: flashes, refusals, row errors,
the login page, mails (in the recipient's language), and plugin messages given as
``Label`` (the page's language on pages, English in the JSON API)."""

from __future__ import annotations

import datetime as dt
import email
import email.header
import re
from typing import Any

import pytest
from flask import Flask

from server.mail import deliver_pending
from server.models import Customer, Ticket, User
from server.notifications import Notification
from server.plugin_api import Entitlement, Panel, Veto, hookimpl, label
from server.sla.sweep import sweep
from server.testing import PASSWORD, StaffClient, api_headers, ensure_user
from server.tickets import assign_ticket
from tests.conftest import add_ticket, build_app
from tests.plugins.sample_plugin import SamplePlugin
from tests.test_notifications import LADDER

ZH = {"Accept-Language": "zh-CN"}
EN = {"Accept-Language": "en"}


def _client(app: Flask, username: str, role: str, locale: str = "") -> StaffClient:
    """A logged-in client of a user whose own language setting is ``locale``."""
    user = ensure_user(app, username, role)
    with app.app_context():
        User.update(locale=locale).where(User.id == user.id).execute()
    client = app.test_client()
    assert client.login(username).status_code == 303
    return client


def _text(response: Any) -> str:
    return response.get_data(as_text=True)


def _new_customer(app: Flask, name: str = "李四") -> int:
    with app.app_context():
        return Customer.create(name=name, kind="person", tier="normal").id


def _ticket_form(serial: str = "AB1234") -> dict[str, str]:
    return {
        "service": "sample:repair",
        "title": "电视不开机",
        "priority": "normal",
        "channel": "phone",
        "f_serial": serial,
    }


# --- flashes after create, transition and assign ------------------------------------------


@pytest.mark.parametrize(
    ("locale", "created", "moved", "assigned"),
    [
        ("zh_CN", "工单 {n} 已新建。", "{n} 现为“处理中”。", "{n} 已指派给 Tech1。"),
        ("en", "Ticket {n} created.", "{n} is now In progress.", "{n} assigned to Tech1."),
    ],
)
def test_flashes_after_create_transition_and_assign(app, locale, created, moved, assigned):
    client = _client(app, "dispatcher", "dispatcher", locale)
    tech = ensure_user(app, "tech1", "technician")
    customer = _new_customer(app)
    response = client.form(
        f"/tickets/new?customer={customer}", _ticket_form(), follow_redirects=True
    )
    with app.app_context():
        ticket = Ticket.get()
    assert created.format(n=ticket.number) in _text(response)

    response = client.form(
        f"/tickets/{ticket.number}/assign",
        {"assignee": str(tech.id), "team": "", "version": ticket.version},
        follow_redirects=True,
    )
    assert assigned.format(n=ticket.number) in _text(response)

    with app.app_context():
        ticket = Ticket.get()
    response = client.form(
        f"/tickets/{ticket.number}/transition",
        {"to": "in_progress", "version": ticket.version},
        follow_redirects=True,
    )
    assert moved.format(n=ticket.number) in _text(response)


def test_a_workflow_refusal_in_chinese(app):
    client = _client(app, "dispatcher", "dispatcher", "zh_CN")
    ticket = add_ticket(app)
    response = client.form(
        f"/tickets/{ticket.number}/transition", {"to": "closed", "version": ticket.version}
    )
    assert response.status_code == 422
    assert "状态未变更：工单不能从“新建”变为“已关闭”。" in _text(response)


def test_the_same_refusal_in_english(app):
    client = _client(app, "dispatcher", "dispatcher", "en")
    ticket = add_ticket(app)
    response = client.form(
        f"/tickets/{ticket.number}/transition", {"to": "closed", "version": ticket.version}
    )
    assert "Not moved: a ticket cannot go from new to closed." in _text(response)


# --- imports --------------------------------------------------------------------------------


def test_an_import_row_error_in_chinese(app):
    client = _client(app, "admin", "admin", "zh_CN")
    data = "\ufeff名称,类型,电话\n张三,person,13800000001\n李四,person,13800000001\n".encode()
    response = client.form(
        "/admin/import/check",
        {"kind": "customers", "file": (__import__("io").BytesIO(data), "customers.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "电话 13800000001 与第 2 行重复。" in _text(response)


# --- logging in -------------------------------------------------------------------------------


def test_a_failed_login_says_so_in_chinese(app):
    ensure_user(app, "dispatcher", "dispatcher")
    client = app.test_client()
    page = client.get("/login", headers=ZH)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', _text(page)).group(1)
    response = client.post(
        "/login",
        data={"csrf_token": token, "username": "dispatcher", "password": "wrong-password"},
        headers=ZH,
    )
    assert response.status_code == 422
    assert "用户名或密码错误。" in _text(response)


def test_too_many_attempts_are_refused_in_chinese(make_app):
    app = make_app(rate_limits={"enabled": True, "login": "1/minute"})
    ensure_user(app, "dispatcher", "dispatcher")
    client = app.test_client()
    page = client.get("/login", headers=ZH)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', _text(page)).group(1)
    attempt = {"csrf_token": token, "username": "dispatcher", "password": "wrong-password"}
    client.post("/login", data=attempt, headers=ZH)
    response = client.post("/login", data=attempt, headers=ZH)
    assert response.status_code == 429
    assert "登录尝试次数过多。" in _text(response)


def test_the_logout_flash_follows_the_language(app):
    client = _client(app, "dispatcher", "dispatcher", "zh_CN")
    response = client.form("/logout", follow_redirects=True)
    assert "您已退出登录。" in _text(response)
    assert PASSWORD  # the login page is shown again, in the session's language


# --- mail in the recipient's language -------------------------------------------------------


def _subject(content: str) -> str:
    raw = email.message_from_string(content)["Subject"]
    return str(email.header.make_header(email.header.decode_header(raw)))


def test_a_mail_is_written_in_its_recipients_language(make_app, smtp):
    controller, inbox = smtp
    app = make_app(
        sla=LADDER,
        mail={"enabled": True, "host": "127.0.0.1", "port": controller.port, "sender": "s@x"},
    )
    t0 = dt.datetime(2026, 11, 2, 9, 0)
    registry = app.extensions["aftersales"].registry
    dispatcher = ensure_user(app, "dispatcher", "dispatcher")
    tech = ensure_user(app, "tech", "technician")
    supervisor = ensure_user(app, "supervisor", "supervisor")
    with app.app_context():
        User.update(email="tech@firm.example", locale="zh_CN").where(User.id == tech.id).execute()
        User.update(email="boss@firm.example", locale="en").where(
            User.id == supervisor.id
        ).execute()
    ticket = add_ticket(app, title="空调不制冷", reported_at=t0, now=t0)
    with app.app_context():
        assign_ticket(registry, ticket, ticket.version, tech, "", dispatcher, now=t0)
        # past 100 %: the assignee (Chinese) and the supervisor (English) are told
        sweep(registry, t0 + dt.timedelta(hours=5))
        assert deliver_pending(app.extensions["aftersales"].config.mail) == (2, 0)
        notes = {n.user.username: n.text for n in Notification.select()}
    subjects = {next(iter(to)): _subject(raw.decode()) for to, raw in inbox.messages}
    number = ticket.number
    assert subjects["tech@firm.example"] == f"[{number}] 解决：SLA 时限已用去 50%"
    assert subjects["boss@firm.example"] == f"[{number}] resolution: 100% of the SLA target used"
    assert notes["tech"].startswith(f"{number}“空调不制冷”的解决时限已用去 50%")
    assert notes["supervisor"].startswith(f"{number} “空调不制冷” has used 100% of its")


# --- plugin messages given as Label -------------------------------------------------------------


class LabelPlugin(SamplePlugin):
    """The sample plugin, its messages given as ``Label(zh, en)`` pairs."""

    @hookimpl
    def validate_ticket(self, service: Any, ticket: Any) -> Any:
        if ticket.attributes.get("serial") == "BAD0000":
            return {"serial": [label("该序列号已列入黑名单", "This serial number is blacklisted")]}
        return None

    @hookimpl
    def before_transition(self, ticket: Any, old_status: str, new_status: str) -> Any:
        if new_status == "cancelled":
            return Veto(label("样例插件不允许取消", "the sample plugin forbids cancelling"))
        return None

    @hookimpl
    def validate_customer(self, customer: Any) -> Any:
        if customer.attributes.get("loyalty_no") == "000000":
            return {
                "loyalty_no": [label("会员号 000000 已保留", "Loyalty number 000000 is reserved")]
            }
        return None

    @hookimpl
    def entitlement(self, ticket: Any) -> Any:
        return Entitlement("in_warranty", label("保修期内", "within the warranty"), covered=True)

    @hookimpl
    def ticket_detail_panels(self, ticket: Any) -> list[Panel]:
        return [Panel(label("样例面板", "Sample panel"), ((label("序列", "Serial"), "X1"),))]


@pytest.fixture
def label_app(tmp_path) -> Flask:
    return build_app(tmp_path, extra_plugins=[("sample", LabelPlugin())])


@pytest.mark.parametrize(
    ("locale", "said"),
    [("zh_CN", "该序列号已列入黑名单"), ("en", "This serial number is blacklisted")],
)
def test_a_plugin_validation_label_in_the_page_language(label_app, locale, said):
    client = _client(label_app, "dispatcher", "dispatcher", locale)
    customer = _new_customer(label_app)
    response = client.form(f"/tickets/new?customer={customer}", _ticket_form("BAD0000"))
    assert response.status_code == 422
    assert said in _text(response)
    assert "Label(" not in _text(response)


@pytest.mark.parametrize(
    ("locale", "said"),
    [
        ("zh_CN", "状态未变更：样例插件不允许取消。"),
        ("en", "Not moved: the sample plugin forbids cancelling."),
    ],
)
def test_a_plugin_veto_label_in_the_page_language(label_app, locale, said):
    client = _client(label_app, "dispatcher", "dispatcher", locale)
    ticket = add_ticket(label_app)
    response = client.form(
        f"/tickets/{ticket.number}/transition", {"to": "cancelled", "version": ticket.version}
    )
    assert response.status_code == 422
    assert said in _text(response)


@pytest.mark.parametrize(
    ("locale", "said"), [("zh_CN", "会员号 000000 已保留"), ("en", "Loyalty number 000000")]
)
def test_a_plugin_customer_error_label_in_the_page_language(label_app, locale, said):
    client = _client(label_app, "dispatcher", "dispatcher", locale)
    response = client.form(
        "/customers/new",
        {"name": "王五", "kind": "person", "tier": "normal", "f_loyalty_no": "000000"},
    )
    assert response.status_code == 422
    assert said in _text(response)


@pytest.mark.parametrize(
    ("locale", "words"),
    [("zh_CN", ("序列", "X1", "保修期内")), ("en", ("Serial", "within the warranty"))],
)
def test_plugin_panel_rows_and_entitlement_in_the_page_language(label_app, locale, words):
    client = _client(label_app, "dispatcher", "dispatcher", locale)
    ticket = add_ticket(label_app)
    page = _text(client.get(f"/tickets/{ticket.number}"))
    for word in words:
        assert word in page
    assert "Label(" not in page


def test_the_api_speaks_english_for_plugin_labels(label_app):
    ensure_user(label_app, "dispatcher", "dispatcher")
    with label_app.app_context():
        User.update(locale="zh_CN").where(User.username == "dispatcher").execute()
    headers = {**api_headers(label_app, "dispatcher", "dispatcher"), **ZH}
    client = label_app.test_client()
    customer = _new_customer(label_app)
    body = {
        "industry": "sample",
        "service": "repair",
        "customer_id": customer,
        "title": "电视不开机",
        "attributes": {"serial": "BAD0000"},
    }
    response = client.post("/api/v1/tickets", json=body, headers=headers)
    assert response.status_code == 422
    assert "This serial number is blacklisted" in response.get_data(as_text=True)
    assert "黑名单" not in response.get_data(as_text=True)

    ticket = add_ticket(label_app)
    response = client.post(
        f"/api/v1/tickets/{ticket.id}/transitions", json={"to": "cancelled"}, headers=headers
    )
    assert response.status_code == 422
    answer = response.get_json()
    assert answer["message"] == "Not moved: the sample plugin forbids cancelling."
    assert answer["fields"]["to"] == ["the sample plugin forbids cancelling"]

    # a core refusal too stays English in the API, whatever the caller's language
    response = client.post(
        f"/api/v1/tickets/{ticket.id}/transitions", json={"to": "closed"}, headers=headers
    )
    assert "a ticket cannot go from new to closed" in response.get_json()["message"]
