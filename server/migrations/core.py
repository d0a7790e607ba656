"""The core's own migrations, in order.

Rule for whoever changes a table next: the migrations create tables from the live model
classes, so before a later migration alters one of those tables, freeze that table's
model as it was here as a local class (as ``_UserV1`` is) and create it from that copy,
then write the new migration with ``playhouse.migrate``. Never edit an applied migration.
"""

from __future__ import annotations

import peewee
from playhouse.migrate import SchemaMigrator
from playhouse.migrate import migrate as run_operations

from server.models import CORE_MODELS, Attachment, Customer, JSONField, Ticket, User, utcnow
from server.plugin_api import Migration


class _UserV1(peewee.Model):
    """The user table as migration 1 created it (migration 4 added ``email``)."""

    username = peewee.CharField(max_length=64, unique=True)
    display_name = peewee.CharField(max_length=100)
    password_hash = peewee.CharField(max_length=255)
    role = peewee.CharField(max_length=20)
    team = peewee.CharField(max_length=100, default="")
    locale = peewee.CharField(max_length=10, default="")
    active = peewee.BooleanField(default=True)
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "user"


class _CustomerV1(peewee.Model):
    """The customer table as migration 1 created it (migration 20 added the mail opt-in
    and the language)."""

    name = peewee.CharField(max_length=200)
    kind = peewee.CharField(max_length=20, default="person")
    phone = peewee.CharField(max_length=40, default="")
    email = peewee.CharField(max_length=200, default="")
    address = peewee.CharField(max_length=300, default="")
    region = peewee.CharField(max_length=100, default="")
    tier = peewee.CharField(max_length=40, default="normal")
    attributes = JSONField(default=dict)
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "customer"
        indexes = ((("name",), False), (("phone",), False))


def _create_core_tables(db: peewee.Database) -> None:
    frozen = [_UserV1, _CustomerV1]
    with db.bind_ctx(frozen):
        db.create_tables(frozen)
    db.create_tables([model for model in CORE_MODELS if model not in (User, Customer)])


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


def _add_mail_and_notifications(db: peewee.Database) -> None:
    from server.notifications import NOTIFICATION_MODELS

    migrator = SchemaMigrator.from_database(db)
    run_operations(
        migrator.add_column("user", "email", peewee.CharField(max_length=200, default=""))
    )
    db.create_tables(NOTIFICATION_MODELS)


def _add_trigram_search_index(db: peewee.Database) -> None:
    """SQLite only (where FTS5 is built in): a trigram index over the search text."""
    from server.search import create_trigram_index

    create_trigram_index(db)


def _add_pg_trigram_index(db: peewee.Database) -> None:
    """PostgreSQL only: the pg_trgm GIN index over the search text (SQLite has migration 5)."""
    from server.search import create_pg_trigram_index

    create_pg_trigram_index(db)


def _create_dispatch_tables(db: peewee.Database) -> None:
    from server.dispatch.models import DISPATCH_MODELS

    db.create_tables(DISPATCH_MODELS)


def _create_readiness_table(db: peewee.Database) -> None:
    from server.dispatch.readiness import TicketReadiness

    db.create_tables([TicketReadiness])


def _create_dispatch_cursor(db: peewee.Database) -> None:
    from server.dispatch.assign import DispatchCursor

    db.create_tables([DispatchCursor])


class _ServiceReportV1(peewee.Model):
    """``service_report`` as migration 9 created it."""

    ticket = peewee.ForeignKeyField(Ticket, backref="+", on_delete="CASCADE")
    technician = peewee.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    outcome = peewee.CharField(max_length=30)
    diagnosis = peewee.TextField(default="")
    work_done = peewee.TextField(default="")
    labour_hours = peewee.DecimalField(max_digits=6, decimal_places=2, default=0)
    unfinished_reason = peewee.TextField(default="")
    next_start = peewee.DateTimeField(null=True)
    next_end = peewee.DateTimeField(null=True)
    customer_name = peewee.CharField(max_length=100, default="")
    confirmed_at = peewee.DateTimeField(null=True)
    slip = peewee.ForeignKeyField(Attachment, null=True, backref="+", on_delete="SET NULL")
    currency = peewee.CharField(max_length=3, default="CNY")
    charged_cents = peewee.IntegerField(default=0)
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "service_report"
        legacy_table_names = False
        indexes = ((("ticket", "created_at"), False),)


