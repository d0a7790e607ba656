"""Fee computation (pure, integer cents) and the [fees] config section."""

from __future__ import annotations

from decimal import Decimal

import pytest

from server.config import ConfigError, FeeSettings, parse_config
from server.dispatch.fees import (
    NO_ENTITLEMENT,
    PartLine,
    charged_total,
    compute_fees,
    format_cents,
    free_total,
    labour_cents,
)
from server.plugin_api import Entitlement

FUSE = PartLine("FUSE", "Fuse", 250, 2)
BOARD = PartLine("BOARD", "Main board", 32000, 1, returned_to_customer=True)
FEES = FeeSettings(labour_rate="80.00", callout_fee="0.00")


def test_covered_work_is_listed_at_its_value_but_not_charged():
    warranty = Entitlement("in_warranty", "bought 30 days before the call", covered=True)
    lines = compute_fees([FUSE, BOARD], Decimal("1.5"), warranty, FEES)
    assert [(line.kind, line.amount_cents) for line in lines] == [
        ("part", 500),
        ("part", 32000),
        ("labour", 12000),
    ]
    assert not any(line.charged for line in lines)
    assert {line.reason for line in lines} == {"bought 30 days before the call"}
    assert (charged_total(lines), free_total(lines)) == (0, 44500)


def test_without_an_entitlement_everything_is_charged():
    lines = compute_fees([FUSE], Decimal("1"), None, FEES)
    assert all(line.charged for line in lines)
    assert {line.reason for line in lines} == {NO_ENTITLEMENT}
    assert (charged_total(lines), free_total(lines)) == (8500, 0)


def test_an_entitlement_that_does_not_cover_the_work_is_charged():
    expired = Entitlement("out_of_warranty", "bought 400 days before the call")
    lines = compute_fees([BOARD], Decimal(0), expired, FEES)
    assert [(line.amount_cents, line.charged, line.reason) for line in lines] == [
        (32000, True, "bought 400 days before the call")
    ]


@pytest.mark.parametrize(
    ("hours", "rate", "cents"),
    [
        ("0.33", "80.00", 2640),
        ("0.5", "33.33", 1667),  # 16.665 rounds half up, not to even
        ("0.25", "0.10", 3),  # 0.025 → 0.03
        ("2", "80.00", 16000),
        ("0.01", "0.01", 0),
    ],
)
def test_labour_is_rounded_to_the_cent_half_up(hours, rate, cents):
    assert labour_cents(Decimal(hours), Decimal(rate)) == cents


def test_the_call_out_fee_is_a_line_of_its_own_only_when_set():
    with_callout = FeeSettings(labour_rate="80.00", callout_fee="30.00")
    lines = compute_fees([], Decimal(0), None, with_callout)
    assert [(line.kind, line.amount_cents, line.charged) for line in lines] == [
        ("callout", 3000, True)
    ]
    assert compute_fees([], Decimal(0), None, FEES) == []


def test_no_labour_line_for_zero_hours():
    assert [line.kind for line in compute_fees([FUSE], Decimal(0), None, FEES)] == ["part"]


@pytest.mark.parametrize(
    ("cents", "text"), [(0, "0.00"), (5, "0.05"), (12345, "123.45"), (-250, "-2.50")]
)
def test_cents_are_formatted_without_floats(cents, text):
    assert format_cents(cents) == text


# --- [fees] in the config -------------------------------------------------------------


def test_fees_defaults():
    fees = parse_config({}).fees
    assert (fees.currency, fees.labour_rate_amount, fees.callout_fee_cents) == (
        "CNY",
        Decimal("80.00"),
        0,
    )


def test_fees_are_read_exactly():
    fees = parse_config({"fees": {"labour_rate": "95.50", "callout_fee": "20.10"}}).fees
    assert fees.labour_rate_amount == Decimal("95.50") and fees.callout_fee_cents == 2010


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("labour_rate", "eighty", "must be an amount"),
        ("labour_rate", "NaN", "must be an amount"),
        ("labour_rate", "80.005", "at most two decimal places"),
        ("callout_fee", "-1", "between 0 and 1000000"),
        ("callout_fee", "1e9", "between 0 and 1000000"),
        ("labour_rate", 80, "must be a str"),
        ("currency", "yuan", "three-letter code"),
    ],
)
def test_bad_fees_stop_start_up_with_one_line(key, value, problem):
    with pytest.raises(ConfigError, match=problem) as caught:
        parse_config({"fees": {key: value}}, "aftersales.toml")
    assert f"fees.{key}" in str(caught.value)
    assert "\n" not in str(caught.value)
