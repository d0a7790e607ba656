"""The page language: the user's setting, else the switcher's choice, else the browser's,
else the configured default; dates, times and numbers written the language's way."""

from __future__ import annotations

import datetime as dt

from server import templating
from server.models import User
from tests.conftest import build_app, ensure_user, logged_in


def test_the_login_page_speaks_the_browsers_language(tmp_path):
    app = build_app(tmp_path)
    client = app.test_client()
    chinese = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    english = client.get("/login", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert '<html lang="zh-CN">' in chinese.get_data(as_text=True)
    assert "<h1>登录</h1>" in chinese.get_data(as_text=True)
    assert "<h1>Log in</h1>" in english.get_data(as_text=True)


def test_without_a_browser_preference_the_configured_default_applies(tmp_path):
    app = build_app(tmp_path, locale={"default": "zh_CN"})
    assert "<h1>登录</h1>" in app.test_client().get("/login").get_data(as_text=True)


def test_the_switcher_on_the_login_page_keeps_the_choice_through_login(tmp_path):
    app = build_app(tmp_path)
    ensure_user(app, "disp", "dispatcher")
    client = app.test_client()
    response = client.form("/language", {"locale": "zh_CN", "next": "/login"})
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    english_browser = {"Accept-Language": "en"}
    assert "<h1>登录</h1>" in client.get("/login", headers=english_browser).get_data(as_text=True)
    client.login("disp")
    page = client.get("/tickets", headers=english_browser).get_data(as_text=True)
    assert '<html lang="zh-CN">' in page


def test_a_logged_in_users_choice_is_saved_on_the_user_and_wins_over_the_browser(tmp_path):
    app = build_app(tmp_path)
    client = logged_in(app, "disp", "dispatcher")
    client.form("/language", {"locale": "zh_CN", "next": "/tickets?status=open"})
    with app.app_context():
        assert User.get(User.username == "disp").locale == "zh_CN"
    # a new session (another browser) still gets the user's language
    other = logged_in(app, "disp", "dispatcher")
    page = other.get("/tickets", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="zh-CN">' in page and "退出登录" in page


def test_a_bad_language_choice_is_refused_with_a_reason_and_the_switcher_needs_csrf(tmp_path):
    app = build_app(tmp_path)
    client = app.test_client()
    response = client.form("/language", {"locale": "fr"})
    assert response.status_code == 400 and "fr" in response.get_data(as_text=True)
    assert client.post("/language", data={"locale": "en"}).status_code == 400


def test_the_switcher_never_redirects_off_the_site(tmp_path):
    app = build_app(tmp_path)
    client = app.test_client()
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = client.form("/language", {"locale": "en", "next": target})
        assert response.headers["Location"] == "/"


def test_dates_times_numbers_and_durations_follow_the_language(tmp_path):
    app = build_app(tmp_path)
    stored = dt.datetime(2026, 3, 2, 1, 5)  # UTC; 09:05 in Shanghai
    with app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        assert templating.localtime(stored) == "2026年3月2日 09:05"
        assert templating.localdate(stored) == "2026年3月2日"
        assert templating.duration(2 * 86400 + 3 * 3600) == "2天3小时"
        assert templating.money(123450) == "¥1,234.50"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert templating.localtime(stored) == "Mar 2, 2026, 09:05"
        assert templating.localdate(stored) == "Mar 2, 2026"
        assert templating.duration(2 * 86400 + 3 * 3600) == "2d 3h"
        assert templating.number(1234567.891, 2) == "1,234,567.89"


def test_the_top_bar_names_the_role_and_asset_kinds_are_named_in_the_language(tmp_path):
    from server.models import Asset, Customer

    app = build_app(tmp_path, enabled=["home_appliances"], extra_plugins=[])
    with app.app_context():
        customer = Customer.create(name="张伟", phone="13812345678")
        Asset.create(
            customer=customer, plugin="home_appliances", kind="appliance", identifier="SN-1"
        )
    client = logged_in(app, "disp", "dispatcher")
    chinese = client.get(f"/customers/{customer.id}", headers={"Accept-Language": "zh-CN"})
    text = chinese.get_data(as_text=True)
    assert "Disp · 调度员" in text
    assert " · appliance · " not in text and "SN-1" in text
    english = client.get(f"/customers/{customer.id}", headers={"Accept-Language": "en"})
    assert "Disp · Dispatcher" in english.get_data(as_text=True)
