"""The ticket queue: filters, sorts and pages kept in the URL, never a 500 on odd input."""

from __future__ import annotations

import re

import pytest

from server.models import Customer, Ticket
from server.queue import QueueFilter
from server.tickets import NewTicket, create_ticket
from tests.conftest import add_ticket, ensure_user, logged_in


@pytest.fixture
def seeded(app):
    """12 tickets: alternating services, priorities; the first 3 assigned to 'tech'.

    'tech' is a working supervisor: the queue's filters are tested on the whole queue,
    which technicians do not see (tested below).
    """
    registry = app.extensions["aftersales"].registry
    actor = ensure_user(app, "dispatcher", "dispatcher")
    tech = ensure_user(app, "tech", "supervisor")
    with app.app_context():
        alice = Customer.create(name="Alice 阿丽")
        bob = Customer.create(name="Bob 小波")
        for index in range(12):
            service = "repair" if index % 2 else "consult"
            new = NewTicket(
                industry="sample",
                service=registry.service("sample", service),
                customer=alice if index < 6 else bob,
                title=f"Ticket {index} 空调",
                priority="urgent" if index % 3 == 0 else "normal",
                attributes={"serial": "AB1234"} if service == "repair" else {},
            )
            ticket = create_ticket(registry, new, actor, 2026)
            if index < 3:
                Ticket.update(assignee=tech, status="assigned", team="north").where(
                    Ticket.id == ticket.id
                ).execute()
    return tech


def numbers(page: str) -> list[str]:
    return re.findall(r">(SP-2026-\d{6})</a>", page)


@pytest.fixture
def client(app, seeded):
    client = app.test_client()
    client.login("tech")
    return client


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("", 12),
        ("status=assigned", 3),
        ("status=new", 9),
        ("status=open", 12),
        ("status=closed", 0),
        ("plugin=sample", 12),
        ("plugin=nothing", 0),
        ("service=repair", 6),
        ("priority=urgent", 4),
        ("assignee=me", 3),
        ("assignee=none", 9),
        ("team=north", 3),
        ("q=Bob", 6),
        ("q=空调", 12),
        ("q=SP-2026-000005", 1),
        ("q=sp-2026-5", 1),
        ("status=new&service=repair&priority=urgent", 2),
    ],
)
def test_filters(seeded, client, query, count):
    page = client.get(f"/tickets?{query}").get_data(as_text=True)
    assert len(numbers(page)) == count


def test_default_sort_is_newest_first_and_sort_by_number_is_ascending(seeded, client):
    newest = numbers(client.get("/tickets").get_data(as_text=True))
    by_number = numbers(client.get("/tickets?sort=number").get_data(as_text=True))
    assert by_number == sorted(by_number)
    assert newest[0] == "SP-2026-000012"


def test_count_is_shown(seeded, client):
    assert "6 tickets" in client.get("/tickets?service=repair").get_data(as_text=True)


def test_pager_links_carry_the_filters(make_app):
    app = make_app(ui={"page_size": 5})
    with app.app_context():
        customer = Customer.create(name="c")
    for _ in range(11):
        add_ticket(app, customer=customer, priority="high")
    client = logged_in(app, "dispatcher", "dispatcher")
    html = client.get("/tickets?priority=high&sort=number&page=2").get_data(as_text=True)
    assert "Page 2 of 3" in html
    assert 'href="/tickets?priority=high&amp;sort=number&amp;page=3"' in html
    assert 'href="/tickets?priority=high&amp;sort=number&amp;page=1"' in html
    assert len(numbers(html)) == 5


@pytest.mark.parametrize(
    "query",
    [
        "page=abc",
        "page=-5",
        "page=99999999999",
        "status=<script>",
        "sort=drop table",
        "assignee=abc",
        "priority=x",
        "q=" + "x" * 500,
        "q=%00",
        "q=%25%25",
        "q=_",
    ],
)
def test_odd_query_strings_are_answered_not_crashed(seeded, client, query):
    assert client.get(f"/tickets?{query}").status_code == 200


def test_a_page_past_the_end_shows_the_last_page(seeded, client):
    html = client.get("/tickets?page=50").get_data(as_text=True)
    assert len(numbers(html)) == 12


def test_query_string_round_trips():
    f = QueueFilter.from_args({"status": "new", "q": "空调 x", "page": "2"})
    assert (
        QueueFilter.from_args(dict(pair.split("=") for pair in f.query_string().split("&"))).status
        == "new"
    )
    assert "page=2" in f.query_string() and "sort" not in f.query_string()


@pytest.mark.parametrize("url", ["/customers?q=a%00b", "/tickets/new?q=a%00b", "/tickets?team=%01"])
def test_control_characters_in_searches_are_dropped_not_crashed(app, url):
    # PostgreSQL refuses NUL in any string: these answered 500 there before.
    ensure_user(app, "dispatcher", "dispatcher")
    client = app.test_client()
    client.login("dispatcher")
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("page", ["99999999999999999999", "-3", "x", "0"])
def test_customer_list_survives_odd_page_numbers(app, page):
    ensure_user(app, "dispatcher", "dispatcher")
    client = app.test_client()
    client.login("dispatcher")
    assert client.get(f"/customers?page={page}").status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        "/customers/99999999999999999999",
        "/customers/99999999999999999999/edit",
        "/attachments/99999999999999999999",
        "/admin/users/99999999999999999999",
        "/tickets/new?customer=99999999999999999999",
        "/tickets/new/fields?customer=99999999999999999999&service=sample:repair",
    ],
)
def test_ids_too_large_for_the_database_read_as_missing(app, url):
    ensure_user(app, "admin", "admin")
    client = app.test_client()
    client.login("admin")
    assert client.get(url).status_code in (200, 404)


