"""Form rules beyond the fields' own checks: policy servicing and the claim milestones."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping
from typing import Any

from server.plugin_api import CustomerInfo, Label, UserInfo

from .realname import resident_id_error, uscc_error

Errors = dict[str, list[Label]]

# Each milestone needs the one before it, and may not come earlier.
MILESTONE_ORDER = (
    ("loss_date", Label("出险日期", "the date of loss")),
    ("documents_complete_on", Label("索赔资料齐全日期", "the documents are complete")),
    ("decision_on", Label("核赔结论日期", "the decision")),
    ("agreement_on", Label("赔付协议达成日期", "the agreement")),
    ("paid_on", Label("赔款支付日期", "the payment")),
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
            errors[name] = [
                Label(f"请先填写{before_label.zh}。", f"Record the date {before_label.en} first.")
            ]
        elif day < previous:
            errors[name] = [
                Label(
                    f"不能早于{before_label.zh}（{previous}）。",
                    f"Cannot be earlier than the date {before_label.en} ({previous}).",
                )
            ]
    return errors


def servicing_errors(attributes: Mapping[str, Any], staff: UserInfo | None) -> Errors:
    """保全: accepted only with complete documents, signed by the customer, never by staff."""
    errors: Errors = {}
    if attributes.get("documents_complete") is not True:
        errors["documents_complete"] = [
            Label(
                "申请资料齐全前不能受理。",
                "The application cannot be accepted until its documents are complete.",
            )
        ]
    if attributes.get("signer_is_customer") is not True:
        errors["signer_is_customer"] = [
            Label(
                "申请须由客户本人（或其授权代理人）签字。",
                "The customer (or their authorised agent) must sign the application.",
            )
        ]
    signer = str(attributes.get("signed_by") or "").strip().casefold()
    if staff is not None and signer in {
        staff.username.casefold(),
        staff.display_name.strip().casefold(),
    }:
        errors["signed_by"] = [
            Label("工作人员不得代客户签字。", "Staff may never sign for the customer.")
        ]
    return errors


def customer_errors(customer: CustomerInfo) -> Errors:
    """The real-name document's number must match its kind, check character included."""
    attributes = customer.attributes or {}
    kind = attributes.get("in_id_kind") or ""
    number = str(attributes.get("in_id_number") or "").strip().upper()
    if not kind and not number:
        return {}
    if not kind:
        return {
            "in_id_kind": [
                Label("请选择该号码的证件类型。", "Choose the kind of document for this number.")
            ]
        }
    if not number:
        return {"in_id_number": [Label("请填写证件号码。", "Enter the document's number.")]}
    error = resident_id_error(number) if kind == "resident_id" else uscc_error(number)
    if error is None:
        return {}
    return {"in_id_number": [Label(f"号码无效：{error.zh}。", f"Not a valid number: {error.en}.")]}
