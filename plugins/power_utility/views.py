"""The plugin's page, mounted by the core under ``/p/power_utility/``: the provider register."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint

from server.plugin_api import Column, export_response, label, render_page, requested_format

from .settings import Settings


def blueprint(settings: Settings) -> Blueprint:
    """A fresh blueprint bound to these settings (one per app, no module state)."""
    pages = Blueprint("power_utility", __name__)

    @pages.get("/providers")
    def providers_page() -> Any:
        """Every registered provider: licence types, number, expiry and latest rating."""
        today = dt.datetime.now(ZoneInfo(settings.timezone)).date()
        fmt = requested_format()
        if fmt:
            rows = [_export_row(provider, today) for provider in settings.providers]
            return export_response("providers", _COLUMNS, rows, fmt)
        return render_page(
            "power_utility/providers.html",
            "power_utility/_providers_rows.html",
            providers=settings.providers,
            today=today,
        )

    return pages


_COLUMNS = (
    Column("name", label("服务商", "Provider")),
    Column("licence_no", label("许可证号", "Licence no.")),
    Column("licence_types", label("许可类别", "Licence types")),
    Column("licence_expiry", label("有效期至", "Valid until")),
    Column("expired", label("已过期", "Expired")),
    Column("rating_year", label("最近评级年度", "Latest rating year")),
    Column("rating", label("最近评级", "Latest rating")),
)


def _export_row(provider: Any, today: dt.date) -> dict[str, Any]:
    """One registered provider as an export row."""
    rating = provider.latest_rating()
    return {
        "name": provider.name,
        "licence_no": provider.licence_no,
        "licence_types": ", ".join(provider.licence_types),
        "licence_expiry": provider.licence_expiry,
        "expired": provider.licence_expiry < today,
        "rating_year": rating[0] if rating else None,
        "rating": rating[1] if rating else "",
    }
