"""三包 entitlement: pure functions from dates and facts to return / exchange / repair.

The rules (《部分商品修理更换退货责任规定》, the national 三包 rules; REQUIREMENTS §4,
seeds 000:L159 for the extended warranty):

- within ``return_days`` (7) of purchase, a performance fault → return (or exchange or
  free repair, at the customer's choice);
- within ``exchange_days`` (15), a performance fault → exchange (or free repair);
- within the warranty period → free repair; the period is the category's whole-unit
  months, or its main-component months when the fault is in a main component;
- within the warranty period, a performance fault that ``repairs_before_exchange`` (2)
  repairs did not cure → exchange;
- an extended warranty bought within ``extended_warranty_window_days`` (30) of purchase
  adds 1–3 years of free repair after the warranty; one bought later is not honoured;
- misuse, or no proof of purchase (or no purchase date) → paid repair, which needs a
  quote and the customer's consent (the core enforces that for every non-covered
  entitlement).

Day counting: the purchase day is day 0, so "within 7 days" means the report is at most
7 calendar days after the purchase date. A warranty of N months ends the day before the
same day N months later; from 29 February (or the 31st) it ends on the last day of the
month before the month after, e.g. bought 2024-02-29 with 12 months → last day
2025-02-28.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from server.plugin_api import Entitlement, Label

from .settings import WarrantyTerms

RETURN = "return"
EXCHANGE = "exchange"
FREE_REPAIR = "free_repair"
PAID_REPAIR = "paid_repair"
STATUSES = (RETURN, EXCHANGE, FREE_REPAIR, PAID_REPAIR)

PERFORMANCE = "performance"
MISUSE = "misuse"


@dataclass(frozen=True)
class Claim:
    """The facts of one warranty claim, as the ticket's fields give them."""

    category: str
    purchased: dt.date | None
    reported: dt.date
    fault_kind: str = PERFORMANCE  # performance / appearance / misuse
    proof_of_purchase: bool = False
    main_component: bool = False
    previous_repairs: int = 0
    extended_years: int = 0
    extended_bought: dt.date | None = None


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months``; a day the target month lacks rolls to the next month's 1st."""
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    try:
        return day.replace(year=year, month=month)
    except ValueError:
        return dt.date(year + month // 12, month % 12 + 1, 1)


def warranty_last_day(purchased: dt.date, months: int) -> dt.date:
    """The last day a warranty of ``months`` from ``purchased`` still covers."""
    return add_months(purchased, months) - dt.timedelta(days=1)


def extended_warranty_valid(claim: Claim, terms: WarrantyTerms) -> bool:
    """Bought on or after the purchase and within the window (day 30 yes, day 31 no)."""
    if claim.purchased is None or claim.extended_bought is None or claim.extended_years <= 0:
        return False
    days = (claim.extended_bought - claim.purchased).days
    return 0 <= days <= terms.extended_warranty_window_days


def decide(claim: Claim, terms: WarrantyTerms) -> Entitlement:
    """Return, exchange, free repair or paid repair for ``claim``, with the reason."""
    if claim.purchased is None:
        return _paid(
            Label("没有购买日期，无法确认保修", "No purchase date: the warranty cannot be checked")
        )
    if not claim.proof_of_purchase:
        return _paid(Label("未提供购机凭证", "No proof of purchase was provided"))
    if claim.fault_kind == MISUSE:
        return _paid(Label("人为损坏或使用不当不在三包范围", "Damage from misuse is not covered"))
    days = (claim.reported - claim.purchased).days
    performance = claim.fault_kind == PERFORMANCE
    if performance and 0 <= days <= terms.return_days:
        return Entitlement(
            RETURN,
            Label(
                f"购买第 {days} 天出现性能故障，可退货、换货或免费修理",
                f"Performance fault on day {days} after purchase (within {terms.return_days}"
                " days): return, exchange or free repair",
            ),
            covered=True,
        )
    if performance and 0 <= days <= terms.exchange_days:
        return Entitlement(
            EXCHANGE,
            Label(
                f"购买第 {days} 天出现性能故障，可换货或免费修理",
                f"Performance fault on day {days} after purchase (within {terms.exchange_days}"
                " days): exchange or free repair",
            ),
            covered=True,
        )
    months = _warranty_months(claim, terms)
    last_day = warranty_last_day(claim.purchased, months)
    part = "主要部件" if claim.main_component else "整机"
    part_en = "main-component" if claim.main_component else "whole-unit"
    if claim.reported <= last_day:
        if performance and claim.previous_repairs >= terms.repairs_before_exchange:
            return Entitlement(
                EXCHANGE,
                Label(
                    f"保修期内已修理 {claim.previous_repairs} 次仍不能正常使用，应予换货",
                    f"Repaired {claim.previous_repairs} times within the warranty and still"
                    " faulty: exchange",
                ),
                covered=True,
            )
        return Entitlement(
            FREE_REPAIR,
            Label(
                f"在{part}保修期内（{months} 个月，至 {last_day.isoformat()}），免费维修",
                f"Within the {months}-month {part_en} warranty (until"
                f" {last_day.isoformat()}): free repair",
            ),
            covered=True,
        )
    if extended_warranty_valid(claim, terms):
        extended_last = warranty_last_day(claim.purchased, months + 12 * claim.extended_years)
        if claim.reported <= extended_last:
            return Entitlement(
                FREE_REPAIR,
                Label(
                    f"在延保期内（延保 {claim.extended_years} 年，"
                    f"至 {extended_last.isoformat()}），免费维修",
                    f"Within the {claim.extended_years}-year extended warranty (until"
                    f" {extended_last.isoformat()}): free repair",
                ),
                covered=True,
            )
        return _paid(
            Label(
                f"延保已于 {extended_last.isoformat()} 到期",
                f"The extended warranty ended on {extended_last.isoformat()}",
            )
        )
    reason = Label(
        f"{part}保修已于 {last_day.isoformat()} 到期",
        f"The {part_en} warranty ended on {last_day.isoformat()}",
    )
    if claim.extended_years > 0 and claim.extended_bought is not None:
        reason = Label(
            f"{reason.zh}；延保购于购机 {terms.extended_warranty_window_days} 天之后，不予承认",
            f"{reason.en}; the extended warranty was bought more than"
            f" {terms.extended_warranty_window_days} days after purchase and does not apply",
        )
    return _paid(reason)


def _warranty_months(claim: Claim, terms: WarrantyTerms) -> int:
    table = terms.main_component_months if claim.main_component else terms.warranty_months
    return table.get(claim.category, terms.warranty_months.get(claim.category, 12))


def _paid(reason: Label) -> Entitlement:
    return Entitlement(
        PAID_REPAIR,
        Label(
            f"{reason.zh}；收费维修，需先报价并经客户同意",
            f"{reason.en}; paid repair: quote first",
        ),
        False,
    )
