"""The insurance plugin: every service form, real-name checks, policy servicing rules,
the policy-term entitlement and the plugin beside the other industries."""

from __future__ import annotations

import datetime as dt
import html

import pytest

from plugins.insurance import policy_term as ent
from plugins.insurance.realname import (
    resident_id_check,
    resident_id_error,
    uscc_check,
    uscc_error,
)
from server.models import Asset, Customer, Ticket
from server.sla.models import TicketSla
from server.tickets import NewTicket, create_ticket
from tests.conftest import build_app, ensure_user, logged_in

SLUG = "insurance"
TODAY = dt.date.today()
BUILT_INS = ["home_appliances", "tobacco_retail", "insurance", "power_utility", "it_outsourcing"]


@pytest.fixture
def in_app(tmp_path):
    return build_app(tmp_path, enabled=[SLUG], extra_plugins=[])


def ago(days: int) -> str:
    return (TODAY - dt.timedelta(days=days)).isoformat()


def _customer(app) -> int:
    with app.app_context():
        return Customer.create(name="恒泰建设集团有限公司", kind="company").id


CORE = {"title": "保险服务", "description": "", "priority": "normal", "channel": "phone"}
SERVICING = {
    "f_change_kind": "surrender",
    "f_documents_complete": "y",
    "f_change_details": "车辆转让后退保",
    "f_signed_by": "赵明",
    "f_signer_is_customer": "y",
}
VALID = {
    "claim_report": {
        "f_loss_date": ago(5),
        "f_insurance_line": "construction",
        "f_loss_estimate": "450000.00",
        "f_loss_description": "暴雨导致基坑边坡坍塌",
        "f_documents_complete_on": ago(2),
        "f_claim_decision_days": "45",
    },
    "loss_survey": {
        "f_survey_kind": "video",
        "f_site_contact_phone": "13671928035",
        "f_assessed_amount": "8600.00",
    },
    "policy_servicing": SERVICING,
    "consultation": {"f_topic": "coverage", "f_question": "顾客滑倒是否在保障范围内？"},
    "archive_borrowing": {
        "f_archive_kind": "claim_file",
        "f_purpose": "审计调阅",
        "f_return_by": ago(0),
    },
    "customer_training": {"f_training_topic": "安全生产与防灾减损", "f_attendees": "35"},
    "vip_visit": {
        "f_visit_count": "2",
        "f_premium_covered": "368000.00",
        "f_visit_notes": "沟通续保方案",
        "f_visit_outcome": "renewal_agreed",
    },
    "complaint": {"f_complaint_about": "claims", "f_complaint_details": "理赔进度缓慢"},
}
INVALID = [
    ("claim_report", {"f_loss_date": ""}, "loss_date", "required"),
    ("claim_report", {"f_insurance_line": "pets"}, "insurance_line", "valid choice"),
    ("claim_report", {"f_documents_complete_on": ago(6)}, "documents_complete_on", "earlier"),
    (
        "claim_report",
        {"f_documents_complete_on": "", "f_decision_on": ago(1)},
        "decision_on",
        "documents are complete first",
    ),
    (
        "claim_report",
        {"f_decision_on": ago(1), "f_agreement_on": ago(2)},
        "agreement_on",
        "earlier",
    ),
    ("claim_report", {"f_paid_on": ago(0)}, "paid_on", "agreement first"),
    ("claim_report", {"f_claim_decision_days": "0"}, "claim_decision_days", "between 1 and 365"),
    ("loss_survey", {"f_site_contact_phone": "1367192803"}, "site_contact_phone", "11-digit"),
    ("policy_servicing", {"f_documents_complete": ""}, "documents_complete", "complete"),
    ("policy_servicing", {"f_signer_is_customer": ""}, "signer_is_customer", "must sign"),
    ("policy_servicing", {"f_signed_by": ""}, "signed_by", "required"),
    ("policy_servicing", {"f_signed_by": "Dispatcher"}, "signed_by", "never sign"),
    ("policy_servicing", {"f_signed_by": "dispatcher"}, "signed_by", "never sign"),
    ("consultation", {"f_question": ""}, "question", "required"),
    ("archive_borrowing", {"f_purpose": ""}, "purpose", "required"),
    ("customer_training", {"f_attendees": "0"}, "attendees", "between 1 and 1000"),
    ("vip_visit", {"f_visit_count": "0"}, "visit_count", "between 1 and 100"),
    ("vip_visit", {"f_premium_covered": "-1"}, "premium_covered", ""),
    ("vip_visit", {"f_visit_outcome": ""}, "visit_outcome", ""),
    ("complaint", {"f_complaint_details": ""}, "complaint_details", "required"),
]


