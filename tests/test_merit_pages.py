"""Merit pages: the overview, statements (own vs others'), the manual entry form."""

from __future__ import annotations

import datetime as dt

import pytest

from server.merit.ledger import add_manual_entry
from server.merit.models import MeritEntry
from server.merit.statements import month_bounds, statement
from server.models import TicketEvent, User
from tests.conftest import add_ticket, ensure_user

MARCH = dt.date(2026, 3, 1)


def _enter(app, username, level, *, at, amount_cents=0, role="technician", reason="Because"):
    user = ensure_user(app, username, role)
    boss = ensure_user(app, "boss", "supervisor")
    with app.app_context():
        add_manual_entry(
            user=user,
            level=level,
            reason=reason,
            entered_by=boss,
            amount_cents=amount_cents,
            at=at,
        )
    return user


def _count(app):
    with app.app_context():
        return MeritEntry.select().count()


def test_month_is_a_local_calendar_month(app):
    # Asia/Shanghai: 1 March 00:00 local is 28 February 16:00 UTC
    with app.app_context():
        assert month_bounds(MARCH) == (dt.datetime(2026, 2, 28, 16), dt.datetime(2026, 3, 31, 16))


def test_statement_converts_cancels_and_sums_money(app):
    at = dt.datetime(2026, 3, 10, 4)
    for _ in range(4):
        _enter(app, "tech", "commendation", at=at, amount_cents=1000)
    _enter(app, "tech", "warning", at=at, amount_cents=500)
    user = _enter(app, "tech", "demerit", at=dt.datetime(2026, 2, 28, 17), amount_cents=2000)
    _enter(app, "tech", "major_merit", at=dt.datetime(2026, 3, 31, 16))  # April, locally
    with app.app_context():
        result = statement(User.get_by_id(user.id), MARCH)
    assert len(result.entries) == 6
    # 4 commendations − 1 warning = 3 → a merit, which cancels the demerit
    assert dict(result.summary.totals) == dict.fromkeys(result.summary.totals, 0)
    assert result.summary.net_points == 0
    assert result.summary.money_cents == 4000 - 500 - 2000


def test_dismissal_review_counts_the_year_to_the_statement_month(app, login_as):
    user = _enter(app, "tech", "major_demerit", at=dt.datetime(2026, 1, 5))
    _enter(app, "tech", "major_demerit", at=dt.datetime(2026, 2, 5))
    for _ in range(3):
        _enter(app, "tech", "demerit", at=dt.datetime(2026, 3, 5))
    with app.app_context():
        fresh = User.get_by_id(user.id)
        assert statement(fresh, dt.date(2026, 2, 1)).summary.dismissal_review is False
        assert statement(fresh, MARCH).summary.dismissal_review is True
        # a new year starts afresh
        assert statement(fresh, dt.date(2027, 1, 1)).summary.dismissal_review is False
    page = login_as("supervisor").get(f"/merit/{user.id}?month=2026-03").get_data(as_text=True)
    assert "dismissal review" in page


def test_statement_page_lists_entries_and_totals(app, login_as):
    user = _enter(app, "tech", "commendation", at=dt.datetime(2026, 3, 3), reason="Fixed it fast")
    client = login_as("supervisor")
    response = client.get(f"/merit/{user.id}?month=2026-03")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Fixed it fast" in page
    assert 'Net points: <b class="merit-net">+1</b>' in page


def test_technician_sees_own_statement_but_not_anothers(app, login_as):
    other = _enter(app, "other", "warning", at=dt.datetime(2026, 3, 3))
    client = login_as("technician", "tech")
    with app.app_context():
        own_id = User.get(User.username == "tech").id
    assert client.get(f"/merit/{own_id}").status_code == 200
    assert client.get(f"/merit/{other.id}").status_code == 403


def test_overview_shows_technicians_only_their_own_row(app, login_as):
    _enter(app, "other", "warning", at=dt.datetime(2026, 3, 3))
    client = login_as("technician", "tech")
    page = client.get("/merit?month=2026-03").get_data(as_text=True)
    assert ">Tech</a>" in page
    assert ">Other</a>" not in page
    assert "New entry" not in page


def test_overview_sorts_by_net_points(app, login_as):
    _enter(app, "alice", "merit", at=dt.datetime(2026, 3, 3))
    _enter(app, "bob", "demerit", at=dt.datetime(2026, 3, 3))
    _enter(app, "carol", "commendation", at=dt.datetime(2026, 3, 3))
    client = login_as("supervisor")
    page = client.get("/merit?month=2026-03&sort=-points").get_data(as_text=True)
    assert page.index(">Alice</a>") < page.index(">Carol</a>") < page.index(">Bob</a>")
    page = client.get("/merit?month=2026-03&sort=points").get_data(as_text=True)
    assert page.index(">Bob</a>") < page.index(">Carol</a>") < page.index(">Alice</a>")


def test_bad_month_is_not_found(app, login_as):
    assert login_as("supervisor").get("/merit?month=2026-13").status_code == 404


def _form(person, **overrides):
    data = {
        "user": str(person.id),
        "level": "warning",
        "amount": "",
        "reason": "Late twice",
        "ticket": "",
        "date": "",
    }
    data.update(overrides)
    return data


