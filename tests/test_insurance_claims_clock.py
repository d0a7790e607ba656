"""The claims clock: milestone SLA metrics started and stopped by the claim's own dates.

A decision is due 30 days after the documents are complete (or the policy contract's own
limit), payment 10 days after the agreement; the decision clock stands paused until the
documents are complete and while the ticket waits for the customer.
"""

from __future__ import annotations

import datetime as dt
import html

import pytest

from server.models import Ticket, TicketEvent
from server.plugin_api import MetricTarget
from server.sla.clock import BREACHED, CANCELLED, MET, PAUSED, RUNNING
from server.sla.sweep import sweep_ticket
from server.tickets import edit_ticket, transition_ticket
from tests.conftest import build_app, ensure_user, logged_in
from tests.test_insurance import SLUG, claim_ticket, sla_rows

REPORTED = dt.datetime(2026, 6, 1, 2, 0)  # 10:00 in Beijing
LOSS = {"loss_date": "2026-05-30"}
# Midnight Beijing time of 5 June 2026, in naive UTC: where the decision clock starts.
DOCS_DAY = "2026-06-05"
DOCS_AT = dt.datetime(2026, 6, 4, 16, 0)


@pytest.fixture
def in_app(tmp_path):
    return build_app(tmp_path, enabled=[SLUG], extra_plugins=[])


def _edit(app, ticket, now, **attributes) -> Ticket:
    registry = app.extensions["aftersales"].registry
    actor = ensure_user(app, "dispatcher", "dispatcher")
    with app.app_context():
        fresh = Ticket.get_by_id(ticket.id)
        return edit_ticket(registry, fresh, fresh.version, {}, attributes, actor, now=now)


def _move(app, ticket, status, now) -> Ticket:
    registry = app.extensions["aftersales"].registry
    actor = ensure_user(app, "dispatcher", "dispatcher")
    with app.app_context():
        fresh = Ticket.get_by_id(ticket.id)
        return transition_ticket(registry, fresh, fresh.version, status, actor, "", now=now)


def _sweep(app, ticket, now) -> None:
    with app.app_context():
        sweep_ticket(app.extensions["aftersales"].registry, ticket.id, now)


def _events(app, ticket, kind) -> list[dict]:
    with app.app_context():
        query = TicketEvent.select().where(
            (TicketEvent.ticket == ticket.id) & (TicketEvent.kind == kind)
        )
        return [event.data for event in query]


def test_a_claim_gets_the_claims_policy_and_both_milestone_clocks(in_app):
    rows = sla_rows(in_app, claim_ticket(in_app, LOSS, REPORTED))
    assert set(rows) == {"first_response", "claim_decision", "claim_payment"}
    assert {row.policy for row in rows.values()} == {"in_claims"}
    assert rows["claim_decision"].entitlement == "policy_active"


def test_the_decision_clock_stands_paused_until_the_documents_are_complete(in_app):
    ticket = claim_ticket(in_app, LOSS, REPORTED)
    row = sla_rows(in_app, ticket)["claim_decision"]
    assert (row.state, row.elapsed_seconds, row.next_escalation_at) == (PAUSED, 0, None)
    # Months later, still without documents: nothing elapsed and no breach is noted.
    later = REPORTED + dt.timedelta(days=90)
    _sweep(in_app, ticket, later)
    row = sla_rows(in_app, ticket)["claim_decision"]
    assert (row.state, row.elapsed_seconds) == (PAUSED, 0)
    assert row.due_at == later + dt.timedelta(days=30)
    breached = {e["metric"] for e in _events(in_app, ticket, "sla_breached")}
    assert breached == {"first_response"}  # nobody answered; the decision is not late


def test_the_decision_is_due_30_days_after_the_documents_are_complete(in_app):
    ticket = claim_ticket(in_app, LOSS, REPORTED)
    _edit(in_app, ticket, dt.datetime(2026, 6, 5, 3, 0), documents_complete_on=DOCS_DAY)
    row = sla_rows(in_app, ticket)["claim_decision"]
    assert row.state == RUNNING
    assert row.due_at == DOCS_AT + dt.timedelta(days=30)
    assert row.elapsed_seconds == 11 * 3600  # midnight to 11:00 Beijing time
    assert row.calendar == "in_calendar_days"


