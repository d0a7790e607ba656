"""Numbered schema migrations with a history table, kept per component (core, each plugin)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import peewee

from server.db import database
from server.models import BaseModel, utcnow
from server.plugin_api import Migration

CORE_COMPONENT = "core"


class MigrationHistory(BaseModel):
    component = peewee.CharField(max_length=50)
    number = peewee.IntegerField()
    name = peewee.CharField(max_length=200)
    applied_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "migration_history"
        indexes = ((("component", "number"), True),)


class MigrationError(Exception):
    """A migration list is malformed or a migration failed."""


def core_migrations() -> list[Migration]:
    from server.migrations import core

    return core.MIGRATIONS


def check_sequence(component: str, migrations: Sequence[Migration]) -> None:
    """Numbers must run 1, 2, 3 … so a missing or duplicated file is caught early."""
    numbers = [m.number for m in migrations]
    if numbers != list(range(1, len(numbers) + 1)):
        raise MigrationError(f"{component}: migrations must be numbered 1..n, got {numbers}")


def applied(component: str) -> set[int]:
    query = MigrationHistory.select(MigrationHistory.number).where(
        MigrationHistory.component == component
    )
    return {row.number for row in query}


def migrate(components: Iterable[tuple[str, Sequence[Migration]]]) -> list[str]:
    """Apply every pending migration, each in its own transaction; return what ran."""
    database.create_tables([MigrationHistory], safe=True)
    ran = []
    for component, migrations in components:
        check_sequence(component, migrations)
        done = applied(component)
        for migration in migrations:
            if migration.number in done:
                continue
            try:
                with database.atomic():
                    migration.apply(database.obj)
                    MigrationHistory.create(
                        component=component, number=migration.number, name=migration.name
                    )
            except peewee.PeeweeException as exc:
                raise MigrationError(
                    f"{component} migration {migration.number} ({migration.name}) failed: {exc}"
                ) from exc
            ran.append(f"{component} {migration.number:04d} {migration.name}")
    return ran
