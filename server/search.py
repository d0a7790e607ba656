"""Free-text search over tickets: one narrow, lower-cased text per ticket.

The queue's search box matches the ticket number, its title and its customer's name.
On SQLite a trigram index (FTS5, ``ticket_search_fts``) answers needles of three or more
characters in about a millisecond at 100k tickets; on PostgreSQL a GIN trigram index
(the ``pg_trgm`` extension, ``ticket_search_trgm``) does the same through ILIKE. Shorter
needles (two-character Chinese words are common), and a PostgreSQL where the extension
may not be created, scan the narrow table with a plain substring test, which stops
early for common text.
"""

from __future__ import annotations

import logging

import peewee

from server.db import database, is_sqlite
from server.models import BaseModel, Customer, Ticket


class TicketSearch(BaseModel):
    ticket = peewee.ForeignKeyField(Ticket, primary_key=True, on_delete="CASCADE")
    text = peewee.TextField()

    class Meta:
        table_name = "ticket_search"


def search_text(number: str, title: str, customer_name: str) -> str:
    return f"{number} {title} {customer_name}".lower()


log = logging.getLogger(__name__)

FTS_TABLE = "ticket_search_fts"
PG_TRIGRAM_INDEX = "ticket_search_trgm"
# A trigram index can only answer needles of at least this many characters.
TRIGRAM = 3
_FTS_FLAG = "_aftersales_trigram_index"


def has_trigram_index() -> bool:
    """Whether this database has the trigram index (SQLite with FTS5; asked once per
    database object, and remembered on it)."""
    db = database.obj
    if not hasattr(db, _FTS_FLAG):
        setattr(db, _FTS_FLAG, is_sqlite() and FTS_TABLE in db.get_tables())
    return getattr(db, _FTS_FLAG)


_PG_FLAG = "_aftersales_pg_trigram_index"


def has_pg_trigram_index() -> bool:
    """Whether this PostgreSQL schema has the GIN trigram index (asked once per database
    object, and remembered on it)."""
    db = database.obj
    if not hasattr(db, _PG_FLAG):
        found = not is_sqlite() and bool(
            db.execute_sql(
                "SELECT 1 FROM pg_indexes WHERE schemaname = current_schema() AND indexname = %s",
                (PG_TRIGRAM_INDEX,),
            ).fetchone()
        )
        setattr(db, _PG_FLAG, found)
    return getattr(db, _PG_FLAG)


def create_pg_trigram_extension(db: peewee.Database) -> str | None:
    """PostgreSQL: make sure ``pg_trgm`` is installed (in ``public`` when it is new);
    the schema it is in, or None when it cannot be created (or this is not PostgreSQL)."""
    if not isinstance(db, peewee.PostgresqlDatabase):
        return None
    try:
        with db.atomic():  # a savepoint: a refusal must not end the caller's transaction
            db.execute_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
    except peewee.DatabaseError as exc:
        log.warning(
            "the pg_trgm extension cannot be created (%s); ticket searches scan the search "
            "table (a database owner can run: CREATE EXTENSION pg_trgm SCHEMA public)",
            str(exc).strip().splitlines()[0],
        )
        return None
    row = db.execute_sql(
        "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'"
    ).fetchone()
    return row[0] if row else None


def create_pg_trigram_index(db: peewee.Database) -> bool:
    """PostgreSQL: the GIN trigram index over the search text (migration 23); False when
    the ``pg_trgm`` extension cannot be created here (searches then scan, as before).

    The extension goes to the ``public`` schema, once per database, so that several
    installations (or test schemas) in one database share it and dropping one of their
    schemas does not drop it; the operator class is named with the schema it is in.
    """
    schema = create_pg_trigram_extension(db)
    if schema is None:
        return False
    db.execute_sql(
        f"CREATE INDEX IF NOT EXISTS {PG_TRIGRAM_INDEX} ON ticket_search "
        f"USING gin (text {schema}.gin_trgm_ops)"
    )
    setattr(db, _PG_FLAG, True)
    return True


