"""Recording a callback attempt: not reached (retry or unreachable) or reached (survey,
satisfaction, outcome) and what follows for the ticket — closed, reopened or a complaint.

Everything one attempt writes (the callback row, its timeline line, the ticket's move, a
complaint) is written in one transaction, or nothing is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from server.catalog import Registry
from server.db import write_transaction
from server.followup.models import Callback
from server.followup.outcomes import OUTCOMES, UNSATISFIED_CHOICES, default_outcome
from server.followup.schedule import policy_for
from server.i18n import gettext
from server.models import Ticket, TicketEvent, User, utcnow
from server.plugin_api import SurveyQuestion
from server.tickets import StaleTicket, TransitionRefused, transition_ticket
from server.webhooks import outbox as webhooks

# The complaint category an unsatisfied callback's outcome opens (server.complaints).
COMPLAINT_CATEGORY_OF_OUTCOME = {
    "attitude_complaint": "attitude",
    "first_repair_failed": "repair_failed",
    "repeated_repair_failures": "repeated_failure",
}
COMMENT_MAX = 2000
# How an answer can come in, and the complaint ledger's channel for each.
CHANNELS = {"phone": "phone", "email_link": "web"}

__all__ = [
    "CallbackAnswer",
    "CallbackInvalid",
    "CallbackNotPending",
    "StaleTicket",
    "TransitionRefused",
    "record_callback",
    "survey_for",
    "validate_answer",
    "weighted_score",
]


class CallbackInvalid(ValueError):
    """The form's answers do not hold together; ``errors`` maps field names to messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(m for messages in errors.values() for m in messages))


class CallbackNotPending(Exception):
    """Someone else recorded this callback meanwhile (or it was cancelled)."""


@dataclass(frozen=True)
class CallbackAnswer:
    """What the agent enters for one attempt.

    ``answers`` maps survey question codes to an int 1–5 (``scale``) or a bool
    (``yes_no``); ``outcome`` None takes the default from the satisfaction.
    """

    reached: bool
    satisfaction: int | None = None
    answers: Mapping[str, Any] = field(default_factory=dict)
    comment: str = ""
    outcome: str | None = None


def survey_for(registry: Registry, ticket: Ticket) -> list[SurveyQuestion]:
    """The survey questions of the ticket's plugins for its service, in asking order."""
    service = registry.service(ticket.plugin, ticket.service)
    if service is None:
        return []
    results = registry.ticket_hook(ticket.plugin, "survey_questions")(service=service)
    questions: list[SurveyQuestion] = []
    for result in results:
        for question in result or ():
            if not any(q.code == question.code for q in questions):
                questions.append(question)
    return questions


def weighted_score(questions: list[SurveyQuestion], answers: Mapping[str, Any]) -> float | None:
    """The answers' weighted mean on 0–100 (a scale 1 → 0, 5 → 100; yes 100, no 0).

    Unanswered questions are left out; None when nothing was answered. Rounded to two
    decimal places.
    """
    total = weight = 0.0
    for question in questions:
        value = answers.get(question.code)
        if value is None:
            continue
        total += question.weight * _points(question.kind, value)
        weight += question.weight
    return round(total / weight, 2) if weight else None


def _points(kind: str, value: Any) -> float:
    """An answer on 0–100: scale 1 → 0 … 5 → 100; yes 100, no 0."""
    if kind == "yes_no":
        return 100.0 if value else 0.0
    return (int(value) - 1) * 25.0


def validate_answer(
    questions: list[SurveyQuestion], answer: CallbackAnswer
) -> dict[str, list[str]]:
    """Errors by form field name (``satisfaction``, ``q_<code>``, ``outcome``, ``comment``)."""
    errors: dict[str, list[str]] = {}
    if len(answer.comment) > COMMENT_MAX:
        errors["comment"] = [gettext("at most %(n)s characters", n=COMMENT_MAX)]
    if not answer.reached:
        return errors
    if answer.satisfaction is None:
        errors["satisfaction"] = [gettext("say how satisfied the customer is (1–5)")]
    elif (
        isinstance(answer.satisfaction, bool)
        or not isinstance(answer.satisfaction, int)
        or not 1 <= answer.satisfaction <= 5
    ):
        errors["satisfaction"] = [gettext("must be between 1 and 5")]
    for question in questions:
        value = answer.answers.get(question.code)
        if value is None:
            continue
        if question.kind == "yes_no" and not isinstance(value, bool):
            errors[f"q_{question.code}"] = [gettext("answer yes or no")]
        elif question.kind == "scale" and (
            isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5
        ):
            errors[f"q_{question.code}"] = [gettext("must be between 1 and 5")]
    unknown = set(answer.answers) - {q.code for q in questions}
    if unknown:
        errors["answers"] = [gettext("unknown question %(code)s", code=repr(sorted(unknown)[0]))]
    if answer.outcome is not None and answer.outcome not in ("satisfied", *UNSATISFIED_CHOICES):
        errors["outcome"] = [gettext("not a callback outcome")]
    return errors


