"""Customer pages: list and search, detail with assets and tickets, create and edit."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, g, request, url_for

from server import htmx
from server.asset_fields import asset_field_rows
from server.auth import require
from server.catalog import current_registry, split_service_key
from server.customers import (
    CUSTOMER_FIELDS,
    MAIL_FIELDS,
    add_asset,
    asset_identifier_error,
    mail_choice,
    matching_customers,
    plugin_customer_errors,
    save_customer,
    search_customers,
)
from server.forms import (
    PLUGIN_FIELD_PREFIX,
    AssetForm,
    AttachmentForm,
    asset_form_class,
    customer_form_class,
    form_value,
    options,
    plugin_attributes,
)
from server.i18n import gettext
from server.inputs import query_text
from server.list_exports import asset_columns, asset_rows, customer_columns, customer_rows
from server.models import Asset, Customer, Ticket
from server.permissions import sees_only_own_tickets
from server.plugin_api import CustomerInfo
from server.tabular import export_response, requested_format
from server.templating import current_locale, translate

bp = Blueprint("customers", __name__)


def _customer_or_404(customer_id: int) -> Customer:
    customer = Customer.get_or_none(Customer.id == customer_id)
    if customer is None:
        abort(404)
    return customer


def _customer_form_class() -> type:
    return customer_form_class(current_registry(), current_locale())


@bp.route("/customers")
@require("customer.view")
def customer_list() -> Any:
    text = query_text(request.args, "q")
    fmt = requested_format()
    if fmt:
        query = matching_customers(text)
        rows = customer_rows(query, current_registry())
        return export_response("customers", customer_columns(current_registry()), rows, fmt)
    page_size = current_app.extensions["aftersales"].config.ui.page_size
    customers, total, page, pages = search_customers(text, _page_number(), page_size)
    return htmx.render(
        "customers/list.html",
        "customers/_rows.html",
        customers=customers,
        q=text,
        page=page,
        pages=pages,
        total=total,
    )


def _page_number() -> int:
    """The ``page`` parameter; anything odd (text, zero, huge) reads as a sane number."""
    page = request.args.get("page", 1, type=int) or 1
    return max(1, min(page, 1_000_000))


def _render_form(form: Any, customer: Customer | None, status: int) -> Any:
    return htmx.render(
        "customers/form.html",
        "customers/_form.html",
        status=status,
        form=form,
        customer=customer,
        plugin_fields=[n for n in form._fields if n.startswith(PLUGIN_FIELD_PREFIX)],
    )


@bp.route("/customers/new", methods=["GET", "POST"])
@require("customer.edit")
def customer_new() -> Any:
    form = _customer_form_class()()
    if form.validate_on_submit() and _plugins_accept(form, None):
        customer = save_customer(
            None,
            {**{name: form[name].data or "" for name in CUSTOMER_FIELDS}, **mail_choice(form)},
            plugin_attributes(form, current_registry().customer_fields),
        )
        flash(gettext("Customer %(name)s created.", name=customer.name))
        return htmx.redirect(url_for("customers.customer_detail", customer_id=customer.id))
    return _render_form(form, None, 422 if request.method == "POST" else 200)


@bp.route("/customers/<id:customer_id>/edit", methods=["GET", "POST"])
@require("customer.edit")
def customer_edit(customer_id: int) -> Any:
    customer = _customer_or_404(customer_id)
    initial = {name: getattr(customer, name) for name in (*CUSTOMER_FIELDS, *MAIL_FIELDS)}
    for spec in current_registry().customer_fields:
        initial[PLUGIN_FIELD_PREFIX + spec.name] = form_value(
            spec, (customer.attributes or {}).get(spec.name)
        )
    form = _customer_form_class()(data=initial if request.method == "GET" else None)
    if form.validate_on_submit() and _plugins_accept(form, customer):
        save_customer(
            customer,
            {**{name: form[name].data or "" for name in CUSTOMER_FIELDS}, **mail_choice(form)},
            plugin_attributes(form, current_registry().customer_fields),
        )
        flash(gettext("Customer saved."))
        return htmx.redirect(url_for("customers.customer_detail", customer_id=customer.id))
    return _render_form(form, customer, 422 if request.method == "POST" else 200)


def _plugins_accept(form: Any, customer: Customer | None) -> bool:
    """Ask the plugins' ``validate_customer``; their errors go next to the fields."""
    from server.views.tickets import attach_errors

    values = {name: form[name].data or "" for name in CUSTOMER_FIELDS}
    attributes = {
        **((customer.attributes or {}) if customer is not None else {}),
        **plugin_attributes(form, current_registry().customer_fields),
    }
    info = CustomerInfo(
        id=customer.id if customer is not None else None,
        name=values["name"],
        kind=values["kind"],
        region=values["region"],
        tier=values["tier"],
        attributes=attributes,
    )
    errors = plugin_customer_errors(current_app.extensions["aftersales"].pm, info)
    attach_errors(form, errors)
    return not errors


