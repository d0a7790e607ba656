"""The permission matrix: every role (and anonymous) against every endpoint.

What is expected is computed from server.permissions (PERMISSIONS, role_can, OWN_TICKETS_ONLY),
never copied by hand, so changing the table changes what these tests demand.
"""

import datetime as dt
import io
import itertools
import uuid
from dataclasses import dataclass
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from werkzeug.datastructures import FileStorage

from server.api_tokens import issue_token
from server.attachments import save_attachment
from server.auth import hash_password, is_public_endpoint
from server.complaints.ledger import open_complaint
from server.customers import save_customer
from server.dispatch.outlets import save_outlet
from server.followup.models import Callback
from server.kb.articles import save_article
from server.kb.models import KB_MODELS
from server.models import CORE_MODELS, Customer, Ticket, User
from server.permissions import OWN_TICKETS_ONLY, PERMISSIONS, role_can
from server.tickets import NewTicket, assign_ticket, create_ticket
from server.users import update_user
from server.webhooks.models import WEBHOOK_MODELS, WebhookDelivery
from server.webhooks.outbox import send_ping
from server.webhooks.registry import create_webhook
from tests.conftest import PASSWORD, build_app

ROLES = tuple(PERMISSIONS)
_serial = itertools.count(1)


@dataclass
class World:
    app: object
    password_hash: str
    users: dict  # role -> user id
    customer_id: int
    spare_user_id: int
    attachment_id: int
    outlet_id: int
    first_ticket: str = ""


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """One app per module (fast); every test gets its own ticket from ``ctx``."""
    # with every built-in plugin, so their own pages are in the matrix too
    app = build_app(
        tmp_path_factory.mktemp("permissions"),
        enabled=[
            "home_appliances",
            "tobacco_retail",
            "insurance",
            "power_utility",
            "it_outsourcing",
        ],
    )
    password_hash = hash_password(PASSWORD)
    with app.app_context():
        users = {
            role: User.create(
                username=role, display_name=role.title(), password_hash=password_hash, role=role
            ).id
            for role in ROLES
        }
        spare = User.create(
            username="spare", display_name="Spare", password_hash=password_hash, role="technician"
        )
        customer = save_customer(None, {"name": "Fixture customer"}, {})
        ticket = _new_ticket(app, customer, User.get_by_id(users["admin"]))
        # the technician's own job, so its attachment is one they may download
        Ticket.update(assignee=users["technician"]).where(Ticket.id == ticket.id).execute()
        ticket = Ticket.get_by_id(ticket.id)
        upload = FileStorage(io.BytesIO(b"hello"), filename="hello.txt")
        attachment = save_attachment(
            app.extensions["aftersales"].config, upload, User.get_by_id(users["admin"]), ticket
        )
        outlet = save_outlet(None, {"name": "Matrix outlet"})
    return World(
        app, password_hash, users, customer.id, spare.id, attachment.id, outlet.id, ticket.number
    )


def _new_ticket(app, customer, actor, assignee=None):
    registry = app.extensions["aftersales"].registry
    new = NewTicket(
        industry="sample",
        service=registry.service("sample", "repair"),
        customer=customer,
        title="Fixture ticket",
        attributes={"serial": "AB1234"},
    )
    ticket = create_ticket(registry, new, actor, 2026)
    if assignee is not None:
        ticket = assign_ticket(registry, ticket, ticket.version, assignee, "", actor)
    return ticket


def make_ticket(world, assignee_role="technician", assignee_username=None):
    """A fresh ticket; assigned to the user of ``assignee_role`` (None: unassigned)."""
    with world.app.app_context():
        admin = User.get_by_id(world.users["admin"])
        assignee = None
        if assignee_username is not None:
            assignee = User.get(User.username == assignee_username)
        elif assignee_role is not None:
            assignee = User.get_by_id(world.users[assignee_role])
        # with an address (the customer edit in the matrix may have cleared it), so the
        # callback page can mail a survey link
        Customer.update(email="fixture@example.com").where(
            Customer.id == world.customer_id
        ).execute()
        customer = Customer.get_by_id(world.customer_id)
        ticket = _new_ticket(world.app, customer, admin, assignee)
        # a pending callback on it (as resolving would schedule), for the callback pages
        callback = Callback.create(ticket=ticket, due_at=ticket.created_at)
        return {"number": ticket.number, "version": ticket.version, "callback": callback.id}