def test_waiting_for_the_customers_documents_pauses_the_decision_clock(in_app):
    ticket = claim_ticket(in_app, LOSS, REPORTED)
    ticket = _edit(in_app, ticket, DOCS_AT + dt.timedelta(hours=1), documents_complete_on=DOCS_DAY)
    asked = DOCS_AT + dt.timedelta(days=5)
    _move(in_app, ticket, "waiting_customer", asked)
    _sweep(in_app, ticket, asked + dt.timedelta(days=7))
    rows = sla_rows(in_app, ticket)
    assert rows["claim_decision"].state == PAUSED
    assert rows["claim_decision"].paused_seconds == 7 * 86400
    assert rows["claim_decision"].due_at == DOCS_AT + dt.timedelta(days=37)
    # The payment clock does not pause for documents: it has not started at all.
    assert rows["claim_payment"].state == PAUSED and rows["claim_payment"].elapsed_seconds == 0


@pytest.mark.parametrize(
    ("decided", "state"),
    [("2026-07-05", MET), ("2026-07-06", BREACHED)],  # day 30 is in time, day 31 is late
)
def test_the_decision_date_stops_the_clock_on_the_boundary(in_app, decided, state):
    ticket = claim_ticket(in_app, {**LOSS, "documents_complete_on": DOCS_DAY}, REPORTED)
    _edit(in_app, ticket, dt.datetime(2026, 7, 8), decision_on=decided)
    row = sla_rows(in_app, ticket)["claim_decision"]
    assert row.state == state
    assert row.stopped_at == dt.datetime.fromisoformat(decided) - dt.timedelta(hours=8)


@pytest.mark.parametrize(("limit", "days"), [(15, 15), ("45", 45)])
def test_the_policy_contract_sets_its_own_decision_limit(in_app, limit, days):
    ticket = claim_ticket(
        in_app,
        {**LOSS, "documents_complete_on": DOCS_DAY},
        REPORTED,
        asset_attributes={"claim_decision_days": limit},
    )
    row = sla_rows(in_app, ticket)["claim_decision"]
    assert row.target_seconds == days * 86400
    assert row.due_at == DOCS_AT + dt.timedelta(days=days)
    # The payment limit is the plugin's own 10 days: the override names one metric only.
    assert sla_rows(in_app, ticket)["claim_payment"].target_seconds == 10 * 86400


def test_the_limit_entered_on_the_claim_wins_over_the_policys(in_app):
    ticket = claim_ticket(
        in_app,
        {**LOSS, "documents_complete_on": DOCS_DAY, "claim_decision_days": 20},
        REPORTED,
        asset_attributes={"claim_decision_days": 15},
    )
    assert sla_rows(in_app, ticket)["claim_decision"].due_at == DOCS_AT + dt.timedelta(days=20)
    # Clearing it on the claim falls back to the policy contract's limit.
    _edit(in_app, ticket, DOCS_AT + dt.timedelta(days=1), claim_decision_days=None)
    assert sla_rows(in_app, ticket)["claim_decision"].due_at == DOCS_AT + dt.timedelta(days=15)


@pytest.mark.parametrize("limit", [0, -5, "soon", True])
def test_a_contract_limit_that_is_not_a_positive_number_of_days_is_ignored(in_app, limit):
    ticket = claim_ticket(
        in_app,
        {**LOSS, "documents_complete_on": DOCS_DAY},
        REPORTED,
        asset_attributes={"claim_decision_days": limit},
    )
    assert sla_rows(in_app, ticket)["claim_decision"].target_seconds == 30 * 86400


