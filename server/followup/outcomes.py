"""The outcome categories a finished callback (or a complaint) is counted under."""

from __future__ import annotations

from server.plugin_api import Label, label

OUTCOMES: dict[str, Label] = {
    "satisfied": label("满意", "Satisfied"),
    "unsatisfied_callback": label("回访不满意", "Unsatisfied at callback"),
    "inbound_complaint": label("来电投诉", "Inbound complaint"),
    "first_repair_failed": label("首次维修未修好", "First repair failed"),
    "repeated_repair_failures": label("多次维修未修好", "Repeated repair failures"),
    "attitude_complaint": label("服务态度投诉", "Attitude complaint"),
}

# What staff may pick on the callback form for an unsatisfied customer.
UNSATISFIED_CHOICES = (
    "unsatisfied_callback",
    "first_repair_failed",
    "repeated_repair_failures",
    "attitude_complaint",
)


def default_outcome(satisfaction: int, satisfied_from: int) -> str:
    """``satisfied`` from ``satisfied_from`` stars up, else ``unsatisfied_callback``."""
    return "satisfied" if satisfaction >= satisfied_from else "unsatisfied_callback"
