"""Customers and their assets: search, save, add an asset."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from typing import Any

import peewee

from server.db import write_transaction
from server.i18n import gettext
from server.messages import text
from server.models import Asset, Customer, utcnow
from server.plugin_api import AssetKind, CustomerInfo
from server.search import reindex_customer

CUSTOMER_FIELDS = ("name", "kind", "phone", "email", "address", "region", "tier")
# The customer's mail choices (server.customer_mail): opted in to ticket mail, and the
# language of those mails ("" is ``[locale] default``). The page, the JSON API, the
# import and the export read and write them; the customer form checks them.
MAIL_FIELDS = ("notify_by_email", "language")


def customer_matches(text: str, limit: int = 20) -> list[Customer]:
    """Customers whose name, phone or email contains ``text``, by name (for pickers)."""
    if not text:
        return []
    return list(_matching(text).order_by(Customer.name).limit(limit))


def _matching(text: str) -> peewee.ModelSelect:
    pattern = f"%{text}%"
    return Customer.select().where(
        (Customer.name**pattern) | (Customer.phone**pattern) | (Customer.email**pattern)
    )


def matching_customers(text: str) -> peewee.ModelSelect:
    """All customers the list's search box matches (every customer for no text)."""
    return _matching(text) if text else Customer.select()


def search_customers(text: str, page: int, page_size: int) -> tuple[list[Customer], int, int, int]:
    """Customers whose name, phone or email contains ``text``, newest first.

    Returns the page's rows, the total, the page shown (a page past the end shows the
    last one) and the number of pages.
    """
    query = matching_customers(text)
    total = query.count()
    pages = max(1, math.ceil(total / page_size))
    page = min(page, pages)
    rows = query.order_by(Customer.id.desc()).paginate(page, page_size)
    return list(rows), total, page, pages


def save_customer(
    customer: Customer | None, values: Mapping[str, str], attributes: Mapping[str, Any]
) -> Customer:
    """Create (``customer`` None) or update a customer in one transaction."""
    with write_transaction():
        if customer is None:
            return Customer.create(**values, attributes=dict(attributes))
        renamed = values.get("name", customer.name) != customer.name
        for name, value in values.items():
            setattr(customer, name, value)
        customer.attributes = {**(customer.attributes or {}), **attributes}
        customer.updated_at = utcnow()
        customer.save()
        if renamed:
            reindex_customer(customer)
        return customer


def mail_choice(form: Any) -> dict[str, Any]:
    """A validated customer form's mail choices, as :func:`save_customer` stores them."""
    return {
        "notify_by_email": bool(form.notify_by_email.data),
        "language": form.language.data or "",
    }


def plugin_customer_errors(pm: Any, customer: CustomerInfo) -> dict[str, list[str]]:
    """Every plugin's ``validate_customer`` answer for ``customer``, merged by field; a
    :class:`Label` message in the request's language (English in the JSON API)."""
    errors: dict[str, list[str]] = {}
    for result in pm.hook.validate_customer(customer=customer):
        for name, messages in (result or {}).items():
            errors.setdefault(name, []).extend(text(message) for message in messages)
    return errors


def asset_identifier_error(kind: AssetKind, identifier: str, locale: str) -> str | None:
    """Why ``identifier`` is not one of ``kind``'s (its plugin's pattern), or None."""
    if kind.identifier_pattern and re.fullmatch(kind.identifier_pattern, identifier) is None:
        return gettext("Not a valid %(what)s.", what=kind.identifier_label.get(locale))
    return None


def add_asset(
    customer: Customer,
    industry: str,
    kind: str,
    identifier: str,
    coverage_start: dt.date | None,
    coverage_end: dt.date | None,
    attributes: Mapping[str, Any] | None = None,
) -> Asset:
    with write_transaction():
        return Asset.create(
            customer=customer,
            plugin=industry,
            kind=kind,
            identifier=identifier,
            coverage_start=coverage_start,
            coverage_end=coverage_end,
            attributes=dict(attributes or {}),
        )


def existing_asset(industry: str, kind: str, identifier: str) -> Asset | None:
    """The asset that already has this plugin, kind and identifier, if any."""
    return (
        Asset.select()
        .where((Asset.plugin == industry) & (Asset.kind == kind) & (Asset.identifier == identifier))
        .order_by(Asset.id)
        .first()
    )
