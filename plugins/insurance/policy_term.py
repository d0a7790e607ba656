"""Entitlement: the policy is in force on the date of loss (pure date functions)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from server.plugin_api import Entitlement

ACTIVE, INACTIVE, UNKNOWN = "policy_active", "policy_inactive", "policy_unknown"


def policy_on(day: dt.date, start: dt.date | None, end: dt.date | None) -> Entitlement:
    """Whether a policy running ``start``–``end`` (both days included) covers ``day``."""
    if start is None or end is None:
        return Entitlement(UNKNOWN, "the policy's term is not on record")
    if day < start:
        return Entitlement(INACTIVE, f"the loss on {day} is before the policy starts ({start})")
    if day > end:
        return Entitlement(INACTIVE, f"the loss on {day} is after the policy ended ({end})")
    return Entitlement(ACTIVE, f"policy in force {start} to {end} on {day}", covered=True)


def policy_status_refusal(attributes: Mapping[str, Any], day: dt.date) -> Entitlement | None:
    """Not entitled when the policy's recorded status is anything but active (lapsed,
    surrendered, cancelled, required); None when it is active or not recorded."""
    status = attributes.get("status")
    if status in (None, "", "active"):
        return None
    return Entitlement(INACTIVE, f"the policy is {status}, not active, on {day}")


def loss_day(attributes: dict, reported: dt.datetime) -> dt.date:
    """The date of loss on the ticket, else the day it was reported."""
    value = attributes.get("loss_date")
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    return reported.date()
