"""The registry: industries, services, asset kinds and fields collected from plugins once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pluggy
from flask import current_app

from server.config import Config, ConfigError
from server.dispatch.rules import check_rules_against
from server.followup.settings import CallbackSettings, check_callbacks_against
from server.plugin_api import (
    AssetKind,
    CalendarSpec,
    FieldSpec,
    Industry,
    Part,
    PluginBlueprint,
    ServiceType,
    SlaPolicy,
)
from server.plugins import CORE_PLUGIN_NAME, PluginLoadError, call_on, call_on_caller
from server.sla.calendar import BusinessCalendar
from server.sla.policies import SlaRule
from server.sla.settings import (
    CalendarSettings,
    SettingsError,
    build_calendars,
    parse_calendar,
)


@dataclass(frozen=True)
class TicketHookCaller:
    """Calls one per-ticket hook on each of its plugins, passing that plugin's settings.

    Answers like pluggy's own caller: the first non-None result for a ``firstresult``
    hook, else the list of every plugin's non-None result.
    """

    callers: tuple[tuple[Any, Mapping[str, Any]], ...]
    firstresult: bool

    def __call__(self, **kwargs: Any) -> Any:
        results: list[Any] = []
        for caller, settings in self.callers:
            answer = caller(**kwargs, settings=settings)
            if self.firstresult:
                if answer is not None:
                    return answer
                continue
            results.extend(answer)
        return None if self.firstresult else results


@dataclass
class Registry:
    """What the plugins registered, looked up by the core; built once per app."""

    pm: pluggy.PluginManager
    industries: dict[str, Industry] = field(default_factory=dict)
    plugin_of_industry: dict[str, str] = field(default_factory=dict)
    services: dict[tuple[str, str], ServiceType] = field(default_factory=dict)
    asset_kinds: dict[tuple[str, str], AssetKind] = field(default_factory=dict)
    customer_fields: list[FieldSpec] = field(default_factory=list)
    # Which plugin declared each customer field (the public form shows a service's own).
    customer_field_plugin: dict[str, str] = field(default_factory=dict)
    # Each industry's parts list by part code, in the order its plugin gave them.
    parts: dict[str, dict[str, Part]] = field(default_factory=dict)
    calendars: dict[str, BusinessCalendar] = field(default_factory=dict)
    # Every policy by name (a config policy replaces a plugin's of the same name), and
    # each industry's own policies in the order its plugin gave them.
    policies: dict[str, SlaPolicy] = field(default_factory=dict)
    industry_policies: dict[str, list[SlaPolicy]] = field(default_factory=dict)
    sla_rules: tuple[SlaRule, ...] = ()
    default_policy: str | None = None
    # ``[callbacks]``, checked against the services and calendars (server.followup).
    callbacks: CallbackSettings = field(default_factory=CallbackSettings)
    cross_cutting: list[str] = field(default_factory=list)
    # Each plugin's own ``[plugin.<name>]`` table, handed to its per-ticket hooks too.
    settings: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    # (plugin name, blueprint) pairs the app mounts under /p/<plugin name>/.
    blueprints: list[tuple[str, PluginBlueprint]] = field(default_factory=list)
    _ticket_hooks: dict[tuple[str, str], Any] = field(default_factory=dict)
    _form_classes: dict[tuple[str, str], type] = field(default_factory=dict)

    def service(self, industry: str, code: str) -> ServiceType | None:
        return self.services.get((industry, code))

    def services_of(self, industry: str) -> list[ServiceType]:
        return [s for (ind, _code), s in self.services.items() if ind == industry]

    def service_choices(self, locale: str) -> list[tuple[str, str]]:
        """(``industry:code``, "Industry · Service") pairs for select boxes."""
        return [
            (
                f"{ind}:{svc.code}",
                f"{self.industries[ind].label.get(locale)} · {svc.label.get(locale)}",
            )
            for (ind, _code), svc in self.services.items()
        ]

    def asset_kinds_of(self, industry: str) -> list[AssetKind]:
        return [k for (ind, _code), k in self.asset_kinds.items() if ind == industry]

    def parts_of(self, industry: str, service: str | None = None) -> list[Part]:
        """The industry's parts; with ``service``, only those offered for that service."""
        return [
            part
            for part in self.parts.get(industry, {}).values()
            if service is None or not part.services or service in part.services
        ]

    def part(self, industry: str, code: str) -> Part | None:
        return self.parts.get(industry, {}).get(code)

    def ticket_hook(self, industry: str, hook_name: str) -> TicketHookCaller:
        """The caller for a per-ticket hook: the industry's plugin plus cross-cutting ones.

        Each plugin is called with its own ``settings`` (the ticket's industry plugin
        first, then the cross-cutting plugins in load order).
        """
        key = (industry, hook_name)
        if key not in self._ticket_hooks:
            # A ticket of an industry whose plugin is no longer enabled still works: only
            # the cross-cutting plugins are asked about it.
            owner = self.plugin_of_industry.get(industry)
            names = [owner, *self.cross_cutting] if owner else list(self.cross_cutting)
            self._ticket_hooks[key] = TicketHookCaller(
                callers=tuple(
                    (call_on_caller(self.pm, name, hook_name), self.settings.get(name, {}))
                    for name in names
                ),
                firstresult=bool(getattr(self.pm.hook, hook_name).spec.opts.get("firstresult")),
            )
        return self._ticket_hooks[key]

    def form_class_cache(self) -> dict[tuple[str, str], type]:
        return self._form_classes


