"""Errors on customer pages use the public layout (no staff menu or links) with a useful
message in the page's language; staff pages keep the staff page, now translated too; the
JSON API keeps English."""

from __future__ import annotations

import pytest

from server.models import User
from server.views import status_lookup
from tests.conftest import build_app, ensure_user

PLUGINS = ("home_appliances",)
REPAIR = "/request/home_appliances/repair"
CHINESE = {"Accept-Language": "zh-CN"}
# What only the staff layout or staff error page has.
STAFF_ONLY = ("Back to the tickets", "返回工单", 'action="/logout"', 'href="/admin', "/tickets")
MESSAGES = {
    400: ("The form had expired", "表单已过期"),
    404: ("There is no such page.", "没有这个页面。"),
    405: ("does not accept that kind of request", "此地址不接受这种请求"),
    413: ("What you sent is too large", "提交的内容过长"),
    429: ("Too many requests", "请求过多"),
    500: ("Something went wrong on our side and nothing was saved", "我们这边出了问题"),
}


@pytest.fixture
def app(tmp_path):
    app = build_app(
        tmp_path,
        PLUGINS,
        public={"enabled": True, "max_body_bytes": 4096, "lookup_per_address": "1/hour"},
        rate_limits={"enabled": True},
    )
    app.config["PROPAGATE_EXCEPTIONS"] = False  # answer a crash as a server would
    return app


def broken_lookup(*_args, **_kwargs):
    raise RuntimeError("the database went away")


CASES = [
    pytest.param(400, "post", REPAIR, {"name": "x"}, False, id="csrf-request"),
    pytest.param(400, "post", "/status", {"number": "x"}, False, id="csrf-status"),
    pytest.param(404, "get", "/request/home_appliances/parts_sale", None, False, id="not-public"),
    pytest.param(404, "get", "/request/a/b/c", None, False, id="unknown-under-request"),
    pytest.param(404, "get", "/status/nothing", None, False, id="unknown-under-status"),
    pytest.param(405, "post", "/request/done", None, True, id="post-done"),
    pytest.param(405, "post", "/request", None, True, id="post-list"),
    pytest.param(405, "delete", "/status", None, False, id="delete-status"),
    pytest.param(413, "post", REPAIR, {"description": "x" * 5000}, True, id="too-large"),
]


def check_public_error(response, status: int, chinese: bool) -> str:
    assert response.status_code == status
    page = response.get_data(as_text=True)
    assert '<body class="public-page">' in page
    assert MESSAGES[status][1 if chinese else 0] in page
    for staff in STAFF_ONLY:
        assert staff not in page
    return page


@pytest.mark.parametrize("chinese", [False, True], ids=["en", "zh"])
@pytest.mark.parametrize(("status", "method", "path", "data", "with_token"), CASES)
def test_errors_of_public_pages_use_the_public_layout(
    app, status, method, path, data, with_token, chinese
):
    client = app.test_client()
    headers = CHINESE if chinese else {}
    if with_token:
        data = {"csrf_token": client.csrf_token(), **(data or {})}
    response = getattr(client, method)(path, data=data, headers=headers)
    check_public_error(response, status, chinese)


@pytest.mark.parametrize("chinese", [False, True], ids=["en", "zh"])
def test_an_expired_form_links_back_to_itself(app, chinese):
    client = app.test_client()
    headers = CHINESE if chinese else {}
    page = check_public_error(
        client.post(REPAIR, data={"name": "x"}, headers=headers), 400, chinese
    )
    again = "重新打开表单" if chinese else "Open the form again"
    assert f'<a href="{REPAIR}">{again}</a>' in page
    page = check_public_error(client.post("/status", headers=headers), 400, chinese)
    assert '<a href="/status">' in page


@pytest.mark.parametrize("chinese", [False, True], ids=["en", "zh"])
def test_too_many_lookups_and_a_crash_use_the_public_layout(app, chinese, monkeypatch):
    client = app.test_client()
    headers = CHINESE if chinese else {}
    lookup = {"number": "HA-2026-000001", "contact": "13800138000"}
    assert client.form("/status", lookup, headers=headers).status_code == 422
    refused = client.form("/status", lookup, headers=headers)
    check_public_error(refused, 429, chinese)
    assert int(refused.headers["Retry-After"]) > 0
    monkeypatch.setattr(status_lookup, "find_ticket", broken_lookup)
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.0.0.7"
    check_public_error(other.form("/status", lookup, headers=headers), 500, chinese)


def test_an_htmx_request_gets_the_same_page_for_app_js_to_show(app):
    client = app.test_client()
    response = client.post("/status", headers={"HX-Request": "true"})
    check_public_error(response, 400, chinese=False)
    assert "HX-Retarget" not in response.headers


@pytest.mark.parametrize(
    ("chinese", "expected"),
    [(False, "There is no such page or record."), (True, "没有这个页面或记录。")],
    ids=["en", "zh"],
)
def test_staff_pages_keep_the_staff_error_page_in_their_language(app, chinese, expected):
    ensure_user(app, "disp", "dispatcher")
    with app.app_context():
        User.update(locale="zh_CN" if chinese else "en").where(User.username == "disp").execute()
    client = app.test_client()
    client.login("disp")
    response = client.get("/tickets/NO-SUCH-TICKET")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert expected in page and 'action="/logout"' in page
    assert "public-page" not in page
    # no CSRF token: the page is still in the user's language, whatever the browser's
    expired = client.post("/logout", data={}, headers={} if chinese else CHINESE)
    assert expired.status_code == 400
    page = expired.get_data(as_text=True)
    text = "表单已过期或不是从本站提交的" if chinese else "The form had expired or was not sent"
    assert text in page and "public-page" not in page
    assert 'action="/logout"' in page  # the staff layout of a signed-in user


def test_anonymous_errors_outside_public_pages_stay_staff_pages(app):
    response = app.test_client().get("/no/such/page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "There is no such page or record." in page and "public-page" not in page


def test_the_json_api_keeps_english_errors(app):
    response = app.test_client().get("/api/v1/no-such-thing", headers=CHINESE)
    assert response.status_code in (401, 404)
    assert response.is_json
    assert all(ch < "\u4e00" for ch in response.get_json()["message"])