def create_trigram_index(db: peewee.Database) -> bool:
    """Create and fill the index (migration 5); False where SQLite lacks FTS5."""
    if not isinstance(db, peewee.SqliteDatabase):
        return False
    try:
        db.execute_sql(f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(text, tokenize='trigram')")
    except peewee.OperationalError:
        return False  # this SQLite has no FTS5 or no trigram tokenizer: searches scan
    db.execute_sql(
        f"INSERT INTO {FTS_TABLE} (rowid, text) SELECT ticket_id, text FROM ticket_search"
    )
    setattr(db, _FTS_FLAG, True)
    return True


def index_ticket(ticket: Ticket) -> None:
    """Write (or rewrite) the ticket's search text; call inside its write transaction."""
    text = search_text(ticket.number, ticket.title, ticket.customer.name)
    TicketSearch.insert(ticket=ticket.id, text=text).on_conflict(
        conflict_target=[TicketSearch.ticket], update={TicketSearch.text: text}
    ).execute()
    if has_trigram_index():
        database.execute_sql(f"DELETE FROM {FTS_TABLE} WHERE rowid = ?", (ticket.id,))
        database.execute_sql(
            f"INSERT INTO {FTS_TABLE} (rowid, text) VALUES (?, ?)", (ticket.id, text)
        )


def reindex_customer(customer: Customer) -> None:
    """A renamed customer's tickets are found by the new name."""
    for ticket in Ticket.select(Ticket, Customer).join(Customer).where(Ticket.customer == customer):
        index_ticket(ticket)


# Up to this many matches, a search is answered from a list of ids; beyond, matches are
# common enough that walking the queue's own order and testing each ticket stops early.
FEW_MATCHES = 500


def contains_text(column: peewee.Field, needle: str) -> peewee.Expression:
    """``column`` (lower-cased text) contains ``needle`` as a substring, in any script.

    ``instr``/``strpos`` rather than LIKE: no wildcard in the needle needs escaping, and
    Chinese words (no spaces between them) are found inside longer text.
    """
    contains = peewee.fn.instr if is_sqlite() else peewee.fn.strpos
    return contains(column, needle.lower()) > 0


def _contains(text: str) -> peewee.Expression:
    return contains_text(TicketSearch.text, text)


def _few_matches(needle: str) -> list[int]:
    """Up to FEW_MATCHES + 1 ids of matching tickets, by the fastest means available."""
    if len(needle) >= TRIGRAM and has_trigram_index():
        # GLOB, not LIKE … ESCAPE: FTS5 serves only a plain pattern from its index.
        pattern = "".join(f"[{char}]" if char in "*?[" else char for char in needle)
        cursor = database.execute_sql(
            f"SELECT rowid FROM {FTS_TABLE} WHERE text GLOB ? LIMIT ?",
            (f"*{pattern}*", FEW_MATCHES + 1),
        )
        return [row[0] for row in cursor.fetchall()]
    if len(needle) >= TRIGRAM and not is_sqlite() and has_pg_trigram_index():
        # ILIKE (wildcards in the needle escaped by peewee) is what the GIN index serves
        query = TicketSearch.select(TicketSearch.ticket).where(TicketSearch.text.contains(needle))
        return [row.ticket_id for row in query.limit(FEW_MATCHES + 1)]
    query = TicketSearch.select(TicketSearch.ticket).where(_contains(needle))
    return [row.ticket_id for row in query.limit(FEW_MATCHES + 1)]


def ticket_text_filter(text: str) -> peewee.Expression:
    """A condition on ``Ticket`` for tickets whose number, title or customer contains text.

    One pass over the narrow search table (stopping after FEW_MATCHES) tells rare text
    from common text: rare text becomes ``id IN (those ids)``; common text becomes a
    per-ticket EXISTS test, so the queue's index order finds a page after a few rows.
    """
    few = _few_matches(text.lower())
    if len(few) <= FEW_MATCHES:
        return Ticket.id.in_(few) if few else Ticket.id.is_null()
    match = TicketSearch.select(TicketSearch.ticket).where(
        (TicketSearch.ticket == Ticket.id) & _contains(text)
    )
    return peewee.fn.EXISTS(match)