class _ReportPartV1(peewee.Model):
    report = peewee.ForeignKeyField(_ServiceReportV1, backref="+", on_delete="CASCADE")
    code = peewee.CharField(max_length=40)
    name = peewee.CharField(max_length=200)
    unit_price_cents = peewee.IntegerField()
    quantity = peewee.IntegerField()
    returned_to_customer = peewee.BooleanField(default=False)

    class Meta:
        table_name = "report_part"
        legacy_table_names = False


class _ReportFeeV1(peewee.Model):
    report = peewee.ForeignKeyField(_ServiceReportV1, backref="+", on_delete="CASCADE")
    kind = peewee.CharField(max_length=20)
    description = peewee.CharField(max_length=300)
    amount_cents = peewee.IntegerField()
    charged = peewee.BooleanField()
    reason = peewee.CharField(max_length=300, default="")

    class Meta:
        table_name = "report_fee"
        legacy_table_names = False


class _FeeQuoteV1(peewee.Model):
    ticket = peewee.ForeignKeyField(Ticket, backref="+", on_delete="CASCADE")
    lines = JSONField(default=list)
    total_cents = peewee.IntegerField()
    currency = peewee.CharField(max_length=3, default="CNY")
    created_by = peewee.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_at = peewee.DateTimeField(default=utcnow)
    consent_name = peewee.CharField(max_length=100, default="")
    consent_at = peewee.DateTimeField(null=True)
    recorded_by = peewee.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    used_by = peewee.ForeignKeyField(_ServiceReportV1, null=True, backref="+", on_delete="SET NULL")

    class Meta:
        table_name = "fee_quote"
        legacy_table_names = False
        indexes = ((("ticket", "created_at"), False),)


_REPORT_MODELS_V1 = (_ServiceReportV1, _ReportPartV1, _ReportFeeV1, _FeeQuoteV1)


def _create_report_tables(db: peewee.Database) -> None:
    """Result reports, their parts and fee lines, and the quotes customers consented to."""
    # bind_refs=False: leaving the context must not unbind the live Ticket/User/Attachment.
    with db.bind_ctx(_REPORT_MODELS_V1, bind_refs=False, bind_backrefs=False):
        db.create_tables(_REPORT_MODELS_V1)


class _AppointmentV1(peewee.Model):
    """The appointment table as migration 10 creates it (frozen)."""

    ticket = peewee.ForeignKeyField(Ticket, unique=True, on_delete="CASCADE")
    starts_at = peewee.DateTimeField()
    ends_at = peewee.DateTimeField()
    missed_at = peewee.DateTimeField(null=True)
    created_at = peewee.DateTimeField(default=utcnow)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "appointment"
        legacy_table_names = False  # index names from the table name, as the live model's
        indexes = ((("starts_at", "ends_at"), False), (("ends_at", "missed_at"), False))


class _AppointmentChangeV1(peewee.Model):
    """The appointment_change table as migration 10 creates it (frozen)."""

    ticket = peewee.ForeignKeyField(Ticket, on_delete="CASCADE")
    actor = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL")
    at = peewee.DateTimeField(default=utcnow)
    old_start = peewee.DateTimeField(null=True)
    old_end = peewee.DateTimeField(null=True)
    new_start = peewee.DateTimeField()
    new_end = peewee.DateTimeField()
    reason = peewee.CharField(max_length=500, default="")

    class Meta:
        table_name = "appointment_change"
        legacy_table_names = False
        indexes = ((("ticket", "at"), False),)


def _create_appointment_tables(db: peewee.Database) -> None:
    frozen = [_AppointmentV1, _AppointmentChangeV1]
    # bind_refs=False: leaving the context must not unbind the live Ticket and User models
    with db.bind_ctx(frozen, bind_refs=False, bind_backrefs=False):
        db.create_tables(frozen)


class _TicketLinkV1(peewee.Model):
    """The ticket_link table as migration 11 creates it (frozen)."""

    child = peewee.ForeignKeyField(Ticket, primary_key=True, backref="+", on_delete="CASCADE")
    parent = peewee.ForeignKeyField(Ticket, backref="+", on_delete="CASCADE")
    linked_by = peewee.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    linked_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "ticket_link"
        legacy_table_names = False
        indexes = ((("parent", "linked_at"), False),)


def _create_ticket_link_table(db: peewee.Database) -> None:
    frozen = [_TicketLinkV1]
    with db.bind_ctx(frozen, bind_refs=False, bind_backrefs=False):
        db.create_tables(frozen)


