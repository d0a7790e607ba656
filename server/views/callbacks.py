"""The callback queue (``/callbacks``) and the callback form (``/callbacks/<id>``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from flask import Blueprint, abort, current_app, flash, g, request, url_for

from server import htmx
from server.auth import require
from server.catalog import current_registry
from server.complaints.ledger import ComplaintError
from server.customer_mail.survey_links import (
    LinkUsed,
    NoCustomerEmail,
    links_of,
    send_survey_link,
)
from server.followup.forms import CallbackForm, callback_form_class
from server.followup.models import Callback
from server.followup.outcomes import OUTCOMES
from server.followup.queue import (
    DUE_FILTERS,
    STATUS_FILTERS,
    CallbackFilter,
    callback_page,
    callback_query,
)
from server.followup.record import (
    CallbackInvalid,
    CallbackNotPending,
    record_callback,
    survey_for,
)
from server.followup.schedule import policy_for
from server.i18n import gettext
from server.messages import reason, text
from server.models import Ticket, utcnow
from server.plugin_api import Column, label
from server.tabular import export_response, requested_format
from server.templating import translate
from server.tickets import StaleTicket, TransitionRefused
from server.timeutil import local_zone, to_local

bp = Blueprint("callbacks", __name__)

EXPORT_COLUMNS = (
    Column("ticket", label("工单", "Ticket")),
    Column("industry", label("行业", "Industry")),
    Column("service", label("服务", "Service")),
    Column("customer", label("客户", "Customer")),
    Column("phone", label("电话", "Phone")),
    Column("due", label("应回访时间", "Due")),
    Column("status", label("状态", "Status")),
    Column("attempts", label("尝试次数", "Attempts")),
    Column("satisfaction", label("满意度", "Satisfaction")),
    Column("score", label("问卷得分", "Survey score")),
    Column("outcome", label("结果分类", "Outcome")),
    Column("agent", label("回访人", "Agent")),
    Column("done", label("完成时间", "Done")),
)


def _end_of_local_today(now: dt.datetime) -> dt.datetime:
    zone = local_zone()
    today = now.replace(tzinfo=dt.UTC).astimezone(zone).date()
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    return end.astimezone(dt.UTC).replace(tzinfo=None)


@bp.app_template_filter("callback_outcome")
def outcome_label(outcome: str | None) -> str:
    """An outcome key in the user's language ("—" for none)."""
    if not outcome:
        return "—"
    known = OUTCOMES.get(outcome)
    return translate(known) if known else outcome


@bp.route("/callbacks")
@require("callback.make")
def queue() -> Any:
    """Callbacks to make, next due first; ``?format=csv|xlsx`` exports every page."""
    registry = current_registry()
    filters = CallbackFilter.from_args(request.args, list(registry.industries))
    now = utcnow()
    end_of_today = _end_of_local_today(now)
    fmt = requested_format()
    if fmt is not None:
        rows = _export_rows(callback_query(filters, now, end_of_today))
        return export_response("callbacks", EXPORT_COLUMNS, rows, fmt)
    page_size = current_app.extensions["aftersales"].config.ui.page_size
    page = callback_page(filters, now, end_of_today, page_size)
    args = filters.query_args()
    base = url_for("callbacks.queue", **args) + ("&" if args else "?")
    return htmx.render(
        "callbacks/queue.html",
        "callbacks/_results.html",
        push_url=url_for(
            "callbacks.queue", **args, **({"page": page.page} if page.page > 1 else {})
        ),
        filters=filters,
        page=page,
        base=base,
        now=now,
        industries=registry.industries,
        due_filters=DUE_FILTERS,
        status_filters=STATUS_FILTERS,
    )


def _export_rows(query: Any) -> Iterator[Mapping[str, Any]]:
    for cb in query.iterator():
        ticket = cb.ticket
        yield {
            "ticket": ticket.number,
            "industry": ticket.plugin,
            "service": ticket.service,
            "customer": ticket.customer.name,
            "phone": ticket.customer.phone,
            "due": _local_naive(cb.next_due),
            "status": cb.status,
            "attempts": cb.attempts,
            "satisfaction": cb.satisfaction,
            "score": cb.score,
            "outcome": OUTCOMES.get(cb.outcome or "", cb.outcome or ""),
            "agent": str(cb.agent) if cb.agent_id else "",
            "done": _local_naive(cb.done_at),
        }


def _local_naive(value: dt.datetime | None) -> dt.datetime | None:
    local = to_local(value)
    return local.replace(tzinfo=None) if local is not None else None