def client_for(world, role):
    """A client logged in as ``role`` (None: anonymous), without paying for a password check."""
    client = world.app.test_client()
    if role is not None:
        with world.app.app_context():
            epoch = User.get_by_id(world.users[role]).session_epoch  # "sign out elsewhere"
        with client.session_transaction() as session:
            session["uid"] = world.users[role]
            session["epoch"] = epoch
    return client


# --- the endpoints ------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str  # placeholders: {ticket} {customer} {user} {attachment}
    permission: str | None  # None: any logged-in user
    data: object = None  # callable(ctx) -> form data for POSTs

    @property
    def on_ticket(self):
        return "{ticket}" in self.path

    def url(self, ctx):
        return self.path.format(**ctx)

    def payload(self, ctx):
        return self.data(ctx) if self.data else {}


def _file(_ctx):
    return {"file": (io.BytesIO(b"some notes"), "notes.txt")}


def _ticket_edit(ctx):
    return {
        "title": "Edited title",
        "description": "",
        "priority": "normal",
        "channel": "phone",
        "asset_id": "",
        "reported_at": "",
        "version": ctx["version"],
        "f_serial": "AB1234",
    }


def _new_user(_ctx):
    return {
        "username": f"user{uuid.uuid4().hex[:10]}",
        "display_name": "New user",
        "role": "technician",
        "team": "",
        "locale": "",
        "active": "y",
        "password": "long-enough-password",
    }


def _spare_user(_ctx):
    return {
        "username": "spare",
        "display_name": "Spare",
        "role": "technician",
        "team": "",
        "locale": "",
        "active": "y",
        "password": "",
    }


def _consent(_ctx):
    # The fixture ticket has no entitlement: a 2.50 fuse and an hour at 80.00 are charged.
    return {
        "part_1-code": "FUSE-5A",
        "part_1-quantity": "1",
        "labour_hours": "1",
        "action": "consent",
        "shown_total": "82.50",
        "consent_name": "Fixture customer",
        "agrees": "y",
    }


def _appointment(_ctx):
    day = dt.date.today() + dt.timedelta(days=2)
    return {"date": day.isoformat(), "start": "10:00", "end": "12:00", "reason": ""}


