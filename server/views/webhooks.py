"""Webhook administration (admins only): list, register, edit, rotate the secret, the
delivery log with "retry now", and a test event."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from server.auth import require
from server.i18n import gettext
from server.inputs import record_id
from server.models import utcnow
from server.webhooks.forms import WebhookForm
from server.webhooks.models import Webhook, WebhookDelivery, delivery_page
from server.webhooks.outbox import send_ping
from server.webhooks.registry import (
    WebhookInvalid,
    create_webhook,
    retry_now,
    rotate_secret,
    update_webhook,
)

bp = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks")
PER_PAGE = 25


def _webhook(webhook_id: int) -> Webhook:
    return Webhook.get_or_none(Webhook.id == webhook_id) or abort(404)


def _page(form: WebhookForm, webhook: Webhook | None, secret: str = "", status: int = 200) -> Any:
    html = render_template("webhooks/form.html", form=form, webhook=webhook, secret=secret)
    # A secret is shown only on the response that made it: never cached.
    return html, status, {"Cache-Control": "no-store"} if secret else {}


def _save_errors(form: WebhookForm, exc: WebhookInvalid) -> None:
    for name, messages in exc.errors.items():
        form[name].errors = [*form[name].errors, *messages]


@bp.route("")
@require("webhook.manage")
def webhook_list() -> Any:
    hooks = list(Webhook.select().order_by(Webhook.id))
    return render_template("webhooks/list.html", webhooks=hooks)


@bp.route("/new", methods=["GET", "POST"])
@require("webhook.manage")
def webhook_new() -> Any:
    """Register a webhook; the answer shows its new secret (once)."""
    form = WebhookForm(formdata=None if request.method == "GET" else request.form)
    if request.method == "POST" and form.validate():
        try:
            webhook = create_webhook(
                form.url.data,
                form.events.data,
                g.user,
                form.description.data or "",
                form.active.data,
            )
        except WebhookInvalid as exc:
            _save_errors(form, exc)
        else:
            flash(gettext("Webhook registered. Copy its secret now: it is not shown again."))
            return _page(WebhookForm(obj=webhook, formdata=None), webhook, webhook.secret, 201)
    return _page(form, None, status=422 if request.method == "POST" else 200)


@bp.route("/<id:webhook_id>", methods=["GET", "POST"])
@require("webhook.manage")
def webhook_edit(webhook_id: int) -> Any:
    webhook = _webhook(webhook_id)
    if request.method == "GET":
        return _page(WebhookForm(obj=webhook, formdata=None), webhook)
    form = WebhookForm()
    if form.validate():
        try:
            update_webhook(
                webhook,
                form.url.data,
                form.events.data,
                form.description.data or "",
                form.active.data,
            )
        except WebhookInvalid as exc:
            _save_errors(form, exc)
        else:
            flash(gettext("Webhook saved."))
            return redirect(url_for("webhooks.webhook_list"), 303)
    return _page(form, webhook, status=422)


@bp.route("/<id:webhook_id>/rotate", methods=["POST"])
@require("webhook.manage")
def webhook_rotate(webhook_id: int) -> Any:
    """A new secret, shown once; deliveries from now on are signed with it."""
    webhook = _webhook(webhook_id)
    secret = rotate_secret(webhook)
    flash(gettext("New secret made. Give it to the receiver: the old one no longer signs."))
    return _page(WebhookForm(obj=webhook, formdata=None), webhook, secret)


@bp.route("/<id:webhook_id>/deliveries")
@require("webhook.manage")
def delivery_log(webhook_id: int) -> Any:
    """The webhook's deliveries, newest first, a page at a time."""
    webhook = _webhook(webhook_id)
    page = request.args.get("page", 1, type=record_id)
    rows, has_next = delivery_page(webhook, page, PER_PAGE)
    return render_template(
        "webhooks/deliveries.html",
        webhook=webhook,
        deliveries=rows,
        page=page,
        has_next=has_next,
        now=utcnow(),
    )


@bp.route("/<id:webhook_id>/deliveries/<id:delivery_id>/retry", methods=["POST"])
@require("webhook.manage")
def delivery_retry(webhook_id: int, delivery_id: int) -> Any:
    """Make a pending or failed delivery due now (a worker is woken after the answer)."""
    webhook = _webhook(webhook_id)
    delivery = WebhookDelivery.get_or_none(
        (WebhookDelivery.id == delivery_id) & (WebhookDelivery.webhook == webhook)
    ) or abort(404)
    if retry_now(delivery):
        g.webhooks_emitted = True
        flash(gettext("Delivery %(uuid)s will be sent again now.", uuid=delivery.delivery_uuid))
    else:
        flash(gettext("That delivery was already delivered or is being sent right now."))
    return redirect(url_for("webhooks.delivery_log", webhook_id=webhook.id), 303)


@bp.route("/<id:webhook_id>/ping", methods=["POST"])
@require("webhook.manage")
def webhook_ping(webhook_id: int) -> Any:
    """Queue a ``ping`` delivery to this webhook alone."""
    webhook = _webhook(webhook_id)
    if not webhook.active:
        flash(gettext("The webhook is not active: activate it before sending a test event."))
    else:
        delivery = send_ping(webhook)
        flash(gettext("Test event queued (delivery %(uuid)s).", uuid=delivery.delivery_uuid))
    return redirect(url_for("webhooks.delivery_log", webhook_id=webhook.id), 303)
