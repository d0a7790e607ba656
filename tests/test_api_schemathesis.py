"""Schemathesis against the live ``/api/v1/openapi.json``: every documented operation,
fuzzed with an admin's token on an app with all five plugins and demo data, must never
answer with a server error, an undocumented status or content type, or a body that
does not match the document. Operations added later are covered without touching this
file. Bounded (derandomized, few examples) so it stays a normal part of the suite.
"""

from __future__ import annotations

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from server import models
from server.demo import create_demo_data
from server.testing import api_headers

ALL = ["home_appliances", "tobacco_retail", "insurance", "power_utility", "it_outsourcing"]

CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    # (not negative_data_rejection: lists ignore query parameters they do not know, on
    # purpose, and it counts that as accepting invalid data)
    # a wrong method is a 405 with Allow, not a 200 or a 500
    unsupported_method,
    # the token is really checked: without it, every operation is a 401
    ignored_auth,
]

# Few examples per operation, always the same ones: a failure here is reproducible.
BOUNDED = hypothesis.settings(
    max_examples=12,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def fuzzed_app(make_app):
    app = make_app(enabled=ALL)
    with app.app_context():
        # customers, assets and tickets with low ids, so id lookups hit real rows
        create_demo_data(app, per_plugin=2, seed=1)
    return app


@pytest.fixture
def admin_headers(fuzzed_app):
    return api_headers(fuzzed_app, "fuzzer", "admin")


@pytest.fixture
def api_schema(fuzzed_app, admin_headers):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzzed_app, headers=admin_headers)


def existing_ids(app, operation):
    """A real row's id for each ``<name>_id`` path parameter (the lowest ``Name`` id), so
    cases reach stored records rather than only 404s; None when the path has no ids."""
    names = [p.name for p in operation.path_parameters if p.name.endswith("_id")]
    if not names:
        return None
    ids = {}
    with app.app_context():
        for name in names:
            model = getattr(models, name[:-3].title().replace("_", ""), None)
            row = model.select(model.id).order_by(model.id).first() if model else None
            ids[name] = row.id if row is not None else 1
    return ids


def _fuzz(operation, mode, headers, path_parameters=None):
    """Run ``operation``'s generated cases; the first failure's report, or None."""
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)

    @hypothesis.given(case=strategy)
    @BOUNDED
    def run(case):
        case.call_and_validate(headers=headers, checks=CHECKS)

    try:
        run()
    except Exception as exc:  # every kind of failure is reported, operation by operation
        return f"{operation.label} ({mode.value}): {exc}"
    return None


# schemathesis' own pytest integration (``schema.parametrize()``) does not run on
# pytest 9.2 yet, so the operations are walked here: one run each, failures collected.
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_keeps_to_the_document(fuzzed_app, api_schema, admin_headers, mode):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 8
    runs = [(operation, None) for operation in operations]
    # again with ids of stored rows in the path, so the bodies are fuzzed past the 404
    runs += [
        (operation, ids)
        for operation in operations
        if (ids := existing_ids(fuzzed_app, operation)) is not None
    ]
    failures = [
        report
        for operation, ids in runs
        if (report := _fuzz(operation, mode, admin_headers, ids)) is not None
    ]
    assert not failures, "\n\n".join(failures)


@pytest.fixture
def api_state_machine(api_schema, admin_headers):
    machine = api_schema.as_state_machine()

    class Machine(machine):  # type: ignore[misc,valid-type]
        def get_call_kwargs(self, case):
            return {"headers": admin_headers}

        def validate_response(self, response, case, additional_checks=(), **kwargs):
            case.validate_response(response, checks=CHECKS[:5])

    return Machine


def test_linked_calls_keep_to_the_document(api_state_machine):
    """Stateful: a created customer is read back, changed and given assets by id."""
    api_state_machine.run(
        settings=hypothesis.settings(
            max_examples=20,
            stateful_step_count=5,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
    )
