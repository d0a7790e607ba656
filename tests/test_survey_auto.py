"""Automatic survey mails: a due callback of an opted-in customer is mailed its link once,
and the answer's moves are the system user ``@survey``'s."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re

import pytest

from server.catalog import current_registry
from server.complaints.models import Complaint
from server.config import ConfigError
from server.customer_mail.auto_surveys import (
    SURVEY_USERNAME,
    _mail_one,
    due_for_mail,
    mail_due_surveys,
    survey_user,
)
from server.customer_mail.models import SurveyLink
from server.followup.models import Callback
from server.followup.record import CallbackAnswer, record_callback
from server.jobs import run_sweep
from server.merit.awarding import award_points
from server.merit.models import MeritEntry
from server.models import Customer, Ticket, TicketEvent, User, utcnow
from server.notifications import OutgoingMail
from server.plugin_api import hookimpl
from tests.conftest import ensure_user, logged_in
from tests.plugins.sample_plugin import SamplePlugin
from tests.survey_kit import callback_of, resolved_repair

# Eight days ago: the callback is due (3 working days) and the link it is mailed (valid
# 14 days from the round) still answers today.
RESOLVED_AT = (utcnow() - dt.timedelta(days=8)).replace(minute=0, second=0, microsecond=0)
PUBLIC = {"public_url": "https://service.example.com"}
ON = {"email_surveys": True}
GOOD = {"satisfaction": "5", "q_speed": "4", "q_tidy": "yes"}
UNHAPPY = {"satisfaction": "2", "q_speed": "1", "q_tidy": "no", "comment": "还是坏的"}


class ActorWatcher(SamplePlugin):
    """The sample plugin, noting the actor its transition hooks receive."""

    def __init__(self) -> None:
        super().__init__()
        self.actors: list[tuple[str, str, str]] = []

    @hookimpl
    def before_transition(self, ticket, old_status, new_status, actor):
        self.actors.append(("before", new_status, actor.username))
        return None

    @hookimpl
    def after_transition(self, ticket, old_status, new_status, actor):
        self.actors.append(("after", new_status, actor.username))


def _app(make_app, callbacks=None, **sections):
    sections.setdefault("server", PUBLIC)
    return make_app(callbacks={**ON, **(callbacks or {})}, **sections)


def _resolved(app, email="kehu@example.com", opted_in=True):
    """A sample repair resolved at RESOLVED_AT (which schedules its callback)."""
    with app.app_context():
        customer = Customer.create(name="王女士", email=email, notify_by_email=opted_in)
    return resolved_repair(app, customer, RESOLVED_AT)


def _callback(app, ticket):
    return callback_of(app, ticket)


def _sweep(app, ticket, after=dt.timedelta(minutes=1)):
    """Run the survey mail round just after the ticket's callback came due."""
    callback = _callback(app, ticket)
    with app.app_context():
        return mail_due_surveys(current_registry(), callback.due_at + after)


def _counts(app):
    with app.app_context():
        return SurveyLink.select().count(), OutgoingMail.select().count()


def _token(app):
    with app.app_context():
        body = OutgoingMail.select().order_by(OutgoingMail.id.desc()).get().body
    match = re.search(r"/survey/(\S+)", body)
    assert match, body
    return match.group(1)


def _answer(app, data):
    return app.test_client().form(f"/survey/{_token(app)}", data)


def _mails_before(app):
    """Mails already in the outbox (the customer's own notifications, e.g. resolved)."""
    return _counts(app)[1]


def test_a_due_callback_of_an_opted_in_customer_is_mailed_its_link(make_app):
    app = _app(make_app)
    ticket = _resolved(app)
    before = _mails_before(app)
    assert _sweep(app, ticket) == 1
    with app.app_context():
        link = SurveyLink.get()
        mail = OutgoingMail.select().order_by(OutgoingMail.id.desc()).get()
        callback = Callback.get_by_id(link.callback_id)
        assert link.sent_by_id == survey_user().id and link.sent_to == "kehu@example.com"
        assert callback.survey_mailed_at is not None and callback.status == "pending"
        assert callback.next_try_at is None  # no grace configured: phone as before
    assert _counts(app) == (1, before + 1)
    assert mail.to == "kehu@example.com" and ticket.number in mail.subject
    assert "https://service.example.com/survey/" in mail.body


