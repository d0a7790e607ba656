"""Security controls (issue 10 item 6): one test per control here, or a pointer to it.

| Control                                           | Test                                         |
|---------------------------------------------------|----------------------------------------------|
| CSP without inline script, frame-ancestors        | test_every_answer_carries_the_security_hea… |
| X-Frame-Options, Referrer-Policy, nosniff         | test_every_answer_carries_the_security_hea… |
| no inline script or style in any template         | test_no_template_has_inline_script_or_style  |
| CSRF on every form                                | tests/test_permissions.py (…without_csrf…)   |
| login on every page but the public ones           | tests/test_permissions.py (only_the_listed…) |
| login rate limits per address and per username    | tests/test_ratelimit.py (sign_in_attempts…)  |
| refusals do not reveal which usernames exist      | test_wrong_name_and_wrong_password_read_alike|
|                                                   | + test_ratelimit.py (refusal_does_not_say…)  |
| session rotation on login                         | test_login_rotates_the_session               |
| old cookies die on password change / "elsewhere"  | test_password_change_ends_other_sessions …   |
| session cookie HttpOnly, SameSite                 | tests/test_permissions.py (session_cookie_…) |
| password policy                                   | test_policy_* / test_admin_* / test_cli_*    |
| audit of admin actions                            | test_every_admin_write_leaves_an_audit_row … |
| uploads checked by content                        | test_upload_whose_content_is_not_its_type_…  |
| downloads: attachment unless image/PDF, nosniff   | tests/test_attachments.py (download_serves…) |
| no secret in logs                                 | test_no_secret_reaches_the_logs              |
| secret key file 0600                              | test_the_generated_secret_key_is_private     |
| config errors never echo a database password      | test_config_errors_mask_a_database_password  |
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import sqlite3
import stat
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from server.api_tokens import issue_token
from server.audit import AuditEvent
from server.auth import hash_password
from server.cli import main as cli
from server.config import ConfigError, load_config, mask_url_passwords
from server.db import database
from server.filecheck import content_matches
from server.models import Attachment, User
from server.passwords import password_problem
from server.permissions import PERMISSIONS
from server.users import UserError, create_user
from tests.conftest import PASSWORD, build_app, ensure_user, logged_in, table_names
from tests.test_cli import write_config
from tests.test_permissions import ENDPOINTS, call, client_for, context, make_ticket, world

__all__ = ["world"]  # the permission matrix's module-wide app, reused below

ROOT = Path(__file__).resolve().parent.parent
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
PDF = b"%PDF-1.7\n%..."
STRONG = "river-lantern-orchard"
BLANK = {"team": "", "locale": "", "email": ""}  # the user form's optional fields


@pytest.fixture
def app(tmp_path):
    return build_app(tmp_path)


def field_error(html, name):
    """The error shown next to the form field ``name`` ("" when none)."""
    match = re.search(rf'id="{name}-error">([^<]*)<', html)
    return match.group(1) if match else ""


def audit_rows(app, action=None):
    with app.app_context():
        query = AuditEvent.select().order_by(AuditEvent.id)
        if action:
            query = query.where(AuditEvent.action == action)
        return list(query)


# --- headers ------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/login", "/tickets", "/no-such-page", "/api/v1/sla/policies"])
def test_every_answer_carries_the_security_headers(app, path):
    client = logged_in(app, "desk", "dispatcher")
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_no_template_has_inline_script_or_style():
    """CSP ``script-src 'self'`` would block them: scripts only from files, no style=."""
    offenders = []
    for path in [*ROOT.glob("templates/**/*.html"), *ROOT.glob("plugins/**/templates/**/*.html")]:
        html = path.read_text(encoding="utf-8")
        inline_script = re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html)
        handler = re.search(r"\son[a-z]+\s*=", html)
        if inline_script or handler or re.search(r"\sstyle\s*=", html):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


# --- sessions -----------------------------------------------------------------------


def _cookie(client):
    cookie = client.get_cookie("aftersales_session")
    return cookie.value if cookie else None


def test_login_rotates_the_session(app):
    ensure_user(app, "desk", "dispatcher")
    client = app.test_client()
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker before login"
    before = _cookie(client)
    with client.session_transaction() as session:
        token_before = session["csrf_token"]
    assert client.login("desk").status_code == 303
    assert _cookie(client) != before
    client.get("/tickets")  # a page with a form: a CSRF secret of the new session
    with client.session_transaction() as session:
        assert "planted" not in session  # nothing of the anonymous session survives
        assert session["uid"]
        assert session.get("csrf_token") != token_before


def test_wrong_name_and_wrong_password_read_alike(app):
    ensure_user(app, "desk", "dispatcher")
    answers = []
    for name in ("desk", "nobody-here"):
        response = app.test_client().form("/login", {"username": name, "password": "wrong-one"})
        html = response.get_data(as_text=True)
        answers.append(
            (response.status_code, field_error(html, "username"), field_error(html, "password"))
        )
    assert answers[0] == answers[1] == (422, "", "Wrong username or password.")


def _second_browser(app, username):
    other = app.test_client()
    assert other.login(username).status_code == 303
    assert other.get("/tickets").status_code == 200
    return other


def test_password_change_ends_other_sessions_but_not_this_one(app):
    client = logged_in(app, "desk", "dispatcher")
    other = _second_browser(app, "desk")
    response = client.form(
        "/account/password", {"current": PASSWORD, "password": STRONG, "confirm": STRONG}
    )
    assert response.status_code == 303
    assert client.get("/tickets").status_code == 200
    assert urlsplit(other.get("/tickets").headers["Location"]).path == "/login"
    assert app.test_client().login("desk", STRONG).status_code == 303
    assert [e.actor_name for e in audit_rows(app, "user.password_change")] == ["desk"]


def test_an_admin_password_reset_ends_the_users_sessions(app):
    admin = logged_in(app, "boss", "admin")
    victim = _second_browser(app, ensure_user(app, "desk", "dispatcher").username)
    uid = ensure_user(app, "desk", "dispatcher").id
    data = {
        "username": "desk",
        "display_name": "Desk",
        "role": "dispatcher",
        "active": "y",
        **BLANK,
    }
    assert admin.form(f"/admin/users/{uid}", {**data, "password": STRONG}).status_code == 303
    assert victim.get("/tickets").status_code == 302
    assert [e.action for e in audit_rows(app, "user.password_reset")] == ["user.password_reset"]


def test_sign_out_everywhere_else_ends_the_old_cookies(app):
    client = logged_in(app, "desk", "dispatcher")
    other = _second_browser(app, "desk")
    assert client.form("/account/sessions/end").status_code == 303
    assert client.get("/tickets").status_code == 200
    assert other.get("/tickets").status_code == 302


def test_own_password_change_needs_the_current_password(app):
    client = logged_in(app, "desk", "dispatcher")
    response = client.form(
        "/account/password", {"current": "not-it-at-all", "password": STRONG, "confirm": STRONG}
    )
    assert response.status_code == 422
    assert "That is not your current password." in response.get_data(as_text=True)
    assert app.test_client().login("desk").status_code == 303  # unchanged


def test_own_password_change_is_refused_when_weak_next_to_the_field(app):
    client = logged_in(app, "desk", "dispatcher")
    response = client.form(
        "/account/password",
        {"current": PASSWORD, "password": "password123", "confirm": "password123"},
    )
    assert response.status_code == 422
    assert "most common" in field_error(response.get_data(as_text=True), "password")


# --- password policy ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "username", "words"),
    [
        ("short-one", "desk", "at least 10"),
        ("Password123", "desk", "most common"),
        ("qwertyuiop", "desk", "most common"),
        ("aaaaaaaaaaaa", "desk", "most common"),
        ("zhangwei-2026!", "zhangwei", "username"),
        ("x" * 201, "desk", "at most 200"),
    ],
)
def test_policy_refuses_weak_passwords(app, password, username, words):
    with app.test_request_context():
        assert words in password_problem(password, username)


@pytest.mark.parametrize(
    "password", ["river-lantern-orchard", "我的密码很长很长很长", "Tr0ub4dor&3x"]
)
def test_policy_accepts_long_uncommon_passwords_without_composition_rules(app, password):
    with app.test_request_context():
        assert password_problem(password, "desk") == ""


def test_policy_minimum_comes_from_the_config(tmp_path):
    app = build_app(tmp_path, security={"password_min_length": 16})
    with app.test_request_context():
        assert "at least 16" in password_problem("fifteen-chars-x", "desk")
        assert password_problem("sixteen-chars-xy", "desk") == ""


@pytest.mark.parametrize("value", ["7", "65", '"12"', "true"])
def test_a_bad_password_min_length_is_one_line_naming_the_key(tmp_path, value):
    path = tmp_path / "bad.toml"
    path.write_text(f"[security]\npassword_min_length = {value}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.key == "security.password_min_length"
    assert "\n" not in str(caught.value)


def test_admin_creating_a_user_with_a_weak_password_sees_it_next_to_the_field(app):
    admin = logged_in(app, "boss", "admin")
    data = {
        "username": "newbie",
        "display_name": "New Bie",
        "role": "technician",
        "active": "y",
        **BLANK,
    }
    response = admin.form("/admin/users/new", {**data, "password": "newbie2026"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "must not contain the username" in field_error(html, "password")
    assert 'value="New Bie"' in html  # the data is kept
    with app.app_context():
        assert User.get_or_none(User.username == "newbie") is None


def test_admin_page_error_is_translated(app):
    admin = logged_in(app, "boss", "admin")
    data = {"username": "newbie", "display_name": "N", "role": "technician", "active": "y", **BLANK}
    response = admin.form(
        "/admin/users/new", {**data, "password": "short"}, headers={"Accept-Language": "zh-CN"}
    )
    assert response.status_code == 422
    assert "密码至少" in response.get_data(as_text=True)


def test_cli_create_user_refuses_a_weak_password_in_one_line(tmp_path):
    config = write_config(tmp_path)
    result = CliRunner().invoke(
        cli, ["--config", str(config), "create-user", "zhang", "--password", "zhang-2026-ok"]
    )
    assert result.exit_code == 2
    assert result.stderr == "aftersales: error: The password must not contain the username.\n"


def test_existing_users_with_weak_passwords_still_log_in(app):
    with app.app_context():
        User.create(
            username="old",
            display_name="Old",
            password_hash=hash_password("abc"),
            role="technician",
        )
    assert app.test_client().login("old", "abc").status_code == 303


def test_create_user_refuses_a_weak_password_with_the_field_named(app):
    with app.test_request_context(), pytest.raises(UserError) as caught:
        create_user("desk2", "password1", "dispatcher")
    assert caught.value.field == "password"


# --- the audit log ------------------------------------------------------------------

# Permissions that change how the installation works rather than its day-to-day records:
# every POST guarded by one of them must leave an audit row when it changes anything.
ADMIN_PERMISSIONS = (set(PERMISSIONS["admin"]) - set(PERMISSIONS["supervisor"])) | {
    "dispatch.manage",
    "customer.import",
}
ADMIN_POSTS = [e for e in ENDPOINTS if e.method == "POST" and e.permission in ADMIN_PERMISSIONS]
# These write nothing when called as the matrix calls them (tested with real data below).
WRITE_NOTHING = {
    "edit user": "the matrix saves the spare user unchanged (still audited: who saved)",
    "import dry run": "a dry run only checks",
    "import run": "the matrix sends a stale token: nothing is imported",
    "send webhook test event": "the matrix's webhook is inactive: nothing is sent",
}


def _all_rows(app):
    with app.app_context():
        tables = sorted(table_names() - {"audit_event"})
        return {t: database.execute_sql(f'SELECT * FROM "{t}"').fetchall() for t in tables}


@pytest.mark.parametrize("endpoint", ADMIN_POSTS, ids=lambda e: e.name)
def test_every_admin_write_leaves_an_audit_row(world, endpoint):
    ctx = context(world, make_ticket(world))
    before_rows = _all_rows(world.app)
    before = len(audit_rows(world.app))
    response = call(client_for(world, "admin"), endpoint, ctx)
    assert response.status_code < 400
    wrote = _all_rows(world.app) != before_rows
    new = audit_rows(world.app)[before:]
    if wrote or endpoint.name not in WRITE_NOTHING:
        assert new, f"{endpoint.name} wrote no audit row"
        assert {e.actor_name for e in new} == {"admin"}
    else:
        assert endpoint.name in WRITE_NOTHING


def test_the_admin_posts_cover_users_tokens_webhooks_outlets_and_imports():
    names = {e.name for e in ADMIN_POSTS}
    assert {"create user", "edit user", "revoke anyone's API token", "register webhook"} <= names
    assert {"create outlet", "edit technician", "import run"} <= names


def test_user_creation_is_audited_without_the_password(app):
    admin = logged_in(app, "boss", "admin")
    data = {"username": "newbie", "display_name": "N", "role": "technician", "active": "y", **BLANK}
    assert admin.form("/admin/users/new", {**data, "password": STRONG}).status_code == 303
    (event,) = audit_rows(app, "user.create")
    assert (event.actor_name, event.target_kind, event.address) == ("boss", "user", "127.0.0.1")
    assert event.details == {"username": "newbie", "role": "technician", "active": True}
    assert STRONG not in str(event.details)


def test_role_change_and_deactivation_are_audited_apart(app):
    admin = logged_in(app, "boss", "admin")
    uid = ensure_user(app, "desk", "dispatcher").id
    data = {
        "username": "desk",
        "display_name": "Desk",
        "role": "supervisor",
        "password": "",
        **BLANK,
    }
    assert admin.form(f"/admin/users/{uid}", data).status_code == 303
    (role,) = audit_rows(app, "user.role_change")
    assert (role.details["from"], role.details["to"]) == ("dispatcher", "supervisor")
    (active,) = audit_rows(app, "user.activation")
    assert active.details["to"] is False


def test_a_refused_action_writes_no_audit_row(app):
    admin = logged_in(app, "boss", "admin")
    ensure_user(app, "desk", "dispatcher")
    data = {"username": "desk", "display_name": "D", "role": "technician", "active": "y", **BLANK}
    assert admin.form("/admin/users/new", {**data, "password": STRONG}).status_code == 422
    assert audit_rows(app, "user.create") == []


def test_the_audit_row_rolls_back_with_its_action(app):
    """Written in the action's transaction: a failure after it leaves neither."""
    with app.test_request_context(), pytest.raises(RuntimeError), database.atomic():
        create_user("temp", STRONG, "technician")
        raise RuntimeError("the caller's transaction fails after the user was made")
    with app.app_context():
        assert User.get_or_none(User.username == "temp") is None
    assert audit_rows(app) == []


