"""/admin/import: upload customers or assets, see every bad row, then import all or nothing.

The dry run keeps the checked file under ``instance/imports/`` (named by a random token
that is also put in the user's session); "Import" checks it again inside the write
transaction and writes every row or none. Files older than a day are removed.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, flash, session, url_for

from server import htmx
from server.auth import require
from server.catalog import current_registry
from server.config import Config
from server.i18n import gettext, ngettext
from server.import_forms import ImportCheckForm, ImportRunForm
from server.imports import FileRefused, ImportPlan, check_import, read_table, run_import
from server.messages import text
from server.templating import current_locale

bp = Blueprint("imports", __name__, url_prefix="/admin")

_SESSION_KEY = "import_file"
_KEEP_SECONDS = 24 * 3600
_SHOWN_ERRORS = 500


def _config() -> Config:
    return current_app.extensions["aftersales"].config


def _pending_dir() -> Path:
    path = _config().instance_path / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _render(
    check: ImportCheckForm,
    status: int = 200,
    plan: ImportPlan | None = None,
    run: ImportRunForm | None = None,
    problem: str = "",
    filename: str = "",
) -> Any:
    return htmx.render(
        "admin/import.html",
        "admin/_import_result.html",
        status=status,
        check=check,
        plan=plan,
        run=run,
        problem=problem,
        filename=filename,
        shown_errors=_SHOWN_ERRORS,
    )


@bp.route("/import", methods=["GET"])
@require("customer.import")
def import_page() -> Any:
    """The upload form."""
    return _render(ImportCheckForm(formdata=None))


@bp.route("/import/check", methods=["POST"])
@require("customer.import")
def import_check() -> Any:
    """Dry run: read the file, check every row, list every problem; import nothing."""
    form = ImportCheckForm()
    if not form.validate_on_submit():
        return _render(form, 422)
    upload = form.file.data
    filename = upload.filename or ""
    limit = _config().uploads.max_bytes
    data = upload.stream.read(limit + 1)
    try:
        table = read_table(filename, data, limit)
    except FileRefused as refused:
        form.file.errors.append(text(refused))
        return _render(form, 422)
    plan = check_import(form.kind.data, table, current_registry(), current_locale())
    if not plan.clean:
        return _render(form, 422, plan=plan, filename=filename)
    token = _keep(data, filename)
    session[_SESSION_KEY] = {"token": token, "name": filename[-200:], "kind": form.kind.data}
    run = ImportRunForm(formdata=None, kind=form.kind.data, token=token)
    return _render(form, 200, plan=plan, run=run, filename=filename)


@bp.route("/import/run", methods=["POST"])
@require("customer.import")
def import_run() -> Any:
    """Import the checked file: checked again, then every row written, or none."""
    form = ImportRunForm()
    pending = session.get(_SESSION_KEY) or {}
    path = _pending_dir() / (form.token.data or "-")
    if (
        not form.validate_on_submit()
        or pending.get("token") != form.token.data
        or pending.get("kind") != form.kind.data
        or not path.is_file()
    ):
        # a stale page (another check since, an expired file): start again from the form
        flash(gettext("Check the file first (again): nothing was imported."), "error")
        return htmx.redirect(url_for("imports.import_page"))
    filename = pending.get("name", "")
    table = read_table(filename, path.read_bytes(), _config().uploads.max_bytes)
    plan = run_import(form.kind.data, table, current_registry(), current_locale(), source=filename)
    if not plan.clean:  # changed since the dry run (e.g. someone added that phone)
        return _render(ImportCheckForm(formdata=None), 422, plan=plan, filename=filename)
    path.unlink(missing_ok=True)
    session.pop(_SESSION_KEY, None)
    if form.kind.data == "customers":
        done = ngettext(
            "Imported %(num)d customer from %(file)s.",
            "Imported %(num)d customers from %(file)s.",
            plan.imported,
            file=filename,
        )
    else:
        done = ngettext(
            "Imported %(num)d asset from %(file)s.",
            "Imported %(num)d assets from %(file)s.",
            plan.imported,
            file=filename,
        )
    flash(done)
    return htmx.redirect(url_for("customers.customer_list"))


def _keep(data: bytes, filename: str) -> str:
    """Store the checked file for the Import step; forget files older than a day."""
    directory = _pending_dir()
    cutoff = time.time() - _KEEP_SECONDS
    for old in directory.iterdir():
        if old.is_file() and old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_hex(16)
    (directory / token).write_bytes(data)
    return token
