"""Build the app's own plugin manager: discover, load and check the enabled plugins."""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterable, Sequence
from typing import Any

import pluggy

from server import core_hooks, hookspecs
from server.plugin_api import PROJECT_NAME

ENTRY_POINT_GROUP = "aftersales.plugins"
CORE_PLUGIN_NAME = "core"


class PluginLoadError(Exception):
    """An enabled plugin is unknown, fails to import, or implements an unknown hook."""

    def __init__(self, plugin: str, problem: str) -> None:
        self.plugin = plugin
        self.problem = problem
        super().__init__(f"plugin {plugin!r}: {problem}")


def available_plugins() -> dict[str, importlib.metadata.EntryPoint]:
    """Installed plugins by name, from the ``aftersales.plugins`` entry-point group."""
    return {ep.name: ep for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}


def build_plugin_manager(
    enabled: Sequence[str], extra_plugins: Iterable[tuple[str, Any]] = ()
) -> pluggy.PluginManager:
    """A new manager holding the core's defaults, the enabled plugins in order, and extras.

    ``extra_plugins`` are (name, object) pairs registered after the enabled ones; tests
    use them for plugins that are not installed as entry points.
    """
    pm = pluggy.PluginManager(PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    pm.register(core_hooks, name=CORE_PLUGIN_NAME)
    installed = available_plugins()
    for name in enabled:
        entry_point = installed.get(name)
        if entry_point is None:
            known = ", ".join(sorted(installed)) or "none"
            raise PluginLoadError(name, f"not installed (installed plugins: {known})")
        try:
            plugin = entry_point.load()
        except Exception as exc:  # any import-time failure is the plugin's, reported as such
            raise PluginLoadError(
                name, f"cannot be imported ({type(exc).__name__}: {exc})"
            ) from None
        _register(pm, name, plugin)
    for name, plugin in extra_plugins:
        _register(pm, name, plugin)
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginLoadError(pm.get_name(exc.plugin) or repr(exc.plugin), str(exc)) from None
    return pm


def _register(pm: pluggy.PluginManager, name: str, plugin: Any) -> None:
    try:
        pm.register(plugin, name=name)
    except (pluggy.PluginValidationError, ValueError) as exc:
        raise PluginLoadError(name, str(exc)) from None


def call_on_caller(pm: pluggy.PluginManager, plugin_name: str, hook_name: str) -> Any:
    """The caller of one hook restricted to one plugin."""
    plugin = pm.get_plugin(plugin_name)
    others = [p for p in pm.get_plugins() if p is not plugin]
    return pm.subset_hook_caller(hook_name, remove_plugins=others)


def call_on(pm: pluggy.PluginManager, plugin_name: str, hook_name: str, **kwargs: Any) -> Any:
    """Call one hook on one plugin only (its hookimpl may take fewer arguments).

    A ``ValueError`` the plugin raises (e.g. a bad value in its ``[plugin.<name>]``
    table) becomes a :class:`PluginLoadError` naming the plugin, so start-up stops with
    one line instead of a traceback.
    """
    try:
        return call_on_caller(pm, plugin_name, hook_name)(**kwargs)
    except ValueError as exc:
        raise PluginLoadError(plugin_name, str(exc)) from None