def test_a_callback_not_yet_due_is_not_mailed(make_app):
    app = _app(make_app)
    ticket = _resolved(app)
    before = _mails_before(app)
    assert _sweep(app, ticket, after=-dt.timedelta(minutes=1)) == 0
    assert _counts(app) == (0, before)


@pytest.mark.parametrize(
    ("email", "opted_in", "callbacks"),
    [
        ("", True, {}),  # no address
        ("kehu@example.com", False, {}),  # did not opt in to mail
        ("kehu@example.com", True, {"email_surveys": False}),  # the feature is off
    ],
)
def test_no_address_no_consent_or_switched_off_mails_nothing(make_app, email, opted_in, callbacks):
    app = _app(make_app, callbacks)
    ticket = _resolved(app, email=email, opted_in=opted_in)
    before = _mails_before(app)
    assert _sweep(app, ticket, after=dt.timedelta(days=30)) == 0
    assert _counts(app) == (0, before)
    assert _callback(app, ticket).survey_mailed_at is None


def test_two_rounds_mail_once(make_app):
    app = _app(make_app)
    ticket = _resolved(app)
    before = _mails_before(app)
    assert _sweep(app, ticket) == 1
    assert _sweep(app, ticket, after=dt.timedelta(hours=5)) == 0
    assert _counts(app) == (1, before + 1)


def test_two_workers_that_saw_the_same_callback_mail_it_once(make_app):
    app = _app(make_app)
    ticket = _resolved(app)
    before = _mails_before(app)
    now = _callback(app, ticket).due_at + dt.timedelta(minutes=1)
    with app.app_context():
        registry = current_registry()
        [seen_by_a] = due_for_mail(now)
        [seen_by_b] = due_for_mail(now)  # both read it before either claimed it
        assert _mail_one(registry, seen_by_a, survey_user(), now) == 1
        assert _mail_one(registry, seen_by_b, survey_user(), now) == 0
    assert _counts(app) == (1, before + 1)


def test_a_callback_answered_by_phone_first_is_not_mailed(make_app):
    app = _app(make_app)
    ticket = _resolved(app)
    desk = ensure_user(app, "desk", "dispatcher")
    with app.app_context():
        callback = Callback.get(Callback.ticket == ticket.id)
        fresh = Ticket.get_by_id(ticket.id)
        answer = CallbackAnswer(reached=True, satisfaction=5)
        record_callback(current_registry(), callback, fresh.version, answer, desk, RESOLVED_AT)
    before = _mails_before(app)
    assert _sweep(app, ticket) == 0
    assert _counts(app) == (0, before)


def test_a_link_staff_sent_already_is_not_followed_by_an_automatic_one(make_app):
    app = _app(make_app)
    ticket = _resolved(app)
    client = logged_in(app, "desk", "dispatcher")
    response = client.form(f"/callbacks/{_callback(app, ticket).id}/survey-link")
    assert response.status_code in (302, 303)
    before = _counts(app)
    assert _callback(app, ticket).survey_mailed_at is not None
    assert _sweep(app, ticket) == 0
    assert _counts(app) == before


def test_a_satisfied_answer_closes_the_ticket_as_the_survey_user(make_app):
    watcher = ActorWatcher()
    app = _app(make_app, extra_plugins=[("sample", watcher)])
    ticket = _resolved(app)
    _sweep(app, ticket)
    watcher.actors.clear()
    assert _answer(app, GOOD).status_code == 200
    with app.app_context():
        callback = Callback.get(Callback.ticket == ticket.id)
        bot = survey_user()
        [closing] = [
            e
            for e in TicketEvent.select().where(
                (TicketEvent.ticket == ticket.id) & (TicketEvent.kind == "status")
            )
            if e.data.get("new") == "closed"
        ]
        assert (callback.status, callback.channel, callback.agent_id) == (
            "done",
            "email_link",
            bot.id,
        )
        assert closing.actor_id == bot.id
        assert Ticket.get_by_id(ticket.id).status == "closed"
    assert watcher.actors == [
        ("before", "closed", SURVEY_USERNAME),
        ("after", "closed", SURVEY_USERNAME),
    ]


