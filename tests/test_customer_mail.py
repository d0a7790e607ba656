"""Customer notifications: opt-in mail on received, appointment set/changed and resolved,
in the customer's language, a plugin's own templates, written with the change itself and
delivered by the outbox to a real local SMTP server."""

from __future__ import annotations

import datetime as dt
import email
import email.header
import email.policy

import pytest

from server.catalog import current_registry
from server.config import ConfigError
from server.customer_mail.mails import render_mail, template_names
from server.db import database
from server.dispatch.appointments import set_appointment
from server.mail import deliver_pending
from server.models import Customer, Ticket
from server.notifications import OutgoingMail
from server.tickets import NewTicket, assign_ticket, create_ticket, transition_ticket
from tests.conftest import build_app, ensure_user, logged_in

NOW = dt.datetime(2026, 11, 23, 1, 0)  # Monday 09:00 in Shanghai
# Tuesday 24 November 2026, 09:00–11:00 in Shanghai (naive UTC)
WINDOW = (dt.datetime(2026, 11, 24, 1, 0), dt.datetime(2026, 11, 24, 3, 0))
LATER = (dt.datetime(2026, 11, 25, 6, 0), dt.datetime(2026, 11, 25, 8, 0))


def _customer(app, **fields):
    fields = {"name": "王女士", "email": "wang@example.com", "notify_by_email": True, **fields}
    with app.app_context():
        return Customer.create(**fields)


def _ticket(app, customer, industry="sample", service="consult"):
    actor = ensure_user(app, "dispatcher", "dispatcher")
    with app.app_context():
        registry = current_registry()
        new = NewTicket(
            industry=industry,
            service=registry.service(industry, service),
            customer=customer,
            title="空调不制冷",
            description="internal: the dispatcher thinks the customer broke it",
        )
        return create_ticket(registry, new, actor, 2026, now=NOW)


def _work(app, ticket):
    """Assign, agree a window, move it, resolve: the rest of a ticket's life."""
    actor = ensure_user(app, "dispatcher", "dispatcher")
    tech = ensure_user(app, "tech", "technician")
    with app.app_context():
        registry = current_registry()
        ticket = assign_ticket(registry, ticket, ticket.version, tech, "", actor, now=NOW)
        set_appointment(registry, ticket, *WINDOW, actor, now=NOW)
        set_appointment(registry, ticket, *LATER, actor, "customer at work", now=NOW)
        ticket = Ticket.get_by_id(ticket.id)
        ticket = transition_ticket(registry, ticket, ticket.version, "in_progress", tech, now=NOW)
        return transition_ticket(registry, ticket, ticket.version, "resolved", tech, now=NOW)


def _mails(app):
    with app.app_context():
        return list(OutgoingMail.select().order_by(OutgoingMail.id))


def test_an_opted_out_customer_gets_nothing(app):
    customer = _customer(app, notify_by_email=False)
    _work(app, _ticket(app, customer))
    assert _mails(app) == []


def test_a_customer_without_an_address_gets_nothing(app):
    customer = _customer(app, email="")
    _work(app, _ticket(app, customer))
    assert _mails(app) == []


def test_an_opted_in_customer_gets_each_event_once(app):
    ticket = _ticket(app, _customer(app))
    _work(app, ticket)
    mails = _mails(app)
    assert [m.to for m in mails] == ["wang@example.com"] * 4
    assert [m.subject for m in mails] == [
        f"[{ticket.number}] We have received your request",
        f"[{ticket.number}] Your appointment: Nov 24, 2026, 09:00 – 11:00",
        f"[{ticket.number}] Your appointment has moved: Nov 25, 2026, 14:00 – 16:00",
        f"[{ticket.number}] Your request has been resolved",
    ]


def test_mails_are_in_the_customers_language(app):
    ticket = _ticket(app, _customer(app, language="zh_CN"))
    _work(app, ticket)
    subjects = [m.subject for m in _mails(app)]
    assert subjects[0] == f"[{ticket.number}] 我们已收到您的申请"
    assert subjects[1] == f"[{ticket.number}] 您的上门预约：2026年11月24日 09:00 – 11:00"
    assert "尊敬的王女士：" in _mails(app)[0].body


