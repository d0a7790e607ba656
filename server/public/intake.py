"""A customer's own request: match or create the customer, then the ticket (channel web)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import peewee

from server.catalog import Registry
from server.customers import plugin_customer_errors, save_customer
from server.db import write_transaction
from server.models import Customer, Ticket, TicketEvent, User, utcnow
from server.plugin_api import ServiceType
from server.snapshots import customer_info
from server.tickets import NewTicket, create_ticket, validate_new_ticket

# The system user that records what the public form does: it cannot sign in (inactive,
# no password hash matches "!", and ``server.auth.authenticate`` refuses "@" names,
# which the user form's pattern cannot produce).
WEB_USERNAME = "@web"
WEB_DISPLAY_NAME = "网页表单 Web form"

# The customer's phone with the characters the customer form allows besides digits taken
# out; an index on this very expression (migration 18) makes matching by phone a look-up.
PHONE_KEY_SQL = (
    "REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(phone, ' ', ''), '-', ''), '(', ''), ')', ''), "
    "'+', '')"
)
EMAIL_KEY_SQL = "LOWER(email)"
INTAKE_INDEXES = (
    ("customer_phone_key", PHONE_KEY_SQL),
    ("customer_email_key", EMAIL_KEY_SQL),
)
# The customer values a public form may give, compared with a matched customer's.
CONTACT_FIELDS = ("name", "phone", "email", "address")


def create_web_user(db: peewee.Database) -> None:
    """Insert the web form's system user (inactive, no usable password) unless present."""
    p = db.param
    if db.execute_sql(f'SELECT 1 FROM "user" WHERE username = {p}', (WEB_USERNAME,)).fetchone():
        return
    db.execute_sql(
        'INSERT INTO "user" (username, display_name, email, password_hash, role, team, '
        f"locale, active, created_at) VALUES ({p}, {p}, '', '!', 'dispatcher', '', '', {p}, {p})",
        (WEB_USERNAME, WEB_DISPLAY_NAME, False, utcnow()),
    )


def create_intake_indexes(db: peewee.Database) -> None:
    for name, expression in INTAKE_INDEXES:
        db.execute_sql(f"CREATE INDEX IF NOT EXISTS {name} ON customer (({expression}))")


def web_user() -> User:
    """The web form's system user (made by migration 18)."""
    return User.get(User.username == WEB_USERNAME)


def phone_key(phone: str) -> str:
    """The digits of a phone number, a leading China country code (86) dropped from a
    mobile number, so "+86 138-0013-8000" and "13800138000" are the same key."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) == 13 and digits.startswith("861"):
        return digits[2:]
    return digits


def email_key(email: str) -> str:
    return (email or "").strip().lower()


def _stored_phone_keys(key: str) -> list[str]:
    """How the phone of ``key`` may be stored once formatting is taken out."""
    keys = [key]
    if len(key) == 11 and key.startswith("1"):
        keys.append("86" + key)
    return keys


def match_customer(phone: str, email: str) -> Customer | None:
    """The existing customer with this phone (same digits), else with this email; the
    oldest when several match. Both are index look-ups (migration 18)."""
    key = phone_key(phone)
    if key:
        found = (
            Customer.select()
            .where(peewee.SQL(PHONE_KEY_SQL).in_(_stored_phone_keys(key)))
            .order_by(Customer.id)
            .first()
        )
        if found is not None:
            return found
    if email_key(email):
        return (
            Customer.select()
            .where(peewee.SQL(EMAIL_KEY_SQL) == email_key(email))
            .order_by(Customer.id)
            .first()
        )
    return None


@dataclass(frozen=True)
class PublicRequest:
    """What the public form collected, checked by the form already."""

    industry: str
    service: ServiceType
    name: str
    phone: str
    email: str = ""
    address: str = ""
    customer_attributes: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""
    attributes: Mapping[str, Any] = field(default_factory=dict)
    # "Email me updates" was ticked (the form checked that an email was given).
    email_updates: bool = False

    def title(self, locale: str) -> str:
        """The ticket's title: the description's first line, else the service's name."""
        first = self.description.strip().splitlines()[0].strip() if self.description else ""
        return (first or self.service.label.get(locale))[:200]


