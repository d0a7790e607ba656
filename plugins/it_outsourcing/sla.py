"""SLA per contract tier: gold 24×7, silver business hours, bronze next business day."""

from __future__ import annotations

from server.plugin_api import CalendarSpec, EscalationStep, MetricTarget, SlaMatch, SlaPolicy, label

BUSINESS = "it_business"
ALWAYS = "24x7"
BUSINESS_DAY = 9 * 60  # 09:00–18:00

CALENDAR = CalendarSpec(
    name=BUSINESS,
    timezone="Asia/Shanghai",
    days={"weekdays": ("09:00-18:00",)},
    holidays="china",
)

_LADDER = (EscalationStep(75, "assignee"), EscalationStep(100, "supervisor"))
_PAUSE = ("waiting_customer",)
_PRIORITIES = ("urgent", "high", "normal", "low")


def _targets(calendar: str, response: dict[str, int], resolution: dict[str, int]) -> tuple:
    return (
        MetricTarget("first_response", calendar, response, escalation=_LADDER),
        MetricTarget("resolution", calendar, resolution, pause_statuses=_PAUSE, escalation=_LADDER),
    )


def policies() -> list[SlaPolicy]:
    """One policy per contract tier (matched on the entitlement), and out of contract."""
    gold = SlaPolicy(
        "it_gold",
        label("金牌合同：7×24小时", "Gold contract: 24×7"),
        _targets(
            ALWAYS,
            {"urgent": 15, "high": 30, "normal": 120, "low": 240},
            {"urgent": 4 * 60, "high": 8 * 60, "normal": 24 * 60, "low": 72 * 60},
        ),
        when=(SlaMatch(entitlements=("contract_gold",)),),
    )
    silver = SlaPolicy(
        "it_silver",
        label("银牌合同：工作时间", "Silver contract: business hours"),
        _targets(
            BUSINESS,
            {"urgent": 30, "high": 60, "normal": 240, "low": BUSINESS_DAY},
            {
                "urgent": BUSINESS_DAY,
                "high": 2 * BUSINESS_DAY,
                "normal": 3 * BUSINESS_DAY,
                "low": 5 * BUSINESS_DAY,
            },
        ),
        when=(SlaMatch(entitlements=("contract_silver",)),),
    )
    bronze = SlaPolicy(
        "it_bronze",
        label("铜牌合同：下一工作日", "Bronze contract: next business day"),
        _targets(
            BUSINESS,
            dict.fromkeys(_PRIORITIES, BUSINESS_DAY),
            {
                "urgent": 2 * BUSINESS_DAY,
                "high": 3 * BUSINESS_DAY,
                "normal": 5 * BUSINESS_DAY,
                "low": 10 * BUSINESS_DAY,
            },
        ),
        when=(SlaMatch(entitlements=("contract_bronze",)),),
    )
    outside = SlaPolicy(
        "it_out_of_contract",
        label("合同外服务：尽力而为", "Out of contract: best effort"),
        (MetricTarget("first_response", BUSINESS, dict.fromkeys(_PRIORITIES, 2 * BUSINESS_DAY)),),
    )
    return [gold, silver, bronze, outside]
