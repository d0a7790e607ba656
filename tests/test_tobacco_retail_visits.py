"""Visit planning: each retailer's cycle by grade, and the "visits due" list per manager."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from plugins.tobacco_retail.settings import parse
from plugins.tobacco_retail.visits import visits_due
from server.models import Customer
from server.plugin_api import CustomerInfo, TicketInfo
from server.tickets import NewTicket, create_ticket, transition_ticket
from tests.conftest import build_app, ensure_user

SLUG = "tobacco_retail"
URL = "/p/tobacco_retail/visits-due"
TODAY = dt.date(2026, 3, 16)


def _info(cid, tier="A", **attributes):
    return CustomerInfo(cid, f"Retailer {cid}", "company", "", tier, attributes)


def _visit(cid, day):
    reported = dt.datetime.combine(day, dt.time(10))
    return TicketInfo(
        cid, f"TR-{cid}", SLUG, "visit", "resolved", "low", _info(cid), None, None, reported
    )


SETTINGS = parse({})


@pytest.mark.parametrize(
    ("tier", "visited_days_ago", "due_in_days"),
    [
        ("A", 0, 7),
        ("A", 7, 0),  # the boundary: due today, not yet overdue
        ("A", 8, -1),
        ("B", 14, 0),
        ("C", 29, 1),
        ("D", 61, -1),
        ("Z", 30, 0),  # an unlisted grade: the default cycle
    ],
)
def test_the_next_visit_is_one_cycle_after_the_last(tier, visited_days_ago, due_in_days):
    last = _visit(1, TODAY - dt.timedelta(days=visited_days_ago))
    (row,) = visits_due([_info(1, tier)], {1: last}, SETTINGS)
    assert row.due_on == TODAY + dt.timedelta(days=due_in_days)
    assert row.overdue(TODAY) == (due_in_days < 0)


def test_the_cycle_counts_from_the_local_day_of_the_visit():
    # 16:30 UTC on the 23rd is 00:30 on the 24th in the retailers' zone (Asia/Shanghai)
    just_after_midnight = dt.datetime(2026, 11, 23, 16, 30)
    visit = TicketInfo(
        1, "TR-1", SLUG, "visit", "resolved", "low", _info(1), None, None, just_after_midnight
    )
    (row,) = visits_due([_info(1, "A")], {1: visit}, SETTINGS)
    assert row.due_on == dt.date(2026, 12, 1)


def test_a_retailer_never_visited_is_due_at_once_and_listed_first():
    visited = _visit(1, TODAY - dt.timedelta(days=30))  # grade A: 23 days overdue
    rows = visits_due([_info(1), _info(2)], {1: visited}, SETTINGS)
    assert [r.customer.id for r in rows] == [2, 1]
    assert rows[0].due_on is None and rows[0].overdue(TODAY)


def test_rows_run_from_the_most_overdue(tmp_path):
    last = {1: _visit(1, TODAY - dt.timedelta(days=3)), 2: _visit(2, TODAY - dt.timedelta(days=20))}
    rows = visits_due([_info(1), _info(2)], last, SETTINGS)
    assert [r.customer.id for r in rows] == [2, 1]


def test_suspended_retailers_are_not_due(tmp_path):
    rows = visits_due([_info(1, tr_business_status="suspended"), _info(2)], {}, SETTINGS)
    assert [r.customer.id for r in rows] == [2]


# --- the page --------------------------------------------------------------------------


@pytest.fixture
def tr_app(tmp_path):
    return build_app(tmp_path, enabled=[SLUG], extra_plugins=[])


def _retailer(app, name, manager, tier="A", **extra):
    with app.app_context():
        return Customer.create(
            name=name, kind="company", tier=tier, attributes={"tr_manager": manager, **extra}
        )


def _visit_ticket(app, customer, reported_at, service="visit"):
    registry = app.extensions["aftersales"].registry
    actor = ensure_user(app, "dispatcher", "dispatcher")
    with app.app_context():
        new = NewTicket(
            industry=SLUG,
            service=registry.service(SLUG, service),
            customer=customer,
            title="走访",
            reported_at=reported_at,
            attributes={
                "ordering_smooth": "yes",
                "calls_on_time": "yes",
                "display_ok": "yes",
                "prices_marked": "yes",
            },
        )
        return create_ticket(registry, new, actor, reported_at.year, now=reported_at)


def _client(app, username, role):
    ensure_user(app, username, role)
    client = app.test_client()
    assert client.login(username).status_code == 303
    return client


def test_a_manager_sees_their_own_retailers_only(tr_app):
    _retailer(tr_app, "鑫源便利店", "tech1")
    _retailer(tr_app, "福兴烟酒商行", "tech10")  # a login that merely starts the same
    _retailer(tr_app, "老马副食店", "tech2")
    page = _client(tr_app, "tech1", "technician").get(URL).get_data(as_text=True)
    assert "鑫源便利店" in page
    assert "福兴烟酒商行" not in page and "老马副食店" not in page
    assert "/tickets/new" not in page  # technicians do not open tickets


def test_the_list_shows_last_visit_and_due_date(tr_app):
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    overdue = _retailer(tr_app, "鑫源便利店", "tech1", tier="A")
    fresh = _retailer(tr_app, "美佳超市", "tech1", tier="D")
    _retailer(tr_app, "新开便利店", "tech1", tier="C")
    _visit_ticket(tr_app, overdue, now - dt.timedelta(days=40))
    last = _visit_ticket(tr_app, overdue, now - dt.timedelta(days=10))
    _visit_ticket(tr_app, fresh, now - dt.timedelta(days=1), service="first_visit")
    page = (
        _client(tr_app, "tech1", "technician")
        .get(URL, headers={"Accept-Language": "zh-CN"})
        .get_data(as_text=True)
    )
    # never visited first, then the grade-A retailer 3 days late, then the grade-D one
    assert page.index("新开便利店") < page.index("鑫源便利店") < page.index("美佳超市")
    assert last.number in page
    # the visit's day where the firm is (the default time zone, Asia/Shanghai), not in UTC:
    # from 16:00 UTC on, Shanghai is already on the next day
    visited = (now - dt.timedelta(days=10)).replace(tzinfo=dt.UTC)
    due = visited.astimezone(ZoneInfo("Asia/Shanghai")).date() + dt.timedelta(days=7)
    assert due.isoformat() in page
    assert "立即" in page  # never visited: due now, in Chinese


def test_a_cancelled_visit_does_not_count(tr_app):
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    customer = _retailer(tr_app, "鑫源便利店", "tech1")
    ticket = _visit_ticket(tr_app, customer, now - dt.timedelta(days=1))
    registry = tr_app.extensions["aftersales"].registry
    with tr_app.app_context():
        from server.models import User

        transition_ticket(
            registry,
            ticket,
            ticket.version,
            "cancelled",
            User.get(User.username == "dispatcher"),
        )
    page = (
        _client(tr_app, "tech1", "technician")
        .get(URL, headers={"Accept-Language": "zh-CN"})
        .get_data(as_text=True)
    )
    assert ticket.number not in page and "立即" in page


def test_a_technician_may_not_look_at_another_managers_list(tr_app):
    response = _client(tr_app, "tech1", "technician").get(f"{URL}?manager=tech2")
    assert response.status_code == 403


def test_a_dispatcher_looks_at_any_managers_list(tr_app):
    _retailer(tr_app, "老马副食店", "tech2")
    client = _client(tr_app, "dispatcher", "dispatcher")
    page = client.get(f"{URL}?manager=tech2").get_data(as_text=True)
    assert "老马副食店" in page and 'name="manager"' in page
    # never visited: the link opens a first-visit ticket for the retailer
    assert "service=tobacco_retail:first_visit" in page.replace("%3A", ":")
    partial = client.get(f"{URL}?manager=tech2", headers={"HX-Request": "true"})
    text = partial.get_data(as_text=True)
    assert "老马副食店" in text and "<html" not in text
    assert "HX-Request" in partial.headers["Vary"]


def test_a_malformed_manager_name_is_not_found(tr_app):
    client = _client(tr_app, "dispatcher", "dispatcher")
    assert client.get(f"{URL}?manager=%27%3B--").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(tr_app):
    response = tr_app.test_client().get(URL)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_demo_retailers_have_their_fields_and_fill_the_list(tr_app):
    from server.demo import create_demo_data

    with tr_app.app_context():
        create_demo_data(tr_app, per_plugin=12, seed=3)
        retailer = Customer.get(Customer.name == "鑫源便利店（周国强）")
    assert retailer.tier == "A"
    assert retailer.attributes["tr_licence_no"] == "330105100237"
    assert retailer.attributes["tr_manager"] == "tech1"
    client = tr_app.test_client()
    with client.session_transaction() as session, tr_app.app_context():
        from server.models import User

        session["uid"] = User.get(User.username == "tech1").id
    page = client.get(URL, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "鑫源便利店" in page
    assert "鸿运烟酒店" not in page  # suspended for renovation
    assert "上午" in page  # 鑫源's preferred visit time, by its label


def test_the_visits_due_list_exports(tr_app):
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    overdue = _retailer(tr_app, "鑫源便利店", "tech1", tier="A")
    _retailer(tr_app, "新开便利店", "tech1", tier="C")
    last = _visit_ticket(tr_app, overdue, now - dt.timedelta(days=10))
    client = _client(tr_app, "tech1", "technician")
    assert f"{URL}?format=csv" in client.get(URL).get_data(as_text=True)
    text = client.get(f"{URL}?format=csv", headers={"Accept-Language": "zh-CN"}).get_data(
        as_text=True
    )
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("零售户,许可证号,档位,周期（天）,上次走访")  # in Chinese
    assert lines[1].startswith("新开便利店,")
    assert lines[2].startswith("鑫源便利店,") and last.number in lines[2]
    assert lines[2].split(",")[7] == "yes"  # overdue
    from tests.test_tabular import xlsx_rows

    rows = xlsx_rows(client.get(f"{URL}?format=xlsx").get_data())
    assert [row[0] for row in rows[1:]] == ["新开便利店", "鑫源便利店"]
