"""The dispatcher board: what it lists, assigning from it, conflicts between dispatchers."""

from __future__ import annotations

import datetime as dt
import threading

from server.dispatch.outlets import save_outlet, save_technician
from server.models import Customer, Ticket, TicketEvent, utcnow
from server.sla.models import TicketDeadline
from server.tickets import StaleTicket, assign_ticket, transition_ticket
from tests.conftest import add_ticket, ensure_user, logged_in


def registry_of(app):
    return app.extensions["aftersales"].registry


def crew(app):
    """Two outlets; technicians a and b in 北区 (朝阳), c in 南区 (海淀)."""
    with app.app_context():
        north = save_outlet(None, {"name": "北区", "region": "朝阳", "grade": "A", "active": True})
        south = save_outlet(None, {"name": "南区", "region": "海淀", "grade": "B", "active": True})
    people = {}
    for name, place, region in (("a", north, "朝阳"), ("b", north, "朝阳"), ("c", south, "海淀")):
        people[name] = ensure_user(app, name, "technician")
        with app.app_context():
            save_technician(people[name], place, ["sample:*"], [region])
    return north, south, people


def ticket_in(app, region="朝阳", **fields):
    with app.app_context():
        customer = Customer.create(name=f"客户{region}", region=region)
    return add_ticket(app, customer=customer, **fields)


def board_page(client, query=""):
    response = client.get("/dispatch" + query)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_unassigned_tickets_are_listed_nearest_deadline_first(app, login_as):
    late = ticket_in(app, title="late", priority="urgent")
    relaxed = ticket_in(app, title="relaxed", priority="low")
    with app.app_context():
        # make "relaxed" due later and give a third ticket no deadline at all
        TicketDeadline.update(due_at=utcnow() + dt.timedelta(days=3)).where(
            TicketDeadline.ticket == relaxed.id
        ).execute()
        TicketDeadline.update(due_at=utcnow() - dt.timedelta(hours=1)).where(
            TicketDeadline.ticket == late.id
        ).execute()
    timeless = ticket_in(app, title="timeless")
    with app.app_context():
        TicketDeadline.delete().where(TicketDeadline.ticket == timeless.id).execute()
    page = board_page(login_as("dispatcher"))
    positions = [page.index(f'id="row-{t.number}"') for t in (late, relaxed, timeless)]
    assert positions == sorted(positions)
    assert "overdue" in page and "no deadline" in page
    assert '<span class="count">3</span>' in page


def test_resolved_and_assigned_tickets_are_not_in_the_unassigned_list(app, login_as):
    _north, _south, people = crew(app)
    done = ticket_in(app, title="done")
    taken = ticket_in(app, title="taken")
    actor = ensure_user(app, "dispatcher", "dispatcher")
    with app.app_context():
        transition_ticket(registry_of(app), done, done.version, "resolved", actor)
        assign_ticket(registry_of(app), taken, taken.version, people["a"], "北区", actor)
    page = board_page(login_as("dispatcher"))
    assert f'id="row-{done.number}"' not in page and f'id="row-{taken.number}"' not in page
    assert "Every open ticket has someone on it." in page


def test_at_risk_lists_assigned_tickets_close_to_or_past_their_deadline(app, login_as):
    north, south, people = crew(app)
    actor = ensure_user(app, "dispatcher", "dispatcher")
    close = ticket_in(app, title="close")
    far = ticket_in(app, title="far")
    other = ticket_in(app, region="海淀", title="other outlet")
    with app.app_context():
        for ticket, who, outlet in ((close, "a", "北区"), (far, "b", "北区"), (other, "c", "南区")):
            assign_ticket(registry_of(app), ticket, ticket.version, people[who], outlet, actor)
        soon = utcnow() + dt.timedelta(minutes=30)
        TicketDeadline.update(due_at=soon).where(
            TicketDeadline.ticket.in_([close.id, other.id])
        ).execute()
        TicketDeadline.update(due_at=utcnow() + dt.timedelta(days=2)).where(
            TicketDeadline.ticket == far.id
        ).execute()
    client = login_as("dispatcher")
    page = board_page(client)
    assert f'id="risk-{close.number}"' in page and f'id="risk-{other.number}"' in page
    assert f'id="risk-{far.number}"' not in page
    only_north = board_page(client, f"?outlet={north.id}")
    assert f'id="risk-{close.number}"' in only_north
    assert f'id="risk-{other.number}"' not in only_north
    assert south.id != north.id


