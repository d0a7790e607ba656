"""Printable papers: the service slip of a ticket and the callback/complaint records, as
pages made for A4 paper and as PDFs (WeasyPrint), with the permissions of their records."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from server import printing
from server.catalog import current_registry
from server.complaints.ledger import open_complaint
from server.followup.models import Callback
from server.followup.record import CallbackAnswer, record_callback
from server.models import Customer, Ticket, User
from server.tickets import assign_ticket
from tests.conftest import add_ticket, build_app, ensure_user, logged_in

pypdf = pytest.importorskip("pypdf")

OFFICE = {
    "timezone": "Asia/Shanghai",
    "holidays": "none",
    "weekdays": ["09:00-12:00", "13:00-18:00"],
}
# A fuse (2.50) and an hour of labour (80.00): 82.50 charged (no warranty without a date).
REPORT = {
    "outcome": "resolved_on_site",
    "diagnosis": "保险丝熔断",
    "work_done": "更换保险丝 Replaced the fuse",
    "customer_name": "张伟",
    "part_1-code": "FUSE-5A",
    "part_1-quantity": "2",
    "labour_hours": "1",
}


@pytest.fixture
def app(tmp_path):
    return build_app(
        tmp_path,
        sla={"calendars": {"office": OFFICE}},
        callbacks={"calendar": "office"},
        complaints={"calendar": "office"},
        print={"firm_name": "安心家电服务中心", "firm_phone": "400-800-1234"},
    )


def _ticket(app):
    """A sample repair of 张伟's, assigned to technician "tech", with a filed report."""
    tech = ensure_user(app, "tech", "technician")
    boss = ensure_user(app, "boss", "supervisor")
    with app.app_context():
        customer = Customer.create(name="张伟", phone="13800000000", address="上海市浦东新区")
    ticket = add_ticket(
        app,
        service="repair",
        customer=customer,
        title="不制冷",
        description="冰箱不制冷 The fridge does not cool",
        attributes={"serial": "AB1234"},
    )
    with app.app_context():
        ticket = assign_ticket(current_registry(), ticket, ticket.version, tech, "", boss)
    client = logged_in(app, "boss", "supervisor")
    quote = {k: v for k, v in REPORT.items() if k.startswith(("part_", "labour"))}
    consent = client.form(
        f"/tickets/{ticket.number}/quote",
        {
            **quote,
            "action": "consent",
            "shown_total": "85.00",
            "consent_name": "张伟",
            "agrees": "y",
        },
    )
    assert consent.status_code == 303, consent.get_data(as_text=True)
    filed = client.form(f"/tickets/{ticket.number}/report", REPORT)
    assert filed.status_code == 303, filed.get_data(as_text=True)
    return ticket


