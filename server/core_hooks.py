"""The core's own contributions, registered as the plugin named "core"."""

from __future__ import annotations

from flask import url_for

from server.notifications import unread_count
from server.permissions import role_can
from server.plugin_api import NavLink, UserInfo, hookimpl, label


@hookimpl
def menu_links(user: UserInfo) -> list[NavLink]:
    links = [
        NavLink(label("工单", "Tickets"), url_for("tickets.queue")),
        NavLink(label("客户", "Customers"), url_for("customers.customer_list")),
    ]
    if role_can(user.role, "ticket.transition"):
        links.append(NavLink(label("我的工作", "My jobs"), url_for("my_jobs.day_view")))
    if role_can(user.role, "ticket.view"):
        links.append(NavLink(label("日程", "Calendar"), url_for("appointments.calendar")))
    if role_can(user.role, "callback.make"):
        links.append(NavLink(label("回访", "Callbacks"), url_for("callbacks.queue")))
    if role_can(user.role, "kb.view"):
        links.append(NavLink(label("知识库", "Knowledge base"), url_for("kb.article_list")))
    if role_can(user.role, "user.manage"):
        links.append(NavLink(label("用户", "Users"), url_for("admin.user_list")))
    if role_can(user.role, "webhook.manage"):
        links.append(NavLink(label("Webhooks", "Webhooks"), url_for("webhooks.webhook_list")))
    if role_can(user.role, "audit.view"):
        links.append(NavLink(label("审计日志", "Audit log"), url_for("audit.audit_list")))
    if role_can(user.role, "ticket.assign"):
        links.append(NavLink(label("派工台", "Dispatch"), url_for("dispatch.board")))
    if role_can(user.role, "complaint.manage"):
        links.append(NavLink(label("投诉", "Complaints"), url_for("complaints.complaint_list")))
    if role_can(user.role, "dispatch.manage"):
        links.append(NavLink(label("网点", "Outlets"), url_for("dispatch_admin.outlet_list")))
    if role_can(user.role, "customer.import"):
        links.append(NavLink(label("导入", "Import"), url_for("imports.import_page")))
    if role_can(user.role, "sla.calculate"):
        links.append(
            NavLink(label("SLA 计算器", "SLA calculator"), url_for("sla_admin.calculator"))
        )
    if role_can(user.role, "merit.view"):
        links.append(NavLink(label("奖惩", "Points"), url_for("merit.overview_page")))
    if role_can(user.role, "kpi.view"):
        links.append(NavLink(label("绩效指标", "KPIs"), url_for("kpi.dashboard")))
        links.append(NavLink(label("网点评级", "Grading"), url_for("grading.grading_page")))
    unread = unread_count(user.id)
    suffix = f" ({unread})" if unread else ""
    links.append(
        NavLink(
            label(f"通知{suffix}", f"Notifications{suffix}"),
            url_for("notifications.notification_list"),
        )
    )
    return links
