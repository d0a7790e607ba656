"""Deciding an outlet's grade from its figures (pure), and saying why in one line."""

from __future__ import annotations

from dataclasses import dataclass

from server.grading.rules import THRESHOLDS, Grade
from server.i18n import _l, gettext


@dataclass(frozen=True)
class OutletFigures:
    """The figures grading looks at; None means nothing was counted (no callbacks …)."""

    volume: int = 0
    on_time_rate: float | None = None
    satisfaction: float | None = None
    complaint_rate: float | None = None
    first_time_fix_rate: float | None = None
    unsatisfied_share: float | None = None


@dataclass(frozen=True)
class Decision:
    """The grade won, and why: the thresholds of the better grades that did not hold."""

    grade: Grade
    missed: tuple[tuple[str, str], ...]  # (better grade, what failed), nearest grade first

    @property
    def reason(self) -> str:
        """E.g. ``"B: satisfaction 4.3 < 4.5 for A"`` (in the page's language)."""
        if not self.missed:
            return gettext("%(grade)s: every threshold met", grade=self.grade.grade)
        nearest = self.missed[0][0]
        failures = "; ".join(
            gettext("%(failure)s for %(grade)s", failure=text, grade=grade)
            for grade, text in self.missed
            if grade == nearest
        )
        return f"{self.grade.grade}: {failures}"


# The thresholds' figures as a reason names them (in the page's language).
THRESHOLD_NAMES = {
    "min_on_time_rate": _l("on-time rate"),
    "min_satisfaction": _l("satisfaction"),
    "max_complaint_rate": _l("complaint rate"),
    "min_first_time_fix_rate": _l("first-time-fix rate"),
    "max_unsatisfied_share": _l("unsatisfied share"),
    "min_volume": _l("volume"),
}


def show(key: str, value: float) -> str:
    """A figure or limit as people read it: rates in percent, others as short numbers."""
    spec = THRESHOLDS[key]
    if spec.percent:
        return f"{value * 100:.1f}".rstrip("0").rstrip(".") + "%"
    if spec.whole:
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def failures(grade: Grade, figures: OutletFigures) -> list[str]:
    """The thresholds of ``grade`` the figures do not meet, each as one phrase."""
    missed = []
    for key, limit in grade.thresholds.items():
        spec = THRESHOLDS[key]
        value = getattr(figures, spec.figure)
        name = str(THRESHOLD_NAMES.get(key, spec.name))
        if value is None:
            missed.append(gettext("%(name)s not measured", name=name))
        elif spec.at_least and value < limit:
            missed.append(f"{name} {show(key, value)} < {show(key, limit)}")
        elif not spec.at_least and value > limit:
            missed.append(f"{name} {show(key, value)} > {show(key, limit)}")
    return missed


def decide(grades: tuple[Grade, ...], figures: OutletFigures) -> Decision:
    """The first grade whose thresholds all hold (the last grade has none)."""
    if not grades:
        raise ValueError("no grades configured")
    missed: list[tuple[str, str]] = []
    for grade in grades:
        failed = failures(grade, figures)
        if not failed:
            # the grade just above (the last one that failed) explains the outcome
            nearest = (
                [(name, text) for name, text in missed if name == missed[-1][0]] if missed else []
            )
            return Decision(grade=grade, missed=tuple(nearest))
        missed.extend((grade.grade, text) for text in failed)
    raise AssertionError("unreachable: the last grade has no thresholds")  # pragma: no cover