def test_nearest_deadline_pages_run_on_into_tickets_without_one(make_app):
    """3 urgent tickets have deadlines, 8 normal ones have none; pages of 5."""
    app = make_app(
        ui={"page_size": 5},
        sla={
            "policies": {"p": {"resolution": {"minutes": {"urgent": 60}}}},
            "rules": [{"policy": "p"}],
        },
    )
    with app.app_context():
        customer = Customer.create(name="c")
    for index in range(11):
        add_ticket(
            app,
            customer=customer,
            title=f"t{index}",
            priority="urgent" if index in (2, 5, 9) else "normal",
        )
    client = logged_in(app, "dispatcher", "dispatcher")
    pages = [
        numbers(client.get(f"/tickets?sort=due&page={n}").get_data(as_text=True)) for n in (1, 2, 3)
    ]
    urgent = ["SP-2026-000003", "SP-2026-000006", "SP-2026-000010"]
    others = [f"SP-2026-{n:06d}" for n in range(1, 12) if f"SP-2026-{n:06d}" not in urgent]
    assert pages[0] == urgent + others[:2]
    assert pages[1] == others[2:7]
    assert pages[2] == others[7:]


def test_a_renamed_customers_tickets_are_found_by_the_new_name(seeded, app):
    from server.customers import save_customer

    with app.app_context():
        bob = Customer.get(Customer.name == "Bob 小波")
        save_customer(bob, {"name": "Robert 罗伯特"}, {})
    client = app.test_client()
    client.login("dispatcher")
    assert len(numbers(client.get("/tickets?q=罗伯特").get_data(as_text=True))) == 6
    assert numbers(client.get("/tickets?q=小波").get_data(as_text=True)) == []


def test_search_ignores_case(seeded, app):
    client = app.test_client()
    client.login("dispatcher")
    assert len(numbers(client.get("/tickets?q=aLiCe").get_data(as_text=True))) == 6


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("alice 阿丽", 6),  # three or more characters: the trigram index (on SQLite)
        ("阿丽", 6),  # two characters: the scan
        ("ticket 1", 3),  # "ticket 1", "ticket 10", "ticket 11"
        ("100%", 0),  # wildcards in the needle are taken literally
        ("t_c", 0),
        ("tick*", 0),
        ("ticket [1", 0),
        ("?icket", 0),
    ],
)
def test_search_finds_the_same_by_either_path(seeded, client, text, count):
    assert len(numbers(client.get(f"/tickets?q={text}").get_data(as_text=True))) == count


def test_the_trigram_index_follows_edits(seeded, app):
    from server.search import has_trigram_index

    with app.app_context():
        if not has_trigram_index():
            pytest.skip("this database has no trigram index (PostgreSQL, or SQLite without FTS5)")
        ticket = Ticket.get(Ticket.title == "Ticket 3 空调")
        from server.tickets import edit_ticket

        actor = ensure_user(app, "dispatcher", "dispatcher")
        edit_ticket(
            app.extensions["aftersales"].registry,
            ticket,
            ticket.version,
            {"title": "Compressor noise"},
            {},
            actor,
        )
    client = app.test_client()
    client.login("dispatcher")
    assert len(numbers(client.get("/tickets?q=compressor").get_data(as_text=True))) == 1


def test_postgresql_searches_through_its_trigram_index(seeded, app):
    """PostgreSQL: migration 23 made the GIN trigram index, and a needle of three or more
    characters is looked up through it (the planner is told not to scan, so that on a
    dozen rows it shows whether it could use the index at all)."""
    from server.db import database
    from server.search import PG_TRIGRAM_INDEX, TicketSearch, has_pg_trigram_index

    with app.app_context():
        if database.obj.__class__.__name__.find("Postgres") < 0:
            pytest.skip("PostgreSQL's index (SQLite has its FTS5 table)")
        assert has_pg_trigram_index()
        query = TicketSearch.select(TicketSearch.ticket).where(
            TicketSearch.text.contains("alice 阿丽")
        )
        sql, params = query.sql()
        with database.atomic():
            database.execute_sql("SET LOCAL enable_seqscan = off")
            plan = " ".join(row[0] for row in database.execute_sql(f"EXPLAIN {sql}", params))
        assert PG_TRIGRAM_INDEX in plan


def test_a_technician_sees_only_their_own_tickets_whatever_the_filter(app, seeded):
    other = ensure_user(app, "fieldtech", "technician")
    with app.app_context():
        mine = Ticket.select().order_by(Ticket.id.desc()).first()
        Ticket.update(assignee=other, status="assigned").where(Ticket.id == mine.id).execute()
    client = logged_in(app, "fieldtech", "technician")
    for query in ("", "assignee=none", f"assignee={seeded.id}", "status=new", "q=空调"):
        page = client.get(f"/tickets?{query}").get_data(as_text=True)
        assert numbers(page) == ([] if query == "status=new" else [mine.number]), query
    assert client.get(f"/tickets/{mine.number}").status_code == 200
    with app.app_context():
        someone_elses = Ticket.select().where(Ticket.assignee == seeded.id).first()
    assert client.get(f"/tickets/{someone_elses.number}").status_code == 403
    customer_page = client.get(f"/customers/{mine.customer_id}").get_data(as_text=True)
    assert numbers(customer_page) == [mine.number]
