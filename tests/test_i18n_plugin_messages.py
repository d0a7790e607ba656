"""The built-in plugins' messages for people are Label(zh, en) pairs: good Chinese for the
pages, English for the JSON API (the core picks the side).

The functions behind the hooks are asked directly; the pages that show these messages
are the plugins' own tests (in English, through ``str()``).
"""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest

from plugins.home_appliances import followup, proof
from plugins.home_appliances import rules as home_rules
from plugins.home_appliances.settings import parse as home_settings
from plugins.insurance import rules as insurance_rules
from plugins.it_outsourcing import panels as it_panels
from plugins.it_outsourcing import rules as it_rules
from plugins.it_outsourcing.settings import parse as it_settings
from plugins.power_utility.providers import Provider, maintenance_errors
from plugins.tobacco_retail import rules as tobacco_rules
from server.plugin_api import CustomerInfo, Label, TicketInfo, Veto
from server.templating import translate

_CJK = "\u4e00-\u9fff"


def _ticket(plugin: str, service: str, status: str = "new", **attributes) -> TicketInfo:
    return TicketInfo(
        id=1,
        number="X-2026-000001",
        plugin=plugin,
        service=service,
        status=status,
        priority="normal",
        customer=CustomerInfo(1, "客户", "person", "", "normal"),
        asset_id=None,
        assignee_id=None,
        reported_at=dt.datetime(2026, 3, 10, 2, 0),
        attributes=attributes,
        status_since=dt.datetime(2026, 3, 2, 2, 0),
    )


def _service(code: str) -> SimpleNamespace:
    return SimpleNamespace(code=code)


def _is_pair(message: object) -> bool:
    """A Label with Chinese on its zh side and none on its en side."""
    return (
        isinstance(message, Label)
        and re.search(f"[{_CJK}]", message.zh) is not None
        and re.search(f"[{_CJK}]", message.en) is None
        and " / " not in message.zh
    )


def _all_pairs(errors: dict[str, list[object]] | None) -> list[str]:
    assert errors, "expected errors"
    messages = [message for found in errors.values() for message in found]
    assert all(_is_pair(message) for message in messages), messages
    return [message.en for message in messages]


def test_it_outsourcing_errors_and_veto_are_pairs():
    ticket = _ticket("it_outsourcing", "incident", support_line="second")
    assert _all_pairs(it_rules.ticket_errors(_service("incident"), ticket)) == [
        "Give the reason for escalating to the second line."
    ]
    veto = it_rules.change_veto(_ticket("it_outsourcing", "change_request"), "in_progress")
    assert isinstance(veto, Veto) and _is_pair(veto.reason)
    assert veto.reason.zh == "变更尚未经主管批准"
    contract = CustomerInfo(
        None,
        "瑞信",
        "company",
        "",
        "normal",
        {"it_contract_tier": "gold", "it_contract_start": "2026-03-31"},
    )
    english = _all_pairs(it_rules.contract_errors(contract))
    assert "A contract needs its tier, start and end." in english


def test_it_outsourcing_panel_rows_are_pairs():
    ticket = _ticket(
        "it_outsourcing", "change_request", impact="high", urgency="high", support_line="second"
    )
    [panel] = it_panels.service_desk_panel(it_settings({}), ticket)
    names = [name for name, _value in panel.rows]
    assert all(_is_pair(name) for name in names)
    assert [name.zh for name in names] == ["优先级（影响×紧急）", "支持线", "变更审批"]


def test_power_utility_errors_are_pairs():
    provider = Provider("湘电检修", "4-1-00123-2021", ("repair",), dt.date(2026, 3, 1), {})
    service = _service("contracted_maintenance")
    unknown = _ticket("power_utility", "contracted_maintenance", provider_name="别家")
    assert _all_pairs(maintenance_errors(service, unknown, [provider], "Asia/Shanghai")) == [
        "This provider is not in the provider register."
    ]
    no_licence = _ticket(
        "power_utility", "contracted_maintenance", provider_name="湘电检修", licence_type="test"
    )
    errors = maintenance_errors(service, no_licence, [provider], "Asia/Shanghai")
    assert errors == {
        "licence_type": [Label("湘电检修 没有承试类许可证。", "湘电检修 holds no testing licence.")]
    }
    expired = _ticket(
        "power_utility", "contracted_maintenance", provider_name="湘电检修", licence_type="repair"
    )
    [message] = maintenance_errors(service, expired, [provider], "Asia/Shanghai")["provider_name"]
    assert message.zh == "湘电检修 的许可证已于 2026-03-01 到期。"


