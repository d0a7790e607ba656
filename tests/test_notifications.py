"""Escalation steps tell people: in-app notifications and mail through a real SMTP server."""

from __future__ import annotations

import datetime as dt

import pytest

from server.mail import deliver_pending
from server.models import Customer, Ticket, User
from server.notifications import Notification, OutgoingMail
from server.sla.sweep import sweep
from server.tickets import NewTicket, assign_ticket, create_ticket
from tests.conftest import ensure_user, free_port

T0 = dt.datetime(2026, 11, 2, 9, 0)
HOUR = dt.timedelta(hours=1)
LADDER = {
    "policies": {
        "plain": {
            "resolution": {
                "minutes": {"normal": 240},
                "escalation": [
                    {"percent": 50, "notify": "assignee"},
                    {"percent": 100, "notify": "supervisor"},
                    {"percent": 150, "notify": "admin"},
                ],
            }
        }
    },
    "rules": [{"policy": "plain"}],
}


@pytest.fixture
def app(make_app, smtp):
    controller, _inbox = smtp
    return make_app(
        sla=LADDER,
        mail={
            "enabled": True,
            "host": "127.0.0.1",
            "port": controller.port,
            "sender": "sla@firm.example",
        },
    )


@pytest.fixture
def people(app):
    staff = {role: ensure_user(app, role, role) for role in ("dispatcher", "supervisor", "admin")}
    staff["tech"] = ensure_user(app, "tech", "technician")
    with app.app_context():
        for user in staff.values():
            User.update(email=f"{user.username}@firm.example").where(User.id == user.id).execute()
    return staff


@pytest.fixture
def ticket(app, people):
    registry = app.extensions["aftersales"].registry
    with app.app_context():
        customer = Customer.create(name="客户")
        new = NewTicket(
            industry="sample",
            service=registry.service("sample", "consult"),
            customer=customer,
            title="空调不制冷",
            reported_at=T0,
        )
        ticket = create_ticket(registry, new, people["dispatcher"], 2026, now=T0)
        return assign_ticket(
            registry, ticket, ticket.version, people["tech"], "", people["dispatcher"], now=T0
        )


def test_each_step_notifies_its_people_in_the_app(app, ticket, people):
    with app.app_context():
        sweep(app.extensions["aftersales"].registry, T0 + 7 * HOUR)
        told = sorted((n.user.username, n.ticket_id) for n in Notification.select())
    assert told == [("admin", ticket.id), ("supervisor", ticket.id), ("tech", ticket.id)]


def test_mail_arrives_at_the_smtp_server(app, ticket, people, smtp):
    _controller, inbox = smtp
    with app.app_context():
        sweep(app.extensions["aftersales"].registry, T0 + 3 * HOUR)
        sent, failed = deliver_pending(app.extensions["aftersales"].config.mail)
        assert (sent, failed) == (1, 0)
        assert OutgoingMail.get().sent_at is not None
    [(recipients, raw)] = inbox.messages
    content = raw.decode("utf-8", "replace")
    assert recipients == ["tech@firm.example"]
    assert f"Subject: [{ticket.number}] resolution: 50% of the SLA target used" in content
    assert "From: sla@firm.example" in content


def test_a_mail_is_sent_once(app, ticket, people, smtp):
    _controller, inbox = smtp
    config = app.extensions["aftersales"].config.mail
    with app.app_context():
        sweep(app.extensions["aftersales"].registry, T0 + 3 * HOUR)
        deliver_pending(config)
        sweep(app.extensions["aftersales"].registry, T0 + 3 * HOUR)
        assert deliver_pending(config) == (0, 0)
    assert len(inbox.messages) == 1


def test_an_unreachable_server_keeps_the_mail_for_later(make_app):
    app = make_app(sla=LADDER, mail={"enabled": True, "host": "127.0.0.1", "port": free_port()})
    with app.app_context():
        OutgoingMail.create(to="x@firm.example", subject="s", body="b")
        assert deliver_pending(app.extensions["aftersales"].config.mail) == (0, 1)
        mail = OutgoingMail.get()
    assert mail.sent_at is None and mail.attempts == 1 and mail.last_error


def test_users_see_their_notifications_and_the_unread_count(app, ticket, people):
    with app.app_context():
        sweep(app.extensions["aftersales"].registry, T0 + 3 * HOUR)
    client = app.test_client()
    client.login("tech")
    assert "Notifications (1)" in client.get("/tickets").get_data(as_text=True)
    assert "通知 (1)" in client.get("/tickets", headers={"Accept-Language": "zh-CN"}).get_data(
        as_text=True
    )
    page = client.get("/notifications").get_data(as_text=True)
    assert ticket.number in page and "50%" in page
    assert client.form("/notifications/read").status_code == 303
    with app.app_context():
        assert not Notification.select().where(Notification.read_at.is_null()).exists()


def test_nobody_sees_someone_elses_notifications(app, ticket, people):
    with app.app_context():
        sweep(app.extensions["aftersales"].registry, T0 + 3 * HOUR)
    client = app.test_client()
    client.login("dispatcher")
    assert ticket.number not in client.get("/notifications").get_data(as_text=True)


def test_an_unassigned_ticket_tells_nobody_at_the_assignee_step(app, people):
    registry = app.extensions["aftersales"].registry
    with app.app_context():
        customer = Customer.create(name="c")
        create_ticket(
            registry,
            NewTicket(
                industry="sample",
                service=registry.service("sample", "consult"),
                customer=customer,
                title="t",
                reported_at=T0,
            ),
            people["dispatcher"],
            2026,
            now=T0,
        )
        result = sweep(registry, T0 + 3 * HOUR)
        assert [e.percent for e in result.escalations] == [50]
        assert Notification.select().count() == 0
        assert Ticket.select().count() == 1
