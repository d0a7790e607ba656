"""Callback surveys by signed link: sent from the callback page, answered once by the
customer without logging in, recorded as the callback's result like a phone callback."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from itsdangerous import URLSafeTimedSerializer

from server.catalog import current_registry
from server.complaints.models import Complaint
from server.customer_mail.models import SurveyLink
from server.customer_mail.survey_links import SALT, token_for
from server.followup.models import Callback
from server.followup.record import CallbackAnswer, record_callback
from server.models import Customer, Ticket, TicketEvent, User
from server.notifications import OutgoingMail
from tests.conftest import logged_in
from tests.survey_kit import callback_of, resolved_repair

RESOLVED_AT = dt.datetime(2026, 6, 1, 2, 0)
GOOD = {"satisfaction": "5", "q_speed": "4", "q_tidy": "yes", "comment": "很好"}
UNHAPPY = {"satisfaction": "2", "q_speed": "1", "q_tidy": "no", "comment": "还是坏的"}


def _resolved(app, email="kehu@example.com", language=""):
    """A sample repair of a customer with ``email``, assigned to a technician and resolved
    (which schedules its callback)."""
    with app.app_context():
        customer = Customer.create(name="王女士", email=email, language=language)
    return resolved_repair(
        app, customer, RESOLVED_AT, description="internal: customer was rude to the dispatcher"
    )


def _callback(app, ticket):
    return callback_of(app, ticket)


def _send(app, ticket):
    """Send the survey link from the callback page as a dispatcher; returns the token."""
    client = logged_in(app, "desk", "dispatcher")
    callback = _callback(app, ticket)
    response = client.form(f"/callbacks/{callback.id}/survey-link")
    assert response.status_code in (302, 303), response.get_data(as_text=True)
    with app.app_context():
        mail = OutgoingMail.select().order_by(OutgoingMail.id.desc()).get()
    match = re.search(r"/survey/(\S+)", mail.body)
    assert match, mail.body
    return match.group(1)


def _answer(app, token, data):
    client = app.test_client()  # nobody logged in
    return client.form(f"/survey/{token}", data)


@pytest.fixture
def ticket(app):
    return _resolved(app)


def test_sending_mails_the_customer_a_link(app, ticket):
    _send(app, ticket)
    with app.app_context():
        mail = OutgoingMail.get(OutgoingMail.to == "kehu@example.com")
        link = SurveyLink.get()
    assert ticket.number in mail.subject
    assert "http://localhost/survey/" in mail.body
    assert link.sent_to == "kehu@example.com"
    assert link.expires_at == link.created_at + dt.timedelta(days=14)


def test_sending_reads_the_customer_once(app, ticket, monkeypatch):
    from server.customer_mail.survey_links import send_survey_link
    from server.db import database

    with app.app_context():
        callback = _callback(app, ticket)
        sender = User.get(User.username == "dispatcher")
        db = database.obj
        reads = []
        original = db.execute_sql

        def recording(sql, params=None, *args, **kwargs):
            if sql.lstrip().upper().startswith("SELECT") and 'FROM "customer"' in sql:
                reads.append(sql)
            return original(sql, params, *args, **kwargs)

        monkeypatch.setattr(db, "execute_sql", recording)
        send_survey_link(current_registry(), callback, sender, RESOLVED_AT)
        monkeypatch.undo()
        assert len(reads) == 1
        assert OutgoingMail.select().count() == 1


def test_the_link_is_under_the_configured_public_url(make_app):
    app = make_app(server={"public_url": "https://service.example.com/"})
    _send(app, _resolved(app))
    with app.app_context():
        body = OutgoingMail.select().order_by(OutgoingMail.id.desc()).get().body
    assert "https://service.example.com/survey/" in body


def test_the_survey_page_needs_no_login_and_shows_the_questions(app, ticket):
    page = app.test_client().get(f"/survey/{_send(app, ticket)}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert ticket.number in html and 'name="q_speed"' in html and 'name="satisfaction"' in html


def test_the_survey_page_shows_no_staff_or_internal_data(app, ticket):
    html = app.test_client().get(f"/survey/{_send(app, ticket)}").get_data(as_text=True)
    assert "Tech" not in html and "Desk" not in html  # staff display names
    assert "rude" not in html  # the ticket's description
    assert "/tickets" not in html and "/callbacks" not in html  # no staff links


def test_an_answer_lands_in_the_callback_record(app, ticket):
    token = _send(app, ticket)
    response = _answer(app, token, GOOD)
    assert response.status_code == 200
    assert "Thank you" in response.get_data(as_text=True)
    with app.app_context():
        callback = Callback.get(Callback.ticket == ticket.id)
        event = TicketEvent.get(
            (TicketEvent.ticket == ticket.id) & (TicketEvent.kind == "callback")
        )
        desk = User.get(User.username == "desk")
        assert (callback.status, callback.satisfaction, callback.outcome) == (
            "done",
            5,
            "satisfied",
        )
        assert callback.answers == {"speed": 4, "tidy": True}
        assert callback.channel == "email_link" and callback.agent_id == desk.id
        assert event.data["channel"] == "email_link"
        assert Ticket.get_by_id(ticket.id).status == "closed"


def test_an_emailed_answer_is_recorded_as_the_same_phone_answer_is(make_app, tmp_path):
    by_link = make_app()
    ticket = _resolved(by_link)
    _answer(by_link, _send(by_link, ticket), UNHAPPY)
    by_phone = make_app()  # the same database: a second ticket, called back by phone
    other = _resolved(by_phone, email="li@example.com")
    answer = CallbackAnswer(
        reached=True, satisfaction=2, answers={"speed": 1, "tidy": False}, comment="还是坏的"
    )
    with by_phone.app_context():
        callback = Callback.get(Callback.ticket == other.id)
        fresh = Ticket.get_by_id(other.id)
        desk = User.get(User.username == "desk")
        record_callback(current_registry(), callback, fresh.version, answer, desk, RESOLVED_AT)
        rows = [Callback.get(Callback.ticket == t.id) for t in (ticket, other)]
        statuses = [Ticket.get_by_id(t.id).status for t in (ticket, other)]
    keep = ("status", "reached", "satisfaction", "score", "answers", "comment", "outcome", "action")
    assert [getattr(rows[0], k) for k in keep] == [getattr(rows[1], k) for k in keep]
    assert statuses == ["in_progress", "in_progress"]  # unsatisfied: reopened, both ways


def test_an_unsatisfied_answer_opens_a_web_complaint_by_rule(make_app):
    app = make_app(callbacks={"unsatisfied": "complaint"})
    ticket = _resolved(app)
    _answer(app, _send(app, ticket), UNHAPPY)
    with app.app_context():
        complaint = Complaint.get(Complaint.ticket == ticket.id)
    assert complaint.channel == "web" and complaint.source == "callback"


def test_a_used_link_answers_410(app, ticket):
    token = _send(app, ticket)
    _answer(app, token, GOOD)
    again = _answer(app, token, UNHAPPY)
    assert again.status_code == 410
    assert "Already answered" in again.get_data(as_text=True)
    with app.app_context():
        assert Callback.get(Callback.ticket == ticket.id).satisfaction == 5


def test_opening_a_used_link_answers_410(app, ticket):
    token = _send(app, ticket)
    _answer(app, token, GOOD)
    assert app.test_client().get(f"/survey/{token}").status_code == 410


def test_an_expired_link_answers_410_and_records_nothing(app, ticket):
    token = _send(app, ticket)
    with app.app_context():
        past = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(seconds=1)
        SurveyLink.update(expires_at=past).execute()
    response = _answer(app, token, GOOD)
    assert response.status_code == 410
    assert "expired" in response.get_data(as_text=True)
    with app.app_context():
        assert Callback.get(Callback.ticket == ticket.id).status == "pending"


def test_the_link_lasts_the_configured_days(make_app):
    app = make_app(callbacks={"survey_link_days": 3})
    _send(app, _resolved(app))
    with app.app_context():
        link = SurveyLink.get()
    assert link.expires_at - link.created_at == dt.timedelta(days=3)


def test_a_newer_link_revokes_the_older_one(app, ticket):
    first = _send(app, ticket)
    second = _send(app, ticket)
    assert _answer(app, first, GOOD).status_code == 410
    assert _answer(app, second, GOOD).status_code == 200


def test_a_callback_made_by_phone_meanwhile_makes_the_link_410(app, ticket):
    token = _send(app, ticket)
    with app.app_context():
        callback = Callback.get(Callback.ticket == ticket.id)
        fresh = Ticket.get_by_id(ticket.id)
        desk = User.get(User.username == "desk")
        answer = CallbackAnswer(reached=True, satisfaction=4)
        record_callback(current_registry(), callback, fresh.version, answer, desk, RESOLVED_AT)
    assert _answer(app, token, GOOD).status_code == 410


def _tampered(token: str) -> str:
    """The token with one character of its signature changed. Not the last one: the last
    base64 character may carry unused bits, so changing it can leave the bytes as they
    were (the test then failed now and then)."""
    at = len(token) - 5
    return token[:at] + ("A" if token[at] != "A" else "B") + token[at + 1 :]


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_token_is_404(app, ticket, method):
    token = _send(app, ticket)
    client = app.test_client()
    if method == "get":
        response = client.get(f"/survey/{_tampered(token)}")
    else:
        response = client.form(f"/survey/{_tampered(token)}", GOOD)
    assert response.status_code == 404
    assert ticket.number not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda app, nonce: token_for(nonce, "another secret"), id="wrong-secret"),
        pytest.param(
            lambda app, nonce: URLSafeTimedSerializer(app.secret_key, salt="other").dumps(nonce),
            id="wrong-salt",
        ),
        pytest.param(
            lambda app, nonce: URLSafeTimedSerializer(app.secret_key).dumps(nonce), id="no-salt"
        ),
        pytest.param(lambda app, nonce: nonce, id="bare-nonce"),
    ],
)
def test_a_token_not_signed_for_survey_links_is_404(app, ticket, forge):
    _send(app, ticket)
    with app.app_context():
        nonce = SurveyLink.get().nonce
    response = _answer(app, forge(app, nonce), GOOD)
    assert response.status_code == 404
    with app.app_context():
        assert Callback.get(Callback.ticket == ticket.id).status == "pending"


def test_a_well_signed_unknown_nonce_is_404(app, ticket):
    with app.test_request_context():
        token = token_for("no-such-link")
    assert app.test_client().get(f"/survey/{token}").status_code == 404


def test_the_salt_is_the_survey_links_own(app):
    assert SALT == "aftersales.survey-link"
    with app.test_request_context():
        assert token_for("n") != URLSafeTimedSerializer(app.secret_key).dumps("n")


def test_a_missing_satisfaction_is_an_error_next_to_the_field_and_keeps_the_link(app, ticket):
    token = _send(app, ticket)
    response = _answer(app, token, {**GOOD, "satisfaction": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="satisfaction-error"' in html
    assert "很好" in html  # what the customer wrote is kept
    assert _answer(app, token, GOOD).status_code == 200


def test_an_out_of_range_answer_is_refused(app, ticket):
    token = _send(app, ticket)
    response = _answer(app, token, {**GOOD, "q_speed": "9"})
    assert response.status_code == 422
    assert 'id="q_speed-error"' in response.get_data(as_text=True)


def test_the_survey_form_needs_its_csrf_token(app, ticket):
    token = _send(app, ticket)
    response = app.test_client().post(f"/survey/{token}", data=GOOD)
    assert response.status_code == 400
    with app.app_context():
        assert Callback.get(Callback.ticket == ticket.id).status == "pending"


def test_the_page_speaks_the_customers_language(app):
    ticket = _resolved(app, language="zh_CN")
    html = app.test_client().get(f"/survey/{_send(app, ticket)}").get_data(as_text=True)
    assert "满意" in html and 'lang="zh' in html


def test_no_email_address_no_link(app):
    ticket = _resolved(app, email="")
    client = logged_in(app, "desk", "dispatcher")
    response = client.form(f"/callbacks/{_callback(app, ticket).id}/survey-link")
    assert response.status_code == 422
    assert "no email address" in response.get_data(as_text=True)
    with app.app_context():
        assert SurveyLink.select().count() == 0 and OutgoingMail.select().count() == 0


def test_the_callback_page_shows_the_links_state(app, ticket):
    token = _send(app, ticket)
    client = logged_in(app, "desk", "dispatcher")
    callback = _callback(app, ticket)
    assert "not answered yet" in client.get(f"/callbacks/{callback.id}").get_data(as_text=True)
    _answer(app, token, GOOD)
    assert "answered" in client.get(f"/callbacks/{callback.id}").get_data(as_text=True)


def test_sending_needs_a_login(app, ticket):
    callback = _callback(app, ticket)
    client = app.test_client()
    response = client.form(f"/callbacks/{callback.id}/survey-link")
    assert response.status_code in (302, 303, 401)
    with app.app_context():
        assert SurveyLink.select().count() == 0


def test_a_technician_may_not_send_survey_links(app, ticket):
    client = logged_in(app, "tech", "technician")
    response = client.form(f"/callbacks/{_callback(app, ticket).id}/survey-link")
    assert response.status_code == 403


def test_survey_pages_are_rate_limited_per_address(make_app):
    app = make_app(rate_limits={"enabled": True, "survey": "2/minute"})
    client = app.test_client()
    codes = [client.get("/survey/whatever").status_code for _ in range(3)]
    assert codes == [404, 404, 429]


def test_the_timeline_says_the_answer_came_by_email(app, ticket):
    _answer(app, _send(app, ticket), GOOD)
    client = logged_in(app, "desk", "dispatcher")
    html = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "recorded the customer's answer to the emailed survey" in html
