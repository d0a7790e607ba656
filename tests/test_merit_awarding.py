"""Awarding points from ticket events: rules, recipients, idempotence, the timeline."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

from server.jobs import run_sweep
from server.merit.awarding import award_points
from server.merit.models import MeritCursor, MeritEntry
from server.models import Ticket, TicketEvent, utcnow
from server.tickets import assign_ticket
from tests.conftest import add_ticket, ensure_user

LATE_SLA = {
    "policies": {"plain": {"resolution": {"minutes": {"normal": 60}}}},
    "rules": [{"policy": "plain"}],
}
RULES = [
    {"name": "sla_breach", "event": "sla_breached", "who": "assignee", "level": "warning"},
    {
        "name": "five_star_callback",
        "event": "callback",
        "when": {"satisfaction": 5},
        "who": "assignee",
        "level": "commendation",
        "amount": 10,
    },
    {
        "name": "complaint_upheld",
        "event": "complaint_upheld",
        "who": "staff",
        "level": "demerit",
        "amount": "50.00",
    },
    {
        "name": "agent_reached",
        "event": "callback",
        "when": {"reached": True},
        "who": "actor",
        "level": "commendation",
    },
]


@pytest.fixture
def app(make_app):
    return make_app(sla=LATE_SLA, merit={"rules": RULES})


def _assigned_ticket(app, username="tech", **fields):
    technician = ensure_user(app, username, "technician")
    ticket = add_ticket(app, **fields)
    with app.app_context():
        registry = app.extensions["aftersales"].registry
        dispatcher = ensure_user(app, "dispatcher", "dispatcher")
        now = fields.get("now")
        return assign_ticket(registry, ticket, ticket.version, technician, "", dispatcher, now=now)


def _event(app, ticket, kind, actor=None, **data):
    with app.app_context():
        return TicketEvent.create(ticket=ticket.id, actor=actor, kind=kind, data=data)


def _entries(app):
    with app.app_context():
        return [
            (e.user.username, e.level, e.amount_cents, e.rule, e.source)
            for e in MeritEntry.select().order_by(MeritEntry.id)
        ]


def _award(app):
    with app.app_context():
        return award_points(app.extensions["aftersales"].config.merit)


def test_sla_breach_from_the_sweep_gives_the_assignee_a_warning(app):
    reported = utcnow() - dt.timedelta(days=2)
    _assigned_ticket(app, reported_at=reported, now=reported)
    run_sweep(app)
    assert _entries(app) == [("tech", "warning", 0, "sla_breach", "rule")]


def test_running_twice_awards_once(app):
    reported = utcnow() - dt.timedelta(days=2)
    _assigned_ticket(app, reported_at=reported, now=reported)
    run_sweep(app)
    run_sweep(app)
    assert _award(app).awarded == 0
    assert len(_entries(app)) == 1


def test_rescan_awards_nothing_twice(app):
    ticket = _assigned_ticket(app)
    _event(app, ticket, "callback", satisfaction=5, reached=False)
    assert _award(app).awarded == 1
    with app.app_context():
        again = award_points(app.extensions["aftersales"].config.merit, rescan=True)
    assert (again.events, again.awarded) == (1, 0)
    assert len(_entries(app)) == 1


def test_award_is_on_the_ticket_timeline(app):
    ticket = _assigned_ticket(app)
    _event(app, ticket, "callback", satisfaction=5, reached=False)
    _award(app)
    with app.app_context():
        [event] = TicketEvent.select().where(TicketEvent.kind == "merit")
        entry = MeritEntry.get()
    assert event.ticket_id == ticket.id
    assert event.data["entry_id"] == entry.id
    assert (event.data["level"], event.data["points"], event.data["amount_cents"]) == (
        "commendation",
        1,
        1000,
    )
    assert event.data["rule"] == "five_star_callback"


def test_conditions_decide(app):
    ticket = _assigned_ticket(app)
    _event(app, ticket, "callback", satisfaction=4, reached=False)
    _event(app, ticket, "callback", satisfaction=5, reached=False)
    _award(app)
    assert _entries(app) == [("tech", "commendation", 1000, "five_star_callback", "rule")]


def test_one_event_can_match_several_rules_each_once(app):
    ticket = _assigned_ticket(app)
    agent = ensure_user(app, "agent", "dispatcher")
    _event(app, ticket, "callback", actor=agent.id, satisfaction=5, reached=True)
    _award(app)
    _award(app)
    assert sorted(_entries(app)) == [
        ("agent", "commendation", 0, "agent_reached", "rule"),
        ("tech", "commendation", 1000, "five_star_callback", "rule"),
    ]


def test_complaint_upheld_fines_the_staff_member_named_in_the_data(app):
    ticket = _assigned_ticket(app)
    rude = ensure_user(app, "rude", "technician")
    _event(
        app, ticket, "complaint_upheld", complaint_id=1, number="CP-2026-000001", staff_id=rude.id
    )
    _award(app)
    assert _entries(app) == [("rude", "demerit", -5000, "complaint_upheld", "rule")]


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        ("callback", {"satisfaction": 5}),  # unassigned ticket: no assignee
        ("complaint_upheld", {"staff_id": None}),
        ("complaint_upheld", {"staff_id": 999999}),
        ("complaint_upheld", {"staff_id": "3"}),
    ],
)
def test_nobody_to_award_writes_nothing(app, kind, data):
    ticket = add_ticket(app)
    _event(app, ticket, kind, **data)
    result = _award(app)
    assert (result.awarded, result.nobody) == (0, 1)
    assert _entries(app) == []


def test_the_entry_counts_at_the_moment_of_the_event(app):
    ticket = _assigned_ticket(app)
    with app.app_context():
        TicketEvent.create(
            ticket=ticket.id,
            kind="callback",
            data={"satisfaction": 5},
            at=dt.datetime(2026, 3, 31, 17, 0),
        )
    _award(app)
    with app.app_context():
        assert MeritEntry.get().at == dt.datetime(2026, 3, 31, 17, 0)


def test_cursor_moves_past_events_and_reads_only_new_ones(app):
    ticket = _assigned_ticket(app)
    _event(app, ticket, "callback", satisfaction=5)
    assert _award(app).events == 1
    with app.app_context():
        newest = TicketEvent.select().order_by(TicketEvent.id.desc()).get().id
        assert MeritCursor.get().last_event_id >= newest - 1
    _event(app, ticket, "callback", satisfaction=5)
    result = _award(app)
    assert result.awarded == 1
    assert len(_entries(app)) == 2


def test_an_event_committed_late_below_the_cursor_is_still_read(app):
    """PostgreSQL hands out ids before commit: a lower id may appear after a higher one."""
    ticket = _assigned_ticket(app)
    first = _event(app, ticket, "callback", satisfaction=5)
    _award(app)
    with app.app_context():
        # pretend the cursor had already passed an id that appears only now
        late = TicketEvent.create(ticket=ticket.id, kind="callback", data={"satisfaction": 5})
        MeritCursor.update(last_event_id=late.id + 5).execute()
    _award(app)
    assert len(_entries(app)) == 2
    assert first.id < late.id


def test_no_rules_award_nothing(make_app):
    app = make_app()
    ticket = _assigned_ticket(app)
    _event(app, ticket, "callback", satisfaction=5)
    assert _award(app).awarded == 0


def test_ticket_timeline_shows_the_award(app, login_as):
    ticket = _assigned_ticket(app)
    _event(app, ticket, "callback", satisfaction=5)
    _award(app)
    client = login_as("supervisor")
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "awarded <b>commendation</b> (+1, 10.00 yuan) for <b>Tech</b>" in page
    assert "rule five_star_callback" in page


def test_award_points_command(app, tmp_path):
    from server.cli import main

    config = tmp_path / "merit.toml"
    with app.app_context():
        url = app.extensions["aftersales"].config.database.url
    config.write_text(
        f'[server]\ninstance_dir = "{tmp_path / "instance"}"\n'
        f'[database]\nurl = "{url}"\n[plugins]\nenabled = []\n'
        '[[merit.rules]]\nname = "r"\nevent = "created"\nwho = "actor"\nlevel = "commendation"\n',
        encoding="utf-8",
    )
    add_ticket(app)
    result = CliRunner().invoke(main, ["--config", str(config), "award-points"])
    assert result.exit_code == 0, result.output
    assert "1 entries awarded" in result.output
    again = CliRunner().invoke(main, ["--config", str(config), "award-points", "--rescan"])
    assert "0 entries awarded" in again.output
    with app.app_context():
        assert Ticket.select().count() == 1


def test_statement_page_shows_rule_entries(app, login_as):
    ticket = _assigned_ticket(app)
    with app.app_context():
        TicketEvent.create(
            ticket=ticket.id,
            kind="callback",
            data={"satisfaction": 5},
            at=dt.datetime(2026, 3, 10, 4),
        )
    _award(app)
    with app.app_context():
        tech_id = MeritEntry.get().user_id
    page = login_as("supervisor").get(f"/merit/{tech_id}?month=2026-03").get_data(as_text=True)
    assert "rule five_star_callback" in page
    assert f">{ticket.number}</a>" in page
