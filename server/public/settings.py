"""``[public]``: whether the customer-facing pages exist, and their abuse limits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.ratelimit import parse_limit
from server.sla.settings import SettingsError, checked_table

MIN_BODY_BYTES = 1024
MAX_BODY_BYTES = 1024 * 1024


@dataclass(frozen=True)
class PublicSettings:
    """The parsed ``[public]`` section."""

    # Off by default: a self-hosted server exposes nothing new until the admin says so.
    enabled: bool = False
    # Show the assigned technician's name on the status page (not by default).
    show_staff_names: bool = False
    # Request submissions per client address (counted whether or not they succeed).
    submit_per_address: str = "5 per 10 minutes"
    # Status lookups per client address: bounds guessing of numbers and contacts.
    lookup_per_address: str = "20/hour"
    # The largest body a public POST may have; a larger one is refused with 413.
    max_body_bytes: int = 32 * 1024


KEYS = ("enabled", "show_staff_names", "submit_per_address", "lookup_per_address", "max_body_bytes")


def parse_public(raw: Any) -> PublicSettings:
    """``[public]`` → settings; raises :class:`SettingsError` naming the bad key."""
    table = checked_table(raw, "public", KEYS, "must be a table, e.g. [public]")
    defaults = PublicSettings()
    values = {key: table.get(key, getattr(defaults, key)) for key in KEYS}
    for key in ("enabled", "show_staff_names"):
        if not isinstance(values[key], bool):
            raise SettingsError(f"public.{key}", f"must be true or false, got {values[key]!r}")
    for key in ("submit_per_address", "lookup_per_address"):
        parse_limit(values[key], f"public.{key}")
    size = values["max_body_bytes"]
    if isinstance(size, bool) or not isinstance(size, int):
        raise SettingsError("public.max_body_bytes", f"must be an integer, got {size!r}")
    if not MIN_BODY_BYTES <= size <= MAX_BODY_BYTES:
        raise SettingsError(
            "public.max_body_bytes", f"must be between {MIN_BODY_BYTES} and {MAX_BODY_BYTES}"
        )
    return PublicSettings(**values)
