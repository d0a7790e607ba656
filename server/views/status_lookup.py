"""Public page (no login): a customer looks up their ticket by number and phone or email."""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, redirect, render_template, request, session, url_for

from server import htmx
from server.auth import public
from server.catalog import current_registry
from server.i18n import gettext
from server.models import Ticket
from server.public import guard
from server.public.forms import StatusLookupForm
from server.public.lookup import find_ticket, public_status

bp = Blueprint("status_lookup", __name__)
LOOKUP_KEY = "public_lookup"
# How long a successful lookup stays readable in this browser without asking again.
LOOKUP_SECONDS = 15 * 60


@bp.route("/status", methods=["GET", "POST"])
@public
def lookup() -> Any:
    """The lookup form. A match is remembered in the session (the phone never goes into
    a URL) and shown on ``/status/result``; a wrong number and a wrong phone or email get
    the very same answer."""
    form = StatusLookupForm()
    if request.method == "POST":
        wait = guard.over_limit("lookup")
        if wait is not None:
            return guard.too_many(wait)
    if form.validate_on_submit():
        ticket = find_ticket(form.number.data, form.contact.data)
        if ticket is not None:
            session[LOOKUP_KEY] = {"id": ticket.id, "until": int(time.time()) + LOOKUP_SECONDS}
            return htmx.redirect(url_for("status_lookup.result"))
        form.form_errors.append(
            gettext(
                "We found no request with this number and this phone number or email. "
                "Check both and try again."
            )
        )
        form.contact.data = ""
    # An htmx POST that finds nothing gets the form alone, swapped in place.
    status = 422 if request.method == "POST" else 200
    return htmx.render("public/status.html", "public/_status_form.html", status=status, form=form)


@bp.get("/status/result")
@public
def result() -> Any:
    """The ticket found by the lookup: status, appointment window, public timeline."""
    remembered = session.get(LOOKUP_KEY)
    ticket = None
    if isinstance(remembered, dict) and remembered.get("until", 0) > time.time():
        ticket = Ticket.get_or_none(Ticket.id == remembered.get("id"))
    if ticket is None:
        session.pop(LOOKUP_KEY, None)
        return redirect(url_for("status_lookup.lookup"))
    settings = guard.public_settings()
    shown = public_status(ticket, settings.show_staff_names)
    service = current_registry().service(ticket.plugin, ticket.service)
    return render_template("public/result.html", status=shown, service=service)
