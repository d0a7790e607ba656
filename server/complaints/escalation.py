"""Escalating overdue complaint stages upward, one level at a time.

Level 1 tells the owner when the stage falls due (every active supervisor instead when
the owner cannot act: a deactivated account, or a system account such as the automatic
survey's ``@survey``); level 2 tells every active supervisor ``escalate_every_hours``
working hours later; level 3 every active admin as long again.
Each level is claimed with a conditional UPDATE on ``escalation_level`` before anyone is
told, so two sweeps running at once never escalate the same level twice. A finished
stage resets the level for the next stage.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app

from server.complaints.categories import CATEGORIES
from server.complaints.ledger import complaint_settings
from server.complaints.models import OPEN_STAGES, Complaint, ComplaintStep
from server.db import write_transaction
from server.i18n import gettext
from server.messages import text
from server.models import User, utcnow
from server.notifications import notify
from server.plugin_api import Label

LEVELS = ("owner", "supervisor", "admin")


@dataclass(frozen=True)
class ComplaintEscalation:
    """One level reached by one complaint in a sweep."""

    number: str
    stage: str
    level: int
    notified: int


def level_due(complaint: Complaint, level: int) -> dt.datetime:
    """When ``level`` (1–3) falls due: the stage deadline plus (level−1) steps (naive UTC)."""
    settings = complaint_settings()
    calendar = current_app.extensions["aftersales"].registry.calendars[settings.calendar]
    start = complaint.stage_due_at.replace(tzinfo=dt.UTC)
    due = calendar.add(start, settings.escalate_every_seconds * (level - 1))
    return due.astimezone(dt.UTC).replace(tzinfo=None)


def _recipients(complaint: Complaint, level: int) -> tuple[str, list[User]]:
    """Who is told at ``level``, and as whom (an entry of ``LEVELS``)."""
    role = LEVELS[level - 1]
    if level == 1:
        owner = complaint.owner
        if owner.active and not owner.is_system:
            return role, [owner]
        role = "supervisor"  # nobody would hear of it until level 2
    return role, list(User.select().where((User.role == role) & (User.active == True)))  # noqa: E712


def escalate_overdue(now: dt.datetime | None = None) -> list[ComplaintEscalation]:
    """Escalate every open complaint whose stage (or last level) is overdue by one level."""
    now = now or utcnow()
    candidates = (
        Complaint.select()
        .where(
            Complaint.stage.in_(list(OPEN_STAGES))
            & (Complaint.stage_due_at <= now)
            & (Complaint.escalation_level < len(LEVELS))
        )
        .order_by(Complaint.stage_due_at, Complaint.id)
    )
    done = []
    for complaint in list(candidates):
        level = complaint.escalation_level + 1
        if level_due(complaint, level) > now:
            continue
        escalation = _escalate(complaint, level, now)
        if escalation is not None:
            done.append(escalation)
    return done


# The stages as a notification names them (in the recipient's language).
STAGE_NAMES = {
    "record": Label("登记", "record"),
    "investigate": Label("调查", "investigate"),
    "act": Label("处理", "act"),
    "feedback": Label("反馈", "feedback"),
    "follow_up": Label("回访", "follow-up"),
}


def _escalate(complaint: Complaint, level: int, now: dt.datetime) -> ComplaintEscalation | None:
    with write_transaction():
        claimed = (
            Complaint.update(escalation_level=level)
            .where(
                (Complaint.id == complaint.id)
                & (Complaint.stage == complaint.stage)
                & (Complaint.escalation_level == level - 1)
            )
            .execute()
        )
        if claimed != 1:
            return None
        told_as, users = _recipients(complaint, level)
        due = complaint.stage_due_at.strftime("%Y-%m-%d %H:%M UTC")
        stage = STAGE_NAMES.get(complaint.stage) or Label(complaint.stage, complaint.stage)
        category = CATEGORIES.get(complaint.category) or Label(
            complaint.category, complaint.category
        )

        def subject() -> str:
            return gettext(
                "[%(number)s] complaint overdue at %(stage)s",
                number=complaint.number,
                stage=text(stage),
            )

        def body() -> str:
            return gettext(
                "Complaint %(number)s (%(category)s) is overdue at its %(stage)s stage "
                "(due %(due)s); owner %(owner)s.",
                number=complaint.number,
                category=text(category),
                stage=text(stage),
                due=due,
                owner=complaint.owner,
            )

        count = notify(users, complaint.ticket, subject, body, now)
        names = ", ".join(str(u) for u in users) or "nobody active"
        ComplaintStep.create(
            complaint=complaint.id,
            stage=complaint.stage,
            at=now,
            kind="escalation",
            note=f"Escalated to level {level} ({told_as}): {names}",
            data={"level": level, "to": told_as, "users": [u.id for u in users]},
        )
    return ComplaintEscalation(complaint.number, complaint.stage, level, count)