def test_an_unhappy_answer_reopens_the_ticket_as_the_survey_user(make_app):
    watcher = ActorWatcher()
    app = _app(make_app, extra_plugins=[("sample", watcher)])
    ticket = _resolved(app)
    _sweep(app, ticket)
    watcher.actors.clear()
    _answer(app, UNHAPPY)
    with app.app_context():
        assert Ticket.get_by_id(ticket.id).status == "in_progress"
    assert ("before", "in_progress", SURVEY_USERNAME) in watcher.actors


def test_an_unhappy_answer_by_rule_opens_a_complaint_owned_by_the_survey_user(make_app):
    app = _app(make_app, {"unsatisfied": "complaint"})
    ticket = _resolved(app)
    _sweep(app, ticket)
    _answer(app, UNHAPPY)
    with app.app_context():
        complaint = Complaint.get(Complaint.ticket == ticket.id)
        assert complaint.owner_id == survey_user().id and complaint.channel == "web"
        assert Ticket.get_by_id(ticket.id).status == "closed"


def test_the_timeline_names_the_automatic_survey_in_both_languages(make_app):
    app = _app(make_app)
    ticket = _resolved(app)
    _sweep(app, ticket)
    _answer(app, GOOD)
    client = logged_in(app, "desk", "dispatcher")
    english = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    chinese = client.get(
        f"/tickets/{ticket.number}", headers={"Accept-Language": "zh-CN"}
    ).get_data(as_text=True)
    assert "Automatic survey" in english and "自动回访" in chinese


def test_the_survey_user_earns_no_merit_points(make_app):
    rules = [
        {"name": "closer", "event": "status", "who": "actor", "level": "commendation"},
    ]
    app = _app(make_app, merit={"rules": rules})
    ticket = _resolved(app)
    _sweep(app, ticket)
    _answer(app, GOOD)
    with app.app_context():
        result = award_points(app.extensions["aftersales"].config.merit)
        earners = {e.user.username for e in MeritEntry.select()}
    assert "tech" in earners and SURVEY_USERNAME not in earners
    assert result.nobody == 1  # the close by @survey matched, and nobody was awarded


def test_the_survey_user_cannot_sign_in(make_app):
    app = _app(make_app)
    with app.app_context():
        user = User.get(User.username == SURVEY_USERNAME)
        assert user.is_system and not user.active
    page = app.test_client().get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    response = app.test_client().post(
        "/login",
        data={"username": SURVEY_USERNAME, "password": "!", "csrf_token": csrf.group(1)},
    )
    assert response.status_code != 302


def test_grace_hours_hold_the_phone_call_back_and_the_queue_says_so(make_app):
    app = _app(make_app, {"email_survey_grace_hours": 24})
    ticket = _resolved(app)
    _sweep(app, ticket)
    callback = _callback(app, ticket)
    assert callback.next_try_at == callback.survey_mailed_at + dt.timedelta(hours=24)
    html = logged_in(app, "desk", "dispatcher").get("/callbacks").get_data(as_text=True)
    assert "survey mailed" in html and "waiting for the mailed survey" in html
    zh = (
        logged_in(app, "desk", "dispatcher")
        .get("/callbacks", headers={"Accept-Language": "zh-CN"})
        .get_data(as_text=True)
    )
    assert "已邮寄问卷" in zh


