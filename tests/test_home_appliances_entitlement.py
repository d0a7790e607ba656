"""三包 entitlement of the home-appliance plugin: every boundary date, as pure functions."""

from __future__ import annotations

import datetime as dt

import pytest

from plugins.home_appliances.entitlement import (
    EXCHANGE,
    FREE_REPAIR,
    PAID_REPAIR,
    RETURN,
    Claim,
    add_months,
    decide,
    extended_warranty_valid,
    warranty_last_day,
)
from plugins.home_appliances.settings import parse

TERMS = parse({}).terms
BOUGHT = dt.date(2025, 3, 10)


def claim(reported: dt.date, **facts) -> Claim:
    facts.setdefault("proof_of_purchase", True)
    facts.setdefault("purchased", BOUGHT)
    return Claim(category=facts.pop("category", "refrigerator"), reported=reported, **facts)


def day(n: int) -> dt.date:
    return BOUGHT + dt.timedelta(days=n)


@pytest.mark.parametrize(
    ("days", "status"),
    [
        (0, RETURN),
        (7, RETURN),
        (8, EXCHANGE),
        (15, EXCHANGE),
        (16, FREE_REPAIR),
    ],
)
def test_a_performance_fault_is_returned_within_7_days_and_exchanged_within_15(days, status):
    decision = decide(claim(day(days)), TERMS)
    assert decision.status == status
    assert decision.covered is True
    assert f"day {days}" in decision.reason.en or status == FREE_REPAIR


def test_an_appearance_fault_in_the_first_week_is_repaired_not_returned():
    decision = decide(claim(day(3), fault_kind="appearance"), TERMS)
    assert (decision.status, decision.covered) == (FREE_REPAIR, True)


def test_the_last_day_of_the_warranty_is_free_and_the_next_is_paid():
    last = warranty_last_day(BOUGHT, 12)
    assert last == dt.date(2026, 3, 9)
    inside = decide(claim(last), TERMS)
    assert (inside.status, inside.covered) == (FREE_REPAIR, True)
    assert "until 2026-03-09" in inside.reason.en
    outside = decide(claim(last + dt.timedelta(days=1)), TERMS)
    assert (outside.status, outside.covered) == (PAID_REPAIR, False)
    assert "ended on 2026-03-09" in outside.reason.en and "quote first" in outside.reason.en


def test_a_main_component_fault_has_the_longer_warranty():
    two_years_on = dt.date(2027, 3, 1)
    assert decide(claim(two_years_on), TERMS).status == PAID_REPAIR
    main = decide(claim(two_years_on, main_component=True), TERMS)
    assert main.status == FREE_REPAIR and "36-month main-component" in main.reason.en
    assert decide(claim(dt.date(2028, 3, 10), main_component=True), TERMS).status == PAID_REPAIR


def test_the_warranty_months_come_from_the_category_table():
    terms = parse({"warranty_months": {"air_conditioner": 72}}).terms
    six_years = dt.date(2031, 3, 9)
    assert decide(claim(six_years, category="air_conditioner"), terms).status == FREE_REPAIR
    assert decide(claim(six_years, category="tv"), terms).status == PAID_REPAIR


@pytest.mark.parametrize(
    ("purchased", "last"),
    [
        (dt.date(2024, 2, 29), dt.date(2025, 2, 28)),  # from a leap day
        (dt.date(2023, 2, 28), dt.date(2024, 2, 27)),  # into a leap year
        (dt.date(2023, 3, 1), dt.date(2024, 2, 29)),  # the leap day is the last day
        (dt.date(2025, 1, 31), dt.date(2026, 1, 30)),
    ],
)
def test_leap_years_and_month_ends(purchased, last):
    assert warranty_last_day(purchased, 12) == last
    assert decide(claim(last, purchased=purchased), TERMS).status == FREE_REPAIR
    after = last + dt.timedelta(days=1)
    assert decide(claim(after, purchased=purchased), TERMS).status == PAID_REPAIR


