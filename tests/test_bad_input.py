"""Bad input on every field of every form: refused next to its field, nothing written.

Unicode is accepted and stored exactly; script payloads are stored as typed and shown escaped;
NUL and other control characters are refused; a bad submit never answers 500.
"""

import dataclasses
import itertools
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from server.auth import hash_password
from server.customers import save_customer
from server.models import CORE_MODELS, Customer, Ticket, TicketEvent, User
from server.tickets import NewTicket, create_ticket
from tests.conftest import PASSWORD, build_app

SCRIPT = "<script>alert(1)</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
UNICODE = {
    "chinese": "张三的电视机不开机",
    "emoji": "📺 坏了 🔧👍🏽 👨‍👩‍👧",
}
CONTROL = {"nul": "bad\x00value", "escape": "bad\x1bvalue"}
_serial = itertools.count(1)


@dataclass
class World:
    app: object
    admin_id: int
    password_hash: str


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """One app per module (fast); each test gets fresh records from ``ctx``."""
    app = build_app(tmp_path_factory.mktemp("bad-input"))
    password_hash = hash_password(PASSWORD)
    with app.app_context():
        admin = User.create(
            username="admin", display_name="Admin", password_hash=password_hash, role="admin"
        )
    return World(app, admin.id, password_hash)


@pytest.fixture
def ctx(world):
    return make_ctx(world)


def make_ctx(world):
    """A fresh customer, a fresh unassigned repair ticket and a fresh spare user."""
    n = next(_serial)
    with world.app.app_context():
        registry = world.app.extensions["aftersales"].registry
        customer = save_customer(None, {"name": f"Customer {n}"}, {"loyalty_no": "42"})
        new = NewTicket(
            industry="sample",
            service=registry.service("sample", "repair"),
            customer=customer,
            title=f"Ticket {n}",
            attributes={"serial": "AB1234"},
        )
        ticket = create_ticket(registry, new, User.get_by_id(world.admin_id), 2026)
        spare = User.create(
            username=f"spare{n}",
            display_name="Spare",
            password_hash=world.password_hash,
            role="technician",
        )
    return {
        "customer": customer.id,
        "ticket": ticket.number,
        "version": ticket.version,
        "user": spare.id,
        "username": spare.username,
        "admin": world.admin_id,
        "n": n,
    }


def client_for(world, logged_in=True):
    client = world.app.test_client()
    if logged_in:
        with client.session_transaction() as session:
            session["uid"] = world.admin_id
    return client


def snapshot(app, ctx):
    """Row counts of every core table plus the rows a submit could touch, in full."""
    with app.app_context():
        counts = {model.__name__: model.select().count() for model in CORE_MODELS}
        rows = {
            "customer": Customer.get_by_id(ctx["customer"]).__data__,
            "ticket": Ticket.get(Ticket.number == ctx["ticket"]).__data__,
            "users": list(User.select().where(User.id.in_([ctx["user"], ctx["admin"]])).dicts()),
        }
    return counts, rows


# --- the forms ----------------------------------------------------------------------


@dataclass(frozen=True)
class Form:
    path: str
    base: object  # callable(ctx) -> valid form data
    logged_in: bool = True


def _ticket_core(ctx):
    return {
        "title": "Television is dead",
        "description": "",
        "priority": "normal",
        "channel": "phone",
        "asset_id": "",
        "reported_at": "",
    }


def _repair_fields(ctx):
    return {
        "f_serial": "AB1234",
        "f_purchase_date": "",
        "f_kind": "",
        "f_units": "",
        "f_cost": "",
        "f_notes": "",
    }


def _customer(ctx):
    return {
        "name": f"Customer {ctx['n']}",
        "kind": "person",
        "phone": "",
        "email": "",
        "address": "",
        "region": "",
        "tier": "normal",
        "f_loyalty_no": "",
    }


