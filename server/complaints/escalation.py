"""Escalating overdue complaint stages upward, one level at a time.

Level 1 tells the owner when the stage falls due; level 2 tells every active supervisor
``escalate_every_hours`` working hours later; level 3 every active admin as long again.
Each level is claimed with a conditional UPDATE on ``escalation_level`` before anyone is
told, so two sweeps running at once never escalate the same level twice. A finished
stage resets the level for the next stage.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app

from server.complaints.ledger import complaint_settings
from server.complaints.models import OPEN_STAGES, Complaint, ComplaintStep
from server.db import write_transaction
from server.models import User, utcnow
from server.notifications import notify

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


def _recipients(complaint: Complaint, level: int) -> list[User]:
    if level == 1:
        return [complaint.owner] if complaint.owner.active else []
    role = LEVELS[level - 1]
    return list(User.select().where((User.role == role) & (User.active == True)))  # noqa: E712


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
        users = _recipients(complaint, level)
        due = complaint.stage_due_at.strftime("%Y-%m-%d %H:%M UTC")
        stage = complaint.stage.replace("_", " ")
        subject = f"[{complaint.number}] complaint overdue at {stage}"
        text = (
            f"Complaint {complaint.number} ({complaint.category}) is overdue at its {stage} "
            f"stage (due {due}); owner {complaint.owner}."
        )
        count = notify(users, complaint.ticket, subject, text, now)
        names = ", ".join(str(u) for u in users) or "nobody active"
        ComplaintStep.create(
            complaint=complaint.id,
            stage=complaint.stage,
            at=now,
            kind="escalation",
            note=f"Escalated to level {level} ({LEVELS[level - 1]}): {names}",
            data={"level": level, "to": LEVELS[level - 1], "users": [u.id for u in users]},
        )
    return ComplaintEscalation(complaint.number, complaint.stage, level, count)
