"""Automatic assignment rules: round-robin, least open load, skill + region, nobody fits."""

from __future__ import annotations

import pytest

from server.config import ConfigError, parse_config
from server.dispatch.assign import auto_assign, choose_technician
from server.dispatch.outlets import save_outlet, save_technician
from server.dispatch.readiness import confirm_readiness
from server.dispatch.rules import DispatchRule, DispatchSettings
from server.models import Customer, Ticket, TicketEvent, User
from server.tickets import StaleTicket, transition_ticket
from tests.conftest import add_ticket, ensure_user


def registry_of(app):
    return app.extensions["aftersales"].registry


def outlet(app, name, region="朝阳", active=True):
    with app.app_context():
        return save_outlet(
            None,
            {"name": name, "kind": "own", "region": region, "grade": "A", "active": active},
        )


def technician(app, username, place, skills=("sample:*",), regions=("朝阳",), active=True):
    user = ensure_user(app, username, "technician")
    with app.app_context():
        if not active:
            User.update(active=False).where(User.id == user.id).execute()
        save_technician(user, place, skills, regions)
    return user


def ticket_for(app, region="朝阳", service="repair", **fields):
    with app.app_context():
        customer = Customer.create(name="王女士", region=region)
    fields.setdefault("attributes", {"serial": "AB1234"} if service == "repair" else {})
    return add_ticket(app, service=service, customer=customer, **fields)


def auto(app, ticket, rule: DispatchRule):
    actor = ensure_user(app, "dispatcher", "dispatcher")
    settings = DispatchSettings(rules=(rule,))
    with app.app_context():
        return auto_assign(registry_of(app), settings, ticket, ticket.version, actor)


def events(app, ticket, kind):
    with app.app_context():
        return list(
            TicketEvent.select().where(
                (TicketEvent.ticket == ticket.id) & (TicketEvent.kind == kind)
            )
        )


# --- least open load ------------------------------------------------------------------


def test_least_load_picks_the_technician_with_fewest_open_tickets(app):
    place = outlet(app, "北区")
    busy = technician(app, "busy", place)
    idle = technician(app, "idle", place)
    for _ in range(2):
        auto(app, ticket_for(app), DispatchRule("round_robin", outlet="北区"))
    # round-robin gave one each; give "busy" another, then close one of idle's
    extra = ticket_for(app)
    with app.app_context():
        from server.tickets import assign_ticket

        actor = ensure_user(app, "dispatcher", "dispatcher")
        assign_ticket(registry_of(app), extra, extra.version, busy, "", actor)
    outcome = auto(app, ticket_for(app), DispatchRule("least_load"))
    assert outcome.assigned and outcome.ticket.assignee_id == idle.id
    assert "least open load: 1 open ticket before this one" in outcome.reason


def test_closed_tickets_do_not_count_as_load(app):
    place = outlet(app, "北区")
    first = technician(app, "first", place)
    second = technician(app, "second", place)
    done = auto(app, ticket_for(app), DispatchRule("least_load")).ticket
    assert done.assignee_id == first.id
    with app.app_context():
        transition_ticket(registry_of(app), done, done.version, "cancelled", first)
    # both have no open tickets again: the tie goes to the lower id
    assert auto(app, ticket_for(app), DispatchRule("least_load")).ticket.assignee_id == first.id
    assert auto(app, ticket_for(app), DispatchRule("least_load")).ticket.assignee_id == second.id


def test_least_load_with_match_skill_leaves_out_the_unskilled(app):
    place = outlet(app, "北区")
    technician(app, "painter", place, skills=("other:*",))
    fixer = technician(app, "fixer", place, skills=("sample:repair",))
    outcome = auto(app, ticket_for(app), DispatchRule("least_load", match_skill=True))
    assert outcome.ticket.assignee_id == fixer.id
    assert "with skill sample:repair" in outcome.reason


# --- round-robin ------------------------------------------------------------------------


