"""The public request form (no login): services marked public, their fields minus the
internal ones, the customer matched or created, a web ticket, and the abuse limits."""

from __future__ import annotations

import re

import pytest

from server.auth import authenticate
from server.config import ConfigError, parse_config
from server.models import Customer, Ticket, TicketEvent, User
from server.public.intake import WEB_USERNAME
from server.sla.models import TicketSla
from server.testing import ensure_user
from tests.conftest import build_app

PLUGINS = ("home_appliances", "power_utility")
REPAIR = "/request/home_appliances/repair"
GOOD_REPAIR = {
    "name": "Li Wei",
    "phone": "138 0013 8000",
    "email": "li.wei@example.com",
    "address": "1 Garden Road",
    "f_repair_location": "on_site",
    "f_appliance_category": "refrigerator",
    "f_fault_description": "Does not cool any more",
    "f_fault_kind": "performance",
    "description": "Please call after 6 pm",
}


@pytest.fixture
def app(tmp_path):
    return build_app(tmp_path, PLUGINS, public={"enabled": True})


def counts(app) -> tuple[int, int, int]:
    with app.app_context():
        return Customer.select().count(), Ticket.select().count(), TicketEvent.select().count()


def only_ticket(app) -> Ticket:
    with app.app_context():
        (ticket,) = Ticket.select()
        return ticket


def test_the_list_shows_public_services_only(app):
    page = app.test_client().get("/request").get_data(as_text=True)
    assert "/request/home_appliances/repair" in page
    assert "/request/power_utility/fault_repair" in page
    # not public: a sale over the counter, a hotline outage record
    assert "/request/home_appliances/parts_sale" not in page
    assert "/request/power_utility/outage" not in page


def test_the_list_speaks_chinese_when_asked(app):
    page = app.test_client().get("/request", headers={"Accept-Language": "zh-CN"})
    text = page.get_data(as_text=True)
    assert "维修" in text and "申请服务" in text


def test_the_form_leaves_internal_fields_off(app):
    page = app.test_client().get(REPAIR).get_data(as_text=True)
    assert 'name="f_fault_kind"' in page
    for internal in ("f_region_class", "f_factory_return", "f_main_component"):
        assert f'name="{internal}"' not in page


def test_a_valid_request_creates_customer_and_web_ticket(app):
    client = app.test_client()
    response = client.form(REPAIR, GOOD_REPAIR)
    assert response.status_code == 303
    ticket = only_ticket(app)
    with app.app_context():
        assert ticket.channel == "web" and ticket.service == "repair"
        assert re.fullmatch(r"HA-\d{4}-000001", ticket.number)
        assert ticket.customer.phone == "138 0013 8000"
        assert ticket.attributes["fault_kind"] == "performance"
        assert ticket.attributes.get("region_class") is None
        assert TicketSla.select().where(TicketSla.ticket == ticket.id).count() >= 1
        created = TicketEvent.get(
            (TicketEvent.ticket == ticket.id) & (TicketEvent.kind == "created")
        )
        assert created.actor.username == WEB_USERNAME
    answer = client.get(response.headers["Location"]).get_data(as_text=True)
    assert ticket.number in answer and "/status" in answer


def test_a_required_internal_field_does_not_block_a_public_request(app):
    response = app.test_client().form(
        "/request/power_utility/fault_repair",
        {"name": "Zhao", "phone": "13900001111", "f_outage": "y"},
    )
    assert response.status_code == 303
    assert only_ticket(app).attributes.get("region_class") is None


@pytest.mark.parametrize(
    ("given", "how"),
    [({"phone": "+86 138-0013-8000"}, "phone"), ({"phone": "021 555 0000"}, "email")],
)
def test_an_existing_customer_is_matched_and_not_overwritten(app, given, how):
    with app.app_context():
        known = Customer.create(
            name="Li Wei (VIP)", phone="13800138000", email="Li.Wei@Example.com", address="Old"
        )
    response = app.test_client().form(REPAIR, {**GOOD_REPAIR, **given, "address": "New"})
    assert response.status_code == 303
    ticket = only_ticket(app)
    with app.app_context():
        assert Customer.select().count() == 1
        kept = Customer.get_by_id(known.id)
        assert (kept.name, kept.address, kept.phone) == ("Li Wei (VIP)", "Old", "13800138000")
        assert ticket.customer_id == known.id
        note = TicketEvent.get(
            (TicketEvent.ticket == ticket.id) & (TicketEvent.kind == "web_contact")
        )
        assert note.data["address"] == "New" and note.data["name"] == "Li Wei"
        assert ("phone" in note.data) is (how == "email")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"phone": ""}, "phone"),
        ({"phone": "call me"}, "phone"),
        ({"email": "not-an-email"}, "email"),
        ({"f_fault_kind": ""}, "f_fault_kind"),
        ({"f_fault_description": "x" * 2001}, "f_fault_description"),
    ],
)
def test_bad_input_is_shown_by_its_field_and_nothing_is_written(app, change, field):
    before = counts(app)
    response = app.test_client().form(REPAIR, {**GOOD_REPAIR, **change})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    assert 'value="Li Wei"' in page or change.get("name") == ""  # the input is kept
    assert counts(app) == before


