"""The plugin's ``[plugin.power_utility]`` table: defaults, checks, one frozen object.

Every key is optional; ``arrival_minutes = { rural = 120 }`` replaces only the entries it
names. A bad value raises ``ValueError`` with the dotted key, which the core turns into a
one-line start-up error naming the plugin.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .providers import Provider, parse_providers

REGION_CLASSES = ("urban", "rural", "remote")
PRIORITIES = ("urgent", "high", "normal", "low")

# 国家电网供电服务承诺: on site within 45 min in cities, 90 min in the countryside,
# 2 h in remote areas — around the clock.
DEFAULT_ARRIVAL_MINUTES = {"urban": 45, "rural": 90, "remote": 120}
DEFAULT_FIRST_RESPONSE = {"urgent": 15, "high": 30, "normal": 120, "low": 240}
DEFAULT_REPAIR_RESOLUTION = {"urgent": 480, "high": 720, "normal": 1440, "low": 2880}
DEFAULT_RESOLUTION = {"urgent": 1440, "high": 2880, "normal": 7200, "low": 14400}

_KEYS = {
    "timezone",
    "arrival_minutes",
    "first_response",
    "repair_resolution",
    "resolution",
    "providers",
}
_PREFIX = "plugin.power_utility"


@dataclass(frozen=True)
class Settings:
    """Everything the plugin reads from its config table, checked."""

    timezone: str
    arrival_minutes: Mapping[str, int]
    first_response: Mapping[str, int]
    repair_resolution: Mapping[str, int]
    resolution: Mapping[str, int]
    providers: tuple[Provider, ...] = ()


def parse(table: Mapping[str, Any]) -> Settings:
    """Check ``[plugin.power_utility]`` and fill in the defaults.

    :raises ValueError: naming the dotted key and what is wrong with it.
    """
    _no_unknown(table, _KEYS, _PREFIX)
    timezone = table.get("timezone", "Asia/Shanghai")
    try:
        ZoneInfo(str(timezone))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{_PREFIX}.timezone: unknown time zone {timezone!r}") from None
    return Settings(
        timezone=str(timezone),
        arrival_minutes=_minutes(table, "arrival_minutes", DEFAULT_ARRIVAL_MINUTES),
        first_response=_minutes(table, "first_response", DEFAULT_FIRST_RESPONSE),
        repair_resolution=_minutes(table, "repair_resolution", DEFAULT_REPAIR_RESOLUTION),
        resolution=_minutes(table, "resolution", DEFAULT_RESOLUTION),
        providers=parse_providers(table.get("providers", [])),
    )


def _no_unknown(table: Mapping[str, Any], known: set[str] | tuple[str, ...], where: str) -> None:
    for key in table:
        if key not in known:
            raise ValueError(f"{where}.{key}: unknown key (known: {', '.join(sorted(known))})")


def _minutes(table: Mapping[str, Any], key: str, default: Mapping[str, int]) -> dict[str, int]:
    given = table.get(key, {})
    where = f"{_PREFIX}.{key}"
    if not isinstance(given, Mapping):
        raise ValueError(f"{where}: must be a table of name = minutes")
    _no_unknown(given, tuple(default), where)
    minutes = {**default, **given}
    for name, value in minutes.items():
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 100_000:
            raise ValueError(f"{where}.{name}: must be whole minutes from 1 to 100000")
    return minutes
