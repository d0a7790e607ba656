"""User administration (admins only)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, request, url_for

from server import htmx
from server.auth import require
from server.forms import UserForm
from server.i18n import gettext
from server.messages import sentence
from server.models import User
from server.passwords import password_hint
from server.plugin_api import Column, Label
from server.tabular import export_response, requested_format
from server.users import UserError, create_user, update_user

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/users")
@require("user.manage")
def user_list() -> Any:
    users = User.people().order_by(User.username)
    fmt = requested_format()
    if fmt:
        return export_response("users", USER_COLUMNS, (_user_row(u) for u in users), fmt)
    return htmx.render("admin/users.html", "admin/users.html", users=list(users))


USER_COLUMNS = (
    Column("username", Label("登录名", "Username")),
    Column("display_name", Label("姓名", "Name")),
    Column("role", Label("角色", "Role")),
    Column("team", Label("班组", "Team")),
    Column("email", Label("邮箱", "Email")),
    Column("active", Label("启用", "Active")),
)


def _user_row(user: User) -> dict[str, object]:
    """One user as an export row (never the password hash)."""
    return {column.key: getattr(user, column.key) for column in USER_COLUMNS}


def _field_error(form: UserForm, exc: UserError) -> None:
    """The refusal next to the field it is about (the password, the role, the name)."""
    field = getattr(form, exc.field, form.username)
    field.errors = [*field.errors, sentence(exc)]


def _render_form(form: UserForm, user: User | None, status: int) -> Any:
    form.password.description = password_hint()
    return htmx.render(
        "admin/user_form.html", "admin/_user_form.html", status=status, form=form, user=user
    )


@bp.route("/users/new", methods=["GET", "POST"])
@require("user.manage")
def user_new() -> Any:
    form = UserForm()
    if form.validate_on_submit():
        if not form.password.data:
            form.password.errors.append(gettext("A new user needs a password."))
        else:
            try:
                user = create_user(
                    form.username.data,
                    form.password.data,
                    form.role.data,
                    form.display_name.data,
                    form.team.data or "",
                    form.locale.data,
                    email=form.email.data or "",
                    active=form.active.data,
                )
            except UserError as exc:
                _field_error(form, exc)
            else:
                flash(gettext("User %(name)s created.", name=user.username))
                return htmx.redirect(url_for("admin.user_list"))
    return _render_form(form, None, 422 if request.method == "POST" else 200)


@bp.route("/users/<id:user_id>", methods=["GET", "POST"])
@require("user.manage")
def user_edit(user_id: int) -> Any:
    user = User.get_or_none(User.id == user_id)
    if user is None or user.is_system:
        abort(404)
    form = UserForm(obj=user if request.method == "GET" else None)
    if form.validate_on_submit():
        if user.id == g.user.id and (not form.active.data or form.role.data != "admin"):
            form.role.errors.append(
                gettext("You cannot remove your own admin rights or deactivate yourself.")
            )
        else:
            try:
                update_user(
                    user,
                    password=form.password.data or "",
                    username=form.username.data,
                    display_name=form.display_name.data,
                    email=form.email.data or "",
                    role=form.role.data,
                    team=form.team.data or "",
                    locale=form.locale.data,
                    active=form.active.data,
                )
            except UserError as exc:
                _field_error(form, exc)
            else:
                flash(gettext("User %(name)s saved.", name=user.username))
                return htmx.redirect(url_for("admin.user_list"))
    return _render_form(form, user, 422 if request.method == "POST" else 200)