class _CallbackV1(peewee.Model):
    """The callback table as migration 12 creates it (frozen)."""

    ticket = peewee.ForeignKeyField(Ticket, backref="+", on_delete="CASCADE")
    due_at = peewee.DateTimeField()
    status = peewee.CharField(max_length=20, default="pending")
    attempts = peewee.IntegerField(default=0)
    next_try_at = peewee.DateTimeField(null=True)
    agent = peewee.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    done_at = peewee.DateTimeField(null=True)
    reached = peewee.BooleanField(null=True)
    satisfaction = peewee.IntegerField(null=True)
    score = peewee.FloatField(null=True)
    answers = JSONField(default=dict)
    comment = peewee.TextField(default="")
    outcome = peewee.CharField(max_length=40, null=True)
    action = peewee.CharField(max_length=20, default="")
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "callback"
        legacy_table_names = False
        indexes = (
            (("status", "due_at"), False),
            (("ticket", "created_at"), False),
            (("done_at",), False),
        )


def _create_callback_table(db: peewee.Database) -> None:
    frozen = [_CallbackV1]
    with db.bind_ctx(frozen, bind_refs=False, bind_backrefs=False):
        db.create_tables(frozen)


class _ComplaintV1(peewee.Model):
    """The complaint table as migration 13 creates it (frozen)."""

    number = peewee.CharField(max_length=40, unique=True)
    ticket = peewee.ForeignKeyField(Ticket, null=True, backref="+", on_delete="SET NULL")
    customer = peewee.ForeignKeyField(Customer, null=True, backref="+", on_delete="SET NULL")
    channel = peewee.CharField(max_length=20)
    category = peewee.CharField(max_length=40)
    description = peewee.TextField(default="")
    staff = peewee.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    owner = peewee.ForeignKeyField(User, backref="+", on_delete="RESTRICT")
    stage = peewee.CharField(max_length=20, default="record")
    stage_due_at = peewee.DateTimeField(null=True)
    escalation_level = peewee.IntegerField(default=0)
    upheld = peewee.BooleanField(null=True)
    compensation_cents = peewee.IntegerField(default=0)
    compensation_note = peewee.TextField(default="")
    source = peewee.CharField(max_length=20, default="inbound")
    callback_id = peewee.IntegerField(null=True)
    received_at = peewee.DateTimeField(default=utcnow)
    closed_at = peewee.DateTimeField(null=True)
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "complaint"
        legacy_table_names = False
        indexes = (
            (("received_at",), False),
            (("stage", "stage_due_at"), False),
            (("ticket", "received_at"), False),
            (("owner", "received_at"), False),
        )


class _ComplaintStepV1(peewee.Model):
    """The complaint_step table as migration 13 creates it (frozen)."""

    complaint = peewee.ForeignKeyField(_ComplaintV1, backref="+", on_delete="CASCADE")
    stage = peewee.CharField(max_length=20)
    at = peewee.DateTimeField(default=utcnow)
    actor = peewee.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    note = peewee.TextField(default="")
    due_at = peewee.DateTimeField(null=True)
    done_at = peewee.DateTimeField(null=True)
    kind = peewee.CharField(max_length=20, default="stage")
    data = JSONField(default=dict)

    class Meta:
        table_name = "complaint_step"
        legacy_table_names = False
        indexes = ((("complaint", "at"), False),)


def _create_complaint_tables(db: peewee.Database) -> None:
    frozen = [_ComplaintV1, _ComplaintStepV1]
    with db.bind_ctx(frozen, bind_refs=False, bind_backrefs=False):
        db.create_tables(frozen)


class _MeritEntryV1(peewee.Model):
    """The merit_entry table as the merit migration creates it (frozen)."""

    user = peewee.ForeignKeyField(User, backref="+", on_delete="CASCADE")
    at = peewee.DateTimeField(default=utcnow)
    level = peewee.CharField(max_length=20)
    amount_cents = peewee.IntegerField(default=0)
    reason = peewee.CharField(max_length=500)
    source = peewee.CharField(max_length=10)
    rule = peewee.CharField(max_length=80, default="")
    ticket = peewee.ForeignKeyField(Ticket, null=True, backref="+", on_delete="SET NULL")
    source_key = peewee.CharField(max_length=200, null=True, unique=True)
    entered_by = peewee.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "merit_entry"
        legacy_table_names = False
        indexes = ((("user", "at"), False), (("at",), False))