def test_add_months_rolls_a_missing_day_to_the_next_month():
    assert add_months(dt.date(2025, 1, 31), 1) == dt.date(2025, 3, 1)
    assert add_months(dt.date(2024, 12, 15), 1) == dt.date(2025, 1, 15)
    assert add_months(dt.date(2024, 2, 29), 48) == dt.date(2028, 2, 29)


@pytest.mark.parametrize(("bought_on_day", "valid"), [(0, True), (30, True), (31, False)])
def test_an_extended_warranty_counts_only_when_bought_within_30_days(bought_on_day, valid):
    late = dt.date(2026, 6, 1)  # after the one-year warranty, within one extra year
    facts = {"extended_years": 1, "extended_bought": day(bought_on_day)}
    assert extended_warranty_valid(claim(late, **facts), TERMS) is valid
    decision = decide(claim(late, **facts), TERMS)
    assert decision.status == (FREE_REPAIR if valid else PAID_REPAIR)
    if valid:
        assert "1-year extended warranty (until 2027-03-09)" in decision.reason.en
    else:
        assert "more than 30 days after purchase" in decision.reason.en


@pytest.mark.parametrize("years", [1, 2, 3])
def test_the_extended_warranty_adds_its_years_to_the_end_of_the_warranty(years):
    facts = {"extended_years": years, "extended_bought": day(5)}
    last = warranty_last_day(BOUGHT, 12 + 12 * years)
    assert decide(claim(last, **facts), TERMS).status == FREE_REPAIR
    ended = decide(claim(last + dt.timedelta(days=1), **facts), TERMS)
    assert ended.status == PAID_REPAIR and f"ended on {last.isoformat()}" in ended.reason.en


def test_an_extended_warranty_bought_before_the_appliance_is_not_valid():
    facts = {"extended_years": 1, "extended_bought": day(-1)}
    assert extended_warranty_valid(claim(day(400), **facts), TERMS) is False


def test_misuse_is_paid_even_on_the_first_day():
    decision = decide(claim(day(1), fault_kind="misuse"), TERMS)
    assert (decision.status, decision.covered) == (PAID_REPAIR, False)
    assert "misuse" in decision.reason.en


def test_no_proof_of_purchase_or_no_purchase_date_is_paid():
    assert "No proof of purchase" in decide(claim(day(2), proof_of_purchase=False), TERMS).reason.en
    no_date = decide(claim(day(2), purchased=None), TERMS)
    assert no_date.status == PAID_REPAIR and "No purchase date" in no_date.reason.en


def test_two_repairs_that_did_not_cure_a_performance_fault_mean_an_exchange():
    assert decide(claim(day(100), previous_repairs=1), TERMS).status == FREE_REPAIR
    twice = decide(claim(day(100), previous_repairs=2), TERMS)
    assert (twice.status, twice.covered) == (EXCHANGE, True)
    assert "Repaired 2 times" in twice.reason.en
    assert decide(claim(day(100), previous_repairs=2, fault_kind="appearance"), TERMS).status == (
        FREE_REPAIR
    )
    # after the warranty, repeated repairs no longer earn an exchange
    assert decide(claim(day(400), previous_repairs=3), TERMS).status == PAID_REPAIR


def test_every_reason_fits_the_stored_column():
    worst = claim(day(800), category="small_appliance", extended_years=3, extended_bought=day(31))
    reason = decide(worst, TERMS).reason
    assert len(reason.zh) <= 300 and len(reason.en) <= 300


def test_the_return_and_exchange_windows_come_from_the_settings():
    terms = parse({"return_days": 10, "exchange_days": 30}).terms
    assert decide(claim(day(10)), terms).status == RETURN
    assert decide(claim(day(30)), terms).status == EXCHANGE
    assert decide(claim(day(31)), terms).status == FREE_REPAIR
