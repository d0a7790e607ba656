"""The core's own migrations, in order.

Rule for whoever changes a core table next: 0001 and 0002 create their tables from the
live model classes, so before a later migration alters one of those tables, freeze that
table's current model here as a local class and create it from that copy, then write the
new migration with ``playhouse.migrate``. Never edit an applied migration.
"""

from __future__ import annotations

import peewee

from server.models import CORE_MODELS
from server.plugin_api import Migration


def _create_core_tables(db: peewee.Database) -> None:
    db.create_tables(CORE_MODELS)


def _create_sla_tables(db: peewee.Database) -> None:
    from server.sla.models import SLA_MODELS

    db.create_tables(SLA_MODELS)


def _create_search_table(db: peewee.Database) -> None:
    """The search table, filled for the tickets that exist already."""
    from server.models import Customer, Ticket
    from server.search import TicketSearch, search_text

    db.create_tables([TicketSearch])
    rows = Ticket.select(Ticket.id, Ticket.number, Ticket.title, Customer.name).join(Customer)
    batch = []
    for row in rows.iterator():
        batch.append(
            {"ticket": row.id, "text": search_text(row.number, row.title, row.customer.name)}
        )
        if len(batch) == 1000:
            TicketSearch.insert_many(batch).execute()
            batch = []
    if batch:
        TicketSearch.insert_many(batch).execute()


MIGRATIONS = [
    Migration(1, "create core tables", _create_core_tables),
    Migration(2, "create SLA tables", _create_sla_tables),
    Migration(3, "create the ticket search table", _create_search_table),
]