ENDPOINTS = (
    Endpoint("home", "GET", "/", None),
    Endpoint("queue", "GET", "/tickets", "ticket.view"),
    Endpoint("new ticket", "GET", "/tickets/new", "ticket.create"),
    Endpoint(
        "new ticket fields",
        "GET",
        "/tickets/new/fields?customer={customer}&service=sample:repair",
        "ticket.create",
    ),
    Endpoint("ticket", "GET", "/tickets/{ticket}", "ticket.view"),
    Endpoint("ticket edit page", "GET", "/tickets/{ticket}/edit", "ticket.edit"),
    Endpoint("customers", "GET", "/customers", "customer.view"),
    Endpoint("new customer page", "GET", "/customers/new", "customer.edit"),
    Endpoint("customer", "GET", "/customers/{customer}", "customer.view"),
    Endpoint("customer edit page", "GET", "/customers/{customer}/edit", "customer.edit"),
    Endpoint("assets export", "GET", "/assets/export", "customer.view"),
    Endpoint("users", "GET", "/admin/users", "user.manage"),
    Endpoint("import page", "GET", "/admin/import", "customer.import"),
    Endpoint(
        "import dry run",
        "POST",
        "/admin/import/check",
        "customer.import",
        lambda ctx: {
            "kind": "customers",
            "file": (io.BytesIO(b"name,phone\nMatrix import,\n"), "customers.csv"),
        },
    ),
    Endpoint(
        "import run",
        "POST",
        "/admin/import/run",
        "customer.import",
        lambda ctx: {"kind": "customers", "token": "0" * 32},
    ),
    Endpoint("new user page", "GET", "/admin/users/new", "user.manage"),
    Endpoint("user page", "GET", "/admin/users/{user}", "user.manage"),
    Endpoint("attachment download", "GET", "/attachments/{attachment}", "ticket.view"),
    Endpoint("sla calculator", "GET", "/admin/sla/calculator", "sla.calculate"),
    Endpoint("outlets", "GET", "/admin/outlets", "dispatch.manage"),
    Endpoint("new outlet page", "GET", "/admin/outlets/new", "dispatch.manage"),
    Endpoint(
        "create outlet",
        "POST",
        "/admin/outlets/new",
        "dispatch.manage",
        lambda ctx: {"name": f"Outlet {uuid.uuid4().hex[:8]}", "kind": "own", "grade": "B"},
    ),
    Endpoint("outlet page", "GET", "/admin/outlets/{outlet}", "dispatch.manage"),
    Endpoint(
        "edit outlet",
        "POST",
        "/admin/outlets/{outlet}",
        "dispatch.manage",
        lambda ctx: {"name": "Matrix outlet", "kind": "own", "grade": "B", "active": "y"},
    ),
    Endpoint("technicians", "GET", "/admin/technicians", "dispatch.manage"),
    Endpoint("technician page", "GET", "/admin/technicians/{technician}", "dispatch.manage"),
    Endpoint(
        "edit technician",
        "POST",
        "/admin/technicians/{technician}",
        "dispatch.manage",
        lambda ctx: {"outlet": "", "regions": "north"},
    ),
    Endpoint("dispatch board", "GET", "/dispatch", "ticket.assign"),
    Endpoint(
        "assign from the board",
        "POST",
        "/dispatch/assign",
        "ticket.assign",
        lambda ctx: {"number": ctx["ticket"], "version": ctx["version"], "assignee": "spare"},
    ),
    Endpoint(
        "assign by rule from the board",
        "POST",
        "/dispatch/auto",
        "ticket.assign",
        lambda ctx: {"number": ctx["ticket"], "version": ctx["version"]},
    ),
    Endpoint("assign all shown by rule", "POST", "/dispatch/auto-all", "ticket.assign"),
    # everyone logged in reads (and clears) only their own notifications
    Endpoint("notifications", "GET", "/notifications", None),
    Endpoint("mark notifications read", "POST", "/notifications/read", None),
    # everyone logged in manages only their own API tokens (tests/test_api_tokens.py)
    Endpoint("API tokens", "GET", "/account/tokens", None),
    Endpoint("make an API token", "POST", "/account/tokens", None, lambda ctx: {"name": "m"}),
    Endpoint("revoke an API token", "POST", "/account/tokens/999999/revoke", None),
    # every user's tokens, for admins ({token}: a fresh token of the spare user)
    Endpoint("every user's API tokens", "GET", "/admin/tokens", "token.manage"),
    Endpoint("one user's API tokens", "GET", "/admin/tokens?user=spare", "token.manage"),
    Endpoint("revoke anyone's API token", "POST", "/admin/tokens/{token}/revoke", "token.manage"),
    Endpoint(
        "create ticket",
        "POST",
        "/tickets/new?customer={customer}",
        "ticket.create",
        lambda ctx: {
            "service": "sample:repair",
            "title": "Broken",
            "priority": "normal",
            "channel": "phone",
            "f_serial": "AB1234",
        },
    ),
    Endpoint("edit ticket", "POST", "/tickets/{ticket}/edit", "ticket.edit", _ticket_edit),
    Endpoint(
        "transition",
        "POST",
        "/tickets/{ticket}/transition",
        "ticket.transition",
        lambda ctx: {"to": "in_progress", "note": "", "version": ctx["version"]},
    ),
    Endpoint(
        "assign",
        "POST",
        "/tickets/{ticket}/assign",
        "ticket.assign",
        lambda ctx: {"assignee": str(ctx["technician"]), "team": "", "version": ctx["version"]},
    ),
    Endpoint(
        "comment",
        "POST",
        "/tickets/{ticket}/comment",
        "ticket.comment",
        lambda ctx: {"text": "A comment"},
    ),
    Endpoint("ticket attachment", "POST", "/tickets/{ticket}/attachments", "ticket.attach", _file),
    Endpoint(
        "create customer",
        "POST",
        "/customers/new",
        "customer.edit",
        lambda ctx: {"name": "Created customer", "kind": "person", "tier": "normal"},
    ),
    Endpoint(
        "edit customer",
        "POST",
        "/customers/{customer}/edit",
        "customer.edit",
        lambda ctx: {"name": "Fixture customer", "kind": "person", "tier": "normal"},
    ),
    Endpoint(
        "add asset",
        "POST",
        "/customers/{customer}/assets",
        "customer.edit",
        lambda ctx: {"kind": "sample:gadget", "identifier": "TV1234"},
    ),
    Endpoint(
        "customer attachment", "POST", "/customers/{customer}/attachments", "customer.edit", _file
    ),
    Endpoint("create user", "POST", "/admin/users/new", "user.manage", _new_user),
    Endpoint("edit user", "POST", "/admin/users/{user}", "user.manage", _spare_user),
    Endpoint("quote page", "GET", "/tickets/{ticket}/quote", "report.file"),
    Endpoint("report page", "GET", "/tickets/{ticket}/report", "report.file"),
    Endpoint("record quote consent", "POST", "/tickets/{ticket}/quote", "report.file", _consent),
    Endpoint(
        "file report",
        "POST",
        "/tickets/{ticket}/report",
        "report.file",
        lambda ctx: {
            "outcome": "resolved_by_phone",
            "diagnosis": "Loose plug",
            "labour_hours": "0",
            "customer_name": "Fixture customer",
        },
    ),
    Endpoint("calendar", "GET", "/calendar", "ticket.view"),
    Endpoint("kpi dashboard", "GET", "/kpi", "kpi.view"),
    Endpoint("kpi export", "GET", "/kpi?table=groups&format=csv", "kpi.view"),
    Endpoint("my jobs", "GET", "/my/jobs", "ticket.view"),
    Endpoint(
        "one-tap move",
        "POST",
        "/my/jobs/{ticket}/move",
        "ticket.transition",
        lambda ctx: {"number": ctx["ticket"], "version": ctx["version"], "to": "en_route"},
    ),
    Endpoint(
        "set appointment",
        "POST",
        "/tickets/{ticket}/appointment",
        "appointment.set",
        _appointment,
    ),
    # linked tickets: put the fresh ticket under the module's first ticket, or take it out
    Endpoint(
        "link ticket",
        "POST",
        "/tickets/{ticket}/link",
        "ticket.assign",
        lambda ctx: {"parent": ctx["first"]},
    ),
    Endpoint("unlink ticket", "POST", "/tickets/{ticket}/unlink", "ticket.assign"),
    # a plugin's page (tests/plugins/sample_plugin.py), guarded by the permission it names
    Endpoint("plugin page", "GET", "/p/sample/hello", "customer.view"),
    Endpoint("tobacco visits due", "GET", "/p/tobacco_retail/visits-due", "customer.view"),
    Endpoint("power providers", "GET", "/p/power_utility/providers", "ticket.view"),
    Endpoint("it availability", "GET", "/p/it_outsourcing/availability", "customer.view"),
    Endpoint("callback queue", "GET", "/callbacks", "callback.make"),
    Endpoint("callback form", "GET", "/callbacks/{callback}", "callback.make"),
    Endpoint(
        "record a callback attempt",
        "POST",
        "/callbacks/{callback}",
        "callback.make",
        lambda ctx: {"reached": "no", "comment": "", "outcome": "", "version": ctx["version"]},
    ),
    Endpoint("send a survey link", "POST", "/callbacks/{callback}/survey-link", "callback.make"),
    # the complaint ledger: {complaint} is a fresh complaint at its record stage
    Endpoint("complaints", "GET", "/complaints", "complaint.manage"),
    Endpoint("new complaint page", "GET", "/complaints/new", "complaint.manage"),
    Endpoint(
        "record complaint",
        "POST",
        "/complaints/new",
        "complaint.manage",
        lambda ctx: {"channel": "phone", "category": "other", "description": "Rude"},
    ),
    Endpoint("complaint", "GET", "/complaints/{complaint}", "complaint.manage"),
    Endpoint(
        "finish complaint stage",
        "POST",
        "/complaints/{complaint}/step",
        "complaint.manage",
        lambda ctx: {"stage": "record", "note": "Checked"},
    ),
    Endpoint(
        "hand over complaint",
        "POST",
        "/complaints/{complaint}/owner",
        "complaint.reassign",
        lambda ctx: {"owner": str(ctx["dispatcher"])},
    ),
    # printable papers (server/views/printables.py): who may see the record may print it
    Endpoint("service slip", "GET", "/tickets/{ticket}/slip", "ticket.view"),
    Endpoint("service slip PDF", "GET", "/tickets/{ticket}/slip.pdf", "ticket.view"),
    Endpoint("callback record", "GET", "/callbacks/{callback}/record", "callback.make"),
    Endpoint("callback record PDF", "GET", "/callbacks/{callback}/record.pdf", "callback.make"),
    Endpoint("complaint record", "GET", "/complaints/{complaint}/record", "complaint.manage"),
    Endpoint(
        "complaint record PDF", "GET", "/complaints/{complaint}/record.pdf", "complaint.manage"
    ),
    # merit points: everyone sees the overview (their own row unless they manage points);
    # another person's statement needs merit.manage (one's own: tests/test_merit_pages.py)
    Endpoint("merit overview", "GET", "/merit", "merit.view"),
    Endpoint("merit statement of another", "GET", "/merit/{user}", "merit.manage"),
    Endpoint("new merit entry page", "GET", "/merit/new", "merit.manage"),
    Endpoint(
        "enter merit entry",
        "POST",
        "/merit/new",
        "merit.manage",
        lambda ctx: {"user": str(ctx["user"]), "level": "commendation", "reason": "Matrix"},
    ),
    Endpoint("outlet grading", "GET", "/grading", "kpi.view"),
    # webhooks: admins only (tests/test_webhooks_pages.py)
    Endpoint("webhooks", "GET", "/admin/webhooks", "webhook.manage"),
    Endpoint("new webhook page", "GET", "/admin/webhooks/new", "webhook.manage"),
    Endpoint(
        "register webhook",
        "POST",
        "/admin/webhooks/new",
        "webhook.manage",
        lambda ctx: {"url": "https://example.com/hooks", "events": "ticket.created"},
    ),
    Endpoint("webhook page", "GET", "/admin/webhooks/{webhook}", "webhook.manage"),
    Endpoint(
        "edit webhook",
        "POST",
        "/admin/webhooks/{webhook}",
        "webhook.manage",
        lambda ctx: {"url": "https://example.com/h", "events": "callback.done", "active": "y"},
    ),
    Endpoint("rotate webhook secret", "POST", "/admin/webhooks/{webhook}/rotate", "webhook.manage"),
    Endpoint("webhook deliveries", "GET", "/admin/webhooks/{webhook}/deliveries", "webhook.manage"),
    Endpoint(
        "retry webhook delivery",
        "POST",
        "/admin/webhooks/{webhook}/deliveries/{delivery}/retry",
        "webhook.manage",
    ),
    Endpoint("send webhook test event", "POST", "/admin/webhooks/{webhook}/ping", "webhook.manage"),
    # the knowledge base: {article} is a fresh published staff-only article
    Endpoint("knowledge base", "GET", "/kb", "kb.view"),
    Endpoint("knowledge base article", "GET", "/kb/{article}", "kb.view"),
    Endpoint("new article page", "GET", "/kb/new", "kb.edit"),
    Endpoint("write article", "POST", "/kb/new", "kb.edit", lambda ctx: _article_form(ctx)),
    Endpoint("edit article page", "GET", "/kb/{article}/edit", "kb.edit"),
    Endpoint(
        "edit article",
        "POST",
        "/kb/{article}/edit",
        "kb.edit",
        lambda ctx: {**_article_form(ctx), "slug": ctx["article"], "version": "1"},
    ),
    Endpoint(
        "withdraw article",
        "POST",
        "/kb/{article}/status",
        "kb.edit",
        lambda ctx: {"status": "draft", "version": "1"},
    ),
    Endpoint(
        "link article to ticket",
        "POST",
        "/tickets/{ticket}/kb/link",
        "ticket.comment",
        lambda ctx: {"article": ctx["article"]},
    ),
    Endpoint(
        "unlink article from ticket",
        "POST",
        "/tickets/{ticket}/kb/unlink",
        "ticket.comment",
        lambda ctx: {"article": ctx["article"]},
    ),
    Endpoint(
        "resolved by guidance",
        "POST",
        "/tickets/{ticket}/kb/resolve",
        "ticket.transition",
        lambda ctx: {"article": ctx["article"], "version": ctx["version"], "note": ""},
    ),
    Endpoint("log out", "POST", "/logout", None),
    Endpoint("audit log", "GET", "/admin/audit", "audit.view"),
    Endpoint("filtered audit log", "GET", "/admin/audit?action=user.create&page=2", "audit.view"),
    # everyone changes only their own password (the POST: tests/test_security.py, since a
    # change here would change the password the other tests log in with)
    Endpoint("change own password page", "GET", "/account/password", None),
    Endpoint("sign out everywhere else", "POST", "/account/sessions/end", None),
)
POSTS = tuple(e for e in ENDPOINTS if e.method == "POST")


