"""The forms speak the page's language: labels, hints, choices and the messages next to a
refused field are Chinese for ``Accept-Language: zh-CN`` and English for ``en``.

Form classes built per plugin and language are cached; the core's own texts in them are
lazy, so a cached class still answers each request in that request's language.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from server.catalog import current_registry
from server.models import Customer
from server.testing import api_headers
from tests.complaints_kit import complaint_app
from tests.conftest import add_ticket, ensure_user
from tests.kpi_data import build_month, kpi_app
from tests.test_callbacks import _app as callback_app
from tests.test_callbacks import _pending, _resolved
from tests.test_merit_pages import _form as merit_form

ZH = {"Accept-Language": "zh-CN"}
EN = {"Accept-Language": "en"}
LANGUAGES = {"zh": ZH, "en": EN}
# WTForms' own message, translated by WTForms (not by our catalog)
REQUIRED = {"zh": "该字段是必填字段。", "en": "This field is required."}


def error_of(page: str, field_id: str) -> str:
    """The text of the error shown next to the field ``field_id``."""
    match = re.search(
        rf'<p class="error" id="{re.escape(field_id)}-error"[^>]*>(.*?)</p>', page, re.S
    )
    assert match, f"no error next to {field_id}"
    return html.unescape(match.group(1)).strip()


def label_of(page: str, field_id: str) -> str:
    match = re.search(rf'<label for="{re.escape(field_id)}"[^>]*>(.*?)</label>', page, re.S)
    assert match, f"no label for {field_id}"
    return _words(match.group(1))


def _words(markup: str) -> str:
    """A label's own words, without the "required" marker the field macro adds."""
    return html.unescape(re.sub(r'\s*<span class="required">.*?</span>', "", markup)).strip()


def legend_of(page: str, field_id: str) -> str:
    match = re.search(rf'id="{re.escape(field_id)}"[^>]*>\s*<legend>(.*?)</legend>', page, re.S)
    assert match, f"no legend for {field_id}"
    return _words(match.group(1))


def _text(response: Any) -> str:
    return response.get_data(as_text=True)


languages = pytest.mark.parametrize("lang", ["zh", "en"])


@languages
def test_login(app: Any, lang: str) -> None:
    client = app.test_client()
    response = client.form(
        "/login", {"username": "bad\x00name", "password": ""}, headers=LANGUAGES[lang]
    )
    assert response.status_code == 422
    page = _text(response)
    assert label_of(page, "username") == {"zh": "用户名", "en": "Username"}[lang]
    assert (
        error_of(page, "username")
        == {
            "zh": "包含无法保存的控制字符。",
            "en": "Contains control characters that cannot be stored.",
        }[lang]
    )
    assert label_of(page, "password") == {"zh": "密码", "en": "Password"}[lang]
    assert error_of(page, "password") == REQUIRED[lang]


@languages
def test_customer_form_with_a_plugin_field(app: Any, login_as: Any, lang: str) -> None:
    client = login_as("dispatcher")
    data = {"name": "张三", "kind": "person", "phone": "abc", "tier": "normal"}
    response = client.form(
        "/customers/new", {**data, "f_loyalty_no": "A1"}, headers=LANGUAGES[lang]
    )
    assert response.status_code == 422
    page = _text(response)
    assert label_of(page, "phone") == {"zh": "电话", "en": "Phone"}[lang]
    assert (
        error_of(page, "phone")
        == {
            "zh": "只能包含数字、空格和 + - ( )。",
            "en": "Digits, spaces, + - ( ) only.",
        }[lang]
    )
    # the plugin's own label, the core's message for a pattern without a hint
    assert label_of(page, "f_loyalty_no") == {"zh": "会员号", "en": "Loyalty number"}[lang]
    assert error_of(page, "f_loyalty_no") == {"zh": "格式不正确。", "en": "Wrong format."}[lang]
    assert {"zh": ">个人</option>", "en": ">Individual</option>"}[lang] in page


