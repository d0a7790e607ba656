"""Contract tests for the hook API, and one test per hook (named test_hook_<name>)."""

from __future__ import annotations

import datetime as dt
import inspect
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from server import hookspecs
from server.catalog import current_registry
from server.config import ConfigError
from server.models import Asset, Customer, Ticket
from server.plugin_api import (
    ArticleSpec,
    CalendarSpec,
    DemoTicket,
    Industry,
    NavLink,
    Panel,
    Part,
    ReportInfo,
    UserInfo,
    hookimpl,
    label,
)
from server.sla.models import TicketSla
from server.snapshots import ticket_info
from server.tickets import NewTicket, create_ticket, transition_ticket
from tests.conftest import ensure_user
from tests.plugins.sample_plugin import SamplePlugin

SPECS = [
    (name, fn)
    for name, fn in inspect.getmembers(hookspecs, inspect.isfunction)
    if hasattr(fn, "aftersales_spec")
]


def test_every_hook_is_found():
    assert len(SPECS) >= 12


@pytest.mark.parametrize(("name", "spec"), SPECS, ids=[n for n, _ in SPECS])
def test_every_hookspec_documents_its_arguments_and_return(name, spec):
    doc = inspect.getdoc(spec) or ""
    assert doc.startswith("Called"), f"{name}: the docstring should open with when it is called"
    for parameter in inspect.signature(spec).parameters:
        assert f":param {parameter}:" in doc, f"{name}: :param {parameter}: is not documented"
    assert ":returns:" in doc, f"{name}: :returns: is not documented"


@pytest.mark.parametrize(("name", "spec"), SPECS, ids=[n for n, _ in SPECS])
def test_every_firstresult_hook_says_so(name, spec):
    if spec.aftersales_spec.get("firstresult"):
        assert "Stops at the first non-None result." in inspect.getdoc(spec)


@pytest.mark.parametrize("name", [n for n, _ in SPECS])
def test_every_hook_has_a_test_named_after_it(name):
    source = Path(__file__).read_text(encoding="utf-8")
    assert f"def test_hook_{name}(" in source


@pytest.mark.parametrize("name", [n for n, _ in SPECS])
def test_every_hook_is_in_the_plugin_guide(name):
    guide = Path(__file__).parent.parent / "docs" / "plugins.md"
    assert f"`{name}" in guide.read_text(encoding="utf-8")


def _guide_entries() -> dict[str, tuple[list[str], str, str]]:
    """Each hook's entry in the guide's reference: (arguments, return type, its text)."""
    guide = (Path(__file__).parent.parent / "docs" / "plugins.md").read_text(encoding="utf-8")
    reference = guide.split("## Hook reference", 1)[1].split("### Read-only helpers", 1)[0]
    entries = {}
    heads = list(re.finditer(r"^- `(\w+)\(([^)]*)\)`\s*→\s*`([^`]+)`", reference, re.M))
    for head, following in zip(heads, [*heads[1:], None], strict=True):
        text = reference[head.start() : following.start() if following else len(reference)]
        arguments = [a.strip() for a in head.group(2).split(",") if a.strip()]
        entries[head.group(1)] = (arguments, head.group(3), text)
    return entries


@pytest.mark.parametrize(("name", "spec"), SPECS)
def test_every_hooks_documented_signature_matches_its_spec(name, spec):
    entries = _guide_entries()
    assert name in entries, f"docs/plugins.md: no `- `{name}(…)` → `…`` entry in the reference"
    arguments, returns, text = entries[name]
    signature = inspect.signature(spec)
    assert arguments == list(signature.parameters), f"{name}: documented arguments differ"
    assert returns == signature.return_annotation, f"{name}: documented return type differs"
    assert "Example:" in text, f"{name}: the guide's entry has no example"


def test_the_guide_documents_no_hook_that_does_not_exist():
    assert set(_guide_entries()) <= {name for name, _ in SPECS}


