"""Printable papers: the service slip of a ticket and the callback/complaint records.

The same template serves the browser (``print.css`` with ``@media print``) and the PDF,
which WeasyPrint renders from it. WeasyPrint is imported only when a PDF is asked for:
it needs the system's Pango library, and a server without it still prints from the
browser; the PDF then answers 503 with a one-line reason instead of failing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Response, current_app, render_template
from markupsafe import Markup

from server.asset_fields import asset_field_rows, shown_value
from server.catalog import current_registry
from server.complaints.categories import CHANNEL_NAMES
from server.complaints.models import Complaint
from server.complaints.steps import complaint_log
from server.dispatch.appointments import current_appointment
from server.dispatch.reports import ServiceReport, ticket_reports
from server.followup.models import Callback
from server.followup.record import survey_for
from server.forms import service_field_specs
from server.i18n import current_locale, gettext
from server.models import Ticket, TicketEvent, User, utcnow
from server.plugin_api import FieldSpec

# The system libraries WeasyPrint loads (Debian package names), named in the 503 answer.
PANGO_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0"


class PdfUnavailable(Exception):
    """WeasyPrint (or the Pango library under it) cannot be loaded on this server."""


def _load_weasyprint() -> Any:
    """The ``weasyprint`` module; raises ImportError/OSError when it or Pango is missing."""
    import weasyprint

    return weasyprint


def weasyprint_module() -> Any:
    try:
        return _load_weasyprint()
    except (ImportError, OSError) as exc:
        raise PdfUnavailable(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None


def _static_file(name: str) -> Path:
    return Path(current_app.static_folder or "") / name


def _no_fetching(url: str, *args: Any, **kwargs: Any) -> Any:
    """Printed papers embed nothing from elsewhere: every URL they name is refused."""
    raise ValueError(f"not fetched: {url}")


def render_pdf(html: str) -> bytes:
    """The PDF of a printable page rendered with ``pdf=True`` (styles from print.css)."""
    weasyprint = weasyprint_module()
    stylesheet = weasyprint.CSS(filename=str(_static_file("print.css")))
    document = weasyprint.HTML(string=html, url_fetcher=_no_fetching)
    return document.write_pdf(stylesheets=[stylesheet])


def pdf_response(template: str, filename: str, **context: Any) -> Any:
    """``template`` rendered for paper as an inline PDF, or 503 when PDFs cannot be made."""
    html = render_template(template, pdf=True, **context)
    try:
        data = render_pdf(html)
    except PdfUnavailable as exc:
        message = gettext(
            "PDF output is not available on this server (%(reason)s): "
            "install the system packages %(packages)s. "
            "Printing from the browser still works.",
            reason=exc,
            packages=PANGO_PACKAGES,
        )
        current_app.logger.warning("PDF unavailable: %s", exc)
        return render_template("error.html", status=503, message=message), 503
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def page_counter(which: str) -> Markup:
    """An empty element WeasyPrint fills with the page number (``page``) or count (``pages``)."""
    return Markup(f'<span class="counter-{which}"></span>')


def letterhead() -> dict[str, str]:
    settings = current_app.extensions["aftersales"].config.print
    return {
        "name": settings.firm_name,
        "phone": settings.firm_phone,
        "address": settings.firm_address,
    }


def paper_context() -> dict[str, Any]:
    """What every printable page shows around its content."""
    return {
        "firm": letterhead(),
        "printed_at": utcnow(),
        "page_number": page_counter("page"),
        "page_count": page_counter("pages"),
        "currency": current_app.extensions["aftersales"].config.fees.currency,
    }


# --- the service slip ------------------------------------------------------------------


@dataclass(frozen=True)
class FieldRow:
    label: str
    value: str


def _field_rows(specs: list[FieldSpec], attributes: dict[str, Any], locale: str) -> list[FieldRow]:
    rows = []
    for spec in specs:
        value = attributes.get(spec.name)
        if value is None or value == "":
            continue
        rows.append(FieldRow(spec.label.get(locale), shown_value(spec, value, locale)))
    return rows


def ticket_site_address(ticket: Ticket, specs: list[FieldSpec]) -> str:
    """The first filled ``site_address`` field of the ticket, else the customer's address."""
    attributes = ticket.attributes or {}
    for spec in specs:
        value = attributes.get(spec.name) if spec.site_address else None
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ticket.customer.address or ""


