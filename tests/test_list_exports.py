"""?format=csv|xlsx on the core lists: the ticket queue, customers and their assets."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from server import list_exports
from server.models import Asset, Customer, Ticket
from server.queue import SORTS, QueueFilter, ticket_queue
from tests.conftest import add_ticket, ensure_user
from tests.test_tabular import xlsx_rows

ZH = {"Accept-Language": "zh-CN"}  # the headers asserted below are the Chinese ones


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_queue_exports_every_matching_ticket_not_one_page(app, login_as, monkeypatch):
    monkeypatch.setattr(list_exports, "BATCH", 3)  # several batches, in order
    customer_id = None
    for number in range(8):
        ticket = add_ticket(app, title=f"冰箱 {number}", priority="high" if number % 2 else "low")
        customer_id = ticket.customer_id
    add_ticket(app, title="other", priority="urgent")
    client = login_as("dispatcher")
    page = client.get("/tickets?priority=high").get_data(as_text=True)
    assert 'href="/tickets?priority=high&amp;format=csv"' in page
    rows = _csv(client.get("/tickets?priority=high&sort=number&page=2&format=csv", headers=ZH))
    assert rows[0][:3] == ["工单号", "标题", "客户"]
    assert [row[1] for row in rows[1:]] == ["冰箱 1", "冰箱 3", "冰箱 5", "冰箱 7"]
    assert all(row[6] == "high" for row in rows[1:])
    everything = _csv(client.get("/tickets?sort=created&format=csv"))
    assert len(everything) == 1 + 9
    book = xlsx_rows(client.get("/tickets?priority=urgent&format=xlsx").get_data())
    assert [row[1] for row in book[1:]] == ["other"]
    assert isinstance(book[1][12], dt.datetime)  # created, as a spreadsheet date
    assert customer_id is not None


def test_a_technician_exports_only_their_own_tickets(app, login_as):
    tech = ensure_user(app, "tech", "technician")
    mine = add_ticket(app, title="mine")
    add_ticket(app, title="not mine")
    with app.app_context():
        Ticket.update(assignee=tech.id).where(Ticket.id == mine.id).execute()
    client = login_as("technician", "tech")
    rows = _csv(client.get("/tickets?format=csv"))
    assert [row[1] for row in rows[1:]] == ["mine"]


def test_a_bad_format_is_refused(app, login_as):
    client = login_as("dispatcher")
    assert client.get("/tickets?format=pdf").status_code == 400


def test_customers_export_with_the_search_and_plugin_fields(app, login_as):
    with app.app_context():
        Customer.create(name="张三", phone="13800000001", attributes={"loyalty_no": "42"})
        Customer.create(name="李四", phone="13900000002")
    client = login_as("dispatcher")
    assert "format=xlsx" in client.get("/customers?q=138").get_data(as_text=True)
    rows = _csv(client.get("/customers?q=138&format=csv", headers=ZH))
    header = rows[0]
    assert header[:4] == ["编号", "名称", "类型", "电话"]
    assert "会员号 [attr.loyalty_no]" in header
    assert len(rows) == 2
    row = dict(zip(header, rows[1], strict=True))
    assert row["名称"] == "张三" and row["会员号 [attr.loyalty_no]"] == "42"
    assert len(_csv(client.get("/customers?format=csv"))) == 3


def test_assets_export_per_customer_and_all(app, login_as):
    with app.app_context():
        one = Customer.create(name="张三", phone="138")
        two = Customer.create(name="李四", phone="139")
        Asset.create(
            customer=one,
            plugin="sample",
            kind="gadget",
            identifier="AB12",
            coverage_end=dt.date(2027, 1, 31),
        )
        Asset.create(customer=two, plugin="sample", kind="gadget", identifier="CD34")
    client = login_as("dispatcher")
    detail = client.get(f"/customers/{one.id}").get_data(as_text=True)
    assert f"/customers/{one.id}?format=csv" in detail
    rows = _csv(client.get(f"/customers/{one.id}?format=csv"))
    assert rows[1][1:9] == [
        str(one.id),
        "138",
        "张三",
        "sample",
        "gadget",
        "AB12",
        "",
        "2027-01-31",
    ]
    assert len(rows) == 2
    book = xlsx_rows(client.get("/assets/export?format=xlsx").get_data())
    assert [row[6] for row in book[1:]] == ["AB12", "CD34"]


@pytest.mark.parametrize("sort", sorted(SORTS))
def test_the_export_keeps_the_queues_order_across_batches(app, login_as, monkeypatch, sort):
    """Batches continue after the last row's sort key and id: ties are neither skipped
    nor repeated, and the order is the page's."""
    monkeypatch.setattr(list_exports, "BATCH", 3)
    tickets = [add_ticket(app, title=f"t{n}") for n in range(10)]
    with app.app_context():
        same = dt.datetime(2026, 5, 1, 8, 0)
        for ticket in tickets[2:7]:  # five tickets created in the same instant
            Ticket.update(created_at=same, updated_at=same, reported_at=same).where(
                Ticket.id == ticket.id
            ).execute()
        page = ticket_queue(QueueFilter(sort=sort), None, 100)
    client = login_as("dispatcher")
    rows = _csv(client.get(f"/tickets?sort={sort}&format=csv"))
    assert [row[0] for row in rows[1:]] == [t.number for t in page.tickets]
    assert len(rows) == 11
