"""The on-site result report: parts, labour, fees, the quote the customer consented to.

Paid work needs consent first: a quote (estimated parts and labour → fee lines) is shown
to the customer, who types their name and agrees; ``file_report`` refuses a report whose
charged total is not covered by such a quote. Work the entitlement covers needs none.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import mimetypes
from collections.abc import Sequence
from typing import Any

import peewee
from werkzeug.datastructures import FileStorage

from server.attachments import UploadRefused, attachment_path, display_name, save_attachment
from server.catalog import Registry
from server.config import Config, FeeSettings
from server.db import write_transaction
from server.dispatch.appointments import AppointmentError, current_appointment, set_appointment
from server.dispatch.fees import (
    FeeLine,
    PartLine,
    charged_total,
    compute_fees,
    format_cents,
    free_total,
)
from server.i18n import gettext
from server.models import Attachment, BaseModel, JSONField, Ticket, TicketEvent, User, utcnow
from server.plugin_api import REPORT_OUTCOMES, Label, ReportInfo
from server.sla.engine import ticket_entitlement
from server.snapshots import ticket_info

RESOLVED_OUTCOMES = ("resolved_by_phone", "resolved_on_site")
# No more work is reported (or quoted) on these; reopening a closed ticket allows it again.
FINISHED_STATUSES = ("closed", "cancelled")
OUTCOME_LABELS = {
    "resolved_by_phone": Label("电话解决", "Resolved by phone"),
    "resolved_on_site": Label("现场解决", "Resolved on site"),
    "sent_to_workshop": Label("送修网点", "Sent to the workshop"),
    "sent_to_factory": Label("返厂维修", "Sent to the factory"),
    "unfinished": Label("未完成", "Unfinished"),
}
MAX_QUANTITY = 999
MAX_LABOUR_HOURS = decimal.Decimal(100)
SLIP_TYPES = ("image/", "application/pdf")


class ServiceReport(BaseModel):
    """One visit's result (a ticket may get several): what was found, done and charged."""

    ticket = peewee.ForeignKeyField(Ticket, backref="service_reports", on_delete="CASCADE")
    technician = peewee.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    outcome = peewee.CharField(max_length=30)
    diagnosis = peewee.TextField(default="")
    work_done = peewee.TextField(default="")
    labour_hours = peewee.DecimalField(max_digits=6, decimal_places=2, default=0)
    unfinished_reason = peewee.TextField(default="")
    # The next appointment asked for when unfinished (naive UTC).
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
        indexes = ((("ticket", "created_at"), False),)


class ReportPart(BaseModel):
    """A part used, with the price it had in the parts list when the report was filed."""

    report = peewee.ForeignKeyField(ServiceReport, backref="parts", on_delete="CASCADE")
    code = peewee.CharField(max_length=40)
    name = peewee.CharField(max_length=200)
    unit_price_cents = peewee.IntegerField()
    quantity = peewee.IntegerField()
    returned_to_customer = peewee.BooleanField(default=False)

    class Meta:
        table_name = "report_part"


class ReportFee(BaseModel):
    """One fee line of a report; ``charged`` False when the entitlement covers it."""

    report = peewee.ForeignKeyField(ServiceReport, backref="fees", on_delete="CASCADE")
    kind = peewee.CharField(max_length=20)
    description = peewee.CharField(max_length=300)
    amount_cents = peewee.IntegerField()
    charged = peewee.BooleanField()
    reason = peewee.CharField(max_length=300, default="")

    class Meta:
        table_name = "report_fee"


class FeeQuote(BaseModel):
    """The fee lines shown to the customer before paid work, and their recorded consent."""

    ticket = peewee.ForeignKeyField(Ticket, backref="fee_quotes", on_delete="CASCADE")
    lines = JSONField(default=list)
    total_cents = peewee.IntegerField()
    currency = peewee.CharField(max_length=3, default="CNY")
    created_by = peewee.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_at = peewee.DateTimeField(default=utcnow)
    consent_name = peewee.CharField(max_length=100, default="")
    consent_at = peewee.DateTimeField(null=True)
    recorded_by = peewee.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    # The report whose paid work this consent covered: one consent, one piece of work.
    used_by = peewee.ForeignKeyField(ServiceReport, null=True, backref="+", on_delete="SET NULL")

    class Meta:
        table_name = "fee_quote"
        indexes = ((("ticket", "created_at"), False),)


REPORT_MODELS = (ServiceReport, ReportPart, ReportFee, FeeQuote)


