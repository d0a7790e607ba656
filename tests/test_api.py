"""The JSON API so far: SLA policies and the SLA preview; JSON errors everywhere."""

from __future__ import annotations

import pytest

from server.permissions import PERMISSIONS

PLAIN = {
    "calendars": {"office": {"holidays": "china", "weekdays": ["09:00-12:00", "13:00-18:00"]}},
    "policies": {
        "std": {
            "label_zh": "标准",
            "label_en": "Standard",
            "first_response": {"calendar": "24x7", "minutes": {"normal": 60}},
            "resolution": {
                "calendar": "office",
                "minutes": {"normal": 480, "urgent": 120},
                "pause_statuses": ["waiting_customer"],
                "escalation": [{"percent": 100, "notify": "supervisor"}],
            },
        }
    },
}


@pytest.fixture
def app(make_app):
    return make_app(sla=PLAIN)


@pytest.fixture
def api(login_as):
    return login_as("dispatcher")


def preview(client, **body):
    payload = {"policy": "std", "priority": "normal", "reported_at": "2026-02-13T17:00:00+08:00"}
    payload.update(body)
    return client.post("/api/v1/sla/preview", json=payload)


def test_preview_counts_chinas_make_up_days_and_lunch(api):
    response = preview(api)
    assert response.status_code == 200
    body = response.get_json()
    assert body["policy"] == "std"
    # 8 working hours from Fri 13 Feb 17:00: 1 h, then on Sat 14 Feb (a make-up day)
    # 3 h before lunch and 4 h after → 17:00
    assert body["metrics"]["resolution"] == {
        "due": "2026-02-14T17:00:00+08:00",
        "calendar": "office",
        "target_minutes": 480,
        "paused_minutes": 0.0,
    }
    assert body["metrics"]["first_response"]["due"] == "2026-02-13T18:00:00+08:00"


def test_a_pause_with_a_status_moves_only_the_metrics_it_pauses(api):
    pause = {
        "start": "2026-02-14T09:00:00+08:00",
        "end": "2026-02-14T11:00:00+08:00",
        "status": "waiting_customer",
    }
    body = preview(api, pauses=[pause]).get_json()
    # two working hours paused on the make-up Saturday: resolution moves from 17:00 by
    # 2 h — one that day, one after the Spring Festival holidays → Tue 24 Feb 10:00
    assert body["metrics"]["resolution"]["due"] == "2026-02-24T10:00:00+08:00"
    assert body["metrics"]["resolution"]["paused_minutes"] == 120
    assert body["metrics"]["first_response"]["due"] == "2026-02-13T18:00:00+08:00"


def test_a_priority_without_a_target_leaves_that_metric_out(api):
    body = preview(api, priority="urgent").get_json()
    assert set(body["metrics"]) == {"resolution"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"policy": "nope"}, "policy"),
        ({"priority": "asap"}, "priority"),
        ({"reported_at": "yesterday"}, "reported_at"),
        ({"reported_at": "2026-02-13T17:00:00"}, "reported_at"),  # no UTC offset
        (
            {
                "pauses": [
                    {"start": "2026-02-14T11:00:00+08:00", "end": "2026-02-14T09:00:00+08:00"}
                ]
            },
            "pauses.0",
        ),
        ({"pauses": "none"}, "pauses"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_preview_input_is_422_with_a_reason_per_field(api, body, field):
    response = preview(api, **body)
    assert response.status_code == 422
    payload = response.get_json()
    assert payload["error"] == "invalid_request" and payload["fields"][field]


def test_a_body_that_is_not_json_is_422(api):
    response = api.post("/api/v1/sla/preview", data="policy=std")
    assert response.status_code == 422
    assert response.get_json()["error"] == "invalid_request"


def test_policies_lists_targets_calendars_and_pauses(api):
    body = api.get("/api/v1/sla/policies").get_json()
    std = next(p for p in body["policies"] if p["name"] == "std")
    assert std["label"] == {"zh": "标准", "en": "Standard"}
    assert std["metrics"]["resolution"] == {
        "calendar": "office",
        "target_minutes": {"normal": 480, "urgent": 120},
        "pause_statuses": ["waiting_customer"],
        "escalation": [{"percent": 100, "notify": "supervisor"}],
    }
    assert {p["name"] for p in body["policies"]} >= {"std", "sample_standard"}


@pytest.mark.parametrize("role", sorted(PERMISSIONS))
def test_every_staff_role_may_read_sla_data(login_as, role):
    client = login_as(role)
    assert client.get("/api/v1/sla/policies").status_code == 200
    assert preview(client).status_code == 200


@pytest.mark.parametrize(
    ("method", "url"), [("GET", "/api/v1/sla/policies"), ("POST", "/api/v1/sla/preview")]
)
def test_anonymous_callers_get_401_json(client, method, url):
    response = client.open(url, method=method, json={})
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"


def test_unknown_api_paths_are_404_json(api):
    response = api.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json() == {
        "error": "not_found",
        "message": "There is no such page or record.",
        "fields": {},
    }


def test_wrong_method_is_405_json(api):
    response = api.get("/api/v1/sla/preview")
    assert response.status_code == 405
    assert response.get_json()["error"] == "method_not_allowed"


def test_the_calculator_page_shows_the_same_deadlines(login_as):
    client = login_as("supervisor")
    page = client.get(
        "/admin/sla/calculator?policy=std&priority=normal&reported_at=2026-02-13T17:00"
    ).get_data(as_text=True)
    assert "2026-02-14 17:00 +0800" in page  # as the JSON preview says


def test_the_calculator_applies_a_pause(login_as):
    client = login_as("supervisor")
    page = client.get(
        "/admin/sla/calculator?policy=std&priority=normal&reported_at=2026-02-13T17:00"
        "&pause_1-start=2026-02-14T09:00&pause_1-end=2026-02-14T11:00"
        "&pause_1-status=waiting_customer"
    ).get_data(as_text=True)
    assert "2026-02-24 10:00 +0800" in page and "2h" in page


def test_the_calculator_explains_bad_input(login_as):
    client = login_as("supervisor")
    response = client.get(
        "/admin/sla/calculator?policy=std&priority=normal&reported_at=2026-02-13T17:00"
        "&pause_2-start=2026-02-14T11:00&pause_2-end=2026-02-14T09:00"
    )
    assert response.status_code == 422
    assert "Must be after the start of the pause." in response.get_data(as_text=True)


def test_the_calculator_is_for_supervisors_and_admins(login_as):
    assert login_as("dispatcher").get("/admin/sla/calculator").status_code == 403


def test_the_calculator_takes_several_pauses(login_as):
    client = login_as("admin")
    page = client.get(
        "/admin/sla/calculator?policy=std&priority=normal&reported_at=2026-02-13T17:00"
        "&pause_1-start=2026-02-14T09:00&pause_1-end=2026-02-14T10:00"
        "&pause_3-start=2026-02-14T13:00&pause_3-end=2026-02-14T14:00"
    ).get_data(as_text=True)
    # two one-hour pauses (every metric): resolution moves from Sat 17:00 to Tue 24 Feb 10:00
    assert "2026-02-24 10:00 +0800" in page
