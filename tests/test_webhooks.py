"""Webhooks: the outbox written with the change, signed delivery to a real receiver on
loopback, retries with back-off, one sender per row, and the four events from the core's
own write paths."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import socket
import textwrap
import threading
import time

import pytest

from server.catalog import current_registry
from server.config import ConfigError
from server.db import database, write_transaction
from server.followup.models import Callback
from server.followup.record import CallbackAnswer, record_callback
from server.jobs import run_sweep
from server.models import Ticket, User
from server.tickets import assign_ticket, transition_ticket
from server.webhooks.delivery import deliver_due
from server.webhooks.models import WebhookDelivery
from server.webhooks.outbox import emit
from server.webhooks.registry import create_webhook
from server.webhooks.settings import WebhookSettings
from tests.conftest import add_ticket, ensure_user
from tests.webhook_receiver import Receiver

T0 = dt.datetime(2026, 11, 24, 9, 0)
ALL_EVENTS = ["ticket.created", "ticket.status_changed", "sla.step_fired", "callback.done"]


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


def _hook(app, url, events=ALL_EVENTS, active=True):
    admin = ensure_user(app, "admin", "admin")
    with app.app_context():
        return create_webhook(url, events, admin, "test", active)


def _rows(app, **where):
    with app.app_context():
        query = WebhookDelivery.select().order_by(WebhookDelivery.id)
        for name, value in where.items():
            query = query.where(getattr(WebhookDelivery, name) == value)
        return list(query)


def _deliver(app, now=None, **settings):
    with app.app_context():
        return deliver_due(now or T0, WebhookSettings(**settings))


def _payload(received):
    return json.loads(received.body)


# --- signing and delivery ---------------------------------------------------------------


def test_delivery_is_signed_with_the_webhook_secret(app, receiver):
    hook = _hook(app, receiver.url)
    add_ticket(app, now=T0)
    assert _deliver(app).delivered == 1
    (got,) = receiver.requests
    timestamp = got.headers["X-Aftersales-Timestamp"]
    expected = hmac.new(
        hook.secret.encode(), timestamp.encode() + b"." + got.body, hashlib.sha256
    ).hexdigest()
    assert got.headers["X-Aftersales-Signature"] == f"sha256={expected}"
    assert abs(int(timestamp) - time.time()) < 60


def test_delivery_headers_and_body_name_the_event_and_delivery(app, receiver):
    _hook(app, receiver.url)
    ticket = add_ticket(app, now=T0)
    _deliver(app)
    (got,) = receiver.requests
    body = _payload(got)
    (row,) = _rows(app)
    assert got.headers["Content-Type"] == "application/json"
    assert got.headers["X-Aftersales-Event"] == body["event"] == "ticket.created"
    assert got.headers["X-Aftersales-Delivery"] == body["delivery_id"] == row.delivery_uuid
    assert body["occurred_at"] == "2026-11-24T09:00:00Z"
    assert body["data"]["ticket"] == {
        "id": ticket.id,
        "number": ticket.number,
        "plugin": "sample",
        "service": "consult",
        "status": "new",
        "priority": "normal",
        "customer_id": ticket.customer_id,
        "assignee": None,
        "updated_at": "2026-11-24T09:00:00Z",
        "version": 1,
    }


def test_a_2xx_answer_marks_the_row_delivered(app, receiver):
    _hook(app, receiver.url)
    add_ticket(app, now=T0)
    receiver.status = 204
    _deliver(app)
    (row,) = _rows(app)
    assert (row.status, row.attempts, row.last_status_code) == ("delivered", 1, 204)
    assert row.delivered_at == T0 and row.next_attempt_at is None


def test_a_delivered_row_is_not_sent_again(app, receiver):
    _hook(app, receiver.url)
    add_ticket(app, now=T0)
    _deliver(app)
    _deliver(app, T0 + dt.timedelta(hours=1))
    assert len(receiver.requests) == 1


def test_a_500_is_retried_after_the_base_backoff(app, receiver):
    _hook(app, receiver.url)
    add_ticket(app, now=T0)
    receiver.status = 500
    result = _deliver(app)
    (row,) = _rows(app)
    assert result.retrying == 1
    assert (row.status, row.attempts, row.last_status_code) == ("pending", 1, 500)
    assert row.next_attempt_at == T0 + dt.timedelta(seconds=30)
    assert "500" in row.last_error


def test_a_retry_waits_for_its_moment_then_doubles_the_pause(app, receiver):
    _hook(app, receiver.url)
    add_ticket(app, now=T0)
    receiver.status = 500
    _deliver(app)
    _deliver(app, T0 + dt.timedelta(seconds=29))
    assert len(receiver.requests) == 1
    second = T0 + dt.timedelta(seconds=30)
    _deliver(app, second)
    (row,) = _rows(app)
    assert len(receiver.requests) == 2
    assert row.attempts == 2 and row.next_attempt_at == second + dt.timedelta(seconds=60)


def test_a_retry_that_succeeds_is_delivered(app, receiver):
    _hook(app, receiver.url)
    add_ticket(app, now=T0)
    receiver.status = 503
    _deliver(app)
    receiver.status = 200
    _deliver(app, T0 + dt.timedelta(minutes=1))
    (row,) = _rows(app)
    assert (row.status, row.attempts, row.last_error) == ("delivered", 2, "")


def test_backoff_doubles_from_the_base_and_is_capped_at_six_hours():
    settings = WebhookSettings(backoff_seconds=30)
    waits = [settings.backoff_after(attempt) for attempt in range(1, 13)]
    assert waits[:5] == [30, 60, 120, 240, 480]
    assert max(waits) == waits[-1] == 6 * 3600


def test_it_gives_up_after_max_attempts(app, receiver):
    _hook(app, receiver.url)
    add_ticket(app, now=T0)
    receiver.status = 500
    now = T0
    for _ in range(5):
        _deliver(app, now, max_attempts=3)
        now += dt.timedelta(hours=7)  # past any back-off
    (row,) = _rows(app)
    assert len(receiver.requests) == 3
    assert (row.status, row.attempts, row.next_attempt_at) == ("failed", 3, None)


def test_a_refused_connection_is_retried(app):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    _hook(app, f"http://127.0.0.1:{port}/hooks")
    add_ticket(app, now=T0)
    _deliver(app)
    (row,) = _rows(app)
    assert row.status == "pending" and row.attempts == 1
    assert row.last_status_code is None and row.last_error


def test_a_hanging_receiver_times_out_and_is_retried(app, receiver):
    _hook(app, receiver.url)
    add_ticket(app, now=T0)
    receiver.hang = True
    started = time.monotonic()
    _deliver(app, timeout_seconds=0.3)
    assert time.monotonic() - started < 3
    (row,) = _rows(app)
    assert row.status == "pending" and "no answer within 0.3 s" in row.last_error


def test_a_redirect_is_not_followed(app, receiver):
    _hook(app, receiver.url)
    add_ticket(app, now=T0)
    receiver.status = 302
    _deliver(app)
    (row,) = _rows(app)
    assert row.status == "pending" and row.last_status_code == 302
    assert len(receiver.requests) == 1


def test_a_failing_webhook_waits_for_the_next_round_after_its_first_failure(app, receiver):
    _hook(app, receiver.url)
    for _ in range(3):
        add_ticket(app, now=T0)
    receiver.status = 500
    _deliver(app)
    assert len(receiver.requests) == 1


def test_an_inactive_webhook_gets_nothing(app, receiver):
    _hook(app, receiver.url, active=False)
    add_ticket(app, now=T0)
    _deliver(app)
    assert receiver.requests == [] and _rows(app) == []


def test_a_webhook_gets_only_the_events_it_asked_for(app, receiver):
    _hook(app, receiver.url, events=["callback.done"])
    add_ticket(app, now=T0)
    assert _rows(app) == []


def test_two_workers_never_send_the_same_row(app, receiver):
    _hook(app, receiver.url)
    for _ in range(12):
        add_ticket(app, now=T0)
    receiver.delay = 0.02
    start = threading.Barrier(2)
    errors = []

    def worker():
        try:
            with app.app_context():
                start.wait()
                deliver_due(T0, WebhookSettings())
        except Exception as exc:  # pragma: no cover - shown by the assertion
            errors.append(exc)
        finally:
            database.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    sent = [r.headers["X-Aftersales-Delivery"] for r in receiver.requests]
    assert errors == []
    assert len(sent) == len(set(sent)) == 12
    assert {row.status for row in _rows(app)} == {"delivered"}


# --- the outbox -------------------------------------------------------------------------


def test_emit_in_a_rolled_back_transaction_leaves_no_delivery(app, receiver):
    _hook(app, receiver.url)
    ticket = add_ticket(app, now=T0)
    with app.app_context():
        WebhookDelivery.delete().execute()
        with pytest.raises(RuntimeError), write_transaction():
            fresh = Ticket.get_by_id(ticket.id)
            from server.webhooks.outbox import ticket_payload

            assert emit("ticket.created", {"ticket": ticket_payload(fresh)}, T0) == 1
            raise RuntimeError("the change fails after the event was emitted")
    assert _rows(app) == []


def test_emit_writes_one_row_per_subscribed_webhook(app, receiver):
    _hook(app, receiver.url)
    _hook(app, receiver.url + "/second")
    _hook(app, receiver.url + "/other", events=["callback.done"])
    with app.app_context():
        assert emit("ticket.created", {"ticket": {}}, T0) == 2


def test_emit_refuses_an_unknown_event(app):
    with app.app_context(), pytest.raises(ValueError, match="unknown webhook event"):
        emit("ticket.exploded", {}, T0)


def test_a_ticket_that_fails_to_save_emits_nothing(app, receiver):
    """create_ticket's transaction rolls back (an unknown customer): no delivery either."""
    from server.models import Customer

    _hook(app, receiver.url)
    with pytest.raises(Exception):  # noqa: B017 - the database's own integrity error
        add_ticket(app, customer=Customer(id=999999, name="ghost"), now=T0)
    assert _rows(app) == []