def test_every_plugin_template_sits_under_its_slug_folder():
    root = Path(__file__).parent.parent / "plugins"
    for plugin in (p for p in root.iterdir() if (p / "__init__.py").exists()):
        templates = plugin / "templates"
        if not templates.exists():
            continue
        for path in templates.rglob("*"):
            if path.is_file() and path.name != ".gitkeep":
                assert path.relative_to(templates).parts[0] == plugin.name, path


# --- one test per hook ----------------------------------------------------------------


def _sample(app):
    return app.extensions["aftersales"].pm.get_plugin("sample")


def _new_ticket(app, serial="AB1234", service="repair", **attributes):
    registry = app.extensions["aftersales"].registry
    actor = ensure_user(app, "dispatcher", "dispatcher")
    with app.app_context():
        customer = Customer.create(name="王五")
        new = NewTicket(
            industry="sample",
            service=registry.service("sample", service),
            customer=customer,
            title="Broken",
            attributes={"serial": serial, **attributes},
        )
        return create_ticket(registry, new, actor, 2026)


def test_hook_register_industry(app):
    industry = app.extensions["aftersales"].registry.industries["sample"]
    assert (industry.slug, industry.ticket_prefix) == ("sample", "SP")


def test_hook_register_industry_receives_the_plugins_own_settings(make_app):
    app = make_app(plugin={})  # no [plugin.sample] table: settings are empty
    assert app.extensions["aftersales"].registry.industries["sample"].version == "1.0"


def test_hook_register_service_catalog(app):
    registry = app.extensions["aftersales"].registry
    assert [s.code for s in registry.services_of("sample")] == ["repair", "consult", "install"]


def test_hook_register_asset_kinds(app):
    assert ("sample", "gadget") in app.extensions["aftersales"].registry.asset_kinds


