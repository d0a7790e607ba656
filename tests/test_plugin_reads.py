"""The read-only helpers plugin pages use (server.plugin_api → server.plugin_reads)."""

from __future__ import annotations

import datetime as dt

import pytest

from server.models import Customer
from server.plugin_api import (
    CustomerInfo,
    TicketInfo,
    customers_with_attribute,
    latest_tickets,
    ticket_creator,
)
from tests.conftest import add_ticket, ensure_user


def test_customers_with_attribute_match_the_value_exactly(app):
    with app.app_context():
        Customer.create(name="B", attributes={"manager": "tech1"})
        Customer.create(name="A", attributes={"manager": "tech1", "other": 1})
        Customer.create(name="C", attributes={"manager": "tech10"})
        Customer.create(name="D", attributes={"manager": "TECH1"})
        Customer.create(name="E", attributes={"note": '"manager": "tech1"'})
        found = customers_with_attribute("manager", "tech1")
        assert [c.name for c in found] == ["A", "B"]
        assert all(isinstance(c, CustomerInfo) for c in found)
        assert [c.name for c in customers_with_attribute("other", 1)] == ["A"]
        assert customers_with_attribute("manager", "nobody") == []
        # quotes and backslashes (escaped in JSON, and an escape in PostgreSQL's LIKE)
        Customer.create(name="F", attributes={"shop": 'Li\'s "Best" \\ 100%_'})
        assert [c.name for c in customers_with_attribute("shop", 'Li\'s "Best" \\ 100%_')] == ["F"]


def test_latest_tickets_give_each_customers_newest_of_those_services(app):
    start = dt.datetime(2026, 3, 2, 8, 0)
    with app.app_context():
        one = Customer.create(name="One")
        two = Customer.create(name="Two")
    add_ticket(app, service="consult", customer=one, reported_at=start, now=start)
    newest = add_ticket(
        app, service="consult", customer=one, reported_at=start + dt.timedelta(days=2), now=start
    )
    add_ticket(
        app, service="install", customer=one, reported_at=start + dt.timedelta(days=5), now=start
    )
    with app.app_context():
        found = latest_tickets("sample", ("consult",), [one.id, two.id])
        assert set(found) == {one.id}
        assert isinstance(found[one.id], TicketInfo)
        assert found[one.id].number == newest.number
        assert latest_tickets("other", ("consult",), [one.id]) == {}


def test_ticket_creator_is_who_created_it(app):
    hotline = ensure_user(app, "hotline", "dispatcher")
    ticket = add_ticket(app, actor=hotline)
    with app.app_context():
        creator = ticket_creator(ticket.id)
    assert creator is not None and creator.username == "hotline"


def test_asset_info_is_a_snapshot_of_the_asset(app):
    from server.models import Asset
    from server.plugin_api import AssetInfo, asset_info

    with app.app_context():
        customer = Customer.create(name="Owner")
        asset = Asset.create(
            customer=customer,
            plugin="sample",
            kind="gadget",
            identifier="AB1234",
            coverage_start=dt.date(2026, 1, 1),
            coverage_end=dt.date(2026, 12, 31),
        )
        info = asset_info(asset.id)
        assert isinstance(info, AssetInfo)
        assert (info.identifier, info.coverage_end) == ("AB1234", dt.date(2026, 12, 31))
        assert asset_info(None) is None and asset_info(asset.id + 1000) is None


def test_linked_tickets_and_parent_ticket_read_the_links(app):
    from server.links import link_ticket
    from server.plugin_api import linked_tickets, parent_ticket

    actor = ensure_user(app, "dispatcher", "dispatcher")
    parent, first, second, alone = (add_ticket(app) for _ in range(4))
    with app.app_context():
        link_ticket(first, parent, actor)
        link_ticket(second, parent, actor)
        assert [t.number for t in linked_tickets(parent.id)] == [first.number, second.number]
        assert all(isinstance(t, TicketInfo) for t in linked_tickets(parent.id))
        assert parent_ticket(first.id).number == parent.number
        assert parent_ticket(alone.id) is None and linked_tickets(alone.id) == []


def test_working_minutes_count_a_calendars_working_time(app):
    import datetime as dt

    from server.plugin_api import working_minutes

    monday_9 = dt.datetime(2026, 3, 2, 1, 0)  # 09:00 Beijing; sample_hours is 09:00-17:00
    with app.app_context():
        assert working_minutes("24x7", monday_9, monday_9 + dt.timedelta(hours=30)) == 1800
        assert working_minutes("sample_hours", monday_9, monday_9 + dt.timedelta(days=1)) > 0
        assert working_minutes("24x7", monday_9, monday_9 - dt.timedelta(hours=1)) == 0
        with pytest.raises(ValueError, match="unknown calendar 'nope'"):
            working_minutes("nope", monday_9, monday_9)
