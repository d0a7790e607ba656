"""Mails to customers, written from templates in the customer's language into the outbox.

Each event has a core template, ``templates/mail/customer/<event>.txt``; the ticket's
plugin may ship its own as ``<plugin>/mail/customer/<event>.txt`` in its ``templates/``
folder (the usual slug folder), which is used instead for that plugin's tickets — it may
``{% extends %}`` the core one and replace a block. A template has the blocks
``subject`` and ``message`` (inside ``body``; see ``mail/customer/_layout.txt``), and is
rendered twice — ``part`` "subject", then "body" — inside :func:`server.i18n.force_locale` with
the customer's language, so ``_()``, ``|tr`` and the time filters speak it.

The mails are added to the outbox (``OutgoingMail``) inside the caller's transaction:
a change that rolls back sends nothing, and one that commits is mailed by the worker.
What they may show is deliberately narrow — ticket number, service, appointment window,
the firm's name and phone, links — never notes, descriptions or staff names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from flask import current_app

from server.catalog import Registry
from server.i18n import LOCALES, default_locale, force_locale
from server.models import Customer, Ticket
from server.notifications import OutgoingMail
from server.templating import localtime, translate
from server.timeutil import to_local

EVENTS = ("received", "appointment_set", "appointment_changed", "resolved", "survey")
# Events a customer gets only when they opted in (a survey is sent on purpose by staff).
NOTIFICATIONS = ("received", "appointment_set", "appointment_changed", "resolved")
STATUS_PATH = "/status"


def customer_language(customer: Customer) -> str:
    """The language mails to ``customer`` are written in: theirs, else the default."""
    return customer.language if customer.language in LOCALES else default_locale()


def template_names(plugin: str, event: str) -> list[str]:
    """The templates tried for ``event`` of a ``plugin`` ticket, the plugin's first."""
    if event not in EVENTS:
        raise ValueError(f"unknown customer mail event {event!r}")
    return [f"{plugin}/mail/customer/{event}.txt", f"mail/customer/{event}.txt"]


def public_url() -> str:
    """``[server] public_url`` without a trailing slash ("" when not configured)."""
    return current_app.extensions["aftersales"].config.server.public_url.rstrip("/")


def render_mail(
    registry: Registry, event: str, ticket: Ticket, **extra: Any
) -> tuple[str, str, str]:
    """(language, subject, body) of ``event``'s mail about ``ticket`` to its customer."""
    customer = ticket.customer
    language = customer_language(customer)
    template = current_app.jinja_env.select_template(template_names(ticket.plugin, event))
    with force_locale(language):
        context = _context(registry, ticket, language, extra)
        subject = template.render(context, part="subject")
        body = template.render(context, part="body")
    return language, " ".join(subject.split()), _tidy(body)


def _tidy(text: str) -> str:
    """Trailing spaces off every line, at most one blank line in a row, one final newline."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    kept = [line for n, line in enumerate(lines) if line or (n and lines[n - 1])]
    return "\n".join(kept) + "\n"


def _context(
    registry: Registry, ticket: Ticket, language: str, extra: Mapping[str, Any]
) -> dict[str, Any]:
    firm = current_app.extensions["aftersales"].config.print
    service = registry.service(ticket.plugin, ticket.service)
    base = public_url()
    return {
        "language": language,
        "customer_name": ticket.customer.name,
        "number": ticket.number,
        "service": translate(service.label) if service is not None else ticket.service,
        "industry": ticket.plugin,
        "firm_name": firm.firm_name,
        "firm_phone": firm.firm_phone,
        "status_url": base + STATUS_PATH if base else "",
        **extra,
    }


def window_text(start: dt.datetime, end: dt.datetime) -> str:
    """An appointment window in the current language and the configured zone:
    "Nov 25, 2026, 09:00 – 11:00" (the day once when it ends the same day)."""
    local_start, local_end = to_local(start), to_local(end)
    assert local_start is not None and local_end is not None
    if local_start.date() == local_end.date():
        return f"{localtime(start)} – {local_end:%H:%M}"
    return f"{localtime(start)} – {localtime(end)}"


def ticket_customer(ticket: Ticket) -> Customer:
    """The ticket's customer: the one the write already holds (creation passes it in),
    else read."""
    held = ticket.__rel__.get("customer")
    if isinstance(held, Customer) and held.id == ticket.customer_id:
        return held
    return Customer.get_by_id(ticket.customer_id)


def queue_mail(
    registry: Registry,
    event: str,
    ticket: Ticket,
    now: dt.datetime,
    customer: Customer | None = None,
    **extra: Any,
) -> OutgoingMail | None:
    """Put ``event``'s mail to the ticket's customer in the outbox (caller's transaction).

    Notifications go only to customers who opted in and have an address; a survey goes
    to anyone with an address. Returns the outbox row, or None when nothing is sent.
    ``customer``: the ticket's customer when the caller has already read it.
    """
    customer = customer or ticket_customer(ticket)
    if not customer.email or (event in NOTIFICATIONS and not customer.notify_by_email):
        return None
    ticket.customer = customer  # the same row: render_mail reads it from the ticket
    _language, subject, body = render_mail(registry, event, ticket, **extra)
    return OutgoingMail.create(to=customer.email, subject=subject[:300], body=body, created_at=now)


def ticket_received(registry: Registry, ticket: Ticket, now: dt.datetime) -> None:
    """The customer's ticket was created."""
    queue_mail(registry, "received", ticket, now)


def ticket_resolved(registry: Registry, ticket: Ticket, now: dt.datetime) -> None:
    """The customer's ticket was resolved."""
    queue_mail(registry, "resolved", ticket, now)


def appointment_agreed(
    registry: Registry,
    ticket: Ticket,
    start: dt.datetime,
    end: dt.datetime,
    changed: bool,
    now: dt.datetime,
) -> None:
    """A window (naive UTC) was set, or an agreed one moved (``changed``)."""
    customer = ticket_customer(ticket)
    if not (customer.email and customer.notify_by_email):
        return  # nothing to write: skip formatting the window
    with force_locale(customer_language(customer)):
        window = window_text(start, end)
    event = "appointment_changed" if changed else "appointment_set"
    queue_mail(registry, event, ticket, now, customer, window=window)