def test_supervisor_enters_a_fine_with_a_ticket(app, login_as):
    tech = ensure_user(app, "tech", "technician")
    ticket = add_ticket(app)
    client = login_as("supervisor", "boss")
    response = client.form("/merit/new", _form(tech, amount="20.50", ticket=ticket.number))
    assert response.status_code == 303
    assert f"/merit/{tech.id}?month=" in response.headers["Location"]
    with app.app_context():
        entry = MeritEntry.get()
        assert (entry.level, entry.amount_cents, entry.source) == ("warning", -2050, "manual")
        assert entry.entered_by.username == "boss"
        [event] = TicketEvent.select().where(TicketEvent.kind == "merit")
        assert event.data["reason"] == "Late twice"
    page = client.get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert "entered <b>warning</b> (-1, -20.50 yuan) for <b>Tech</b>" in page


def test_entry_on_a_past_date_counts_in_that_month(app, login_as):
    tech = ensure_user(app, "tech", "technician")
    client = login_as("supervisor")
    response = client.form("/merit/new", _form(tech, level="merit", date="2026-03-31"))
    assert response.headers["Location"].endswith("month=2026-03")
    with app.app_context():
        assert len(statement(User.get_by_id(tech.id), MARCH).entries) == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"reason": ""}, "reason", "required"),
        ({"reason": "   "}, "reason", "required"),
        ({"level": ""}, "level", "Choose a level"),
        ({"level": "praise"}, "level", "Not a valid choice"),
        ({"user": ""}, "user", "Choose a person"),
        ({"user": "999999"}, "user", "Not a valid choice"),
        ({"amount": "-5"}, "amount", "Between 0 and 1000000"),
        ({"amount": "1.005"}, "amount", "two decimal"),
        ({"amount": "lots"}, "amount", "amount in yuan"),
        ({"ticket": "SP-2026-999999"}, "ticket", "No ticket has this number"),
        ({"date": "2999-01-01"}, "date", "future"),
        ({"date": "yesterday"}, "date", "Not a valid date"),
    ],
)
def test_bad_entry_is_refused_next_to_its_field(app, login_as, overrides, field, message):
    tech = ensure_user(app, "tech", "technician")
    client = login_as("supervisor")
    response = client.form("/merit/new", _form(tech, **overrides))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    error = page.split(f'id="{field}-error">')[1].split("</p>")[0]
    assert message in error
    assert _count(app) == 0


def test_htmx_entry_redirects_with_hx_redirect(app, login_as):
    tech = ensure_user(app, "tech", "technician")
    client = login_as("supervisor")
    response = client.form("/merit/new", _form(tech), headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert response.headers["HX-Redirect"].startswith(f"/merit/{tech.id}")


def test_htmx_bad_entry_gets_the_form_back(app, login_as):
    tech = ensure_user(app, "tech", "technician")
    client = login_as("supervisor")
    response = client.form("/merit/new", _form(tech, reason=""), headers={"HX-Request": "true"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.lstrip().startswith("<form") or 'id="merit-entry-form"' in page
    assert "<html" not in page


@pytest.mark.parametrize("role", ["technician", "dispatcher"])
def test_only_supervisors_and_admins_enter_points(app, login_as, role):
    tech = ensure_user(app, "tech", "technician")
    client = login_as(role, f"someone_{role}")
    assert client.form("/merit/new", _form(tech)).status_code == 403
    assert _count(app) == 0


def test_the_form_preselects_the_person(app, login_as):
    tech = ensure_user(app, "tech", "technician")
    page = login_as("admin").get(f"/merit/new?user={tech.id}").get_data(as_text=True)
    assert f'<option selected value="{tech.id}">' in page


def test_overview_exports_csv_with_the_same_rows(app, login_as):
    _enter(app, "tech", "demerit", at=dt.datetime(2026, 3, 3), amount_cents=5000)
    client = login_as("supervisor")
    response = client.get(
        "/merit?month=2026-03&sort=points&format=csv", headers={"Accept-Language": "zh-CN"}
    )
    assert response.status_code == 200
    text = response.get_data(as_text=True).lstrip("\ufeff")
    lines = text.splitlines()
    assert lines[0].startswith("用户名,姓名,嘉奖,记功")  # the headers in Chinese
    [tech] = [line for line in lines if line.startswith("tech,")]
    assert tech.endswith(",0,0,0,0,1,0,-3,-50.00,no")


def test_statement_exports_xlsx(app, login_as):
    import io

    import openpyxl

    user = _enter(app, "tech", "commendation", at=dt.datetime(2026, 3, 3), reason="Quick fix")
    response = login_as("technician", "tech").get(
        f"/merit/{user.id}?month=2026-03&format=xlsx", headers={"Accept-Language": "zh-CN"}
    )
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("时间", "等级", "分", "金额（元）", "原因")
    assert rows[1][1:5] == ("嘉奖", 1, 0, "Quick fix")
    assert len(rows) == 2


def test_another_persons_statement_export_is_refused(app, login_as):
    other = _enter(app, "other", "warning", at=dt.datetime(2026, 3, 3))
    client = login_as("technician", "tech")
    assert client.get(f"/merit/{other.id}?format=csv").status_code == 403