class _MeritCursorV1(peewee.Model):
    """The merit_cursor table as the merit migration creates it (frozen)."""

    name = peewee.CharField(max_length=40, primary_key=True)
    last_event_id = peewee.BigIntegerField(default=0)
    updated_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "merit_cursor"
        legacy_table_names = False


def _create_merit_tables(db: peewee.Database) -> None:
    frozen = [_MeritEntryV1, _MeritCursorV1]
    with db.bind_ctx(frozen, bind_refs=False, bind_backrefs=False):
        db.create_tables(frozen)


# Migration 15's indexes (the KPI figures' range scans), kept out of the model classes so
# that only this migration creates them; IF NOT EXISTS makes it safe to run on any base.
KPI_INDEXES = (
    # clocks stopped in a period, read from the index alone (state, metric, minutes, ticket)
    (
        "ticket_sla_kpi_stopped",
        "ticket_sla",
        ("stopped_at", "state", "metric", "elapsed_seconds", "ticket_id"),
    ),
    # tickets resolved in a period (first-time fix), open at a period's end (backlog:
    # resolved after the end yet created before it, read from the index alone)
    ("ticket_kpi_resolved_created", "ticket", ("resolved_at", "created_at")),
    # an asset's earlier resolved ticket (repeat repairs)
    ("ticket_kpi_asset_resolved", "ticket", ("asset_id", "resolved_at")),
)


