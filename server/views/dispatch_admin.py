"""Admin pages for outlets and technicians (outlet, skills, regions)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, request, url_for

from server import htmx
from server.auth import require
from server.catalog import current_registry
from server.dispatch.exports import (
    OUTLET_COLUMNS,
    TECHNICIAN_COLUMNS,
    outlet_rows,
    technician_rows,
)
from server.dispatch.models import Outlet
from server.dispatch.outlets import (
    OUTLET_FIELDS,
    OutletError,
    outlets_with_counts,
    save_outlet,
    save_technician,
    technician_profile,
)
from server.forms import OutletForm, TechnicianForm, options
from server.i18n import gettext
from server.messages import sentence
from server.models import User
from server.tabular import export_response, requested_format
from server.templating import translate

bp = Blueprint("dispatch_admin", __name__, url_prefix="/admin")


@bp.route("/outlets")
@require("dispatch.manage")
def outlet_list() -> Any:
    outlets = outlets_with_counts()
    fmt = requested_format()
    if fmt:
        return export_response("outlets", OUTLET_COLUMNS, outlet_rows(outlets), fmt)
    return htmx.render("admin/outlets.html", "admin/outlets.html", outlets=outlets)


def _outlet_page(form: OutletForm, outlet: Outlet | None, status: int) -> Any:
    return htmx.render(
        "admin/outlet_form.html",
        "admin/_outlet_form.html",
        status=status,
        form=form,
        outlet=outlet,
    )


@bp.route("/outlets/new", methods=["GET", "POST"])
@require("dispatch.manage")
def outlet_new() -> Any:
    return _edit_outlet(None)


@bp.route("/outlets/<id:outlet_id>", methods=["GET", "POST"])
@require("dispatch.manage")
def outlet_edit(outlet_id: int) -> Any:
    return _edit_outlet(Outlet.get_or_none(Outlet.id == outlet_id) or abort(404))


def _edit_outlet(outlet: Outlet | None) -> Any:
    form = OutletForm(obj=outlet if request.method == "GET" else None)
    if form.validate_on_submit():
        values = {
            name: form[name].data if name == "active" else form[name].data or ""
            for name in OUTLET_FIELDS
        }
        try:
            saved = save_outlet(outlet, values)
        except OutletError as exc:
            form.name.errors.append(sentence(exc))
        else:
            flash(gettext("Outlet %(name)s saved.", name=saved.name))
            return htmx.redirect(url_for("dispatch_admin.outlet_list"))
    return _outlet_page(form, outlet, 422 if request.method == "POST" else 200)


@bp.route("/technicians")
@require("dispatch.manage")
def technician_list() -> Any:
    technicians = User.select().where(User.role == "technician").order_by(User.display_name)
    rows = [(user, *technician_profile(user)) for user in technicians]
    fmt = requested_format()
    if fmt:
        return export_response("technicians", TECHNICIAN_COLUMNS, technician_rows(rows), fmt)
    return htmx.render("admin/technicians.html", "admin/technicians.html", rows=rows)


def _skill_choices() -> list[Any]:
    registry = current_registry()
    pairs = []
    for slug, industry in registry.industries.items():
        pairs.append(
            (
                f"{slug}:*",
                gettext("%(industry)s · all services", industry=translate(industry.label)),
            )
        )
        for service in registry.services_of(slug):
            pairs.append(
                (
                    f"{slug}:{service.code}",
                    f"{translate(industry.label)} · {translate(service.label)}",
                )
            )
    return options(pairs)


@bp.route("/technicians/<id:user_id>", methods=["GET", "POST"])
@require("dispatch.manage")
def technician_edit(user_id: int) -> Any:
    user = User.get_or_none((User.id == user_id) & (User.role == "technician")) or abort(404)
    outlet, skills, regions = technician_profile(user)
    if request.method == "GET":
        form = TechnicianForm(
            formdata=None,
            outlet=str(outlet.id) if outlet else "",
            skills=skills,
            regions=regions,
        )
    else:
        form = TechnicianForm()
    form.outlet.choices = options(
        [
            ("", gettext("— none —")),
            *((str(o.id), o.name) for o in Outlet.select().order_by(Outlet.name)),
        ]
    )
    form.skills.choices = _skill_choices()
    if form.validate_on_submit():
        chosen = (
            Outlet.get_or_none(Outlet.id == int(form.outlet.data)) if form.outlet.data else None
        )
        save_technician(user, chosen, form.skills.data or [], form.regions.data or [])
        flash(gettext("%(name)s saved.", name=user))
        return htmx.redirect(url_for("dispatch_admin.technician_list"))
    return htmx.render(
        "admin/technician_form.html",
        "admin/_technician_form.html",
        status=422 if request.method == "POST" else 200,
        form=form,
        user=user,
    )
