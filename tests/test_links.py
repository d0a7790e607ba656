"""Linked tickets: an outage incident with its customers' reports, linked and unlinked on
the ticket page, and resolving the incident resolves them — each on its own timeline."""

from __future__ import annotations

import html

import pytest

from server.links import TicketLink, children_of, parent_of
from server.models import Customer, Ticket, TicketEvent
from server.sla.models import TicketSla
from server.tickets import NewTicket, assign_ticket, create_ticket, transition_ticket
from tests.conftest import build_app, ensure_user, logged_in

HX = {"HX-Request": "true"}


@pytest.fixture
def app(tmp_path):
    return build_app(tmp_path, enabled=["power_utility"], extra_plugins=[])


def _ticket(app, service: str, title: str, attributes: dict) -> str:
    registry = app.extensions["aftersales"].registry
    actor = ensure_user(app, "dispatcher", "dispatcher")
    with app.app_context():
        customer = Customer.create(name=title, region="长沙市开福区")
        new = NewTicket(
            industry="power_utility",
            service=registry.service("power_utility", service),
            customer=customer,
            title=title,
            attributes=attributes,
        )
        return create_ticket(registry, new, actor, 2026).number


def _incident(app) -> str:
    return _ticket(
        app, "outage", "芙蓉中路停电", {"region_class": "urban", "feeder": "10kV 芙蓉线"}
    )


def _report(app, title: str = "家中无电") -> str:
    return _ticket(app, "fault_repair", title, {"region_class": "urban", "outage": True})


def _get(app, number: str) -> Ticket:
    with app.app_context():
        return Ticket.get(Ticket.number == number)


def _events(app, number: str, kind: str) -> list[dict]:
    with app.app_context():
        ticket = Ticket.get(Ticket.number == number)
        query = TicketEvent.select().where(
            (TicketEvent.ticket == ticket) & (TicketEvent.kind == kind)
        )
        return [e.data for e in query.order_by(TicketEvent.id)]


def _link(client, child: str, parent: str, **kw):
    return client.form(f"/tickets/{child}/link", {"parent": parent}, **kw)


def test_linking_shows_on_both_pages_and_timelines(app):
    incident, first, second = _incident(app), _report(app), _report(app, "楼道无电")
    client = logged_in(app, "dispatcher", "dispatcher")
    assert _link(client, first, incident).status_code == 303
    assert _link(client, second, incident.lower()).status_code == 303  # typed in lower case
    with app.app_context():
        parent = Ticket.get(Ticket.number == incident)
        assert [t.number for t in children_of(parent)] == [first, second]
        assert parent_of(Ticket.get(Ticket.number == first)).number == incident
    assert _events(app, first, "linked_to_parent") == [{"parent": incident}]
    assert _events(app, incident, "child_linked") == [{"child": first}, {"child": second}]
    page = html.unescape(client.get(f"/tickets/{incident}").get_data(as_text=True))
    assert first in page and second in page and "Resolving this ticket resolves the 2" in page
    assert f"linked <b>{first}</b> to it" in page
    child_page = html.unescape(client.get(f"/tickets/{first}").get_data(as_text=True))
    assert f'Linked to <a href="/tickets/{incident}">{incident}</a>' in child_page
    assert f"linked it to <b>{incident}</b>" in child_page