FORMS = {
    "login": Form(
        "/login", lambda ctx: {"username": "admin", "password": PASSWORD}, logged_in=False
    ),
    "customer new": Form("/customers/new", _customer),
    "customer edit": Form("/customers/{customer}/edit", _customer),
    "asset": Form(
        "/customers/{customer}/assets",
        lambda ctx: {
            "kind": "sample:gadget",
            "identifier": "TV1234",
            "coverage_start": "",
            "coverage_end": "",
        },
    ),
    "ticket new": Form(
        "/tickets/new?customer={customer}",
        lambda ctx: {"service": "sample:repair", **_ticket_core(ctx), **_repair_fields(ctx)},
    ),
    "ticket new consult": Form(
        "/tickets/new?customer={customer}",
        lambda ctx: {"service": "sample:consult", **_ticket_core(ctx), "f_topic": ""},
    ),
    "ticket edit": Form(
        "/tickets/{ticket}/edit",
        lambda ctx: {**_ticket_core(ctx), **_repair_fields(ctx), "version": ctx["version"]},
    ),
    "assign": Form(
        "/tickets/{ticket}/assign",
        lambda ctx: {"assignee": str(ctx["admin"]), "team": "", "version": ctx["version"]},
    ),
    "comment": Form("/tickets/{ticket}/comment", lambda ctx: {"text": "Called the customer."}),
    "transition": Form(
        "/tickets/{ticket}/transition",
        lambda ctx: {"to": "waiting_customer", "note": "", "version": ctx["version"]},
    ),
    "user new": Form(
        "/admin/users/new",
        lambda ctx: {
            "username": f"new{ctx['n']}",
            "display_name": "New user",
            "role": "technician",
            "team": "",
            "locale": "",
            "active": "y",
            "password": "long-enough-password",
        },
    ),
    "user edit": Form(
        "/admin/users/{user}",
        lambda ctx: {
            "username": ctx["username"],
            "display_name": "Spare",
            "role": "technician",
            "team": "",
            "locale": "",
            "active": "y",
            "password": "",
        },
    ),
}
CUSTOMER_FORMS = ("customer new", "customer edit")
TICKET_FORMS = ("ticket new", "ticket edit")
USER_FORMS = ("user new", "user edit")


def submit(world, ctx, form_name, changes=None, headers=None):
    form = FORMS[form_name]
    data = {**form.base(ctx), **(changes or {})}
    client = client_for(world, form.logged_in)
    return client.form(form.path.format(**ctx), data, headers=headers or {})


# --- the bad cases ------------------------------------------------------------------


@dataclass(frozen=True)
class Bad:
    form: str
    field: str | None  # the field the error belongs next to; None: not a visible field
    label: str
    value: str
    extra: dict = dataclasses.field(default_factory=dict)
    any_4xx: bool = False  # non-form actions (a missing version...) may answer any 4xx

    @property
    def id(self):
        return f"{self.form}-{self.field or 'hidden'}-{self.label}"


def _text_cases(forms, name, limit, required=False, pattern_ok=None):
    """Empty (when required), limit+1 characters, control characters."""
    ok = pattern_ok or "x"
    cases = []
    for form in forms:
        if required:
            cases.append(Bad(form, name, "empty", ""))
            cases.append(Bad(form, name, "blank", "   "))
        cases.append(Bad(form, name, "overlong", ok * (limit + 1)))
        cases += [Bad(form, name, label, value) for label, value in CONTROL.items()]
    return cases


def _choice_cases(forms, name, *values):
    return [Bad(form, name, f"unknown choice {v!r}", v) for form in forms for v in values]


def _typed_cases(forms, name, *values):
    return [Bad(form, name, f"wrong {v!r}", v) for form in forms for v in values]


