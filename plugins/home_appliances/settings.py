"""The plugin's ``[plugin.home_appliances]`` table: defaults, checks, one frozen object.

Every key is optional; a table given (``warranty_months``, ``sla.arrival.urban`` …)
replaces only the entries it names. A bad value raises ``ValueError`` with the dotted
key, which the core turns into a one-line start-up error naming the plugin.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

CATEGORIES = (
    "air_conditioner",
    "refrigerator",
    "washing_machine",
    "tv",
    "water_heater",
    "range_hood",
    "small_appliance",
)
PRIORITIES = ("urgent", "high", "normal", "low")
REGION_CLASSES = ("urban", "suburban", "remote")

# Whole unit one year; main components (compressor, motor, panel, heating element) three
# years — the national 三包 defaults for large appliances; small appliances one year.
DEFAULT_WARRANTY_MONTHS = dict.fromkeys(CATEGORIES, 12)
DEFAULT_MAIN_COMPONENT_MONTHS = {**dict.fromkeys(CATEGORIES, 36), "small_appliance": 12}

DEFAULT_SLA: dict[str, dict[str, int]] = {
    "first_response": {"urgent": 30, "high": 60, "normal": 120, "low": 240},
    "resolution": {"urgent": 1440, "high": 2880, "normal": 4320, "low": 7200},
    "return_exchange_resolution": {"urgent": 720, "high": 1440, "normal": 2160, "low": 2880},
}
DEFAULT_ARRIVAL: dict[str, dict[str, int]] = {
    "urban": {"urgent": 240, "high": 480, "normal": 1440, "low": 2880},
    "suburban": {"urgent": 480, "high": 720, "normal": 2160, "low": 4320},
    "remote": {"urgent": 1440, "high": 2160, "normal": 4320, "low": 7200},
}

_TOP_KEYS = {
    "timezone",
    "return_days",
    "exchange_days",
    "repairs_before_exchange",
    "extended_warranty_window_days",
    "extended_warranty_max_years",
    "parts_working_days",
    "factory_return_working_days",
    "warranty_months",
    "main_component_months",
    "sla",
}
_PREFIX = "plugin.home_appliances"


@dataclass(frozen=True)
class WarrantyTerms:
    """The 三包 numbers the entitlement decision uses."""

    warranty_months: Mapping[str, int]
    main_component_months: Mapping[str, int]
    return_days: int = 7
    exchange_days: int = 15
    repairs_before_exchange: int = 2
    extended_warranty_window_days: int = 30
    extended_warranty_max_years: int = 3


@dataclass(frozen=True)
class Settings:
    """Everything the plugin reads from its config table, checked."""

    timezone: str
    terms: WarrantyTerms
    parts_working_days: int
    factory_return_working_days: tuple[int, int]
    sla: Mapping[str, Mapping[str, int]]
    arrival: Mapping[str, Mapping[str, int]]


def parse(table: Mapping[str, Any]) -> Settings:
    """Check ``[plugin.home_appliances]`` and fill in the defaults.

    :raises ValueError: naming the dotted key and what is wrong with it.
    """
    _no_unknown(table, _TOP_KEYS, _PREFIX)
    timezone = table.get("timezone", "Asia/Shanghai")
    try:
        ZoneInfo(str(timezone))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{_PREFIX}.timezone: unknown time zone {timezone!r}") from None
    terms = WarrantyTerms(
        warranty_months=_months(table, "warranty_months", DEFAULT_WARRANTY_MONTHS),
        main_component_months=_months(
            table, "main_component_months", DEFAULT_MAIN_COMPONENT_MONTHS
        ),
        return_days=_whole(table, "return_days", 7, 0, 90),
        exchange_days=_whole(table, "exchange_days", 15, 0, 180),
        repairs_before_exchange=_whole(table, "repairs_before_exchange", 2, 1, 10),
        extended_warranty_window_days=_whole(table, "extended_warranty_window_days", 30, 0, 365),
        extended_warranty_max_years=_whole(table, "extended_warranty_max_years", 3, 1, 10),
    )
    if terms.exchange_days < terms.return_days:
        raise ValueError(f"{_PREFIX}.exchange_days: must not be shorter than return_days")
    factory = table.get("factory_return_working_days", [10, 15])
    if (
        not isinstance(factory, list | tuple)
        or len(factory) != 2
        or not all(_is_int(n) and 1 <= n <= 90 for n in factory)
        or factory[0] > factory[1]
    ):
        raise ValueError(
            f"{_PREFIX}.factory_return_working_days: must be [first follow-up, latest] "
            "working days, e.g. [10, 15]"
        )
    sla_table = table.get("sla", {})
    if not isinstance(sla_table, Mapping):
        raise ValueError(f"{_PREFIX}.sla: must be a table")
    _no_unknown(sla_table, {*DEFAULT_SLA, "arrival"}, f"{_PREFIX}.sla")
    sla = {
        metric: _per_priority(sla_table.get(metric, {}), default, f"{_PREFIX}.sla.{metric}")
        for metric, default in DEFAULT_SLA.items()
    }
    arrival_table = sla_table.get("arrival", {})
    if not isinstance(arrival_table, Mapping):
        raise ValueError(f"{_PREFIX}.sla.arrival: must be a table of region classes")
    _no_unknown(arrival_table, set(REGION_CLASSES), f"{_PREFIX}.sla.arrival")
    arrival = {
        region: _per_priority(
            arrival_table.get(region, {}), default, f"{_PREFIX}.sla.arrival.{region}"
        )
        for region, default in DEFAULT_ARRIVAL.items()
    }
    return Settings(
        timezone=str(timezone),
        terms=terms,
        parts_working_days=_whole(table, "parts_working_days", 7, 1, 60),
        factory_return_working_days=(int(factory[0]), int(factory[1])),
        sla=sla,
        arrival=arrival,
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _no_unknown(table: Mapping[str, Any], known: set[str], where: str) -> None:
    for key in table:
        if key not in known:
            raise ValueError(f"{where}.{key}: unknown key (known: {', '.join(sorted(known))})")


def _whole(table: Mapping[str, Any], key: str, default: int, low: int, high: int) -> int:
    value = table.get(key, default)
    if not _is_int(value) or not low <= value <= high:
        raise ValueError(f"{_PREFIX}.{key}: must be a whole number from {low} to {high}")
    return value


def _months(table: Mapping[str, Any], key: str, default: Mapping[str, int]) -> dict[str, int]:
    given = table.get(key, {})
    if not isinstance(given, Mapping):
        raise ValueError(f"{_PREFIX}.{key}: must be a table of category = months")
    _no_unknown(given, set(CATEGORIES), f"{_PREFIX}.{key}")
    months = {**default, **given}
    for category, value in months.items():
        if not _is_int(value) or not 1 <= value <= 240:
            raise ValueError(f"{_PREFIX}.{key}.{category}: must be whole months from 1 to 240")
    return months


def _per_priority(given: Any, default: Mapping[str, int], where: str) -> dict[str, int]:
    if not isinstance(given, Mapping):
        raise ValueError(f"{where}: must be a table of priority = minutes")
    _no_unknown(given, set(PRIORITIES), where)
    minutes = {**default, **given}
    for priority, value in minutes.items():
        if not _is_int(value) or value <= 0:
            raise ValueError(f"{where}.{priority}: must be positive whole minutes")
    return minutes