@dataclass(frozen=True)
class Intake:
    """The outcome of a public request: the checks' errors, or the saved ticket."""

    errors: Mapping[str, list[str]] = field(default_factory=dict)
    ticket: Ticket | None = None
    customer_matched: bool = False


def _draft_customer(request: PublicRequest, matched: Customer | None) -> Customer:
    if matched is not None:
        return matched
    return Customer(
        name=request.name,
        phone=request.phone,
        email=request.email,
        address=request.address,
        attributes=dict(request.customer_attributes),
    )


def submit_request(
    registry: Registry, request: PublicRequest, locale: str, year: int, now: dt.datetime | None
) -> Intake:
    """Check the request with the plugins, then save the customer (if new) and the ticket.

    Nothing is written when a plugin refuses the ticket. An existing customer is never
    changed: what the form said differently goes on the ticket's timeline instead, and so
    does a wish for email updates. A new customer who asked for updates is saved opted in,
    in the page's language (``locale``), before the ticket, so ``create_ticket`` queues
    the "received" mail in the ticket's own transaction.
    """
    now = now or utcnow()
    matched = match_customer(request.phone, request.email)
    customer = _draft_customer(request, matched)
    new = NewTicket(
        industry=request.industry,
        service=request.service,
        customer=customer,
        title=request.title(locale),
        description=request.description,
        priority=request.service.default_priority,
        channel="web",
        reported_at=now,
        attributes=dict(request.attributes),
    )
    errors = validate_new_ticket(registry, new)
    if matched is None:
        for name, messages in plugin_customer_errors(registry.pm, customer_info(customer)).items():
            errors.setdefault(name, []).extend(messages)
    if errors:
        return Intake(errors=errors)
    actor = web_user()
    if matched is None:
        values = {
            "name": request.name,
            "phone": request.phone,
            "email": request.email,
            "address": request.address,
            "notify_by_email": request.email_updates,
            # the page's language: also that of any mail (a survey link) sent without opt-in
            "language": mail_language(locale),
        }
        customer = save_customer(None, values, request.customer_attributes)
        new = dataclasses.replace(new, customer=customer)
    try:
        ticket = create_ticket(registry, new, actor, year, now=now)
    except Exception:
        if matched is None:  # no customer without the request that brought them
            with write_transaction():
                customer.delete_instance()
        raise
    if matched is not None:
        _note_differences(ticket, matched, request, actor, now, mail_language(locale))
    return Intake(ticket=ticket, customer_matched=matched is not None)


def mail_language(locale: str) -> str:
    """The customer's mail language (``customer.language``) for a page shown in ``locale``."""
    return "zh_CN" if locale.startswith("zh") else "en"


def _note_differences(
    ticket: Ticket,
    customer: Customer,
    request: PublicRequest,
    actor: User,
    now: dt.datetime,
    language: str,
) -> None:
    """Put on the (staff) timeline what the form said that the customer record does not,
    and a wish for email updates the record does not already grant (staff decide: someone
    who merely knows a customer's phone number must not switch their mail on)."""
    same = {"phone": phone_key, "email": email_key}
    differences = {}
    for name in CONTACT_FIELDS:
        given, known = getattr(request, name), getattr(customer, name) or ""
        key = same.get(name, str.strip)
        if given and key(given) != key(known):
            differences[name] = given
    if request.email_updates and not (customer.notify_by_email and customer.email):
        differences["email_updates"] = True
        differences["language"] = language
    if not differences:
        return
    with write_transaction():
        TicketEvent.create(ticket=ticket, actor=actor, at=now, kind="web_contact", data=differences)
