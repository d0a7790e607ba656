"""CSV/XLSX exports (server.tabular) and the export links macro."""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
from collections.abc import Iterator
from typing import Any

import pytest
from flask import render_template_string
from openpyxl import load_workbook
from werkzeug.exceptions import BadRequest

from server.plugin_api import Label
from server.tabular import Column, export_response, requested_format, unescape_cell

COLUMNS = (
    Column("name", Label("名称", "Name")),
    Column("when", Label("时间", "When")),
    Column("day", Label("日期", "Day")),
    Column("count", Label("数量", "Count")),
    Column("ok", Label("完成", "Done")),
    Column("status", Label("状态", "Status")),
    Column("note", Label("备注", "Note")),
)
ROWS = [
    {
        "name": "海尔 冰箱",
        "when": dt.datetime(2026, 3, 10, 9, 5),
        "day": dt.date(2026, 3, 1),
        "count": 3,
        "ok": True,
        "status": Label("已解决", "Resolved"),
        "note": '=HYPERLINK("http://evil")',
    },
    {"name": "+86 138 0000 0000", "count": decimal.Decimal("2.50"), "ok": False, "note": None},
]


def xlsx_rows(data: bytes) -> list[tuple[Any, ...]]:
    """Every row of an exported workbook's first sheet, as values."""
    sheet = load_workbook(io.BytesIO(data)).active
    return [tuple(cell.value for cell in row) for row in sheet.iter_rows()]


def _csv(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_csv_has_a_bom_english_headers_and_escapes_formulas(app):
    with app.test_request_context("/x", headers={"Accept-Language": "en"}):
        response = export_response("tickets", COLUMNS, ROWS, "csv")
        rows = _csv(response)
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == 'attachment; filename="tickets.csv"'
    assert response.get_data()[:3] == b"\xef\xbb\xbf"
    assert rows[0] == ["Name", "When", "Day", "Count", "Done", "Status", "Note"]
    assert rows[1] == [
        "海尔 冰箱",
        "2026-03-10 09:05",
        "2026-03-01",
        "3",
        "yes",
        "Resolved",
        '\'=HYPERLINK("http://evil")',
    ]
    # a phone number is a plain number: not escaped
    assert rows[2] == ["+86 138 0000 0000", "", "", "2.50", "no", "", ""]
    assert unescape_cell(rows[1][6]) == ROWS[0]["note"]
    assert unescape_cell("'quoted") == "'quoted"


def test_headers_follow_the_users_language(app):
    with app.test_request_context("/x", headers={"Accept-Language": "zh-CN"}):
        rows = _csv(export_response("工单", COLUMNS, ROWS, "csv"))
        disposition = export_response("工单", COLUMNS, [], "xlsx").headers["Content-Disposition"]
    assert rows[0] == ["名称", "时间", "日期", "数量", "完成", "状态", "备注"]
    assert rows[1][5] == "已解决"
    assert disposition == (
        "attachment; filename=\".xlsx\"; filename*=UTF-8''%E5%B7%A5%E5%8D%95.xlsx"
    )


def test_xlsx_opens_with_typed_cells_and_no_formulas(app):
    with app.test_request_context("/x", headers={"Accept-Language": "en"}):
        response = export_response("tickets", COLUMNS, ROWS, "xlsx")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert response.headers["Content-Disposition"] == 'attachment; filename="tickets.xlsx"'
    rows = xlsx_rows(response.get_data())
    assert rows[0] == ("Name", "When", "Day", "Count", "Done", "Status", "Note")
    assert rows[1][:6] == (
        "海尔 冰箱",
        dt.datetime(2026, 3, 10, 9, 5),
        dt.datetime(2026, 3, 1),
        3,
        True,
        "Resolved",
    )
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    note = sheet.cell(row=2, column=7)
    assert note.value == ROWS[0]["note"] and note.data_type == "s"
    assert rows[2][0] == "+86 138 0000 0000"
    assert rows[2][3] == 2.5


def test_csv_streams_rows_in_batches(app):
    produced = 0

    def rows() -> Iterator[dict[str, Any]]:
        nonlocal produced
        for number in range(1200):
            produced += 1
            yield {"name": f"row {number}"}

    with app.test_request_context("/x", headers={"Accept-Language": "en"}):
        response = export_response("big", COLUMNS[:1], rows(), "csv")
        assert response.is_streamed
        chunks = iter(response.response)
        first = next(chunks)
        assert produced == 0  # only the header so far
        assert first.lstrip("\ufeff").strip() == "Name"
        rest = list(chunks)
    assert produced == 1200
    assert len(rest) == 3  # 500 + 500 + 200
    assert sum(chunk.count("\r\n") for chunk in rest) == 1200


def test_requested_format(app):
    for query, expected in (("", None), ("?format=csv", "csv"), ("?format=XLSX", "xlsx")):
        with app.test_request_context("/x" + query):
            assert requested_format() == expected
    with app.test_request_context("/x?format=pdf"), pytest.raises(BadRequest):
        requested_format()
    with app.test_request_context("/x"), pytest.raises(ValueError):
        export_response("x", COLUMNS, [], "pdf")


def test_export_links_repeat_the_query_without_format_and_page(app):
    source = '{% from "_export.html" import export_links %}{{ export_links() }}'
    with app.test_request_context("/tickets?q=%E5%86%B0&status=new&status=assigned&page=3"):
        html = render_template_string(source)
    assert 'href="/tickets?q=%E5%86%B0&amp;status=new&amp;status=assigned&amp;format=csv"' in html
    assert "format=xlsx" in html
    assert "page=" not in html
    with app.test_request_context("/tickets?format=csv"):
        html = render_template_string(source)
    assert 'href="/tickets?format=csv"' in html