@languages
def test_new_ticket_with_plugin_fields(app: Any, login_as: Any, lang: str) -> None:
    client = login_as("dispatcher")
    with app.app_context():
        customer = Customer.create(name="李四").id
    data = {
        "service": "sample:repair",
        "title": "",
        "priority": "urgent",
        "channel": "phone",
        "f_serial": "bad",
        "f_purchase_date": "2999-01-01",
    }
    response = client.form(f"/tickets/new?customer={customer}", data, headers=LANGUAGES[lang])
    assert response.status_code == 422
    page = _text(response)
    assert label_of(page, "title") == {"zh": "标题", "en": "Title"}[lang]
    assert error_of(page, "title") == REQUIRED[lang]
    assert label_of(page, "priority") == {"zh": "优先级", "en": "Priority"}[lang]
    assert {"zh": ">紧急</option>", "en": ">Urgent</option>"}[lang] in page
    # the plugin's pattern hint, in its own two languages
    assert (
        error_of(page, "f_serial")
        == {
            "zh": "4-20 位大写字母或数字",
            "en": "4-20 capitals or digits",
        }[lang]
    )
    assert label_of(page, "f_purchase_date") == {"zh": "购买日期", "en": "Purchase date"}[lang]
    assert (
        error_of(page, "f_purchase_date")
        == {
            "zh": "不能是将来的时间。",
            "en": "Must not be in the future.",
        }[lang]
    )


@languages
def test_report_form(app: Any, login_as: Any, lang: str) -> None:
    ticket = add_ticket(app, service="consult")
    client = login_as("supervisor")
    response = client.form(
        f"/tickets/{ticket.number}/report", {"outcome": ""}, headers=LANGUAGES[lang]
    )
    assert response.status_code == 422
    page = _text(response)
    assert label_of(page, "outcome") == {"zh": "处理结果", "en": "Outcome"}[lang]
    assert error_of(page, "outcome") == {"zh": "请选择处理结果。", "en": "Choose an outcome."}[lang]
    assert label_of(page, "labour_hours") == {"zh": "人工工时", "en": "Labour hours"}[lang]


@languages
def test_quote_form(app: Any, login_as: Any, lang: str) -> None:
    ticket = add_ticket(app, service="repair", attributes={"serial": "AB1234"})
    client = login_as("supervisor")
    data = {"action": "consent", "part_1-code": "FUSE-5A", "part_1-quantity": "", "agrees": "y"}
    response = client.form(f"/tickets/{ticket.number}/quote", data, headers=LANGUAGES[lang])
    assert response.status_code == 422
    page = _text(response)
    assert label_of(page, "part_1-quantity") == {"zh": "数量", "en": "Quantity"}[lang]
    # checked by the quote's service against the parts list (under the parts table)
    assert (
        error_of(page, "parts")
        == {
            "zh": "FUSE-5A 的数量必须在 1 到 999 之间。",
            "en": "Quantity of FUSE-5A must be between 1 and 999.",
        }[lang]
    )


@languages
def test_callback_form(make_app: Any, lang: str) -> None:
    app = callback_app(make_app)
    ticket = _resolved(app)
    callback = _pending(app, ticket)
    client = app.test_client()
    client.login(ensure_user(app, "desk", "dispatcher").username)
    data = {"version": str(ticket.version), "comment": "", "outcome": ""}
    response = client.form(f"/callbacks/{callback.id}", data, headers=LANGUAGES[lang])
    assert response.status_code == 422
    page = _text(response)
    assert legend_of(page, "reached") == {"zh": "是否联系上客户", "en": "Customer reached"}[lang]
    assert (
        error_of(page, "reached")
        == {
            "zh": "请说明是否联系上客户。",
            "en": "Say whether the customer was reached.",
        }[lang]
    )
    assert {"zh": "是，已联系上", "en": "Yes, reached"}[lang] in page


