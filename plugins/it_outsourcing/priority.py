"""Priority from impact × urgency: the P1–P4 matrix, mapped onto the core's priorities."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .settings import Settings


def priority_level(settings: Settings, attributes: Mapping[str, Any]) -> str | None:
    """P1–P4 for a ticket's impact and urgency fields, or None without both."""
    impact, urgency = attributes.get("impact"), attributes.get("urgency")
    if not impact or not urgency:
        return None
    return settings.level(str(impact), str(urgency))


def core_priority(settings: Settings, attributes: Mapping[str, Any]) -> str | None:
    """The core priority (low … urgent) of the ticket's P-level, or None to keep the chosen."""
    level = priority_level(settings, attributes)
    return settings.core_priority[level] if level else None
