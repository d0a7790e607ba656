"""The quote-and-consent page and the on-site result report page of a ticket."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, g, request, url_for

from server import htmx, workflow
from server.attachments import UploadRefused
from server.auth import require, require_on_ticket
from server.catalog import Registry, current_registry
from server.config import Config
from server.dispatch.fees import FeeLine, charged_total, format_cents, free_total
from server.dispatch.reports import (
    OUTCOME_LABELS,
    ConsentMissing,
    ReportError,
    ReportInvalid,
    estimate,
    file_report,
    record_quote,
    ticket_quotes,
)
from server.i18n import gettext
from server.links import cascade_message, cascade_resolution
from server.messages import status_word, text
from server.models import Ticket
from server.plugin_api import REPORT_OUTCOMES
from server.report_forms import PartsForm, QuoteForm, ReportForm
from server.sla.engine import ticket_entitlement
from server.templating import current_locale, translate
from server.tickets import StaleTicket, TransitionRefused, transition_ticket
from server.views.tickets import ticket_or_404

bp = Blueprint("reports", __name__)


@bp.app_template_filter("money")
def money(cents: int | None) -> str:
    """Integer cents as an amount: 12345 → "123.45"."""
    return format_cents(cents)


def _texts(errors: dict[str, list[Any]]) -> dict[str, list[str]]:
    """Errors by field in the page's language (a plugin's ``validate_report`` may give a
    :class:`~server.plugin_api.Label`)."""
    return {name: [text(message) for message in messages] for name, messages in errors.items()}


@bp.app_template_filter("outcome")
def outcome_label(outcome: str) -> str:
    label = OUTCOME_LABELS.get(outcome)
    return translate(label) if label else outcome


def _config() -> Config:
    return current_app.extensions["aftersales"].config


def _ticket_to_work_on(number: str) -> Ticket:
    ticket = ticket_or_404(number)
    require_on_ticket("report.file", ticket)
    return ticket


def _prepare(form: PartsForm, registry: Registry, ticket: Ticket) -> None:
    locale = current_locale()
    form.set_part_choices(
        (part.code, f"{part.name.get(locale)} · {format_cents(part.price_cents)}")
        for part in registry.parts_of(ticket.plugin, ticket.service)
    )
    if isinstance(form, ReportForm):
        form.set_outcome_choices((o, translate(OUTCOME_LABELS[o])) for o in REPORT_OUTCOMES)


def _common(registry: Registry, ticket: Ticket) -> dict[str, Any]:
    return {
        "ticket": ticket,
        "entitlement": ticket_entitlement(registry, ticket),
        "currency": _config().fees.currency,
        "quotes": [q for q in ticket_quotes(ticket) if q.consent_at is not None],
    }


# --- quote and consent ----------------------------------------------------------------


@bp.route("/tickets/<number>/quote", methods=["GET", "POST"])
@require("report.file")
def quote(number: str) -> Any:
    """Estimate paid work, show it to the customer and record their consent.

    ``action=estimate`` (or a JS-less first submit) only shows the fee lines; ``action=
    consent`` records the consent, provided the amounts are the ones that were shown.
    """
    ticket = _ticket_to_work_on(number)
    registry = current_registry()
    form = QuoteForm()
    _prepare(form, registry, ticket)
    if request.method == "GET":
        return _render_quote(form, registry, ticket)
    if not form.validate():
        return _render_quote(form, registry, ticket, 422)
    try:
        lines = estimate(registry, _config().fees, ticket, form.chosen_parts(), form.hours())
    except ReportInvalid as exc:
        form.attach(_texts(exc.errors))
        return _render_quote(form, registry, ticket, 422)
    total = format_cents(charged_total(lines))
    if request.form.get("action") != "consent":
        form.shown_total.data = total
        return _render_quote(form, registry, ticket, lines=lines)
    if form.shown_total.data != total:
        form.shown_total.data = total
        form.form_errors.append(
            gettext(
                "The amounts changed since they were shown: "
                "show the customer these before they agree."
            )
        )
        return _render_quote(form, registry, ticket, 422, lines=lines)
    if not form.agrees.data:
        form.agrees.errors = [gettext("The customer must agree before paid work starts.")]
        return _render_quote(form, registry, ticket, 422, lines=lines)
    try:
        record_quote(
            registry,
            _config().fees,
            ticket,
            form.chosen_parts(),
            form.hours(),
            form.consent_name.data or "",
            g.user,
        )
    except ReportInvalid as exc:
        form.attach(_texts(exc.errors))
        return _render_quote(form, registry, ticket, 422, lines=lines)
    except ReportError as exc:
        form.form_errors.append(text(exc))
        return _render_quote(form, registry, ticket, 422, lines=lines)
    flash(
        gettext(
            "Consent to %(total)s %(currency)s recorded for %(number)s.",
            total=total,
            currency=_config().fees.currency,
            number=ticket.number,
        )
    )
    return htmx.redirect(url_for("tickets.detail", number=ticket.number))


def _render_quote(
    form: QuoteForm,
    registry: Registry,
    ticket: Ticket,
    status: int = 200,
    lines: list[FeeLine] | None = None,
) -> Any:
    return htmx.render(
        "reports/quote.html",
        "reports/_quote_form.html",
        status=status,
        form=form,
        lines=lines,
        charged=charged_total(lines) if lines is not None else None,
        free=free_total(lines) if lines is not None else None,
        **_common(registry, ticket),
    )


# --- the result report ----------------------------------------------------------------


@bp.route("/tickets/<number>/report", methods=["GET", "POST"])
@require("report.file")
def report(number: str) -> Any:
    """File one visit's result report (all of it, or nothing)."""
    ticket = _ticket_to_work_on(number)
    registry = current_registry()
    form = ReportForm()
    _prepare(form, registry, ticket)
    if request.method == "GET":
        return _render_report(form, registry, ticket)
    if not form.validate():
        return _render_report(form, registry, ticket, 422)
    try:
        file_report(
            registry, _config(), ticket, form.report_info(), g.user, slip=form.slip.data or None
        )
    except ReportInvalid as exc:
        form.attach(_texts(exc.errors))
        return _render_report(form, registry, ticket, 422)
    except ReportError as exc:
        return _render_report(
            form, registry, ticket, 422, error=text(exc), quote_link=isinstance(exc, ConsentMissing)
        )
    except UploadRefused as exc:
        form.slip.errors = [text(exc)]
        return _render_report(form, registry, ticket, 422)
    flash(gettext("Result report filed for %(number)s.", number=ticket.number))
    _resolve_after(registry, ticket, form.outcome.data)
    return htmx.redirect(url_for("tickets.detail", number=ticket.number))