BAD = [
    # login
    *_text_cases(["login"], "username", 64, required=True),
    Bad("login", "password", "empty", ""),
    Bad("login", "password", "overlong", "p" * 201),
    # customers (new and edit), with the plugin's customer field
    *_text_cases(CUSTOMER_FORMS, "name", 200, required=True),
    *_choice_cases(CUSTOMER_FORMS, "kind", "robot", ""),
    *_text_cases(CUSTOMER_FORMS, "phone", 40, pattern_ok="1"),
    *_typed_cases(CUSTOMER_FORMS, "phone", "call me", SCRIPT),
    *_text_cases(CUSTOMER_FORMS, "email", 200),
    *[Bad(f, "email", "overlong address", "a" * 189 + "@example.com") for f in CUSTOMER_FORMS],
    *_typed_cases(CUSTOMER_FORMS, "email", "not-an-email", SCRIPT),
    *_text_cases(CUSTOMER_FORMS, "address", 300),
    *_text_cases(CUSTOMER_FORMS, "region", 100),
    *_text_cases(CUSTOMER_FORMS, "tier", 40),
    *_text_cases(CUSTOMER_FORMS, "f_loyalty_no", 12, pattern_ok="1"),
    *_typed_cases(CUSTOMER_FORMS, "f_loyalty_no", "abc", SCRIPT),
    # assets
    *_choice_cases(["asset"], "kind", "sample:nope", "nope", ""),
    *_text_cases(["asset"], "identifier", 100, required=True, pattern_ok="A"),
    *_typed_cases(["asset"], "identifier", "ab-1", UNICODE["chinese"], SCRIPT),
    *_typed_cases(["asset"], "coverage_start", "notadate", "2026-02-30"),
    *_typed_cases(["asset"], "coverage_end", "notadate", "2026-13-01"),
    Bad(
        "asset",
        "coverage_end",
        "before start",
        "2026-01-01",
        extra={"coverage_start": "2026-02-01"},
    ),
    # tickets: the core fields on the new and the edit form
    *_choice_cases(["ticket new"], "service", "", "sample:nope", "nonsense"),
    *_text_cases(TICKET_FORMS, "title", 200, required=True),
    *_text_cases(TICKET_FORMS, "description", 5000),
    *_choice_cases(TICKET_FORMS, "priority", "extreme", ""),
    *_choice_cases(TICKET_FORMS, "channel", "pigeon"),
    *_choice_cases(TICKET_FORMS, "asset_id", "999999", "abc"),
    *_typed_cases(TICKET_FORMS, "reported_at", "yesterday", "2026-02-30T10:00", "2999-01-01T10:00"),
    # tickets: every kind of plugin field (text+pattern, date, choice, integer, decimal, textarea)
    *_text_cases(TICKET_FORMS, "f_serial", 20, pattern_ok="A"),
    *[Bad(f, "f_serial", "empty", "") for f in TICKET_FORMS],
    *_typed_cases(TICKET_FORMS, "f_serial", "ab-1", SCRIPT),
    *_typed_cases(TICKET_FORMS, "f_purchase_date", "notadate", "2026-02-30", "2999-01-01"),
    *_choice_cases(TICKET_FORMS, "f_kind", "plasma"),
    *_typed_cases(TICKET_FORMS, "f_units", "abc", "1.5", "0", "11"),
    *_typed_cases(TICKET_FORMS, "f_cost", "abc", "-1", "NaN", "Infinity"),
    *_text_cases(TICKET_FORMS, "f_notes", 500),
    *_text_cases(["ticket new consult"], "f_topic", 50),
    Bad("ticket edit", None, "missing version", "", extra={"version": ""}),
    Bad("ticket edit", None, "non-numeric version", "", extra={"version": "abc"}, any_4xx=True),
    # the actions on the ticket page
    *_choice_cases(["assign"], "assignee", "999999", "abc"),
    *_text_cases(["assign"], "team", 100),
    Bad("assign", None, "missing version", "", extra={"version": ""}, any_4xx=True),
    Bad("assign", None, "non-numeric version", "", extra={"version": "abc"}, any_4xx=True),
    *_text_cases(["comment"], "text", 5000, required=True),
    *_text_cases(["transition"], "note", 2000),
    Bad("transition", None, "unknown status", "", extra={"to": "flying"}, any_4xx=True),
    Bad("transition", None, "empty status", "", extra={"to": ""}, any_4xx=True),
    Bad("transition", None, "missing version", "", extra={"version": ""}, any_4xx=True),
    Bad("transition", None, "non-numeric version", "", extra={"version": "abc"}, any_4xx=True),
    # users (new and edit)
    *_text_cases(USER_FORMS, "username", 64, required=True, pattern_ok="a"),
    *_typed_cases(USER_FORMS, "username", "bad name!", UNICODE["chinese"], SCRIPT),
    *[Bad(f, "username", "taken", "admin") for f in USER_FORMS],
    *_text_cases(USER_FORMS, "display_name", 100, required=True),
    *_choice_cases(USER_FORMS, "role", "superuser", ""),
    *_text_cases(USER_FORMS, "team", 100),
    *_choice_cases(USER_FORMS, "locale", "fr"),
    *[Bad(f, "password", "too short", "short12") for f in USER_FORMS],
    *[Bad(f, "password", "overlong", "p" * 201) for f in USER_FORMS],
    Bad("user new", "password", "empty", ""),
]
FIELD_BAD = [b for b in BAD if b.field is not None]


