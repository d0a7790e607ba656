"""Checks on a retailer's fields against stored data: a licence is one retailer's only."""

from __future__ import annotations

from server.plugin_api import CustomerInfo, Label, customers_with_attribute, user_exists


def retailer_errors(customer: CustomerInfo) -> dict[str, list[Label]] | None:
    """The licence no. is not another customer's; the manager is an active login."""
    errors: dict[str, list[Label]] = {}
    licence = customer.attributes.get("tr_licence_no")
    if licence:
        holders = [
            c for c in customers_with_attribute("tr_licence_no", licence) if c.id != customer.id
        ]
        if holders:
            errors["tr_licence_no"] = [
                Label(
                    f"许可证号 {licence} 已登记在客户“{holders[0].name}”名下",
                    f"Licence no. {licence} already belongs to {holders[0].name}.",
                )
            ]
    manager = customer.attributes.get("tr_manager")
    if manager and not user_exists(manager):
        errors["tr_manager"] = [
            Label(f"没有名为 {manager} 的在职用户", f"No active user logs in as {manager}.")
        ]
    return errors or None
