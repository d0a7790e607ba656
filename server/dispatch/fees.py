"""Pure fee computation for quotes and result reports: integer cents, never floats."""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from server.config import FeeSettings
from server.i18n import _l, gettext
from server.messages import text
from server.plugin_api import Entitlement

FEE_KINDS = ("part", "labour", "callout")
NO_ENTITLEMENT = _l("no warranty or contract covers this work")


@dataclass(frozen=True)
class PartLine:
    """A part used (or to be used): its price is copied from the parts list."""

    code: str
    name: str
    unit_price_cents: int
    quantity: int
    returned_to_customer: bool = False


@dataclass(frozen=True)
class FeeLine:
    """One line of a bill: what it is for, its amount, and whether the customer pays it."""

    kind: str
    description: str
    amount_cents: int
    charged: bool
    reason: str


def labour_cents(hours: decimal.Decimal, rate: decimal.Decimal) -> int:
    """Hours × hourly rate, rounded to the cent (half up)."""
    amount = (hours * rate * 100).quantize(decimal.Decimal(1), rounding=decimal.ROUND_HALF_UP)
    return int(amount)


def compute_fees(
    parts_lines: Iterable[PartLine],
    labour_hours: decimal.Decimal,
    entitlement: Entitlement | None,
    fees_config: FeeSettings,
) -> list[FeeLine]:
    """The fee lines: one per part, labour, the call-out fee; free when covered.

    Work under a ``covered`` entitlement is listed at its value but not charged, with the
    entitlement's reason; anything else (no entitlement, or one that does not cover the
    work) is charged.
    """
    covered = entitlement is not None and entitlement.covered
    reason = str(NO_ENTITLEMENT) if entitlement is None else text(entitlement.reason)
    lines = [
        FeeLine(
            "part",
            f"{part.name} × {part.quantity}",
            part.unit_price_cents * part.quantity,
            not covered,
            reason,
        )
        for part in parts_lines
    ]
    if labour_hours > 0:
        rate = fees_config.labour_rate_amount
        lines.append(
            FeeLine(
                "labour",
                gettext(
                    "Labour %(hours)s h × %(rate)s",
                    hours=f"{labour_hours.normalize():f}",
                    rate=f"{rate:.2f}",
                ),
                labour_cents(labour_hours, rate),
                not covered,
                reason,
            )
        )
    callout = fees_config.callout_fee_cents
    if callout > 0:
        lines.append(FeeLine("callout", gettext("Call-out fee"), callout, not covered, reason))
    return lines


def charged_total(lines: Sequence[FeeLine]) -> int:
    """What the customer pays, in cents."""
    return sum(line.amount_cents for line in lines if line.charged)


def free_total(lines: Sequence[FeeLine]) -> int:
    """The value of the covered lines, in cents."""
    return sum(line.amount_cents for line in lines if not line.charged)


def format_cents(cents: int | None) -> str:
    """12345 → "123.45" (no float on the way)."""
    if cents is None:
        return ""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{whole}.{rest:02d}"
