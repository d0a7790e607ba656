"""SLA policies: reading them from config, and choosing the one that applies to a ticket."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from server.i18n import gettext
from server.plugin_api import (
    SLA_METRICS,
    EscalationStep,
    Label,
    MetricTarget,
    SlaMatch,
    SlaPolicy,
)
from server.sla.settings import SettingsError, checked_table

PRIORITIES = ("low", "normal", "high", "urgent")
MATCH_KEYS = ("services", "priorities", "customer_tiers", "region_classes", "entitlements")
POLICY_KEYS = ("label_zh", "label_en", *SLA_METRICS)
TARGET_KEYS = ("calendar", "minutes", "pause_statuses", "escalation")
RULE_KEYS = ("policy", "plugin", *MATCH_KEYS)


@dataclass(frozen=True)
class SlaRule:
    """A config rule: ``policy`` applies when ``match`` does (and, if set, for ``plugin``)."""

    policy: str
    match: SlaMatch
    plugin: str | None = None


@dataclass(frozen=True)
class TicketFacts:
    """What policy choice looks at."""

    plugin: str
    service: str
    priority: str
    customer_tier: str
    region_class: str
    entitlement: str


@dataclass(frozen=True)
class PolicyChoice:
    policy: SlaPolicy | None
    reason: str


# --- choosing -------------------------------------------------------------------------


def matches(match: SlaMatch, facts: TicketFacts) -> bool:
    checks = (
        (match.services, facts.service),
        (match.priorities, facts.priority),
        (match.customer_tiers, facts.customer_tier),
        (match.region_classes, facts.region_class),
        (match.entitlements, facts.entitlement),
    )
    return all(not allowed or value in allowed for allowed, value in checks)


def describe(match: SlaMatch) -> str:
    parts = [
        f"{key.replace('_', ' ')} {', '.join(values)}"
        for key, values in zip(MATCH_KEYS, (getattr(match, k) for k in MATCH_KEYS), strict=True)
        if values
    ]
    return "; ".join(parts) or gettext("any ticket")


def choose_policy(
    facts: TicketFacts,
    rules: Sequence[SlaRule],
    plugin_policies: Sequence[SlaPolicy],
    policies: Mapping[str, SlaPolicy],
    default_policy: str | None,
) -> PolicyChoice:
    """First match wins: config rules, the plugin's policies with conditions, the
    plugin's default, then ``sla.default_policy``; otherwise no SLA applies."""
    for number, rule in enumerate(rules, start=1):
        if (rule.plugin is None or rule.plugin == facts.plugin) and matches(rule.match, facts):
            return PolicyChoice(
                policies[rule.policy],
                gettext("config rule %(n)s: %(match)s", n=number, match=describe(rule.match)),
            )
    for policy in plugin_policies:
        for match in policy.when:
            if matches(match, facts):
                return PolicyChoice(
                    policy,
                    gettext(
                        "%(plugin)s policy: %(match)s", plugin=facts.plugin, match=describe(match)
                    ),
                )
    for policy in plugin_policies:
        if not policy.when:
            return PolicyChoice(policy, gettext("%(plugin)s default policy", plugin=facts.plugin))
    if default_policy:
        return PolicyChoice(policies[default_policy], gettext("the configured default policy"))
    return PolicyChoice(None, gettext("no SLA policy applies to this ticket"))


# --- config ---------------------------------------------------------------------------


def parse_policies(raw: Any) -> dict[str, SlaPolicy]:
    """``[sla.policies.<name>]`` tables → policies; raises :class:`SettingsError`."""
    if not isinstance(raw, dict):
        raise SettingsError("sla.policies", "must be a table of tables, e.g. [sla.policies.std]")
    return {name: _parse_policy(name, table) for name, table in raw.items()}


