"""``[kb]``: whether customers may read the public articles, and how often."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.ratelimit import parse_limit
from server.sla.settings import SettingsError, checked_table


@dataclass(frozen=True)
class KbSettings:
    """The parsed ``[kb]`` section."""

    # /help and /help/<slug> show published public articles without a login; off: 404.
    public: bool = False
    # requests to those pages per client address (when [rate_limits] is enabled)
    public_rate_limit: str = "60/minute"


def parse_kb(raw: Any) -> KbSettings:
    """``[kb]`` → settings; raises :class:`SettingsError` naming the bad key."""
    table = checked_table(raw, "kb", ("public", "public_rate_limit"), "must be a table, e.g. [kb]")
    defaults = KbSettings()
    public = table.get("public", defaults.public)
    if not isinstance(public, bool):
        raise SettingsError("kb.public", f"must be true or false, got {public!r}")
    limit = table.get("public_rate_limit", defaults.public_rate_limit)
    parse_limit(limit, "kb.public_rate_limit")
    return KbSettings(public=public, public_rate_limit=limit)