def test_hook_register_calendars(app):
    calendars = app.extensions["aftersales"].registry.calendars
    assert {"sample_hours", "24x7"} <= set(calendars)
    start = dt.datetime(2026, 11, 19, 16, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert calendars["sample_hours"].add(start, 2 * 3600).hour == 9  # 16–17 h, then 8–9 h


def test_hook_register_calendars_is_overridden_by_the_config(make_app):
    app = make_app(sla={"calendars": {"sample_hours": {"weekdays": ["10:00-11:00"]}}})
    calendar = app.extensions["aftersales"].registry.calendars["sample_hours"]
    assert calendar.weekly[0] == ((dt.time(10), dt.time(11)),)


def test_hook_register_calendars_with_a_bad_calendar_names_the_plugin(make_app):
    class BadCalendar(SamplePlugin):
        @hookimpl
        def register_calendars(self):
            return [CalendarSpec("broken", "Asia/Shanghai", {"weekdays": ("18:00-09:00",)})]

    with pytest.raises(ConfigError, match=r"plugin 'sample'.*ends before it starts"):
        make_app(extra_plugins=[("sample", BadCalendar())])


def test_hook_register_sla_policies(app):
    registry = app.extensions["aftersales"].registry
    names = [policy.name for policy in registry.industry_policies["sample"]]
    assert names == ["sample_warranty", "sample_standard"]


def test_hook_entitlement(app):
    ticket = _new_ticket(app, purchase_date="2026-06-01")
    with app.app_context():
        [row, *_] = TicketSla.select().where(TicketSla.ticket == ticket.id)
    assert (row.policy, row.entitlement) == ("sample_warranty", "in_warranty")
    assert "sample policy: entitlements in_warranty" in row.policy_reason
    with app.app_context():
        from server.sla.engine import ticket_entitlement

        assert ticket_entitlement(current_registry(), ticket).covered is True


def test_hook_register_parts(app):
    registry = app.extensions["aftersales"].registry
    assert [p.code for p in registry.parts_of("sample")] == [
        "FUSE-5A",
        "BOARD-01",
        "CABLE-2M",
        "BRACKET",
    ]
    # a part limited to some services is offered for those only
    assert "BRACKET" not in [p.code for p in registry.parts_of("sample", "repair")]
    assert registry.part("sample", "BOARD-01").price_cents == 32000


def test_hook_register_parts_refuses_a_code_twice(make_app):
    class TwiceOver(SamplePlugin):
        @hookimpl
        def register_parts(self):
            return [Part("X1", label("甲", "A"), 100), Part("X1", label("乙", "B"), 200)]

    with pytest.raises(ConfigError, match="plugin 'sample': part code 'X1' registered twice"):
        make_app(extra_plugins=[("sample", TwiceOver())])


def test_hook_validate_report(app, login_as):
    ticket = _new_ticket(app)
    client = login_as("supervisor")
    response = client.form(
        f"/tickets/{ticket.number}/report",
        {"outcome": "resolved_by_phone", "customer_name": "王五", "labour_hours": "0"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="diagnosis-error"' in page
    assert "The sample plugin needs a diagnosis for every repair." in page
    calls = [c for c in _sample(app).calls if c[0] == "validate_report"]
    assert isinstance(calls[-1][1], ReportInfo) and calls[-1][1].outcome == "resolved_by_phone"


def test_hook_register_articles(make_app):
    class WithArticles(SamplePlugin):
        @hookimpl
        def register_articles(self, settings):
            return [ArticleSpec("sample-reset", "en", "Reset it", "Hold **reset**.", "repair")]

    app = make_app(extra_plugins=[("sample", WithArticles())])
    with app.app_context():
        from server.kb.models import KbArticle

        article = KbArticle.get(KbArticle.slug == "sample-reset")
    assert (article.plugin, article.category, article.status) == ("sample", "repair", "published")


def test_hook_register_migrations(app):
    with app.app_context():
        from server.db import database

        database.execute_sql("INSERT INTO sample_note (text) VALUES ('ok')")
        from server.migrations import applied

        assert applied("sample") == {1}


def test_hook_customer_form_fields(app, login_as):
    client = login_as("dispatcher")
    page = client.get("/customers/new").get_data(as_text=True)
    assert 'name="f_loyalty_no"' in page


def test_hook_validate_customer(app, login_as):
    client = login_as("dispatcher")
    data = {"name": "Reserved Ltd", "kind": "company", "tier": "normal", "f_loyalty_no": "000000"}
    response = client.form("/customers/new", data)
    assert response.status_code == 422
    assert "Loyalty number 000000 is reserved." in response.get_data(as_text=True)
    with app.app_context():
        assert not Customer.select().where(Customer.name == "Reserved Ltd").exists()
    assert client.form("/customers/new", {**data, "f_loyalty_no": "123"}).status_code == 303
    with app.app_context():
        customer = Customer.get(Customer.name == "Reserved Ltd")
    edit = client.form(f"/customers/{customer.id}/edit", data)
    assert edit.status_code == 422
    with app.app_context():
        assert Customer.get_by_id(customer.id).attributes["loyalty_no"] == "123"


def test_hook_demo_tickets(app):
    from server.plugins import call_on

    pm = app.extensions["aftersales"].pm
    templates = [t for r in call_on(pm, "sample", "demo_tickets", settings={}) for t in r]
    assert all(isinstance(t, DemoTicket) for t in templates) and len(templates) == 2


def test_hook_ticket_form_fields(app, login_as):
    client = login_as("dispatcher")
    with app.app_context():
        customer = Customer.create(name="赵六")
    page = client.get(f"/tickets/new/fields?customer={customer.id}&service=sample:consult")
    assert 'name="f_topic"' in page.get_data(as_text=True)


def test_hook_validate_ticket(app, login_as):
    client = login_as("dispatcher")
    with app.app_context():
        customer = Customer.create(name="赵六")
    response = client.form(
        f"/tickets/new?customer={customer.id}",
        {
            "service": "sample:repair",
            "title": "x",
            "priority": "normal",
            "channel": "phone",
            "f_serial": "BAD0000",
        },
    )
    assert response.status_code == 422
    assert "This serial number is blacklisted." in response.get_data(as_text=True)
    with app.app_context():
        assert Ticket.select().count() == 0


def test_hook_before_transition(make_app):
    # Closing here is by hand, so the core's callback rule is switched off for the veto.
    app = make_app(callbacks={"required": False})
    ticket = _new_ticket(app, serial="HOLD0000")
    actor = ensure_user(app, "dispatcher", "dispatcher")
    with app.app_context():
        registry = current_registry()
        ticket = transition_ticket(registry, ticket, ticket.version, "resolved", actor)
        from server.tickets import TransitionRefused

        with pytest.raises(TransitionRefused, match="holds this ticket open"):
            transition_ticket(registry, ticket, ticket.version, "closed", actor)
        assert Ticket.get_by_id(ticket.id).status == "resolved"


def test_hook_after_transition(app):
    ticket = _new_ticket(app)
    actor = ensure_user(app, "dispatcher", "dispatcher")
    with app.app_context():
        transition_ticket(current_registry(), ticket, ticket.version, "resolved", actor)
    assert ("after_transition", (ticket.number, "new", "resolved", "dispatcher")) in _sample(
        app
    ).calls


def test_hook_ticket_created(app):
    ticket = _new_ticket(app)
    assert ("ticket_created", ticket.number) in _sample(app).calls


def test_hook_menu_links(app, login_as):
    client = login_as("technician")
    page = client.get("/tickets").get_data(as_text=True)
    assert 'href="/sample-link"' in page
    pm = app.extensions["aftersales"].pm
    with app.test_request_context():
        links = [
            link for r in pm.hook.menu_links(user=UserInfo(1, "t", "T", "technician")) for link in r
        ]
    assert all(isinstance(link, NavLink) for link in links)


def test_hook_ticket_detail_panels(app, login_as):
    ticket = _new_ticket(app, serial="PANEL01")
    client = login_as("dispatcher")
    page = client.get(f"/tickets/{ticket.number}", headers={"Accept-Language": "zh-CN"})
    page = page.get_data(as_text=True)
    assert "样例面板" in page and "PANEL01" in page  # the panel's title in the page's language
    with app.app_context():
        registry = current_registry()
        panels = registry.ticket_hook("sample", "ticket_detail_panels")(ticket=ticket_info(ticket))
    assert isinstance(panels[0][0], Panel)


def test_hook_register_blueprints(app, login_as):
    response = login_as("technician").get("/p/sample/hello")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "hello from the sample plugin"
    assert app.view_functions["sample_pages.hello"].required_permission == "customer.view"


def test_hook_register_blueprints_refuses_an_unknown_permission(make_app):
    from flask import Blueprint

    from server.plugin_api import PluginBlueprint

    class Pages:
        @hookimpl
        def register_industry(self):
            return None

        @hookimpl
        def register_blueprints(self):
            return [PluginBlueprint(Blueprint("pages", __name__), "everything")]

    with pytest.raises(ConfigError, match="not a core permission"):
        make_app(extra_plugins=[("pages", Pages())])


_LIFT_CATALOG = """\
msgid ""
msgstr ""
"Language: zh_CN\\n"
"Content-Type: text/plain; charset=utf-8\\n"

msgid "Lift register"
msgstr "电梯台账"

msgid "Log out"
msgstr "注销"
"""


def test_hook_register_translations(make_app, tmp_path):
    from flask import Blueprint, render_template_string

    from server import i18n
    from server.plugin_api import PluginBlueprint

    folder = tmp_path / "lift_translations"
    (folder / "zh_CN" / "LC_MESSAGES").mkdir(parents=True)
    (folder / "zh_CN" / "LC_MESSAGES" / "messages.po").write_text(_LIFT_CATALOG, "utf-8")

    class Lifts:
        @hookimpl
        def register_industry(self):
            return None

        @hookimpl
        def register_translations(self):
            return str(folder)

        @hookimpl
        def register_blueprints(self):
            pages = Blueprint("lift_pages", __name__)
            pages.add_url_rule(
                "/register", "register", lambda: render_template_string('{{ _("Lift register") }}')
            )
            return [PluginBlueprint(pages, "ticket.view")]

    app = make_app(extra_plugins=[("lifts", Lifts())])
    client = app.test_client()
    client.login(ensure_user(app, "tech", "technician").username)
    chinese = client.get("/p/lifts/register", headers={"Accept-Language": "zh-CN"})
    assert chinese.get_data(as_text=True) == "电梯台账"  # the plugin's page, its own catalog
    english = client.get("/p/lifts/register", headers={"Accept-Language": "en"})
    assert english.get_data(as_text=True) == "Lift register"  # no catalog: the source text
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert i18n.gettext("Lift register") == "电梯台账"
        assert i18n.gettext("Log in") == "登录"  # only the core translates it: the core's
        assert i18n.gettext("Log out") == "注销"  # both do: the plugin's, read after the core's
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert i18n.gettext("Log out") == "Log out"


def test_per_ticket_hooks_skip_other_industries(make_app):
    from tests.plugins.sample_plugin import SamplePlugin

    class OtherIndustry(SamplePlugin):
        @hookimpl
        def register_industry(self):
            return Industry("other", label("其他", "Other"), "OT")

        @hookimpl
        def customer_form_fields(self):
            return []

        @hookimpl
        def register_migrations(self):
            return []

        @hookimpl
        def register_blueprints(self):
            return []  # blueprint names are unique across plugins

        @hookimpl
        def register_sla_policies(self):
            return []

    other = OtherIndustry()
    app = make_app(extra_plugins=[("sample", SamplePlugin()), ("other", other)])
    _new_ticket(app)
    assert not [c for c in other.calls if c[0] == "ticket_created"]


def test_assets_are_plain_rows_for_plugins(app):
    with app.app_context():
        customer = Customer.create(name="x")
        asset = Asset.create(customer=customer, plugin="sample", kind="gadget", identifier="G1")
        assert asset.attributes == {}


def test_ticket_snapshots_say_since_when_the_status_holds(app):
    ticket = _new_ticket(app)
    actor = ensure_user(app, "dispatcher", "dispatcher")
    registry = app.extensions["aftersales"].registry
    moved = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    with app.app_context():
        assert ticket_info(Ticket.get_by_id(ticket.id)).status_since is not None
        fresh = Ticket.get_by_id(ticket.id)
        transition_ticket(registry, fresh, fresh.version, "cancelled", actor, now=moved)
        assert ticket_info(Ticket.get_by_id(ticket.id)).status_since == moved


def test_hook_derive_priority(app):
    from server.tickets import edit_ticket

    chosen = _new_ticket(app, serial="AB1234")
    assert chosen.priority == "normal"  # no answer: the chosen priority stays
    derived = _new_ticket(app, serial="PRIO0000")
    assert derived.priority == "urgent"  # the plugin's answer replaces the form's choice
    actor = ensure_user(app, "dispatcher", "dispatcher")
    with app.app_context():
        edited = edit_ticket(
            current_registry(),
            chosen,
            chosen.version,
            {"priority": "low"},
            {"serial": "PRIO0000"},
            actor,
        )
    assert edited.priority == "urgent"  # an edit is derived again from the new fields


def test_hook_survey_questions(app, login_as):
    from server.followup.models import Callback
    from server.followup.record import survey_for

    ticket = _new_ticket(app)
    actor = ensure_user(app, "dispatcher", "dispatcher")
    with app.app_context():
        transition_ticket(current_registry(), ticket, ticket.version, "resolved", actor)
        questions = survey_for(current_registry(), Ticket.get_by_id(ticket.id))
        callback = Callback.get(Callback.ticket == ticket.id)
    assert [(q.code, q.weight, q.kind) for q in questions] == [
        ("speed", 3, "scale"),
        ("tidy", 1, "yes_no"),
    ]
    page = login_as("dispatcher").get(
        f"/callbacks/{callback.id}", headers={"Accept-Language": "zh-CN"}
    )
    page = page.get_data(as_text=True)
    assert 'name="q_speed"' in page and "整洁" in page  # the label in the page's language
