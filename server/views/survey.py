"""The customer's survey page ``/survey/<token>`` (public: the signed link is the key).

It shows only what the customer knows already — the firm, the ticket's number, service
and date — and the callback's survey; the answer is recorded as the callback's result.
A bad or unknown token is a 404, an expired, revoked or used link a 410, each with a
page that names nothing. Requests are counted per client address (``[rate_limits]
survey``).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template, request, session

from server.auth import public
from server.catalog import current_registry
from server.complaints.ledger import ComplaintError
from server.customer_mail.mails import customer_language
from server.customer_mail.survey_links import (
    LinkExpired,
    LinkNotFound,
    LinkUsed,
    answer_link,
    open_link,
)
from server.followup.forms import CustomerSurveyForm, with_survey_fields
from server.followup.models import Callback
from server.followup.record import CallbackInvalid, survey_for
from server.i18n import LOCALES, force_locale
from server.models import Customer, Ticket
from server.ratelimit import public_page_wait
from server.tickets import StaleTicket, TransitionRefused

bp = Blueprint("survey", __name__)


def _gone(kind: str, status: int) -> Any:
    """The page of a link that cannot be answered (nothing about the ticket on it)."""
    return render_template("public/survey_gone.html", kind=kind, firm=_firm()), status


def _firm() -> str:
    return current_app.extensions["aftersales"].config.print.firm_name


@bp.route("/survey/<token>", methods=["GET", "POST"])
@public
def answer(token: str) -> Any:
    """Show the survey of a valid link, or record its answer (once)."""
    wait = public_page_wait("survey", request.remote_addr or "")
    if wait is not None:
        response = current_app.make_response(_gone("busy", 429))
        response.headers["Retry-After"] = str(wait)
        return response
    try:
        link = open_link(token)
    except LinkNotFound:
        return _gone("unknown", 404)
    except LinkExpired:
        return _gone("expired", 410)
    except LinkUsed:
        return _gone("used", 410)
    callback = Callback.get_by_id(link.callback_id)
    ticket = Ticket.get_by_id(callback.ticket_id)
    customer = Customer.get_by_id(ticket.customer_id)
    # the language the visitor chose on a public page, else the customer's own
    chosen = session.get("locale")
    with force_locale(chosen if chosen in LOCALES else customer_language(customer)):
        return _survey(link, ticket)


def _survey(link: Any, ticket: Ticket) -> Any:
    registry = current_registry()
    questions = survey_for(registry, ticket)
    form = with_survey_fields(CustomerSurveyForm, questions)()
    if request.method == "GET":
        return _page(ticket, form)
    if not form.validate():
        return _page(ticket, form, 422)
    try:
        answer_link(registry, link, form.answer(questions))
    except CallbackInvalid as exc:
        form.attach(exc.errors)
        return _page(ticket, form, 422)
    except LinkUsed:
        return _gone("used", 410)
    except LinkExpired:
        return _gone("expired", 410)
    except (TransitionRefused, ComplaintError, StaleTicket):
        current_app.logger.warning("survey answer for %s not recorded", ticket.number)
        return _gone("failed", 409)
    return render_template("public/survey_thanks.html", firm=_firm())


def _page(ticket: Ticket, form: Any, status: int = 200) -> Any:
    service = current_registry().service(ticket.plugin, ticket.service)
    return (
        render_template(
            "public/survey.html",
            firm=_firm(),
            form=form,
            number=ticket.number,
            service=service.label if service is not None else ticket.service,
            reported_at=ticket.reported_at,
            resolved_at=ticket.resolved_at,
        ),
        status,
    )