def build_registry(pm: pluggy.PluginManager, config: Config) -> Registry:
    """Ask every plugin, once, what it registers, and check the answers fit together."""
    registry = Registry(pm=pm)
    # CP numbers complaints (server.complaints.ledger) from the same counter table.
    prefixes: dict[str, str] = {"CP": "the complaint ledger"}
    calendar_settings: dict[str, CalendarSettings] = {}
    for plugin in pm.get_plugins():
        name = pm.get_name(plugin)
        if name == CORE_PLUGIN_NAME:
            continue
        settings = config.plugin_table(name)
        registry.settings[name] = settings
        industry = call_on(pm, name, "register_industry", settings=settings)
        for spec in _flatten(call_on(pm, name, "register_calendars", settings=settings)):
            calendar_settings[spec.name] = _plugin_calendar(name, spec, config)
        for spec in _flatten(call_on(pm, name, "customer_form_fields", settings=settings)):
            if any(known.name == spec.name for known in registry.customer_fields):
                raise PluginLoadError(name, f"customer field {spec.name!r} is already declared")
            registry.customer_fields.append(spec)
            registry.customer_field_plugin[spec.name] = name
        for blueprint in _flatten(call_on(pm, name, "register_blueprints", settings=settings)):
            registry.blueprints.append((name, _checked_blueprint(name, blueprint)))
        if industry is None:
            registry.cross_cutting.append(name)
            continue
        _add_industry(registry, prefixes, name, industry)
        for service in _flatten(call_on(pm, name, "register_service_catalog", settings=settings)):
            if (industry.slug, service.code) in registry.services:
                raise PluginLoadError(name, f"service code {service.code!r} registered twice")
            registry.services[(industry.slug, service.code)] = service
        for kind in _flatten(call_on(pm, name, "register_asset_kinds", settings=settings)):
            registry.asset_kinds[(industry.slug, kind.code)] = kind
        parts = registry.parts.setdefault(industry.slug, {})
        for part in _flatten(call_on(pm, name, "register_parts", settings=settings)):
            if part.code in parts:
                raise PluginLoadError(name, f"part code {part.code!r} registered twice")
            parts[part.code] = part
        own = _flatten(call_on(pm, name, "register_sla_policies", settings=settings))
        for policy in own:
            if policy.name in registry.policies:
                raise PluginLoadError(name, f"SLA policy {policy.name!r} is already registered")
            registry.policies[policy.name] = policy
        registry.industry_policies[industry.slug] = own
    # Calendars in the config file replace plugins' calendars of the same name.
    calendar_settings.update(config.sla.calendars)
    registry.calendars = build_calendars(calendar_settings, config.locale.timezone)
    _add_config_policies(registry, config)
    _check_dispatch_rules(registry, config)
    _check_callbacks(registry, config)
    if config.complaints.calendar not in registry.calendars:
        raise ConfigError(
            config.source,
            "complaints.calendar",
            f"unknown calendar {config.complaints.calendar!r} "
            f"(known: {', '.join(sorted(registry.calendars))})",
        )
    return registry


