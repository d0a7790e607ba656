"""After a request that emitted webhook events, wake a worker to send them now.

The request only enqueues a huey task (no network call to a receiver); if the queue
cannot be reached the deliveries wait for the periodic round, which sends them too.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, g


def init_app(app: Flask) -> None:
    """Register the after-request hook that enqueues the delivery task."""

    @app.after_request
    def wake_delivery_worker(response: Any) -> Any:
        # Emitted inside the view's transactions, which have ended by now; a rolled-back
        # change leaves no rows and the task finds nothing to send.
        if g.pop("webhooks_emitted", False):
            from server.jobs import enqueue_webhook_delivery

            try:
                enqueue_webhook_delivery(app)
            except Exception:
                app.logger.exception("webhooks: could not enqueue the delivery task")
        return response
