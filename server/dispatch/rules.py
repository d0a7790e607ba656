"""``[dispatch]``: which assignment rule each plugin's services use, and the board's settings.

A rule names a *strategy* for choosing a technician:

- ``manual`` — nobody is chosen automatically; a dispatcher assigns by hand;
- ``round_robin`` — the next active technician of an outlet, in turn;
- ``least_load`` — the active technician with the fewest open tickets;
- ``skill_region`` — among technicians with the service's skill who serve the customer's
  region, the one with the fewest open tickets.

``[[dispatch.rules]]`` entries are tried in order; the first whose ``plugin`` and
``services`` match the ticket applies, else ``default_rule``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from server.sla.settings import SettingsError, checked_table

STRATEGIES = ("manual", "round_robin", "least_load", "skill_region")
RULE_KEYS = ("plugin", "services", "rule", "outlet", "match_skill", "auto")
SECTION_KEYS = ("default_rule", "at_risk_minutes", "rules")


@dataclass(frozen=True)
class DispatchRule:
    """How tickets of ``plugin`` (all plugins when None) and ``services`` are assigned.

    ``outlet`` limits the candidates to one outlet (by name); for ``round_robin`` without
    one, the outlets whose region is the customer's take turns. ``match_skill`` also asks
    ``round_robin`` and ``least_load`` for the service's skill (``skill_region`` always
    does). ``auto`` runs the rule as soon as a ticket is created.
    """

    strategy: str = "manual"
    plugin: str | None = None
    services: tuple[str, ...] = ()
    outlet: str = ""
    match_skill: bool = False
    auto: bool = False

    def applies_to(self, plugin: str, service: str) -> bool:
        if self.plugin is not None and self.plugin != plugin:
            return False
        return not self.services or service in self.services

    @property
    def needs_skill(self) -> bool:
        return self.strategy == "skill_region" or self.match_skill


@dataclass(frozen=True)
class DispatchSettings:
    """The parsed ``[dispatch]`` section."""

    rules: tuple[DispatchRule, ...] = ()
    default_rule: str = "manual"
    # Assigned tickets whose nearest SLA deadline is this close (or past) show as at risk.
    at_risk_minutes: int = 120

    def rule_for(self, plugin: str, service: str) -> DispatchRule:
        """The first matching rule, else the default strategy for everything."""
        for rule in self.rules:
            if rule.applies_to(plugin, service):
                return rule
        return DispatchRule(strategy=self.default_rule)


def parse_dispatch(raw: Any) -> DispatchSettings:
    """The ``[dispatch]`` table → settings; raises :class:`SettingsError` naming the key."""
    checked_table(raw, "dispatch", SECTION_KEYS, "must be a table, e.g. [dispatch]")
    default_rule = raw.get("default_rule", "manual")
    if default_rule not in STRATEGIES:
        raise SettingsError("dispatch.default_rule", f"must be one of {', '.join(STRATEGIES)}")
    at_risk = raw.get("at_risk_minutes", 120)
    if isinstance(at_risk, bool) or not isinstance(at_risk, int) or not 1 <= at_risk <= 10080:
        raise SettingsError("dispatch.at_risk_minutes", "must be minutes between 1 and 10080")
    rules_raw = raw.get("rules", [])
    if not isinstance(rules_raw, list):
        raise SettingsError("dispatch.rules", "must be an array of tables: [[dispatch.rules]]")
    rules = tuple(_parse_rule(table, number) for number, table in enumerate(rules_raw, start=1))
    return DispatchSettings(rules=rules, default_rule=default_rule, at_risk_minutes=at_risk)


def _parse_rule(table: Any, number: int) -> DispatchRule:
    prefix = f"dispatch.rules[{number}]"
    checked_table(table, prefix, RULE_KEYS)
    strategy = table.get("rule")
    if strategy not in STRATEGIES:
        raise SettingsError(f"{prefix}.rule", f"must be one of {', '.join(STRATEGIES)}")
    plugin = table.get("plugin")
    if plugin is not None and (not isinstance(plugin, str) or not plugin):
        raise SettingsError(f"{prefix}.plugin", "must be a plugin name")
    services = table.get("services", [])
    if not isinstance(services, list) or not all(isinstance(s, str) for s in services):
        raise SettingsError(f"{prefix}.services", "must be a list of service codes")
    if services and plugin is None:
        raise SettingsError(f"{prefix}.services", "service codes need a plugin")
    outlet = table.get("outlet", "")
    if not isinstance(outlet, str):
        raise SettingsError(f"{prefix}.outlet", "must be an outlet's name")
    flags = {}
    for key in ("match_skill", "auto"):
        value = table.get(key, False)
        if not isinstance(value, bool):
            raise SettingsError(f"{prefix}.{key}", "must be true or false")
        flags[key] = value
    if strategy == "manual" and flags["auto"]:
        raise SettingsError(f"{prefix}.auto", "a manual rule cannot assign automatically")
    return DispatchRule(
        strategy=strategy,
        plugin=plugin,
        services=tuple(services),
        outlet=outlet.strip(),
        **flags,
    )


def check_rules_against(
    settings: DispatchSettings, services_by_plugin: Mapping[str, set[str]]
) -> tuple[str, str] | None:
    """The first rule naming an unknown plugin or service: (dotted key, problem)."""
    for number, rule in enumerate(settings.rules, start=1):
        prefix = f"dispatch.rules[{number}]"
        if rule.plugin is None:
            continue
        if rule.plugin not in services_by_plugin:
            return f"{prefix}.plugin", f"unknown industry {rule.plugin!r}"
        unknown = [s for s in rule.services if s not in services_by_plugin[rule.plugin]]
        if unknown:
            return f"{prefix}.services", f"{rule.plugin} has no service {unknown[0]!r}"
    return None