def _asset_form(kind_key: str = "") -> AssetForm:
    """The add-asset form with the fields of the kind ``kind_key`` names (if any)."""
    registry = current_registry()
    form_class, _specs = asset_form_class(registry, kind_key, current_locale())
    form = form_class()
    form.kind.choices = options(
        (
            f"{industry}:{code}",
            f"{translate(registry.industries[industry].label)} · {translate(kind.label)}",
        )
        for (industry, code), kind in registry.asset_kinds.items()
    )
    return form


def _render_detail(customer: Customer, asset_form: AssetForm, status: int = 200) -> Any:
    tickets = Ticket.select().where(Ticket.customer == customer)
    if sees_only_own_tickets(g.user):
        tickets = tickets.where(Ticket.assignee == g.user.id)
    tickets = tickets.order_by(Ticket.created_at.desc()).limit(100)
    registry = current_registry()
    assets = list(Asset.select().where(Asset.customer == customer).order_by(Asset.id))
    return htmx.render(
        "customers/detail.html",
        "customers/_assets.html",
        status=status,
        customer=customer,
        assets=assets,
        asset_fields={
            asset.id: asset_field_rows(
                registry.asset_kinds.get((asset.plugin, asset.kind)),
                asset.attributes,
                current_locale(),
            )
            for asset in assets
        },
        tickets=list(tickets),
        asset_form=asset_form,
        asset_plugin_fields=[n for n in asset_form._fields if n.startswith(PLUGIN_FIELD_PREFIX)],
        attachment_form=AttachmentForm(formdata=None),
        attachments=list(customer.attachments),
        customer_fields=registry.customer_fields,
    )


@bp.route("/customers/<id:customer_id>")
@require("customer.view")
def customer_detail(customer_id: int) -> Any:
    customer = _customer_or_404(customer_id)
    fmt = requested_format()
    if fmt:
        registry = current_registry()
        rows = asset_rows(Asset.select().where(Asset.customer == customer), registry)
        return export_response(f"assets-{customer.id}", asset_columns(registry), rows, fmt)
    return _render_detail(customer, _asset_form())


@bp.route("/assets/export")
@require("customer.view")
def asset_export() -> Any:
    """Every asset (``?format=csv|xlsx``, CSV by default): the asset import's columns."""
    fmt = requested_format() or "csv"
    registry = current_registry()
    rows = asset_rows(Asset.select(), registry)
    return export_response("assets", asset_columns(registry), rows, fmt)


@bp.route("/customers/<id:customer_id>/assets", methods=["POST"])
@require("customer.edit")
def asset_new(customer_id: int) -> Any:
    """Add an asset. A post with ``choose`` (the kind list changing with htmx, or the
    "Show its fields" button without JavaScript) only shows the chosen kind's fields."""
    customer = _customer_or_404(customer_id)
    kind_key = request.form.get("kind", "")[:120]
    form = _asset_form(kind_key)
    if "choose" in request.form:
        form.validate_on_submit()  # fills the fields; its messages are not shown yet
        for field in form:
            field.errors = []
        return _render_detail(customer, form)
    if form.validate_on_submit():
        industry, code = split_service_key(form.kind.data) or ("", "")
        kind = current_registry().asset_kinds[(industry, code)]
        problem = asset_identifier_error(kind, form.identifier.data, current_locale())
        if problem:
            form.identifier.errors.append(problem)
        else:
            add_asset(
                customer,
                industry,
                code,
                form.identifier.data,
                form.coverage_start.data,
                form.coverage_end.data,
                plugin_attributes(form, kind.fields),
            )
            flash(gettext("Asset added."))
            return htmx.redirect(url_for("customers.customer_detail", customer_id=customer.id))
    return _render_detail(customer, form, 422)