def _changes(bad):
    return {**({bad.field: bad.value} if bad.field else {}), **bad.extra}


def _ids(cases):
    return [pytest.param(c, id=c.id) for c in cases]


def _error_ok(status, bad):
    if bad.any_4xx:
        return 400 <= status < 500
    return status == 422


@pytest.mark.parametrize("form_name", FORMS)
def test_valid_base_submission_is_accepted(world, ctx, form_name):
    """The baseline every bad case changes one field of: so a refusal is the field's fault."""
    response = submit(world, ctx, form_name)
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]


@dataclass
class Outcome:
    status: int
    page: str
    before: object
    after: object


@pytest.fixture(scope="module")
def outcomes(world):
    """Each bad case is submitted once (on fresh records); the tests below share the answer."""
    cache = {}

    def outcome(bad):
        if bad.id not in cache:
            ctx = make_ctx(world)
            before = snapshot(world.app, ctx)
            response = submit(world, ctx, bad.form, _changes(bad))
            cache[bad.id] = Outcome(
                response.status_code,
                response.get_data(as_text=True),
                before,
                snapshot(world.app, ctx),
            )
        return cache[bad.id]

    return outcome


@pytest.mark.parametrize("bad", _ids(BAD))
def test_bad_value_is_refused_with_422(outcomes, bad):
    status = outcomes(bad).status
    assert _error_ok(status, bad), status


@pytest.mark.parametrize("bad", _ids(BAD))
def test_bad_value_writes_nothing(outcomes, bad):
    result = outcomes(bad)
    assert result.after == result.before


@pytest.mark.parametrize("bad", _ids(FIELD_BAD))
def test_bad_value_error_is_shown_next_to_its_field(outcomes, bad):
    assert_error_next_to(outcomes(bad).page, bad.field)


@pytest.mark.parametrize("bad", _ids([b for b in BAD if b.value == SCRIPT]))
def test_refused_script_payload_is_echoed_escaped(outcomes, bad):
    assert SCRIPT not in outcomes(bad).page


@pytest.mark.parametrize(
    "bad", _ids([b for b in BAD if b.form == "login" and b.field == "username"])
)
def test_refused_login_does_not_log_in(world, ctx, bad):
    client = client_for(world, logged_in=False)
    client.form("/login", {**FORMS["login"].base(ctx), **_changes(bad)})
    with client.session_transaction() as session:
        assert "uid" not in session


class _Elements(HTMLParser):
    """Elements by id, and the text inside the ``*-error`` ones."""

    def __init__(self, page):
        super().__init__(convert_charrefs=True)
        self.by_id = {}
        self.texts = {}
        self._open = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        ident = attributes.get("id")
        if ident:
            self.by_id[ident] = (tag, attributes)
            if ident.endswith("-error"):
                self._open = (ident, tag)
                self.texts[ident] = ""

    def handle_endtag(self, tag):
        if self._open and tag == self._open[1]:
            self._open = None

    def handle_data(self, data):
        if self._open:
            self.texts[self._open[0]] += data