@languages
def test_complaint_form(tmp_path: Any, lang: str) -> None:
    app = complaint_app(tmp_path)
    client = app.test_client()
    client.login(ensure_user(app, "desk", "dispatcher").username)
    data = {
        "channel": "phone",
        "category": "attitude",
        "ticket": "",
        "customer": "bad\x1bname",
        "staff": "",
        "description": "",
        "owner": "",
    }
    response = client.form("/complaints/new", data, headers=LANGUAGES[lang])
    assert response.status_code == 422
    page = _text(response)
    assert (
        label_of(page, "description")
        == {
            "zh": "投诉内容",
            "en": "What the customer complains about",
        }[lang]
    )
    assert error_of(page, "description") == REQUIRED[lang]
    assert (
        error_of(page, "customer")
        == {
            "zh": "包含无法保存的控制字符。",
            "en": "Contains control characters that cannot be stored.",
        }[lang]
    )
    # the categories are data-defined Label pairs
    assert {"zh": ">服务态度</option>", "en": ">Staff attitude</option>"}[lang] in page


@languages
def test_import_form(app: Any, login_as: Any, lang: str) -> None:
    client = login_as("supervisor")
    response = client.form("/admin/import/check", {"kind": "customers"}, headers=LANGUAGES[lang])
    assert response.status_code == 422
    page = _text(response)
    assert label_of(page, "file") == {"zh": "CSV 或 XLSX 文件", "en": "CSV or XLSX file"}[lang]
    assert error_of(page, "file") == {"zh": "请选择文件。", "en": "Choose a file."}[lang]
    assert {"zh": ">服务对象</option>", "en": ">Assets</option>"}[lang] in page


@languages
def test_webhook_form(app: Any, login_as: Any, lang: str) -> None:
    client = login_as("admin")
    data = {"url": "ftp://example.com/hooks", "description": ""}
    response = client.form("/admin/webhooks/new", data, headers=LANGUAGES[lang])
    assert response.status_code == 422
    page = _text(response)
    assert (
        error_of(page, "url")
        == {
            "zh": "只有 http:// 和 https:// 的 URL 可以接收 Webhook。",
            "en": "Only http:// and https:// URLs can receive webhooks.",
        }[lang]
    )
    assert (
        error_of(page, "events")
        == {
            "zh": "请至少选择一个事件。",
            "en": "Choose at least one event.",
        }[lang]
    )
    assert label_of(page, "description") == {"zh": "说明", "en": "Description"}[lang]
    assert {"zh": "新建了工单", "en": "A ticket was created"}[lang] in page


@languages
def test_merit_entry_form(app: Any, login_as: Any, lang: str) -> None:
    tech = ensure_user(app, "tech", "technician")
    client = login_as("supervisor")
    data = merit_form(tech, amount="lots")
    response = client.form("/merit/new", data, headers=LANGUAGES[lang])
    assert response.status_code == 422
    page = _text(response)
    assert (
        label_of(page, "amount") == {"zh": "奖励或罚款（元）", "en": "Reward or fine (yuan)"}[lang]
    )
    assert (
        error_of(page, "amount")
        == {
            "zh": "请输入以元为单位的金额，如“20”或“20.50”。",
            "en": 'An amount in yuan such as "20" or "20.50".',
        }[lang]
    )
    assert {"zh": ">记大功（+9）</option>", "en": ">Major merit (+9)</option>"}[lang] in page


@languages
def test_kpi_filter_form(tmp_path: Any, lang: str) -> None:
    app = kpi_app(tmp_path)
    build_month(app)
    ensure_user(app, "boss", "supervisor")
    client = app.test_client()
    assert client.login("boss").status_code == 303
    url = "/kpi?period=custom&start=2026-03-05&end=2026-03-01"
    response = client.get(url, headers=LANGUAGES[lang])
    assert response.status_code == 422
    page = _text(response)
    assert label_of(page, "end") == {"zh": "结束", "en": "To"}[lang]
    assert (
        error_of(page, "end")
        == {
            "zh": "结束日期不能早于开始日期。",
            "en": "The last day cannot be before the first.",
        }[lang]
    )
    assert {"zh": ">技术员</option>", "en": ">Technician</option>"}[lang] in page