def _post(app, service: str, fields: dict) -> tuple[int, str]:
    client = logged_in(app, "dispatcher", "dispatcher")
    response = client.form(
        f"/tickets/new?customer={_customer(app)}",
        {"service": f"{SLUG}:{service}", **CORE, **fields},
        headers={"Accept-Language": "en"},
    )
    return response.status_code, html.unescape(response.get_data(as_text=True))


# --- the catalog and the forms -------------------------------------------------------


def test_the_plugin_alone_registers_its_whole_catalog(in_app):
    registry = in_app.extensions["aftersales"].registry
    assert {s.code for s in registry.services_of(SLUG)} == set(VALID)
    assert registry.industries[SLUG].ticket_prefix == "IN"
    assert {"in_id_kind", "in_id_number"} <= {f.name for f in registry.customer_fields}
    claim = registry.service(SLUG, "claim_report")
    line_field = next(f for f in claim.fields if f.name == "insurance_line")
    assert {key for key, _label in line_field.choices} == {
        "property_all_risks",
        "construction",
        "machinery_breakdown",
        "public_liability",
        "motor",
        "life",
    }


def test_labels_are_in_chinese_and_english(in_app):
    registry = in_app.extensions["aftersales"].registry
    for service in registry.services_of(SLUG):
        assert service.label.zh and service.label.en and service.label.zh != service.label.en
        for spec in service.fields:
            assert spec.label.zh and spec.label.en and spec.label.zh != spec.label.en


@pytest.mark.parametrize("service", sorted(VALID))
def test_every_service_form_accepts_valid_input(in_app, service):
    status, page = _post(in_app, service, VALID[service])
    assert status == 303, page
    with in_app.app_context():
        ticket = Ticket.get()
    assert (ticket.service, ticket.number[:3]) == (service, "IN-")
    for key, value in VALID[service].items():
        if value == "y":
            assert ticket.attributes[key[2:]] is True


@pytest.mark.parametrize(
    ("service", "changes", "field", "words"),
    INVALID,
    ids=[f"{s}-{f}-{i}" for i, (s, _c, f, _w) in enumerate(INVALID)],
)
def test_every_service_form_refuses_bad_input_next_to_the_field(
    in_app, service, changes, field, words
):
    status, page = _post(in_app, service, {**VALID[service], **changes})
    assert status == 422
    marker = f'<p class="error" id="f_{field}-error">'
    assert marker in page, page
    message = page[page.index(marker) : page.index("</p>", page.index(marker))]
    assert words in message
    with in_app.app_context():
        assert Ticket.select().count() == 0


def test_the_signer_check_compares_with_the_acting_staff_member_only(in_app):
    # Another staff member's name is not refused here: only the acting user is known.
    status, page = _post(in_app, "policy_servicing", {**SERVICING, "f_signed_by": "tech1"})
    assert status == 303, page


# --- real-name checks ----------------------------------------------------------------


def test_a_resident_id_check_digit_is_computed_per_the_standard():
    assert resident_id_check("11010519491231002") == "X"
    assert resident_id_error("11010519491231002X") is None
    assert resident_id_check("44030419900101123") == "3"


@pytest.mark.parametrize(
    ("number", "words"),
    [
        ("110105194912310021", "check character"),
        ("11010519491231002", "18 characters"),
        ("1101051949123100211", "18 characters"),
        ("11010519491231002x", "18 characters"),
        ("110105194902300028", "date of birth"),  # 30 February
        ("11010518991231002X", "out of range"),
    ],
)
def test_a_bad_resident_id_says_why(number, words):
    error = resident_id_error(number)
    assert error is not None and words in error.en and error.zh


def test_a_credit_code_check_character_is_computed_per_the_standard():
    assert uscc_error("91350100M000100Y43") is None
    assert uscc_check("91110000600037341") == "L"


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("91350100M000100Y44", "check character"),
        ("91350100M000100Y4", "18 characters"),
        ("91350100M000100I43", "18 characters"),  # I is not in the alphabet
        ("91350100m000100Y43", "18 characters"),
    ],
)
def test_a_bad_credit_code_says_why(code, words):
    error = uscc_error(code)
    assert error is not None and words in error.en and error.zh


COMPANY = {"name": "苏州金轮精密机械有限公司", "kind": "company", "tier": ""}


@pytest.mark.parametrize(
    ("kind", "number"), [("uscc", "91350100M000100Y43"), ("resident_id", "11010519491231002X")]
)
def test_a_customer_with_a_valid_real_name_document_is_saved(in_app, kind, number):
    client = logged_in(in_app, "dispatcher", "dispatcher")
    fields = {**COMPANY, "f_in_id_kind": kind, "f_in_id_number": number}
    response = client.form("/customers/new", fields)
    assert response.status_code == 303, response.get_data(as_text=True)
    with in_app.app_context():
        customer = Customer.get(Customer.name == COMPANY["name"])
    assert customer.attributes["in_id_number"] == number


