"""The plugin's page, mounted by the core under ``/p/power_utility/``: the provider register."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint

from server.plugin_api import render_page

from .settings import Settings


def blueprint(settings: Settings) -> Blueprint:
    """A fresh blueprint bound to these settings (one per app, no module state)."""
    pages = Blueprint("power_utility", __name__)

    @pages.get("/providers")
    def providers_page() -> Any:
        """Every registered provider: licence types, number, expiry and latest rating."""
        today = dt.datetime.now(ZoneInfo(settings.timezone)).date()
        return render_page(
            "power_utility/providers.html",
            "power_utility/_providers_rows.html",
            providers=settings.providers,
            today=today,
        )

    return pages