def test_round_robin_takes_turns_within_the_outlet_and_wraps(app):
    north = outlet(app, "北区")
    south = outlet(app, "南区", region="海淀")
    a = technician(app, "a", north)
    b = technician(app, "b", north)
    technician(app, "elsewhere", south)
    technician(app, "left", north, active=False)
    rule = DispatchRule("round_robin", outlet="北区")
    picks = [auto(app, ticket_for(app), rule).ticket.assignee_id for _ in range(5)]
    assert picks == [a.id, b.id, a.id, b.id, a.id]
    outcome = auto(app, ticket_for(app), rule)
    assert outcome.ticket.team == "北区" and outcome.reason == "round-robin in outlet 北区"


def test_round_robin_without_an_outlet_uses_the_customers_region(app):
    north = outlet(app, "北区", region="朝阳")
    south = outlet(app, "南区", region="海淀")
    technician(app, "a", north)
    s1 = technician(app, "s1", south)
    s2 = technician(app, "s2", south)
    rule = DispatchRule("round_robin")
    picks = [auto(app, ticket_for(app, region="海淀"), rule).ticket.assignee_id for _ in range(3)]
    assert picks == [s1.id, s2.id, s1.id]


def test_round_robin_skips_an_inactive_outlet(app):
    closed = outlet(app, "旧网点", active=False)
    technician(app, "a", closed)
    outcome = auto(app, ticket_for(app), DispatchRule("round_robin", outlet="旧网点"))
    assert not outcome.assigned
    assert outcome.reason == "round-robin: no active technician in outlet 旧网点"


# --- skill + region -------------------------------------------------------------------


def test_skill_region_needs_both_the_skill_and_the_region(app):
    place = outlet(app, "北区")
    technician(app, "wrong_region", place, regions=("海淀",))
    technician(app, "wrong_skill", place, skills=("other:*",))
    right = technician(app, "right", place, skills=("sample:repair",), regions=("朝阳", "东城"))
    outcome = auto(app, ticket_for(app), DispatchRule("skill_region"))
    assert outcome.ticket.assignee_id == right.id
    assert outcome.reason.startswith("skill + region with skill sample:repair serving region 朝阳")


def test_skill_region_prefers_the_less_loaded_of_two_matches(app):
    place = outlet(app, "北区")
    first = technician(app, "first", place)
    second = technician(app, "second", place)
    rule = DispatchRule("skill_region")
    assert auto(app, ticket_for(app), rule).ticket.assignee_id == first.id
    assert auto(app, ticket_for(app), rule).ticket.assignee_id == second.id


def test_nobody_fits_leaves_the_ticket_unassigned_with_the_reason_on_its_timeline(app, login_as):
    place = outlet(app, "北区")
    technician(app, "far", place, regions=("海淀",))
    ticket = ticket_for(app, region="朝阳")
    outcome = auto(app, ticket, DispatchRule("skill_region"))
    assert not outcome.assigned
    expected = "skill + region: no active technician with skill sample:repair serving region 朝阳"
    assert outcome.reason == expected
    with app.app_context():
        stored = Ticket.get_by_id(ticket.id)
    assert (stored.assignee_id, stored.status, stored.version) == (None, "new", ticket.version)
    [failed] = events(app, ticket, "dispatch_failed")
    assert failed.data == {"rule": "skill_region", "reason": expected}
    page = login_as("dispatcher").get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "could not dispatch automatically" in page and "serving region 朝阳" in page


def test_a_customer_without_a_region_is_explained(app):
    technician(app, "a", outlet(app, "北区"))
    outcome = auto(app, ticket_for(app, region=""), DispatchRule("skill_region"))
    assert outcome.reason == "skill + region: the customer has no region to match"


def test_a_rule_naming_a_missing_outlet_is_explained(app):
    outcome = auto(app, ticket_for(app), DispatchRule("least_load", outlet="不存在"))
    assert "outlet '不存在' named by the rule does not exist" in outcome.reason


def test_manual_rule_assigns_nobody(app):
    technician(app, "a", outlet(app, "北区"))
    outcome = auto(app, ticket_for(app), DispatchRule("manual"))
    assert not outcome.assigned and "manual" in outcome.reason