def allowed(role, endpoint):
    return endpoint.permission is None or role_can(role, endpoint.permission)


def _cases(want_allowed):
    return [
        pytest.param(role, endpoint, id=f"{role}-{endpoint.name}")
        for role in ROLES
        for endpoint in ENDPOINTS
        if allowed(role, endpoint) == want_allowed
    ]


def context(world, ticket):
    return {
        "ticket": ticket["number"],
        "version": ticket["version"],
        "customer": world.customer_id,
        "user": world.spare_user_id,
        "attachment": world.attachment_id,
        "technician": world.users["technician"],
        "outlet": world.outlet_id,
        "first": world.first_ticket,
        "callback": ticket["callback"],
        "complaint": _new_complaint(world),
        "dispatcher": world.users["dispatcher"],
        **_new_webhook(world),
        "token": _new_token(world),
        "article": _new_article(world),
    }


def _article_form(_ctx):
    return {
        "title": "Matrix article",
        "slug": f"matrix-{uuid.uuid4().hex[:10]}",
        "language": "en",
        "visibility": "staff",
        "plugin": "",
        "category": "",
        "service": "",
        "body_markdown": "Check the **fuse**.",
    }


def _new_article(world):
    """A fresh published staff-only article (version 1)."""
    with world.app.app_context():
        fields = {**_article_form(None), "status": "published"}
        return save_article(None, fields, User.get_by_id(world.users["admin"])).slug


