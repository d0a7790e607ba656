"""Admins see every user's API tokens on /admin/tokens (or one user's) and revoke them."""

from __future__ import annotations

import datetime as dt

import pytest

from server.api_tokens import ApiToken, issue_token
from server.models import User, utcnow
from tests.conftest import ensure_user

POLICIES = "/api/v1/sla/policies"


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _issue(app, username: str, name: str, **kwargs):
    user = ensure_user(app, username, "dispatcher")
    with app.app_context():
        return issue_token(User.get_by_id(user.id), name, **kwargs)


def test_the_list_shows_every_users_tokens_but_never_a_secret(app, login_as):
    _phone, phone_secret = _issue(
        app, "desk", "phone system", expires_at=utcnow() + dt.timedelta(days=3)
    )
    _shop, shop_secret = _issue(app, "clerk", "web shop")
    page = login_as("admin").get("/admin/tokens")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    for expected in ("desk", "phone system", phone_secret[:10], "clerk", "web shop"):
        assert expected in text
    assert phone_secret not in text and shop_secret not in text


def test_the_list_filtered_by_user_shows_only_theirs(app, login_as):
    _issue(app, "desk", "phone system")
    _issue(app, "clerk", "web shop")
    text = login_as("admin").get("/admin/tokens?user=desk").get_data(as_text=True)
    assert "phone system" in text and "web shop" not in text


def test_a_user_without_tokens_gets_an_empty_list(app, login_as):
    ensure_user(app, "desk", "dispatcher")
    text = login_as("admin").get("/admin/tokens?user=desk").get_data(as_text=True)
    assert "No tokens for desk." in text


@pytest.mark.parametrize("username", ["nobody", "x" * 300, "desk' OR 1=1"])
def test_filtering_by_an_unknown_user_is_404(login_as, username):
    assert (
        login_as("admin").get("/admin/tokens", query_string={"user": username}).status_code == 404
    )


def test_the_users_page_links_to_their_tokens(app, login_as):
    user = ensure_user(app, "desk", "dispatcher")
    text = login_as("admin").get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "/admin/tokens?user=desk" in text


def test_revoking_stops_the_token_and_keeps_the_filter(app, login_as):
    token, secret = _issue(app, "desk", "phone system")
    api = app.test_client()
    assert api.get(POLICIES, headers=bearer(secret)).status_code == 200
    admin = login_as("admin")
    response = admin.form(f"/admin/tokens/{token.id}/revoke?user=desk", {})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/admin/tokens?user=desk")
    assert api.get(POLICIES, headers=bearer(secret)).status_code == 401
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "is revoked" in page and "revoked" in page
    with app.app_context():
        assert ApiToken.get_by_id(token.id).revoked_at is not None


def test_revoking_twice_says_nothing_changed(app, login_as):
    token, _secret = _issue(app, "desk", "phone system")
    admin = login_as("admin")
    admin.form(f"/admin/tokens/{token.id}/revoke", {})
    again = admin.form(f"/admin/tokens/{token.id}/revoke", {}, follow_redirects=True)
    assert "was already revoked" in again.get_data(as_text=True)


def test_revoking_an_unknown_token_is_404(login_as):
    assert login_as("admin").form("/admin/tokens/999999/revoke", {}).status_code == 404


def test_revoking_without_the_csrf_token_changes_nothing(app, login_as):
    token, secret = _issue(app, "desk", "phone system")
    response = login_as("admin").post(f"/admin/tokens/{token.id}/revoke")
    assert response.status_code == 400
    assert app.test_client().get(POLICIES, headers=bearer(secret)).status_code == 200


@pytest.mark.parametrize("role", ["supervisor", "dispatcher", "technician"])
def test_only_admins_manage_other_peoples_tokens(app, login_as, role):
    token, secret = _issue(app, "desk", "phone system")
    client = login_as(role, f"{role}-1")
    assert client.get("/admin/tokens").status_code == 403
    assert client.form(f"/admin/tokens/{token.id}/revoke", {}).status_code == 403
    assert app.test_client().get(POLICIES, headers=bearer(secret)).status_code == 200


def test_a_token_cannot_reach_the_admin_pages(app):
    _token, secret = _issue(app, "boss", "script")
    with app.app_context():
        User.update(role="admin").where(User.username == "boss").execute()
    # tokens are for /api/ only: elsewhere the header is ignored and a login is needed
    assert app.test_client().get("/admin/tokens", headers=bearer(secret)).status_code == 302
