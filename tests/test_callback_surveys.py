"""The built-in plugins' callback surveys (回访问卷) and which of their services are called back."""

from __future__ import annotations

import pytest

from server.followup.record import survey_for, weighted_score
from server.followup.schedule import policy_for
from server.models import Ticket
from tests.conftest import build_app


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return build_app(
        tmp_path_factory.mktemp("surveys"),
        enabled=["home_appliances", "insurance", "power_utility"],
        extra_plugins=[],
    )


def _questions(app, plugin, service):
    with app.app_context():
        registry = app.extensions["aftersales"].registry
        return survey_for(registry, Ticket(plugin=plugin, service=service))


def test_insurance_asks_the_desk_four_questions_with_overall_counting_double(app):
    questions = _questions(app, "insurance", "claim_report")
    assert [(q.code, q.weight, q.kind) for q in questions] == [
        ("attitude", 1, "scale"),
        ("speed", 1, "scale"),
        ("clarity", 1, "scale"),
        ("overall", 2, "scale"),
    ]
    answers = {"attitude": 5, "speed": 3, "clarity": 4, "overall": 4}
    # (100 + 50 + 75 + 2 × 75) / 5
    assert weighted_score(questions, answers) == 75.0


def test_home_appliances_asks_the_field_visit_survey_after_a_repair(app):
    questions = _questions(app, "home_appliances", "repair")
    assert [q.code for q in questions] == [
        "arrived_in_window",
        "tidy_work",
        "fees_explained",
        "attitude",
    ]
    answers = {"arrived_in_window": False, "tidy_work": True, "fees_explained": True, "attitude": 3}
    # (2 × 0 + 1 × 100 + 2 × 100 + 2 × 50) / 7
    assert weighted_score(questions, answers) == round(400 / 7, 2)
    assert [q.code for q in _questions(app, "home_appliances", "exchange")] == ["attitude"]


def test_power_utility_asks_about_the_restoration_after_a_fault_repair(app):
    questions = _questions(app, "power_utility", "fault_repair")
    assert [(q.code, q.weight) for q in questions] == [
        ("restored_quickly", 2),
        ("cause_explained", 1),
        ("attitude", 1),
    ]
    answers = {"restored_quickly": 5, "cause_explained": False, "attitude": 4}
    # (2 × 100 + 0 + 75) / 4
    assert weighted_score(questions, answers) == 68.75


@pytest.mark.parametrize(
    ("plugin", "service", "schedules"),
    [
        ("insurance", "claim_report", True),
        ("insurance", "consultation", False),
        ("home_appliances", "repair", True),
        ("home_appliances", "consultation", False),
        ("home_appliances", "parts_sale", False),
        ("power_utility", "fault_repair", True),
        ("power_utility", "enquiry", False),
        ("power_utility", "outage", False),
    ],
)
def test_consultations_and_sales_are_not_called_back(app, plugin, service, schedules):
    with app.app_context():
        registry = app.extensions["aftersales"].registry
        policy = policy_for(registry, Ticket(plugin=plugin, service=service))
    assert policy.schedules is schedules