@pytest.mark.parametrize(("paid", "state"), [("2026-07-11", MET), ("2026-07-12", BREACHED)])
def test_payment_is_due_10_days_after_the_agreement(in_app, paid, state):
    milestones = {**LOSS, "documents_complete_on": DOCS_DAY, "decision_on": "2026-06-20"}
    ticket = claim_ticket(in_app, {**milestones, "agreement_on": "2026-07-01"}, REPORTED)
    row = sla_rows(in_app, ticket)["claim_payment"]
    assert row.due_at == dt.datetime(2026, 6, 30, 16, 0) + dt.timedelta(days=10)
    _edit(in_app, ticket, dt.datetime(2026, 7, 20), paid_on=paid)
    assert sla_rows(in_app, ticket)["claim_payment"].state == state


def test_a_late_decision_is_noted_as_a_breach_by_the_sweep(in_app):
    ticket = claim_ticket(in_app, {**LOSS, "documents_complete_on": DOCS_DAY}, REPORTED)
    _sweep(in_app, ticket, DOCS_AT + dt.timedelta(days=30, minutes=1))
    breached = [e["metric"] for e in _events(in_app, ticket, "sla_breached")]
    assert sorted(breached) == ["claim_decision", "first_response"]
    steps = _events(in_app, ticket, "sla_escalation")
    assert {(e["metric"], e["percent"]) for e in steps} >= {("claim_decision", 80)}


def test_a_claim_cancelled_before_its_documents_cancels_the_clock(in_app):
    ticket = claim_ticket(in_app, LOSS, REPORTED)
    _move(in_app, ticket, "cancelled", REPORTED + dt.timedelta(days=3))
    row = sla_rows(in_app, ticket)["claim_decision"]
    assert row.state == CANCELLED


def test_a_claim_resolved_without_a_decision_stops_its_clock(in_app):
    ticket = claim_ticket(in_app, {**LOSS, "documents_complete_on": DOCS_DAY}, REPORTED)
    _move(in_app, ticket, "resolved", DOCS_AT + dt.timedelta(days=2))
    row = sla_rows(in_app, ticket)["claim_decision"]
    assert row.state == CANCELLED


def test_other_services_keep_the_core_metrics(in_app):
    ticket = claim_ticket(in_app, {}, REPORTED, service="policy_servicing")
    assert set(sla_rows(in_app, ticket)) == {"first_response", "resolution"}


def test_the_ticket_page_shows_the_claim_clocks(in_app):
    ticket = claim_ticket(in_app, {**LOSS, "documents_complete_on": DOCS_DAY}, REPORTED)
    page = logged_in(in_app, "dispatcher", "dispatcher").get(
        f"/tickets/{ticket.number}", headers={"Accept-Language": "en"}
    )
    assert page.status_code == 200
    text = html.unescape(page.get_data(as_text=True))
    assert "claim decision" in text and "claim payment" in text
    # the plugin names its milestone metrics in both languages (MetricTarget.label)
    chinese = logged_in(in_app, "dispatcher", "dispatcher").get(
        f"/tickets/{ticket.number}", headers={"Accept-Language": "zh-CN"}
    )
    text = html.unescape(chinese.get_data(as_text=True))
    assert "理赔决定" in text and "赔款支付" in text and "claim_decision" not in text


# --- the API: who may declare a milestone metric -------------------------------------


def test_a_metric_of_its_own_needs_the_attribute_that_stops_it():
    with pytest.raises(ValueError, match="stops_at"):
        MetricTarget("claim_decision", "24x7", {"normal": 60})
    target = MetricTarget("claim_decision", "24x7", {"normal": 60}, stops_at="decision_on")
    assert target.starts_at == "" and target.days_from == ""


@pytest.mark.parametrize("name", ["Claim", "x", "a_metric_name_too_long_for_it", "claim-decision"])
def test_a_metric_name_must_fit_its_column(name):
    with pytest.raises(ValueError, match="must match"):
        MetricTarget(name, "24x7", {"normal": 60}, stops_at="done_on")


def test_the_core_metrics_may_start_at_a_milestone_too():
    # A core metric with starts_at keeps its own stopping event.
    target = MetricTarget("resolution", "24x7", {"normal": 60}, starts_at="documents_on")
    assert target.stops_at == ""
