"""What every template can use: the user, their language, labels, menu, local times."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask, current_app, g, request

from server import assets, workflow
from server.catalog import current_registry
from server.permissions import user_can
from server.plugin_api import Label
from server.sla.coverage import coverage_problems
from server.snapshots import user_info
from server.timeutil import local_year, to_local


def current_locale() -> str:
    """The user's own language, else the browser's, else the configured default.

    Worked out once per request: a page of tickets asks for it hundreds of times.
    """
    if "locale" not in g:
        g.locale = _choose_locale()
    return g.locale


def _choose_locale() -> str:
    user = g.get("user")
    if user is not None and user.locale:
        return user.locale
    best = request.accept_languages.best_match(["zh-CN", "zh", "en"]) if request else None
    if best:
        return "zh_CN" if best.startswith("zh") else "en"
    return current_app.extensions["aftersales"].config.locale.default


def translate(value: Label | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, Label):
        return value.get(current_locale())
    return value


def localtime(value: dt.datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    local = to_local(value)
    return local.strftime(fmt) if local else ""


def duration(seconds: float | None) -> str:
    """Working time as people say it: "45m", "3h 10m", "2d 4h" (a day is 24 hours)."""
    if seconds is None:
        return ""
    minutes = round(abs(seconds) / 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days}d {hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    return f"{minutes}m"


def time_left(due_at: dt.datetime | None) -> tuple[str, str]:
    """("2h 5m left" | "overdue 35m", css class) for a stored (naive UTC) deadline."""
    if due_at is None:
        return ("", "")
    left = (due_at - dt.datetime.now(dt.UTC).replace(tzinfo=None)).total_seconds()
    if left < 0:
        return (f"overdue {duration(left)}", "sla-overdue")
    return (f"{duration(left)} left", "sla-soon" if left < 3600 else "sla-ok")


METRIC_SHORT = {
    "first_response": Label("响应", "Resp."),
    "arrival": Label("到场", "Arr."),
    "resolution": Label("解决", "Res."),
}


def metric_short(metric: str) -> str:
    """A short metric name for the queue's SLA column."""
    return translate(METRIC_SHORT.get(metric, Label(metric, metric)))


def status_label(status: str) -> str:
    return translate(workflow.STATUSES.get(status, Label(status, status)))


def industry_label(slug: str) -> str:
    industry = current_registry().industries.get(slug)
    return translate(industry.label) if industry else slug


def service_label(industry: str, code: str) -> str:
    service = current_registry().service(industry, code)
    return translate(service.label) if service else code


def menu() -> list[Any]:
    user = g.get("user")
    if user is None:
        return []
    pm = current_app.extensions["aftersales"].pm
    return [link for links in reversed(pm.hook.menu_links(user=user_info(user))) for link in links]


def init_app(app: Flask) -> None:
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.filters["tr"] = translate
    app.jinja_env.filters["duration"] = duration
    app.jinja_env.globals.update(
        status_label=status_label,
        industry_label=industry_label,
        service_label=service_label,
        menu=menu,
        htmx_script=assets.htmx_static_path,
        current_locale=current_locale,
        time_left=time_left,
        metric_short=metric_short,
    )

    @app.context_processor
    def user_context() -> dict[str, Any]:
        user = g.get("user")
        return {
            "current_user": user,
            "can": lambda permission, ticket=None: user_can(user, permission, ticket),
            "admin_warnings": admin_warnings,
        }


def admin_warnings() -> list[str]:
    """Problems an admin must act on, shown as a banner on every page they open."""
    user = g.get("user")
    if user is None or not user_can(user, "user.manage"):
        return []
    year = local_year()
    return coverage_problems(current_registry().calendars, (year, year + 1))
