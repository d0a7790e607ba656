"""Customer and asset imports: the dry run's row errors, all or nothing, duplicates,
round trips from the exports, the /admin/import pages."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from server.imports import FileRefused, check_import, read_table, run_import
from server.models import Asset, Customer
from tests.conftest import build_app, ensure_user

LIMIT = 1024 * 1024


def _csv(text: str) -> bytes:
    return ("\ufeff" + text).encode()


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _check(app, kind, filename, data):
    registry = app.extensions["aftersales"].registry
    with app.test_request_context("/"):
        return check_import(kind, read_table(filename, data, LIMIT), registry)


def _run(app, kind, filename, data):
    registry = app.extensions["aftersales"].registry
    with app.test_request_context("/"):
        return run_import(kind, read_table(filename, data, LIMIT), registry)


def _messages(plan) -> list[str]:
    return [str(error) for error in plan.errors]


def _customers(app) -> list[tuple]:
    with app.app_context():
        return [
            (c.name, c.kind, c.phone, c.email, c.address, c.region, c.tier, c.attributes)
            for c in Customer.select().order_by(Customer.id)
        ]


def test_the_dry_run_lists_every_bad_row_and_imports_nothing(app):
    with app.app_context():
        Customer.create(name="老客户", phone="13800000009")
    data = _csv(
        "名称,类型,电话,邮箱,会员号 [attr.loyalty_no]\n"
        "张三,person,13800000001,zs@example.com,42\n"
        ",person,13800000002,,\n"
        "李四,robot,1380000000x,not-an-email,abc\n"
        "王五,person,13800000001,,000000\n"
        "赵六,company,13800000009,,\n"
    )
    plan = _check(app, "customers", "c.csv", data)
    assert plan.rows == 5 and not plan.clean
    assert _messages(plan) == [
        "row 3, name: This field is required.",
        "row 4, kind: Not a valid choice.",
        "row 4, phone: Digits, spaces, + - ( ) only.",
        "row 4, email: Not a valid email address.",
        "row 4, attr.loyalty_no: Wrong format.",
        "row 5, attr.loyalty_no: Loyalty number 000000 is reserved.",
        "row 5, phone: Phone 13800000001 is also on row 2.",
        "row 6, phone: Phone 13800000009 is already customer #1 (老客户).",
    ]
    # importing anyway writes nothing: one bad row stops every row
    plan = _run(app, "customers", "c.csv", data)
    assert plan.imported == 0
    assert [row[0] for row in _customers(app)] == ["老客户"]


def test_a_clean_file_imports_every_row_in_one_go(app):
    data = _xlsx(
        [
            ["Name", "Phone", "Region", "Loyalty number [attr.loyalty_no]"],
            ["张三", 13800000001, "杭州", "42"],
            ["ACME", "+86 571 8888 0000", "", None],
        ]
    )
    plan = _run(app, "customers", "c.xlsx", data)
    assert plan.clean and plan.imported == 2
    assert _customers(app) == [
        ("张三", "person", "13800000001", "", "", "杭州", "normal", {"loyalty_no": "42"}),
        ("ACME", "person", "+86 571 8888 0000", "", "", "", "normal", {}),
    ]


def test_the_header_must_name_known_columns(app):
    plan = _check(app, "customers", "c.csv", _csv("name,shoe size,name,attr.nope\nx,1,x,1\n"))
    assert _messages(plan) == [
        "row 1, shoe size: Unknown column.",
        "row 1, name: This column appears twice.",
        "row 1, attr.nope: Unknown column.",
    ]
    plan = _check(app, "customers", "c.csv", _csv("phone\n138\n"))
    assert _messages(plan) == ["row 1, name: This column is missing."]
    plan = _check(app, "customers", "c.csv", _csv("name\n"))
    assert _messages(plan) == ["row 2: The file has no rows under its header."]


def test_files_that_cannot_be_read_are_refused_with_a_reason(app):
    cases = [
        ("c.txt", b"name\nx\n", "Choose a .csv or .xlsx file"),
        ("c.csv", b"name\n" + b"x" * 2000, "larger than the limit of 1000 bytes"),
        ("c.csv", b"", "The file is empty."),
        ("c.xlsx", b"not a zip at all", "not an Excel workbook"),
    ]
    for filename, data, reason in cases:
        with pytest.raises(FileRefused, match=reason):
            read_table(filename, data, 1000)
    with pytest.raises(FileRefused, match=r"The file has more than 3 rows: split it\."):
        read_table("c.csv", b"name\na\nb\nc\nd\n", 1000, max_rows=3)
    assert len(read_table("c.csv", b"name\na\nb\nc\n", 1000, max_rows=3).rows) == 3
    many = _xlsx([["name"], *([f"x{n}"] for n in range(4))])
    with pytest.raises(FileRefused, match="more than 3 rows"):
        read_table("c.xlsx", many, 100_000, max_rows=3)
    # Excel in China saves CSV as GB18030
    table = read_table("c.csv", "名称\n张三\n".encode("gb18030"), 1000)
    assert table.header == ("名称",) and table.rows == ((2, ("张三",)),)


def test_assets_by_phone_or_id_with_duplicates_and_patterns(app):
    with app.app_context():
        one = Customer.create(name="张三", phone="13800000001")
        Customer.create(name="李四", phone="13900000002")
        Customer.create(name="李四二", phone="13900000002")
        Asset.create(customer=one, plugin="sample", kind="gadget", identifier="OLD1")
    data = _csv(
        "customer_id,customer_phone,plugin,kind,identifier,coverage_start,coverage_end,attr.colour\n"
        ",13800000001,sample,gadget,AB12,2026-01-01,2027-01-01,red\n"
        f"{one.id},,sample,gadget,CD34,,,\n"
        ",13900000002,sample,gadget,EF56,,,\n"
        "999,,sample,gadget,GH78,,,\n"
        ",,sample,gadget,IJ90,,,\n"
        f"{one.id},,sample,gadget,ab-1,,,\n"
        f"{one.id},,sample,toaster,KL12,,,\n"
        f"{one.id},,sample,gadget,AB12,,,\n"
        f"{one.id},,sample,gadget,OLD1,,,\n"
        f"{one.id},,sample,gadget,MN34,2027-01-01,2026-01-01,\n"
    )
    plan = _check(app, "assets", "a.csv", data)
    assert _messages(plan) == [
        "row 4, customer_phone: More than one customer has phone 13900000002: "
        "give the customer ID instead.",
        "row 5, customer_id: There is no customer #999.",
        "row 6, customer_id: Give the customer's ID or phone.",
        "row 7, identifier: Not a valid Serial no..",
        "row 8, kind: sample has no asset kind toaster.",
        "row 9, identifier: gadget AB12 is also on row 2.",
        "row 10, identifier: gadget OLD1 already exists (customer #1).",
        "row 11, coverage_end: Must not be before the start of coverage.",
    ]
    good = b"\n".join(_csv(data.decode()[1:]).split(b"\n")[:3]) + b"\n"
    plan = _run(app, "assets", "a.csv", good)
    assert plan.imported == 2
    with app.app_context():
        rows = [
            (a.customer_id, a.identifier, a.coverage_start, a.attributes)
            for a in Asset.select().order_by(Asset.id)
        ][1:]
    assert rows == [
        (one.id, "AB12", dt.date(2026, 1, 1), {"colour": "red"}),
        (one.id, "CD34", None, {}),
    ]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_into_an_empty_database_gives_the_same_records(tmp_path, fmt):
    source = build_app(tmp_path / "source")
    with source.app_context():
        one = Customer.create(
            name="张三",
            kind="person",
            phone="13800000001",
            email="zs@example.com",
            address="杭州市西湖区 1 号",
            region="浙江",
            tier="gold",
            attributes={"loyalty_no": "0042"},
        )
        two = Customer.create(name="=ACME 公司", kind="company", phone="+86 571 8888 0000")
        Asset.create(
            customer=one,
            plugin="sample",
            kind="gadget",
            identifier="AB12",
            coverage_start=dt.date(2026, 1, 1),
            coverage_end=dt.date(2028, 12, 31),
        )
        Asset.create(customer=two, plugin="sample", kind="gadget", identifier="CD34")
    client = source.test_client()
    ensure_user(source, "boss", "supervisor")
    client.login("boss")
    customers = client.get(f"/customers?format={fmt}").get_data()
    assets = client.get(f"/assets/export?format={fmt}").get_data()
    expected = _customers(source)
    with source.app_context():
        expected_assets = [
            (a.customer.phone, a.plugin, a.kind, a.identifier, a.coverage_start, a.coverage_end)
            for a in Asset.select().order_by(Asset.id)
        ]

    target = build_app(tmp_path / "target")
    assert _run(target, "customers", f"customers.{fmt}", customers).imported == 2
    assert _run(target, "assets", f"assets.{fmt}", assets).imported == 2
    assert _customers(target) == expected
    with target.app_context():
        assert [
            (a.customer.phone, a.plugin, a.kind, a.identifier, a.coverage_start, a.coverage_end)
            for a in Asset.select().order_by(Asset.id)
        ] == expected_assets
    # the same file again: every row is a duplicate now
    plan = _check(target, "customers", f"customers.{fmt}", customers)
    assert [e.message for e in plan.errors] == [
        "Phone 13800000001 is already customer #1 (张三).",
        "Phone +86 571 8888 0000 is already customer #2 (=ACME 公司).",
    ]


def test_the_import_pages_check_then_import(app, login_as):
    client = login_as("supervisor")
    page = client.get("/admin/import")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.get_data(True)
    bad = client.form(
        "/admin/import/check",
        {"kind": "customers", "file": (io.BytesIO(_csv("name,phone\n,138\n")), "c.csv")},
    )
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "nothing was imported" in text and "This field is required." in text
    assert "/admin/import/run" not in text
    wrong = client.form(
        "/admin/import/check",
        {"kind": "customers", "file": (io.BytesIO(b"x"), "c.pdf")},
    )
    assert wrong.status_code == 422
    assert "Choose a .csv or .xlsx file" in wrong.get_data(as_text=True)
    swapped = client.form(
        "/admin/import/check",
        {"kind": "assets", "file": (io.BytesIO(_csv("plugin,kind\n")), "a.csv")},
        headers={"HX-Request": "true"},
    )
    assert swapped.status_code == 422
    text = swapped.get_data(as_text=True)
    assert "<html" not in text and "identifier" in text and "This column is missing." in text

    good = client.form(
        "/admin/import/check",
        {"kind": "customers", "file": (io.BytesIO(_csv("name,phone\n张三,138\n李四,\n")), "c.csv")},
    )
    assert good.status_code == 200
    assert "All 2 rows passed the checks." in good.get_data(as_text=True)
    assert _customers(app) == []  # a dry run writes nothing
    token = good.get_data(as_text=True).split('name="token" type="hidden" value="')[1][:32]
    done = client.form("/admin/import/run", {"kind": "customers", "token": token})
    assert done.status_code == 303
    assert [row[0] for row in _customers(app)] == ["张三", "李四"]
    # the same token again: the file is gone, nothing is imported twice
    again = client.form("/admin/import/run", {"kind": "customers", "token": token})
    assert again.status_code == 303 and again.headers["Location"] == "/admin/import"
    assert len(_customers(app)) == 2


def test_dispatchers_may_not_import(app, login_as):
    client = login_as("dispatcher")
    assert client.get("/admin/import").status_code == 403
    assert "/admin/import" not in client.get("/tickets").get_data(as_text=True)
    assert "/admin/import" in login_as("supervisor", "sup").get("/tickets").get_data(as_text=True)