def assert_error_next_to(page, field_id):
    elements = _Elements(page)
    error_id = f"{field_id}-error"
    assert field_id in elements.by_id, f"no input with id {field_id!r} on the page"
    tag, attributes = elements.by_id[field_id]
    assert tag in {"input", "select", "textarea"}, tag
    assert error_id in elements.by_id, f"no error element {error_id!r} next to the field"
    assert elements.texts[error_id].strip(), f"{error_id!r} is empty"
    described = (attributes.get("aria-describedby") or "").split()
    assert error_id in described, f"{field_id!r} is not aria-describedby {error_id!r}"


# --- text that must be accepted: unicode and script payloads ------------------------


@dataclass(frozen=True)
class Text:
    form: str
    field: str

    @property
    def id(self):
        return f"{self.form}-{self.field}"


TEXT_FIELDS = [
    *[Text(f, name) for f in CUSTOMER_FORMS for name in ("name", "address", "region", "tier")],
    *[Text(f, name) for f in TICKET_FORMS for name in ("title", "description", "f_notes")],
    Text("ticket new consult", "f_topic"),
    Text("assign", "team"),
    Text("comment", "text"),
    Text("transition", "note"),
    *[Text(f, name) for f in USER_FORMS for name in ("display_name", "team")],
]


def _customer_id(ctx, response, form_name):
    if "{customer}" in FORMS[form_name].path:
        return ctx["customer"]
    return int(urlsplit(response.headers["Location"]).path.rsplit("/", 1)[1])


def _ticket_number(ctx, response, form_name):
    if form_name.startswith("ticket new"):
        return urlsplit(response.headers["Location"]).path.rsplit("/", 1)[1]
    return ctx["ticket"]


def _user(ctx, data, form_name):
    if form_name == "user new":
        return User.get(User.username == data["username"])
    return User.get_by_id(ctx["user"])


def stored_value(ctx, response, data, text):
    """What the database holds for ``text.field`` after the submit."""
    name = text.field
    if text.form in CUSTOMER_FORMS:
        customer = Customer.get_by_id(_customer_id(ctx, response, text.form))
        return (
            customer.attributes.get(name[2:]) if name.startswith("f_") else getattr(customer, name)
        )
    if text.form in USER_FORMS:
        return getattr(_user(ctx, data, text.form), name)
    ticket = Ticket.get(Ticket.number == _ticket_number(ctx, response, text.form))
    if text.form == "comment":
        return _last_event(ticket, "comment").data["text"]
    if text.form == "transition":
        return _last_event(ticket, "status").data["note"]
    if name.startswith("f_"):
        return ticket.attributes.get(name[2:])
    return getattr(ticket, name)


def _last_event(ticket, kind):
    return (
        TicketEvent.select()
        .where((TicketEvent.ticket == ticket) & (TicketEvent.kind == kind))
        .order_by(TicketEvent.id.desc())
        .first()
    )


def pages_showing(ctx, response, data, text):
    """The pages that show the stored value of ``text.field``."""
    if text.form in CUSTOMER_FORMS:
        cid = _customer_id(ctx, response, text.form)
        pages = [f"/customers/{cid}", f"/customers/{cid}/edit"]
        return [*pages, "/customers"] if text.field != "f_loyalty_no" else pages
    if text.form in USER_FORMS:
        return ["/admin/users", f"/admin/users/{_user(ctx, data, text.form).id}"]
    number = _ticket_number(ctx, response, text.form)
    pages = [f"/tickets/{number}"]
    if text.form in (*TICKET_FORMS, "ticket new consult"):
        pages.append(f"/tickets/{number}/edit")
    if text.field == "title":
        pages += ["/tickets", f"/customers/{ctx['customer']}"]
    return pages


def submit_text(world, ctx, text, value):
    changes = {text.field: value}
    data = {**FORMS[text.form].base(ctx), **changes}
    return submit(world, ctx, text.form, changes), data


@pytest.mark.parametrize("sample", UNICODE)
@pytest.mark.parametrize("text", _ids(TEXT_FIELDS))
def test_unicode_text_is_accepted(world, ctx, text, sample):
    response, _data = submit_text(world, ctx, text, UNICODE[sample])
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]