def technicians(ticket: Ticket, reports: list[ServiceReport]) -> list[User]:
    """Who worked the job: the assignee, then each technician who filed a report."""
    people: list[User] = []
    if ticket.assignee_id is not None:
        people.append(ticket.assignee)
    for report in reports:
        if report.technician_id is not None and all(p.id != report.technician_id for p in people):
            people.append(report.technician)
    return people


def slip_context(ticket: Ticket) -> dict[str, Any]:
    """Everything the service slip shows for ``ticket``."""
    registry = current_registry()
    locale = current_locale()
    service = registry.service(ticket.plugin, ticket.service)
    specs = service_field_specs(registry, ticket.plugin, service) if service else []
    site_specs = [spec for spec in specs if spec.site_address]
    plain_specs = [spec for spec in specs if not spec.site_address]
    reports = ticket_reports(ticket)
    latest = reports[-1] if reports else None
    asset_rows: list[tuple[str, str]] = []
    asset_kind = None
    if ticket.asset_id is not None:
        asset_kind = registry.asset_kinds.get((ticket.asset.plugin, ticket.asset.kind))
        asset_rows = asset_field_rows(asset_kind, ticket.asset.attributes, locale)
    fees = latest.fee_rows if latest else []
    charged = sum(f.amount_cents for f in fees if f.charged)
    free = sum(f.amount_cents for f in fees if not f.charged)
    return {
        **paper_context(),
        "ticket": ticket,
        "site_address": ticket_site_address(ticket, site_specs),
        "fields": _field_rows(plain_specs, ticket.attributes or {}, locale),
        "asset_kind": asset_kind,
        "asset_rows": asset_rows,
        "appointment": current_appointment(ticket),
        "technicians": technicians(ticket, reports),
        "report": latest,
        "report_count": len(reports),
        "parts": latest.part_rows if latest else [],
        "fees": fees,
        "charged_cents": charged,
        "free_cents": free,
        "total_cents": charged + free,
    }


# --- the callback record ---------------------------------------------------------------


@dataclass(frozen=True)
class SurveyRow:
    question: str
    kind: str
    answer: Any


def callback_context(callback: Callback) -> dict[str, Any]:
    """The callback, its survey questions with the answers given, and each attempt."""
    registry = current_registry()
    ticket = Ticket.get_by_id(callback.ticket_id)
    answers = callback.answers or {}
    survey = [
        SurveyRow(question.label.get(current_locale()), question.kind, answers.get(question.code))
        for question in survey_for(registry, ticket)
    ]
    attempts = [
        event
        for event in TicketEvent.select()
        .where((TicketEvent.ticket == ticket.id) & (TicketEvent.kind == "callback"))
        .order_by(TicketEvent.at, TicketEvent.id)
        if (event.data or {}).get("callback_id") == callback.id
    ]
    return {
        **paper_context(),
        "callback": callback,
        "ticket": ticket,
        "survey": survey,
        "attempts": attempts,
        "next_try": callback.next_try_at if callback.status == "pending" else None,
    }


# --- the complaint record --------------------------------------------------------------


def complaint_context(complaint: Complaint) -> dict[str, Any]:
    """The complaint's facts and its log of stages, escalations and hand-overs."""
    channel = CHANNEL_NAMES.get(complaint.channel)
    return {
        **paper_context(),
        "complaint": complaint,
        "channel": channel.get(current_locale()) if channel else complaint.channel,
        "log": complaint_log(complaint),
    }
