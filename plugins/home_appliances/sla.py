"""The plugin's SLA defaults: a service-hours calendar and policies built from settings.

Tried in this order: return and exchange tickets the 三包 rules grant (a faster
resolution, no visit), then arrival by the
ticket's region class (urban / suburban / remote), then ``ha_standard`` (urban arrival)
for tickets without a region class. Waiting for parts or for the customer pauses
resolution; waiting for the customer pauses arrival.
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

from .entitlement import EXCHANGE, RETURN
from .settings import REGION_CLASSES, Settings

CALENDAR = "ha_service_hours"
LADDER = (EscalationStep(75, "assignee"), EscalationStep(100, "supervisor"))
_REGION_LABELS = {
    "urban": label("市区", "urban"),
    "suburban": label("郊区/县城", "suburban"),
    "remote": label("偏远地区", "remote"),
}


def calendar(settings: Settings) -> CalendarSpec:
    """Service hours 08:00–20:00 every day, weekends and holidays included."""
    return CalendarSpec(
        name=CALENDAR,
        timezone=settings.timezone,
        days={
            "weekdays": ("08:00-20:00",),
            "saturday": ("08:00-20:00",),
            "sunday": ("08:00-20:00",),
        },
    )


def policies(settings: Settings) -> list[SlaPolicy]:
    """Return/exchange first, then one policy per region class, then the default."""
    response = MetricTarget(
        "first_response", CALENDAR, dict(settings.sla["first_response"]), escalation=LADDER
    )
    resolution = MetricTarget(
        "resolution",
        CALENDAR,
        dict(settings.sla["resolution"]),
        pause_statuses=("waiting_customer", "waiting_parts"),
        escalation=LADDER,
    )

    def arrival(region: str) -> MetricTarget:
        return MetricTarget(
            "arrival",
            CALENDAR,
            dict(settings.arrival[region]),
            pause_statuses=("waiting_customer",),
            escalation=LADDER,
        )

    found = [
        SlaPolicy(
            "ha_return_exchange",
            label("家电退换货", "Appliance return or exchange"),
            (
                response,
                MetricTarget(
                    "resolution",
                    CALENDAR,
                    dict(settings.sla["return_exchange_resolution"]),
                    pause_statuses=("waiting_customer",),
                    escalation=LADDER,
                ),
            ),
            when=(SlaMatch(services=("exchange", "return"), entitlements=(RETURN, EXCHANGE)),),
        )
    ]
    for region in REGION_CLASSES:
        name = _REGION_LABELS[region]
        found.append(
            SlaPolicy(
                f"ha_{region}",
                label(f"家电服务（{name.zh}）", f"Appliance service ({name.en})"),
                (response, arrival(region), resolution),
                when=(SlaMatch(region_classes=(region,)),),
            )
        )
    found.append(
        SlaPolicy(
            "ha_standard",
            label("家电服务（标准）", "Appliance service (standard)"),
            (response, arrival("urban"), resolution),
        )
    )
    return found
