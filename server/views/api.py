"""The JSON API (v1): SLA policies and the SLA preview, so far.

One error shape everywhere: ``{"error": CODE, "message": TEXT, "fields": {name: [..]}}``.
Requests are validated by pydantic models, which also describe them as JSON Schema.
Callers authenticate with ``Authorization: Bearer <token>`` (``server.api_tokens``; a bad
token is a 401, never a fall-back to the session) or with a logged-in session. The
endpoints here change nothing, so they are exempt from CSRF; endpoints that write must
accept only tokens (or check CSRF) when they come.
"""

from __future__ import annotations

from typing import Any, Literal

from flask import Blueprint, g, jsonify, request
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, model_validator

from server.catalog import current_registry
from server.permissions import user_can
from server.sla.preview import PreviewPause, preview

bp = Blueprint("api", __name__, url_prefix="/api/v1")

Priority = Literal["low", "normal", "high", "urgent"]


def error(status: int, code: str, message: str, fields: dict[str, list[str]] | None = None) -> Any:
    response = jsonify(error=code, message=message, fields=fields or {})
    response.status_code = status
    return response


@bp.before_request
def require_api_user() -> Any:
    # Login is checked app-wide; here the role: reading SLA data is for ticket staff.
    if not user_can(g.get("user"), "ticket.view"):
        return error(403, "forbidden", "Your role does not allow this.")
    return None


# --- SLA ------------------------------------------------------------------------------


class PauseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: AwareDatetime
    end: AwareDatetime
    status: str | None = Field(default=None, max_length=20)

    @model_validator(mode="after")
    def end_after_start(self) -> PauseIn:
        if self.end <= self.start:
            raise ValueError("a pause must end after it starts")
        return self


class PreviewIn(BaseModel):
    """``POST /api/v1/sla/preview``: what the deadlines would be."""

    model_config = ConfigDict(extra="forbid")

    policy: str = Field(min_length=1, max_length=80)
    priority: Priority
    reported_at: AwareDatetime
    pauses: list[PauseIn] = Field(default_factory=list, max_length=100)


def _field_errors(exc: ValidationError) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for problem in exc.errors():
        name = ".".join(str(part) for part in problem["loc"]) or "body"
        message = problem["msg"].removeprefix("Value error, ")
        fields.setdefault(name, []).append(message)
    return fields


@bp.route("/sla/policies")
def sla_policies() -> Any:
    """Every policy with its targets (minutes per priority), calendars and pauses."""
    registry = current_registry()
    return jsonify(
        policies=[
            {
                "name": policy.name,
                "label": {"zh": policy.label.zh, "en": policy.label.en},
                "metrics": {
                    target.metric: {
                        "calendar": target.calendar,
                        "target_minutes": dict(target.minutes),
                        "pause_statuses": list(target.pause_statuses),
                        "escalation": [
                            {"percent": step.percent, "notify": step.notify}
                            for step in target.escalation
                        ],
                    }
                    for target in policy.targets
                },
            }
            for policy in registry.policies.values()
        ],
        default_policy=registry.default_policy,
    )


@bp.route("/sla/preview", methods=["POST"])
def sla_preview() -> Any:
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return error(422, "invalid_request", "The body must be a JSON object.")
    try:
        data = PreviewIn.model_validate(payload)
    except ValidationError as exc:
        return error(422, "invalid_request", "Some fields are not valid.", _field_errors(exc))
    registry = current_registry()
    policy = registry.policies.get(data.policy)
    if policy is None:
        known = ", ".join(sorted(registry.policies)) or "none"
        return error(
            422,
            "invalid_request",
            "Some fields are not valid.",
            {"policy": [f"unknown policy (known: {known})"]},
        )
    pauses = [PreviewPause(p.start, p.end, p.status) for p in data.pauses]
    metrics = preview(registry, policy, data.priority, data.reported_at, pauses)
    return jsonify(
        policy=policy.name,
        metrics={
            m.metric: {
                "due": m.due.isoformat(),
                "calendar": m.calendar,
                "target_minutes": m.target_minutes,
                "paused_minutes": round(m.paused_seconds / 60, 2),
            }
            for m in metrics
        },
    )
