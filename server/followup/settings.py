"""``[callbacks]``: when a resolved ticket is called back, how often to retry, what follows.

``[[callbacks.rules]]`` entries are tried in order; the first whose ``plugin`` and
``services`` match the ticket decides the keys it sets. A key a rule leaves out comes
from the service's own ``callback_days`` (for ``due_working_days``), else the section.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from server.sla.settings import SettingsError, checked_table

UNSATISFIED_ACTIONS = ("reopen", "complaint")
SECTION_KEYS = (
    "due_working_days",
    "calendar",
    "retry_hours",
    "max_attempts",
    "close_when_unreachable",
    "satisfied_from",
    "unsatisfied",
    "required",
    "survey_link_days",
    "email_surveys",
    "email_survey_grace_hours",
    "rules",
)
RULE_KEYS = ("plugin", "services", "due_working_days", "unsatisfied", "required")
MAX_DAYS = 60
MAX_SURVEY_LINK_DAYS = 90
MAX_GRACE_HOURS = 24 * 7


@dataclass(frozen=True)
class CallbackRule:
    """What tickets of ``plugin`` (and ``services``; all when empty) get; None inherits."""

    plugin: str
    services: tuple[str, ...] = ()
    due_working_days: int | None = None
    unsatisfied: str | None = None
    required: bool | None = None

    def applies_to(self, plugin: str, service: str) -> bool:
        return self.plugin == plugin and (not self.services or service in self.services)


@dataclass(frozen=True)
class CallbackPolicy:
    """The callback rules for one service: ``days`` 0 means no callback at all."""

    days: int
    unsatisfied: str
    required: bool

    @property
    def schedules(self) -> bool:
        return self.days > 0

    @property
    def needed_to_close(self) -> bool:
        """Closing by hand is refused without a satisfied (or allowed) callback."""
        return self.schedules and self.required


@dataclass(frozen=True)
class CallbackSettings:
    """The parsed ``[callbacks]`` section."""

    due_working_days: int = 3
    # An SLA calendar name; empty means the default policy's resolution calendar.
    calendar: str = ""
    retry_hours: tuple[float, ...] = (2, 24, 48)
    max_attempts: int = 3
    close_when_unreachable: bool = False
    satisfied_from: int = 4
    unsatisfied: str = "reopen"
    required: bool = True
    # How long an emailed survey link (server.customer_mail.survey_links) stays valid.
    survey_link_days: int = 14
    # Mail the survey link by itself when a callback comes due (opted-in customers with
    # an address; server.customer_mail.auto_surveys), and hold the phone call back this
    # many hours so the customer can answer the mail first (0: no wait).
    email_surveys: bool = False
    email_survey_grace_hours: float = 0
    rules: tuple[CallbackRule, ...] = ()

    def policy_for(self, plugin: str, service: str, service_days: int | None) -> CallbackPolicy:
        """The first matching rule's keys, else the service's ``callback_days``, else ours."""
        rule = next((r for r in self.rules if r.applies_to(plugin, service)), None)
        days = self.due_working_days if service_days is None else service_days
        if rule is not None and rule.due_working_days is not None:
            days = rule.due_working_days
        unsatisfied = self.unsatisfied
        if rule is not None and rule.unsatisfied is not None:
            unsatisfied = rule.unsatisfied
        required = self.required
        if rule is not None and rule.required is not None:
            required = rule.required
        return CallbackPolicy(days=days, unsatisfied=unsatisfied, required=required)

    def retry_after_hours(self, attempt: int) -> float:
        """Hours to wait after the ``attempt``-th missed call (the last entry repeats)."""
        return self.retry_hours[min(attempt, len(self.retry_hours)) - 1]


def parse_callbacks(raw: Any) -> CallbackSettings:
    """The ``[callbacks]`` table → settings; raises :class:`SettingsError` naming the key."""
    checked_table(raw, "callbacks", SECTION_KEYS, "must be a table, e.g. [callbacks]")
    days = _days(raw.get("due_working_days", 3), "callbacks.due_working_days")
    calendar = raw.get("calendar", "")
    if not isinstance(calendar, str):
        raise SettingsError("callbacks.calendar", "must be an SLA calendar's name")
    retry = raw.get("retry_hours", [2, 24, 48])
    if (
        not isinstance(retry, list)
        or not retry
        or not all(_is_number(h) and 0 < h <= 24 * 30 for h in retry)
    ):
        raise SettingsError(
            "callbacks.retry_hours", "must be a non-empty list of hours between 0 and 720"
        )
    max_attempts = raw.get("max_attempts", 3)
    if not _is_int(max_attempts) or not 1 <= max_attempts <= 20:
        raise SettingsError("callbacks.max_attempts", "must be an integer between 1 and 20")
    satisfied_from = raw.get("satisfied_from", 4)
    if not _is_int(satisfied_from) or not 1 <= satisfied_from <= 5:
        raise SettingsError("callbacks.satisfied_from", "must be an integer between 1 and 5")
    unsatisfied = _action(raw.get("unsatisfied", "reopen"), "callbacks.unsatisfied")
    link_days = raw.get("survey_link_days", 14)
    if not _is_int(link_days) or not 1 <= link_days <= MAX_SURVEY_LINK_DAYS:
        raise SettingsError(
            "callbacks.survey_link_days", f"must be days between 1 and {MAX_SURVEY_LINK_DAYS}"
        )
    grace = raw.get("email_survey_grace_hours", 0)
    if not _is_number(grace) or not 0 <= grace <= MAX_GRACE_HOURS:
        raise SettingsError(
            "callbacks.email_survey_grace_hours",
            f"must be hours between 0 and {MAX_GRACE_HOURS} (0: no wait)",
        )
    flags = {}
    for key, default in (
        ("close_when_unreachable", False),
        ("required", True),
        ("email_surveys", False),
    ):
        value = raw.get(key, default)
        if not isinstance(value, bool):
            raise SettingsError(f"callbacks.{key}", "must be true or false")
        flags[key] = value
    rules_raw = raw.get("rules", [])
    if not isinstance(rules_raw, list):
        raise SettingsError("callbacks.rules", "must be an array of tables: [[callbacks.rules]]")
    return CallbackSettings(
        due_working_days=days,
        calendar=calendar,
        retry_hours=tuple(retry),
        max_attempts=max_attempts,
        satisfied_from=satisfied_from,
        unsatisfied=unsatisfied,
        survey_link_days=link_days,
        email_survey_grace_hours=grace,
        rules=tuple(_parse_rule(t, n) for n, t in enumerate(rules_raw, start=1)),
        **flags,
    )


def _parse_rule(table: Any, number: int) -> CallbackRule:
    prefix = f"callbacks.rules[{number}]"
    checked_table(table, prefix, RULE_KEYS)
    plugin = table.get("plugin")
    if not isinstance(plugin, str) or not plugin:
        raise SettingsError(f"{prefix}.plugin", "must be a plugin (industry) name")
    services = table.get("services", [])
    if not isinstance(services, list) or not all(isinstance(s, str) for s in services):
        raise SettingsError(f"{prefix}.services", "must be a list of service codes")
    days = table.get("due_working_days")
    unsatisfied = table.get("unsatisfied")
    required = table.get("required")
    if required is not None and not isinstance(required, bool):
        raise SettingsError(f"{prefix}.required", "must be true or false")
    return CallbackRule(
        plugin=plugin,
        services=tuple(services),
        due_working_days=None if days is None else _days(days, f"{prefix}.due_working_days"),
        unsatisfied=None if unsatisfied is None else _action(unsatisfied, f"{prefix}.unsatisfied"),
        required=required,
    )


def check_callbacks_against(
    settings: CallbackSettings, services_by_plugin: Mapping[str, set[str]], calendars: set[str]
) -> tuple[str, str] | None:
    """The first key naming an unknown calendar, plugin or service: (dotted key, problem)."""
    if settings.calendar and settings.calendar not in calendars:
        return "callbacks.calendar", (
            f"unknown calendar {settings.calendar!r} (known: {', '.join(sorted(calendars))})"
        )
    for number, rule in enumerate(settings.rules, start=1):
        prefix = f"callbacks.rules[{number}]"
        if rule.plugin not in services_by_plugin:
            return f"{prefix}.plugin", f"unknown industry {rule.plugin!r}"
        unknown = [s for s in rule.services if s not in services_by_plugin[rule.plugin]]
        if unknown:
            return f"{prefix}.services", f"{rule.plugin} has no service {unknown[0]!r}"
    return None


def _days(value: Any, key: str) -> int:
    if not _is_int(value) or not 0 <= value <= MAX_DAYS:
        raise SettingsError(key, f"must be working days between 0 and {MAX_DAYS} (0: no callback)")
    return value


def _action(value: Any, key: str) -> str:
    if value not in UNSATISFIED_ACTIONS:
        raise SettingsError(key, f"must be one of {', '.join(UNSATISFIED_ACTIONS)}")
    return value


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