def test_the_periodic_round_delivers_the_mail_to_a_real_smtp_server(make_app, smtp):
    controller, inbox = smtp
    app = _app(
        make_app,
        mail={"enabled": True, "host": "127.0.0.1", "port": controller.port},
    )
    ticket = _resolved(app)  # resolved a week ago: due by the time the round runs
    run_sweep(app)
    survey = [raw for rcpt, raw in inbox.messages if b"/survey/" in raw]
    assert len(survey) == 1
    message = email.message_from_bytes(survey[0], policy=email.policy.default)
    assert message["To"] == "kehu@example.com" and ticket.number in message["Subject"]
    assert "https://service.example.com/survey/" in message.get_content()
    run_sweep(app)
    assert len([raw for rcpt, raw in inbox.messages if b"/survey/" in raw]) == 1


@pytest.mark.parametrize(
    ("callbacks", "key"),
    [
        ({"email_surveys": "yes"}, "callbacks.email_surveys"),
        ({"email_survey_grace_hours": -1}, "callbacks.email_survey_grace_hours"),
        ({"email_survey_grace_hours": "24"}, "callbacks.email_survey_grace_hours"),
        ({"email_survey_grace_hours": 24 * 8}, "callbacks.email_survey_grace_hours"),
        ({"email_survey_grace_hours": True}, "callbacks.email_survey_grace_hours"),
    ],
)
def test_bad_survey_mail_settings_stop_start_up_naming_the_key(make_app, callbacks, key):
    with pytest.raises(ConfigError) as caught:
        make_app(callbacks=callbacks)
    assert caught.value.key == key
    assert "\n" not in str(caught.value)


def test_survey_mail_needs_a_public_url(make_app):
    with pytest.raises(ConfigError) as caught:
        make_app(callbacks=ON)
    assert caught.value.key == "callbacks.email_surveys"
    assert "public_url" in caught.value.problem


def test_a_round_that_fails_midway_leaves_nothing_and_the_next_mails_once(make_app, monkeypatch):
    import server.customer_mail.survey_links as survey_links

    app = _app(make_app)
    ticket = _resolved(app)
    before = _mails_before(app)

    def crash(*args, **kwargs):
        raise RuntimeError("the worker died while writing the mail")

    monkeypatch.setattr(survey_links, "queue_mail", crash)
    assert _sweep(app, ticket) == 0
    assert _counts(app) == (0, before)  # the claim rolled back with the link
    assert _callback(app, ticket).survey_mailed_at is None
    monkeypatch.undo()
    assert _sweep(app, ticket) == 1
    assert _sweep(app, ticket) == 0
    assert _counts(app) == (1, before + 1)


def test_the_callback_page_says_the_link_was_sent_automatically(make_app):
    app = _app(make_app)
    ticket = _resolved(app)
    _sweep(app, ticket)
    client = logged_in(app, "desk", "dispatcher")
    html = client.get(f"/callbacks/{_callback(app, ticket).id}").get_data(as_text=True)
    assert "(automatically)" in html and "kehu@example.com" in html


def test_migration_24_marks_the_callbacks_staff_already_mailed(make_app):
    from playhouse.migrate import SchemaMigrator, migrate

    from server.db import database
    from server.migrations import MigrationHistory
    from server.schema import init_db

    app = _app(make_app)
    mailed, untouched = _resolved(app), _resolved(app, email="li@example.com")
    client = logged_in(app, "desk", "dispatcher")
    client.form(f"/callbacks/{_callback(app, mailed).id}/survey-link")
    with app.app_context():
        sent_at = SurveyLink.get().created_at
        # the database as it was before migration 25
        migrate(SchemaMigrator.from_database(database).drop_column("callback", "survey_mailed_at"))
        User.delete().where(User.username == SURVEY_USERNAME).execute()
        MigrationHistory.delete().where(
            (MigrationHistory.component == "core") & (MigrationHistory.number == 25)
        ).execute()
        assert init_db(app) == ["core 0025 add automatic survey mails: their claim and system user"]
        assert survey_user().is_system
    assert _callback(app, mailed).survey_mailed_at == sent_at
    assert _callback(app, untouched).survey_mailed_at is None