def test_unconfirmed_site_readiness_stops_automatic_dispatch_too(app):
    technician(app, "a", outlet(app, "北区"))
    ticket = ticket_for(app, service="install")
    outcome = auto(app, ticket, DispatchRule("least_load"))
    assert not outcome.assigned and "site readiness is not confirmed" in outcome.reason
    with app.app_context():
        confirm_readiness(ticket, ensure_user(app, "dispatcher", "dispatcher"))
    assert auto(app, ticket, DispatchRule("least_load")).assigned


def test_an_assigned_ticket_is_left_alone(app):
    place = outlet(app, "北区")
    technician(app, "a", place)
    technician(app, "b", place)
    ticket = auto(app, ticket_for(app), DispatchRule("least_load")).ticket
    again = auto(app, ticket, DispatchRule("least_load"))
    assert not again.assigned and again.reason == "already assigned to A"


def test_a_stale_version_is_refused(app):
    technician(app, "a", outlet(app, "北区"))
    ticket = ticket_for(app)
    actor = ensure_user(app, "dispatcher", "dispatcher")
    with app.app_context(), pytest.raises(StaleTicket):
        auto_assign(
            registry_of(app),
            DispatchSettings(rules=(DispatchRule("least_load"),)),
            ticket,
            ticket.version - 1,
            actor,
        )


def test_choose_technician_reads_without_assigning(app):
    technician(app, "a", outlet(app, "北区"))
    ticket = ticket_for(app)
    with app.app_context():
        pick = choose_technician(DispatchRule("least_load"), Ticket.get_by_id(ticket.id))
        assert pick.technician.username == "a" and pick.outlet == "北区"
        assert Ticket.get_by_id(ticket.id).assignee_id is None


# --- configuration ----------------------------------------------------------------------


def test_rules_are_tried_in_order_then_the_default(tmp_path):
    config = parse_config(
        {
            "dispatch": {
                "default_rule": "least_load",
                "rules": [
                    {"plugin": "sample", "services": ["install"], "rule": "manual"},
                    {"plugin": "sample", "rule": "skill_region", "auto": True},
                ],
            }
        }
    )
    settings = config.dispatch
    assert settings.rule_for("sample", "install").strategy == "manual"
    assert settings.rule_for("sample", "repair").strategy == "skill_region"
    assert settings.rule_for("sample", "repair").auto
    assert settings.rule_for("other", "x").strategy == "least_load"


@pytest.mark.parametrize(
    ("dispatch", "message"),
    [
        ({"rules": [{"rule": "random"}]}, "dispatch.rules[1].rule: must be one of"),
        ({"rules": [{"rule": "manual", "auto": True}]}, "a manual rule cannot assign"),
        ({"rules": [{"rule": "least_load", "services": ["x"]}]}, "service codes need a plugin"),
        ({"rules": [{"rule": "least_load", "colour": "red"}]}, "rules[1].colour: unknown key"),
        ({"rules": [{"rule": "least_load", "auto": "yes"}]}, "auto: must be true or false"),
        ({"rules": {"rule": "least_load"}}, "must be an array of tables"),
        ({"default_rule": "random"}, "dispatch.default_rule: must be one of"),
        ({"at_risk_minutes": 0}, "dispatch.at_risk_minutes: must be minutes"),
        ({"speed": 1}, "dispatch.speed: unknown key"),
    ],
)
def test_bad_dispatch_settings_are_one_line_errors(dispatch, message):
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_config({"dispatch": dispatch})


def test_a_rule_for_an_unknown_service_stops_start_up(make_app):
    with pytest.raises(ConfigError, match=r"dispatch.rules\[1\].services: sample has no service"):
        make_app(dispatch={"rules": [{"plugin": "sample", "services": ["fly"], "rule": "manual"}]})
    with pytest.raises(ConfigError, match=r"dispatch.rules\[1\].plugin: unknown industry"):
        make_app(dispatch={"rules": [{"plugin": "nope", "rule": "manual"}]})
