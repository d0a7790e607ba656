"""The complaint pages: recording (422 next to the field, nothing written), the stage
forms, handing over, the ledger's filters and exports, and the ticket page's panel."""

from __future__ import annotations

import csv
import html
import io

import pytest

from server.complaints.ledger import open_complaint
from server.complaints.models import Complaint, ComplaintStep
from server.complaints.steps import finish_investigation, finish_record
from server.models import Customer, TicketEvent
from tests.complaints_kit import complaint_app, shanghai
from tests.conftest import add_ticket, ensure_user, logged_in

HX = {"HX-Request": "true"}


@pytest.fixture
def app(tmp_path):
    return complaint_app(tmp_path)


def _counts(app):
    with app.app_context():
        return (
            Complaint.select().count(),
            ComplaintStep.select().count(),
            TicketEvent.select().where(TicketEvent.kind == "complaint").count(),
        )


def _record(client, **fields):
    data = {
        "channel": "phone",
        "category": "attitude",
        "ticket": "",
        "customer": "",
        "staff": "",
        "description": "师傅态度差",
        "owner": "",
        **fields,
    }
    return client.form("/complaints/new", data)


def test_recording_a_complaint_makes_the_recorder_its_owner(app):
    client = logged_in(app, "disp", "dispatcher")
    with app.app_context():
        Customer.create(name="王先生", phone="13800000001")
    response = _record(client, customer="13800000001", channel="in_person")
    assert response.status_code == 303
    with app.app_context():
        complaint = Complaint.get()
        assert complaint.owner.username == "disp"
        assert complaint.customer.name == "王先生"
        assert complaint.channel == "in_person"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert complaint.number in page and "王先生" in page and "Finish record" in page


def test_recording_from_a_ticket_page_prefills_the_ticket_and_its_assignee(app):
    tech = ensure_user(app, "tech", "technician")
    ticket = add_ticket(app)
    with app.app_context():
        type(ticket).update(assignee=tech.id).where(type(ticket).id == ticket.id).execute()
    client = logged_in(app, "disp", "dispatcher")
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert f"/complaints/new?ticket={ticket.number}" in html.unescape(page)
    form = client.get(f"/complaints/new?ticket={ticket.number}").get_data(as_text=True)
    assert f'value="{ticket.number}"' in form
    assert f'<option selected value="{tech.id}">' in form
    response = _record(client, ticket=ticket.number, staff=str(tech.id))
    assert response.status_code == 303
    with app.app_context():
        complaint = Complaint.get()
        assert (complaint.ticket_id, complaint.staff_id) == (ticket.id, tech.id)
        assert complaint.customer_id == ticket.customer_id
    panel = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert complaint.number in panel


@pytest.mark.parametrize(
    ("fields", "field_id", "message"),
    [
        ({"ticket": "SP-2026-999999"}, "ticket", "No ticket with this number."),
        ({"customer": "nobody"}, "customer", "No customer with this name or phone."),
        ({"description": "  "}, "description", "This field is required."),
        ({"channel": "fax"}, "channel", "Not a valid choice."),
        ({"category": "weather"}, "category", "Not a valid choice."),
        ({"staff": "999999"}, "staff", "Not a valid choice."),
        ({"owner": "__me__"}, "owner", "Not a valid choice."),
    ],
)
def test_bad_input_is_422_next_to_the_field_and_nothing_is_written(app, fields, field_id, message):
    client = logged_in(app, "disp", "dispatcher")
    for headers in ({}, HX):
        response = client.post(
            "/complaints/new",
            data={
                "csrf_token": client.csrf_token(),
                "channel": "phone",
                "category": "other",
                "description": "x",
                **fields,
            },
            headers=headers,
        )
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        assert f'id="{field_id}-error"' in page and message in html.unescape(page)
    assert _counts(app) == (0, 0, 0)


def test_several_customers_of_that_name_must_be_told_apart(app):
    client = logged_in(app, "disp", "dispatcher")
    with app.app_context():
        Customer.create(name="张三", phone="1")
        Customer.create(name="张三", phone="2")
    response = _record(client, customer="张三")
    assert response.status_code == 422
    assert "Several customers match" in response.get_data(as_text=True)
    assert _record(client, customer="2").status_code == 303


def test_a_ticket_of_another_customer_is_refused(app):
    ticket = add_ticket(app)
    client = logged_in(app, "disp", "dispatcher")
    with app.app_context():
        Customer.create(name="别人", phone="999")
    response = _record(client, ticket=ticket.number, customer="999")
    assert response.status_code == 422
    assert _counts(app)[0] == 0