class ReportInvalid(Exception):
    """The report or quote breaks a rule: messages by field name (``""``: the whole form)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(m for messages in errors.values() for m in messages))


class ReportError(Exception):
    """The report cannot be filed as it stands (one line, shown at the top of the form)."""


class ConsentMissing(ReportError):
    """Paid work that no consented quote covers."""


# --- parts and fees -------------------------------------------------------------------


def part_lines(
    registry: Registry, ticket: Ticket, parts: Sequence[tuple[str, int, bool]]
) -> tuple[list[PartLine], list[str]]:
    """The chosen parts priced from the ticket's plugin's list, and what was refused."""
    lines: list[PartLine] = []
    errors: list[str] = []
    offered = {p.code for p in registry.parts_of(ticket.plugin, ticket.service)}
    for code, quantity, returned in parts:
        part = registry.part(ticket.plugin, code)
        if part is None or code not in offered:
            errors.append(
                gettext("Part '%(code)s' is not in the parts list for this service.", code=code)
            )
            continue
        if not 1 <= quantity <= MAX_QUANTITY:
            errors.append(
                gettext(
                    "Quantity of %(code)s must be between 1 and %(max)s.",
                    code=code,
                    max=MAX_QUANTITY,
                )
            )
            continue
        lines.append(PartLine(part.code, _both(part.name), part.price_cents, quantity, returned))
    return lines, errors


def _both(name: Label) -> str:
    """A part's name as stored on a filed report: both languages when they differ."""
    return name.zh if name.zh == name.en else f"{name.zh} / {name.en}"


def _labour_errors(hours: decimal.Decimal) -> list[str]:
    if not hours.is_finite() or hours < 0 or hours > MAX_LABOUR_HOURS:
        return [gettext("Enter hours between 0 and %(max)s.", max=MAX_LABOUR_HOURS)]
    if hours != hours.quantize(decimal.Decimal("0.01")):
        return [gettext("Use at most two decimal places.")]
    return []


def estimate(
    registry: Registry,
    fees: FeeSettings,
    ticket: Ticket,
    parts: Sequence[tuple[str, int, bool]],
    labour_hours: decimal.Decimal,
) -> list[FeeLine]:
    """The fee lines for planned work (raises :class:`ReportInvalid` for bad parts/hours)."""
    lines, part_errors = part_lines(registry, ticket, parts)
    errors = {"parts": part_errors, "labour_hours": _labour_errors(labour_hours)}
    errors = {name: messages for name, messages in errors.items() if messages}
    if errors:
        raise ReportInvalid(errors)
    return compute_fees(lines, labour_hours, ticket_entitlement(registry, ticket), fees)


def record_quote(
    registry: Registry,
    fees: FeeSettings,
    ticket: Ticket,
    parts: Sequence[tuple[str, int, bool]],
    labour_hours: decimal.Decimal,
    consent_name: str,
    actor: User,
    now: dt.datetime | None = None,
) -> FeeQuote:
    """Record the customer's consent to the quote computed from ``parts`` and hours."""
    now = now or utcnow()
    refuse_if_finished(ticket)
    lines = estimate(registry, fees, ticket, parts, labour_hours)
    total = charged_total(lines)
    if not consent_name.strip():
        raise ReportInvalid(
            {"consent_name": [gettext("The customer types their name to consent.")]}
        )
    if total <= 0:
        raise ReportError(
            gettext("Nothing in this quote is charged: covered work needs no consent.")
        )
    with write_transaction():
        quote = FeeQuote.create(
            ticket=ticket,
            lines=[dataclasses.asdict(line) for line in lines],
            total_cents=total,
            currency=fees.currency,
            created_by=actor,
            created_at=now,
            consent_name=consent_name.strip()[:100],
            consent_at=now,
            recorded_by=actor,
        )
        TicketEvent.create(
            ticket=ticket,
            actor=actor,
            at=now,
            kind="quote_consented",
            data={
                "quote": quote.id,
                "total": format_cents(total),
                "currency": fees.currency,
                "consent_name": quote.consent_name,
            },
        )
    return quote


def refuse_if_finished(ticket: Ticket) -> None:
    """Raise :class:`ReportError` for a closed or cancelled ticket."""
    if ticket.status in FINISHED_STATUSES:
        if ticket.status == "closed":
            message = gettext(
                "%(number)s is closed: no more work is reported on it "
                "(reopen a closed ticket first).",
                number=ticket.number,
            )
        else:
            message = gettext(
                "%(number)s is cancelled: no more work is reported on it.", number=ticket.number
            )
        raise ReportError(message)


