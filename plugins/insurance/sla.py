"""The claims clock: a decision due 30 days after the documents are complete (or the
policy contract's own limit, its ``claim_decision_days`` attribute), payment due 10 days
after the agreement — milestone metrics on the always-open calendar, paused while the
ticket waits for the customer (documents requested).
A date milestone is midnight Beijing time on the plugin's every-hour calendar."""

from __future__ import annotations

from server.plugin_api import (
    CalendarSpec,
    EscalationStep,
    MetricTarget,
    SlaMatch,
    SlaPolicy,
    label,
)

# Claims time limits count calendar days in China: every hour of every day, and a date
# milestone starts at midnight Beijing time.
CALENDAR = "in_calendar_days"
CALENDAR_SPEC = CalendarSpec(
    name=CALENDAR,
    timezone="Asia/Shanghai",
    days={day: ("00:00-24:00",) for day in ("weekdays", "saturday", "sunday")},
)
DECISION_DAYS = 30
PAYMENT_DAYS = 10
LADDER = (EscalationStep(80, "assignee"), EscalationStep(100, "supervisor"))
_ALL = ("low", "normal", "high", "urgent")


def _days(days: int) -> dict[str, int]:
    return dict.fromkeys(_ALL, days * 24 * 60)


RESPONSE = MetricTarget(
    "first_response",
    CALENDAR,
    {"urgent": 60, "high": 120, "normal": 240, "low": 480},
    escalation=LADDER,
)
DECISION = MetricTarget(
    "claim_decision",
    CALENDAR,
    _days(DECISION_DAYS),
    pause_statuses=("waiting_customer",),
    escalation=LADDER,
    starts_at="documents_complete_on",
    stops_at="decision_on",
    days_from="claim_decision_days",
    label=label("理赔决定", "claim decision"),
)
PAYMENT = MetricTarget(
    "claim_payment",
    CALENDAR,
    _days(PAYMENT_DAYS),
    escalation=LADDER,
    starts_at="agreement_on",
    stops_at="paid_on",
    label=label("赔款支付", "claim payment"),
)
RESOLUTION = MetricTarget(
    "resolution",
    CALENDAR,
    {"urgent": 1440, "high": 2880, "normal": 7200, "low": 14400},
    pause_statuses=("waiting_customer",),
    escalation=LADDER,
)

POLICIES = (
    SlaPolicy(
        name="in_claims",
        label=label("理赔时效", "Claims time limits"),
        targets=(RESPONSE, DECISION, PAYMENT),
        when=(SlaMatch(services=("claim_report",)),),
    ),
    SlaPolicy(
        name="in_standard",
        label=label("保险标准服务", "Insurance standard service"),
        targets=(RESPONSE, RESOLUTION),
    ),
)