# --- the four events from the real code paths -----------------------------------------


def test_creating_a_ticket_emits_ticket_created(app, receiver):
    _hook(app, receiver.url)
    ticket = add_ticket(app, now=T0)
    (row,) = _rows(app)
    body = json.loads(row.payload)
    assert row.event == body["event"] == "ticket.created"
    assert body["data"]["ticket"]["number"] == ticket.number


def test_a_transition_emits_the_old_and_new_status_and_note(app, receiver):
    _hook(app, receiver.url, events=["ticket.status_changed"])
    actor = ensure_user(app, "dispatcher", "dispatcher")
    ticket = add_ticket(app, now=T0)
    with app.app_context():
        registry = current_registry()
        tech = User.get(User.username == ensure_user(app, "tech", "technician").username)
        ticket = assign_ticket(registry, ticket, ticket.version, tech, "", actor, now=T0)
        transition_ticket(registry, ticket, ticket.version, "in_progress", tech, "on it", T0)
    first, second = (json.loads(row.payload)["data"] for row in _rows(app))
    assert (first["old_status"], first["new_status"], first["note"]) == ("new", "assigned", "")
    assert first["ticket"]["assignee"] == "tech"
    assert (second["old_status"], second["new_status"], second["note"]) == (
        "assigned",
        "in_progress",
        "on it",
    )
    assert second["ticket"]["status"] == "in_progress"


