"""The core's own contributions, registered as the plugin named "core"."""

from __future__ import annotations

from flask import url_for

from server.permissions import role_can
from server.plugin_api import NavLink, UserInfo, hookimpl, label


@hookimpl
def menu_links(user: UserInfo) -> list[NavLink]:
    links = [
        NavLink(label("工单", "Tickets"), url_for("tickets.queue")),
        NavLink(label("客户", "Customers"), url_for("customers.customer_list")),
    ]
    if role_can(user.role, "user.manage"):
        links.append(NavLink(label("用户", "Users"), url_for("admin.user_list")))
    return links
