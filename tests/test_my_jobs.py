"""The technician's day: today's appointments in order, the other jobs, one-tap moves."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from server.dispatch.appointments import set_appointment
from server.dispatch.readiness import confirm_readiness
from server.models import Customer, Ticket, TicketEvent, utcnow
from server.plugin_api import FieldSpec, label
from server.tickets import NewTicket, assign_ticket, create_ticket
from tests.conftest import add_ticket, ensure_user, logged_in

SHANGHAI = dt.timezone(dt.timedelta(hours=8))  # the test config's zone has no DST


def registry_of(app):
    return app.extensions["aftersales"].registry


def local_today():
    return dt.datetime.now(SHANGHAI).date()


def utc_at(day, hour, minute=0):
    """A local wall-clock time on ``day`` as the naive UTC the database stores."""
    local = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)
    return local.astimezone(dt.UTC).replace(tzinfo=None)


def job_for(app, technician, title, window=None, status="assigned", **customer):
    customer.setdefault("name", f"{title}客户")
    with app.app_context():
        owner = Customer.create(**customer)
    ticket = add_ticket(app, customer=owner, title=title)
    actor = ensure_user(app, "dispatcher", "dispatcher")
    with app.app_context():
        ticket = assign_ticket(registry_of(app), ticket, ticket.version, technician, "", actor)
        if window is not None:
            start, end = window
            set_appointment(
                registry_of(app), ticket, start, end, actor, now=start - dt.timedelta(days=1)
            )
        if status != "assigned":
            Ticket.update(status=status).where(Ticket.id == ticket.id).execute()
        return Ticket.get_by_id(ticket.id)


def test_todays_appointments_come_in_window_order_with_address_and_phone(app):
    tech = ensure_user(app, "tech", "technician")
    today = local_today()
    late = job_for(app, tech, "下午单", (utc_at(today, 23, 0), utc_at(today, 23, 59)))
    early = job_for(
        app,
        tech,
        "上午单",
        (utc_at(today, 0, 30), utc_at(today, 1, 30)),
        address="海淀区中关村大街 1 号",
        phone="13800000001",
    )
    loose = job_for(app, tech, "无预约")
    tomorrow = job_for(
        app,
        tech,
        "明天单",
        (utc_at(today + dt.timedelta(days=1), 9), utc_at(today + dt.timedelta(days=1), 11)),
    )
    page = logged_in(app, "tech", "technician").get("/my/jobs").get_data(as_text=True)
    order = [page.index(f'id="job-{t.number}"') for t in (early, late, loose, tomorrow)]
    assert order[0] < order[1] < page.index("Other open jobs") < order[2]
    # tomorrow's job is not today's appointment, but it is an open job of this technician
    assert order[3] > page.index("Other open jobs")
    assert "00:30–01:30" in page and "23:00–23:59" in page
    assert "海淀区中关村大街 1 号" in page and 'href="tel:13800000001"' in page


def test_another_day_shows_that_days_appointments(app):
    tech = ensure_user(app, "tech", "technician")
    tomorrow = local_today() + dt.timedelta(days=1)
    job = job_for(app, tech, "明天单", (utc_at(tomorrow, 9), utc_at(tomorrow, 11)))
    page = logged_in(app, "tech", "technician").get(f"/my/jobs?date={tomorrow.isoformat()}")
    body = page.get_data(as_text=True)
    assert "09:00–11:00" in body and f'id="job-{job.number}"' in body
    assert body.index(f'id="job-{job.number}"') < body.index("Other open jobs")


def test_one_tap_moves_follow_the_visit_without_javascript(app):
    tech = ensure_user(app, "tech", "technician")
    job = job_for(app, tech, "修空调")
    client = logged_in(app, "tech", "technician")
    page = client.get("/my/jobs").get_data(as_text=True)
    assert 'name="to" value="en_route"' in page and "<script" not in page.split("<main")[1]
    version = job.version
    for status in ("en_route", "on_site", "waiting_parts"):
        response = client.form(
            f"/my/jobs/{job.number}/move",
            {"number": job.number, "version": version, "to": status},
        )
        assert response.status_code == 303, response.get_data(as_text=True)
        assert response.headers["Location"].endswith("/my/jobs")
        version += 1
    with app.app_context():
        stored = Ticket.get_by_id(job.id)
        assert stored.status == "waiting_parts" and stored.arrived_at is not None
        moves = [
            e.data["new"]
            for e in TicketEvent.select().where(
                (TicketEvent.ticket == job.id) & (TicketEvent.kind == "status")
            )
        ]
    assert moves[-3:] == ["en_route", "on_site", "waiting_parts"]
    page = client.get("/my/jobs").get_data(as_text=True)
    assert 'name="to" value="en_route"' in page  # back on the road with the part


def test_one_tap_with_htmx_swaps_the_day(app):
    tech = ensure_user(app, "tech", "technician")
    job = job_for(app, tech, "修冰箱")
    response = logged_in(app, "tech", "technician").form(
        f"/my/jobs/{job.number}/move",
        {"number": job.number, "version": job.version, "to": "en_route"},
        headers={"HX-Request": "true"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert f"{job.number}: " in body and 'name="to" value="on_site"' in body


def test_a_refused_or_stale_tap_is_explained(app):
    tech = ensure_user(app, "tech", "technician")
    job = job_for(app, tech, "修电视")
    client = logged_in(app, "tech", "technician")
    stale = client.form(
        f"/my/jobs/{job.number}/move",
        {"number": job.number, "version": job.version - 1, "to": "en_route"},
    )
    assert stale.status_code == 409 and "your change was not saved" in stale.get_data(as_text=True)
    wrong = client.form(
        f"/my/jobs/{job.number}/move",
        {"number": job.number, "version": job.version, "to": "waiting_customer"},
    )
    assert wrong.status_code == 422
    assert "not moved" in wrong.get_data(as_text=True)
    with app.app_context():
        assert Ticket.get_by_id(job.id).status == "assigned"


def test_a_technician_sees_and_moves_only_their_own_jobs(app):
    mine = ensure_user(app, "tech", "technician")
    other = ensure_user(app, "other", "technician")
    own_job = job_for(app, mine, "我的")
    their_job = job_for(app, other, "别人的")
    client = logged_in(app, "tech", "technician")
    page = client.get("/my/jobs").get_data(as_text=True)
    assert f'id="job-{own_job.number}"' in page and f'id="job-{their_job.number}"' not in page
    assert client.get(f"/my/jobs?technician={other.id}").status_code == 403
    response = client.form(
        f"/my/jobs/{their_job.number}/move",
        {"number": their_job.number, "version": their_job.version, "to": "en_route"},
    )
    assert response.status_code == 403
    with app.app_context():
        assert Ticket.get_by_id(their_job.id).status == "assigned"


def test_a_supervisor_can_look_at_a_technicians_day_and_tap_for_them(app):
    tech = ensure_user(app, "tech", "technician")
    job = job_for(app, tech, "代办")
    boss = logged_in(app, "boss", "supervisor")
    page = boss.get(f"/my/jobs?technician={tech.id}").get_data(as_text=True)
    assert "Tech’s jobs" in page and f'id="job-{job.number}"' in page
    response = boss.form(
        f"/my/jobs/{job.number}/move",
        {"number": job.number, "version": job.version, "to": "en_route", "technician": tech.id},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/my/jobs?technician={tech.id}")


def test_a_missed_window_is_flagged_on_the_day(app):
    tech = ensure_user(app, "tech", "technician")
    now = utcnow()
    job = job_for(app, tech, "错过", (now - dt.timedelta(hours=3), now - dt.timedelta(hours=2)))
    page = logged_in(app, "tech", "technician").get(
        "/my/jobs?date=" + (now + dt.timedelta(hours=8) - dt.timedelta(hours=2)).date().isoformat()
    )
    body = page.get_data(as_text=True)
    assert f'id="job-{job.number}"' in body and "missed window" in body


def test_a_bad_date_shows_today(app):
    ensure_user(app, "tech", "technician")
    response = logged_in(app, "tech", "technician").get("/my/jobs?date=2026-13-45")
    assert response.status_code == 200 and "(today)" in response.get_data(as_text=True)


def test_a_job_shows_its_services_site_address_rather_than_the_customers(make_app):
    app = make_app(enabled=["home_appliances", "power_utility"])
    registry = registry_of(app)
    tech = ensure_user(app, "tech", "technician")
    actor = ensure_user(app, "dispatcher", "dispatcher")
    sites = {
        ("home_appliances", "install"): ("install_address", "浦东新区张杨路1588弄12号801室"),
        ("power_utility", "fault_repair"): ("supply_address", "开福区芙蓉中路一段479号"),
    }
    with app.app_context():
        customer = Customer.create(name="张伟", address="徐汇区漕溪北路 88 号（办公室）")
        for (industry, service), (field, address) in sites.items():
            new = NewTicket(
                industry=industry,
                service=registry.service(industry, service),
                customer=customer,
                title="上门",
                attributes={field: address},
            )
            ticket = create_ticket(registry, new, actor, 2026)
            if service == "install":
                confirm_readiness(ticket, actor, "客户已确认")
                ticket = Ticket.get_by_id(ticket.id)
            assign_ticket(registry, ticket, ticket.version, tech, "", actor)
        plain = create_ticket(
            registry,
            NewTicket(
                industry="home_appliances",
                service=registry.service("home_appliances", "maintenance"),
                customer=customer,
                title="清洗",
            ),
            actor,
            2026,
        )
        assign_ticket(registry, plain, plain.version, tech, "", actor)
    page = logged_in(app, "tech", "technician").get("/my/jobs").get_data(as_text=True)
    addresses = re.findall(r'<p class="job-address">([^<]*)</p>', page)
    assert sorted(addresses) == sorted(
        [address for _field, address in sites.values()] + ["徐汇区漕溪北路 88 号（办公室）"]
    )


def test_only_a_text_field_can_be_the_site_address():
    with pytest.raises(ValueError, match="site address must be text"):
        FieldSpec("visit_day", label("日期", "Day"), kind="date", site_address=True)
