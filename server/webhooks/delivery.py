"""Sending due webhook deliveries: claim a row, POST it signed, record the outcome.

Runs in the periodic round (``server.jobs.run_sweep``) and as a huey task enqueued after
a request that emitted events. A row is claimed with a conditional UPDATE before it is
sent, so two workers never send the same row at once; the network call happens outside
any transaction. 2xx is delivered; anything else is retried with a doubling back-off
until ``max_attempts``, then the row is ``failed``.
"""

from __future__ import annotations

import datetime as dt
import http.client
import re
import time
import urllib.error
import urllib.request
from collections.abc import Collection
from dataclasses import dataclass

from flask import current_app

from server.models import utcnow
from server.webhooks.models import MAX_ERROR, Webhook, WebhookDelivery
from server.webhooks.settings import WebhookSettings
from server.webhooks.signing import delivery_headers

# How much of a receiver's answer is kept for the log.
EXCERPT_BYTES = 200
# A claim lasts the timeout plus this much, so a crashed worker's row is retried.
CLAIM_MARGIN = dt.timedelta(seconds=60)
# Batches one call reads at most (each row is claimed or skipped, so they never repeat).
MAX_BATCHES = 50
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


@dataclass
class DeliveryRound:
    """What one ``deliver_due`` call did."""

    delivered: int = 0
    retrying: int = 0
    failed: int = 0


@dataclass(frozen=True)
class Outcome:
    """One attempt's answer: the HTTP status (None: no answer) and a short error."""

    status_code: int | None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def due_deliveries(
    now: dt.datetime, limit: int, skip_webhooks: Collection[int] = ()
) -> list[WebhookDelivery]:
    """Pending rows of active webhooks whose next attempt has come and nobody holds."""
    due = (
        (WebhookDelivery.status == "pending")
        & (WebhookDelivery.next_attempt_at <= now)
        & (WebhookDelivery.claimed_until.is_null() | (WebhookDelivery.claimed_until <= now))
        & Webhook.active
    )
    if skip_webhooks:
        due &= Webhook.id.not_in(list(skip_webhooks))
    return list(
        WebhookDelivery.select(WebhookDelivery, Webhook)
        .join(Webhook)
        .where(due)
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
    )


def deliver_due(
    now: dt.datetime | None = None, settings: WebhookSettings | None = None, batch: int = 200
) -> DeliveryRound:
    """Send every due delivery, one at a time, reading them ``batch`` rows at a time.

    After a webhook fails once in a round its other rows wait for the next round, so one
    dead endpoint costs at most one timeout per round.
    """
    now = now or utcnow()
    settings = settings or current_app.extensions["aftersales"].config.webhooks
    result = DeliveryRound()
    failing: set[int] = set()
    for _ in range(MAX_BATCHES):
        rows = due_deliveries(now, batch, failing)
        for row in rows:
            _deliver_one(row, now, settings, result, failing)
        if len(rows) < batch:
            break
    return result


def _deliver_one(
    row: WebhookDelivery,
    now: dt.datetime,
    settings: WebhookSettings,
    result: DeliveryRound,
    failing: set[int],
) -> None:
    """Claim, send and record one row (skipped when its webhook failed this round or
    another worker holds it)."""
    if row.webhook_id in failing or not _claim(row, now, settings):
        return
    outcome = post(row.webhook, row, settings.timeout_seconds)
    state = _record(row, outcome, now, settings)
    if state == "delivered":
        result.delivered += 1
        return
    failing.add(row.webhook_id)
    if state == "failed":
        result.failed += 1
    else:
        result.retrying += 1


def _claim(row: WebhookDelivery, now: dt.datetime, settings: WebhookSettings) -> bool:
    """Take the row for this worker: only the UPDATE that changes it wins."""
    lease = now + dt.timedelta(seconds=settings.timeout_seconds) + CLAIM_MARGIN
    claimed = (
        WebhookDelivery.update(
            attempts=WebhookDelivery.attempts + 1,
            claimed_until=lease,
        )
        .where(
            (WebhookDelivery.id == row.id)
            & (WebhookDelivery.status == "pending")
            & (WebhookDelivery.attempts == row.attempts)
            & (WebhookDelivery.claimed_until.is_null() | (WebhookDelivery.claimed_until <= now))
        )
        .execute()
    )
    if claimed == 1:
        row.attempts += 1
    return claimed == 1


def _record(
    row: WebhookDelivery, outcome: Outcome, now: dt.datetime, settings: WebhookSettings
) -> str:
    """Write the attempt's outcome; returns the row's new state (delivered, pending, failed)."""
    changes: dict[object, object] = {
        WebhookDelivery.last_status_code: outcome.status_code,
        WebhookDelivery.last_error: outcome.error[:MAX_ERROR],
        WebhookDelivery.claimed_until: None,
    }
    if outcome.ok:
        state = "delivered"
        changes.update({WebhookDelivery.delivered_at: now, WebhookDelivery.next_attempt_at: None})
    elif row.attempts >= settings.max_attempts:
        state = "failed"
        changes[WebhookDelivery.next_attempt_at] = None
    else:
        state = "pending"
        wait = dt.timedelta(seconds=settings.backoff_after(row.attempts))
        changes[WebhookDelivery.next_attempt_at] = now + wait
    changes[WebhookDelivery.status] = state
    WebhookDelivery.update(changes).where(
        (WebhookDelivery.id == row.id) & (WebhookDelivery.attempts == row.attempts)
    ).execute()
    return state


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, not a place to resend a signed body to."""

    def redirect_request(self, *_args: object, **_kwargs: object) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def post(webhook: Webhook, row: WebhookDelivery, timeout: float) -> Outcome:
    """POST ``row``'s payload to ``webhook`` signed with its secret; never raises."""
    body = row.payload.encode("utf-8")
    timestamp = int(time.time())
    headers = delivery_headers(webhook.secret, row.event, row.delivery_uuid, timestamp, body)
    request = urllib.request.Request(webhook.url, data=body, headers=headers, method="POST")
    try:
        with _opener.open(request, timeout=timeout) as response:
            excerpt = _excerpt(response.read(EXCERPT_BYTES))
            code = response.status
            return Outcome(code, "" if 200 <= code < 300 else excerpt)
    except urllib.error.HTTPError as exc:
        try:
            excerpt = _excerpt(exc.read(EXCERPT_BYTES))
        except (OSError, http.client.HTTPException):
            excerpt = ""
        finally:
            exc.close()
        return Outcome(exc.code, f"HTTP {exc.code}" + (f": {excerpt}" if excerpt else ""))
    except TimeoutError:
        return Outcome(None, f"no answer within {timeout:g} s")
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            return Outcome(None, f"no answer within {timeout:g} s")
        return Outcome(None, _excerpt(str(reason).encode()) or "could not connect")
    except (OSError, http.client.HTTPException, ValueError) as exc:
        return Outcome(None, _excerpt(f"{type(exc).__name__}: {exc}".encode()))


def _excerpt(raw: bytes) -> str:
    """A short, single-line, printable excerpt of a receiver's answer."""
    return _CONTROL.sub(" ", raw.decode("utf-8", "replace")).strip()[:EXCERPT_BYTES]