def test_an_unset_language_is_the_configured_default(make_app):
    app = make_app(locale={"default": "zh_CN"})
    ticket = _ticket(app, _customer(app, language=""))
    assert _mails(app)[0].subject == f"[{ticket.number}] 我们已收到您的申请"


def test_mails_show_no_staff_names_or_internal_text(app):
    ticket = _ticket(app, _customer(app))
    _work(app, ticket)
    for mail in _mails(app):
        assert "Tech" not in mail.body and "Dispatcher" not in mail.body
        assert "internal" not in mail.body and "空调不制冷" not in mail.body


def test_the_status_page_is_linked_under_the_public_url(make_app):
    app = make_app(server={"public_url": "https://service.example.com"})
    _ticket(app, _customer(app))
    assert "https://service.example.com/status" in _mails(app)[0].body


def test_without_a_public_url_no_status_link(app):
    _ticket(app, _customer(app))
    assert "/status" not in _mails(app)[0].body


def test_a_rolled_back_change_mails_nothing(app):
    ticket = _ticket(app, _customer(app))
    tech = ensure_user(app, "tech", "technician")
    actor = ensure_user(app, "dispatcher", "dispatcher")
    before = len(_mails(app))
    with app.app_context():
        registry = current_registry()
        ticket = assign_ticket(registry, ticket, ticket.version, tech, "", actor, now=NOW)
        ticket = transition_ticket(registry, ticket, ticket.version, "in_progress", tech, now=NOW)
        with pytest.raises(RuntimeError), database.atomic():
            transition_ticket(registry, ticket, ticket.version, "resolved", tech, now=NOW)
            raise RuntimeError("a later step of the same change failed")
        assert Ticket.get_by_id(ticket.id).status == "in_progress"
    assert len(_mails(app)) == before


def test_a_refused_appointment_mails_nothing(app):
    ticket = _ticket(app, _customer(app))
    actor = ensure_user(app, "dispatcher", "dispatcher")
    before = len(_mails(app))
    with app.app_context(), pytest.raises(Exception, match="end after it starts"):
        set_appointment(current_registry(), ticket, WINDOW[1], WINDOW[0], actor, now=NOW)
    assert len(_mails(app)) == before


# --- a plugin's own templates ------------------------------------------------------


@pytest.fixture
def industries(tmp_path):
    return build_app(tmp_path, enabled=["home_appliances", "power_utility"], extra_plugins=[])


def test_a_plugin_template_comes_first():
    assert template_names("home_appliances", "received") == [
        "home_appliances/mail/customer/received.txt",
        "mail/customer/received.txt",
    ]


@pytest.mark.parametrize(
    ("language", "reminder"),
    [("en", "purchase invoice and the warranty card"), ("zh_CN", "购机发票和保修卡")],
)
def test_home_appliances_asks_for_the_invoice_when_the_window_is_set(
    industries, language, reminder
):
    app = industries
    customer = _customer(app, language=language)
    ticket = _ticket(app, customer, "home_appliances", "repair")
    actor = ensure_user(app, "dispatcher", "dispatcher")
    with app.app_context():
        set_appointment(current_registry(), ticket, *WINDOW, actor, now=NOW)
    (set_mail,) = [m for m in _mails(app) if ticket.number in m.subject][1:]
    assert reminder in set_mail.body
    assert reminder not in _mails(app)[0].body  # only the appointment mail has it


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_power_utility_points_to_the_95598_hotline_on_receipt(industries, language):
    app = industries
    ticket = _ticket(app, _customer(app, language=language), "power_utility", "fault_repair")
    [mail] = _mails(app)
    assert "95598" in mail.body and ticket.number in mail.subject


def test_other_plugins_use_the_core_template(industries):
    app = industries
    _ticket(app, _customer(app), "home_appliances", "repair")
    assert "95598" not in _mails(app)[0].body


def test_the_core_template_has_no_plugin_text(app):
    ticket = _ticket(app, _customer(app))
    with app.app_context():
        _lang, _subject, body = render_mail(current_registry(), "received", ticket)
    assert "95598" not in body and "invoice" not in body