def test_sign_ins_are_audited_with_the_attempted_name_never_the_password(app):
    ensure_user(app, "desk", "dispatcher")
    app.test_client().login("desk", "guess-number-1")
    app.test_client().login("desk")
    failure, success = audit_rows(app, "login.failure")[0], audit_rows(app, "login.success")[0]
    assert (failure.actor_name, failure.actor_id) == ("desk", None)
    assert "guess-number-1" not in str(failure.details)
    assert success.actor_name == "desk"


def test_a_real_import_run_is_audited(app):
    admin = logged_in(app, "boss", "admin")
    upload = {"kind": "customers", "file": (io.BytesIO(b"name,phone\nAudit Co,\n"), "c.csv")}
    page = admin.form("/admin/import/check", upload).get_data(as_text=True)
    token = re.search(r'name="token"[^>]*value="([0-9a-f]+)"', page).group(1)
    assert admin.form("/admin/import/run", {"kind": "customers", "token": token}).status_code < 400
    (event,) = audit_rows(app, "import.run")
    assert event.details == {"file": "c.csv", "imported": 1}


def test_cli_backup_is_audited_as_the_command_line(tmp_path):
    config = write_config(tmp_path)
    runner = CliRunner()
    assert runner.invoke(cli, ["--config", str(config), "init-db"]).exit_code == 0
    out = tmp_path / "b.tar.gz"
    result = runner.invoke(cli, ["--config", str(config), "backup", "--output", str(out)])
    assert result.exit_code == 0, result.output
    with sqlite3.connect(tmp_path / "aftersales.db") as db:
        rows = db.execute(
            "SELECT actor_name, details FROM audit_event WHERE action = ?", ["backup.create"]
        ).fetchall()
    assert [(name, json.loads(details)["file"]) for name, details in rows] == [
        ("(cli)", "b.tar.gz")
    ]


