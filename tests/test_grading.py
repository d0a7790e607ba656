"""Outlet grading: the rules, the decision and its reason, the page on hand-built data."""

from __future__ import annotations

import datetime as dt
import decimal

import pytest

from server.complaints.ledger import open_complaint
from server.config import ConfigError, parse_config
from server.dispatch.outlets import save_outlet, save_technician
from server.followup.models import Callback
from server.grading.decide import OutletFigures, decide
from server.grading.rules import parse_grading
from server.tickets import assign_ticket
from tests.conftest import add_ticket, ensure_user, logged_in

GRADES = [
    {
        "grade": "A",
        "factor": 1.10,
        "min_satisfaction": 4.5,
        "max_complaint_rate": 0.1,
        "min_volume": 3,
    },
    {"grade": "B", "factor": "1.00", "min_satisfaction": 4.0, "max_unsatisfied_share": 0.6},
    {"grade": "C", "factor": 0.9},
]
FULL = [
    {
        "grade": "A",
        "factor": 1.1,
        "min_on_time_rate": 0.95,
        "min_first_time_fix_rate": 0.9,
        "min_satisfaction": 4.5,
    },
    {"grade": "B", "factor": 1.0, "min_on_time_rate": 0.85},
    {"grade": "C", "factor": 0.8},
]


def _grades(table=FULL):
    return parse_grading({"grades": table}).grades


# --- the decision (pure) ------------------------------------------------------------


def test_top_grade_when_every_threshold_holds():
    figures = OutletFigures(volume=10, on_time_rate=0.96, first_time_fix_rate=0.9, satisfaction=4.5)
    decision = decide(_grades(), figures)
    assert (decision.grade.grade, decision.grade.factor) == ("A", decimal.Decimal("1.1"))
    assert decision.reason == "A: every threshold met"


def test_reason_names_the_threshold_that_decided():
    figures = OutletFigures(
        volume=10, on_time_rate=0.96, first_time_fix_rate=0.95, satisfaction=4.3
    )
    decision = decide(_grades(), figures)
    assert decision.grade.grade == "B"
    assert decision.reason == "B: satisfaction 4.3 < 4.5 for A"


def test_reason_lists_every_failure_of_the_grade_just_above():
    figures = OutletFigures(volume=10, on_time_rate=0.8, first_time_fix_rate=0.5, satisfaction=5)
    decision = decide(_grades(), figures)
    assert decision.grade.grade == "C"
    assert decision.reason == "C: on-time rate 80% < 85% for B"


def test_unmeasured_figure_does_not_meet_a_threshold():
    decision = decide(_grades(), OutletFigures())
    assert decision.reason == "C: on-time rate not measured for B"


@pytest.mark.parametrize(
    ("figures", "grade"),
    [
        (OutletFigures(on_time_rate=0.95, first_time_fix_rate=0.9, satisfaction=4.5), "A"),
        (OutletFigures(on_time_rate=0.9499, first_time_fix_rate=0.9, satisfaction=4.5), "B"),
        (OutletFigures(on_time_rate=0.85), "B"),
        (OutletFigures(on_time_rate=0.8499), "C"),
    ],
)
def test_thresholds_include_their_limit(figures, grade):
    assert decide(_grades(), figures).grade.grade == grade


def test_max_thresholds_compare_the_other_way():
    grades = _grades(
        [{"grade": "A", "factor": 1, "max_complaint_rate": 0.02}, {"grade": "B", "factor": 1}]
    )
    assert decide(grades, OutletFigures(complaint_rate=0.02)).grade.grade == "A"
    decision = decide(grades, OutletFigures(complaint_rate=0.025))
    assert decision.reason == "B: complaint rate 2.5% > 2% for A"


# --- the rules ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grades", "key", "problem"),
    [
        ([{"grade": "A", "factor": 1, "min_volume": 1}], "grading.grades[1]", "last grade"),
        (
            [{"grade": "A", "factor": 1}, {"grade": "B", "factor": 1}],
            "grading.grades[1]",
            "only the last",
        ),
        (
            [{"grade": "A", "factor": 1, "min_volume": 1}, {"grade": "A", "factor": 1}],
            "grading.grades[2].grade",
            "twice",
        ),
        ([{"grade": "", "factor": 1}], "grading.grades[1].grade", "short name"),
        ([{"grade": "A"}], "grading.grades[1].factor", "settlement factor"),
        ([{"grade": "A", "factor": 0}], "grading.grades[1].factor", "greater than 0"),
        ([{"grade": "A", "factor": "x"}], "grading.grades[1].factor", "settlement factor"),
        (
            [{"grade": "A", "factor": 1, "min_on_time_rate": 95}, {"grade": "B", "factor": 1}],
            "grading.grades[1].min_on_time_rate",
            "0.95 is 95 %",
        ),
        (
            [{"grade": "A", "factor": 1, "min_satisfaction": 6}, {"grade": "B", "factor": 1}],
            "grading.grades[1].min_satisfaction",
            "from 1 to 5",
        ),
        (
            [{"grade": "A", "factor": 1, "min_volume": 2.5}, {"grade": "B", "factor": 1}],
            "grading.grades[1].min_volume",
            "whole number",
        ),
        (
            [{"grade": "A", "factor": 1, "min_speed": 2}],
            "grading.grades[1].min_speed",
            "unknown key",
        ),
    ],
)
def test_bad_grading_stops_start_up_with_one_line(grades, key, problem, tmp_path):
    with pytest.raises(ConfigError) as info:
        parse_config({"grading": {"grades": grades}}, tmp_path / "a.toml")
    assert info.value.key == key
    assert problem in info.value.problem