def record_callback(
    registry: Registry,
    callback: Callback,
    expected_version: int,
    answer: CallbackAnswer,
    actor: User,
    now: dt.datetime | None = None,
    channel: str = "phone",
) -> Callback:
    """Record one attempt of ``callback`` as ``actor`` and carry out what follows.

    ``channel`` says how the answer came: ``"phone"`` (an agent called) or
    ``"email_link"`` (the customer answered the emailed survey; ``actor`` is then whoever
    sent it: a staff member, or the ``@survey`` system user for automatic mails). It is
    kept on the callback and its timeline event.

    Not reached: the attempt is counted and the next try scheduled by ``retry_hours``;
    the ``max_attempts``-th makes the callback ``unreachable`` (and closes the ticket
    with ``close_when_unreachable``). Reached: the survey is scored and the outcome
    recorded; satisfied closes the resolved ticket, unsatisfied reopens it or opens a
    complaint (``[callbacks] unsatisfied``; the ticket then closes).

    :raises CallbackInvalid: bad answers (nothing written).
    :raises CallbackNotPending: the callback was recorded or cancelled meanwhile.
    :raises StaleTicket: the ticket changed since ``expected_version``.
    :raises TransitionRefused: the ticket cannot make the move (nothing written).
    """
    now = now or utcnow()
    ticket = Ticket.get_by_id(callback.ticket_id)
    questions = survey_for(registry, ticket) if answer.reached else []
    errors = validate_answer(questions, answer)
    if errors:
        raise CallbackInvalid(errors)
    if callback.status != "pending":
        raise CallbackNotPending()
    if ticket.version != expected_version:
        raise StaleTicket(ticket)
    if channel not in CHANNELS:
        raise ValueError(f"unknown callback channel {channel!r}")
    settings = registry.callbacks
    attempt = callback.attempts + 1
    changes: dict[Any, Any] = {
        Callback.attempts: attempt,
        Callback.agent: actor,
        Callback.channel: channel,
    }
    event: dict[str, Any] = {
        "callback_id": callback.id,
        "attempt": attempt,
        "reached": answer.reached,
        "satisfaction": None,
        "score": None,
        "outcome": None,
        "action": "",
    }
    if channel != "phone":
        event["channel"] = channel
    comment = answer.comment.strip()
    if comment:
        event["comment"] = comment[:500]
    if not answer.reached:
        if attempt >= settings.max_attempts:
            action = (
                "close" if settings.close_when_unreachable and ticket.status == "resolved" else ""
            )
            changes.update(
                {
                    Callback.status: "unreachable",
                    Callback.done_at: now,
                    Callback.next_try_at: None,
                    Callback.reached: False,
                    Callback.action: action,
                }
            )
        else:
            action = ""
            hours = settings.retry_after_hours(attempt)
            changes[Callback.next_try_at] = now + dt.timedelta(hours=hours)
            event["next_try_at"] = changes[Callback.next_try_at].isoformat()
        if comment:
            changes[Callback.comment] = comment
    else:
        score = weighted_score(questions, answer.answers)
        assert answer.satisfaction is not None  # validated above
        outcome = answer.outcome or default_outcome(answer.satisfaction, settings.satisfied_from)
        if outcome == "satisfied":
            action = "close" if ticket.status == "resolved" else ""
        else:
            action = policy_for(registry, ticket).unsatisfied
        changes.update(
            {
                Callback.status: "done",
                Callback.done_at: now,
                Callback.next_try_at: None,
                Callback.reached: True,
                Callback.satisfaction: answer.satisfaction,
                Callback.score: score,
                Callback.answers: dict(answer.answers),
                Callback.comment: comment,
                Callback.outcome: outcome,
                Callback.action: action,
            }
        )
        event.update(satisfaction=answer.satisfaction, score=score, outcome=outcome, action=action)
    event["action"] = action
    with write_transaction():
        updated = (
            Callback.update(changes)
            .where(
                (Callback.id == callback.id)
                & (Callback.status == "pending")
                & (Callback.attempts == callback.attempts)
            )
            .execute()
        )
        if updated != 1:
            raise CallbackNotPending()
        TicketEvent.create(ticket=ticket, actor=actor, at=now, kind="callback", data=event)
        _follow_through(registry, ticket, callback, action, answer, event, actor, now)
        webhooks.callback_done(ticket.id, event, now)
    return Callback.get_by_id(callback.id)


def _follow_through(
    registry: Registry,
    ticket: Ticket,
    callback: Callback,
    action: str,
    answer: CallbackAnswer,
    event: Mapping[str, Any],
    actor: User,
    now: dt.datetime,
) -> None:
    """The ticket's move after the callback (inside the caller's transaction)."""
    label = f"callback #{callback.id}"
    if action == "close":
        if answer.reached:
            note = f"Closed after {label}: satisfied ({answer.satisfaction}/5)"
        else:
            note = f"Closed after {label}: customer unreachable"
        transition_ticket(registry, ticket, ticket.version, "closed", actor, note, now)
    elif action == "reopen":
        outcome = OUTCOMES[event["outcome"]].en.lower()
        note = f"Reopened after {label}: {outcome}"
        if answer.comment.strip():
            note += f" — {answer.comment.strip()[:400]}"
        transition_ticket(registry, ticket, ticket.version, "in_progress", actor, note, now)
    elif action == "complaint":
        from server.complaints.ledger import open_complaint

        complaint = open_complaint(
            channel=CHANNELS[event.get("channel", "phone")],
            category=COMPLAINT_CATEGORY_OF_OUTCOME.get(event["outcome"], "other"),
            description=answer.comment.strip()
            or f"Unsatisfied at {label} ({answer.satisfaction}/5)",
            owner=actor,
            ticket=ticket,
            customer=ticket.customer,
            staff=ticket.assignee,
            source="callback",
            callback_id=callback.id,
            now=now,
        )
        if ticket.status == "resolved":
            fresh = Ticket.get_by_id(ticket.id)
            note = f"Closed after {label}: complaint {complaint.number} carries the case on"
            transition_ticket(registry, fresh, fresh.version, "closed", actor, note, now)