def _pdf_text(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    data = response.get_data()
    assert data.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


# --- the service slip ------------------------------------------------------------------


def test_the_slip_shows_customer_fault_parts_fees_totals_and_signature_lines(app):
    ticket = _ticket(app)
    client = logged_in(app, "dispatcher", "dispatcher")
    response = client.get(f"/tickets/{ticket.number}/slip")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for text in (
        "安心家电服务中心",
        "400-800-1234",
        ticket.number,
        "Service slip",
        "张伟",
        "13800000000",
        "上海市浦东新区",
        "The fridge does not cool",
        "AB1234",  # the serial number, a plugin field
        "Serial number",
        "Replaced the fuse",
        "Resolved on site",
        "Tech",  # the technician
        "FUSE-5A",
        "¥2.50",  # unit price
        "¥5.00",  # 2 × 2.50
        "¥80.00",  # an hour of labour
        "¥85.00",  # the total to pay
        "Total to pay",
        "Customer signature",
        "Technician signature",
        "Notes",
    ):
        assert text in page, text
    # made for paper: its own stylesheet and script, none of the app's navigation
    assert "/static/print.css" in page and "/static/print.js" in page
    assert "/static/app.css" not in page and "<script>" not in page
    assert 'id="print-button" hidden' in page
    assert f'href="/tickets/{ticket.number}/slip.pdf"' in page


def test_the_ticket_page_links_the_slip_and_its_pdf(app):
    ticket = _ticket(app)
    page = logged_in(app, "dispatcher", "dispatcher").get(f"/tickets/{ticket.number}")
    text = page.get_data(as_text=True)
    assert f'href="/tickets/{ticket.number}/slip"' in text
    assert f'href="/tickets/{ticket.number}/slip.pdf"' in text


def test_the_slip_pdf_is_a_pdf_with_the_ticket_number_as_text(app):
    ticket = _ticket(app)
    response = logged_in(app, "dispatcher", "dispatcher").get(f"/tickets/{ticket.number}/slip.pdf")
    text = _pdf_text(response)
    assert response.headers["Content-Disposition"] == f'inline; filename="{ticket.number}.pdf"'
    assert ticket.number in text
    assert "FUSE-5A" in text and "Page 1 of 1" in text


def test_the_chinese_slip_pdf_has_chinese_text(app):
    ticket = _ticket(app)
    client = logged_in(app, "dispatcher", "dispatcher")
    response = client.get(
        f"/tickets/{ticket.number}/slip.pdf", headers={"Accept-Language": "zh-CN"}
    )
    text = _pdf_text(response)
    assert "张伟" in text and "服务单" in text and "客户签字" in text
    assert "第 1 页，共 1 页" in text


def test_the_slip_of_a_ticket_without_a_report_still_prints(app):
    ticket = add_ticket(app, title="咨询")
    page = logged_in(app, "dispatcher", "dispatcher").get(f"/tickets/{ticket.number}/slip")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "No result report filed yet." in text and "No parts used." in text


def test_a_technician_prints_only_their_own_tickets(app):
    ticket = _ticket(app)
    own = logged_in(app, "tech", "technician")
    assert own.get(f"/tickets/{ticket.number}/slip").status_code == 200
    other = logged_in(app, "tech2", "technician")
    for path in ("slip", "slip.pdf"):
        assert other.get(f"/tickets/{ticket.number}/{path}").status_code == 403
        # the same answer as the ticket page itself
    assert other.get(f"/tickets/{ticket.number}").status_code == 403


def test_unknown_numbers_are_404_and_anonymous_users_log_in_first(app):
    client = logged_in(app, "dispatcher", "dispatcher")
    for path in (
        "/tickets/SP-2026-99999/slip",
        "/tickets/SP-2026-99999/slip.pdf",
        "/callbacks/999/record",
        "/callbacks/999/record.pdf",
        "/complaints/TS-2026-99999/record",
        "/complaints/TS-2026-99999/record.pdf",
    ):
        assert client.get(path).status_code == 404, path
    ticket = add_ticket(app)
    anonymous = app.test_client().get(f"/tickets/{ticket.number}/slip")
    assert anonymous.status_code in (302, 303)
    assert "/login" in anonymous.headers["Location"]


def test_without_weasyprint_the_pdf_answers_503_naming_the_packages(app, monkeypatch):
    def missing():
        raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(printing, "_load_weasyprint", missing)
    ticket = add_ticket(app)
    client = logged_in(app, "dispatcher", "dispatcher")
    response = client.get(f"/tickets/{ticket.number}/slip.pdf")
    assert response.status_code == 503
    text = response.get_data(as_text=True)
    assert "libpango-1.0-0 libpangoft2-1.0-0" in text
    # the page for the browser's own print still works
    assert client.get(f"/tickets/{ticket.number}/slip").status_code == 200


# --- the callback and complaint records ------------------------------------------------


def _callback(app):
    ticket = _ticket(app)
    desk = ensure_user(app, "desk", "dispatcher")
    with app.app_context():
        registry = current_registry()
        fresh = Ticket.get_by_id(ticket.id)  # the report resolved it
        assert fresh.status == "resolved"
        callback = Callback.get(Callback.ticket == ticket.id)
        answer = CallbackAnswer(
            reached=True, satisfaction=5, answers={"speed": 4, "tidy": True}, comment="很满意"
        )
        return record_callback(registry, callback, fresh.version, answer, desk)


def test_the_callback_record_has_the_survey_answers_and_who_called(app):
    callback = _callback(app)
    client = logged_in(app, "desk", "dispatcher")
    response = client.get(f"/callbacks/{callback.id}/record")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for text in ("Callback record", "Speed", "4 of 5", "Left the place tidy", "Yes"):
        assert text in page, text
    assert "Desk" in page and "Satisfied" in page and "很满意" in page
    text = _pdf_text(client.get(f"/callbacks/{callback.id}/record.pdf"))
    assert "Left the place tidy" in text
    form = client.get(f"/callbacks/{callback.id}").get_data(as_text=True)
    assert f'href="/callbacks/{callback.id}/record"' in form
    # technicians make no callbacks, so they print none
    tech = logged_in(app, "tech", "technician")
    assert tech.get(f"/callbacks/{callback.id}/record").status_code == 403


def test_the_complaint_record_has_its_details_and_steps(app):
    ticket = _ticket(app)
    owner = ensure_user(app, "desk", "dispatcher")
    with app.app_context():
        complaint = open_complaint(
            channel="phone",
            category="attitude",
            description="技术员态度差",
            owner=User.get_by_id(owner.id),
            ticket=Ticket.get_by_id(ticket.id),
            customer=Ticket.get_by_id(ticket.id).customer,
            now=dt.datetime(2026, 3, 2, 2, 0),
        )
    client = logged_in(app, "desk", "dispatcher")
    page = client.get(f"/complaints/{complaint.number}/record").get_data(as_text=True)
    for text in ("Complaint record", complaint.number, "技术员态度差", "Staff attitude", "Desk"):
        assert text in page, text
    detail = client.get(f"/complaints/{complaint.number}").get_data(as_text=True)
    assert f'href="/complaints/{complaint.number}/record.pdf"' in detail
    chinese = client.get(
        f"/complaints/{complaint.number}/record.pdf", headers={"Accept-Language": "zh-CN"}
    )
    assert "技术员态度差" in _pdf_text(chinese)
    tech = logged_in(app, "tech", "technician")
    assert tech.get(f"/complaints/{complaint.number}/record").status_code == 403
