"""The register of qualified maintenance providers (承装（修、试）电力设施许可证).

Kept in ``[plugin.power_utility] providers``: each provider's name, licence number, the
licence types it holds (install / repair / test), the licence's last valid day and its
annual ratings. A contracted-maintenance ticket must name a registered provider holding
the licence type the work needs, valid on the day the work is reported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from server.plugin_api import Label, ServiceType, TicketInfo

LICENCE_TYPES = ("install", "repair", "test")
# the licence types as the ticket form names them (承装 / 承修 / 承试)
_LICENCE_NAMES = {
    "install": Label("承装", "Installation"),
    "repair": Label("承修", "Repair"),
    "test": Label("承试", "Testing"),
}
RATINGS = ("A", "B", "C", "D")
_WHERE = "plugin.power_utility.providers"


@dataclass(frozen=True)
class Provider:
    """One registered provider."""

    name: str
    licence_no: str
    licence_types: tuple[str, ...]
    licence_expiry: dt.date
    ratings: Mapping[int, str]

    def latest_rating(self) -> tuple[int, str] | None:
        """The most recent year's rating, or None when never rated."""
        return max(self.ratings.items()) if self.ratings else None


def parse_providers(given: Any) -> tuple[Provider, ...]:
    """Check the ``providers`` list.

    :raises ValueError: naming the entry and what is wrong with it.
    """
    if not isinstance(given, Sequence) or isinstance(given, str):
        raise ValueError(f"{_WHERE}: must be a list of tables")
    found: list[Provider] = []
    for n, entry in enumerate(given, 1):
        where = f"{_WHERE}[{n}]"
        if not isinstance(entry, Mapping):
            raise ValueError(f"{where}: must be a table")
        unknown = set(entry) - {"name", "licence_no", "licence_types", "licence_expiry", "ratings"}
        if unknown:
            raise ValueError(f"{where}.{sorted(unknown)[0]}: unknown key")
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"{where}.name: give the provider's name")
        if any(p.name == name.strip() for p in found):
            raise ValueError(f"{where}.name: {name!r} is registered twice")
        types = entry.get("licence_types")
        if not isinstance(types, list) or not types or not set(types) <= set(LICENCE_TYPES):
            raise ValueError(f"{where}.licence_types: a list of {', '.join(LICENCE_TYPES)}")
        expiry = entry.get("licence_expiry")
        if not isinstance(expiry, dt.date) or isinstance(expiry, dt.datetime):
            raise ValueError(f"{where}.licence_expiry: a date, e.g. 2027-06-30")
        ratings = entry.get("ratings", {})
        if not isinstance(ratings, Mapping) or not all(
            str(year).isdigit() and rating in RATINGS for year, rating in ratings.items()
        ):
            raise ValueError(f"{where}.ratings: a table of year = A, B, C or D")
        found.append(
            Provider(
                name=name.strip(),
                licence_no=str(entry.get("licence_no", "")),
                licence_types=tuple(types),
                licence_expiry=expiry,
                ratings={int(year): rating for year, rating in ratings.items()},
            )
        )
    return tuple(found)


def maintenance_errors(
    service: ServiceType, ticket: TicketInfo, providers: Sequence[Provider], timezone: str
) -> dict[str, list[Label]] | None:
    """A contracted-maintenance ticket names a registered provider with a valid licence.

    The licence is valid up to and including its expiry day, in the local time zone of the
    day the work is reported. Without a register (no providers configured) nothing is checked.
    """
    if service.code != "contracted_maintenance" or not providers:
        return None
    name = str(ticket.attributes.get("provider_name", "")).strip()
    provider = next((p for p in providers if p.name == name), None)
    if provider is None:
        return {
            "provider_name": [
                Label(
                    "该代维单位不在代维单位名录中。",
                    "This provider is not in the provider register.",
                )
            ]
        }
    kind = ticket.attributes.get("licence_type")
    if kind not in provider.licence_types:
        what = _LICENCE_NAMES.get(str(kind), Label(str(kind), str(kind)))
        return {
            "licence_type": [
                Label(
                    f"{provider.name} 没有{what.zh}类许可证。",
                    f"{provider.name} holds no {what.en.lower()} licence.",
                )
            ]
        }
    reported = ticket.reported_at.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(timezone)).date()
    if reported > provider.licence_expiry:
        return {
            "provider_name": [
                Label(
                    f"{provider.name} 的许可证已于 {provider.licence_expiry.isoformat()} 到期。",
                    f"{provider.name}'s licence expired on {provider.licence_expiry.isoformat()}.",
                )
            ]
        }
    return None