@pytest.mark.parametrize(
    ("kind", "number", "field", "words"),
    [
        ("uscc", "91350100M000100Y44", "in_id_number", "check character"),
        ("resident_id", "91350100M000100Y43", "in_id_number", "17 digits"),
        ("resident_id", "110105194912310021", "in_id_number", "check character"),
        ("", "11010519491231002X", "in_id_kind", "Choose the kind"),
        ("uscc", "", "in_id_number", "Enter the document"),
    ],
)
def test_a_bad_real_name_document_is_refused_next_to_the_field(in_app, kind, number, field, words):
    client = logged_in(in_app, "dispatcher", "dispatcher")
    fields = {**COMPANY, "f_in_id_kind": kind, "f_in_id_number": number}
    response = client.form("/customers/new", fields, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    marker = f'<p class="error" id="f_{field}-error">'
    assert marker in page, page
    assert words in page[page.index(marker) : page.index("</p>", page.index(marker))]
    with in_app.app_context():
        assert not Customer.select().where(Customer.name == COMPANY["name"]).exists()


# --- entitlement: the policy in force on the date of loss ---------------------------

START, END = dt.date(2026, 3, 1), dt.date(2027, 2, 28)


@pytest.mark.parametrize(
    ("day", "status"),
    [
        (dt.date(2026, 2, 28), ent.INACTIVE),  # the day before the term
        (START, ent.ACTIVE),  # the first day
        (END, ent.ACTIVE),  # the last day
        (dt.date(2027, 3, 1), ent.INACTIVE),  # the day after
    ],
)
def test_the_policy_term_edges_are_included(day, status):
    result = ent.policy_on(day, START, END)
    assert result.status == status
    assert result.covered is (status == ent.ACTIVE)


def test_a_policy_without_its_term_is_unknown():
    assert ent.policy_on(START, None, END).status == ent.UNKNOWN


def _policy(app, customer, **attributes) -> Asset:
    with app.app_context():
        return Asset.create(
            customer=customer,
            plugin=SLUG,
            kind="policy",
            identifier="PCJZ202637010000000412",
            coverage_start=START,
            coverage_end=END,
            attributes=attributes,
        )


def claim_ticket(app, attributes: dict, reported: dt.datetime, asset_attributes=None, **kw):
    """A claim made through the core's create_ticket, on a policy of START–END."""
    registry = app.extensions["aftersales"].registry
    actor = ensure_user(app, "dispatcher", "dispatcher")
    with app.app_context():
        customer = Customer.create(name="恒泰建设集团有限公司", kind="company")
        asset = _policy(app, customer, **(asset_attributes or {}))
        new = NewTicket(
            industry=SLUG,
            service=registry.service(SLUG, kw.pop("service", "claim_report")),
            customer=customer,
            title="基坑边坡坍塌",
            asset=asset,
            attributes={
                "insurance_line": "construction",
                "loss_description": "暴雨",
                **attributes,
            },
            reported_at=reported,
            **kw,
        )
        return create_ticket(registry, new, actor, 2026, now=reported)


def sla_rows(app, ticket) -> dict[str, TicketSla]:
    with app.app_context():
        return {row.metric: row for row in TicketSla.select().where(TicketSla.ticket == ticket.id)}


@pytest.mark.parametrize(
    ("loss", "status"),
    [("2026-02-28", ent.INACTIVE), ("2026-03-01", ent.ACTIVE), ("2027-02-28", ent.ACTIVE)],
)
def test_the_claim_is_entitled_when_the_policy_is_active_on_the_loss_date(in_app, loss, status):
    ticket = claim_ticket(in_app, {"loss_date": loss}, dt.datetime(2027, 3, 5, 2, 0))
    row = sla_rows(in_app, ticket)["first_response"]
    assert row.entitlement == status
    assert loss in row.entitlement_reason


def test_a_ticket_without_a_policy_has_no_entitlement(in_app):
    status, _page = _post(in_app, "consultation", VALID["consultation"])
    assert status == 303
    with in_app.app_context():
        rows = list(TicketSla.select())
    assert rows and all(row.entitlement == "" for row in rows)
    assert {row.policy for row in rows} == {"in_standard"}


# --- beside the others ---------------------------------------------------------------


def test_all_five_plugins_enabled_together(tmp_path):
    app = build_app(tmp_path, enabled=BUILT_INS, extra_plugins=[])
    registry = app.extensions["aftersales"].registry
    assert set(BUILT_INS) <= set(registry.industries)
    prefixes = [registry.industries[name].ticket_prefix for name in BUILT_INS]
    assert len(set(prefixes)) == len(prefixes)
    status, page = _post(app, "claim_report", VALID["claim_report"])
    assert status == 303, page
    ticket = claim_ticket(app, {"loss_date": "2026-06-01"}, dt.datetime(2026, 6, 2))
    assert sla_rows(app, ticket)["claim_decision"].policy == "in_claims"
