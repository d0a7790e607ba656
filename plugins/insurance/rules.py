"""Form rules beyond the fields' own checks: policy servicing and the claim milestones."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping
from typing import Any

from server.plugin_api import CustomerInfo, UserInfo

from .realname import resident_id_error, uscc_error

Errors = dict[str, list[str]]

# Each milestone needs the one before it, and may not come earlier.
MILESTONE_ORDER = (
    ("loss_date", "the date of loss"),
    ("documents_complete_on", "the documents are complete"),
    ("decision_on", "the decision"),
    ("agreement_on", "the agreement"),
    ("paid_on", "the payment"),
)


def _date(attributes: Mapping[str, Any], name: str) -> dt.date | None:
    value = attributes.get(name)
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) and value else None
    except ValueError:
        return None


def claim_errors(attributes: Mapping[str, Any]) -> Errors:
    """Milestones in order: none set before the one it follows, none dated earlier."""
    errors: Errors = {}
    for (before, before_label), (name, _label) in itertools.pairwise(MILESTONE_ORDER):
        day, previous = _date(attributes, name), _date(attributes, before)
        if day is None:
            continue
        if previous is None:
            errors[name] = [f"Record the date {before_label} first."]
        elif day < previous:
            errors[name] = [f"Cannot be earlier than the date {before_label} ({previous})."]
    return errors


def servicing_errors(attributes: Mapping[str, Any], staff: UserInfo | None) -> Errors:
    """保全: accepted only with complete documents, signed by the customer, never by staff."""
    errors: Errors = {}
    if attributes.get("documents_complete") is not True:
        errors["documents_complete"] = [
            "The application cannot be accepted until its documents are complete."
        ]
    if attributes.get("signer_is_customer") is not True:
        errors["signer_is_customer"] = [
            "The customer (or their authorised agent) must sign the application."
        ]
    signer = str(attributes.get("signed_by") or "").strip().casefold()
    if staff is not None and signer in {
        staff.username.casefold(),
        staff.display_name.strip().casefold(),
    }:
        errors["signed_by"] = ["Staff may never sign for the customer."]
    return errors


def customer_errors(customer: CustomerInfo) -> Errors:
    """The real-name document's number must match its kind, check character included."""
    attributes = customer.attributes or {}
    kind = attributes.get("in_id_kind") or ""
    number = str(attributes.get("in_id_number") or "").strip().upper()
    if not kind and not number:
        return {}
    if not kind:
        return {"in_id_kind": ["Choose the kind of document for this number."]}
    if not number:
        return {"in_id_number": ["Enter the document's number."]}
    error = resident_id_error(number) if kind == "resident_id" else uscc_error(number)
    return {"in_id_number": [f"Not a valid number: {error}."]} if error else {}
