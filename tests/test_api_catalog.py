"""The API's catalog (industries, services with their plugin fields) and its OpenAPI
document, generated from the same pydantic models that validate requests."""

from __future__ import annotations

import pytest

from server.api.attributes import AttributesInvalid, checked_attributes
from server.catalog import current_registry

ALL = ["home_appliances", "tobacco_retail", "insurance", "power_utility", "it_outsourcing"]


@pytest.fixture
def app(make_app):
    return make_app(enabled=ALL)


@pytest.fixture
def api(login_as):
    return login_as("dispatcher")


def test_industries_lists_every_enabled_plugin(api):
    body = api.get("/api/v1/industries").get_json()
    slugs = [item["slug"] for item in body["items"]]
    assert set(ALL) <= set(slugs)
    appliances = body["items"][slugs.index("home_appliances")]
    assert appliances["ticket_prefix"] == "HA"
    assert appliances["label"]["zh"] and appliances["label"]["en"]


def test_services_carry_their_fields_and_schema(api):
    body = api.get("/api/v1/services?industry=home_appliances").get_json()
    assert {item["industry"] for item in body["items"]} == {"home_appliances"}
    repair = next(item for item in body["items"] if item["code"] == "repair")
    names = [field["name"] for field in repair["fields"]]
    assert names and set(names) == set(repair["attributes_schema"]["properties"])
    assert repair["attributes_schema"]["additionalProperties"] is False
    choice = next(field for field in repair["fields"] if field["kind"] == "choice")
    assert choice["choices"] and {"key", "label"} <= set(choice["choices"][0])


def test_an_unknown_industry_is_a_field_error(api):
    response = api.get("/api/v1/services?industry=bakery")
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "invalid_request"
    assert "unknown industry" in body["fields"]["industry"][0]


def test_the_openapi_document_describes_every_route_of_the_api(app, api):
    doc = api.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"] == "3.1.0"
    documented = {
        (path, method.upper()) for path, methods in doc["paths"].items() for method in methods
    }
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi_json":
            path = rule.rule.removeprefix("/api/v1")
            for converter in ("<id:", "<int:", "<"):
                path = path.replace(converter, "{")
            path = path.replace(">", "}")
            routed |= {(path, method) for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert routed == documented
    # every $ref points at a schema that is there
    text = str(doc)
    for name in set(part.split("'")[0] for part in text.split("#/components/schemas/")[1:]):
        assert name in doc["components"]["schemas"], name
    for methods in doc["paths"].values():
        for op in methods.values():
            assert "401" in op["responses"] and "429" in op["responses"]


def test_plugin_fields_validate_as_the_form_would(app):
    with app.app_context():
        registry = current_registry()
        service = registry.service("home_appliances", "repair")
        with pytest.raises(AttributesInvalid) as refused:
            checked_attributes(registry, "home_appliances", service, {"nonsense": 1})
        assert "attributes.nonsense" in refused.value.fields
        schema_required = [f.name for f in service.fields if f.required and f.kind != "boolean"]
        for name in schema_required:
            assert f"attributes.{name}" in refused.value.fields


def test_text_fields_are_checked_as_sent_then_trimmed():
    from pydantic import ValidationError

    from server.api.attributes import model_for_specs
    from server.plugin_api import FieldSpec, Label

    model = model_for_specs(
        "Probe",
        [FieldSpec("serial", Label("序列号", "Serial"), required=True, max_length=5)],
    )
    assert model.model_validate({"serial": " AB1 "}).serial == "AB1"
    for refused in ("   ", "ABCDE ", "\x00AB"):
        with pytest.raises(ValidationError):
            model.model_validate({"serial": refused})
    # the document says the same: a visible character, at most five as sent
    schema = model.model_json_schema()["properties"]["serial"]
    assert schema["maxLength"] == 5 and schema["pattern"] == r"\S"


def test_a_pattern_mismatch_is_said_with_the_plugins_hint(app):
    with app.app_context():
        registry = current_registry()
        service = registry.service("home_appliances", "repair")
        spec = next(f for f in service.fields if f.name == "serial_no")
        with pytest.raises(AttributesInvalid) as refused:
            checked_attributes(registry, "home_appliances", service, {"serial_no": "bad!!"})
        assert refused.value.fields["attributes.serial_no"] == [spec.pattern_hint.en]