def _add_kpi_indexes(db: peewee.Database) -> None:
    for name, table, columns in KPI_INDEXES:
        db.execute_sql(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({', '.join(columns)})")


SCALE_INDEXES = (
    # the KPI backlog's tickets never resolved, by status, so the cancelled ones (whose
    # resolved_at stays empty for ever) are skipped, not read (server.kpi.figures._open_at;
    # on PostgreSQL replaced by migration 24's partial index)
    ("ticket_kpi_unresolved_status", "ticket", ("resolved_at", "status", "created_at")),
    # the KPI backlog's tickets cancelled (and never resolved) after a period's end
    ("ticket_kpi_status_unresolved_updated", "ticket", ("status", "resolved_at", "updated_at")),
)


def _add_scale_indexes(db: peewee.Database) -> None:
    for name, table, columns in SCALE_INDEXES:
        db.execute_sql(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({', '.join(columns)})")


# Migration 24, PostgreSQL only: the KPI backlog's never-resolved tickets from a partial
# index of only those that are not cancelled. With migration 22's (resolved_at, status,
# created_at) PostgreSQL's planner preferred (resolved_at, created_at) and filtered out
# every cancelled ticket ever (their resolved_at stays empty): 8,700 rows read at 300k.
# The query names the predicate literally (server.kpi.figures._open_at). SQLite keeps
# migration 22's index, which its planner does use, statistics or not (without any, it
# would rather take (resolved_at, created_at) than this partial index).
NEVER_RESOLVED_INDEX = "ticket_kpi_never_resolved"
NEVER_RESOLVED_PREDICATE = "resolved_at IS NULL AND status <> 'cancelled'"


def _add_never_resolved_index(db: peewee.Database) -> None:
    if isinstance(db, peewee.SqliteDatabase):
        return
    db.execute_sql(
        f"CREATE INDEX IF NOT EXISTS {NEVER_RESOLVED_INDEX} ON ticket (created_at) "
        f"WHERE {NEVER_RESOLVED_PREDICATE}"
    )
    db.execute_sql("DROP INDEX IF EXISTS ticket_kpi_unresolved_status")


def _create_api_token_table(db: peewee.Database) -> None:
    from server.api_tokens import ApiToken

    db.create_tables([ApiToken])


def _create_webhook_tables(db: peewee.Database) -> None:
    from server.webhooks.models import WEBHOOK_MODELS

    db.create_tables(WEBHOOK_MODELS)


def _add_public_intake(db: peewee.Database) -> None:
    """The web form's system user and the customer look-ups the public form needs."""
    from server.public.intake import create_intake_indexes, create_web_user

    create_web_user(db)
    create_intake_indexes(db)


def _create_kb_tables(db: peewee.Database) -> None:
    from server.kb.models import KB_MODELS

    db.create_tables(KB_MODELS)


def _add_customer_mail(db: peewee.Database) -> None:
    """Customers' mail opt-in and language, the callback's channel, the survey links."""
    from server.customer_mail.models import SurveyLink

    migrator = SchemaMigrator.from_database(db)
    run_operations(
        migrator.add_column("customer", "notify_by_email", peewee.BooleanField(default=False)),
        migrator.add_column("customer", "language", peewee.CharField(max_length=10, default="")),
        migrator.add_column(
            "callback", "channel", peewee.CharField(max_length=20, default="phone")
        ),
    )
    db.create_tables([SurveyLink])


class _AuditEventV1(peewee.Model):
    """The audit_event table as migration 21 creates it (frozen)."""

    at = peewee.DateTimeField(default=utcnow, index=True)
    actor = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    actor_name = peewee.CharField(max_length=64)
    action = peewee.CharField(max_length=40, index=True)
    target_kind = peewee.CharField(max_length=40, default="")
    target_id = peewee.CharField(max_length=64, default="")
    details = JSONField(default=dict)
    address = peewee.CharField(max_length=64, default="")

    class Meta:
        table_name = "audit_event"
        indexes = ((("actor_name", "at"), False),)


def _add_security_tables(db: peewee.Database) -> None:
    """The audit log, and the users' session epoch (old cookies stop on password change)."""
    migrator = SchemaMigrator.from_database(db)
    run_operations(migrator.add_column("user", "session_epoch", peewee.IntegerField(default=0)))
    frozen = [_AuditEventV1]
    with db.bind_ctx(frozen, bind_refs=False, bind_backrefs=False):
        db.create_tables(frozen)


def _add_automatic_surveys(db: peewee.Database) -> None:
    """When a survey link was last mailed per callback (filled from the links sent so
    far, so the automatic mail skips them), and its system user ``@survey``."""
    from server.customer_mail.auto_surveys import create_survey_user

    migrator = SchemaMigrator.from_database(db)
    run_operations(
        migrator.add_column("callback", "survey_mailed_at", peewee.DateTimeField(null=True))
    )
    db.execute_sql(
        "UPDATE callback SET survey_mailed_at = (SELECT MAX(created_at) FROM survey_link "
        "WHERE survey_link.callback_id = callback.id)"
    )
    create_survey_user(db)


MIGRATIONS = [
    Migration(1, "create core tables", _create_core_tables),
    Migration(2, "create SLA tables", _create_sla_tables),
    Migration(3, "create the ticket search table", _create_search_table),
    Migration(4, "add user email, notifications and the mail outbox", _add_mail_and_notifications),
    Migration(5, "add a trigram index for searching tickets", _add_trigram_search_index),
    Migration(6, "create outlets and technicians' skills and regions", _create_dispatch_tables),
    Migration(7, "create the site readiness confirmations", _create_readiness_table),
    Migration(8, "create the round-robin turns of automatic dispatch", _create_dispatch_cursor),
    Migration(9, "create service reports", _create_report_tables),
    Migration(10, "create appointments", _create_appointment_tables),
    Migration(
        11, "create ticket links (a parent incident and its tickets)", _create_ticket_link_table
    ),
    Migration(12, "create callbacks (回访) after resolution", _create_callback_table),
    Migration(13, "create the complaint ledger and its step log", _create_complaint_tables),
    # Merit points: 14 in the issue-7 plan (callbacks 12, complaints 13).
    Migration(14, "create the merit ledger and its awarding cursor", _create_merit_tables),
    Migration(15, "add the KPI figures' indexes", _add_kpi_indexes),
    Migration(16, "create API tokens", _create_api_token_table),
    Migration(17, "create webhooks and their delivery outbox", _create_webhook_tables),
    Migration(
        18, "add the web form's system user and customer contact indexes", _add_public_intake
    ),
    Migration(
        19, "create the knowledge base (articles, their links to tickets)", _create_kb_tables
    ),
    Migration(20, "add customer mail: opt-in, language, survey links", _add_customer_mail),
    Migration(21, "create the audit log and the users' session epoch", _add_security_tables),
    Migration(
        22, "add indexes that keep the KPI backlog bounded at 1M tickets", _add_scale_indexes
    ),
    Migration(23, "PostgreSQL: a trigram index for searching tickets", _add_pg_trigram_index),
    Migration(
        24,
        "PostgreSQL: a partial index of the never-resolved tickets (KPI backlog)",
        _add_never_resolved_index,
    ),
    Migration(
        25, "add automatic survey mails: their claim and system user", _add_automatic_surveys
    ),
]