def test_audit_page_lists_and_filters(app):
    admin = logged_in(app, "boss", "admin")
    ensure_user(app, "desk", "dispatcher")
    app.test_client().login("desk", "wrong-password-1")
    html = admin.get("/admin/audit").get_data(as_text=True)
    assert "login.failure" in html and "login.success" in html
    only = admin.get("/admin/audit?action=login.failure").get_data(as_text=True)
    assert "login.failure" in only and "<code>login.success</code>" not in only
    mine = admin.get("/admin/audit?actor=desk").get_data(as_text=True)
    assert "<code>login.failure</code>" in mine and "<code>login.success</code>" not in mine
    future = admin.get("/admin/audit?start=2999-01-01").get_data(as_text=True)
    assert "Nothing recorded matches." in future


def test_audit_page_refuses_a_bad_date_next_to_the_field(app):
    admin = logged_in(app, "boss", "admin")
    response = admin.get("/admin/audit?start=2026-05-01&end=2026-04-01")
    assert response.status_code == 400
    assert "The end comes before the start." in response.get_data(as_text=True)


def test_audit_page_is_in_the_admin_menu_only(app):
    assert "/admin/audit" in logged_in(app, "boss", "admin").get("/tickets").get_data(as_text=True)
    page = logged_in(app, "lead", "supervisor").get("/tickets").get_data(as_text=True)
    assert "/admin/audit" not in page


