"""The admin's write paths: register and change webhooks, rotate a secret, retry a delivery."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from urllib.parse import urlsplit

from server import audit
from server.db import write_transaction
from server.i18n import gettext
from server.models import User, utcnow
from server.webhooks.models import EVENTS, MAX_URL, Webhook, WebhookDelivery


class WebhookInvalid(ValueError):
    """A webhook that cannot be saved; ``errors`` maps field names to messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(m for messages in errors.values() for m in messages))


def new_secret() -> str:
    """A fresh signing secret (256 random bits, URL-safe text)."""
    return secrets.token_urlsafe(32)


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot receive webhooks, or None when it can."""
    if not url:
        return gettext("Enter the URL to send events to.")
    if len(url) > MAX_URL:
        return gettext("At most %(n)s characters.", n=MAX_URL)
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        return gettext("A URL has no spaces or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return gettext("Not a valid URL.")
    if parts.scheme not in ("http", "https"):
        return gettext("Only http:// and https:// URLs can receive webhooks.")
    if not parts.hostname:
        return gettext("The URL needs a host name, e.g. https://example.com/hooks.")
    if port == 0:
        return gettext("Not a valid port.")
    return None


def _checked(url: str, events: Iterable[str], description: str) -> list[str]:
    errors: dict[str, list[str]] = {}
    problem = url_problem(url)
    if problem:
        errors["url"] = [problem]
    chosen = list(dict.fromkeys(events))
    unknown = [event for event in chosen if event not in EVENTS]
    if unknown:
        errors["events"] = [gettext("Unknown event '%(event)s'.", event=unknown[0])]
    elif not chosen:
        errors["events"] = [gettext("Choose at least one event.")]
    if len(description) > 200:
        errors["description"] = [gettext("At most %(n)s characters.", n=200)]
    if errors:
        raise WebhookInvalid(errors)
    return [event for event in EVENTS if event in chosen]


def create_webhook(
    url: str, events: Iterable[str], actor: User, description: str = "", active: bool = True
) -> Webhook:
    """Register a webhook with a new secret.

    :raises WebhookInvalid: bad URL, no or unknown events (nothing saved).
    """
    chosen = _checked(url, events, description)
    with write_transaction():
        webhook = Webhook.create(
            url=url,
            description=description,
            events=chosen,
            secret=new_secret(),
            active=active,
            created_by=actor,
        )
        audit.record(
            "webhook.create",
            "webhook",
            webhook.id,
            {"url": url, "events": chosen, "active": active},
        )
        return webhook


def update_webhook(
    webhook: Webhook, url: str, events: Iterable[str], description: str, active: bool
) -> Webhook:
    """Change a webhook's URL, events, description or active flag (the secret stays).

    :raises WebhookInvalid: as :func:`create_webhook`.
    """
    chosen = _checked(url, events, description)
    with write_transaction():
        Webhook.update(url=url, events=chosen, description=description, active=active).where(
            Webhook.id == webhook.id
        ).execute()
        audit.record(
            "webhook.update",
            "webhook",
            webhook.id,
            {"url": url, "events": chosen, "active": active},
        )
    return Webhook.get_by_id(webhook.id)


def rotate_secret(webhook: Webhook) -> str:
    """Give ``webhook`` a new secret and return it; deliveries sent from now on use it."""
    secret = new_secret()
    with write_transaction():
        Webhook.update(secret=secret).where(Webhook.id == webhook.id).execute()
        audit.record("webhook.rotate_secret", "webhook", webhook.id, {"url": webhook.url})
    return secret


def retry_now(delivery: WebhookDelivery, now: dt.datetime | None = None) -> bool:
    """Make a pending or failed delivery due at once; False when it is delivered or being
    sent right now (a second send would duplicate it).

    A failed row gets one more attempt; if that fails too it is failed again.
    """
    now = now or utcnow()
    with write_transaction():
        changed = (
            WebhookDelivery.update(status="pending", next_attempt_at=now)
            .where(
                (WebhookDelivery.id == delivery.id)
                & WebhookDelivery.status.in_(("pending", "failed"))
                & (WebhookDelivery.claimed_until.is_null() | (WebhookDelivery.claimed_until <= now))
            )
            .execute()
        )
        if changed == 1:
            audit.record(
                "webhook.retry",
                "webhook",
                delivery.webhook_id,
                {"delivery": str(delivery.delivery_uuid), "event": delivery.event},
            )
    return changed == 1