@pytest.mark.parametrize(
    ("case", "words"),
    [
        ("unknown", "There is no ticket PU-2026-999999."),
        ("self", "A ticket cannot be linked to itself."),
        ("second parent", "is already linked to"),
        ("parent is a child", "is itself linked to another ticket"),
        ("child has children", "has linked tickets of its own"),
        ("empty", "required"),
    ],
)
def test_a_bad_link_is_refused_next_to_the_field_and_nothing_is_written(app, case, words):
    incident, report, other = _incident(app), _report(app), _report(app, "另一户无电")
    client = logged_in(app, "dispatcher", "dispatcher")
    child, parent = report, incident
    if case == "unknown":
        parent = "PU-2026-999999"
    elif case == "self":
        parent = report
    elif case == "second parent":
        assert _link(client, report, other).status_code == 303
    elif case == "parent is a child":
        assert _link(client, incident, other).status_code == 303
    elif case == "child has children":
        assert _link(client, other, report).status_code == 303
    elif case == "empty":
        parent = ""
    with app.app_context():
        before = TicketLink.select().count(), TicketEvent.select().count()
    response = _link(client, child, parent)
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    marker = '<p class="error" id="parent-error">'
    assert marker in page, page
    assert words in page[page.index(marker) : page.index("</p>", page.index(marker))]
    with app.app_context():
        assert (TicketLink.select().count(), TicketEvent.select().count()) == before


def test_unlinking_from_the_parent_page_with_htmx(app):
    incident, report = _incident(app), _report(app)
    client = logged_in(app, "dispatcher", "dispatcher")
    _link(client, report, incident)
    response = client.form(f"/tickets/{report}/unlink", {"back": incident}, headers=HX)
    assert response.status_code == 200
    body = html.unescape(response.get_data(as_text=True))
    assert "<html" not in body and incident in body and f"unlinked <b>{report}</b> from it" in body
    with app.app_context():
        assert children_of(Ticket.get(Ticket.number == incident)) == []
    assert _events(app, report, "unlinked_from_parent") == [{"parent": incident}]
    # a second unlink changes nothing
    assert client.form(f"/tickets/{report}/unlink").status_code == 303
    assert len(_events(app, report, "unlinked_from_parent")) == 1


def test_technicians_cannot_link(app):
    incident, report = _incident(app), _report(app)
    client = logged_in(app, "tech", "technician")
    assert _link(client, report, incident).status_code == 403
    with app.app_context():
        assert TicketLink.select().count() == 0


def test_resolving_the_incident_resolves_each_report_on_its_own_timeline(app):
    incident = _incident(app)
    reports = [_report(app, f"第{n}户无电") for n in range(3)]
    client = logged_in(app, "dispatcher", "dispatcher")
    for report in reports:
        _link(client, report, incident)
    parent = _get(app, incident)
    response = client.form(
        f"/tickets/{incident}/transition",
        {"to": "resolved", "version": parent.version, "note": "线路抢修完毕"},
    )
    assert response.status_code == 303
    page = html.unescape(client.get(f"/tickets/{incident}").get_data(as_text=True))
    assert f"Also resolved: {', '.join(reports)}." in page
    for report in reports:
        assert _get(app, report).status == "resolved"
        moves = _events(app, report, "status")
        assert moves == [{"old": "new", "new": "resolved", "note": f"Resolved with {incident}"}]
        with app.app_context():
            row = TicketSla.get(
                (TicketSla.ticket == _get(app, report).id) & (TicketSla.metric == "resolution")
            )
            assert row.state == "met" and row.stopped_at is not None


def test_a_report_that_cannot_move_is_reported_not_skipped(app):
    incident, stuck, fine, done = _incident(app), _report(app), _report(app), _report(app)
    client = logged_in(app, "dispatcher", "dispatcher")
    for report in (stuck, fine, done):
        _link(client, report, incident)
    registry = app.extensions["aftersales"].registry
    tech = ensure_user(app, "tech", "technician")
    boss = ensure_user(app, "dispatcher", "dispatcher")
    with app.app_context():
        # on the way to the site: the workflow does not allow en_route → resolved
        ticket = Ticket.get(Ticket.number == stuck)
        ticket = assign_ticket(registry, ticket, ticket.version, tech, "", boss)
        transition_ticket(registry, ticket, ticket.version, "en_route", tech)
        ticket = Ticket.get(Ticket.number == done)
        transition_ticket(registry, ticket, ticket.version, "resolved", boss)
    parent = _get(app, incident)
    response = client.form(
        f"/tickets/{incident}/transition", {"to": "resolved", "version": parent.version}, headers=HX
    )
    body = html.unescape(response.get_data(as_text=True))
    assert f"Also resolved: {fine}." in body
    assert f"Not resolved: {stuck} (" in body
    assert _get(app, stuck).status == "en_route"
    assert _get(app, incident).status == "resolved"
    assert len(_events(app, done, "status")) == 1  # already resolved: left alone


