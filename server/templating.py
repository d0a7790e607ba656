"""What every template can use: the user, their language, labels, menu, local times."""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel.dates import format_skeleton, get_datetime_format
from babel.numbers import format_currency, format_decimal
from flask import Flask, current_app, g

from server import assets, workflow
from server.catalog import current_registry
from server.i18n import babel_locale, current_locale, gettext
from server.permissions import user_can
from server.plugin_api import Label
from server.sla.coverage import coverage_problems
from server.snapshots import user_info
from server.timeutil import local_year, to_local


def translate(value: Label | str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, Label):
        return value.get(current_locale())
    return value


def localtime(value: dt.datetime | None, fmt: str | None = None) -> str:
    """A stored UTC time in the configured zone, written the way the page's language does.

    ``fmt`` is a strftime pattern for the few places that want a fixed shape (``%H:%M``).
    """
    local = to_local(value)
    if local is None:
        return ""
    if fmt is not None:
        return local.strftime(fmt)
    locale = babel_locale()
    day = format_skeleton("yMMMd", local, locale=locale)
    clock = format_skeleton("Hm", local, locale=locale)
    return get_datetime_format("medium", locale=locale).format(clock, day)


def localdate(value: dt.date | dt.datetime | None) -> str:
    """A calendar day in the page's language ("Nov 24, 2026" / "2026年11月24日")."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = to_local(value) or value
    return format_skeleton("yMMMd", value, locale=babel_locale())


def number(value: float | int | None, digits: int | None = None) -> str:
    """A number with the language's grouping ("12,345.6"); ``digits`` fixes the decimals."""
    if value is None:
        return ""
    pattern = None if digits is None else "#,##0." + "0" * digits if digits else "#,##0"
    return format_decimal(value, format=pattern, locale=babel_locale())


def money(cents: int | None, currency: str = "CNY") -> str:
    """An amount kept in cents, as the language writes money ("¥1,234.50")."""
    if cents is None:
        return ""
    return format_currency(cents / 100, currency, locale=babel_locale())


def duration(seconds: float | None) -> str:
    """Working time as people say it: "45m", "3h 10m", "2d 4h" / "2天4小时" (a day is 24 h)."""
    if seconds is None:
        return ""
    minutes = round(abs(seconds) / 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        if hours:
            return gettext("%(days)sd %(hours)sh", days=days, hours=hours)
        return gettext("%(days)sd", days=days)
    if hours:
        if minutes:
            return gettext("%(hours)sh %(minutes)sm", hours=hours, minutes=minutes)
        return gettext("%(hours)sh", hours=hours)
    return gettext("%(minutes)sm", minutes=minutes)


def time_left(due_at: dt.datetime | None) -> tuple[str, str]:
    """("2h 5m left" | "overdue 35m", css class) for a stored (naive UTC) deadline."""
    if due_at is None:
        return ("", "")
    left = (due_at - dt.datetime.now(dt.UTC).replace(tzinfo=None)).total_seconds()
    if left < 0:
        return (gettext("overdue %(time)s", time=duration(left)), "sla-overdue")
    return (gettext("%(time)s left", time=duration(left)), "sla-soon" if left < 3600 else "sla-ok")


METRIC_SHORT = {
    "first_response": Label("响应", "Resp."),
    "arrival": Label("到场", "Arr."),
    "resolution": Label("解决", "Res."),
}


def metric_short(metric: str) -> str:
    """A short metric name for the queue's SLA column."""
    short = METRIC_SHORT.get(metric)
    return translate(short) if short else plugin_metric_label(metric)


def plugin_metric_label(metric: str) -> str:
    """A plugin milestone metric's name (its ``MetricTarget.label``), else its code."""
    for policy in current_registry().policies.values():
        for target in policy.targets:
            if target.metric == metric and target.label is not None:
                return translate(target.label)
    return metric.replace("_", " ")


def status_label(status: str) -> str:
    return translate(workflow.STATUSES.get(status, Label(status, status)))


def industry_label(slug: str) -> str:
    industry = current_registry().industries.get(slug)
    return translate(industry.label) if industry else slug


def service_label(industry: str, code: str) -> str:
    service = current_registry().service(industry, code)
    return translate(service.label) if service else code


def asset_kind_label(industry: str, code: str) -> str:
    """An asset kind's name in the page's language (the code if the plugin is gone)."""
    kind = current_registry().asset_kinds.get((industry, code))
    return translate(kind.label) if kind else code


def role_label(role: str) -> str:
    """A role's name in the page's language."""
    from server.forms import ROLE_LABELS

    label = ROLE_LABELS.get(role)
    return str(label) if label is not None else role


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
    app.jinja_env.filters["localdate"] = localdate
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["money"] = money
    app.jinja_env.globals.update(
        status_label=status_label,
        industry_label=industry_label,
        service_label=service_label,
        asset_kind_label=asset_kind_label,
        role_label=role_label,
        plugin_metric_label=plugin_metric_label,
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