RESOLVING_OUTCOMES = ("resolved_by_phone", "resolved_on_site")


def _resolve_after(registry: Registry, ticket: Ticket, outcome: str) -> None:
    """A report that says the job is done moves the ticket to resolved, when it may."""
    if outcome not in RESOLVING_OUTCOMES:
        return
    fresh = Ticket.get_by_id(ticket.id)
    if fresh.status == "resolved":
        return
    try:
        transition_ticket(registry, fresh, fresh.version, "resolved", g.user, "result report filed")
    except (TransitionRefused, StaleTicket) as exc:
        flash(
            gettext(
                "The ticket stays %(status)s: %(reason)s",
                status=status_word(workflow.STATUSES[fresh.status]),
                reason=text(exc),
            ),
            "error",
        )
    else:
        # a parent's linked tickets are resolved with it (server/links.py)
        cascaded = cascade_message(
            cascade_resolution(registry, Ticket.get_by_id(ticket.id), g.user)
        )
        resolved = gettext("%(number)s is now resolved.", number=ticket.number)
        flash(" ".join(part for part in (resolved, cascaded) if part))


def _render_report(
    form: ReportForm,
    registry: Registry,
    ticket: Ticket,
    status: int = 200,
    error: str = "",
    quote_link: bool = False,
) -> Any:
    return htmx.render(
        "reports/report.html",
        "reports/_report_form.html",
        status=status,
        form=form,
        error=error,
        quote_link=quote_link,
        **_common(registry, ticket),
    )