def test_cached_form_classes_answer_in_each_requests_language(app: Any, login_as: Any) -> None:
    """One class per plugin form and language; its core texts follow the request."""
    client = login_as("dispatcher")
    with app.app_context():
        customer = Customer.create(name="王五").id
    new_ticket = f"/tickets/new?customer={customer}&service=sample:repair"
    for headers, zh in ((ZH, True), (EN, False), (ZH, True), (EN, False)):
        page = _text(client.get("/customers/new", headers=headers))
        assert label_of(page, "f_loyalty_no") == ("会员号" if zh else "Loyalty number")
        assert label_of(page, "phone") == ("电话" if zh else "Phone")
        page = _text(client.get(new_ticket, headers=headers))
        assert label_of(page, "f_serial") == ("序列号" if zh else "Serial number")
        assert label_of(page, "title") == ("标题" if zh else "Title")
        assert (">个人</option>" if zh else ">Individual</option>") not in page  # not here
        assert (">紧急</option>" if zh else ">Urgent</option>") in page
    with app.app_context():
        keys = set(current_registry().form_class_cache())
    assert {("CustomerForm", "zh_CN"), ("CustomerForm", "en")} <= keys
    ticket_keys = {key[-1] for key in keys if key[0] == "TicketForm"}
    assert ticket_keys == {"zh_CN", "en"}


def test_a_users_own_language_wins_over_the_browser(app: Any, login_as: Any) -> None:
    client = login_as("dispatcher")
    with app.app_context():
        from server.models import User

        User.update(locale="zh_CN").where(User.username == "dispatcher").execute()
    page = _text(client.form("/customers/new", {"name": "", "kind": "person"}, headers=EN))
    assert label_of(page, "name") == "名称"
    assert error_of(page, "name") == REQUIRED["zh"]


def test_the_api_answers_in_english_whatever_the_language(app: Any) -> None:
    """The JSON API checks input with the customer form; its messages stay English."""
    ensure_user(app, "robot", "dispatcher")
    headers = {**api_headers(app, "robot", "dispatcher"), **ZH}
    with app.app_context():
        from server.models import User

        User.update(locale="zh_CN").where(User.username == "robot").execute()
    response = app.test_client().post(
        "/api/v1/customers", json={"name": "张三", "email": "not-an-email"}, headers=headers
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Not a valid email address." in body
    assert "电子邮件" not in body


def test_lazy_texts_are_escaped_in_html() -> None:
    from markupsafe import escape

    from server.i18n import LazyText

    text = LazyText(lambda: "<b>&</b>")
    assert str(escape(text)) == "&lt;b&gt;&amp;&lt;/b&gt;"
    assert str(text) == "<b>&</b>"


def test_import_page_shows_the_kind_choices(app: Any, login_as: Any) -> None:
    page = _text(login_as("supervisor").get("/admin/import", headers=ZH))
    assert label_of(page, "kind") == "文件内容"
    assert ">客户</option>" in page


@pytest.mark.parametrize(
    ("headers", "message"),
    [(ZH, "表单已过期，请刷新页面。"), (EN, "The form is out of date; reload the page.")],
)
def test_validator_messages_reach_the_errors_as_plain_text(
    app: Any, headers: dict[str, str], message: str
) -> None:
    """Views join and compare ``field.errors``: they hold ``str``, not lazy texts."""
    from werkzeug.datastructures import MultiDict

    from server.forms import AttachmentForm, BoardAssignForm

    with app.test_request_context(headers=headers):
        board = BoardAssignForm(
            formdata=MultiDict({"number": "X", "assignee": "a"}), meta={"csrf": False}
        )
        assert not board.validate()
        assert board.version.errors == [message]
        assert all(type(error) is str for error in board.version.errors)
        upload = AttachmentForm(formdata=MultiDict(), meta={"csrf": False})
        assert not upload.validate()
        assert [type(error) for error in upload.file.errors] == [str]