def _new_webhook(world):
    """A fresh webhook (inactive: nothing is ever sent) with one failed delivery."""
    with world.app.app_context():
        admin = User.get_by_id(world.users["admin"])
        hook = create_webhook("https://example.com/hooks", ["ticket.created"], admin, "", False)
        delivery = send_ping(hook)
        WebhookDelivery.update(status="failed").where(WebhookDelivery.id == delivery.id).execute()
        return {"webhook": hook.id, "delivery": delivery.id}


def _new_token(world):
    """A fresh API token of the spare user."""
    with world.app.app_context():
        return issue_token(User.get_by_id(world.spare_user_id), "Fixture token")[0].id


def _new_complaint(world):
    """A fresh complaint (at its record stage), owned by the dispatcher."""
    with world.app.app_context():
        owner = User.get_by_id(world.users["dispatcher"])
        return open_complaint(
            channel="phone", category="other", description="Fixture complaint", owner=owner
        ).number


def call(client, endpoint, ctx):
    if endpoint.method == "GET":
        return client.get(endpoint.url(ctx))
    return client.form(endpoint.url(ctx), endpoint.payload(ctx))


def is_allowed_status(status):
    return 200 <= status < 400


# --- the matrix ---------------------------------------------------------------------


@pytest.mark.parametrize(("role", "endpoint"), _cases(True))
def test_role_with_the_permission_is_let_through(world, role, endpoint):
    ctx = context(world, make_ticket(world))  # assigned to the technician: their own ticket
    response = call(client_for(world, role), endpoint, ctx)
    assert is_allowed_status(response.status_code), response.get_data(as_text=True)[:2000]


