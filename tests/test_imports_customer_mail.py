"""The customer's mail choices (``notify_by_email``, ``language``) in the customer import
and export: header and value spellings in both languages, bad cells, the page's
opt-in rule, files without the columns, and export → import round trips."""

from __future__ import annotations

import io

import pytest

from server.imports.rows import language_code
from server.models import Customer
from tests.conftest import build_app, ensure_user
from tests.test_imports import _check, _csv, _messages, _run, _xlsx


def _mail(app) -> list[tuple]:
    with app.app_context():
        return [
            (c.name, c.email, c.notify_by_email, c.language)
            for c in Customer.select().order_by(Customer.id)
        ]


@pytest.mark.parametrize(
    "header",
    [
        "name,email,notify_by_email,language",
        "Name,Email,Mail notifications,Mail language",
        "名称,邮箱,邮件通知,邮件语言",
        "NAME , email ,  mail NOTIFICATIONS, Mail Language ",
    ],
)
def test_the_columns_are_named_by_key_or_either_languages_label(app, header):
    data = _csv(f"{header}\n张三,zs@example.com,是,中文\nTom,tom@example.com,no,English\n")
    plan = _run(app, "customers", "c.csv", data)
    assert plan.imported == 2, _messages(plan)
    assert _mail(app) == [
        ("张三", "zs@example.com", True, "zh_CN"),
        ("Tom", "tom@example.com", False, "en"),
    ]


@pytest.mark.parametrize(
    ("cell", "flag"),
    [
        ("是", True),
        ("否", False),
        ("yes", True),
        ("No", False),
        ("TRUE", True),
        ("false", False),
        ("1", True),
        ("0", False),
        ("y", True),
        ("n", False),
        ("", False),
    ],
)
def test_yes_and_no_in_either_language(app, cell, flag):
    plan = _run(
        app, "customers", "c.csv", _csv(f"name,email,邮件通知\n张三,zs@example.com,{cell}\n")
    )
    assert plan.imported == 1, _messages(plan)
    assert _mail(app)[0][2] is flag


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("zh_CN", "zh_CN"),
        ("zh-CN", "zh_CN"),
        ("zh-cn", "zh_CN"),
        ("zh", "zh_CN"),
        ("中文", "zh_CN"),
        ("简体中文", "zh_CN"),
        ("Chinese", "zh_CN"),
        ("en", "en"),
        ("EN-us", "en"),
        ("English", "en"),
        ("英文", "en"),
        ("英语", "en"),
        ("", ""),
        ("默认语言", ""),
        ("Default", ""),
    ],
)
def test_language_codes_and_names(cell, code):
    assert language_code(cell) == code
    assert language_code(f"  {cell} ") == code


def test_xlsx_booleans_and_language_names(app):
    data = _xlsx(
        [
            ["Name", "Email", "Mail notifications", "Mail language"],
            ["张三", "zs@example.com", True, "zh-CN"],
            ["李四", None, False, None],
            ["王五", "ww@example.com", 1, "English"],
        ]
    )
    plan = _run(app, "customers", "c.xlsx", data)
    assert plan.imported == 3, _messages(plan)
    assert _mail(app) == [
        ("张三", "zs@example.com", True, "zh_CN"),
        ("李四", "", False, ""),
        ("王五", "ww@example.com", True, "en"),
    ]


def test_bad_cells_name_the_column_and_value_and_nothing_is_imported(app):
    data = _csv(
        "name,email,notify_by_email,language\n"
        "张三,zs@example.com,yes,en\n"
        "李四,ls@example.com,maybe,zh_CN\n"
        "王五,ww@example.com,no,Klingon\n"
        "赵六,,是,\n"
    )
    plan = _check(app, "customers", "c.csv", data)
    assert _messages(plan) == [
        "row 3, notify_by_email: maybe is not yes or no.",
        "row 4, language: Unknown language Klingon: write zh_CN or en (中文, English), "
        "or leave it empty for the default.",
        "row 5, notify_by_email: Give an email address to mail the customer.",
    ]
    plan = _run(app, "customers", "c.csv", data)
    assert plan.imported == 0
    assert _mail(app) == []


def test_the_row_errors_speak_chinese_on_a_chinese_page(app, login_as):
    client = login_as("supervisor")
    data = _csv("名称,邮箱,邮件通知,邮件语言\n张三,,也许,火星文\n")
    page = client.form(
        "/admin/import/check",
        {"kind": "customers", "file": (io.BytesIO(data), "c.csv")},
        headers={"Accept-Language": "zh-CN"},
    )
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert "也许 不是“是”或“否”。" in text
    assert "未知的语言 火星文" in text
    assert _mail(app) == []


def test_a_file_without_the_columns_imports_as_before(app):
    data = _csv("名称,电话,邮箱\n张三,13800000001,zs@example.com\n李四,13800000002,\n")
    plan = _run(app, "customers", "c.csv", data)
    assert plan.clean and plan.imported == 2
    assert _mail(app) == [("张三", "zs@example.com", False, ""), ("李四", "", False, "")]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("accept", ["en", "zh-CN"])
def test_export_then_import_keeps_the_mail_choices(tmp_path, fmt, accept):
    source = build_app(tmp_path / "source")
    with source.app_context():
        Customer.create(name="张三", email="zs@example.com", notify_by_email=True, language="en")
        Customer.create(name="李四", email="ls@example.com", language="zh_CN")
        Customer.create(name="王五", email="ww@example.com", notify_by_email=True)
        Customer.create(name="赵六")
    ensure_user(source, "boss", "supervisor")
    client = source.test_client()
    client.login("boss")
    exported = client.get(f"/customers?format={fmt}", headers={"Accept-Language": accept})
    assert exported.status_code == 200
    header = "邮件通知" if accept == "zh-CN" else "Mail notifications"
    if fmt == "csv":
        assert header in exported.get_data(as_text=True)

    target = build_app(tmp_path / "target")
    plan = _run(target, "customers", f"customers.{fmt}", exported.get_data())
    assert plan.imported == 4, _messages(plan)
    assert _mail(target) == _mail(source)
