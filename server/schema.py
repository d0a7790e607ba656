"""Bring the database schema up to date: the core's migrations, then each plugin's."""

from __future__ import annotations

from flask import Flask

from server.db import database
from server.kb.starters import import_starters, starter_specs
from server.migrations import CORE_COMPONENT, core_migrations, migrate
from server.plugins import CORE_PLUGIN_NAME, call_on


def init_db(app: Flask) -> list[str]:
    """Apply pending migrations (idempotent); returns a line per migration applied."""
    state = app.extensions["aftersales"]
    database.initialize(state.db)
    components = [(CORE_COMPONENT, core_migrations())]
    for plugin in state.pm.get_plugins():
        name = state.pm.get_name(plugin)
        if name == CORE_PLUGIN_NAME:
            continue
        migrations = [
            m for result in call_on(state.pm, name, "register_migrations") for m in result or []
        ]
        if migrations:
            components.append((name, migrations))
    with database.connection_context():
        ran = migrate(components)
        # the plugins' starter articles: new ones added, nobody's edits overwritten
        import_starters(starter_specs(state.pm, state.config))
    return ran