def _checked_blueprint(plugin_name: str, entry: Any) -> PluginBlueprint:
    from server.permissions import ALL_PERMISSIONS

    if not isinstance(entry, PluginBlueprint):
        raise PluginLoadError(
            plugin_name, "register_blueprints must return PluginBlueprint entries"
        )
    if entry.permission not in ALL_PERMISSIONS:
        raise PluginLoadError(
            plugin_name, f"blueprint permission {entry.permission!r} is not a core permission"
        )
    return entry


def _check_dispatch_rules(registry: Registry, config: Config) -> None:
    """Every plugin and service a ``[[dispatch.rules]]`` entry names must exist."""
    known = {slug: {s.code for s in registry.services_of(slug)} for slug in registry.industries}
    problem = check_rules_against(config.dispatch, known)
    if problem is not None:
        raise ConfigError(config.source, *problem)


def _check_callbacks(registry: Registry, config: Config) -> None:
    """``[callbacks]`` may name only known calendars, plugins and services."""
    known = {slug: {s.code for s in registry.services_of(slug)} for slug in registry.industries}
    problem = check_callbacks_against(config.callbacks, known, set(registry.calendars))
    if problem is not None:
        raise ConfigError(config.source, *problem)
    registry.callbacks = config.callbacks


def _add_config_policies(registry: Registry, config: Config) -> None:
    """Config policies replace plugins' of the same name; every name used must exist."""
    registry.policies.update(config.sla.policies)
    for slug, own in registry.industry_policies.items():
        registry.industry_policies[slug] = [registry.policies[p.name] for p in own]
    for policy in registry.policies.values():
        for target in policy.targets:
            if target.calendar not in registry.calendars:
                raise ConfigError(
                    config.source,
                    f"sla.policies.{policy.name}.{target.metric}.calendar",
                    f"unknown calendar {target.calendar!r} "
                    f"(known: {', '.join(sorted(registry.calendars))})",
                )
    for number, rule in enumerate(config.sla.rules, start=1):
        if rule.policy not in registry.policies:
            raise ConfigError(
                config.source, f"sla.rules[{number}].policy", f"unknown policy {rule.policy!r}"
            )
        if rule.plugin is not None and rule.plugin not in registry.industries:
            raise ConfigError(
                config.source, f"sla.rules[{number}].plugin", f"unknown industry {rule.plugin!r}"
            )
    default = config.sla.default_policy or None
    if default is not None and default not in registry.policies:
        raise ConfigError(config.source, "sla.default_policy", f"unknown policy {default!r}")
    registry.sla_rules = tuple(config.sla.rules)
    registry.default_policy = default


def _plugin_calendar(plugin_name: str, spec: CalendarSpec, config: Config) -> CalendarSettings:
    try:
        return parse_calendar(
            spec.name, spec.as_table(), config.locale.timezone, f"calendar {spec.name!r}"
        )
    except SettingsError as exc:
        raise PluginLoadError(plugin_name, str(exc)) from None


def _add_industry(
    registry: Registry, prefixes: dict[str, str], plugin_name: str, industry: Industry
) -> None:
    if industry.slug in registry.industries:
        raise PluginLoadError(plugin_name, f"industry {industry.slug!r} is already registered")
    owner = prefixes.get(industry.ticket_prefix)
    if owner is not None:
        raise PluginLoadError(
            plugin_name, f"ticket prefix {industry.ticket_prefix} is already used by {owner}"
        )
    prefixes[industry.ticket_prefix] = industry.slug
    registry.industries[industry.slug] = industry
    registry.plugin_of_industry[industry.slug] = plugin_name


def _flatten(results: list[list[Any]] | None) -> list[Any]:
    return [item for result in results or [] for item in result or []]


def current_registry() -> Registry:
    """The registry of the app handling the current request or CLI command."""
    return current_app.extensions["aftersales"].registry


def split_service_key(key: str) -> tuple[str, str] | None:
    """``"industry:code"`` → (industry, code); None when malformed."""
    industry, sep, code = (key or "").partition(":")
    return (industry, code) if sep and industry and code else None
