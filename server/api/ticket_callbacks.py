"""Callbacks (回访) through the API: a ticket's callbacks with its survey, and recording
an attempt through ``server.followup.record`` — the callback page's own code."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from flask import g
from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StrictBool,
    WithJsonSchema,
)

from server.api import bp
from server.api.errors import ApiError, invalid, not_found
from server.api.shapes import LabelOut, aware, label_out
from server.api.spec import operation
from server.api.ticket_access import if_match_version, stale, visible_ticket
from server.api.ticket_inputs import trimmed_text
from server.api.ticket_shapes import TicketOut, ticket_answer
from server.catalog import current_registry
from server.complaints.ledger import ComplaintError
from server.followup.models import Callback
from server.followup.outcomes import UNSATISFIED_CHOICES
from server.followup.record import (
    COMMENT_MAX,
    CallbackAnswer,
    CallbackInvalid,
    CallbackNotPending,
    StaleTicket,
    TransitionRefused,
    record_callback,
    survey_for,
)

TAG = "Callbacks"

Outcome = Literal[("satisfied", *UNSATISFIED_CHOICES)]  # type: ignore[valid-type]


def _survey_answer(value: Any) -> bool | int:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and 1 <= value <= 5:
        return value
    raise ValueError("true/false for a yes-no question, 1–5 for a scale")


# One check, so an error is named ``answers.<code>`` (a union would add its branches).
Answer = Annotated[
    bool | int,
    PlainValidator(_survey_answer),
    WithJsonSchema(
        {"anyOf": [{"type": "boolean"}, {"type": "integer", "minimum": 1, "maximum": 5}]}
    ),
]
CallbackComment = trimmed_text(COMMENT_MAX, required=False)


class SurveyQuestionOut(BaseModel):
    code: str
    label: LabelOut
    kind: Literal["scale", "yes_no"] = Field(description="scale: 1–5 (5 best); yes_no: true/false")
    weight: float


class CallbackOut(BaseModel):
    id: int
    ticket_id: int
    status: Literal["pending", "done", "unreachable", "cancelled"]
    due_at: AwareDatetime
    next_try_at: AwareDatetime | None
    attempts: int
    agent: str | None = Field(description="Username of who recorded the last attempt.")
    done_at: AwareDatetime | None
    reached: bool | None
    satisfaction: int | None
    score: float | None = Field(description="The survey's weighted score, 0–100.")
    answers: dict[str, Any]
    comment: str
    outcome: str | None
    action: str = Field(description="What followed: close, reopen, complaint or nothing.")
    created_at: AwareDatetime


class CallbacksOut(BaseModel):
    items: list[CallbackOut]
    survey: list[SurveyQuestionOut] = Field(
        description="The questions to answer in `answers` when the customer is reached."
    )


class CallbackIn(BaseModel):
    """One attempt. Satisfaction is required when the customer was reached."""

    model_config = ConfigDict(extra="forbid")

    reached: StrictBool
    satisfaction: Annotated[int, Field(strict=True, ge=1, le=5)] | None = None
    answers: dict[str, Answer] = Field(
        default_factory=dict, max_length=50, description="Survey answers by question code."
    )
    comment: CallbackComment = ""
    outcome: Outcome | None = Field(default=None, description="Leave out to go by satisfaction.")


class CallbackRecordedOut(BaseModel):
    callback: CallbackOut
    ticket: TicketOut


def callback_out(callback: Callback) -> CallbackOut:
    return CallbackOut(
        id=callback.id,
        ticket_id=callback.ticket_id,
        status=callback.status,
        due_at=aware(callback.due_at),
        next_try_at=aware(callback.next_try_at),
        attempts=callback.attempts,
        agent=callback.agent.username if callback.agent_id else None,
        done_at=aware(callback.done_at),
        reached=callback.reached,
        satisfaction=callback.satisfaction,
        score=callback.score,
        answers=dict(callback.answers or {}),
        comment=callback.comment,
        outcome=callback.outcome,
        action=callback.action,
        created_at=aware(callback.created_at),
    )


@operation(
    bp,
    "GET",
    "/tickets/<id:ticket_id>/callbacks",
    summary="A ticket's callbacks and its survey",
    tag=TAG,
    permission="callback.make",
    response=CallbacksOut,
)
def list_ticket_callbacks(ticket_id: int) -> CallbacksOut:
    """Every callback of the ticket, newest first, and the survey its service asks."""
    ticket = visible_ticket(ticket_id)
    rows = Callback.select().where(Callback.ticket == ticket.id).order_by(Callback.id.desc())
    return CallbacksOut(
        items=[callback_out(row) for row in rows],
        survey=[
            SurveyQuestionOut(code=q.code, label=label_out(q.label), kind=q.kind, weight=q.weight)
            for q in survey_for(current_registry(), ticket)
        ],
    )


def _answer_of(body: CallbackIn) -> CallbackAnswer:
    """As the callback form hands it over: answers only count when reached."""
    return CallbackAnswer(
        reached=body.reached,
        satisfaction=body.satisfaction if body.reached else None,
        answers=dict(body.answers) if body.reached else {},
        comment=body.comment,
        outcome=body.outcome if body.reached else None,
    )


def _field_names(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """The record's form field names (``q_<code>``) as the body's (``answers.<code>``)."""
    return {
        (f"answers.{name[2:]}" if name.startswith("q_") else name): messages
        for name, messages in errors.items()
    }


@operation(
    bp,
    "POST",
    "/callbacks/<id:callback_id>",
    summary="Record a callback attempt",
    tag=TAG,
    permission="callback.make",
    body=CallbackIn,
    response=CallbackRecordedOut,
    errors=(409,),
    writes=True,
)
def record_callback_api(callback_id: int, body: CallbackIn) -> Any:
    """Not reached: the next try is scheduled (or, after the last, the callback is
    unreachable). Reached: satisfaction and survey are recorded and the ticket closed,
    reopened or handed to a complaint, as on the callback page. A callback already
    recorded is a 409; ``If-Match`` with the ticket's version is optional (409 when the
    ticket changed since); a move the ticket cannot make is a 422 ``transition_refused``."""
    callback = Callback.get_or_none(Callback.id == callback_id)
    if callback is None:
        raise not_found("callback")
    ticket = visible_ticket(callback.ticket_id)
    if callback.status != "pending":
        raise ApiError(409, "conflict", f"This callback is already {callback.status}.")
    sent = if_match_version(required=False)
    expected = ticket.version if sent is None else sent
    try:
        done = record_callback(current_registry(), callback, expected, _answer_of(body), g.user)
    except CallbackInvalid as exc:
        raise invalid(_field_names(exc.errors)) from None
    except StaleTicket as exc:
        raise stale(exc, expected) from None
    except CallbackNotPending:
        raise ApiError(409, "conflict", "Someone recorded this callback meanwhile.") from None
    except (TransitionRefused, ComplaintError) as exc:
        raise ApiError(422, "transition_refused", f"Not recorded: {exc}.") from None
    ticket_model, _status, headers = ticket_answer(ticket)
    return CallbackRecordedOut(callback=callback_out(done), ticket=ticket_model), 200, headers