def covering_quote(ticket: Ticket, charged_cents: int) -> FeeQuote | None:
    """An unused quote the customer consented to whose total is at least ``charged_cents``."""
    return (
        FeeQuote.select()
        .where(
            (FeeQuote.ticket == ticket.id)
            & FeeQuote.consent_at.is_null(False)
            & FeeQuote.used_by.is_null()
            & (FeeQuote.total_cents >= charged_cents)
        )
        .order_by(FeeQuote.created_at.desc())
        .first()
    )


# --- the report -----------------------------------------------------------------------


def report_errors(
    registry: Registry, ticket: Ticket, report: ReportInfo, now: dt.datetime
) -> dict[str, list[str]]:
    """The core's rules for a report, then (when they pass) the plugins' own."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if report.outcome not in REPORT_OUTCOMES:
        add("outcome", gettext("Choose an outcome."))
    _lines, part_errors = part_lines(registry, ticket, report.parts)
    for message in part_errors:
        add("parts", message)
    for message in _labour_errors(report.labour_hours):
        add("labour_hours", message)
    if report.outcome in RESOLVED_OUTCOMES and not report.customer_name.strip():
        add(
            "customer_name",
            gettext("The customer confirms a resolved job by typing their name."),
        )
    if report.outcome == "unfinished":
        if not report.unfinished_reason.strip():
            add("unfinished_reason", gettext("Say why the job is unfinished."))
        start, end = report.next_start, report.next_end
        if start is None or end is None:
            add("next_start", gettext("Give the next appointment's start and end."))
        elif end <= start:
            add("next_end", gettext("Must be after the start."))
        elif start <= now:
            add("next_start", gettext("Must be in the future."))
    if errors:
        return errors
    service = registry.service(ticket.plugin, ticket.service)
    if service is None:
        return errors
    hook = registry.ticket_hook(ticket.plugin, "validate_report")
    for result in hook(service=service, ticket=ticket_info(ticket), report=report):
        for name, messages in (result or {}).items():
            errors.setdefault(name, []).extend(messages)
    return errors


def file_report(
    registry: Registry,
    config: Config,
    ticket: Ticket,
    report: ReportInfo,
    actor: User,
    slip: FileStorage | None = None,
    now: dt.datetime | None = None,
) -> ServiceReport:
    """Check and file one visit's report, its parts, fees and slip, all or nothing.

    :raises ReportInvalid: a field breaks a rule (the core's or a plugin's).
    :raises ConsentMissing: paid work without a consented quote covering its total.
    :raises ReportError: the ticket is closed or cancelled.
    :raises server.attachments.UploadRefused: the slip photo is refused.
    """
    now = now or utcnow()
    refuse_if_finished(ticket)
    errors = report_errors(registry, ticket, report, now)
    if errors:
        raise ReportInvalid(errors)
    if report.outcome != "unfinished":
        report = dataclasses.replace(report, unfinished_reason="", next_start=None, next_end=None)
    parts, _ = part_lines(registry, ticket, report.parts)
    lines = compute_fees(
        parts, report.labour_hours, ticket_entitlement(registry, ticket), config.fees
    )
    charged = charged_total(lines)
    quote = covering_quote(ticket, charged) if charged > 0 else None
    missing = ConsentMissing(
        gettext(
            "Paid work needs the customer's consent first: this report charges "
            "%(amount)s %(currency)s, and no consented quote for this ticket covers that "
            "amount (each consent covers one report).",
            amount=format_cents(charged),
            currency=config.fees.currency,
        )
    )
    if charged > 0 and quote is None:
        raise missing
    attachment: Attachment | None = None
    try:
        with write_transaction():
            attachment = _save_slip(config, slip, actor, ticket)
            row = _write_report(config, ticket, report, actor, now, attachment, parts, lines)
            if quote is not None and not _use_quote(quote, row):
                raise missing  # another report used it meanwhile
            _book_next_visit(registry, ticket, report, actor, now)
    except Exception:
        if attachment is not None:  # the row rolled back: do not keep its file
            attachment_path(config, attachment).unlink(missing_ok=True)
        raise
    return row


def _use_quote(quote: FeeQuote, report: ServiceReport) -> bool:
    """Claim the quote for ``report``; False when another report claimed it first."""
    claimed = (
        FeeQuote.update(used_by=report)
        .where((FeeQuote.id == quote.id) & FeeQuote.used_by.is_null())
        .execute()
    )
    return claimed == 1


def _book_next_visit(
    registry: Registry, ticket: Ticket, report: ReportInfo, actor: User, now: dt.datetime
) -> None:
    """An unfinished job's next window becomes the ticket's appointment (same transaction)."""
    if report.outcome != "unfinished" or report.next_start is None or report.next_end is None:
        return
    current = current_appointment(ticket)
    if current is not None and (current.starts_at, current.ends_at) == (
        report.next_start,
        report.next_end,
    ):
        return  # already booked
    try:
        set_appointment(
            registry,
            ticket,
            report.next_start,
            report.next_end,
            actor,
            reason=f"next visit: {report.unfinished_reason}"[:500],
            now=now,
        )
    except AppointmentError as exc:
        field = "next_end" if exc.field == "end" else "next_start"
        raise ReportInvalid({field: [str(exc)]}) from None


def _write_report(
    config: Config,
    ticket: Ticket,
    report: ReportInfo,
    actor: User,
    now: dt.datetime,
    attachment: Attachment | None,
    parts: list[PartLine],
    lines: list[FeeLine],
) -> ServiceReport:
    charged = charged_total(lines)
    row = ServiceReport.create(
        ticket=ticket,
        technician=actor,
        outcome=report.outcome,
        diagnosis=report.diagnosis,
        work_done=report.work_done,
        labour_hours=report.labour_hours,
        unfinished_reason=report.unfinished_reason,
        next_start=report.next_start,
        next_end=report.next_end,
        customer_name=report.customer_name.strip()[:100],
        confirmed_at=now if report.customer_name.strip() else None,
        slip=attachment,
        currency=config.fees.currency,
        charged_cents=charged,
        created_at=now,
    )
    for part in parts:
        ReportPart.create(report=row, **dataclasses.asdict(part))
    for line in lines:
        ReportFee.create(
            report=row,
            kind=line.kind,
            description=line.description[:300],
            amount_cents=line.amount_cents,
            charged=line.charged,
            reason=line.reason[:300],
        )
    TicketEvent.create(
        ticket=ticket,
        actor=actor,
        at=now,
        kind="report_filed",
        data={
            "report": row.id,
            "outcome": report.outcome,
            "charged": format_cents(charged),
            "free": format_cents(free_total(lines)),
            "currency": config.fees.currency,
        },
    )
    return row


def _save_slip(
    config: Config, slip: FileStorage | None, actor: User, ticket: Ticket
) -> Attachment | None:
    """Store the photo of the signed slip (inside the report's transaction)."""
    if slip is None or not slip.filename:
        return None
    content_type = mimetypes.guess_type(display_name(slip.filename))[0] or ""
    if not content_type.startswith(SLIP_TYPES):
        raise UploadRefused(gettext("The slip must be a photo or a PDF."))
    return save_attachment(config, slip, actor, ticket=ticket)


def ticket_reports(ticket: Ticket) -> list[ServiceReport]:
    """The ticket's reports, oldest first, with their parts and fees loaded."""
    reports = list(
        ServiceReport.select()
        .where(ServiceReport.ticket == ticket.id)
        .order_by(ServiceReport.created_at, ServiceReport.id)
    )
    if not reports:
        return []
    ids = [r.id for r in reports]
    parts: dict[int, list[ReportPart]] = {i: [] for i in ids}
    fees: dict[int, list[ReportFee]] = {i: [] for i in ids}
    for part in ReportPart.select().where(ReportPart.report.in_(ids)).order_by(ReportPart.id):
        parts[part.report_id].append(part)
    for fee in ReportFee.select().where(ReportFee.report.in_(ids)).order_by(ReportFee.id):
        fees[fee.report_id].append(fee)
    for report in reports:
        report.part_rows = parts[report.id]
        report.fee_rows = fees[report.id]
        report.free_cents = sum(f.amount_cents for f in fees[report.id] if not f.charged)
    return reports


def ticket_quotes(ticket: Ticket) -> list[FeeQuote]:
    return list(
        FeeQuote.select()
        .where(FeeQuote.ticket == ticket.id)
        .order_by(FeeQuote.created_at, FeeQuote.id)
    )


def report_context(ticket: Ticket) -> dict[str, Any]:
    """What the ticket page's "Service reports" card shows."""
    return {"service_reports": ticket_reports(ticket), "fee_quotes": ticket_quotes(ticket)}