def _callback_or_404(callback_id: int) -> Callback:
    callback = Callback.get_or_none(Callback.id == callback_id)
    if callback is None:
        abort(404)
    return callback


@bp.route("/callbacks/<id:callback_id>", methods=["GET", "POST"])
@require("callback.make")
def callback_form(callback_id: int) -> Any:
    """Record one attempt of a callback (GET shows the form and the callback's history)."""
    callback = _callback_or_404(callback_id)
    registry = current_registry()
    ticket = Ticket.get_by_id(callback.ticket_id)
    questions = survey_for(registry, ticket)
    form: CallbackForm = callback_form_class(questions)()
    form.set_outcome_choices()
    if request.method == "GET":
        form.version.data = ticket.version
        return _render(callback, ticket, form, questions)
    if callback.status != "pending":
        return _render(
            callback, ticket, form, questions, 409, gettext("This callback is already finished.")
        )
    if not form.validate():
        return _render(callback, ticket, form, questions, 422)
    try:
        done = record_callback(
            registry, callback, form.version.data, form.answer(questions), g.user
        )
    except CallbackInvalid as exc:
        form.attach(exc.errors)
        return _render(callback, ticket, form, questions, 422)
    except StaleTicket as exc:
        form.version.data = exc.current.version
        return _render(callback, exc.current, form, questions, 409, text(exc))
    except CallbackNotPending:
        fresh = _callback_or_404(callback_id)
        return _render(
            fresh,
            ticket,
            form,
            questions,
            409,
            gettext("Someone recorded this callback meanwhile."),
        )
    except (TransitionRefused, ComplaintError) as exc:
        return _render(
            callback,
            ticket,
            form,
            questions,
            422,
            gettext("Not recorded: %(reason)s.", reason=reason(exc)),
        )
    flash(_message(done, ticket))
    return htmx.redirect(url_for("tickets.detail", number=ticket.number))


@bp.post("/callbacks/<id:callback_id>/survey-link")
@require("callback.make")
def send_survey(callback_id: int) -> Any:
    """Mail the customer a single-use link to answer the callback's survey themselves."""
    callback = _callback_or_404(callback_id)
    registry = current_registry()
    ticket = Ticket.get_by_id(callback.ticket_id)
    try:
        link = send_survey_link(registry, callback, g.user, fallback_base=request.host_url)
    except (NoCustomerEmail, LinkUsed) as exc:
        questions = survey_for(registry, ticket)
        form: CallbackForm = callback_form_class(questions)()
        form.set_outcome_choices()
        form.version.data = ticket.version
        if isinstance(exc, NoCustomerEmail):
            message = gettext("The customer has no email address; add one to their record first.")
            return _render(callback, ticket, form, questions, 422, message)
        message = gettext("This callback is already finished.")
        return _render(callback, ticket, form, questions, 409, message)
    flash(gettext("Survey link sent to %(email)s.", email=link.sent_to))
    return htmx.redirect(url_for("callbacks.callback_form", callback_id=callback.id))


def _message(done: Callback, ticket: Ticket) -> str:
    if done.status == "pending":
        when = to_local(done.next_try_at)
        if when:
            return gettext("Not reached: next try %(when)s.", when=f"{when:%Y-%m-%d %H:%M}")
        return gettext("Attempt recorded.")
    if done.status == "unreachable":
        if done.action == "close":
            return gettext(
                "The customer could not be reached after %(n)s attempts. The ticket is closed.",
                n=done.attempts,
            )
        return gettext("The customer could not be reached after %(n)s attempts.", n=done.attempts)
    recorded = gettext("Callback recorded: %(outcome)s.", outcome=outcome_label(done.outcome))
    if done.action == "close":
        follow = gettext("%(number)s is closed.", number=ticket.number)
    elif done.action == "reopen":
        follow = gettext("%(number)s is reopened.", number=ticket.number)
    elif done.action == "complaint":
        follow = gettext("A complaint was opened and %(number)s is closed.", number=ticket.number)
    else:
        follow = ""
    return " ".join(part for part in (recorded, follow) if part)


def _render(
    callback: Callback,
    ticket: Ticket,
    form: CallbackForm,
    questions: list[Any],
    status: int = 200,
    error: str = "",
) -> Any:
    history = list(
        Callback.select().where(Callback.ticket == ticket.id).order_by(Callback.id.desc())
    )
    return htmx.render(
        "callbacks/form.html",
        "callbacks/_form.html",
        status=status,
        callback=callback,
        ticket=ticket,
        form=form,
        questions=questions,
        error=error,
        history=history,
        policy=policy_for(current_registry(), ticket),
        survey_links=links_of(callback),
        now=utcnow(),
    )
