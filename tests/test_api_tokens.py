"""API tokens: made on the user's page or by `aftersales create-token`, shown once, stored
as a digest, acting with the user's role; revoked, expired or unknown → 401 JSON."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from click.testing import CliRunner

from server.api_tokens import ApiToken, TokenError, digest_of, issue_token, user_for_token
from server.cli import main
from server.db import database
from server.models import User, utcnow
from tests.conftest import ensure_user

POLICIES = "/api/v1/sla/policies"


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _issue(app, username="desk", role="dispatcher", **kwargs):
    user = ensure_user(app, username, role)
    with app.app_context():
        return issue_token(User.get_by_id(user.id), kwargs.pop("name", "phone system"), **kwargs)


def test_a_token_calls_the_api_as_its_user_without_a_session(app):
    _token, secret = _issue(app)
    response = app.test_client().get(POLICIES, headers=bearer(secret))
    assert response.status_code == 200
    assert "policies" in response.get_json()


def test_only_the_digest_is_stored_and_last_use_is_noted(app):
    token, secret = _issue(app)
    assert secret.startswith("as_") and len(secret) > 40
    app.test_client().get(POLICIES, headers=bearer(secret))
    with app.app_context():
        stored = ApiToken.get_by_id(token.id)
        assert stored.digest == digest_of(secret) and secret not in stored.digest
        assert stored.shown_prefix == secret[:10]
        assert stored.last_used_at is not None


@pytest.mark.parametrize(
    "header",
    ["Bearer as_not-a-real-token", "Bearer ", "Basic ZGVzazpwdw==", "as_no-scheme", ""],
)
def test_a_missing_malformed_or_unknown_token_is_401_json(app, header):
    response = app.test_client().get(POLICIES, headers={"Authorization": header})
    assert response.status_code == 401
    assert response.get_json()["error"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_expired_and_deactivated_tokens_stop_working(app):
    now = utcnow()
    revoked, revoked_secret = _issue(app, "one")
    _expiring, expiring_secret = _issue(app, "two", expires_at=now + dt.timedelta(minutes=5))
    _token, deactivated_secret = _issue(app, "three")
    with app.app_context():
        assert user_for_token(expiring_secret, now) is not None
        assert user_for_token(expiring_secret, now + dt.timedelta(minutes=6)) is None
        ApiToken.update(revoked_at=now).where(ApiToken.id == revoked.id).execute()
        User.update(active=False).where(User.username == "three").execute()
    client = app.test_client()
    assert client.get(POLICIES, headers=bearer(revoked_secret)).status_code == 401
    assert client.get(POLICIES, headers=bearer(deactivated_secret)).status_code == 401


def test_a_bad_token_never_falls_back_to_the_session(login_as):
    client = login_as("dispatcher")
    assert client.get(POLICIES).status_code == 200  # the session works on its own
    assert client.get(POLICIES, headers=bearer("as_wrong")).status_code == 401


@pytest.mark.parametrize(
    ("name", "expires", "message"),
    [
        ("", None, "give the token a name"),
        ("x" * 101, None, "longer than 100"),
        ("ok", dt.timedelta(minutes=-1), "in the future"),
    ],
)
def test_bad_token_requests_are_refused_with_the_reason(app, name, expires, message):
    user = ensure_user(app, "desk", "dispatcher")
    with app.app_context(), pytest.raises(TokenError, match=message):
        issue_token(User.get_by_id(user.id), name, utcnow() + expires if expires else None)
    with app.app_context():
        assert ApiToken.select().count() == 0


# --- the page --------------------------------------------------------------------------


def test_the_page_shows_a_new_token_once_and_revokes_it(login_as, app):
    client = login_as("technician", "tech")
    response = client.form("/account/tokens", {"name": "my phone", "expires_in_days": "30"})
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    secret = re.search(r'class="token-secret">(as_[^<]+)<', response.get_data(as_text=True))[1]
    api = app.test_client()
    assert api.get(POLICIES, headers=bearer(secret)).status_code == 200
    listing = client.get("/account/tokens").get_data(as_text=True)
    assert "my phone" in listing and secret[:10] in listing and secret not in listing
    with app.app_context():
        token = ApiToken.get(ApiToken.name == "my phone")
        assert token.expires_at > utcnow() + dt.timedelta(days=29)
    response = client.form(f"/account/tokens/{token.id}/revoke", {})
    assert response.status_code == 303
    assert api.get(POLICIES, headers=bearer(secret)).status_code == 401
    again = client.form(f"/account/tokens/{token.id}/revoke", {}, follow_redirects=True)
    assert "no such active token" in again.get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "field"),
    [({"name": ""}, "name"), ({"name": "x", "expires_in_days": "0"}, "expires_in_days")],
)
def test_bad_page_input_is_a_422_next_to_the_field(login_as, app, data, field):
    client = login_as("dispatcher")
    response = client.form("/account/tokens", data)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert ApiToken.select().count() == 0


def test_nobody_revokes_someone_elses_token(login_as, app):
    token, secret = _issue(app, "owner")
    client = login_as("admin", "boss")
    again = client.form(f"/account/tokens/{token.id}/revoke", {}, follow_redirects=True)
    assert "no such active token" in again.get_data(as_text=True)
    assert app.test_client().get(POLICIES, headers=bearer(secret)).status_code == 200
    assert "No tokens yet." in client.get("/account/tokens").get_data(as_text=True)


# --- the command -----------------------------------------------------------------------


def _config(tmp_path):
    path = tmp_path / "aftersales.toml"
    path.write_text(
        f'[server]\ninstance_dir = "{tmp_path / "instance"}"\n'
        f'[database]\nurl = "sqlite:///{tmp_path / "cli.db"}"\n',
        encoding="utf-8",
    )
    return path


def test_create_token_prints_a_working_token_once(tmp_path):
    config = _config(tmp_path)
    runner = CliRunner()
    made = runner.invoke(
        main,
        ["--config", str(config), "create-user", "desk", "--role", "dispatcher"],
        input="a-long-password-1\na-long-password-1\n",
    )
    assert made.exit_code == 0, made.output
    result = runner.invoke(
        main,
        ["--config", str(config), "create-token", "desk", "--name", "erp", "--expires-days", "7"],
    )
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip()
    assert secret.startswith("as_") and "shown once" in result.stderr
    from server.app import create_app

    app = create_app(config)
    with app.app_context(), database.connection_context():
        assert user_for_token(secret).username == "desk"
    assert app.test_client().get(POLICIES, headers=bearer(secret)).status_code == 200


def test_create_token_for_an_unknown_user_is_a_one_line_error(tmp_path):
    result = CliRunner().invoke(
        main, ["--config", str(_config(tmp_path)), "create-token", "nobody"]
    )
    assert result.exit_code == 2
    assert result.stderr.strip() == "aftersales: error: no user 'nobody'"