def test_only_a_supervisor_names_another_owner(app):
    other = ensure_user(app, "other", "dispatcher")
    dispatcher = logged_in(app, "disp", "dispatcher")
    assert "Owner (首问负责)" not in dispatcher.get("/complaints/new").get_data(as_text=True)
    response = _record(dispatcher, owner=str(other.id))
    assert response.status_code == 422
    assert _counts(app)[0] == 0
    boss = logged_in(app, "boss", "supervisor")
    assert _record(boss, owner=str(other.id)).status_code == 303
    with app.app_context():
        assert Complaint.get().owner_id == other.id


def _complaint(app, **kwargs):
    owner = ensure_user(app, "disp", "dispatcher")
    arguments = {"channel": "phone", "category": "attitude", "description": "态度差"}
    with app.app_context():
        return open_complaint(owner=owner, **{**arguments, **kwargs})


def _step(client, number, **fields):
    return client.form(f"/complaints/{number}/step", fields)


def test_the_stage_forms_walk_the_complaint_to_closed(app):
    staff = ensure_user(app, "tech", "technician")
    ticket = add_ticket(app)
    complaint = _complaint(app, ticket=ticket, staff=staff)
    client = logged_in(app, "boss", "supervisor")
    number = complaint.number
    assert _step(client, number, stage="record", note="已核实").status_code == 303
    response = _step(client, number, stage="investigate", upheld="", note="查明")
    assert response.status_code == 422
    assert 'id="upheld-error"' in response.get_data(as_text=True)
    assert _step(client, number, stage="investigate", upheld="yes", note="有责").status_code == 303
    response = _step(client, number, stage="act", note="道歉", compensation="50.5")
    assert response.status_code == 422
    assert 'id="compensation_note-error"' in response.get_data(as_text=True)
    response = _step(client, number, stage="act", note="道歉", compensation="50.555")
    assert response.status_code == 422
    response = _step(
        client, number, stage="act", note="道歉", compensation="50.50", compensation_note="先行赔付"
    )
    assert response.status_code == 303
    assert _step(client, number, stage="feedback", note="电话回复").status_code == 303
    assert _step(client, number, stage="follow_up", satisfaction="9").status_code == 422
    assert _step(client, number, stage="follow_up", satisfaction="5").status_code == 303
    with app.app_context():
        c = Complaint.get_by_id(complaint.id)
        assert (c.stage, c.upheld, c.compensation_cents) == ("closed", True, 5050)
        assert c.compensation_note == "先行赔付"
        upheld = TicketEvent.select().where(TicketEvent.kind == "complaint_upheld").count()
        assert upheld == 1
    page = client.get(f"/complaints/{number}").get_data(as_text=True)
    assert "50.50" in page and "satisfaction 5/5" in page
    timeline = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "upheld</span> complaint" in timeline and "已核实" in timeline


def test_a_stale_stage_form_is_409_and_changes_nothing(app):
    complaint = _complaint(app)
    client = logged_in(app, "boss", "supervisor")
    assert _step(client, complaint.number, stage="record", note="一").status_code == 303
    before = _counts(app)
    response = _step(client, complaint.number, stage="record", note="二")
    assert response.status_code == 409
    assert "Nothing was saved" in response.get_data(as_text=True)
    partial = client.post(
        f"/complaints/{complaint.number}/step",
        data={"csrf_token": client.csrf_token(), "stage": "investigate", "upheld": "yes"},
        headers=HX,
    )
    assert partial.status_code == 422
    page = partial.get_data(as_text=True)
    assert "<html" not in page and 'id="note-error"' in page and "Finding" in page
    assert _counts(app) == before


def test_handing_over_is_for_supervisors(app):
    complaint = _complaint(app)
    other = ensure_user(app, "other", "dispatcher")
    boss = logged_in(app, "boss", "supervisor")
    response = boss.form(f"/complaints/{complaint.number}/owner", {"owner": str(other.id)})
    assert response.status_code == 303
    with app.app_context():
        assert Complaint.get_by_id(complaint.id).owner_id == other.id
    assert boss.form(f"/complaints/{complaint.number}/owner", {"owner": ""}).status_code == 422


def test_the_ledger_filters_and_pages(app):
    ticket = add_ticket(app)
    a = _complaint(app, ticket=ticket, now=shanghai(2, 10))
    b = _complaint(app, channel="letter", category="charges", now=shanghai(9, 10))
    with app.app_context():
        boss = ensure_user(app, "boss", "supervisor")
        finish_record(Complaint.get_by_id(b.id), boss, "ok", now=shanghai(9, 11))
    client = logged_in(app, "disp", "dispatcher")

    def numbers(query):
        response = client.get(f"/complaints?{query}")
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        return [n for n in (a.number, b.number) if n in page]

    assert numbers("") == [a.number, b.number]
    assert numbers("channel=letter") == [b.number]
    assert numbers("category=attitude") == [a.number]
    assert numbers("stage=investigate") == [b.number]
    assert numbers("stage=record") == [a.number]
    assert numbers("plugin=sample") == [a.number]
    assert numbers("start=2026-03-05") == [b.number]
    assert numbers("end=2026-03-05") == [a.number]
    assert numbers("overdue=y") == [a.number, b.number]  # both long past their deadlines
    assert client.get("/complaints?start=2026-03-09&end=2026-03-01").status_code == 422


