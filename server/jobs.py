"""Periodic jobs on huey: the SLA sweep (with missed appointments), complaint escalation,
merit awards, automatic survey mails, webhook deliveries, mail; and the webhook task
requests enqueue.

huey keeps its queue in SQLite under ``instance/`` by default (one machine, nothing to
install) and in Redis when ``[jobs] backend = "redis"`` (several machines).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from flask import Flask
from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.api import TaskWrapper

from server.complaints.escalation import escalate_overdue
from server.customer_mail.auto_surveys import mail_due_surveys
from server.mail import deliver_pending
from server.merit.awarding import award_points
from server.sla.sweep import SweepResult, sweep
from server.webhooks.delivery import DeliveryRound, deliver_due

T = TypeVar("T")
_queue_lock = threading.Lock()


@dataclass(frozen=True)
class JobQueue:
    """An app's huey and the tasks it enqueues (kept in ``app.extensions``)."""

    huey: Huey
    deliver_webhooks: TaskWrapper


def make_huey(app: Flask) -> Huey:
    """The app's job queue, with its periodic tasks registered."""
    config = app.extensions["aftersales"].config
    if config.jobs.backend == "redis":
        huey = RedisHuey("aftersales", url=config.jobs.redis_url)
    else:
        huey = SqliteHuey("aftersales", filename=str(config.instance_path / "jobs.db"))
    every = config.jobs.sweep_every_minutes

    @huey.periodic_task(crontab(minute=f"*/{every}"), name="sla_sweep")
    def sla_sweep() -> None:
        run_sweep(app)

    @huey.task(name="deliver_webhooks")
    def deliver_webhooks() -> None:
        run_webhook_delivery(app)

    app.extensions["aftersales_jobs"] = JobQueue(huey, deliver_webhooks)
    return huey


def enqueue_webhook_delivery(app: Flask) -> None:
    """Ask a worker to send the due webhook deliveries now (the queue is made once)."""
    with _queue_lock:
        if "aftersales_jobs" not in app.extensions:
            make_huey(app)
        queue: JobQueue = app.extensions["aftersales_jobs"]
    queue.deliver_webhooks()


def run_webhook_delivery(app: Flask) -> DeliveryRound:
    """Send the due webhook deliveries (the task requests enqueue)."""
    with app.app_context():
        return deliver_due(settings=app.extensions["aftersales"].config.webhooks)


def run_sweep(app: Flask) -> tuple[SweepResult, tuple[int, int]]:
    """One round: sweep due SLA clocks, flag missed appointments, escalate overdue
    complaints, award merit points for the new ticket events (breaches included), mail
    the survey links of callbacks that came due (``[callbacks] email_surveys``), send the
    due webhook deliveries (the steps just fired included), send the mail outbox. A
    step that fails is logged and the later ones still run."""
    state = app.extensions["aftersales"]
    with app.app_context():
        result = sweep(state.registry)
        complaints = _logged_step(app, "complaint escalation", escalate_overdue, [])
        awards = _logged_step(
            app, "merit awarding", lambda: award_points(state.config.merit).awarded, 0
        )
        surveys = _logged_step(app, "survey mail", lambda: mail_due_surveys(state.registry), 0)
        hooks = _logged_step(
            app, "webhook delivery", lambda: deliver_due(settings=state.config.webhooks), None
        )
        mail = deliver_pending(state.config.mail)
    if complaints:
        app.logger.info("Complaint sweep: %d escalation levels", len(complaints))
    if surveys:
        app.logger.info("Survey mail: %d callbacks mailed their survey link", surveys)
    if hooks and (hooks.delivered or hooks.retrying or hooks.failed):
        app.logger.info(
            "Webhooks: %d delivered, %d to retry, %d given up",
            hooks.delivered,
            hooks.retrying,
            hooks.failed,
        )
    app.logger.info(
        "SLA sweep: %d tickets, %d breaches, %d escalation steps, %d missed appointments; "
        "merit: %d entries awarded; mail %d sent, %d failed",
        result.tickets,
        result.breaches,
        len(result.escalations),
        result.missed_appointments,
        awards,
        *mail,
    )
    return result, mail


def _logged_step(app: Flask, name: str, step: Callable[[], T], failed: T) -> T:
    """Run one step of the round; a failure is logged with its traceback, not raised, so
    one broken step (say, a bad merit rule) never holds back the mail outbox."""
    try:
        return step()
    except Exception:
        app.logger.exception("periodic round: %s failed", name)
        return failed
