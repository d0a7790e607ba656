"""Printable papers: ``/tickets/<number>/slip``, ``/callbacks/<id>/record`` and
``/complaints/<number>/record``, each as a page made for A4 paper and (``.pdf``) as a PDF.

Who may print a paper is who may see its record: the ticket page's rule (technicians only
their own jobs), the callback form's and the complaint page's.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template

from server.auth import require, require_on_ticket
from server.complaints.models import Complaint
from server.followup.models import Callback
from server.models import Ticket
from server.printing import callback_context, complaint_context, pdf_response, slip_context

bp = Blueprint("printables", __name__)


def _ticket(number: str) -> Ticket:
    ticket = Ticket.get_or_none(Ticket.number == number)
    if ticket is None:
        abort(404)
    require_on_ticket("ticket.view", ticket)
    return ticket


@bp.route("/tickets/<number>/slip")
@require("ticket.view")
def slip(number: str) -> Any:
    """The service slip (work order) of a ticket, for the browser's print."""
    return render_template("print/slip.html", pdf=False, **slip_context(_ticket(number)))


@bp.route("/tickets/<number>/slip.pdf")
@require("ticket.view")
def slip_pdf(number: str) -> Any:
    ticket = _ticket(number)
    return pdf_response("print/slip.html", f"{ticket.number}.pdf", **slip_context(ticket))


def _callback(callback_id: int) -> Callback:
    callback = Callback.get_or_none(Callback.id == callback_id)
    if callback is None:
        abort(404)
    return callback


@bp.route("/callbacks/<id:callback_id>/record")
@require("callback.make")
def callback_record(callback_id: int) -> Any:
    """The callback (回访) record: survey questions and answers, who called, the outcome."""
    context = callback_context(_callback(callback_id))
    return render_template("print/callback.html", pdf=False, **context)


@bp.route("/callbacks/<id:callback_id>/record.pdf")
@require("callback.make")
def callback_record_pdf(callback_id: int) -> Any:
    callback = _callback(callback_id)
    filename = f"callback-{callback.id}.pdf"
    return pdf_response("print/callback.html", filename, **callback_context(callback))


def _complaint(number: str) -> Complaint:
    complaint = Complaint.get_or_none(Complaint.number == number)
    if complaint is None:
        abort(404)
    return complaint


@bp.route("/complaints/<number>/record")
@require("complaint.manage")
def complaint_record(number: str) -> Any:
    """The complaint record: details, the log of its stages, owner and resolution."""
    context = complaint_context(_complaint(number))
    return render_template("print/complaint.html", pdf=False, **context)


@bp.route("/complaints/<number>/record.pdf")
@require("complaint.manage")
def complaint_record_pdf(number: str) -> Any:
    complaint = _complaint(number)
    filename = f"{complaint.number}.pdf"
    return pdf_response("print/complaint.html", filename, **complaint_context(complaint))