@pytest.mark.parametrize(("role", "endpoint"), _cases(False))
def test_role_without_the_permission_is_refused_with_403(world, role, endpoint):
    ctx = context(world, make_ticket(world))
    response = call(client_for(world, role), endpoint, ctx)
    assert response.status_code == 403


@pytest.mark.parametrize(
    "endpoint", [e for e in ENDPOINTS if e.method == "GET"], ids=lambda e: e.name
)
def test_anonymous_get_is_sent_to_login_with_next(world, endpoint):
    ctx = context(world, make_ticket(world))
    response = client_for(world, None).get(endpoint.url(ctx))
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    assert parse_qs(location.query)["next"] == [endpoint.url(ctx)]


@pytest.mark.parametrize("endpoint", POSTS, ids=lambda e: e.name)
def test_anonymous_post_is_refused_with_401(world, endpoint):
    ctx = context(world, make_ticket(world))
    before = snapshot(world.app)
    response = call(client_for(world, None), endpoint, ctx)
    assert response.status_code == 401
    assert snapshot(world.app) == before


def test_every_guarded_route_is_in_the_matrix(world):
    adapter = world.app.url_map.bind("localhost")
    ctx = context(world, make_ticket(world))
    covered = set()
    for endpoint in ENDPOINTS:
        path = urlsplit(endpoint.url(ctx)).path
        covered.add((adapter.match(path, method=endpoint.method)[0], endpoint.method))
    with world.app.app_context():
        public = {
            r.endpoint for r in world.app.url_map.iter_rules() if is_public_endpoint(r.endpoint)
        }
    routes = {
        (rule.endpoint, method)
        for rule in world.app.url_map.iter_rules()
        if rule.endpoint not in public
        # the JSON API answers with JSON, not pages: its matrix is in tests/test_api.py
        and not rule.endpoint.startswith("api.")
        # needs a ticket of a service with a readiness condition: tests/test_readiness.py
        and rule.endpoint != "tickets.readiness"
        for method in rule.methods - {"HEAD", "OPTIONS"}
        # changing one's own password (any logged-in user): tests/test_security.py
        if (rule.endpoint, method) != ("account.password", "POST")
    }
    assert routes - covered == set()