LADDER = {
    "policies": {
        "plain": {
            "resolution": {
                "minutes": {"normal": 60},
                "escalation": [{"percent": 50, "notify": "supervisor"}],
            }
        }
    },
    "rules": [{"policy": "plain"}],
}


def test_an_sla_step_fired_by_the_sweep_is_emitted_and_delivered_in_the_same_round(
    make_app, receiver
):
    app = make_app(sla=LADDER)
    _hook(app, receiver.url, events=["sla.step_fired"])
    reported = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=2)
    ticket = add_ticket(app, reported_at=reported, now=reported)
    result, _mail = run_sweep(app)
    assert len(result.escalations) == 1
    (got,) = receiver.requests
    body = _payload(got)
    assert body["event"] == "sla.step_fired"
    assert body["data"]["sla"]["metric"] == "resolution"
    assert body["data"]["sla"]["percent"] == 50
    assert body["data"]["sla"]["notify"] == "supervisor"
    assert body["data"]["ticket"]["number"] == ticket.number


def test_a_callback_that_reached_the_customer_emits_callback_done(app, receiver):
    _hook(app, receiver.url, events=["callback.done"])
    actor = ensure_user(app, "dispatcher", "dispatcher")
    ticket = add_ticket(app, service="repair", attributes={"serial": "AB1234"}, now=T0)
    with app.app_context():
        registry = current_registry()
        tech = User.get(User.username == ensure_user(app, "tech", "technician").username)
        ticket = assign_ticket(registry, ticket, ticket.version, tech, "", actor, now=T0)
        ticket = transition_ticket(registry, ticket, ticket.version, "resolved", tech, now=T0)
        callback = Callback.get(Callback.ticket == ticket.id)
        later = T0 + dt.timedelta(days=1)
        record_callback(
            registry, callback, ticket.version, CallbackAnswer(False), actor, later
        )  # not reached: no event
        assert _rows(app) == []
        callback = Callback.get_by_id(callback.id)
        answer = CallbackAnswer(True, satisfaction=5)
        record_callback(registry, callback, ticket.version, answer, actor, later)
    (row,) = _rows(app)
    data = json.loads(row.payload)["data"]
    assert row.event == "callback.done"
    assert data["callback"]["id"] == callback.id
    assert (data["callback"]["outcome"], data["callback"]["satisfaction"]) == ("satisfied", 5)
    assert data["ticket"]["status"] == "closed"  # read after the callback closed it