def test_filters_by_industry_and_region(app, login_as):
    chaoyang = ticket_in(app, region="朝阳")
    haidian = ticket_in(app, region="海淀")
    crew(app)
    client = login_as("dispatcher")
    page = board_page(client, "?region=海淀")
    assert f'id="row-{haidian.number}"' in page and f'id="row-{chaoyang.number}"' not in page
    assert f'id="row-{haidian.number}"' in board_page(client, "?plugin=sample")
    # an unknown industry is ignored rather than refused: the board is a view
    assert f'id="row-{chaoyang.number}"' in board_page(client, "?plugin=nope&outlet=abc")


def test_technicians_are_offered_with_their_load(app, login_as):
    crew(app)
    page = board_page(login_as("dispatcher"))
    assert '<datalist id="board-technicians">' in page
    assert '<option value="a">A · 北区 · 0 open</option>' in page


def test_assign_without_javascript_redirects_and_records_it(app, login_as):
    _n, _s, people = crew(app)
    ticket = ticket_in(app)
    client = login_as("dispatcher")
    response = client.form(
        "/dispatch/assign",
        {"number": ticket.number, "version": ticket.version, "assignee": "a", "region": "朝阳"},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/dispatch?region=%E6%9C%9D%E9%98%B3")
    with app.app_context():
        stored = Ticket.get_by_id(ticket.id)
        assert (stored.assignee_id, stored.team, stored.status) == (
            people["a"].id,
            "北区",
            "assigned",
        )
    assert f"{ticket.number} assigned to A." in client.get("/dispatch").get_data(as_text=True)


def test_assign_with_htmx_swaps_the_board(app, login_as):
    crew(app)
    ticket = ticket_in(app)
    response = login_as("dispatcher").form(
        "/dispatch/assign",
        {"number": ticket.number, "version": ticket.version, "assignee": "b"},
        headers={"HX-Request": "true"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in body and 'id="unassigned-h"' in body
    assert f"{ticket.number} assigned to B." in body  # the flash, out of band


def test_reassigning_from_the_board_is_on_the_timeline(app, login_as):
    _n, _s, people = crew(app)
    ticket = ticket_in(app)
    client = login_as("dispatcher")
    client.form("/dispatch/assign", {"number": ticket.number, "version": 1, "assignee": "a"})
    with app.app_context():
        version = Ticket.get_by_id(ticket.id).version
    client.form("/dispatch/assign", {"number": ticket.number, "version": version, "assignee": "c"})
    with app.app_context():
        assert Ticket.get_by_id(ticket.id).assignee_id == people["c"].id
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "assigned it to <b>C</b> (was A), team 南区" in page


def test_bad_board_input_is_explained_and_changes_nothing(app, login_as):
    crew(app)
    ticket = ticket_in(app)
    client = login_as("dispatcher")
    cases = [
        ({"number": ticket.number, "version": 1, "assignee": "ghost"}, "no active user “ghost”"),
        ({"number": ticket.number, "version": 1, "assignee": ""}, "Technician: This field"),
        ({"number": "SP-0000-000000", "version": 1, "assignee": "a"}, "no such ticket"),
        ({"number": ticket.number, "assignee": "a"}, "reload the page"),
    ]
    for data, message in cases:
        response = client.form("/dispatch/assign", data)
        assert response.status_code == 422, data
        assert message in response.get_data(as_text=True), data
    with app.app_context():
        assert Ticket.get_by_id(ticket.id).assignee_id is None
        assert not TicketEvent.select().where(TicketEvent.kind == "assigned").exists()


def test_two_dispatchers_assigning_one_ticket_one_wins_the_other_is_told(app):
    _n, _s, people = crew(app)
    ticket = ticket_in(app)
    first = logged_in(app, "disp1", "dispatcher")
    second = logged_in(app, "disp2", "dispatcher")
    # both loaded the board at the same version
    board_page(first), board_page(second)
    won = first.form(
        "/dispatch/assign", {"number": ticket.number, "version": ticket.version, "assignee": "a"}
    )
    lost = second.form(
        "/dispatch/assign", {"number": ticket.number, "version": ticket.version, "assignee": "b"}
    )
    assert (won.status_code, lost.status_code) == (303, 409)
    message = lost.get_data(as_text=True)
    assert f"{ticket.number} was just changed by Disp1" in message
    assert "your change was not saved and it is now assigned to A." in message
    with app.app_context():
        assert Ticket.get_by_id(ticket.id).assignee_id == people["a"].id
        assert TicketEvent.select().where(TicketEvent.kind == "assigned").count() == 1


def test_simultaneous_assignments_in_threads_let_exactly_one_through(app):
    """Both writers read the same version before either writes: the version check in the
    UPDATE lets one through and refuses the other, with nothing half-written."""
    _n, _s, people = crew(app)
    ticket = ticket_in(app)
    registry = registry_of(app)
    start = threading.Barrier(2)
    results: dict[str, str] = {}

    def dispatcher(name: str, technician: str) -> None:
        actor = ensure_user(app, name, "dispatcher")
        with app.app_context():
            stale_copy = Ticket.get_by_id(ticket.id)
            start.wait()
            try:
                assign_ticket(
                    registry, stale_copy, stale_copy.version, people[technician], "", actor
                )
                results[name] = "won"
            except StaleTicket:
                results[name] = "conflict"

    threads = [
        threading.Thread(target=dispatcher, args=("d1", "a")),
        threading.Thread(target=dispatcher, args=("d2", "b")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == ["conflict", "won"]
    winner = next(name for name, result in results.items() if result == "won")
    with app.app_context():
        stored = Ticket.get_by_id(ticket.id)
        expected = people["a"] if winner == "d1" else people["b"]
        assert (stored.assignee_id, stored.version) == (expected.id, ticket.version + 1)
        assert TicketEvent.select().where(TicketEvent.kind == "assigned").count() == 1


def test_assign_by_rule_from_the_board(make_app):
    app = make_app(dispatch={"rules": [{"plugin": "sample", "rule": "skill_region"}]})
    _n, _s, people = crew(app)
    near = ticket_in(app, region="海淀")
    nobody = ticket_in(app, region="东城")
    client = logged_in(app, "dispatcher", "dispatcher")
    response = client.form("/dispatch/auto", {"number": near.number, "version": near.version})
    assert response.status_code == 303
    page = client.get("/dispatch").get_data(as_text=True)
    assert f"{near.number} assigned to C (skill + region" in page
    client.form("/dispatch/auto", {"number": nobody.number, "version": nobody.version})
    page = client.get("/dispatch").get_data(as_text=True)
    assert f"{nobody.number} not assigned: skill + region: no active technician" in page
    with app.app_context():
        assert Ticket.get_by_id(near.id).assignee_id == people["c"].id
        assert Ticket.get_by_id(nobody.id).assignee_id is None


def test_assign_all_shown_by_rule_reports_the_counts(make_app):
    app = make_app(dispatch={"default_rule": "skill_region"})
    crew(app)
    fits = [ticket_in(app, region="朝阳") for _ in range(3)]
    misfit = ticket_in(app, region="东城")
    client = logged_in(app, "dispatcher", "dispatcher")
    assert client.form("/dispatch/auto-all", {}).status_code == 303
    page = client.get("/dispatch").get_data(as_text=True)
    assert "Assigned 3 tickets by rule; 1 left unassigned" in page
    with app.app_context():
        loads = [Ticket.get_by_id(t.id).assignee.username for t in fits]
        assert sorted(loads) == ["a", "a", "b"]
        assert Ticket.get_by_id(misfit.id).assignee_id is None
        assert TicketEvent.select().where(TicketEvent.kind == "dispatch_failed").count() == 1


def test_the_board_flags_tickets_waiting_for_site_readiness(app, login_as):
    ticket = ticket_in(app, service="install")
    page = board_page(login_as("dispatcher"))
    assert f'id="row-{ticket.number}"' in page and "waiting for site readiness" in page


def test_a_new_ticket_is_assigned_at_once_when_its_rule_says_auto(make_app):
    app = make_app(dispatch={"rules": [{"plugin": "sample", "rule": "least_load", "auto": True}]})
    _n, _s, people = crew(app)
    client = logged_in(app, "dispatcher", "dispatcher")
    with app.app_context():
        customer = Customer.create(name="赵", region="朝阳")
    response = client.form(
        f"/tickets/new?customer={customer.id}",
        {"service": "sample:consult", "title": "问", "priority": "normal", "channel": "phone"},
    )
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Assigned automatically to A (least open load" in page
    with app.app_context():
        assert Ticket.get().assignee_id == people["a"].id


def test_a_new_ticket_nobody_fits_is_created_and_left_unassigned(make_app):
    app = make_app(dispatch={"rules": [{"plugin": "sample", "rule": "skill_region", "auto": True}]})
    client = logged_in(app, "dispatcher", "dispatcher")
    with app.app_context():
        customer = Customer.create(name="赵", region="朝阳")
    response = client.form(
        f"/tickets/new?customer={customer.id}",
        {"service": "sample:consult", "title": "问", "priority": "normal", "channel": "phone"},
    )
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Not assigned automatically: skill + region: no active technician" in page
    with app.app_context():
        ticket = Ticket.get()
        assert ticket.assignee_id is None and ticket.status == "new"


def test_technicians_cannot_open_the_board(app, login_as):
    assert login_as("technician").get("/dispatch").status_code == 403