@pytest.mark.parametrize(
    "endpoint",
    # The download view checks ticket.view itself, by what the file belongs to; the
    # statement view requires merit.view and wants merit.manage for someone else's.
    [
        e
        for e in ENDPOINTS
        if e.permission and e.name not in ("attachment download", "merit statement of another")
    ],
    ids=lambda e: e.name,
)
def test_matrix_permission_is_the_one_the_view_requires(world, endpoint):
    """The matrix's permission per endpoint is what the view itself declares."""
    ctx = context(world, make_ticket(world))
    adapter = world.app.url_map.bind("localhost")
    name, _args = adapter.match(urlsplit(endpoint.url(ctx)).path, method=endpoint.method)
    view = world.app.view_functions[name]
    assert getattr(view, "required_permission", None) == endpoint.permission


# --- own tickets only ---------------------------------------------------------------

OWN_RULE_CASES = [
    pytest.param(role, endpoint, owner, id=f"{role}-{endpoint.name}-{owner or 'unassigned'}")
    for role in OWN_TICKETS_ONLY
    for endpoint in ENDPOINTS
    if endpoint.on_ticket
    for owner in (None, "spare")
]


@pytest.mark.parametrize(("role", "endpoint", "owner"), OWN_RULE_CASES)
def test_own_ticket_rule_applies_to_tickets_of_others(world, role, endpoint, owner):
    """Own-only permissions are refused (403) on a ticket not assigned to the user."""
    ticket = make_ticket(world, assignee_role=None, assignee_username=owner)
    ctx = context(world, ticket)
    response = call(client_for(world, role), endpoint, ctx)
    expected_allowed = allowed(role, endpoint) and (
        endpoint.permission not in OWN_TICKETS_ONLY[role]
    )
    if expected_allowed:
        assert is_allowed_status(response.status_code), response.get_data(as_text=True)[:2000]
    else:
        assert response.status_code == 403


@pytest.mark.parametrize(
    ("role", "endpoint"),
    [
        pytest.param(role, endpoint, id=f"{role}-{endpoint.name}")
        for role in OWN_TICKETS_ONLY
        for endpoint in ENDPOINTS
        if endpoint.on_ticket and endpoint.permission in OWN_TICKETS_ONLY[role]
    ],
)
def test_own_ticket_refusal_changes_nothing(world, role, endpoint):
    ctx = context(world, make_ticket(world, assignee_username="spare"))
    before = snapshot(world.app)
    call(client_for(world, role), endpoint, ctx)
    assert snapshot(world.app) == before


# --- public pages, CSRF, the session cookie -----------------------------------------


# Every endpoint reachable without logging in: a new public page must be added here on
# purpose (views opt in with ``server.auth.public``).
EXPECTED_PUBLIC_ENDPOINTS = {
    "auth.login",
    "health.healthz",
    "static",
    "language.choose",
    # customer self-service (section 17 of the architecture), 404 unless [public] enabled
    "public_requests.services",
    "public_requests.request_form",
    "public_requests.done",
    "status_lookup.lookup",
    "status_lookup.result",
    # the knowledge base's public articles (404 unless [kb] public = true)
    "help.help_index",
    "help.help_article",
    # the customer's emailed survey: the signed link is the key (tests/test_survey_links.py)
    "survey.answer",
}


def test_only_the_listed_endpoints_are_public(world):
    with world.app.app_context():
        public = {
            r.endpoint for r in world.app.url_map.iter_rules() if is_public_endpoint(r.endpoint)
        }
    assert public == EXPECTED_PUBLIC_ENDPOINTS


@pytest.mark.parametrize("path", ["/login", "/healthz"])
def test_public_page_is_reachable_anonymously(world, path):
    assert client_for(world, None).get(path).status_code == 200


def test_healthz_reports_ok_anonymously(world):
    assert client_for(world, None).get("/healthz").get_json()["status"] == "ok"


def snapshot(app):
    """Every row of every core table, to prove a refused request wrote nothing."""
    with app.app_context():
        models = (*CORE_MODELS, Callback, *WEBHOOK_MODELS, *KB_MODELS)
        return {model.__name__: list(model.select().dicts()) for model in models}


