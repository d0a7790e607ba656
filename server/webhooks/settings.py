"""``[webhooks]``: how long a delivery may take and how often a failed one is retried."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.sla.settings import SettingsError, checked_table

SECTION_KEYS = ("timeout_seconds", "max_attempts", "backoff_seconds")
# The back-off doubles from backoff_seconds up to this, whatever the attempt.
MAX_BACKOFF_SECONDS = 6 * 3600


@dataclass(frozen=True)
class WebhookSettings:
    """The parsed ``[webhooks]`` section."""

    timeout_seconds: float = 5
    max_attempts: int = 8
    backoff_seconds: int = 30

    def backoff_after(self, attempt: int) -> int:
        """Seconds to wait after failed attempt number ``attempt`` (1, 2, …): doubling, capped."""
        return min(self.backoff_seconds * 2 ** min(attempt - 1, 30), MAX_BACKOFF_SECONDS)


_LIMITS = {
    "timeout_seconds": (0.1, 60),
    "max_attempts": (1, 50),
    "backoff_seconds": (1, MAX_BACKOFF_SECONDS),
}


def parse_webhooks(raw: Any) -> WebhookSettings:
    """``[webhooks]`` → :class:`WebhookSettings`; raises SettingsError naming the key."""
    table = checked_table(raw, "webhooks", SECTION_KEYS, "must be a table, e.g. [webhooks]")
    values: dict[str, Any] = {}
    for key, value in table.items():
        low, high = _LIMITS[key]
        whole = key != "timeout_seconds"
        if isinstance(value, bool) or not isinstance(value, int if whole else int | float):
            kind = "an integer" if whole else "a number"
            raise SettingsError(f"webhooks.{key}", f"must be {kind}, got {value!r}")
        if not low <= value <= high:
            raise SettingsError(f"webhooks.{key}", f"must be {low}–{high}")
        values[key] = value
    return WebhookSettings(**values)