def test_resolving_a_ticket_without_links_says_nothing_more(app):
    report = _report(app)
    client = logged_in(app, "dispatcher", "dispatcher")
    response = client.form(
        f"/tickets/{report}/transition",
        {"to": "resolved", "version": _get(app, report).version},
        headers=HX,
    )
    body = html.unescape(response.get_data(as_text=True))
    assert f"{report} is now " in body and "Also resolved" not in body


def _file_done_report(app, client, number: str):
    return client.form(
        f"/tickets/{number}/report",
        {
            "outcome": "resolved_by_phone",
            "diagnosis": "线路已恢复供电",
            "labour_hours": "0",
            "customer_name": "值班长",
        },
    )


@pytest.mark.parametrize(("role", "moves"), [("supervisor", True), ("technician", False)])
def test_a_report_that_resolves_the_incident_resolves_the_reports_its_filer_may_move(
    app, role, moves
):
    incident, report = _incident(app), _report(app)
    client = logged_in(app, "dispatcher", "dispatcher")
    _link(client, report, incident)
    registry = app.extensions["aftersales"].registry
    filer = ensure_user(app, "filer", role)
    with app.app_context():
        ticket = Ticket.get(Ticket.number == incident)
        assign_ticket(
            registry, ticket, ticket.version, filer, "", ensure_user(app, "d", "dispatcher")
        )
    filer_client = logged_in(app, "filer", role)
    assert _file_done_report(app, filer_client, incident).status_code == 303
    page = html.unescape(filer_client.get(f"/tickets/{incident}").get_data(as_text=True))
    assert _get(app, incident).status == "resolved"
    if moves:
        assert f"Also resolved: {report}." in page
        assert _get(app, report).status == "resolved"
    else:
        assert f"Not resolved: {report} (you may not move it)." in page
        assert _get(app, report).status == "new"


def test_the_power_plugin_shows_the_outage_and_its_reports(app):
    incident, report, done = _incident(app), _report(app), _report(app)
    client = logged_in(app, "dispatcher", "dispatcher")
    _link(client, report, incident)
    _link(client, done, incident)
    client.form(
        f"/tickets/{done}/transition", {"to": "resolved", "version": _get(app, done).version}
    )
    page = html.unescape(client.get(f"/tickets/{incident}").get_data(as_text=True))
    assert "<dt>Customer reports linked</dt><dd>2</dd>" in page
    assert "<dt>Still open</dt><dd>1</dd>" in page
    child = html.unescape(client.get(f"/tickets/{report}").get_data(as_text=True))
    assert f"<dt>Outage incident</dt><dd>{incident}</dd>" in child
    assert "<dt>Feeder</dt><dd>10kV 芙蓉线</dd>" in child


def test_a_link_made_by_someone_else_meanwhile_is_refused_not_an_error(app, monkeypatch):
    """The check and the insert race on PostgreSQL: the loser gets a refusal, not a 500."""
    import server.links as links

    first, second, report = _incident(app), _incident(app), _report(app)
    actor = ensure_user(app, "dispatcher", "dispatcher")
    with app.app_context():
        links.link_ticket(_get(app, report), _get(app, first), actor)
        # as if the other dispatcher's link had not been there when we checked
        monkeypatch.setattr(links, "parent_of", lambda _child: None)
        with pytest.raises(links.LinkRefused, match="was just linked by someone else"):
            links.link_ticket(_get(app, report), _get(app, second), actor)
        assert (
            TicketLink.get(TicketLink.child == _get(app, report).id).parent_id
            == _get(app, first).id
        )
    assert _events(app, second, "child_linked") == []
