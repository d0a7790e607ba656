"""Rate limits: API calls per token (or user) and sign-in attempts per address and per
username; over a limit → 429 (JSON on the API, the login page otherwise)."""

from __future__ import annotations

import logging
import os
import re
import time
from pathlib import Path

import pytest

from server.api_tokens import issue_token
from server.config import ConfigError, load_config
from server.models import User
from server.ratelimit import RateLimitSettings
from tests.conftest import PASSWORD, build_app, ensure_user

POLICIES = "/api/v1/sla/policies"
REDIS_URL = os.environ.get("AFTERSALES_TEST_REDIS_URL", "")
REFUSAL = re.compile(r"Too many sign-in attempts\. Try again in (\d+) seconds\.")


def limited_app(tmp_path: Path, **limits: object):
    return build_app(tmp_path, rate_limits={"enabled": True, **limits})


def token_for(app, username: str = "desk", name: str = "phone system") -> str:
    user = ensure_user(app, username, "dispatcher")
    with app.app_context():
        return issue_token(User.get_by_id(user.id), name)[1]


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def attempt(app, username: str, password: str = "wrong", address: str = "127.0.0.1"):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client.form("/login", {"username": username, "password": password})


# --- the API ---------------------------------------------------------------------------


def test_api_calls_over_the_limit_are_429_in_the_error_shape(tmp_path):
    app = limited_app(tmp_path, api="3/minute")
    headers = bearer(token_for(app))
    client = app.test_client()
    remaining = [client.get(POLICIES, headers=headers).headers["X-RateLimit-Remaining"]]
    remaining += [client.get(POLICIES, headers=headers).headers["X-RateLimit-Remaining"]]
    remaining += [client.get(POLICIES, headers=headers).headers["X-RateLimit-Remaining"]]
    assert remaining == ["2", "1", "0"]
    refused = client.get(POLICIES, headers=headers)
    assert refused.status_code == 429
    body = refused.get_json()
    assert body["error"] == "rate_limited" and body["fields"] == {}
    assert "3/minute" in body["message"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 60


def test_every_counted_api_response_states_the_budget(tmp_path):
    app = limited_app(tmp_path, api="2/minute")
    headers = bearer(token_for(app))
    client = app.test_client()
    before = time.time()
    first = client.get(POLICIES, headers=headers)
    client.get(POLICIES, headers=headers)
    refused = client.get(POLICIES, headers=headers)
    for response in (first, refused):
        assert response.headers["X-RateLimit-Limit"] == "2"
        assert before + 59 <= int(response.headers["X-RateLimit-Reset"]) <= time.time() + 61
    assert refused.headers["X-RateLimit-Remaining"] == "0"


def test_each_token_has_its_own_budget(tmp_path):
    app = limited_app(tmp_path, api="2/minute")
    phone, shop = token_for(app, name="phone"), token_for(app, name="shop")
    client = app.test_client()
    for _ in range(2):
        assert client.get(POLICIES, headers=bearer(phone)).status_code == 200
    assert client.get(POLICIES, headers=bearer(phone)).status_code == 429
    assert client.get(POLICIES, headers=bearer(shop)).status_code == 200


def test_session_callers_count_per_user(tmp_path):
    app = limited_app(tmp_path, api="2/minute")
    ensure_user(app, "ann", "dispatcher")
    ensure_user(app, "bob", "dispatcher")
    ann, bob = app.test_client(), app.test_client()
    assert ann.login("ann").status_code == 303 and bob.login("bob").status_code == 303
    assert [ann.get(POLICIES).status_code for _ in range(3)] == [200, 200, 429]
    assert bob.get(POLICIES).status_code == 200


def test_a_refused_token_is_401_and_spends_no_budget(tmp_path):
    app = limited_app(tmp_path, api="1/minute")
    secret = token_for(app)
    client = app.test_client()
    for _ in range(3):
        assert client.get(POLICIES, headers=bearer("as_wrong")).status_code == 401
    assert client.get(POLICIES, headers=bearer(secret)).status_code == 200


def test_pages_outside_the_api_are_not_counted(tmp_path):
    app = limited_app(tmp_path, api="1/minute")
    ensure_user(app, "ann", "dispatcher")
    client = app.test_client()
    client.login("ann")
    for _ in range(3):
        response = client.get("/tickets")
        assert response.status_code == 200 and "X-RateLimit-Limit" not in response.headers


def test_disabled_limits_count_nothing(app):
    headers = bearer(token_for(app))
    client = app.test_client()
    for _ in range(5):
        response = client.get(POLICIES, headers=headers)
        assert response.status_code == 200 and "X-RateLimit-Limit" not in response.headers


def test_an_unreachable_store_lets_calls_through_and_says_so(tmp_path, caplog):
    # nothing listens on port 1: every count fails, and the API keeps answering
    app = limited_app(tmp_path, api="1/minute", storage="redis://127.0.0.1:1/0")
    headers = bearer(token_for(app))
    client = app.test_client()
    with caplog.at_level(logging.WARNING):
        assert [client.get(POLICIES, headers=headers).status_code for _ in range(3)] == [200] * 3
    assert "store unreachable" in caplog.text


# --- the login page --------------------------------------------------------------------


def test_sign_in_attempts_over_the_limit_per_address_are_429(tmp_path):
    app = limited_app(tmp_path, login="3/minute", login_per_username="100/minute")
    for name in ("a", "b", "c"):
        assert attempt(app, name).status_code == 422
    refused = attempt(app, "d")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert REFUSAL.search(refused.get_data(as_text=True))
    # another address still has its own budget
    assert attempt(app, "e", address="10.0.0.2").status_code == 422


def test_sign_in_attempts_over_the_limit_per_username_are_429_from_any_address(tmp_path):
    app = limited_app(tmp_path, login="100/minute", login_per_username="2/minute")
    assert attempt(app, "Desk", address="10.0.0.1").status_code == 422
    assert attempt(app, " desk", address="10.0.0.2").status_code == 422
    assert attempt(app, "DESK", address="10.0.0.3").status_code == 429
    assert attempt(app, "other", address="10.0.0.3").status_code == 422


def test_over_the_limit_even_the_right_password_does_not_sign_in(tmp_path):
    app = limited_app(tmp_path, login_per_username="1/minute")
    ensure_user(app, "desk", "dispatcher")
    attempt(app, "desk")
    client = app.test_client()
    response = client.form("/login", {"username": "desk", "password": PASSWORD})
    assert response.status_code == 429
    assert client.get("/tickets").status_code == 302  # still anonymous


def test_successful_sign_ins_count_too(tmp_path):
    app = limited_app(tmp_path, login_per_username="2/minute")
    ensure_user(app, "desk", "dispatcher")
    assert [app.test_client().login("desk").status_code for _ in range(3)] == [303, 303, 429]


def test_the_refusal_does_not_say_whether_the_username_exists(tmp_path):
    app = limited_app(tmp_path, login="100/minute", login_per_username="1/minute")
    ensure_user(app, "desk", "dispatcher")
    pages = []
    for name in ("desk", "nobody"):
        attempt(app, name)
        refused = attempt(app, name)
        assert refused.status_code == 429
        text = refused.get_data(as_text=True)
        assert "Wrong username or password" not in text
        form = re.search(r"<section.*</section>", text, re.S)[0]
        pages.append(REFUSAL.sub("", re.sub(r'value="[^"]*"', "", form)))
    assert pages[0].replace("desk", "NAME") == pages[1].replace("nobody", "NAME")


# --- configuration ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ('api = "lots"', "rate_limits.api"),
        ('api = "10/fortnight"', "rate_limits.api"),
        ('api = "10/minute;100/hour"', "rate_limits.api"),
        ("api = 300", "rate_limits.api"),
        ('login = "0/minute"', "rate_limits.login"),
        ('login_per_username = ""', "rate_limits.login_per_username"),
        ('enabled = "yes"', "rate_limits.enabled"),
        ('storage = "memcached://localhost"', "rate_limits.storage"),
        ("storage = 6379", "rate_limits.storage"),
        ('burst = "5/second"', "rate_limits.burst"),
    ],
)
def test_a_bad_setting_stops_start_up_with_one_line_naming_the_key(tmp_path, table, key):
    path = tmp_path / "aftersales.toml"
    path.write_text(f"[rate_limits]\n{table}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message and info.value.key == key


def test_a_section_that_is_not_a_table_is_refused(tmp_path):
    path = tmp_path / "aftersales.toml"
    path.write_text('rate_limits = "on"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.key == "rate_limits"


def test_the_shipped_config_states_the_defaults():
    assert load_config().rate_limits == RateLimitSettings()
    assert RateLimitSettings().enabled and RateLimitSettings().storage == "memory://"


def test_limits_may_be_written_in_words(tmp_path):
    path = tmp_path / "aftersales.toml"
    path.write_text('[rate_limits]\napi = "1000 per 5 minutes"\n', encoding="utf-8")
    assert load_config(path).rate_limits.api == "1000 per 5 minutes"


# --- Redis -----------------------------------------------------------------------------


@pytest.mark.skipif(not REDIS_URL, reason="set AFTERSALES_TEST_REDIS_URL (CI does) to test Redis")
def test_with_redis_a_limit_holds_across_server_processes(tmp_path):
    # two apps on one database stand for two server processes of one installation
    first = limited_app(tmp_path, api="2/minute", login="2/minute", storage=REDIS_URL)
    second = limited_app(tmp_path, api="2/minute", login="2/minute", storage=REDIS_URL)
    headers = bearer(token_for(first))
    assert first.test_client().get(POLICIES, headers=headers).status_code == 200
    assert second.test_client().get(POLICIES, headers=headers).status_code == 200
    assert first.test_client().get(POLICIES, headers=headers).status_code == 429
    assert second.test_client().get(POLICIES, headers=headers).status_code == 429
    assert attempt(first, "x").status_code == 422
    assert attempt(second, "y").status_code == 422
    assert attempt(first, "z").status_code == 429


@pytest.mark.skipif(not REDIS_URL, reason="set AFTERSALES_TEST_REDIS_URL (CI does) to test Redis")
def test_with_redis_installations_on_other_databases_keep_their_own_budgets(tmp_path):
    # same client address, same Redis: only the database tells the installations apart
    first = limited_app(tmp_path / "a", login="1/minute", storage=REDIS_URL)
    other = limited_app(tmp_path / "b", login="1/minute", storage=REDIS_URL)
    assert attempt(first, "x").status_code == 422
    assert attempt(other, "y").status_code == 422
    assert attempt(first, "z").status_code == 429


# --- behind a reverse proxy ------------------------------------------------------------


def proxied_attempt(app, username: str, forwarded_for: str):
    client = app.test_client()
    return client.form(
        "/login",
        {"username": username, "password": "wrong"},
        headers={"X-Forwarded-For": forwarded_for},
    )


def test_behind_a_proxy_the_forwarded_address_is_counted(tmp_path):
    app = build_app(
        tmp_path,
        server={"proxy_hops": 1},
        rate_limits={"enabled": True, "login": "1/minute"},
    )
    assert proxied_attempt(app, "a", "203.0.113.7").status_code == 422
    assert proxied_attempt(app, "b", "203.0.113.8").status_code == 422
    assert proxied_attempt(app, "c", "203.0.113.7").status_code == 429


def test_without_proxy_hops_a_forwarded_address_is_ignored(tmp_path):
    app = limited_app(tmp_path, login="1/minute")
    assert proxied_attempt(app, "a", "203.0.113.7").status_code == 422
    assert proxied_attempt(app, "b", "203.0.113.8").status_code == 429


def test_proxy_hops_out_of_range_is_refused(tmp_path):
    path = tmp_path / "aftersales.toml"
    path.write_text("[server]\nproxy_hops = -1\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.key == "server.proxy_hops"
