"""SLA policies and the SLA preview (``/api/v1/sla/...``)."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from server.api import bp
from server.api.errors import invalid
from server.api.shapes import LabelOut
from server.api.spec import operation
from server.catalog import current_registry
from server.sla.preview import PreviewPause, preview

Priority = Literal["low", "normal", "high", "urgent"]


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
    """What the deadlines would be for a ticket reported at ``reported_at``."""

    model_config = ConfigDict(extra="forbid")

    policy: str = Field(min_length=1, max_length=80)
    priority: Priority
    reported_at: AwareDatetime
    pauses: list[PauseIn] = Field(default_factory=list, max_length=100)


class EscalationStepOut(BaseModel):
    percent: int
    notify: str


class PolicyMetricOut(BaseModel):
    calendar: str
    target_minutes: dict[str, int]
    pause_statuses: list[str]
    escalation: list[EscalationStepOut]


class PolicyOut(BaseModel):
    name: str
    label: LabelOut
    metrics: dict[str, PolicyMetricOut]


class PoliciesOut(BaseModel):
    policies: list[PolicyOut]
    default_policy: str | None


class PreviewMetricOut(BaseModel):
    due: AwareDatetime
    calendar: str
    target_minutes: int
    paused_minutes: float


class PreviewOut(BaseModel):
    policy: str
    metrics: dict[str, PreviewMetricOut]


@operation(
    bp,
    "GET",
    "/sla/policies",
    summary="SLA policies with their targets",
    tag="SLA",
    permission="ticket.view",
    response=PoliciesOut,
)
def sla_policies() -> PoliciesOut:
    """Every policy with its targets (minutes per priority), calendars and pauses."""
    registry = current_registry()
    return PoliciesOut(
        policies=[
            PolicyOut(
                name=policy.name,
                label=LabelOut(zh=policy.label.zh, en=policy.label.en),
                metrics={
                    target.metric: PolicyMetricOut(
                        calendar=target.calendar,
                        target_minutes=dict(target.minutes),
                        pause_statuses=list(target.pause_statuses),
                        escalation=[
                            EscalationStepOut(percent=step.percent, notify=step.notify)
                            for step in target.escalation
                        ],
                    )
                    for target in policy.targets
                },
            )
            for policy in registry.policies.values()
        ],
        default_policy=registry.default_policy,
    )


@operation(
    bp,
    "POST",
    "/sla/preview",
    summary="Preview SLA deadlines",
    tag="SLA",
    permission="ticket.view",
    body=PreviewIn,
    response=PreviewOut,
)
def sla_preview(body: PreviewIn) -> PreviewOut:
    """The deadlines a ticket would get under ``policy``, with optional pauses.

    Changes nothing, so it needs no CSRF token from a logged-in page."""
    registry = current_registry()
    policy = registry.policies.get(body.policy)
    if policy is None:
        known = ", ".join(sorted(registry.policies)) or "none"
        raise invalid({"policy": [f"unknown policy (known: {known})"]})
    pauses = [PreviewPause(p.start, p.end, p.status) for p in body.pauses]
    metrics = preview(registry, policy, body.priority, body.reported_at, pauses)
    return PreviewOut(
        policy=policy.name,
        metrics={
            m.metric: PreviewMetricOut(
                due=m.due,
                calendar=m.calendar,
                target_minutes=m.target_minutes,
                paused_minutes=round(m.paused_seconds / 60, 2),
            )
            for m in metrics
        },
    )