# --- the request that emits, and the job queue ------------------------------------------


def _transition_form(client, number, version, to="in_progress"):
    return client.form(
        f"/tickets/{number}/transition", {"to": to, "note": "", "version": str(version)}
    )


def _assigned_ticket(app):
    actor = ensure_user(app, "dispatcher", "dispatcher")
    ticket = add_ticket(app)
    with app.app_context():
        return assign_ticket(current_registry(), ticket, ticket.version, actor, "", actor)


def test_the_request_that_emits_is_not_held_up_by_a_hanging_receiver(app, receiver, login_as):
    _hook(app, receiver.url)
    receiver.hang = True
    ticket = _assigned_ticket(app)
    client = login_as("dispatcher")
    started = time.monotonic()
    response = _transition_form(client, ticket.number, ticket.version)
    elapsed = time.monotonic() - started
    assert response.status_code in (200, 303), response.get_data(as_text=True)[:500]
    assert elapsed < 2.5  # a send from the request would wait out the 5 s timeout
    assert receiver.requests == []  # nothing was sent from the request itself
    assert _rows(app, event="ticket.status_changed", status="pending")


def test_the_request_enqueues_a_task_that_delivers(app, receiver, login_as):
    ticket = _assigned_ticket(app)
    _hook(app, receiver.url, events=["ticket.status_changed"])
    _transition_form(login_as("dispatcher"), ticket.number, ticket.version)
    queue = app.extensions["aftersales_jobs"]
    task = queue.huey.dequeue()
    assert task is not None and task.name == "deliver_webhooks"
    queue.huey.execute(task)
    assert [_payload(r)["data"]["new_status"] for r in receiver.requests] == ["in_progress"]


def test_a_request_without_events_enqueues_nothing(app, login_as):
    ticket = _assigned_ticket(app)
    _transition_form(login_as("dispatcher"), ticket.number, ticket.version)
    assert "aftersales_jobs" not in app.extensions