def test_the_ledger_exports_every_matching_row(app):
    for day in range(2, 9):
        _complaint(app, now=shanghai(day, 10), description=f"第{day}件")
    _complaint(app, channel="web", now=shanghai(9, 10))
    client = logged_in(app, "disp", "dispatcher")
    response = client.get(
        "/complaints?channel=phone&format=csv", headers={"Accept-Language": "zh-CN"}
    )
    assert response.status_code == 200
    text = response.get_data().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 7
    # the headers and names follow the user's language (Chinese here)
    assert rows[0]["投诉内容"] == "第8件" and rows[-1]["受理时间"] == "2026-03-02 10:00"
    assert {(r["渠道"], r["类别"], r["环节"]) for r in rows} == {("来电", "服务态度", "登记")}
    xlsx = client.get("/complaints?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    page = client.get("/complaints?channel=phone").get_data(as_text=True)
    assert "format=csv" in page


def test_a_complaint_service_ticket_opens_a_ledger_entry(tmp_path):
    app = complaint_app(tmp_path / "ha", enabled=["home_appliances"], extra_plugins=[])
    client = logged_in(app, "disp", "dispatcher")
    registry = app.extensions["aftersales"].registry
    from server.tickets import NewTicket, create_ticket

    with app.app_context():
        customer = Customer.create(name="李女士")
        actor = ensure_user(app, "disp", "dispatcher")
        tech = ensure_user(app, "tech", "technician")
        repair = create_ticket(
            registry,
            NewTicket(
                industry="home_appliances",
                service=registry.service("home_appliances", "consultation"),
                customer=customer,
                title="咨询",
            ),
            actor,
            2026,
        )
        type(repair).update(assignee=tech.id).where(type(repair).id == repair.id).execute()
        new = NewTicket(
            industry="home_appliances",
            service=registry.service("home_appliances", "complaint"),
            customer=customer,
            title="投诉上门人员",
            channel="walk_in",
            attributes={
                "complaint_kind": "repeated_repair",
                "related_ticket": repair.number,
                "complaint_details": "修了三次",
            },
        )
        ticket = create_ticket(registry, new, actor, 2026, now=shanghai(2, 10))
        complaint = Complaint.get(Complaint.ticket == ticket.id)
        assert (complaint.channel, complaint.category) == ("in_person", "repeated_failure")
        assert complaint.owner_id == actor.id and complaint.customer_id == customer.id
        assert complaint.description == "修了三次"
        assert complaint.staff_id == tech.id
        assert complaint.stage_due_at == shanghai(2, 15)
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert complaint.number in page


def test_other_services_open_no_complaint(app):
    add_ticket(app)
    assert _counts(app)[0] == 0


def test_technicians_do_not_see_the_ledger_or_the_panel(app):
    ticket = add_ticket(app)
    tech = ensure_user(app, "tech", "technician")
    with app.app_context():
        type(ticket).update(assignee=tech.id).where(type(ticket).id == ticket.id).execute()
    _complaint(app, ticket=ticket)
    client = logged_in(app, "tech", "technician")
    assert client.get("/complaints").status_code == 403
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "Record a complaint" not in page and 'href="/complaints' not in page


def test_the_menu_links_to_the_ledger_for_those_who_work_it(app):
    page = logged_in(app, "disp", "dispatcher").get("/complaints").get_data(as_text=True)
    assert 'href="/complaints"' in page


def test_not_upheld_investigation_on_the_page(app):
    complaint = _complaint(app)
    with app.app_context():
        boss = ensure_user(app, "boss", "supervisor")
        c = finish_record(complaint, boss, "ok", now=shanghai(2, 11))
        finish_investigation(c, boss, False, "无责", now=shanghai(2, 12))
    page = logged_in(app, "disp", "dispatcher").get(f"/complaints/{complaint.number}")
    assert "not upheld" in page.get_data(as_text=True)


def test_the_ledger_pages_keep_the_filters(tmp_path):
    app = complaint_app(tmp_path, ui={"page_size": 5})
    numbers = [_complaint(app, now=shanghai(day, 10)).number for day in range(2, 9)]
    _complaint(app, channel="web", now=shanghai(9, 10))
    client = logged_in(app, "disp", "dispatcher")
    first = client.get("/complaints?channel=phone").get_data(as_text=True)
    assert "Page 1 of 2" in first and "channel=phone&amp;page=2" in first
    second = client.get("/complaints?channel=phone&page=2").get_data(as_text=True)
    assert [n for n in numbers if n in second] == numbers[:2]
    partial = client.get("/complaints?channel=phone&page=2", headers=HX).get_data(as_text=True)
    assert "<html" not in partial and numbers[0] in partial