# --- uploads ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "data", "matches"),
    [
        ("image/png", PNG, True),
        ("image/png", JPEG, False),
        ("image/jpeg", JPEG, True),
        ("image/webp", b"RIFF\x00\x00\x00\x00WEBPVP8 ", True),
        ("image/gif", b"GIF89a....", True),
        ("application/pdf", PDF, True),
        ("application/pdf", b"<html><script>", False),
        ("text/plain", "中文 notes".encode(), True),
        ("text/plain", "中文 notes".encode("gb18030"), True),
        ("text/plain", b"MZ\x90\x00\x03\x00", False),
        ("text/plain", b"<!DOCTYPE html><script>alert(1)</script>", False),
        ("text/csv", b"name,phone\n", True),
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04", True),
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", PDF, False),
        ("application/x-unknown-kind", b"anything", None),
    ],
)
def test_content_signature(content_type, data, matches):
    assert content_matches(content_type, data) is matches


@pytest.mark.parametrize(
    ("filename", "data"),
    [("photo.png", JPEG), ("scan.pdf", b"#!/bin/sh\nrm -rf /\n"), ("notes.txt", b"<html>x")],
)
def test_upload_whose_content_is_not_its_type_is_refused(app, filename, data):
    client = logged_in(app, "desk", "dispatcher")
    with app.app_context():
        from server.models import Customer

        customer = Customer.create(name="C")
    response = client.form(
        f"/customers/{customer.id}/attachments",
        {"file": (io.BytesIO(data), filename)},
        follow_redirects=True,
    )
    assert "is not what its name says" in response.get_data(as_text=True)
    with app.app_context():
        assert Attachment.select().count() == 0
    assert not any((Path(app.instance_path) / "uploads").glob("*"))