def test_an_unreachable_queue_does_not_fail_the_request(make_app, receiver, tmp_path):
    app = make_app(jobs={"backend": "redis", "redis_url": "redis://127.0.0.1:1/0"})
    _hook(app, receiver.url)
    ticket = _assigned_ticket(app)
    ensure_user(app, "dispatcher", "dispatcher")
    client = app.test_client()
    client.login("dispatcher")
    response = _transition_form(client, ticket.number, ticket.version)
    assert response.status_code in (200, 303)
    assert _rows(app, event="ticket.status_changed", status="pending")


# --- configuration ----------------------------------------------------------------------


def test_defaults_are_five_seconds_eight_attempts_thirty_seconds(app):
    assert app.extensions["aftersales"].config.webhooks == WebhookSettings(5, 8, 30)


@pytest.mark.parametrize(
    ("values", "key"),
    [
        ({"timeout_seconds": 0}, "webhooks.timeout_seconds"),
        ({"timeout_seconds": "5"}, "webhooks.timeout_seconds"),
        ({"max_attempts": 0}, "webhooks.max_attempts"),
        ({"max_attempts": 2.5}, "webhooks.max_attempts"),
        ({"backoff_seconds": True}, "webhooks.backoff_seconds"),
        ({"retries": 3}, "webhooks.retries"),
    ],
)
def test_bad_webhook_settings_stop_start_up(make_app, values, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        make_app(webhooks=values)


def test_the_documented_verification_snippet_accepts_a_real_delivery(app, receiver):
    """The receivers' recipe in docs/architecture.md checks what we actually send."""
    import re
    from pathlib import Path

    text = (Path(__file__).parent.parent / "docs" / "architecture.md").read_text("utf-8")
    section = text[text.index("Webhooks (`server/webhooks/`)") :]
    snippet = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace: dict = {}
    exec(textwrap.dedent(snippet), namespace)
    hook = _hook(app, receiver.url)
    add_ticket(app, now=T0)
    _deliver(app)
    (got,) = receiver.requests
    assert namespace["verify"](hook.secret, got.headers, got.body)
    assert not namespace["verify"]("another secret", got.headers, got.body)
    assert not namespace["verify"](hook.secret, got.headers, got.body + b" ")


def test_one_call_sends_every_due_row_batch_after_batch(app, receiver):
    _hook(app, receiver.url)
    for _ in range(7):
        add_ticket(app, now=T0)
    with app.app_context():
        result = deliver_due(T0, WebhookSettings(), batch=3)
    assert result.delivered == 7 and len(receiver.requests) == 7


def test_a_failing_webhook_does_not_hold_up_another(app, receiver):
    healthy = Receiver()
    try:
        _hook(app, receiver.url)
        _hook(app, healthy.url)
        for _ in range(3):
            add_ticket(app, now=T0)
        receiver.status = 500
        with app.app_context():
            result = deliver_due(T0, WebhookSettings(), batch=2)
        assert (result.delivered, result.retrying) == (3, 1)
        assert len(healthy.requests) == 3 and len(receiver.requests) == 1
    finally:
        healthy.close()


def test_a_row_held_by_another_worker_is_left_alone(app, receiver):
    from server.webhooks.registry import retry_now

    _hook(app, receiver.url)
    add_ticket(app, now=T0)
    with app.app_context():
        WebhookDelivery.update(attempts=1, claimed_until=T0 + dt.timedelta(seconds=65)).execute()
        (row,) = WebhookDelivery.select()
        assert retry_now(row, T0) is False
    _deliver(app)
    assert receiver.requests == []


def test_the_row_of_a_worker_that_died_mid_send_is_sent_once_its_claim_ran_out(app, receiver):
    _hook(app, receiver.url)
    add_ticket(app, now=T0)
    with app.app_context():
        WebhookDelivery.update(attempts=1, claimed_until=T0 - dt.timedelta(seconds=1)).execute()
    _deliver(app)
    (row,) = _rows(app)
    assert len(receiver.requests) == 1
    assert (row.status, row.attempts, row.claimed_until) == ("delivered", 2, None)
