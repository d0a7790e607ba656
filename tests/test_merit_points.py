"""The point arithmetic: cancellation, conversion, net points, the dismissal review (pure)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.merit.levels import (
    LEVELS,
    NEGATIVE,
    POSITIVE,
    convert,
    count_levels,
    dismissal_review,
    net_points,
    summarise,
)


def _counts(**given_counts):
    return {level: given_counts.get(level, 0) for level in LEVELS}


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        ({}, {}),
        ({"commendation": 2}, {"commendation": 2}),
        ({"commendation": 3}, {"merit": 1}),
        ({"commendation": 4}, {"merit": 1, "commendation": 1}),
        ({"commendation": 9}, {"major_merit": 1}),
        ({"commendation": 10, "merit": 1}, {"major_merit": 1, "merit": 1, "commendation": 1}),
        ({"warning": 3}, {"demerit": 1}),
        ({"warning": 8}, {"demerit": 2, "warning": 2}),
        ({"demerit": 3}, {"major_demerit": 1}),
        ({"warning": 27}, {"major_demerit": 3}),
        # opposite entries of the same tier cancel one for one
        ({"commendation": 2, "warning": 2}, {}),
        ({"commendation": 2, "warning": 5}, {"demerit": 1}),
        ({"merit": 1, "demerit": 2}, {"demerit": 1}),
        ({"major_merit": 4, "major_demerit": 1}, {"major_merit": 3}),
        # different tiers do not cancel
        ({"merit": 1, "warning": 1}, {"merit": 1, "warning": 1}),
        # a merit made of three commendations cancels a demerit
        ({"commendation": 3, "demerit": 1}, {}),
        ({"commendation": 5, "warning": 2, "demerit": 2}, {"commendation": 0, "demerit": 1}),
        # major levels do not convert further
        ({"major_merit": 5}, {"major_merit": 5}),
        ({"demerit": 11, "warning": 1}, {"major_demerit": 3, "demerit": 2, "warning": 1}),
    ],
)
def test_conversion_gives_exact_totals(entries, expected):
    assert convert(_counts(**entries)).totals == _counts(**expected)


def test_conversion_reports_what_cancelled_and_what_moved_up():
    result = convert(_counts(commendation=7, warning=1, demerit=1))
    # 7 − 1 = 6 commendations → 2 merits; 2 merits − 1 demerit → 1 merit
    assert result.cancelled == {"commendation": 1, "merit": 1, "major_merit": 0}
    assert result.converted["commendation"] == 2
    assert result.totals == _counts(merit=1)
    assert result.net_points == 3


def test_net_points_use_the_scale():
    assert net_points(_counts(commendation=1, merit=1, major_merit=1)) == 13
    assert net_points(_counts(warning=1, demerit=1, major_demerit=1)) == -13


def test_unknown_level_is_refused():
    with pytest.raises(ValueError, match="unknown level"):
        count_levels(["praise"])
    with pytest.raises(ValueError, match="unknown level"):
        convert({"praise": 1})


def test_negative_count_is_refused():
    with pytest.raises(ValueError, match="negative"):
        convert({"merit": -1})


counts_strategy = st.fixed_dictionaries({level: st.integers(0, 60) for level in LEVELS})


@given(counts_strategy)
def test_conversion_keeps_the_net_points(counts):
    assert convert(counts).net_points == net_points(counts)


@given(counts_strategy)
def test_each_tier_ends_one_sided(counts):
    totals = convert(counts).totals
    for up, down in zip(POSITIVE, NEGATIVE, strict=True):
        assert totals[up] == 0 or totals[down] == 0


@given(counts_strategy)
def test_lower_levels_end_below_three(counts):
    totals = convert(counts).totals
    for level in ("commendation", "merit", "warning", "demerit"):
        assert 0 <= totals[level] < 3


@given(counts_strategy)
def test_converting_again_changes_nothing(counts):
    once = convert(counts).totals
    assert convert(once).totals == once


@given(st.lists(st.sampled_from(LEVELS), max_size=80))
def test_only_positive_entries_never_show_a_negative_total(levels):
    totals = convert(count_levels(x for x in levels if x in POSITIVE)).totals
    assert all(totals[level] == 0 for level in NEGATIVE)


@pytest.mark.parametrize(
    ("year", "review"),
    [
        ({"major_demerit": 2}, False),
        ({"major_demerit": 3}, True),
        ({"major_demerit": 3, "major_merit": 1}, False),
        ({"demerit": 9}, True),
        ({"demerit": 8}, False),
        ({"warning": 27}, True),
        ({"major_demerit": 2, "demerit": 3}, True),
    ],
)
def test_dismissal_review_at_three_major_demerits_after_conversion(year, review):
    assert dismissal_review(_counts(**year)) is review
    assert summarise(_counts(), 0, _counts(**year)).dismissal_review is review


def test_summary_adds_money_and_keeps_raw_counts():
    summary = summarise(_counts(commendation=3, warning=1), -1500, _counts(commendation=3))
    assert summary.counts == _counts(commendation=3, warning=1)
    assert summary.totals == _counts(commendation=2)
    assert summary.net_points == 2
    assert summary.money_cents == -1500
