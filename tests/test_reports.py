"""The on-site result report and the quote before paid work: pages, rules and storage."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest

from server.attachments import attachment_path
from server.catalog import current_registry
from server.dispatch.appointments import Appointment
from server.dispatch.reports import (
    FeeQuote,
    ReportError,
    ReportFee,
    ReportInvalid,
    ReportPart,
    ServiceReport,
    file_report,
)
from server.models import Attachment, Ticket, TicketEvent, User, utcnow
from server.plugin_api import ReportInfo
from server.tickets import assign_ticket, transition_ticket
from tests.conftest import add_ticket, build_app, ensure_user, logged_in

# A fuse (2.50) and an hour of labour (80.00): 82.50 when charged.
FUSE_AND_AN_HOUR = {"part_1-code": "FUSE-5A", "part_1-quantity": "1", "labour_hours": "1"}


def _repair(app, **attributes):
    """A sample repair ticket; with a recent purchase date it is in warranty (covered)."""
    return add_ticket(app, service="repair", attributes={"serial": "AB1234", **attributes})


def _resolved(**extra):
    return {
        "outcome": "resolved_on_site",
        "diagnosis": "Blown fuse",
        "work_done": "Replaced the fuse",
        "customer_name": "王五",
        **extra,
    }


def _consent(client, ticket, total, **data):
    return client.form(
        f"/tickets/{ticket.number}/quote",
        {
            **data,
            "action": "consent",
            "shown_total": total,
            "consent_name": "王五",
            "agrees": "y",
        },
    )


def _written(app, ticket):
    """Everything a report or quote writes for ``ticket``."""
    with app.app_context():
        return {
            "reports": ServiceReport.select().where(ServiceReport.ticket == ticket.id).count(),
            "parts": ReportPart.select().count(),
            "fees": ReportFee.select().count(),
            "quotes": FeeQuote.select().where(FeeQuote.ticket == ticket.id).count(),
            "attachments": Attachment.select().count(),
            "events": [e.kind for e in TicketEvent.select().where(TicketEvent.ticket == ticket.id)],
        }


NOTHING = {"reports": 0, "parts": 0, "fees": 0, "quotes": 0, "attachments": 0}


def _nothing_written(app, ticket):
    """No report, part, fee, quote, upload or event of ours for ``ticket``."""
    written = _written(app, ticket)
    ours = {"report_filed", "quote_consented", "attachment"}
    events = [kind for kind in written.pop("events") if kind in ours]
    return written == NOTHING and events == []


# --- consent before paid work ---------------------------------------------------------


def test_paid_work_without_a_quote_is_refused_and_nothing_is_written(app, login_as):
    ticket = _repair(app)
    client = login_as("supervisor")
    response = client.form(f"/tickets/{ticket.number}/report", _resolved(**FUSE_AND_AN_HOUR))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Paid work needs the customer&#39;s consent first" in page
    assert "82.50 CNY" in page
    assert f'href="/tickets/{ticket.number}/quote">Make a quote' in page
    assert _nothing_written(app, ticket)


def test_a_quote_smaller_than_the_charged_total_does_not_cover_it(app, login_as):
    ticket = _repair(app)
    client = login_as("supervisor")
    quoted = {"part_1-code": "FUSE-5A", "part_1-quantity": "1", "labour_hours": "0.5"}
    assert _consent(client, ticket, "42.50", **quoted).status_code == 303
    response = client.form(f"/tickets/{ticket.number}/report", _resolved(**FUSE_AND_AN_HOUR))
    assert response.status_code == 422
    assert "no consented quote for this ticket covers that amount" in response.get_data(
        as_text=True
    )
    assert _written(app, ticket)["reports"] == 0


def test_a_consented_quote_lets_the_paid_report_be_filed(app, login_as):
    ticket = _repair(app)
    client = login_as("supervisor")
    assert _consent(client, ticket, "82.50", **FUSE_AND_AN_HOUR).status_code == 303
    response = client.form(
        f"/tickets/{ticket.number}/report",
        _resolved(**FUSE_AND_AN_HOUR, **{"part_1-returned": "y"}),
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/tickets/{ticket.number}"
    with app.app_context():
        report = ServiceReport.get(ServiceReport.ticket == ticket.id)
        assert (report.outcome, report.charged_cents, report.labour_hours) == (
            "resolved_on_site",
            8250,
            Decimal("1.00"),
        )
        assert report.customer_name == "王五" and report.confirmed_at is not None
        [part] = report.parts
        assert (part.code, part.unit_price_cents, part.quantity, part.returned_to_customer) == (
            "FUSE-5A",
            250,
            1,
            True,
        )
        fees = [(f.kind, f.amount_cents, f.charged) for f in report.fees.order_by(ReportFee.id)]
        assert fees == [("part", 250, True), ("labour", 8000, True)]
        quote = FeeQuote.get(FeeQuote.ticket == ticket.id)
        assert (quote.total_cents, quote.consent_name) == (8250, "王五")
        assert quote.consent_at is not None
    events = _written(app, ticket)["events"]
    assert events == ["created", "quote_consented", "report_filed", "status"]  # → resolved
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "Service reports" in page and "Blown fuse" in page and "82.50" in page
    assert "filed a result report" in page and "consent to a quote of <b>82.50 CNY</b>" in page


def test_one_consent_covers_one_piece_of_paid_work(app, login_as):
    ticket = _repair(app)
    client = login_as("supervisor")
    _consent(client, ticket, "82.50", **FUSE_AND_AN_HOUR)
    unfinished = {
        **FUSE_AND_AN_HOUR,
        "outcome": "unfinished",
        "diagnosis": "Fuse blew again",
        "unfinished_reason": "Needs a new board",
        "next_start": "2099-03-02T09:00",
        "next_end": "2099-03-02T11:30",
    }
    assert client.form(f"/tickets/{ticket.number}/report", unfinished).status_code == 303
    again = client.form(f"/tickets/{ticket.number}/report", _resolved(**FUSE_AND_AN_HOUR))
    assert again.status_code == 422
    assert "each consent covers one report" in again.get_data(as_text=True)
    with app.app_context():
        assert ServiceReport.select().where(ServiceReport.ticket == ticket.id).count() == 1
        quote = FeeQuote.get(FeeQuote.ticket == ticket.id)
        assert quote.used_by_id == ServiceReport.get(ServiceReport.ticket == ticket.id).id
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "used by the report of" in page
    _consent(client, ticket, "82.50", **FUSE_AND_AN_HOUR)  # a second consent, for the next visit
    assert (
        client.form(f"/tickets/{ticket.number}/report", _resolved(**FUSE_AND_AN_HOUR)).status_code
        == 303
    )


def test_covered_work_needs_no_quote_and_is_free_with_the_reason(app, login_as):
    bought = (dt.date.today() - dt.timedelta(days=30)).isoformat()
    ticket = _repair(app, purchase_date=bought)
    client = login_as("supervisor")
    response = client.form(f"/tickets/{ticket.number}/report", _resolved(**FUSE_AND_AN_HOUR))
    assert response.status_code == 303
    with app.app_context():
        report = ServiceReport.get(ServiceReport.ticket == ticket.id)
        assert report.charged_cents == 0
        fees = list(report.fees)
        assert fees and not any(f.charged for f in fees)
        assert all("days before the call" in f.reason for f in fees)
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "free" in page and "days before the call" in page


def test_file_report_refuses_paid_work_without_consent_in_the_core_too(app):
    ticket = _repair(app)
    actor = ensure_user(app, "supervisor", "supervisor")
    report = ReportInfo(
        outcome="resolved_by_phone",
        diagnosis="x",
        labour_hours=Decimal("0.25"),
        customer_name="王五",
    )
    with app.app_context(), pytest.raises(ReportError, match=r"20\.00 CNY"):
        file_report(current_registry(), app.extensions["aftersales"].config, ticket, report, actor)


# --- the quote page -------------------------------------------------------------------


def test_the_estimate_is_shown_before_any_consent_and_writes_nothing(app, login_as):
    ticket = _repair(app)
    client = login_as("supervisor")
    response = client.form(
        f"/tickets/{ticket.number}/quote", {**FUSE_AND_AN_HOUR, "action": "estimate"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Labour 1 h × 80.00" in page and "82.50" in page
    assert 'name="consent_name"' in page and 'value="82.50"' in page
    assert _nothing_written(app, ticket)


def test_consent_needs_the_agree_box(app, login_as):
    ticket = _repair(app)
    client = login_as("supervisor")
    response = client.form(
        f"/tickets/{ticket.number}/quote",
        {**FUSE_AND_AN_HOUR, "action": "consent", "shown_total": "82.50", "consent_name": "王五"},
    )
    assert response.status_code == 422
    assert 'id="agrees-error"' in response.get_data(as_text=True)
    assert _nothing_written(app, ticket)


def test_consent_needs_the_customers_name(app, login_as):
    ticket = _repair(app)
    client = login_as("supervisor")
    response = client.form(
        f"/tickets/{ticket.number}/quote",
        {**FUSE_AND_AN_HOUR, "action": "consent", "shown_total": "82.50", "agrees": "y"},
    )
    assert response.status_code == 422
    assert 'id="consent_name-error"' in response.get_data(as_text=True)
    assert _nothing_written(app, ticket)


def test_consent_to_other_amounts_than_were_shown_is_refused(app, login_as):
    ticket = _repair(app)
    client = login_as("supervisor")
    response = _consent(client, ticket, "10.00", **FUSE_AND_AN_HOUR)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The amounts changed since they were shown" in page
    assert 'value="82.50"' in page  # the new amounts, ready to be shown and agreed to
    assert _nothing_written(app, ticket)


def test_covered_work_offers_no_consent(app, login_as):
    bought = (dt.date.today() - dt.timedelta(days=30)).isoformat()
    ticket = _repair(app, purchase_date=bought)
    client = login_as("supervisor")
    page = client.form(
        f"/tickets/{ticket.number}/quote", {**FUSE_AND_AN_HOUR, "action": "estimate"}
    ).get_data(as_text=True)
    assert "Nothing is charged" in page and 'name="consent_name"' not in page
    response = _consent(client, ticket, "0.00", **FUSE_AND_AN_HOUR)
    assert response.status_code == 422
    assert _nothing_written(app, ticket)


# --- the report's rules ---------------------------------------------------------------


def test_unfinished_needs_a_reason_and_a_next_window(app, login_as):
    ticket = _repair(app)
    client = login_as("supervisor")
    response = client.form(
        f"/tickets/{ticket.number}/report", {"outcome": "unfinished", "diagnosis": "No part"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="unfinished_reason-error"' in page and 'id="next_start-error"' in page
    assert _nothing_written(app, ticket)


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        (2, 1, "next_end", "Must be after the start."),
        (-2, -1, "next_start", "Must be in the future."),
    ],
)
def test_the_next_window_must_be_in_order_and_ahead(app, login_as, start, end, field, message):
    ticket = _repair(app)
    client = login_as("supervisor")
    day = dt.datetime.now() + dt.timedelta(days=1 if start > 0 else -1)
    response = client.form(
        f"/tickets/{ticket.number}/report",
        {
            "outcome": "unfinished",
            "diagnosis": "No part",
            "unfinished_reason": "Board out of stock",
            "next_start": (day + dt.timedelta(hours=start)).strftime("%Y-%m-%dT%H:%M"),
            "next_end": (day + dt.timedelta(hours=end)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error">{message}' in page
    assert _nothing_written(app, ticket)


def test_an_unfinished_report_keeps_the_next_window_in_utc(app, login_as):
    ticket = _repair(app)
    client = login_as("supervisor")
    response = client.form(
        f"/tickets/{ticket.number}/report",
        {
            "outcome": "unfinished",
            "diagnosis": "Main board dead",
            "unfinished_reason": "Board out of stock",
            "next_start": "2099-03-02T09:00",
            "next_end": "2099-03-02T11:30",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        report = ServiceReport.get(ServiceReport.ticket == ticket.id)
    # Asia/Shanghai is UTC+8
    assert (report.next_start, report.next_end) == (
        dt.datetime(2099, 3, 2, 1, 0),
        dt.datetime(2099, 3, 2, 3, 30),
    )
    assert report.customer_name == "" and report.confirmed_at is None
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "Board out of stock" in page and "2099-03-02 09:00" in page
    with app.app_context():
        booked = Appointment.get(Appointment.ticket == ticket.id)
        kinds = [e.kind for e in TicketEvent.select().where(TicketEvent.ticket == ticket.id)]
    assert (booked.starts_at, booked.ends_at) == (report.next_start, report.next_end)
    assert kinds[-2:] == ["report_filed", "appointment_set"]


def test_a_next_window_the_calendar_refuses_files_nothing(app, login_as):
    ticket = _repair(app)
    response = login_as("supervisor").form(
        f"/tickets/{ticket.number}/report",
        {
            "outcome": "unfinished",
            "diagnosis": "Main board dead",
            "unfinished_reason": "Board out of stock",
            "next_start": "2099-03-02T06:00",
            "next_end": "2099-03-02T20:00",
        },
    )
    assert response.status_code == 422
    assert "A window may last at most 12 hours." in response.get_data(as_text=True)
    assert _nothing_written(app, ticket)
    with app.app_context():
        assert not Appointment.select().exists()


def test_a_resolved_job_needs_the_customers_name(app, login_as):
    ticket = _repair(app)
    client = login_as("supervisor")
    response = client.form(
        f"/tickets/{ticket.number}/report", _resolved(customer_name="", labour_hours="0")
    )
    assert response.status_code == 422
    assert 'id="customer_name-error"' in response.get_data(as_text=True)
    assert _nothing_written(app, ticket)


def test_a_plugins_required_field_is_shown_next_to_it(app, login_as):
    ticket = _repair(app)
    client = login_as("supervisor")
    response = client.form(f"/tickets/{ticket.number}/report", _resolved(diagnosis=""))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="diagnosis-error">The sample plugin needs a diagnosis for every repair.' in page
    assert _nothing_written(app, ticket)


def test_the_plugin_rule_is_per_service(app, login_as):
    ticket = add_ticket(app, service="consult")
    client = login_as("supervisor")
    response = client.form(f"/tickets/{ticket.number}/report", _resolved(diagnosis=""))
    assert response.status_code == 303


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("NOPE", "Part &#39;NOPE&#39; is not in the parts list for this service."),
        # the bracket is in the plugin's list, but for installations only
        ("BRACKET", "Part &#39;BRACKET&#39; is not in the parts list for this service."),
    ],
)
def test_parts_not_in_the_plugins_list_are_refused(app, login_as, code, message):
    ticket = _repair(app)
    client = login_as("supervisor")
    response = client.form(
        f"/tickets/{ticket.number}/report",
        _resolved(**{"part_1-code": code, "part_1-quantity": "1"}),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="parts-error"' in page and message in page
    assert _nothing_written(app, ticket)


@pytest.mark.parametrize(
    "data",
    [
        {"labour_hours": "abc"},
        {"labour_hours": "1.234"},
        {"labour_hours": "-1"},
        {"labour_hours": "NaN"},
        {"labour_hours": "101"},
        {"outcome": "exploded"},
        {"outcome": ""},
        {"part_1-code": "FUSE-5A", "part_1-quantity": "0"},
        {"part_1-code": "FUSE-5A", "part_1-quantity": "1000"},
        {"part_1-code": "FUSE-5A", "part_1-quantity": ""},
        {"part_1-code": "FUSE-5A", "part_1-quantity": "two"},
        {"diagnosis": "x" * 2001},
        {"customer_name": "bad\x00name"},
        {"next_start": "tomorrow"},
    ],
    ids=lambda d: repr(d)[:40],
)
def test_bad_input_is_a_422_and_writes_nothing(app, login_as, data):
    ticket = _repair(app)
    client = login_as("supervisor")
    response = client.form(f"/tickets/{ticket.number}/report", _resolved(**data))
    assert response.status_code == 422
    assert 'class="error"' in response.get_data(as_text=True)
    assert _nothing_written(app, ticket)


def test_a_ticket_may_get_one_report_per_visit(app, login_as):
    ticket = add_ticket(app, service="consult")
    client = login_as("supervisor")
    for outcome in ("sent_to_workshop", "resolved_by_phone"):
        response = client.form(
            f"/tickets/{ticket.number}/report", _resolved(outcome=outcome, labour_hours="0")
        )
        assert response.status_code == 303
    assert _written(app, ticket)["reports"] == 2


# --- pages without and with JavaScript ------------------------------------------------


def test_the_report_form_works_without_javascript(app, login_as):
    ticket = _repair(app)
    client = login_as("supervisor")
    page = client.get(f"/tickets/{ticket.number}/report").get_data(as_text=True)
    assert page.count('name="part_') == 5 * 3  # five rows of part, quantity, returned
    assert f'action="/tickets/{ticket.number}/report"' in page
    assert 'enctype="multipart/form-data"' in page
    assert "<script>" not in page and "style=" not in page


def test_htmx_submit_redirects_and_errors_swap_the_form(app, login_as):
    ticket = add_ticket(app, service="consult")
    client = login_as("supervisor")
    headers = {"HX-Request": "true"}
    bad = client.form(f"/tickets/{ticket.number}/report", {"outcome": ""}, headers=headers)
    assert bad.status_code == 422
    body = bad.get_data(as_text=True)
    assert '<form id="report-form"' in body and "<html" not in body
    good = client.form(
        f"/tickets/{ticket.number}/report", _resolved(labour_hours="0"), headers=headers
    )
    assert good.status_code == 204
    assert good.headers["HX-Redirect"] == f"/tickets/{ticket.number}"


def test_the_ticket_page_offers_the_forms_to_those_who_may_file(app, login_as):
    ticket = _repair(app)
    page = login_as("supervisor").get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert f'href="/tickets/{ticket.number}/report"' in page
    assert f'href="/tickets/{ticket.number}/quote"' in page
    client = logged_in(app, "dispatcher", "dispatcher")
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "Service reports" in page and f'href="/tickets/{ticket.number}/report"' not in page


# --- the slip photo -------------------------------------------------------------------


def test_a_photo_of_the_signed_slip_is_kept_with_the_report(app, login_as):
    ticket = add_ticket(app, service="consult")
    client = login_as("supervisor")
    data = _resolved(labour_hours="0", slip=(io.BytesIO(b"\xff\xd8\xffjpeg"), "slip.jpg"))
    response = client.form(
        f"/tickets/{ticket.number}/report", data, content_type="multipart/form-data"
    )
    assert response.status_code == 303
    with app.app_context():
        report = ServiceReport.get(ServiceReport.ticket == ticket.id)
        slip = Attachment.get_by_id(report.slip_id)
        assert (slip.filename, slip.content_type, slip.ticket_id) == (
            "slip.jpg",
            "image/jpeg",
            ticket.id,
        )
        assert (
            attachment_path(app.extensions["aftersales"].config, slip)
            .read_bytes()
            .startswith(b"\xff\xd8")
        )
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert f'href="/attachments/{slip.id}">photo of the slip' in page


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("slip.txt", b"not a photo", "The slip must be a photo or a PDF."),
        ("slip.gif", b"GIF89a", "Files of type image/gif are not allowed"),
        ("slip.jpg", b"", "The file is empty."),
    ],
)
def test_a_refused_slip_files_nothing(app, login_as, filename, content, message):
    ticket = add_ticket(app, service="consult")
    client = login_as("supervisor")
    data = _resolved(labour_hours="0", slip=(io.BytesIO(content), filename))
    response = client.form(
        f"/tickets/{ticket.number}/report", data, content_type="multipart/form-data"
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="slip-error"' in page and message in page
    assert _nothing_written(app, ticket)


def test_a_slip_over_the_size_limit_files_nothing(tmp_path):
    app = build_app(tmp_path, uploads={"max_bytes": 10})
    ticket = add_ticket(app, service="consult")
    client = logged_in(app, "supervisor", "supervisor")
    data = _resolved(labour_hours="0", slip=(io.BytesIO(b"x" * 11), "slip.png"))
    response = client.form(
        f"/tickets/{ticket.number}/report", data, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert "larger than the limit" in response.get_data(as_text=True)
    assert _nothing_written(app, ticket)
    assert not any((tmp_path / "instance" / "uploads").glob("*"))


# --- who may file ---------------------------------------------------------------------


def _assigned_to(app, ticket, username):
    registry = app.extensions["aftersales"].registry
    tech = ensure_user(app, username, "technician")
    boss = ensure_user(app, "supervisor", "supervisor")
    with app.app_context():
        return assign_ticket(registry, ticket, ticket.version, tech, "", boss)


@pytest.mark.parametrize("path", ["report", "quote"])
def test_a_technician_files_on_their_own_jobs_only(app, path):
    mine = _assigned_to(app, add_ticket(app, service="consult"), "tech")
    theirs = _assigned_to(app, add_ticket(app, service="consult"), "other")
    client = logged_in(app, "tech", "technician")
    assert client.get(f"/tickets/{mine.number}/{path}").status_code == 200
    assert client.get(f"/tickets/{theirs.number}/{path}").status_code == 403
    response = client.form(f"/tickets/{theirs.number}/{path}", _resolved(labour_hours="0"))
    assert response.status_code == 403
    assert _nothing_written(app, theirs)
    page = client.get(f"/tickets/{theirs.number}").get_data(as_text=True)
    assert f'href="/tickets/{theirs.number}/report"' not in page


def test_a_technician_files_a_report_on_their_own_job(app):
    mine = _assigned_to(app, add_ticket(app, service="consult"), "tech")
    client = logged_in(app, "tech", "technician")
    response = client.form(f"/tickets/{mine.number}/report", _resolved(labour_hours="0"))
    assert response.status_code == 303
    with app.app_context():
        report = ServiceReport.get(ServiceReport.ticket == mine.id)
        assert User.get_by_id(report.technician_id).username == "tech"


def test_a_report_that_says_done_resolves_the_ticket(app):
    mine = _assigned_to(app, add_ticket(app, service="consult"), "tech")
    with app.app_context():
        tech = User.get(User.username == "tech")
        mine = transition_ticket(
            app.extensions["aftersales"].registry, mine, mine.version, "on_site", tech
        )
    client = logged_in(app, "tech", "technician")
    response = client.form(f"/tickets/{mine.number}/report", _resolved(labour_hours="0"))
    assert response.status_code == 303
    page = client.get(f"/tickets/{mine.number}").get_data(as_text=True)
    assert f"{mine.number} is now resolved." in page
    with app.app_context():
        stored = Ticket.get_by_id(mine.id)
        assert stored.status == "resolved" and stored.resolved_at is not None
        moves = [e.data for e in TicketEvent.select().where(TicketEvent.kind == "status")]
        assert moves[-1] == {"old": "on_site", "new": "resolved", "note": "result report filed"}


def test_an_unfinished_report_leaves_the_ticket_open(app):
    mine = _assigned_to(app, add_ticket(app, service="consult"), "tech")
    start = utcnow() + dt.timedelta(days=2)
    client = logged_in(app, "tech", "technician")
    response = client.form(
        f"/tickets/{mine.number}/report",
        {
            "outcome": "unfinished",
            "labour_hours": "0",
            "unfinished_reason": "客户不在家",
            "next_start": f"{start.date().isoformat()}T10:00",
            "next_end": f"{start.date().isoformat()}T12:00",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    with app.app_context():
        assert Ticket.get_by_id(mine.id).status == "assigned"


def test_a_supervisor_files_on_anyones_job(app):
    theirs = _assigned_to(app, add_ticket(app, service="consult"), "other")
    client = logged_in(app, "boss", "supervisor")
    response = client.form(f"/tickets/{theirs.number}/report", _resolved(labour_hours="0"))
    assert response.status_code == 303


def test_dispatchers_see_reports_but_do_not_file_them(app):
    ticket = add_ticket(app, service="consult")
    supervisor = logged_in(app, "boss", "supervisor")
    supervisor.form(f"/tickets/{ticket.number}/report", _resolved(labour_hours="0"))
    client = logged_in(app, "dispatcher", "dispatcher")
    assert client.get(f"/tickets/{ticket.number}/report").status_code == 403
    assert "Blown fuse" in client.get(f"/tickets/{ticket.number}").get_data(as_text=True)


# --- the core function ----------------------------------------------------------------


def test_file_report_reports_every_broken_rule_by_field(app):
    ticket = _repair(app)
    actor = ensure_user(app, "supervisor", "supervisor")
    past = utcnow() - dt.timedelta(hours=1)
    report = ReportInfo(
        outcome="unfinished",
        parts=(("NOPE", 1, False),),
        next_start=past,
        next_end=past + dt.timedelta(minutes=30),
    )
    with app.app_context(), pytest.raises(ReportInvalid) as caught:
        file_report(current_registry(), app.extensions["aftersales"].config, ticket, report, actor)
    assert set(caught.value.errors) == {"parts", "unfinished_reason", "next_start"}


def test_built_in_plugins_offer_parts_lists(make_app):
    app = make_app(enabled=["home_appliances", "it_outsourcing"], extra_plugins=[])
    registry = app.extensions["aftersales"].registry
    for industry in ("home_appliances", "it_outsourcing"):
        parts = registry.parts_of(industry)
        assert 5 <= len(parts) <= 8
        assert all(p.name.zh and p.name.en and p.price_cents > 0 for p in parts)
    install = {p.code for p in registry.parts_of("home_appliances", "install")}
    repair = {p.code for p in registry.parts_of("home_appliances", "repair")}
    assert "HA-BRACKET" in install and "HA-BRACKET" not in repair


@pytest.mark.parametrize("path", ["report", "quote"])
def test_nothing_is_reported_or_quoted_on_a_cancelled_ticket(app, login_as, path):
    ticket = _repair(app)
    actor = ensure_user(app, "supervisor", "supervisor")
    with app.app_context():
        transition_ticket(current_registry(), ticket, ticket.version, "cancelled", actor)
    client = login_as("supervisor")
    data = {**_resolved(**FUSE_AND_AN_HOUR), "action": "consent", "shown_total": "82.50"}
    response = client.form(f"/tickets/{ticket.number}/{path}", {**data, "agrees": "y"})
    assert response.status_code == 422
    assert "is cancelled: no more work is reported on it" in response.get_data(as_text=True)
    assert _nothing_written(app, ticket)
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert f'href="/tickets/{ticket.number}/{path}"' not in page


def test_the_migrated_tables_match_the_models(app):
    """Migration 9's frozen models and the live ones describe the same columns."""
    from server.db import database
    from server.dispatch.reports import REPORT_MODELS

    with app.app_context():
        for model in REPORT_MODELS:
            columns = {c.name for c in database.get_columns(model._meta.table_name)}
            assert columns == {f.column_name for f in model._meta.sorted_fields}, model