@pytest.mark.parametrize("sample", UNICODE)
@pytest.mark.parametrize("text", _ids(TEXT_FIELDS))
def test_unicode_text_is_stored_exactly(world, ctx, text, sample):
    response, data = submit_text(world, ctx, text, UNICODE[sample])
    with world.app.app_context():
        assert stored_value(ctx, response, data, text) == UNICODE[sample]


@pytest.mark.parametrize("text", _ids(TEXT_FIELDS))
def test_script_payload_is_accepted_and_stored_as_typed(world, ctx, text):
    response, data = submit_text(world, ctx, text, SCRIPT)
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    with world.app.app_context():
        assert stored_value(ctx, response, data, text) == SCRIPT


@pytest.mark.parametrize("text", _ids(TEXT_FIELDS))
def test_script_payload_is_rendered_escaped_wherever_shown(world, ctx, text):
    response, data = submit_text(world, ctx, text, SCRIPT)
    assert response.status_code == 303
    with world.app.app_context():
        urls = pages_showing(ctx, response, data, text)
    client = client_for(world)
    for url in urls:
        page = client.get(url).get_data(as_text=True)
        assert SCRIPT not in page, url
        assert ESCAPED_SCRIPT in page, url


def test_unicode_username_can_log_in(world):
    with world.app.app_context():
        User.create(
            username="张三🙂",
            display_name="张三",
            password_hash=world.password_hash,
            role="dispatcher",
        )
    client = client_for(world, logged_in=False)
    response = client.form("/login", {"username": "张三🙂", "password": PASSWORD})
    assert response.status_code == 303


def test_script_as_login_username_is_echoed_escaped(world):
    client = client_for(world, logged_in=False)
    response = client.form("/login", {"username": SCRIPT, "password": "whatever-password"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert SCRIPT not in page
    assert ESCAPED_SCRIPT in page


def test_valid_email_is_accepted_and_stored(world, ctx):
    response = submit(world, ctx, "customer new", {"email": "zhang.san@example.com"})
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    with world.app.app_context():
        customer_id = _customer_id(ctx, response, "customer new")
        assert Customer.get_by_id(customer_id).email == "zhang.san@example.com"


# --- htmx: a bad new-ticket submit answers the form partial ---------------------------

HTMX_CASES = [
    Bad("ticket new", "title", "empty", ""),
    Bad("ticket new", "f_serial", "pattern", "ab-1"),
    Bad("ticket new", "f_units", "wrong", "abc"),
]
HX = {"HX-Request": "true"}


@pytest.mark.parametrize("bad", _ids(HTMX_CASES))
def test_htmx_bad_new_ticket_is_refused_with_422(world, ctx, bad):
    response = submit(world, ctx, bad.form, _changes(bad), headers=HX)
    assert response.status_code == 422


@pytest.mark.parametrize("bad", _ids(HTMX_CASES))
def test_htmx_bad_new_ticket_answers_only_the_form_partial(world, ctx, bad):
    page = submit(world, ctx, bad.form, _changes(bad), headers=HX).get_data(as_text=True)
    assert "<html" not in page
    assert 'id="ticket-form"' in page


@pytest.mark.parametrize("bad", _ids(HTMX_CASES))
def test_htmx_bad_new_ticket_error_is_next_to_its_field(world, ctx, bad):
    page = submit(world, ctx, bad.form, _changes(bad), headers=HX).get_data(as_text=True)
    assert_error_next_to(page, bad.field)


@pytest.mark.parametrize("headers", [HX, {}], ids=["htmx", "full page"])
def test_bad_new_ticket_answer_varies_on_hx_request(world, ctx, headers):
    response = submit(world, ctx, "ticket new", {"title": ""}, headers=headers)
    assert "hx-request" in {v.strip().lower() for v in response.headers.get("Vary", "").split(",")}


def test_htmx_bad_new_ticket_writes_nothing(world, ctx):
    before = snapshot(world.app, ctx)
    submit(world, ctx, "ticket new", {"title": ""}, headers=HX)
    assert snapshot(world.app, ctx) == before
