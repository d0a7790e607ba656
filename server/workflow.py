"""The ticket state machine: statuses, the allowed moves, and what a move records."""

from __future__ import annotations

from dataclasses import dataclass

from server.i18n import gettext
from server.messages import status_word
from server.plugin_api import Label, label

STATUSES: dict[str, Label] = {
    "new": label("新建", "New"),
    "assigned": label("已派工", "Assigned"),
    "in_progress": label("处理中", "In progress"),
    "en_route": label("在途", "On the way"),
    "on_site": label("已上门", "On site"),
    "waiting_customer": label("等待客户", "Waiting for customer"),
    "waiting_parts": label("等待配件", "Waiting for parts"),
    "resolved": label("已解决", "Resolved"),
    "closed": label("已关闭", "Closed"),
    "cancelled": label("已取消", "Cancelled"),
}

# The one table of allowed moves. Moving a resolved or closed ticket back to
# in_progress is "reopen".
MOVES: dict[str, frozenset[str]] = {
    "new": frozenset({"assigned", "in_progress", "waiting_customer", "resolved", "cancelled"}),
    "assigned": frozenset(
        {
            "new",
            "in_progress",
            "en_route",
            "on_site",
            "waiting_customer",
            "waiting_parts",
            "resolved",
            "cancelled",
        }
    ),
    "in_progress": frozenset(
        {"en_route", "on_site", "waiting_customer", "waiting_parts", "resolved", "cancelled"}
    ),
    # The technician has set off for the site; a wasted trip goes back to assigned.
    "en_route": frozenset({"on_site", "assigned", "waiting_customer", "cancelled"}),
    "on_site": frozenset({"in_progress", "waiting_parts", "waiting_customer", "resolved"}),
    "waiting_customer": frozenset({"in_progress", "resolved", "cancelled"}),
    "waiting_parts": frozenset({"in_progress", "en_route", "on_site", "cancelled"}),
    "resolved": frozenset({"closed", "in_progress"}),
    "closed": frozenset({"in_progress"}),
    "cancelled": frozenset(),
}

# Statuses in which somebody must be assigned to the ticket.
NEEDS_ASSIGNEE = frozenset({"assigned", "in_progress", "en_route", "on_site", "waiting_parts"})
OPEN_STATUSES = frozenset(s for s in STATUSES if s not in {"resolved", "closed", "cancelled"})

# Button wording for a move (default: the target status's name).
ACTION_LABELS: dict[tuple[str, str], Label] = {
    ("resolved", "in_progress"): label("重新打开", "Reopen"),
    ("closed", "in_progress"): label("重新打开", "Reopen"),
    ("assigned", "new"): label("退回待派", "Return to queue"),
    ("assigned", "en_route"): label("出发", "On my way"),
    ("in_progress", "en_route"): label("出发", "On my way"),
    ("waiting_parts", "en_route"): label("出发", "On my way"),
    ("en_route", "on_site"): label("已到达", "Arrived on site"),
    ("en_route", "assigned"): label("未能上门", "Could not get there"),
}


@dataclass(frozen=True)
class MoveCheck:
    allowed: bool
    reason: str = ""


def check_move(old: str, new: str, has_assignee: bool) -> MoveCheck:
    """Whether the core's table allows ``old`` → ``new`` (plugins are asked afterwards)."""
    if new not in STATUSES:
        return MoveCheck(False, gettext("unknown status %(status)s", status=repr(new)))
    if new == old:
        return MoveCheck(
            False, gettext("the ticket is already %(status)s", status=status_word(STATUSES[new]))
        )
    if new not in MOVES.get(old, frozenset()):
        return MoveCheck(
            False,
            gettext(
                "a ticket cannot go from %(old)s to %(new)s",
                old=status_word(STATUSES[old]),
                new=status_word(STATUSES[new]),
            ),
        )
    if new in NEEDS_ASSIGNEE and not has_assignee:
        return MoveCheck(False, gettext("assign the ticket to someone first"))
    return MoveCheck(True)


def is_reopen(old: str, new: str) -> bool:
    return old in {"resolved", "closed"} and new not in {"resolved", "closed"}


def action_label(old: str, new: str) -> Label:
    return ACTION_LABELS.get((old, new), STATUSES[new])