def test_shipped_config_grades_load():
    from server.config import DEFAULT_CONFIG_PATH, load_config

    grades = load_config(DEFAULT_CONFIG_PATH).grading.grades
    assert grades and not grades[-1].thresholds


# --- the page on hand-built data ----------------------------------------------------

MARCH = dt.datetime(2026, 3, 15, 2)


def _outlet_with_tickets(app, name, username, satisfactions, outcomes, complaints=0):
    """An outlet, its technician and one ticket per callback (done in March)."""
    technician = ensure_user(app, username, "technician")
    dispatcher = ensure_user(app, "dispatcher", "dispatcher")
    registry = app.extensions["aftersales"].registry
    with app.app_context():
        outlet = save_outlet(None, {"name": name})
        save_technician(technician, outlet, [], [])
    tickets = []
    for stars, outcome in zip(satisfactions, outcomes, strict=True):
        ticket = add_ticket(app, reported_at=MARCH, now=MARCH)
        with app.app_context():
            ticket = assign_ticket(
                registry, ticket, ticket.version, technician, "", dispatcher, now=MARCH
            )
            Callback.create(
                ticket=ticket.id,
                due_at=MARCH,
                status="done",
                done_at=MARCH + dt.timedelta(days=3),
                satisfaction=stars,
                outcome=outcome,
                created_at=MARCH,
            )
        tickets.append(ticket)
    with app.app_context():
        for ticket in tickets[:complaints]:
            open_complaint(
                channel="phone",
                category="attitude",
                description="Rude",
                owner=dispatcher,
                ticket=ticket,
                staff=technician,
                now=MARCH + dt.timedelta(days=4),
            )
    return outlet


@pytest.fixture
def graded(make_app):
    app = make_app(grading={"grades": GRADES})
    _outlet_with_tickets(app, "North", "tn", [5, 5, 4, 4], ["satisfied"] * 4)
    _outlet_with_tickets(
        app, "South", "ts", [5, 3], ["satisfied", "unsatisfied_callback"], complaints=1
    )
    with app.app_context():
        save_outlet(None, {"name": "Empty"})
    return app


def _rows(app):
    from server.grading.figures import outlet_figures
    from server.kpi import Period

    with app.test_request_context():
        return {
            row.outlet.name: (
                row.figures,
                decide(app.extensions["aftersales"].config.grading.grades, row.figures),
            )
            for row in outlet_figures(Period.month(2026, 3))
        }


def test_each_outlet_gets_its_exact_grade_and_reason(graded):
    rows = _rows(graded)
    north, south, empty = rows["North"], rows["South"], rows["Empty"]
    # assigning at once is the first response, on time: the only clocks that stopped
    assert north[0] == OutletFigures(
        volume=4, on_time_rate=1.0, satisfaction=4.5, complaint_rate=0.0, unsatisfied_share=0.0
    )
    assert (north[1].grade.grade, north[1].reason) == ("A", "A: every threshold met")
    assert south[0] == OutletFigures(
        volume=2, on_time_rate=1.0, satisfaction=4.0, complaint_rate=0.5, unsatisfied_share=0.5
    )
    assert south[1].grade.grade == "B"
    assert south[1].reason == (
        "B: satisfaction 4 < 4.5 for A; complaint rate 50% > 10% for A; volume 2 < 3 for A"
    )
    assert empty[0] == OutletFigures()
    assert empty[1].grade.grade == "C"
    assert empty[1].reason == (
        "C: satisfaction not measured for B; unsatisfied share not measured for B"
    )


def test_other_periods_see_nothing(graded):
    from server.grading.figures import outlet_figures
    from server.kpi import Period

    with graded.test_request_context():
        rows = outlet_figures(Period.month(2026, 4))
    assert {row.outlet.name: row.figures.volume for row in rows} == {
        "Empty": 0,
        "North": 0,
        "South": 0,
    }


def test_grading_page_shows_grades_factors_and_reasons(graded):
    response = logged_in(graded, "boss", "supervisor").get("/grading?period=2026-03")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "B: satisfaction 4 &lt; 4.5 for A" in page
    assert "<b>A</b>" in page and "1.10" in page and "0.90" in page


def test_grading_exports_csv(graded):
    response = logged_in(graded, "root", "admin").get("/grading?period=2026-Q1&format=csv")
    text = response.get_data(as_text=True).lstrip("\ufeff")
    lines = text.splitlines()
    assert len(lines) == 4
    [south] = [line for line in lines if line.startswith("South,")]
    assert south.startswith("South,B,1.00,2,")


@pytest.mark.parametrize("period", ["2026-13", "26-03", "2026-Q5", "soon"])
def test_bad_period_is_not_found(graded, period):
    client = logged_in(graded, "boss", "supervisor")
    assert client.get(f"/grading?period={period}").status_code == 404


@pytest.mark.parametrize("role", ["technician", "dispatcher"])
def test_grading_is_for_supervisors_and_admins(graded, role):
    client = logged_in(graded, f"someone_{role}", role)
    assert client.get("/grading?period=2026-03").status_code == 403


def test_without_grades_the_page_says_so(make_app):
    app = make_app()
    client = logged_in(app, "boss", "supervisor")
    page = client.get("/grading?period=2026-03").get_data(as_text=True)
    assert "No grades are configured" in page
