"""The plugin's SLA defaults: 24×7 repair with arrival by region class, office hours else.

Tried in this order: fault repairs and outage incidents per region class (urban 45 min,
rural 90 min, remote 2 h on site by default, whatever the priority, on the always-open
``24x7`` clock), then ``pu_standard`` for everything else (first response around the
clock, resolution in office hours). Waiting for the customer pauses resolution.
"""

from __future__ import annotations

from server.plugin_api import (
    CalendarSpec,
    EscalationStep,
    MetricTarget,
    SlaMatch,
    SlaPolicy,
    label,
)

from .catalog import REPAIR_SERVICES
from .settings import PRIORITIES, REGION_CLASSES, Settings

ALWAYS = "24x7"
OFFICE = "pu_office"
LADDER = (EscalationStep(75, "assignee"), EscalationStep(100, "supervisor"))
_REGION_LABELS = {
    "urban": label("城区", "urban"),
    "rural": label("农村", "rural"),
    "remote": label("特殊边远地区", "remote"),
}


def calendar(settings: Settings) -> CalendarSpec:
    """The business hall's hours: weekdays 08:30–12:00 and 13:30–17:30, Chinese holidays."""
    return CalendarSpec(
        name=OFFICE,
        timezone=settings.timezone,
        days={"weekdays": ("08:30-12:00", "13:30-17:30")},
        holidays="china",
    )


def policies(settings: Settings) -> list[SlaPolicy]:
    """One repair policy per region class, then the office-hours default."""
    response = MetricTarget(
        "first_response", ALWAYS, dict(settings.first_response), escalation=LADDER
    )
    found = []
    for region in REGION_CLASSES:
        name = _REGION_LABELS[region]
        minutes = settings.arrival_minutes[region]
        found.append(
            SlaPolicy(
                f"pu_repair_{region}",
                label(f"抢修（{name.zh}）", f"Emergency repair ({name.en})"),
                (
                    response,
                    MetricTarget(
                        "arrival", ALWAYS, dict.fromkeys(PRIORITIES, minutes), escalation=LADDER
                    ),
                    MetricTarget(
                        "resolution",
                        ALWAYS,
                        dict(settings.repair_resolution),
                        pause_statuses=("waiting_customer",),
                        escalation=LADDER,
                    ),
                ),
                when=(SlaMatch(services=REPAIR_SERVICES, region_classes=(region,)),),
            )
        )
    found.append(
        SlaPolicy(
            "pu_standard",
            label("供电服务（标准）", "Power service (standard)"),
            (
                response,
                MetricTarget(
                    "resolution",
                    OFFICE,
                    dict(settings.resolution),
                    pause_statuses=("waiting_customer",),
                    escalation=LADDER,
                ),
            ),
        )
    )
    return found