def test_a_non_public_service_is_404(app):
    assert app.test_client().get("/request/home_appliances/parts_sale").status_code == 404
    assert app.test_client().get("/request/nope/repair").status_code == 404


def test_everything_is_404_when_switched_off(tmp_path):
    app = build_app(tmp_path, PLUGINS)  # [public] enabled defaults to false
    client = app.test_client()
    for path in ("/request", REPAIR, "/request/done", "/status", "/status/result"):
        assert client.get(path).status_code == 404
    assert client.post(REPAIR, data=GOOD_REPAIR).status_code == 404
    assert counts(app)[1] == 0


def test_a_filled_honeypot_looks_accepted_but_saves_nothing(app, caplog):
    before = counts(app)
    client = app.test_client()
    response = client.form(REPAIR, {**GOOD_REPAIR, "website": "http://spam.example"})
    assert response.status_code == 303
    answer = client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(r"HA-\d{4}-\d{6}", answer)
    assert counts(app) == before
    assert "honeypot" in caplog.text


def test_the_honeypot_is_hidden_from_people(app):
    page = app.test_client().get(REPAIR).get_data(as_text=True)
    assert re.search(r'<div class="hp-field" aria-hidden="true">', page)
    assert re.search(r'<input[^>]*autocomplete="off"[^>]*name="website"[^>]*tabindex="-1"', page)


def test_a_request_without_the_csrf_token_is_refused(app):
    response = app.test_client().post(REPAIR, data=GOOD_REPAIR)
    assert response.status_code == 400
    assert counts(app)[1] == 0
    assert "logout" not in response.get_data(as_text=True)  # the public layout


def test_an_oversized_body_is_413_and_saves_nothing(tmp_path):
    app = build_app(tmp_path, PLUGINS, public={"enabled": True, "max_body_bytes": 4096})
    response = app.test_client().form(REPAIR, {**GOOD_REPAIR, "description": "x" * 5000})
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)
    assert counts(app)[1] == 0


def test_submissions_over_the_limit_get_the_429_page(tmp_path):
    app = build_app(
        tmp_path,
        PLUGINS,
        public={"enabled": True, "submit_per_address": "2/hour"},
        rate_limits={"enabled": True},
    )
    client = app.test_client()
    statuses = [client.form(REPAIR, {**GOOD_REPAIR, "name": ""}).status_code for _ in range(3)]
    assert statuses == [422, 422, 429]
    refused = client.form(REPAIR, GOOD_REPAIR)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert counts(app)[1] == 0
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    assert other.form(REPAIR, GOOD_REPAIR).status_code == 303


def test_the_web_user_cannot_sign_in(app):
    with app.app_context():
        user = User.get(User.username == WEB_USERNAME)
        assert not user.active
        assert authenticate(WEB_USERNAME, "!") is None
        user.active = True
        user.save()
        assert authenticate(WEB_USERNAME, "!") is None


def test_public_pages_link_the_customer_areas_that_are_switched_on(app, tmp_path):
    page = app.test_client().get("/status").get_data(as_text=True)
    assert 'href="/request"' in page and 'href="/status"' in page
    assert 'href="/help"' not in page  # [kb] public is off in this app
    both = build_app(tmp_path / "both", PLUGINS, public={"enabled": True}, kb={"public": True})
    page = both.test_client().get("/request").get_data(as_text=True)
    assert 'href="/help"' in page and 'href="/status"' in page


def test_the_web_user_is_not_listed_or_edited_with_the_staff(app):
    from server.users import UserError, create_user

    ensure_user(app, "admin", "admin")
    client = app.test_client()
    assert client.login("admin").status_code == 303
    with app.app_context():
        web = User.get(User.username == WEB_USERNAME)
    assert WEB_USERNAME not in client.get("/admin/users").get_data(as_text=True)
    assert WEB_USERNAME not in client.get("/admin/users?format=csv").get_data(as_text=True)
    assert client.get(f"/admin/users/{web.id}").status_code == 404
    with app.app_context(), pytest.raises(UserError, match="may not start with '@'"):
        create_user("@robot", "a long unusual passphrase", "dispatcher")


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("enabled", "yes"),
        ("show_staff_names", 1),
        ("submit_per_address", "lots"),
        ("lookup_per_address", 5),
        ("max_body_bytes", 10),
        ("max_body_bytes", True),
        ("colour", "red"),
    ],
)
def test_a_bad_public_setting_is_a_one_line_error(key, value):
    with pytest.raises(ConfigError) as caught:
        parse_config({"public": {key: value}}, "x.toml")
    assert f"public.{key}" in str(caught.value) and "\n" not in str(caught.value)
