"""All five built-in industries enabled at once: each keeps its own forms, numbers and SLA."""

from __future__ import annotations

import pytest

from server.models import Customer, Ticket
from server.sla.models import TicketSla
from tests import test_home_appliances as ha
from tests import test_insurance as ins
from tests import test_it_outsourcing as it
from tests import test_power_utility as pu
from tests import test_tobacco_retail as tr
from tests.conftest import build_app, logged_in

BUILT_INS = ["home_appliances", "tobacco_retail", "insurance", "power_utility", "it_outsourcing"]
# One service of each industry, its valid form fields, its prefix and its policies' prefix.
CASES = [
    ("home_appliances", "repair", ha.VALID["repair"], "HA-", "ha_"),
    ("tobacco_retail", "quality_complaint", tr.VALID["quality_complaint"], "TR-", "tr_"),
    ("insurance", "claim_report", ins.VALID["claim_report"], "IN-", "in_"),
    ("power_utility", "fault_repair", pu.VALID["fault_repair"], "PU-", "pu_"),
    ("it_outsourcing", "incident", it.FORMS["incident"], "IT-", "it_"),
]
CORE = {"title": "服务请求", "description": "", "priority": "normal", "channel": "phone"}


@pytest.fixture(scope="module")
def five(tmp_path_factory):
    return build_app(tmp_path_factory.mktemp("five"), enabled=BUILT_INS, extra_plugins=[])


@pytest.mark.parametrize(
    ("industry", "service", "fields", "prefix", "policy"), CASES, ids=[c[0] for c in CASES]
)
def test_each_industry_files_its_own_ticket_beside_the_other_four(
    five, industry, service, fields, prefix, policy
):
    client = logged_in(five, "dispatcher", "dispatcher")
    with five.app_context():
        customer = Customer.create(
            name="周国强",
            region="杭州市西湖区",
            tier="A",
            attributes={"tr_licence_no": "330105100237"} if industry == "tobacco_retail" else {},
        ).id
    form = client.get(f"/tickets/new?customer={customer}&service={industry}:{service}")
    assert form.status_code == 200
    response = client.form(
        f"/tickets/new?customer={customer}",
        {"service": f"{industry}:{service}", **CORE, **fields},
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    with five.app_context():
        ticket = Ticket.get(Ticket.customer == customer)
        policies = {row.policy for row in TicketSla.select().where(TicketSla.ticket == ticket)}
    assert (ticket.plugin, ticket.number[:3]) == (industry, prefix)
    assert policies and all(name.startswith(policy) for name in policies)


@pytest.mark.parametrize(
    "path",
    [
        "/dispatch",
        "/calendar",
        "/p/tobacco_retail/visits-due",
        "/p/it_outsourcing/availability",
        "/p/power_utility/providers",
    ],
)
def test_the_industries_pages_open_with_all_five_enabled(five, path):
    assert logged_in(five, "admin", "admin").get(path).status_code == 200
