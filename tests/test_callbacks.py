"""Callbacks (回访): scheduled on resolve, retried, and what a satisfied or unsatisfied
customer does to the ticket; the callback queue and form pages."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from server.catalog import current_registry
from server.complaints.models import Complaint
from server.config import ConfigError
from server.followup.models import Callback
from server.followup.record import CallbackAnswer, record_callback
from server.models import Ticket, TicketEvent
from server.tickets import TransitionRefused, assign_ticket, transition_ticket
from tests.conftest import add_ticket, ensure_user

# Weekdays 09:00–12:00 and 13:00–18:00 in Shanghai; Wednesday 3 June 2026 is a holiday
# and Saturday 13 June a make-up working day.
OFFICE = {
    "timezone": "Asia/Shanghai",
    "holidays": "none",
    "weekdays": ["09:00-12:00", "13:00-18:00"],
    "extra_holidays": [dt.date(2026, 6, 3)],
    "extra_workdays": [dt.date(2026, 6, 13)],
}
# Monday 1 June 2026, 10:00 in Shanghai.
MONDAY_10 = dt.datetime(2026, 6, 1, 2, 0)


def _app(make_app, **callbacks):
    return make_app(
        sla={"calendars": {"office": OFFICE}},
        callbacks={"calendar": "office", **callbacks},
    )


def _resolved(app, service="repair", at=MONDAY_10):
    """A sample repair, assigned and resolved at ``at`` through the workflow."""
    actor = ensure_user(app, "dispatcher", "dispatcher")
    tech = ensure_user(app, "tech", "technician")
    attributes = {"serial": "AB1234"} if service == "repair" else {}
    ticket = add_ticket(app, service=service, attributes=attributes, now=at - dt.timedelta(hours=1))
    with app.app_context():
        registry = current_registry()
        ticket = assign_ticket(registry, ticket, ticket.version, tech, "", actor, now=at)
        return transition_ticket(registry, ticket, ticket.version, "resolved", tech, now=at)


def _pending(app, ticket):
    with app.app_context():
        return Callback.get((Callback.ticket == ticket.id) & (Callback.status == "pending"))


def _record(app, ticket, answer, now, agent=None):
    agent = agent or ensure_user(app, "desk", "dispatcher")
    with app.app_context():
        callback = Callback.get((Callback.ticket == ticket.id) & (Callback.status == "pending"))
        fresh = Ticket.get_by_id(ticket.id)
        return record_callback(current_registry(), callback, fresh.version, answer, agent, now)


# --- scheduling -----------------------------------------------------------------------


def test_resolving_schedules_a_callback_at_the_end_of_the_third_working_day(make_app):
    app = _app(make_app)
    ticket = _resolved(app)
    callback = _pending(app, ticket)
    # Tue 2 (1), Wed 3 is a holiday, Thu 4 (2), Fri 5 (3) → Friday 18:00 Shanghai = 10:00 UTC
    assert callback.due_at == dt.datetime(2026, 6, 5, 10, 0)
    assert callback.attempts == 0 and callback.created_at == MONDAY_10


def test_a_make_up_working_day_counts_and_a_weekend_does_not(make_app):
    app = _app(make_app, due_working_days=2)
    # Friday 12 June, 17:00 Shanghai: Sat 13 is a make-up day (1), Sun 14 off, Mon 15 (2)
    ticket = _resolved(app, at=dt.datetime(2026, 6, 12, 9, 0))
    assert _pending(app, ticket).due_at == dt.datetime(2026, 6, 15, 10, 0)


def test_a_service_without_callbacks_and_a_config_rule(make_app):
    app = _app(
        make_app,
        rules=[{"plugin": "sample", "services": ["repair"], "due_working_days": 1}],
    )
    consult = _resolved(app, service="consult")  # callback_days=0 in the sample plugin
    repair = _resolved(app)
    with app.app_context():
        assert not Callback.select().where(Callback.ticket == consult.id).exists()
    assert _pending(app, repair).due_at == dt.datetime(2026, 6, 2, 10, 0)


def test_reopening_cancels_the_callback_and_resolving_again_schedules_a_new_one(make_app):
    app = _app(make_app)
    ticket = _resolved(app)
    tech = ensure_user(app, "tech", "technician")
    later = MONDAY_10 + dt.timedelta(days=1)
    with app.app_context():
        registry = current_registry()
        ticket = transition_ticket(registry, ticket, ticket.version, "in_progress", tech, now=later)
        assert [c.status for c in Callback.select()] == ["cancelled"]
        transition_ticket(registry, ticket, ticket.version, "resolved", tech, now=later)
        statuses = [c.status for c in Callback.select().order_by(Callback.id)]
    assert statuses == ["cancelled", "pending"]
    # resolved Tuesday: Thu 4, Fri 5, Mon 8 → Monday 18:00 Shanghai
    assert _pending(app, ticket).due_at == dt.datetime(2026, 6, 8, 10, 0)


# --- not reached ----------------------------------------------------------------------


def test_not_reached_retries_by_the_schedule_then_becomes_unreachable(make_app):
    app = _app(make_app, retry_hours=[2, 24], max_attempts=3)
    ticket = _resolved(app)
    first = dt.datetime(2026, 6, 4, 2, 0)
    callback = _record(app, ticket, CallbackAnswer(reached=False), first)
    assert (callback.status, callback.attempts) == ("pending", 1)
    assert callback.next_try_at == first + dt.timedelta(hours=2)
    second = first + dt.timedelta(hours=3)
    callback = _record(app, ticket, CallbackAnswer(reached=False), second)
    assert callback.next_try_at == second + dt.timedelta(hours=24)
    third = second + dt.timedelta(days=1)
    callback = _record(app, ticket, CallbackAnswer(reached=False, comment="no answer"), third)
    assert (callback.status, callback.attempts, callback.next_try_at) == ("unreachable", 3, None)
    assert callback.done_at == third and callback.reached is False
    with app.app_context():
        # without close_when_unreachable the ticket stays for a supervisor
        assert Ticket.get_by_id(ticket.id).status == "resolved"
        events = list(TicketEvent.select().where(TicketEvent.kind == "callback"))
    assert [e.data["attempt"] for e in events] == [1, 2, 3]
    assert events[0].data["reached"] is False and events[2].data["action"] == ""


def test_an_unreachable_customer_closes_the_ticket_when_configured(make_app):
    app = _app(make_app, max_attempts=1, close_when_unreachable=True)
    ticket = _resolved(app)
    callback = _record(app, ticket, CallbackAnswer(reached=False), MONDAY_10)
    assert (callback.status, callback.action) == ("unreachable", "close")
    with app.app_context():
        assert Ticket.get_by_id(ticket.id).status == "closed"


# --- reached --------------------------------------------------------------------------


def test_a_satisfied_customer_closes_the_ticket_and_the_survey_is_scored(make_app):
    app = _app(make_app)
    ticket = _resolved(app)
    now = dt.datetime(2026, 6, 3, 3, 0)
    answer = CallbackAnswer(
        reached=True, satisfaction=5, answers={"speed": 4, "tidy": False}, comment="fine"
    )
    callback = _record(app, ticket, answer, now)
    # speed 4 → 75 points × weight 3, tidy "no" → 0 × weight 1: 225 / 4
    assert callback.score == 56.25
    assert (callback.status, callback.outcome, callback.action) == ("done", "satisfied", "close")
    assert callback.answers == {"speed": 4, "tidy": False} and callback.done_at == now
    with app.app_context():
        fresh = Ticket.get_by_id(ticket.id)
        assert fresh.status == "closed" and fresh.closed_at == now
        status = (
            TicketEvent.select()
            .where(TicketEvent.kind == "status")
            .order_by(TicketEvent.id.desc())[0]
        )
        event = TicketEvent.get(TicketEvent.kind == "callback")
    assert f"callback #{callback.id}" in status.data["note"] and status.actor.username == "desk"
    assert event.data == {
        "callback_id": callback.id,
        "attempt": 1,
        "reached": True,
        "satisfaction": 5,
        "score": 56.25,
        "outcome": "satisfied",
        "action": "close",
        "comment": "fine",
    }


def test_an_unsatisfied_customer_reopens_the_ticket(make_app):
    app = _app(make_app)
    ticket = _resolved(app)
    answer = CallbackAnswer(reached=True, satisfaction=2, comment="still noisy")
    callback = _record(app, ticket, answer, MONDAY_10 + dt.timedelta(days=1))
    assert (callback.outcome, callback.action) == ("unsatisfied_callback", "reopen")
    with app.app_context():
        fresh = Ticket.get_by_id(ticket.id)
        note = (
            TicketEvent.select()
            .where(TicketEvent.kind == "status")
            .order_by(TicketEvent.id.desc())[0]
            .data["note"]
        )
    assert fresh.status == "in_progress" and fresh.resolved_at is None
    assert "still noisy" in note and "unsatisfied at callback" in note


def test_satisfied_from_sets_the_default_outcome_and_staff_may_pick_another(make_app):
    app = _app(make_app, satisfied_from=3)
    ticket = _resolved(app)
    answer = CallbackAnswer(reached=True, satisfaction=3, outcome="first_repair_failed")
    callback = _record(app, ticket, answer, MONDAY_10)
    assert (callback.outcome, callback.action) == ("first_repair_failed", "reopen")
    other = _resolved(app)
    callback = _record(app, other, CallbackAnswer(reached=True, satisfaction=3), MONDAY_10)
    assert callback.outcome == "satisfied"


def test_an_unsatisfied_customer_opens_a_complaint_by_rule(make_app):
    app = _app(make_app, rules=[{"plugin": "sample", "unsatisfied": "complaint"}])
    ticket = _resolved(app)
    answer = CallbackAnswer(
        reached=True, satisfaction=1, outcome="attitude_complaint", comment="rude technician"
    )
    now = MONDAY_10 + dt.timedelta(days=1)
    callback = _record(app, ticket, answer, now)
    assert (callback.outcome, callback.action) == ("attitude_complaint", "complaint")
    with app.app_context():
        complaint = Complaint.get()
        fresh = Ticket.get_by_id(ticket.id)
        assert (complaint.source, complaint.callback_id) == ("callback", callback.id)
        assert complaint.ticket_id == ticket.id and complaint.category == "attitude"
        assert complaint.staff.username == "tech" and complaint.owner.username == "desk"
        assert complaint.description == "rude technician"
        # the complaint carries the case on; the ticket closes with the outcome recorded
        assert fresh.status == "closed"
        assert TicketEvent.select().where(TicketEvent.kind == "complaint").count() == 1


# --- closing by hand ------------------------------------------------------------------


def test_closing_by_hand_is_refused_without_a_satisfied_callback(make_app):
    app = _app(make_app)
    ticket = _resolved(app)
    actor = ensure_user(app, "dispatcher", "dispatcher")
    with app.app_context(), pytest.raises(TransitionRefused, match="customer is satisfied"):
        transition_ticket(current_registry(), ticket, ticket.version, "closed", actor)
    client = app.test_client()
    client.login("dispatcher")
    response = client.form(
        f"/tickets/{ticket.number}/transition", {"to": "closed", "version": ticket.version}
    )
    assert response.status_code == 422
    assert "closes only when the customer is satisfied" in response.get_data(as_text=True)
    with app.app_context():
        assert Ticket.get_by_id(ticket.id).status == "resolved"


def test_the_ticket_page_offers_no_close_button_until_the_callback_allows_it(make_app):
    closing = 'name="to" value="closed"'
    required = _app(make_app)
    ticket = _resolved(required)
    client = required.test_client()
    client.login("dispatcher")
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert closing not in page
    assert 'name="to" value="in_progress"' in page  # reopening stays on offer
    optional = _app(make_app, required=False)
    ticket = _resolved(optional)
    client = optional.test_client()
    client.login("dispatcher")
    assert closing in client.get(f"/tickets/{ticket.number}").get_data(as_text=True)


def test_closing_by_hand_is_allowed_when_not_required_or_after_unreachable(make_app):
    app = _app(make_app, required=False)
    ticket = _resolved(app)
    actor = ensure_user(app, "dispatcher", "dispatcher")
    with app.app_context():
        closed = transition_ticket(current_registry(), ticket, ticket.version, "closed", actor)
        assert closed.status == "closed"


def test_closing_by_hand_after_an_unreachable_callback_when_configured(make_app, tmp_path):
    app = _app(make_app, max_attempts=1, close_when_unreachable=True)
    ticket = _resolved(app)
    ensure_user(app, "desk", "dispatcher")
    with app.app_context():
        callback = Callback.get(Callback.ticket == ticket.id)
        Callback.update(status="unreachable").where(Callback.id == callback.id).execute()
        actor = ensure_user(app, "dispatcher", "dispatcher")
        closed = transition_ticket(current_registry(), ticket, ticket.version, "closed", actor)
        assert closed.status == "closed"


# --- the form page --------------------------------------------------------------------


def _form(ticket, **values):
    return {"version": str(ticket.version), "comment": "", "outcome": "", **values}


def test_the_form_records_a_satisfied_callback_and_redirects_to_the_ticket(make_app):
    app = _app(make_app)
    ticket = _resolved(app)
    callback = _pending(app, ticket)
    client = app.test_client()
    client.login(ensure_user(app, "desk", "dispatcher").username)
    page = client.get(f"/callbacks/{callback.id}").get_data(as_text=True)
    assert 'name="q_speed"' in page and 'name="q_tidy"' in page
    response = client.form(
        f"/callbacks/{callback.id}",
        _form(ticket, reached="yes", satisfaction="4", q_speed="5", q_tidy="yes"),
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/tickets/{ticket.number}")
    with app.app_context():
        done = Callback.get_by_id(callback.id)
        assert (done.status, done.score, done.satisfaction) == ("done", 100.0, 4)
        assert Ticket.get_by_id(ticket.id).status == "closed"
    detail = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "called the customer back (attempt 1)" in detail and "callback-card" in detail


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"reached": "yes"}, "satisfaction"),
        ({"reached": "yes", "satisfaction": "6"}, "satisfaction"),
        ({"reached": "yes", "satisfaction": "4", "q_speed": "7"}, "q_speed"),
        ({"reached": "yes", "satisfaction": "4", "q_tidy": "maybe"}, "q_tidy"),
        ({"reached": "yes", "satisfaction": "4", "outcome": "great"}, "outcome"),
        ({}, "reached"),
    ],
)
def test_bad_input_is_a_422_next_to_the_field_and_nothing_is_written(make_app, values, field):
    app = _app(make_app)
    ticket = _resolved(app)
    callback = _pending(app, ticket)
    client = app.test_client()
    client.login(ensure_user(app, "desk", "dispatcher").username)
    with app.app_context():
        events = TicketEvent.select().count()
    response = client.form(f"/callbacks/{callback.id}", _form(ticket, **values))
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert Callback.get_by_id(callback.id).attempts == 0
        assert Callback.get_by_id(callback.id).status == "pending"
        assert TicketEvent.select().count() == events
        assert Ticket.get_by_id(ticket.id).status == "resolved"


def test_radio_questions_are_fieldsets_with_their_error_tied_to_them(make_app):
    app = _app(make_app)
    ticket = _resolved(app)
    callback = _pending(app, ticket)
    client = app.test_client()
    client.login(ensure_user(app, "desk", "dispatcher").username)
    page = client.get(f"/callbacks/{callback.id}").get_data(as_text=True)
    assert '<fieldset class="field choices" id="reached">' in page
    assert '<legend>Customer reached <span class="required">required</span></legend>' in page
    response = client.form(f"/callbacks/{callback.id}", _form(ticket, reached="yes"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="satisfaction" aria-describedby="satisfaction-help satisfaction-error"' in page
    assert page.count('aria-invalid="true" id="satisfaction-') == 5  # every choice


def test_an_htmx_post_with_bad_input_gets_the_form_back_as_a_partial(make_app):
    app = _app(make_app)
    ticket = _resolved(app)
    callback = _pending(app, ticket)
    client = app.test_client()
    client.login(ensure_user(app, "desk", "dispatcher").username)
    response = client.form(
        f"/callbacks/{callback.id}",
        _form(ticket, reached="yes", satisfaction="4", q_speed="9"),
        headers={"HX-Request": "true"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert page.lstrip().startswith('<div id="callback-main">') and 'id="q_speed-error"' in page
    ok = client.form(
        f"/callbacks/{callback.id}",
        _form(ticket, reached="no"),
        headers={"HX-Request": "true"},
    )
    assert ok.status_code == 204 and ok.headers["HX-Redirect"] == f"/tickets/{ticket.number}"


def test_a_stale_ticket_version_is_refused_and_nothing_is_written(make_app):
    app = _app(make_app)
    ticket = _resolved(app)
    callback = _pending(app, ticket)
    client = app.test_client()
    client.login(ensure_user(app, "desk", "dispatcher").username)
    stale = _form(ticket, reached="yes", satisfaction="5", version=str(ticket.version - 1))
    response = client.form(f"/callbacks/{callback.id}", stale)
    assert response.status_code == 409
    assert "was changed by" in response.get_data(as_text=True)
    with app.app_context():
        assert Callback.get_by_id(callback.id).attempts == 0
        assert Ticket.get_by_id(ticket.id).status == "resolved"
        assert not TicketEvent.select().where(TicketEvent.kind == "callback").exists()


def test_a_finished_callback_cannot_be_recorded_again(make_app):
    app = _app(make_app)
    ticket = _resolved(app)
    callback = _pending(app, ticket)
    client = app.test_client()
    client.login(ensure_user(app, "desk", "dispatcher").username)
    data = _form(ticket, reached="yes", satisfaction="5")
    assert client.form(f"/callbacks/{callback.id}", data).status_code == 303
    again = client.form(f"/callbacks/{callback.id}", data)
    assert again.status_code == 409
    with app.app_context():
        assert TicketEvent.select().where(TicketEvent.kind == "callback").count() == 1


def test_a_reopen_refused_by_the_workflow_writes_nothing(make_app):
    app = _app(make_app)
    ticket = _resolved(app)
    with app.app_context():  # nobody assigned any more: in progress needs an assignee
        Ticket.update(assignee=None).where(Ticket.id == ticket.id).execute()
    client = app.test_client()
    client.login(ensure_user(app, "desk", "dispatcher").username)
    callback = _pending(app, ticket)
    response = client.form(
        f"/callbacks/{callback.id}", _form(ticket, reached="yes", satisfaction="1")
    )
    assert response.status_code == 422
    assert "assign the ticket to someone first" in response.get_data(as_text=True)
    with app.app_context():
        assert Callback.get_by_id(callback.id).status == "pending"
        assert not TicketEvent.select().where(TicketEvent.kind == "callback").exists()


def test_a_technician_may_not_make_callbacks(make_app):
    app = _app(make_app)
    ticket = _resolved(app)
    callback = _pending(app, ticket)
    client = app.test_client()
    client.login("tech")
    assert client.get("/callbacks").status_code == 403
    response = client.form(f"/callbacks/{callback.id}", _form(ticket, reached="no"))
    assert response.status_code == 403
    with app.app_context():
        assert Callback.get_by_id(callback.id).attempts == 0


# --- the queue ------------------------------------------------------------------------


def test_the_queue_lists_pending_callbacks_next_due_first_and_flags_the_overdue(make_app):
    app = _app(make_app)
    old = _resolved(app, at=dt.datetime(2020, 6, 1, 2, 0))  # long overdue
    new = _resolved(app, at=dt.datetime(2099, 6, 1, 2, 0))
    done = _resolved(app, at=dt.datetime(2020, 6, 2, 2, 0))
    _record(app, done, CallbackAnswer(reached=True, satisfaction=5), dt.datetime(2020, 6, 3))
    client = app.test_client()
    client.login(ensure_user(app, "desk", "supervisor").username)
    page = client.get("/callbacks").get_data(as_text=True)
    assert page.index(old.number) < page.index(new.number)
    assert done.number not in page
    assert page.count("callback-overdue") == 1
    overdue = client.get("/callbacks?due=overdue").get_data(as_text=True)
    assert old.number in overdue and new.number not in overdue
    finished = client.get("/callbacks?status=done").get_data(as_text=True)
    assert done.number in finished and old.number not in finished
    assert new.number not in client.get("/callbacks?plugin=nosuch&due=today").get_data(as_text=True)
    assert 'href="/callbacks"' in page  # the menu link


def test_the_queue_exports_every_row_as_csv(make_app):
    app = _app(make_app)
    tickets = [_resolved(app) for _ in range(3)]
    client = app.test_client()
    client.login(ensure_user(app, "desk", "dispatcher").username)
    response = client.get("/callbacks?format=csv")
    assert response.status_code == 200
    text = response.get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 4
    assert {r[0] for r in rows[1:]} == {t.number for t in tickets}
    assert client.get("/callbacks?format=xlsx").status_code == 200


# --- configuration --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("callbacks", "key"),
    [
        ({"due_working_days": -1}, "callbacks.due_working_days"),
        ({"calendar": "nosuch"}, "callbacks.calendar"),
        ({"unsatisfied": "ignore"}, "callbacks.unsatisfied"),
        ({"retry_hours": []}, "callbacks.retry_hours"),
        ({"max_attempts": 0}, "callbacks.max_attempts"),
        ({"satisfied_from": 6}, "callbacks.satisfied_from"),
        ({"colour": "red"}, "callbacks.colour"),
        ({"rules": [{"plugin": "nosuch"}]}, "callbacks.rules[1].plugin"),
        ({"rules": [{"plugin": "sample", "services": ["x"]}]}, "callbacks.rules[1].services"),
        ({"rules": [{"plugin": "sample", "due_working_days": -2}]}, "callbacks.rules[1]"),
    ],
)
def test_bad_callback_settings_stop_start_up_naming_the_key(make_app, callbacks, key):
    with pytest.raises(ConfigError) as caught:
        make_app(callbacks=callbacks)
    assert caught.value.key.startswith(key)
