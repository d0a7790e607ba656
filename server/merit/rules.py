"""``[merit]``: the rules that turn ticket timeline events into merit entries.

A rule names a timeline event kind, conditions on the event's data, who gets the entry
and at which level (with an optional money reward or fine in yuan)::

    [[merit.rules]]
    name = "five_star_callback"
    event = "callback"
    when = { satisfaction = 5 }
    who = "assignee"
    level = "commendation"

A condition is a value (equality; a list means any of them) or a table with ``min``
and/or ``max`` (inclusive). An event whose data lacks the key does not match.
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from server.merit.levels import LEVELS, is_positive
from server.sla.settings import SettingsError, checked_table

RULE_KEYS = ("name", "event", "when", "who", "level", "amount")
WHO = ("assignee", "actor", "staff")
# Timeline event kinds a rule may name: the core's, and those of callbacks and complaints.
# ``merit`` itself is not one: an award never awards again.
EVENT_KINDS = (
    "created",
    "status",
    "assigned",
    "field",
    "comment",
    "attachment",
    "dispatch_failed",
    "readiness_confirmed",
    "quote_consented",
    "report_filed",
    "appointment_set",
    "appointment_rescheduled",
    "appointment_missed",
    "sla_breached",
    "sla_escalation",
    "linked_to_parent",
    "unlinked_from_parent",
    "child_linked",
    "child_unlinked",
    "callback",
    "complaint",
    "complaint_upheld",
)
_NAME = re.compile(r"^[a-z0-9_]{1,80}$")
MAX_AMOUNT = decimal.Decimal(1_000_000)


@dataclass(frozen=True)
class Condition:
    """One key of ``when``: equal to one of ``values``, or within ``minimum``–``maximum``."""

    values: tuple[Any, ...] = ()
    minimum: float | None = None
    maximum: float | None = None

    def holds(self, value: Any) -> bool:
        if value is None:
            return False
        if self.values:
            return any(_same(wanted, value) for wanted in self.values)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return False
        if self.minimum is not None and value < self.minimum:
            return False
        return self.maximum is None or value <= self.maximum


def _same(wanted: Any, value: Any) -> bool:
    """Equal, except that a boolean equals only a boolean (``true`` is not ``1``)."""
    if isinstance(wanted, bool) or isinstance(value, bool):
        return isinstance(wanted, bool) and isinstance(value, bool) and wanted == value
    return bool(wanted == value)


@dataclass(frozen=True)
class MeritRule:
    """Events of kind ``event`` whose data meet ``when`` give ``who`` an entry of ``level``."""

    name: str
    event: str
    level: str
    who: str = "assignee"
    when: Mapping[str, Condition] = field(default_factory=dict)
    amount_cents: int = 0  # unsigned, as configured; the entry's sign follows the level

    def matches(self, kind: str, data: Mapping[str, Any]) -> bool:
        """The event is this rule's kind and every condition holds on its data."""
        if kind != self.event:
            return False
        return all(condition.holds(data.get(key)) for key, condition in self.when.items())

    @property
    def signed_amount_cents(self) -> int:
        return self.amount_cents if is_positive(self.level) else -self.amount_cents


@dataclass(frozen=True)
class MeritSettings:
    """The parsed ``[merit]`` section."""

    rules: tuple[MeritRule, ...] = ()

    @property
    def event_kinds(self) -> tuple[str, ...]:
        return tuple(sorted({rule.event for rule in self.rules}))


def parse_merit(raw: Any) -> MeritSettings:
    """The ``[merit]`` table → settings; raises :class:`SettingsError` naming the key."""
    checked_table(raw, "merit", ("rules",), "must be a table, e.g. [merit]")
    rules_raw = raw.get("rules", [])
    if not isinstance(rules_raw, list):
        raise SettingsError("merit.rules", "must be an array of tables: [[merit.rules]]")
    rules = tuple(_parse_rule(table, number) for number, table in enumerate(rules_raw, start=1))
    seen: set[str] = set()
    for number, rule in enumerate(rules, start=1):
        if rule.name in seen:
            raise SettingsError(f"merit.rules[{number}].name", f"{rule.name!r} is used twice")
        seen.add(rule.name)
    return MeritSettings(rules=rules)


def _parse_rule(table: Any, number: int) -> MeritRule:
    prefix = f"merit.rules[{number}]"
    checked_table(table, prefix, RULE_KEYS)
    name = table.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise SettingsError(
            f"{prefix}.name", "must be a name of lower-case letters, digits and _ (≤ 80)"
        )
    event = table.get("event")
    if event not in EVENT_KINDS:
        raise SettingsError(
            f"{prefix}.event", f"must be a timeline event kind, one of {', '.join(EVENT_KINDS)}"
        )
    level = table.get("level")
    if level not in LEVELS:
        raise SettingsError(f"{prefix}.level", f"must be one of {', '.join(LEVELS)}")
    who = table.get("who", "assignee")
    if who not in WHO:
        raise SettingsError(f"{prefix}.who", f"must be one of {', '.join(WHO)}")
    when_raw = table.get("when", {})
    if not isinstance(when_raw, Mapping):
        raise SettingsError(f"{prefix}.when", "must be a table, e.g. { satisfaction = 5 }")
    when = {key: _parse_condition(value, f"{prefix}.when.{key}") for key, value in when_raw.items()}
    amount = parse_amount(table.get("amount", 0), f"{prefix}.amount")
    return MeritRule(name=name, event=event, level=level, who=who, when=when, amount_cents=amount)


def _parse_condition(value: Any, key: str) -> Condition:
    if isinstance(value, Mapping):
        for bound in value:
            if bound not in ("min", "max"):
                raise SettingsError(f"{key}.{bound}", "unknown key (use min and max)")
        if not value:
            raise SettingsError(key, "needs min, max or both")
        bounds = {}
        for bound in ("min", "max"):
            number = value.get(bound)
            if number is not None and (
                isinstance(number, bool) or not isinstance(number, int | float)
            ):
                raise SettingsError(f"{key}.{bound}", f"must be a number, got {number!r}")
            bounds[bound] = number
        if (
            bounds["min"] is not None
            and bounds["max"] is not None
            and bounds["min"] > bounds["max"]
        ):
            raise SettingsError(key, "min is greater than max")
        return Condition(minimum=bounds["min"], maximum=bounds["max"])
    values = value if isinstance(value, list) else [value]
    if not values or not all(isinstance(v, str | int | float | bool) for v in values):
        raise SettingsError(
            key, "must be a value, a list of values, or a table with min and/or max"
        )
    return Condition(values=tuple(values))


def parse_amount(value: Any, key: str) -> int:
    """Yuan (an integer, a number or a decimal string such as "20.50") → unsigned cents."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise SettingsError(key, f'must be an amount in yuan such as 20 or "20.50", got {value!r}')
    try:
        amount = decimal.Decimal(str(value).strip())
    except decimal.InvalidOperation:
        raise SettingsError(
            key, f'must be an amount in yuan such as 20 or "20.50", got {value!r}'
        ) from None
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise SettingsError(key, "must be between 0 and 1000000")
    if amount != amount.quantize(decimal.Decimal("0.01")):
        raise SettingsError(key, "must have at most two decimal places")
    return int(amount * 100)
