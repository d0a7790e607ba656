"""Uploading files to tickets and customers, and serving them to logged-in users only."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, g, redirect, send_file, url_for

from server.attachments import UploadRefused, attachment_path, save_attachment
from server.auth import require, require_on_ticket
from server.forms import AttachmentForm
from server.i18n import gettext
from server.messages import text
from server.models import Attachment, Customer, Ticket
from server.permissions import user_can

bp = Blueprint("attachments", __name__)


def _config() -> Any:
    return current_app.extensions["aftersales"].config


def _upload(form: AttachmentForm, **owner: Any) -> str | None:
    """Save the form's file; the error message when refused."""
    if not form.validate():
        return " ".join(form.file.errors) or gettext("Choose a file.")
    try:
        save_attachment(_config(), form.file.data, g.user, **owner)
    except UploadRefused as exc:
        return text(exc)
    return None


def _flash_upload(error: str | None) -> None:
    if error:
        flash(gettext("Not uploaded: %(reason)s", reason=error), "error")
    else:
        flash(gettext("File attached."), "info")


@bp.route("/tickets/<number>/attachments", methods=["POST"])
@require("ticket.attach")
def ticket_upload(number: str) -> Any:
    ticket = Ticket.get_or_none(Ticket.number == number) or abort(404)
    require_on_ticket("ticket.attach", ticket)
    error = _upload(AttachmentForm(), ticket=ticket)
    _flash_upload(error)
    return redirect(url_for("tickets.detail", number=number), code=303)


@bp.route("/customers/<id:customer_id>/attachments", methods=["POST"])
@require("customer.edit")
def customer_upload(customer_id: int) -> Any:
    customer = Customer.get_or_none(Customer.id == customer_id) or abort(404)
    error = _upload(AttachmentForm(), customer=customer)
    _flash_upload(error)
    return redirect(url_for("customers.customer_detail", customer_id=customer_id), code=303)


@bp.route("/attachments/<id:attachment_id>")
def download(attachment_id: int) -> Any:
    """Serve a file to a user who may see what it is attached to; never inline-executable."""
    attachment = Attachment.get_or_none(Attachment.id == attachment_id) or abort(404)
    permission = "ticket.view" if attachment.ticket_id else "customer.view"
    if not user_can(g.user, permission, attachment.ticket if attachment.ticket_id else None):
        abort(403)
    path = attachment_path(_config(), attachment)
    if not path.is_file():
        abort(404)
    inline = (
        attachment.content_type.startswith("image/") or attachment.content_type == "application/pdf"
    )
    return send_file(
        path,
        mimetype=attachment.content_type,
        download_name=attachment.filename,
        as_attachment=not inline,
        max_age=0,
    )
