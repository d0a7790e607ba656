"""The webhook admin pages: admins only, URL checks, the secret shown once and rotated,
the delivery log with "retry now" and the test event."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from server.models import utcnow
from server.webhooks.models import Webhook, WebhookDelivery
from server.webhooks.outbox import send_ping
from server.webhooks.registry import create_webhook
from tests.conftest import ensure_user

VALID = {
    "url": "https://erp.example.com/hooks",
    "description": "ERP",
    "events": "ticket.created",
    "active": "y",
}
_SECRET = re.compile(r'<code class="token-secret">([^<]+)</code>')


@pytest.fixture
def admin(login_as):
    return login_as("admin")


def _webhooks(app):
    with app.app_context():
        return list(Webhook.select().order_by(Webhook.id))


def _hook(app, active=True):
    actor = ensure_user(app, "admin", "admin")
    with app.app_context():
        return create_webhook(
            "https://erp.example.com/hooks", ["ticket.created"], actor, "", active
        )


def _shown_secret(response):
    match = _SECRET.search(response.get_data(as_text=True))
    return match.group(1) if match else None


@pytest.mark.parametrize("role", ["supervisor", "dispatcher", "technician"])
def test_only_admins_reach_the_webhook_pages(app, login_as, role):
    client = login_as(role)
    assert client.get("/admin/webhooks").status_code == 403
    assert client.form("/admin/webhooks/new", VALID).status_code == 403
    assert _webhooks(app) == []


def test_the_admin_menu_links_to_webhooks_for_admins_only(app, login_as):
    assert 'href="/admin/webhooks"' in login_as("admin").get("/tickets").get_data(as_text=True)
    supervisor = login_as("supervisor")
    assert 'href="/admin/webhooks"' not in supervisor.get("/tickets").get_data(as_text=True)


def test_registering_shows_the_secret_once(app, admin):
    response = admin.form(
        "/admin/webhooks/new", {**VALID, "events": ["ticket.created", "callback.done"]}
    )
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    (hook,) = _webhooks(app)
    assert _shown_secret(response) == hook.secret and len(hook.secret) >= 43
    assert hook.events == ["ticket.created", "callback.done"] and hook.active
    page = admin.get(f"/admin/webhooks/{hook.id}")
    assert page.status_code == 200 and hook.secret not in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://files.example.com/in", "Only http:// and https:// URLs"),
        ("javascript:alert(1)", "Only http:// and https:// URLs"),
        ("erp.example.com/hooks", "Only http:// and https:// URLs"),
        ("https:///nohost", "needs a host name"),
        ("https://exa mple.com/", "no spaces"),
        ("http://example.com:99999/", "Not a valid URL"),
        ("", "This field is required"),
        ("https://example.com/" + "a" * 2000, "2000 characters"),
    ],
)
def test_a_bad_url_is_a_form_error_and_saves_nothing(app, admin, url, message):
    response = admin.form("/admin/webhooks/new", {**VALID, "url": url})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _webhooks(app) == []


@pytest.mark.parametrize(
    ("events", "message"),
    [([], "Choose at least one event."), (["ticket.exploded"], "not a valid choice")],
)
def test_events_must_be_chosen_from_the_list(app, admin, events, message):
    response = admin.form("/admin/webhooks/new", {**VALID, "events": events})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _webhooks(app) == []


def test_editing_changes_url_events_and_active_but_keeps_the_secret(app, admin):
    hook = _hook(app)
    response = admin.form(
        f"/admin/webhooks/{hook.id}",
        {"url": "http://10.0.0.5:8080/in", "description": "", "events": "sla.step_fired"},
    )
    assert response.status_code == 303
    (saved,) = _webhooks(app)
    assert (saved.url, saved.events, saved.active) == (
        "http://10.0.0.5:8080/in",
        ["sla.step_fired"],
        False,
    )
    assert saved.secret == hook.secret


def test_editing_with_a_bad_url_keeps_the_old_values(app, admin):
    hook = _hook(app)
    response = admin.form(f"/admin/webhooks/{hook.id}", {**VALID, "url": "gopher://x"})
    assert response.status_code == 422
    assert _webhooks(app)[0].url == hook.url


def test_an_unknown_webhook_is_a_404(admin):
    assert admin.get("/admin/webhooks/999999").status_code == 404
    assert admin.get("/admin/webhooks/999999/deliveries").status_code == 404
    assert admin.form("/admin/webhooks/999999/rotate").status_code == 404


def test_rotating_makes_and_shows_a_new_secret(app, admin):
    hook = _hook(app)
    response = admin.form(f"/admin/webhooks/{hook.id}/rotate")
    assert response.status_code == 200
    (saved,) = _webhooks(app)
    assert saved.secret != hook.secret
    assert _shown_secret(response) == saved.secret
    assert response.headers["Cache-Control"] == "no-store"


def test_rotating_without_the_csrf_token_is_refused(app, admin):
    hook = _hook(app)
    assert admin.post(f"/admin/webhooks/{hook.id}/rotate").status_code == 400
    assert _webhooks(app)[0].secret == hook.secret


def _deliveries(app, hook, count, status="pending"):
    with app.app_context():
        rows = [send_ping(hook) for _ in range(count)]
        ids = [row.id for row in rows]
        WebhookDelivery.update(status=status).where(WebhookDelivery.id.in_(ids)).execute()
        return ids


def test_the_delivery_log_lists_newest_first_with_status_and_attempts(app, admin):
    hook = _hook(app)
    first, second = _deliveries(app, hook, 2)
    with app.app_context():
        WebhookDelivery.update(
            status="failed", attempts=8, last_status_code=500, last_error="HTTP 500: boom"
        ).where(WebhookDelivery.id == first).execute()
        uuids = {row.id: row.delivery_uuid for row in WebhookDelivery.select()}
    html = admin.get(f"/admin/webhooks/{hook.id}/deliveries").get_data(as_text=True)
    assert html.index(uuids[second]) < html.index(uuids[first])
    assert "failed" in html and "HTTP 500: boom" in html
    assert "Retry now" in html


def test_the_delivery_log_is_paged(app, admin):
    hook = _hook(app)
    ids = _deliveries(app, hook, 30)
    with app.app_context():
        oldest = WebhookDelivery.get_by_id(ids[0]).delivery_uuid
    first = admin.get(f"/admin/webhooks/{hook.id}/deliveries").get_data(as_text=True)
    second = admin.get(f"/admin/webhooks/{hook.id}/deliveries?page=2").get_data(as_text=True)
    assert oldest not in first and oldest in second
    assert 'rel="next"' in first and 'rel="next"' not in second


@pytest.mark.parametrize("page", ["0", "-1", "abc", "99999999999999999999"])
def test_a_bad_page_number_shows_the_first_page(app, admin, page):
    hook = _hook(app)
    assert admin.get(f"/admin/webhooks/{hook.id}/deliveries?page={page}").status_code == 200


def test_retry_now_makes_a_failed_delivery_due_again(app, admin):
    hook = _hook(app)
    (delivery_id,) = _deliveries(app, hook, 1, status="failed")
    before = utcnow()
    response = admin.form(f"/admin/webhooks/{hook.id}/deliveries/{delivery_id}/retry")
    assert response.status_code == 303
    with app.app_context():
        row = WebhookDelivery.get_by_id(delivery_id)
    assert row.status == "pending" and row.next_attempt_at >= before - dt.timedelta(seconds=1)
    assert app.extensions["aftersales_jobs"].huey.pending_count() == 1  # a worker is woken


def test_retry_now_leaves_a_delivered_row_alone(app, admin):
    hook = _hook(app)
    (delivery_id,) = _deliveries(app, hook, 1, status="delivered")
    response = admin.form(
        f"/admin/webhooks/{hook.id}/deliveries/{delivery_id}/retry", follow_redirects=True
    )
    assert "already delivered" in response.get_data(as_text=True)
    with app.app_context():
        assert WebhookDelivery.get_by_id(delivery_id).status == "delivered"


def test_retry_now_of_another_webhooks_delivery_is_a_404(app, admin):
    hook, other = _hook(app), _hook(app)
    (delivery_id,) = _deliveries(app, other, 1, status="failed")
    response = admin.form(f"/admin/webhooks/{hook.id}/deliveries/{delivery_id}/retry")
    assert response.status_code == 404


def test_send_a_test_event_queues_a_ping(app, admin):
    hook = _hook(app)
    response = admin.form(f"/admin/webhooks/{hook.id}/ping")
    assert response.status_code == 303
    with app.app_context():
        (row,) = WebhookDelivery.select()
    assert (row.event, row.status) == ("ping", "pending")
    assert f'"webhook":{{"id":{hook.id}' in row.payload


def test_no_test_event_for_an_inactive_webhook(app, admin):
    hook = _hook(app, active=False)
    response = admin.form(f"/admin/webhooks/{hook.id}/ping", follow_redirects=True)
    assert "not active" in response.get_data(as_text=True)
    with app.app_context():
        assert WebhookDelivery.select().count() == 0