# --- the customer form ---------------------------------------------------------------


def test_the_customer_form_saves_the_opt_in_and_language(app):
    client = logged_in(app, "desk", "dispatcher")
    response = client.form(
        "/customers/new",
        {
            "name": "李先生",
            "kind": "person",
            "email": "li@example.com",
            "tier": "normal",
            "notify_by_email": "y",
            "language": "zh_CN",
        },
    )
    assert response.status_code in (302, 303), response.get_data(as_text=True)
    with app.app_context():
        customer = Customer.get(Customer.name == "李先生")
    assert customer.notify_by_email and customer.language == "zh_CN"


def test_opting_in_without_an_address_is_an_error_next_to_the_box(app):
    client = logged_in(app, "desk", "dispatcher")
    data = {"name": "李先生", "kind": "person", "tier": "normal", "notify_by_email": "y"}
    response = client.form("/customers/new", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="notify_by_email-error"' in html and "李先生" in html
    with app.app_context():
        assert Customer.select().count() == 0


def test_editing_keeps_the_choice_shown(app):
    customer = _customer(app, language="en")
    client = logged_in(app, "desk", "dispatcher")
    html = client.get(f"/customers/{customer.id}/edit").get_data(as_text=True)
    box = next(tag for tag in html.split("<input") if 'name="notify_by_email"' in tag)
    assert "checked" in box.split(">")[0]
    assert '<option selected value="en">' in html


# --- delivery to a real SMTP server ----------------------------------------------------


def test_a_chinese_mail_arrives_with_an_encoded_subject(make_app, smtp):
    controller, inbox = smtp
    app = make_app(
        mail={
            "enabled": True,
            "host": "127.0.0.1",
            "port": controller.port,
            "sender": "service@firm.example",
        },
        print={"firm_name": "好帮手家电服务"},
    )
    ticket = _ticket(app, _customer(app, language="zh_CN"))
    with app.app_context():
        assert deliver_pending(app.extensions["aftersales"].config.mail) == (1, 0)
        assert OutgoingMail.get().sent_at is not None
    [(recipients, raw)] = inbox.messages
    assert recipients == ["wang@example.com"]
    raw_subject = next(
        line for line in raw.decode("ascii").splitlines() if line.startswith("Subject:")
    )
    assert "=?utf-8?" in raw_subject.lower()  # RFC 2047: the header itself stays ASCII
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Subject"] == f"[{ticket.number}] 我们已收到您的申请"
    assert message["To"] == "wang@example.com"
    assert message["From"] == "service@firm.example"
    body = message.get_content()
    assert ticket.number in body and "好帮手家电服务" in body and "尊敬的王女士：" in body


def test_an_opted_out_customer_receives_nothing_from_the_server(make_app, smtp):
    controller, inbox = smtp
    app = make_app(mail={"enabled": True, "host": "127.0.0.1", "port": controller.port})
    _ticket(app, _customer(app, notify_by_email=False))
    with app.app_context():
        assert deliver_pending(app.extensions["aftersales"].config.mail) == (0, 0)
    assert inbox.messages == []


# --- configuration ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("section", "values", "key"),
    [
        ("server", {"public_url": "service.example.com"}, "server.public_url"),
        ("server", {"public_url": "ftp://service.example.com"}, "server.public_url"),
        ("server", {"public_url": "https://x.example/?a=1"}, "server.public_url"),
        ("server", {"public_url": 7}, "server.public_url"),
        ("callbacks", {"survey_link_days": 0}, "callbacks.survey_link_days"),
        ("callbacks", {"survey_link_days": 91}, "callbacks.survey_link_days"),
        ("callbacks", {"survey_link_days": "14"}, "callbacks.survey_link_days"),
        ("rate_limits", {"survey": "lots"}, "rate_limits.survey"),
    ],
)
def test_a_bad_value_is_a_one_line_config_error(tmp_path, section, values, key):
    with pytest.raises(ConfigError) as caught:
        build_app(tmp_path, **{section: values})
    assert caught.value.key == key and "\n" not in str(caught.value)
