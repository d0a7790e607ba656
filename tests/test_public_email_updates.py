""" "Email me updates" on the public request form: a new customer is saved opted in, in
the page's language, and gets the "received" mail with the ticket; a matched customer is
never changed (the wish goes on the staff timeline); the box needs an email."""

from __future__ import annotations

import re

import pytest

from server.models import Customer, Ticket, TicketEvent
from server.notifications import OutgoingMail
from server.testing import ensure_user
from tests.conftest import build_app

PLUGINS = ("home_appliances",)
REPAIR = "/request/home_appliances/repair"
EMAIL = "li.wei@example.com"
GOOD = {
    "name": "Li Wei",
    "phone": "138 0013 8000",
    "email": EMAIL,
    "f_repair_location": "on_site",
    "f_appliance_category": "refrigerator",
    "f_fault_description": "Does not cool any more",
    "f_fault_kind": "performance",
}
CHINESE = {"Accept-Language": "zh-CN"}
RECEIVED_SUBJECT = {"en": "We have received your request", "zh_CN": "已收到您的申请"}


@pytest.fixture
def app(tmp_path):
    return build_app(tmp_path, PLUGINS, public={"enabled": True})


def mails(app) -> list[OutgoingMail]:
    with app.app_context():
        return list(OutgoingMail.select().order_by(OutgoingMail.id))


def test_the_box_is_offered_unticked_and_says_which_mails(app):
    page = app.test_client().get(REPAIR).get_data(as_text=True)
    assert 'type="checkbox"' in page and 'name="email_updates"' in page
    assert "checked" not in page
    assert "when it is received" in page and "resolved" in page
    chinese = app.test_client().get(REPAIR, headers=CHINESE).get_data(as_text=True)
    assert "用邮件通知我" in chinese


@pytest.mark.parametrize(("headers", "language"), [({}, "en"), (CHINESE, "zh_CN")])
def test_a_new_customer_who_ticks_it_is_opted_in_and_mailed_in_the_page_language(
    app, headers, language
):
    response = app.test_client().form(REPAIR, {**GOOD, "email_updates": "y"}, headers=headers)
    assert response.status_code == 303
    with app.app_context():
        (customer,) = Customer.select()
        assert customer.notify_by_email is True and customer.language == language
        (ticket,) = Ticket.select()
    (mail,) = mails(app)
    assert mail.to == EMAIL
    assert ticket.number in mail.subject and RECEIVED_SUBJECT[language] in mail.subject


def test_a_new_customer_who_does_not_tick_it_gets_no_mail(app):
    response = app.test_client().form(REPAIR, GOOD, headers=CHINESE)
    assert response.status_code == 303
    with app.app_context():
        (customer,) = Customer.select()
        # not opted in; the page's language is kept for mails sent anyway (survey links)
        assert customer.notify_by_email is False and customer.language == "zh_CN"
    assert mails(app) == []


@pytest.mark.parametrize("headers", [{}, CHINESE])
def test_ticked_without_an_email_is_an_error_by_the_email_field(app, headers):
    client = app.test_client()
    response = client.form(REPAIR, {**GOOD, "email": "", "email_updates": "y"}, headers=headers)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    error = page.split('id="email-error"', 1)[1].split("</p>", 1)[0]
    expected = "请填写电子邮箱" if headers else "Enter your email address"
    assert expected in error
    assert 'value="Li Wei"' in page
    box = re.search(r'<input[^>]*name="email_updates"[^>]*>', page)
    assert box and "checked" in box.group(0)  # the tick is kept too
    with app.app_context():
        assert Customer.select().count() == 0 and Ticket.select().count() == 0
    assert mails(app) == []


def test_a_matched_customer_is_not_switched_on_the_wish_goes_to_the_timeline(app):
    with app.app_context():
        known = Customer.create(name="Li Wei", phone="13800138000", email=EMAIL)
    client = app.test_client()
    response = client.form(REPAIR, {**GOOD, "email_updates": "y"}, headers=CHINESE)
    assert response.status_code == 303
    with app.app_context():
        kept = Customer.get_by_id(known.id)
        assert kept.notify_by_email is False and kept.language == ""
        (ticket,) = Ticket.select()
        note = TicketEvent.get(
            (TicketEvent.ticket == ticket.id) & (TicketEvent.kind == "web_contact")
        )
        assert note.data == {"email_updates": True, "language": "zh_CN"}
    assert mails(app) == []
    ensure_user(app, "disp", "dispatcher")
    staff = app.test_client()
    staff.login("disp")
    page = staff.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "asked for email updates on this request, in <b>Chinese</b>" in page
    assert "contact details differ" not in page  # nothing else differed


def test_a_matched_customer_who_opted_in_still_gets_the_received_mail(app):
    with app.app_context():
        known = Customer.create(
            name="Li Wei", phone="13800138000", email=EMAIL, notify_by_email=True, language="en"
        )
    # ticked or not: nothing changes for them, and no note asks staff for anything
    for ticked in ({"email_updates": "y"}, {}):
        response = app.test_client().form(REPAIR, {**GOOD, **ticked}, headers=CHINESE)
        assert response.status_code == 303
    with app.app_context():
        assert Customer.get_by_id(known.id).language == "en"
        assert TicketEvent.select().where(TicketEvent.kind == "web_contact").count() == 0
    sent = mails(app)
    assert len(sent) == 2
    assert all(RECEIVED_SUBJECT["en"] in mail.subject for mail in sent)


def test_a_matched_customer_with_other_details_gets_one_note_with_both(app):
    with app.app_context():
        Customer.create(name="Li Wei", phone="13800138000", email="", address="Old")
    client = app.test_client()
    response = client.form(REPAIR, {**GOOD, "address": "New", "email_updates": "y"})
    assert response.status_code == 303
    with app.app_context():
        note = TicketEvent.get(TicketEvent.kind == "web_contact")
        assert note.data == {
            "email": EMAIL,
            "address": "New",
            "email_updates": True,
            "language": "en",
        }
    assert mails(app) == []
