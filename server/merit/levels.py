"""The point scale and its arithmetic: cancellation, conversion, net points (pure).

Six levels in three tiers (REQUIREMENTS §3): commendation +1 / warning −1, merit +3 /
demerit −3, major merit +9 / major demerit −9. Opposite entries of the same tier cancel
one for one; three of a level make one of the next level up, carried upward; what does
not make a full three stays where it is. Major merits and major demerits do not convert
further.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from server.plugin_api import Label, label

LEVELS = ("commendation", "merit", "major_merit", "warning", "demerit", "major_demerit")
POSITIVE = ("commendation", "merit", "major_merit")
NEGATIVE = ("warning", "demerit", "major_demerit")
# Tier by tier from the lowest: (positive level, negative level).
TIERS = tuple(zip(POSITIVE, NEGATIVE, strict=True))
POINTS = {
    "commendation": 1,
    "merit": 3,
    "major_merit": 9,
    "warning": -1,
    "demerit": -3,
    "major_demerit": -9,
}
LEVEL_LABELS: dict[str, Label] = {
    "commendation": label("嘉奖", "Commendation"),
    "merit": label("记功", "Merit"),
    "major_merit": label("记大功", "Major merit"),
    "warning": label("警告", "Warning"),
    "demerit": label("记过", "Demerit"),
    "major_demerit": label("记大过", "Major demerit"),
}
# How many major demerits (after cancellation and conversion) call for a dismissal review.
DISMISSAL_MAJOR_DEMERITS = 3


def is_positive(level: str) -> bool:
    return level in POSITIVE


def empty_counts() -> dict[str, int]:
    return dict.fromkeys(LEVELS, 0)


def count_levels(levels: Iterable[str]) -> dict[str, int]:
    """How many entries of each level (unknown levels are an error)."""
    counts = empty_counts()
    for level in levels:
        if level not in POINTS:
            raise ValueError(f"unknown level {level!r}")
        counts[level] += 1
    return counts


def net_points(counts: Mapping[str, int]) -> int:
    """+1/+3/+9 per positive entry, −1/−3/−9 per negative one."""
    return sum(POINTS[level] * counts.get(level, 0) for level in LEVELS)


@dataclass(frozen=True)
class Conversion:
    """Counts per level after cancellation and conversion, and what happened on the way."""

    totals: Mapping[str, int]
    cancelled: Mapping[str, int]  # per tier (by its positive level): pairs cancelled
    converted: Mapping[str, int]  # per level: how many of its threes moved up a level

    @property
    def net_points(self) -> int:
        return net_points(self.totals)


def convert(counts: Mapping[str, int]) -> Conversion:
    """Cancel opposite entries and carry threes upward, tier by tier from the lowest.

    At each tier the entries (including those carried up from the tier below) cancel one
    for one against the opposite level; of what remains, every three make one of the next
    tier's level of the same sign and the rest stay. So three commendations and a demerit
    end at zero: the commendations make a merit, which cancels the demerit. The net points
    never change on the way.
    """
    for level, value in counts.items():
        if level not in POINTS:
            raise ValueError(f"unknown level {level!r}")
        if value < 0:
            raise ValueError(f"{level}: a count cannot be negative")
    totals = empty_counts()
    cancelled: dict[str, int] = {}
    converted = empty_counts()
    carry_up = {"+": 0, "-": 0}
    for index, (up, down) in enumerate(TIERS):
        plus = counts.get(up, 0) + carry_up["+"]
        minus = counts.get(down, 0) + carry_up["-"]
        pairs = min(plus, minus)
        cancelled[up] = pairs
        plus, minus = plus - pairs, minus - pairs
        top = index == len(TIERS) - 1
        if top:
            totals[up], totals[down] = plus, minus
            continue
        carry_up = {"+": plus // 3, "-": minus // 3}
        converted[up], converted[down] = carry_up["+"], carry_up["-"]
        totals[up], totals[down] = plus % 3, minus % 3
    return Conversion(totals=totals, cancelled=cancelled, converted=converted)


def dismissal_review(year_counts: Mapping[str, int]) -> bool:
    """Three major demerits (after cancellation and conversion) call for a review."""
    return convert(year_counts).totals["major_demerit"] >= DISMISSAL_MAJOR_DEMERITS


@dataclass(frozen=True)
class Summary:
    """A period's entries summed up: raw counts, the converted totals, points and money."""

    counts: Mapping[str, int]
    conversion: Conversion
    money_cents: int
    year_totals: Mapping[str, int]
    dismissal_review: bool

    @property
    def totals(self) -> Mapping[str, int]:
        return self.conversion.totals

    @property
    def net_points(self) -> int:
        return self.conversion.net_points


def summarise(
    counts: Mapping[str, int], money_cents: int, year_counts: Mapping[str, int]
) -> Summary:
    """A period's counts per level and money, with the year's counts so far (the period
    included), which decide the dismissal review."""
    year = convert(year_counts).totals
    return Summary(
        counts={level: counts.get(level, 0) for level in LEVELS},
        conversion=convert(counts),
        money_cents=money_cents,
        year_totals=year,
        dismissal_review=year["major_demerit"] >= DISMISSAL_MAJOR_DEMERITS,
    )