def test_upload_whose_content_matches_is_stored(app):
    client = logged_in(app, "desk", "dispatcher")
    with app.app_context():
        from server.models import Customer

        customer = Customer.create(name="C")
    client.form(f"/customers/{customer.id}/attachments", {"file": (io.BytesIO(PNG), "p.png")})
    with app.app_context():
        assert Attachment.select().count() == 1


# --- secrets ------------------------------------------------------------------------


def test_no_secret_reaches_the_logs(app, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("werkzeug", "peewee", "flask", "server", "urllib3"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    admin = logged_in(app, "boss", "admin")
    app.test_client().login("boss", "a-wrong-password-xyz")
    token_page = admin.form("/account/tokens", {"name": "phone"}).get_data(as_text=True)
    token = re.search(r"(as_[A-Za-z0-9_\-]{20,})", token_page).group(1)
    assert (
        app.test_client()
        .get("/api/v1/sla/policies", headers={"Authorization": f"Bearer {token}"})
        .status_code
        == 200
    )
    uid = ensure_user(app, "desk", "dispatcher").id
    reset = {"username": "desk", "display_name": "D", "role": "dispatcher", "active": "y", **BLANK}
    admin.form(f"/admin/users/{uid}", {**reset, "password": "reset-to-this-one-77"})
    admin.form("/admin/webhooks/new", {"url": "https://example.com/h", "events": "ticket.created"})
    secrets_seen = [PASSWORD, "a-wrong-password-xyz", token, "reset-to-this-one-77"]
    with app.app_context():
        from server.webhooks.models import Webhook

        secrets_seen += [w.secret for w in Webhook.select()]
    log = caplog.text + " ".join(str(r.args) for r in caplog.records)
    assert len(secrets_seen) >= 5
    for value in secrets_seen:
        assert value not in log


def test_the_generated_secret_key_is_private(app):
    key = Path(app.instance_path) / "secret_key"
    assert key.is_file()
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600


def test_config_errors_mask_a_database_password(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[database]\nurl = ["postgresql://aftersales:hunter2-secret@db/aftersales"]\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert "hunter2-secret" not in str(caught.value)
    assert "aftersales:***@db" in str(caught.value)
    wrong = ConfigError(path, "database.url", "cannot connect to mysql://u:pw@h/db")
    assert "pw@" not in str(wrong)


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("postgresql://u:p@h/db", "postgresql://u:***@h/db"),
        ("redis://:pw@localhost:6379/0", "redis://:***@localhost:6379/0"),
        ("sqlite:///instance/aftersales.db", "sqlite:///instance/aftersales.db"),
        ("postgresql://u@h/db", "postgresql://u@h/db"),
    ],
)
def test_url_passwords_are_masked(text, masked):
    assert mask_url_passwords(text) == masked


def test_tokens_issued_outside_a_request_are_audited_as_the_command_line(app):
    user = ensure_user(app, "desk", "dispatcher")
    with app.app_context():
        issue_token(User.get_by_id(user.id), f"t{uuid.uuid4().hex[:4]}")
    (event,) = audit_rows(app, "token.create")
    assert (event.actor_name, event.details["owner"]) == ("(cli)", "desk")


def test_guessing_the_current_password_counts_like_sign_in_attempts(tmp_path):
    app = build_app(tmp_path, rate_limits={"enabled": True, "login_per_username": "2/minute"})
    client = logged_in(app, "desk", "dispatcher")  # the first attempt
    guess = {"current": "guess-one-x", "password": STRONG, "confirm": STRONG}
    assert client.form("/account/password", guess).status_code == 422
    response = client.form("/account/password", {**guess, "current": PASSWORD})
    assert response.status_code == 429  # even the right password, as on /login
    assert "Too many sign-in attempts" in field_error(response.get_data(as_text=True), "current")
    assert app.test_client().login("desk").status_code == 429
