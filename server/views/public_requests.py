"""Public pages (no login): the services customers may request, and the request form."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from server import htmx
from server.auth import public
from server.catalog import current_registry
from server.dispatch.assign import dispatch_new_ticket
from server.forms import PLUGIN_FIELD_PREFIX
from server.i18n import current_locale
from server.models import utcnow
from server.public import guard
from server.public.forms import (
    CUSTOMER_FIELD_PREFIX,
    attach_errors,
    field_names,
    public_form_class,
    values_of,
)
from server.public.intake import PublicRequest, submit_request, web_user
from server.sla.models import TicketSla
from server.timeutil import local_year

bp = Blueprint("public_requests", __name__)
DONE_KEY = "public_request_done"


def _public_service(industry: str, code: str) -> Any:
    service = current_registry().service(industry, code)
    if service is None or not service.public:
        abort(404)
    return service


@bp.get("/request")
@public
def services() -> Any:
    """The services customers may request, grouped by industry, in the page's language."""
    registry = current_registry()
    groups = []
    for slug, industry in registry.industries.items():
        offered = [s for s in registry.services_of(slug) if s.public]
        if offered:
            groups.append((slug, industry, offered))
    return render_template("public/services.html", groups=groups)


@bp.route("/request/<industry>/<service>", methods=["GET", "POST"])
@public
def request_form(industry: str, service: str) -> Any:
    """One service's form; a valid request becomes a ticket (channel web)."""
    chosen = _public_service(industry, service)
    registry = current_registry()
    locale = current_locale()
    form_class, ticket_specs, customer_specs = public_form_class(registry, industry, chosen, locale)
    form = form_class()
    if request.method == "POST":
        wait = guard.over_limit("submit")
        if wait is not None:
            return guard.too_many(wait)
    if form.validate_on_submit():
        if form.website.data:
            return _pretend_success(industry, chosen)
        intake = submit_request(
            registry,
            PublicRequest(
                industry=industry,
                service=chosen,
                name=form.name.data,
                phone=form.phone.data,
                email=form.email.data or "",
                address=form.address.data or "",
                customer_attributes=values_of(form, CUSTOMER_FIELD_PREFIX, customer_specs),
                description=form.description.data or "",
                attributes=values_of(form, PLUGIN_FIELD_PREFIX, ticket_specs),
                email_updates=bool(form.email_updates.data),
            ),
            locale,
            local_year(),
            utcnow(),
        )
        if intake.ticket is not None:
            ticket = intake.ticket
            config = current_app.extensions["aftersales"].config
            dispatch_new_ticket(registry, config.dispatch, ticket, web_user())
            return _done(ticket.number, industry, chosen.code, _first_response_due(ticket))
        attach_errors(form, dict(intake.errors))
    # An htmx POST with errors gets the form alone, swapped in place (the data kept).
    return htmx.render(
        "public/request.html",
        "public/_request_form.html",
        status=422 if request.method == "POST" else 200,
        form=form,
        industry=registry.industries[industry],
        industry_slug=industry,
        service=chosen,
        customer_fields=field_names(form, CUSTOMER_FIELD_PREFIX),
        plugin_fields=field_names(form, PLUGIN_FIELD_PREFIX),
    )


def _first_response_due(ticket: Any) -> str | None:
    clock = TicketSla.get_or_none(
        (TicketSla.ticket == ticket.id) & (TicketSla.metric == "first_response")
    )
    return clock.due_at.isoformat() if clock is not None and clock.due_at else None


def _done(number: str, industry: str, service: str, due: str | None) -> Any:
    """Remember the answer in the session and show it on its own page (a reload or the
    language switcher does not send the form again). htmx follows it as a full page."""
    session[DONE_KEY] = {"number": number, "industry": industry, "service": service, "due": due}
    return htmx.redirect(url_for("public_requests.done"))


def _pretend_success(industry: str, service: Any) -> Any:
    """A filled honeypot: the same kind of answer, but nothing is saved."""
    current_app.logger.warning(
        "public request refused: honeypot filled (from %s, service %s:%s)",
        request.remote_addr,
        industry,
        service.code,
    )
    prefix = current_registry().industries[industry].ticket_prefix
    number = f"{prefix}-{local_year()}-{secrets.randbelow(900000) + 100000:06d}"
    return _done(number, industry, service.code, None)


@bp.get("/request/done")
@public
def done() -> Any:
    """The answer to a request: its number, what happens next, where to follow it."""
    answer = session.get(DONE_KEY)
    if not isinstance(answer, dict):
        return redirect(url_for("public_requests.services"))
    service = current_registry().service(answer.get("industry", ""), answer.get("service", ""))
    due = dt.datetime.fromisoformat(answer["due"]) if answer.get("due") else None
    return render_template(
        "public/done.html", number=answer.get("number", ""), service=service, due=due
    )
