"""The plugin's SLA defaults: complaints answered within a working day, visits by cycle."""

from __future__ import annotations

from server.plugin_api import CalendarSpec, EscalationStep, MetricTarget, SlaMatch, SlaPolicy, label

from .catalog import COMPLAINT_SERVICES
from .settings import Settings

OFFICE = "tr_office"
ALWAYS = "24x7"
PRIORITIES = ("low", "normal", "high", "urgent")
WORKING_DAY_MINUTES = 8 * 60  # 08:30–12:00 and 13:30–18:00

CALENDAR = CalendarSpec(
    name=OFFICE,
    timezone="Asia/Shanghai",
    days={"weekdays": ("08:30-12:00", "13:30-18:00")},
    holidays="china",
)

_LADDER = (EscalationStep(75, "assignee"), EscalationStep(100, "supervisor"))


def _every(minutes: int) -> dict[str, int]:
    return dict.fromkeys(PRIORITIES, minutes)


def policies(settings: Settings) -> list[SlaPolicy]:
    """Per-grade visit policies (in the table's order), complaints, first visits, default."""
    visits = [
        _visit_policy(f"tr_visit_{grade.lower()}", days, (grade,))
        for grade, days in settings.visit_cycle_days.items()
    ]
    visits.append(_visit_policy("tr_visit_other", settings.default_visit_cycle_days, ()))
    complaint = SlaPolicy(
        "tr_complaint",
        label("投诉：一个工作日内答复", "Complaint: answered within a working day"),
        (
            MetricTarget("first_response", OFFICE, _every(WORKING_DAY_MINUTES), escalation=_LADDER),
            MetricTarget(
                "resolution",
                OFFICE,
                _every(5 * WORKING_DAY_MINUTES),
                pause_statuses=("waiting_customer",),
                escalation=_LADDER,
            ),
        ),
        when=(SlaMatch(services=COMPLAINT_SERVICES),),
    )
    first_visit = SlaPolicy(
        "tr_first_visit",
        label("新户首访：立即走访", "First visit: at once"),
        (MetricTarget("resolution", OFFICE, _every(WORKING_DAY_MINUTES), escalation=_LADDER),),
        when=(SlaMatch(services=("first_visit",)),),
    )
    standard = SlaPolicy(
        "tr_standard",
        label("零售户服务标准", "Retailer service standard"),
        (
            MetricTarget("first_response", OFFICE, _every(WORKING_DAY_MINUTES)),
            MetricTarget(
                "resolution",
                OFFICE,
                _every(3 * WORKING_DAY_MINUTES),
                pause_statuses=("waiting_customer",),
            ),
        ),
    )
    return [*visits, complaint, first_visit, standard]


def _visit_policy(name: str, days: int, grades: tuple[str, ...]) -> SlaPolicy:
    """A routine visit is due within its grade's cycle, counted in calendar days."""
    text = "/".join(grades) or "其他"
    return SlaPolicy(
        name,
        label(
            f"{text}档走访：{days}天一访",
            f"Grade {'/'.join(grades) or 'other'} visit: every {days} days",
        ),
        (MetricTarget("resolution", ALWAYS, _every(days * 24 * 60)),),
        when=(SlaMatch(services=("visit",), customer_tiers=grades),),
    )