def _parse_policy(name: str, table: Any) -> SlaPolicy:
    prefix = f"sla.policies.{name}"
    if not isinstance(table, dict):
        raise SettingsError(prefix, "must be a table")
    for key in table:
        if key not in POLICY_KEYS:
            raise SettingsError(
                f"{prefix}.{key}", "unknown key (a metric is first_response, arrival or resolution)"
            )
    targets = tuple(
        _parse_target(metric, table[metric], f"{prefix}.{metric}")
        for metric in SLA_METRICS
        if metric in table
    )
    if not targets:
        raise SettingsError(prefix, "has no metric (first_response, arrival or resolution)")
    label = Label(str(table.get("label_zh", name)), str(table.get("label_en", name)))
    return SlaPolicy(name=name, label=label, targets=targets)


def _parse_target(metric: str, table: Any, prefix: str) -> MetricTarget:
    from server.workflow import STATUSES

    checked_table(table, prefix, TARGET_KEYS)
    calendar = table.get("calendar", "24x7")
    if not isinstance(calendar, str) or not calendar:
        raise SettingsError(f"{prefix}.calendar", "must be a calendar name")
    minutes = table.get("minutes")
    if not isinstance(minutes, dict) or not minutes:
        raise SettingsError(
            f"{prefix}.minutes", "must be a table like { urgent = 30, normal = 240 }"
        )
    for priority, value in minutes.items():
        if priority not in PRIORITIES:
            raise SettingsError(
                f"{prefix}.minutes.{priority}",
                f"unknown priority (choose from {', '.join(PRIORITIES)})",
            )
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise SettingsError(f"{prefix}.minutes.{priority}", "must be a positive whole number")
    pauses = _strings(table, "pause_statuses", prefix)
    for status in pauses:
        if status not in STATUSES:
            raise SettingsError(f"{prefix}.pause_statuses", f"unknown status {status!r}")
    return MetricTarget(
        metric=metric,
        calendar=calendar,
        minutes=dict(minutes),
        pause_statuses=pauses,
        escalation=_parse_ladder(table.get("escalation", []), f"{prefix}.escalation"),
    )


def _parse_ladder(raw: Any, prefix: str) -> tuple[EscalationStep, ...]:
    if not isinstance(raw, list):
        raise SettingsError(prefix, 'must be a list like [{ percent = 75, notify = "assignee" }]')
    steps = []
    for item in raw:
        if not isinstance(item, dict) or set(item) - {"percent", "notify"}:
            raise SettingsError(prefix, "each step is { percent = N, notify = WHO }")
        try:
            steps.append(EscalationStep(item.get("percent", 0), item.get("notify", "assignee")))
        except (TypeError, ValueError) as exc:
            raise SettingsError(prefix, str(exc)) from None
    percents = [step.percent for step in steps]
    if percents != sorted(set(percents)):
        raise SettingsError(prefix, "steps must rise in percent, each percent once")
    return tuple(steps)


def parse_rules(raw: Any) -> list[SlaRule]:
    """``[[sla.rules]]`` → rules, in order; raises :class:`SettingsError`."""
    if not isinstance(raw, list):
        raise SettingsError("sla.rules", "must be an array of tables: [[sla.rules]]")
    rules = []
    for number, table in enumerate(raw, start=1):
        prefix = f"sla.rules[{number}]"
        checked_table(table, prefix, RULE_KEYS)
        policy = table.get("policy")
        if not isinstance(policy, str) or not policy:
            raise SettingsError(f"{prefix}.policy", "must name a policy")
        plugin = table.get("plugin")
        if plugin is not None and not isinstance(plugin, str):
            raise SettingsError(f"{prefix}.plugin", "must be a plugin name")
        match = SlaMatch(**{key: _strings(table, key, prefix) for key in MATCH_KEYS})
        rules.append(SlaRule(policy=policy, match=match, plugin=plugin))
    return rules


def _strings(table: Mapping[str, Any], key: str, prefix: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise SettingsError(f"{prefix}.{key}", "must be a list of strings")
    return tuple(value)