def test_tobacco_retail_complaint_errors_are_pairs():
    service = _service("quality_complaint")
    no_amount = _ticket("tobacco_retail", "quality_complaint", outcome="compensated")
    assert _all_pairs(tobacco_rules.complaint_outcome_errors(service, no_amount)) == [
        "Enter the compensation paid."
    ]
    wrong = _ticket("tobacco_retail", "quality_complaint", outcome="replaced", compensation="50")
    [message] = tobacco_rules.complaint_outcome_errors(service, wrong)["outcome"]
    assert message.zh == "有赔偿金额时处理结果应为“赔偿”。"


def test_home_appliances_errors_veto_and_panels_are_pairs():
    veto = home_rules.repair_resolution_veto(_ticket("home_appliances", "repair"), "resolved")
    assert veto is not None and _is_pair(veto.reason)
    short = _ticket("home_appliances", "install", install_address="北京")
    assert _all_pairs(home_rules.install_site_errors(_service("install"), short))
    bad = _ticket(
        "home_appliances",
        "repair",
        purchase_date="2026-03-01",
        extended_warranty_years=9,
        extended_warranty_bought_on="2026-02-01",
    )
    english = _all_pairs(
        home_rules.extended_warranty_errors(_service("repair"), bad, home_settings({}))
    )
    assert "The extended warranty cannot be bought before the appliance." in english
    waiting = _ticket("home_appliances", "repair", status="waiting_parts")
    [panel] = followup.panels(waiting, home_settings({}), today=dt.date(2026, 3, 30))
    assert all(_is_pair(name) for name, _value in panel.rows)
    overdue = next(value for _name, value in panel.rows if isinstance(value, Label))
    assert overdue.zh.endswith("（已逾期）")
    noted = _ticket("home_appliances", "repair", proof_of_purchase=True)
    [panel] = proof.panels(noted)
    assert all(_is_pair(text) for row in panel.rows for text in row)


@pytest.mark.parametrize(
    ("attributes", "field", "zh"),
    [
        ({"in_id_number": "110105194912310021"}, "in_id_kind", "请选择该号码的证件类型。"),
        ({"in_id_kind": "uscc"}, "in_id_number", "请填写证件号码。"),
        (
            {"in_id_kind": "resident_id", "in_id_number": "110105194912310021"},
            "in_id_number",
            "号码无效：校验码不符（有数字输错）。",
        ),
    ],
)
def test_insurance_customer_errors_are_pairs(attributes, field, zh):
    customer = CustomerInfo(None, "张三", "person", "", "normal", attributes)
    errors = insurance_rules.customer_errors(customer)
    _all_pairs(errors)
    assert errors[field][0].zh == zh


def test_insurance_claim_and_servicing_errors_are_pairs():
    claim = insurance_rules.claim_errors({"decision_on": "2026-03-10"})
    assert claim["decision_on"][0] == Label(
        "请先填写索赔资料齐全日期。", "Record the date the documents are complete first."
    )
    staff = SimpleNamespace(username="li", display_name="李四")
    english = _all_pairs(insurance_rules.servicing_errors({"signed_by": "李四"}, staff))
    assert "Staff may never sign for the customer." in english


def test_a_label_shows_in_the_page_language_and_a_string_as_it_is(app):
    """What the contract needs from the core's ``translate`` (a plugin's str still works)."""
    message = Label("请填写证件号码。", "Enter the document's number.")
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert translate(message) == "请填写证件号码。"
        assert translate("Third-party plugin text") == "Third-party plugin text"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert translate(message) == "Enter the document's number."
