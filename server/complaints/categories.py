"""Complaint categories and the callback outcome each one counts as."""

from __future__ import annotations

from server.plugin_api import Label, label

CATEGORIES: dict[str, Label] = {
    "attitude": label("服务态度", "Staff attitude"),
    "repair_failed": label("维修未修好", "Repair did not fix it"),
    "repeated_failure": label("多次维修未修好", "Repeated repair failures"),
    "timeliness": label("响应或上门不及时", "Late response or visit"),
    "charges": label("收费争议", "Charges dispute"),
    "quality": label("产品质量", "Product quality"),
    "other": label("其他", "Other"),
}

# Each category's outcome key in server.followup.outcomes.OUTCOMES.
OUTCOME_OF_CATEGORY: dict[str, str] = {
    "attitude": "attitude_complaint",
    "repair_failed": "first_repair_failed",
    "repeated_failure": "repeated_repair_failures",
}
DEFAULT_OUTCOME = "inbound_complaint"


def outcome_for(category: str) -> str:
    """The callback outcome category a complaint of ``category`` counts as."""
    return OUTCOME_OF_CATEGORY.get(category, DEFAULT_OUTCOME)


def category_label(category: str, locale: str) -> str:
    """The category's name in ``locale`` (the key itself when it is unknown)."""
    known = CATEGORIES.get(category)
    return known.get(locale) if known else category