@pytest.mark.parametrize("endpoint", POSTS, ids=lambda e: e.name)
def test_post_without_csrf_token_is_refused_with_400_and_changes_nothing(world, endpoint):
    ctx = context(world, make_ticket(world))
    client = client_for(world, "admin")
    before = snapshot(world.app)
    response = client.post(endpoint.url(ctx), data=endpoint.payload(ctx))
    assert response.status_code == 400
    assert snapshot(world.app) == before


def test_post_with_a_forged_csrf_token_is_refused_with_400(world):
    client = client_for(world, "admin")
    before = snapshot(world.app)
    response = client.post("/customers/new", data={"csrf_token": "forged", "name": "Mallory"})
    assert response.status_code == 400
    assert snapshot(world.app) == before


def test_login_without_csrf_token_is_refused_with_400(world):
    client = client_for(world, None)
    response = client.post("/login", data={"username": "admin", "password": PASSWORD})
    assert response.status_code == 400
    with client.session_transaction() as session:
        assert "uid" not in session


@pytest.fixture(scope="module")
def login_response(world):
    client = client_for(world, None)
    response = client.login("dispatcher")
    assert response.status_code == 303
    return response


def _session_cookie(response):
    cookies = [c for c in response.headers.getlist("Set-Cookie") if "aftersales_session=" in c]
    assert cookies, "the login answer sets no session cookie"
    return [part.strip().lower() for part in cookies[-1].split(";")]


def test_session_cookie_is_httponly(login_response):
    assert "httponly" in _session_cookie(login_response)


def test_session_cookie_is_samesite_lax(login_response):
    assert "samesite=lax" in _session_cookie(login_response)


# --- deactivated users ----------------------------------------------------------------


def _leaver(world):
    with world.app.app_context():
        user = User.create(
            username=f"leaver{next(_serial)}",
            display_name="Leaver",
            password_hash=world.password_hash,
            role="dispatcher",
        )
    client = world.app.test_client()
    with client.session_transaction() as session:
        session["uid"] = user.id
    assert client.get("/tickets").status_code == 200
    with world.app.app_context():
        update_user(User.get_by_id(user.id), active=False)
    return client, user.id


def test_deactivated_user_is_sent_to_login_on_the_next_page(world):
    client, _uid = _leaver(world)
    response = client.get("/tickets")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"


def test_deactivated_user_cannot_post_any_more(world):
    client, _uid = _leaver(world)
    before = snapshot(world.app)
    response = client.form("/customers/new", {"name": "After leaving"})
    assert response.status_code == 401
    assert snapshot(world.app) == before


def test_deactivated_user_session_is_ended_not_just_ignored(world):
    """Logged out means the session is gone: reactivating must not revive it."""
    client, uid = _leaver(world)
    client.get("/tickets")
    with world.app.app_context():
        update_user(User.get_by_id(uid), active=True)
    response = client.get("/tickets")
    assert response.status_code == 302


# --- logging in -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "password"),
    [("dispatcher", "wrong-password"), ("nobody-by-this-name", PASSWORD)],
    ids=["wrong password", "unknown user"],
)
def test_failed_login_is_refused_with_422_and_an_error(world, username, password):
    client = client_for(world, None)
    response = client.form("/login", {"username": username, "password": password})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="password-error"' in page
    assert "Wrong username or password." in page
    with client.session_transaction() as session:
        assert "uid" not in session


def _login_with_next(world, target):
    client = client_for(world, None)
    token = client.csrf_token()
    return client.post(
        "/login",
        query_string={"next": target},
        data={"csrf_token": token, "username": "dispatcher", "password": PASSWORD},
    )


def _browser_target(location):
    """Where a browser would go: it drops tabs and newlines and reads \\ as /."""
    cleaned = location.replace("\t", "").replace("\n", "").replace("\r", "").replace("\\", "/")
    return urlsplit(urljoin("http://localhost/login", cleaned))


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "http:evil.example",
        "javascript:alert(1)",
        "/\t/evil.example",
        " //evil.example",
    ],
)
def test_login_next_cannot_redirect_off_site(world, target):
    response = _login_with_next(world, target)
    assert response.status_code == 303
    where = _browser_target(response.headers["Location"])
    assert (where.scheme, where.netloc) == ("http", "localhost")


def test_login_next_on_site_is_followed(world):
    response = _login_with_next(world, "/customers?q=x")
    assert response.status_code == 303
    assert response.headers["Location"] == "/customers?q=x"
