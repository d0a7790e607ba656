"""Appointment windows: history and reasons, validation, missed windows, the calendar."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest

from server.db import database
from server.dispatch.appointments import (
    Appointment,
    AppointmentChange,
    AppointmentError,
    StaleAppointment,
    appointment_history,
    appointments_between,
    current_appointment,
    flag_missed_appointments,
    set_appointment,
    window_missed,
)
from server.dispatch.models import Outlet, Technician
from server.models import Ticket, TicketEvent, utcnow
from server.sla.sweep import sweep
from server.tickets import assign_ticket, transition_ticket
from tests.conftest import add_ticket, ensure_user

T0 = dt.datetime(2026, 11, 2, 1, 0)  # naive UTC: 09:00 in Shanghai, the tests' zone
HOUR = dt.timedelta(hours=1)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _registry(app):
    return app.extensions["aftersales"].registry


@pytest.fixture
def staff(app):
    return {
        "dispatcher": ensure_user(app, "dispatcher", "dispatcher"),
        "tech": ensure_user(app, "tech", "technician"),
        "other": ensure_user(app, "other", "technician"),
        "supervisor": ensure_user(app, "supervisor", "supervisor"),
    }


@pytest.fixture
def ticket(app, staff):
    """A ticket entered at T0 - 1 h and assigned to "tech"."""
    made = add_ticket(app, now=T0 - HOUR, reported_at=T0 - HOUR)
    with app.app_context():
        return assign_ticket(
            _registry(app), made, made.version, staff["tech"], "", staff["dispatcher"], now=T0
        )


def _set(app, ticket, start, end, actor, reason="", now=T0):
    with app.app_context():
        fresh = Ticket.get_by_id(ticket.id)
        return set_appointment(_registry(app), fresh, start, end, actor, reason, now=now)


def _counts(app):
    with app.app_context():
        return (
            Appointment.select().count(),
            AppointmentChange.select().count(),
            TicketEvent.select().count(),
        )


def _events(app, kind):
    with app.app_context():
        return list(TicketEvent.select().where(TicketEvent.kind == kind).order_by(TicketEvent.id))


# --- setting and rescheduling -----------------------------------------------------------


def test_the_first_window_needs_no_reason_and_starts_the_history(app, ticket, staff):
    start = T0 + 24 * HOUR
    _set(app, ticket, start, start + 2 * HOUR, staff["dispatcher"])
    with app.app_context():
        current = current_appointment(ticket)
        history = appointment_history(ticket)
    assert (current.starts_at, current.ends_at, current.missed_at) == (
        start,
        start + 2 * HOUR,
        None,
    )
    assert [(c.old_start, c.new_start, c.reason) for c in history] == [(None, start, "")]
    assert history[0].actor.username == "dispatcher"
    [event] = _events(app, "appointment_set")
    assert event.data["new_start"] == start.isoformat() and event.data["old_start"] is None


def test_rescheduling_keeps_every_window_and_its_reason(app, ticket, staff):
    first = T0 + 24 * HOUR
    second = T0 + 48 * HOUR
    _set(app, ticket, first, first + 2 * HOUR, staff["dispatcher"])
    _set(app, ticket, second, second + HOUR, staff["tech"], "客户出差，改到周三", now=T0 + HOUR)
    with app.app_context():
        current = current_appointment(ticket)
        history = appointment_history(ticket)
        assert Appointment.select().count() == 1  # one current window per ticket
    assert (current.starts_at, current.ends_at) == (second, second + HOUR)
    assert [
        (c.old_start, c.old_end, c.new_start, c.new_end, c.reason, c.actor.username)
        for c in history
    ] == [
        (None, None, first, first + 2 * HOUR, "", "dispatcher"),
        (first, first + 2 * HOUR, second, second + HOUR, "客户出差，改到周三", "tech"),
    ]
    [event] = _events(app, "appointment_rescheduled")
    assert event.data["reason"] == "客户出差，改到周三"
    assert event.data["old_start"] == first.isoformat()
    assert event.data["new_end"] == (second + HOUR).isoformat()


@pytest.mark.parametrize(
    ("start", "end", "reason", "field", "message"),
    [
        (T0 + 5 * HOUR, T0 + 5 * HOUR, "", "end", "must end after it starts"),
        (T0 + 5 * HOUR, T0 + 4 * HOUR, "", "end", "must end after it starts"),
        (T0 + 5 * HOUR, T0 + 18 * HOUR, "", "end", "at most 12 hours"),
        (T0 - 3 * HOUR, T0 - HOUR, "", "end", "already ended"),
    ],
)
def test_bad_windows_are_refused_and_write_nothing(
    app, ticket, staff, start, end, reason, field, message
):
    before = _counts(app)
    with pytest.raises(AppointmentError, match=message) as caught:
        _set(app, ticket, start, end, staff["dispatcher"], reason)
    assert caught.value.field == field
    assert _counts(app) == before


def test_a_reschedule_needs_a_reason(app, ticket, staff):
    _set(app, ticket, T0 + 5 * HOUR, T0 + 6 * HOUR, staff["dispatcher"])
    before = _counts(app)
    with pytest.raises(AppointmentError, match="reason") as caught:
        _set(app, ticket, T0 + 7 * HOUR, T0 + 8 * HOUR, staff["dispatcher"], "   ")
    assert caught.value.field == "reason"
    assert _counts(app) == before


def test_a_window_ending_now_or_later_but_started_is_accepted(app, ticket, staff):
    """Only the end must lie ahead: a window agreed while it is already running is fine."""
    _set(app, ticket, T0 - HOUR, T0 + HOUR, staff["dispatcher"])
    with app.app_context():
        assert current_appointment(ticket).starts_at == T0 - HOUR


@pytest.mark.parametrize("status", ["resolved", "cancelled"])
def test_finished_tickets_take_no_window(app, ticket, staff, status):
    with app.app_context():
        transition_ticket(_registry(app), ticket, ticket.version, status, staff["tech"], now=T0)
    before = _counts(app)
    with pytest.raises(AppointmentError, match=f"{status} ticket"):
        _set(app, ticket, T0 + HOUR, T0 + 2 * HOUR, staff["dispatcher"])
    assert _counts(app) == before


# --- missed windows ---------------------------------------------------------------------


def test_a_window_that_passed_without_arrival_is_flagged_once_by_the_sweep(app, ticket, staff):
    _set(app, ticket, T0 + HOUR, T0 + 3 * HOUR, staff["dispatcher"])
    with app.app_context():
        assert flag_missed_appointments(T0 + 2 * HOUR) == 0  # still running
        first = sweep(_registry(app), T0 + 3 * HOUR + dt.timedelta(minutes=1))
        second = sweep(_registry(app), T0 + 4 * HOUR)
        appointment = current_appointment(ticket)
    assert (first.missed_appointments, second.missed_appointments) == (1, 0)
    assert appointment.missed_at == T0 + 3 * HOUR + dt.timedelta(minutes=1)
    [event] = _events(app, "appointment_missed")
    assert event.data["end"] == (T0 + 3 * HOUR).isoformat() and event.actor_id is None


def test_overlapping_sweeps_flag_a_missed_window_once(app, ticket, staff):
    _set(app, ticket, T0 + HOUR, T0 + 2 * HOUR, staff["dispatcher"])
    counts, errors = [], []
    start = threading.Barrier(4)

    def worker():
        try:
            with app.app_context():
                database.connect(reuse_if_open=True)
                start.wait()
                counts.append(flag_missed_appointments(T0 + 3 * HOUR))
        except BaseException as exc:  # reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(counts) == [0, 0, 0, 1]
    assert len(_events(app, "appointment_missed")) == 1


def _arrive(app, ticket, staff, at):
    with app.app_context():
        current = Ticket.get_by_id(ticket.id)
        return transition_ticket(
            _registry(app), current, current.version, "on_site", staff["tech"], now=at
        )


def test_arriving_within_the_window_or_before_it_is_not_missed(app, ticket, staff):
    _set(app, ticket, T0 + HOUR, T0 + 3 * HOUR, staff["dispatcher"])
    _arrive(app, ticket, staff, T0 + 30 * dt.timedelta(minutes=1))  # early: fine
    with app.app_context():
        assert flag_missed_appointments(T0 + 5 * HOUR) == 0
        assert current_appointment(ticket).missed_at is None


def test_arriving_after_the_window_counts_as_missed(app, ticket, staff, login_as):
    _set(app, ticket, T0 + HOUR, T0 + 3 * HOUR, staff["dispatcher"])
    late = _arrive(app, ticket, staff, T0 + 4 * HOUR)
    with app.app_context():
        assert window_missed(current_appointment(ticket), late, T0 + 4 * HOUR)
        assert flag_missed_appointments(T0 + 5 * HOUR) == 1
    page = login_as("dispatcher").get(f"/tickets/{ticket.number}").get_data(as_text=True)
    # T0 + 4 h in Shanghai; the window 10:00–12:00 local
    assert "the appointment 2026-11-02 10:00–12:00 (arrived 2026-11-02 13:00)" in page


def test_rescheduling_a_missed_window_clears_the_flag(app, ticket, staff):
    _set(app, ticket, T0 + HOUR, T0 + 3 * HOUR, staff["dispatcher"])
    with app.app_context():
        flag_missed_appointments(T0 + 4 * HOUR)
    _set(
        app, ticket, T0 + 24 * HOUR, T0 + 26 * HOUR, staff["dispatcher"], "没人在家", T0 + 4 * HOUR
    )
    with app.app_context():
        assert current_appointment(ticket).missed_at is None
        assert flag_missed_appointments(T0 + 5 * HOUR) == 0


def test_window_missed_rules(app, ticket, staff):
    window = Appointment(starts_at=T0, ends_at=T0 + 2 * HOUR)
    open_ticket = Ticket(status="assigned")
    assert not window_missed(window, open_ticket, T0 + HOUR)
    assert window_missed(window, open_ticket, T0 + 2 * HOUR)
    assert not window_missed(window, Ticket(status="on_site", arrived_at=T0 + HOUR), T0 + 3 * HOUR)
    assert window_missed(window, Ticket(status="on_site", arrived_at=T0 + 3 * HOUR), T0 + 4 * HOUR)
    assert not window_missed(window, Ticket(status="cancelled"), T0 + 3 * HOUR)
    remote = Ticket(status="resolved", resolved_at=T0 + HOUR)
    assert not window_missed(window, remote, T0 + 3 * HOUR)


# --- the ticket page --------------------------------------------------------------------


def _local_day(days_ahead=2):
    return dt.datetime.now(SHANGHAI).date() + dt.timedelta(days=days_ahead)


def _window_form(day, start="10:00", end="12:00", reason=""):
    return {"date": day.isoformat(), "start": start, "end": end, "reason": reason}


@pytest.fixture
def live_ticket(app, staff):
    """A ticket of now, assigned to "tech"."""
    made = add_ticket(app)
    with app.app_context():
        return assign_ticket(
            _registry(app), made, made.version, staff["tech"], "", staff["dispatcher"]
        )


def test_a_reschedule_by_someone_else_meanwhile_is_reported_not_overwritten(
    app, live_ticket, staff, login_as
):
    client = login_as("dispatcher")
    page = client.get(f"/tickets/{live_ticket.number}").get_data(as_text=True)
    assert 'name="seen" type="hidden" value="0"' in page
    theirs = _local_day(1)
    start, end = _at_local(theirs, 9)
    _set(app, live_ticket, start, end, staff["supervisor"], now=utcnow())
    before = _counts(app)
    response = client.form(
        f"/tickets/{live_ticket.number}/appointment", {**_window_form(_local_day()), "seen": "0"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "changed by Supervisor while you were looking" in page
    assert f"{theirs.isoformat()} 09:00–11:00" in page  # the current window is shown
    assert _counts(app) == before


def test_set_appointment_refuses_a_stale_view(app, ticket, staff):
    _set(app, ticket, T0 + 5 * HOUR, T0 + 6 * HOUR, staff["dispatcher"])
    with app.app_context(), pytest.raises(StaleAppointment):
        set_appointment(
            _registry(app),
            ticket,
            T0 + 7 * HOUR,
            T0 + 8 * HOUR,
            staff["tech"],
            "late",
            now=T0,
            seen_changes=0,
        )


def test_the_page_sets_the_window_in_local_time_without_javascript(app, live_ticket, login_as):
    client = login_as("dispatcher")
    day = _local_day()
    response = client.form(f"/tickets/{live_ticket.number}/appointment", _window_form(day))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/tickets/{live_ticket.number}")
    with app.app_context():
        window = current_appointment(live_ticket)
    local_start = dt.datetime.combine(day, dt.time(10, 0), SHANGHAI)
    assert window.starts_at == local_start.astimezone(dt.UTC).replace(tzinfo=None)
    assert window.ends_at - window.starts_at == 2 * HOUR
    page = client.get(f"/tickets/{live_ticket.number}").get_data(as_text=True)
    assert f"{day.isoformat()} 10:00–12:00" in page
    assert "agreed the appointment" in page and "Reschedule" in page


def test_rescheduling_on_the_page_without_a_reason_is_a_field_error(app, live_ticket, login_as):
    client = login_as("dispatcher")
    url = f"/tickets/{live_ticket.number}/appointment"
    assert client.form(url, _window_form(_local_day())).status_code == 303
    before = _counts(app)
    response = client.form(url, _window_form(_local_day(3)))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="reason-error"' in page and "Give the reason for the reschedule." in page
    assert _counts(app) == before
    response = client.form(url, _window_form(_local_day(3), reason="客户改期"))
    assert response.status_code == 303
    page = client.get(f"/tickets/{live_ticket.number}").get_data(as_text=True)
    assert "rescheduled the appointment" in page and "客户改期" in page
    assert f"{_local_day().isoformat()} 10:00–12:00 → <b>{_local_day(3).isoformat()}" in page


@pytest.mark.parametrize(
    ("data", "error_id", "message"),
    [
        ({"start": "12:00", "end": "10:00"}, "end-error", "must end after it starts"),
        ({"date": ""}, "date-error", "Choose the day."),
        ({"start": "25:99"}, "start-error", "Not a valid time value."),
        ({"date": "2020-01-01"}, "date-error", "Choose a day from today on."),
        ({"date": "0001-01-01"}, "date-error", "Choose a day from today on."),
        ({"date": "9999-12-31"}, "date-error", "within the next two years"),
        ({"reason": "x" * 501}, "reason-error", "500"),
    ],
)
def test_bad_input_on_the_page_is_a_422_next_to_the_field(
    app, live_ticket, login_as, data, error_id, message
):
    before = _counts(app)
    response = login_as("dispatcher").form(
        f"/tickets/{live_ticket.number}/appointment", {**_window_form(_local_day()), **data}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{error_id}"' in page and message in page
    assert _counts(app) == before


def test_htmx_gets_the_ticket_main_back(app, live_ticket, login_as):
    client = login_as("dispatcher")
    response = client.form(
        f"/tickets/{live_ticket.number}/appointment",
        _window_form(_local_day()),
        headers={"HX-Request": "true"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in page and 'id="appointment"' in page and "Appointment set" in page


def test_a_technician_sets_windows_only_on_their_own_tickets(app, live_ticket, staff, login_as):
    url = f"/tickets/{live_ticket.number}/appointment"
    other = login_as("technician", "other")
    assert other.form(url, _window_form(_local_day())).status_code == 403
    assert "Set appointment" not in other.get(f"/tickets/{live_ticket.number}").get_data(
        as_text=True
    )
    assert _counts(app)[0] == 0
    own = login_as("technician", "tech")
    assert own.form(url, _window_form(_local_day())).status_code == 303
    supervisor = login_as("supervisor")
    response = supervisor.form(url, _window_form(_local_day(4), reason="主管调整"))
    assert response.status_code == 303


def test_a_finished_ticket_shows_no_form_and_refuses_a_window(app, live_ticket, staff, login_as):
    with app.app_context():
        transition_ticket(
            _registry(app), live_ticket, live_ticket.version, "cancelled", staff["dispatcher"]
        )
    client = login_as("dispatcher")
    assert "Set appointment" not in client.get(f"/tickets/{live_ticket.number}").get_data(
        as_text=True
    )
    response = client.form(f"/tickets/{live_ticket.number}/appointment", _window_form(_local_day()))
    assert response.status_code == 422
    assert "cancelled ticket takes no appointment" in response.get_data(as_text=True)


def test_a_missed_window_shows_a_badge_and_a_timeline_line(app, ticket, staff, login_as):
    _set(app, ticket, T0 + HOUR, T0 + 2 * HOUR, staff["dispatcher"])
    with app.app_context():
        flag_missed_appointments(T0 + 3 * HOUR)
    page = login_as("dispatcher").get(f"/tickets/{ticket.number}").get_data(as_text=True)
    assert '<span class="missed">missed</span>' in page
    assert "nobody arrived" in page


# --- between two moments, and the calendar ----------------------------------------------


def test_appointments_between_finds_overlaps_by_start(app, staff):
    tickets = [add_ticket(app, now=T0 - HOUR) for _ in range(4)]
    windows = [(T0 + 2 * HOUR, T0 + 3 * HOUR), (T0 - HOUR, T0 + HOUR), (T0 + 30 * HOUR, None)]
    for ticket, (start, end) in zip(tickets, windows, strict=False):
        _set(app, ticket, start, end or start + HOUR, staff["dispatcher"], now=T0 - HOUR)
    _set(app, tickets[3], T0 + 4 * HOUR, T0 + 5 * HOUR, staff["dispatcher"], now=T0 - HOUR)
    with app.app_context():
        transition_ticket(
            _registry(app), tickets[3], tickets[3].version, "cancelled", staff["dispatcher"]
        )
        found = appointments_between(T0, T0 + 24 * HOUR)
    assert [t.id for _a, t in found] == [tickets[1].id, tickets[0].id]


def _assigned(app, staff, assignee):
    made = add_ticket(app)
    with app.app_context():
        return assign_ticket(_registry(app), made, made.version, assignee, "", staff["dispatcher"])


def _at_local(day, hour, length=2):
    start = dt.datetime.combine(day, dt.time(hour), SHANGHAI).astimezone(dt.UTC)
    start = start.replace(tzinfo=None)
    return start, start + length * HOUR


@pytest.fixture
def booked(app, staff):
    """Windows on two local days two days ahead and later, for tech and other."""
    day = _local_day(2)
    mine = _assigned(app, staff, staff["tech"])
    theirs = _assigned(app, staff, staff["other"])
    later = _assigned(app, staff, staff["tech"])
    _set(app, mine, *_at_local(day, 9), staff["dispatcher"], now=utcnow())
    _set(app, theirs, *_at_local(day, 14), staff["dispatcher"], now=utcnow())
    _set(app, later, *_at_local(day + dt.timedelta(days=1), 10), staff["dispatcher"], now=utcnow())
    return {"day": day, "mine": mine, "theirs": theirs, "later": later}


def test_the_day_view_lists_each_technicians_windows(app, booked, login_as):
    client = login_as("dispatcher")
    page = client.get(f"/calendar?view=day&date={booked['day'].isoformat()}").get_data(as_text=True)
    assert booked["mine"].number in page and booked["theirs"].number in page
    assert booked["later"].number not in page
    assert "09:00–11:00" in page and "14:00–16:00" in page
    assert f'href="/tickets/{booked["mine"].number}"' in page
    assert '<th scope="row">Tech</th>' in page and '<th scope="row">Other</th>' in page
    assert "客户" in page  # the customer's name


def test_the_week_view_puts_windows_in_their_day_column(app, booked, login_as):
    client = login_as("dispatcher")
    response = client.get(f"/calendar?view=week&date={booked['day'].isoformat()}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    for key in ("mine", "theirs", "later"):
        assert booked[key].number in page
    assert page.count('<th scope="col">') == 8  # technician + seven days
    row = page[page.index(">Tech</th>") :].split("</tr>")[0]
    cells = row.split("<td>")[1:]
    monday = booked["day"] - dt.timedelta(days=booked["day"].weekday())
    column = (booked["day"] - monday).days
    assert booked["mine"].number in cells[column]
    if column < 6:
        assert booked["later"].number in cells[column + 1]


def test_the_calendar_filters_by_technician_and_by_outlet(app, booked, staff, login_as):
    with app.app_context():
        outlet = Outlet.create(name="浦东网点")
        Technician.create(user=staff["other"], outlet=outlet)
    client = login_as("dispatcher")
    date = booked["day"].isoformat()
    page = client.get(f"/calendar?date={date}&technician={staff['tech'].id}").get_data(as_text=True)
    assert booked["mine"].number in page and booked["theirs"].number not in page
    page = client.get(f"/calendar?date={date}&outlet={outlet.id}").get_data(as_text=True)
    assert booked["theirs"].number in page and booked["mine"].number not in page


def test_previous_next_and_today_links_keep_the_filters(app, staff, login_as):
    client = login_as("dispatcher")
    tech = staff["tech"].id
    page = client.get(f"/calendar?view=week&date=2026-11-25&technician={tech}").get_data(
        as_text=True
    )
    links = {
        rel: page.split(f'rel="{rel}"')[0].rsplit('href="', 1)[1].split('"')[0]
        for rel in ("prev", "next")
    }
    for rel, monday in (("prev", "2026-11-16"), ("next", "2026-11-30")):
        assert f"date={monday}" in links[rel]
        assert "view=week" in links[rel] and f"technician={tech}" in links[rel]
    assert f'href="/calendar?view=week&amp;technician={tech}"' in page  # today


def test_a_technician_sees_only_their_own_calendar(app, booked, staff, login_as):
    client = login_as("technician", "tech")
    date = booked["day"].isoformat()
    page = client.get(f"/calendar?date={date}").get_data(as_text=True)
    assert booked["mine"].number in page and booked["theirs"].number not in page
    assert 'name="technician"' not in page  # no choosing someone else
    assert client.get(f"/calendar?date={date}&technician={staff['tech'].id}").status_code == 200
    assert client.get(f"/calendar?date={date}&technician={staff['other'].id}").status_code == 403
    assert client.get(f"/calendar?date={date}&outlet=1").status_code == 403


@pytest.mark.parametrize(
    ("query", "error_id"),
    [
        ("date=2026-13-40", "date-error"),
        ("date=0001-01-01", "date-error"),
        ("date=9999-12-31&view=week", "date-error"),
        ("outlet=abc", "outlet-error"),
        ("view=month", "view-error"),
        ("technician=999", "technician-error"),
    ],
)
def test_bad_calendar_choices_are_a_422_next_to_the_field(app, login_as, query, error_id):
    response = login_as("dispatcher").get(f"/calendar?{query}")
    assert response.status_code == 422
    assert f'id="{error_id}"' in response.get_data(as_text=True)


def test_htmx_swaps_only_the_calendar(app, booked, login_as):
    response = login_as("dispatcher").get(
        f"/calendar?date={booked['day'].isoformat()}", headers={"HX-Request": "true"}
    )
    page = response.get_data(as_text=True)
    assert "<html" not in page and booked["mine"].number in page
    assert response.headers["HX-Push-Url"].startswith("/calendar?")


def test_the_menu_links_to_the_calendar(app, login_as):
    page = login_as("technician").get("/tickets").get_data(as_text=True)
    assert 'href="/calendar"' in page


def test_migration_8_creates_the_tables_as_the_models_describe_them(app):
    from server.db import database
    from server.dispatch.appointments import APPOINTMENT_MODELS

    with app.app_context():
        for model in APPOINTMENT_MODELS:
            table = model._meta.table_name
            columns = {c.name for c in database.get_columns(table)}
            assert columns == {f.column_name for f in model._meta.sorted_fields}
            indexes = {i.name for i in database.get_indexes(table)}
            wanted = {i._name for i in model._meta.fields_to_index()}
            assert wanted and wanted <= indexes, (table, wanted - indexes)


def test_windows_of_unassigned_tickets_have_their_own_row(app, staff, login_as):
    day = _local_day(2)
    waiting = add_ticket(app)
    _set(app, waiting, *_at_local(day, 11), staff["dispatcher"], now=utcnow())
    client = login_as("dispatcher")
    page = client.get(f"/calendar?date={day.isoformat()}").get_data(as_text=True)
    row = page[page.index('<th scope="row">— unassigned —</th>') :].split("</tr>")[0]
    assert waiting.number in row
    filtered = client.get(f"/calendar?date={day.isoformat()}&technician={staff['tech'].id}")
    assert waiting.number not in filtered.get_data(as_text=True)
