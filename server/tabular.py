"""CSV and XLSX downloads of any list or report: ``?format=csv|xlsx`` on the page's URL.

A list or report route builds its rows as mappings (the same query as the page, every page
of it) and returns :func:`export_response` when :func:`requested_format` is set; its template
shows ``{% from "_export.html" import export_links %}{{ export_links() }}``.

- CSV is UTF-8 with a BOM (Excel then opens Chinese correctly), streamed in batches so a
  100k-row export never holds 100k rows at once.
- XLSX is written with openpyxl's write-only workbook (rows go straight to a temporary
  file). Strings stay strings: a text starting with ``=`` is never stored as a formula.
- Header labels are in the user's language (:func:`server.templating.current_locale`).
- Spreadsheet formula injection: in CSV, a text starting with ``= + - @``, tab or CR gets a
  leading apostrophe (unless it is a plain number such as ``+86 138…``);
  :func:`unescape_cell` takes it off again when such a file is imported.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import quote

from flask import Response, abort, has_request_context, request, stream_with_context

from server.plugin_api import Column, Label

__all__ = [
    "FORMATS",
    "Column",
    "cell_text",
    "export_response",
    "requested_format",
    "unescape_cell",
]

FORMATS = ("csv", "xlsx")
BOM = "\ufeff"
CSV_BATCH = 500

_MIME = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_RISKY_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?[\d][\d .]*$")
_DATETIME_FORMAT = "%Y-%m-%d %H:%M"
_BOOL_TEXT = {True: "yes", False: "no"}


def requested_format() -> str | None:
    """The export the current request asks for (``?format=``), or None for the page.

    :returns: "csv", "xlsx" or None.
    :raises werkzeug.exceptions.BadRequest: for another value.
    """
    fmt = request.args.get("format", "").strip().lower()
    if not fmt:
        return None
    if fmt not in FORMATS:
        abort(400, description="format must be csv or xlsx")
    return fmt


def export_response(
    filename_stem: str, columns: Sequence[Column], rows: Iterable[Mapping[str, Any]], fmt: str
) -> Response:
    """A download of ``rows`` as CSV (UTF-8 with BOM, streamed) or XLSX.

    :param filename_stem: the file name without extension (non-ASCII is fine).
    :param columns: the columns in order; each row is read with ``row.get(column.key)``.
    :param rows: mappings; values may be str, int, float, Decimal, date, datetime (written
        as given: pass local times), bool, :class:`Label`, None, or a list/dict (as JSON).
    :param fmt: "csv" or "xlsx".
    :returns: the response, with ``Content-Disposition: attachment``.
    :raises ValueError: for another ``fmt``.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    locale = _locale()
    headers = [column.label.get(locale) for column in columns]
    keys = [column.key for column in columns]
    if fmt == "csv":
        body: Any = _csv_chunks(headers, keys, rows, locale)
        if has_request_context():
            body = stream_with_context(body)
        response = Response(body, mimetype=_MIME["csv"])
    else:
        response = Response(_xlsx_bytes(headers, keys, rows, locale), mimetype=_MIME["xlsx"])
    response.headers["Content-Disposition"] = _disposition(f"{filename_stem}.{fmt}")
    response.headers["Cache-Control"] = "no-store"
    return response


def cell_text(value: Any, locale: str = "en") -> str:
    """How a value reads in a CSV cell (before formula escaping).

    :param value: a row's value.
    :param locale: for :class:`Label` values.
    :returns: the text.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return _BOOL_TEXT[value]
    if isinstance(value, Label):
        return value.get(locale)
    if isinstance(value, dt.datetime):
        return value.strftime(_DATETIME_FORMAT)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def unescape_cell(text: str) -> str:
    """Undo the CSV formula escaping: ``'=SUM`` → ``=SUM`` (other texts unchanged).

    :param text: a cell as read from an exported CSV.
    :returns: the original text.
    """
    if len(text) > 1 and text[0] == "'" and text[1] in _RISKY_START:
        return text[1:]
    return text


def _escape_csv(text: str) -> str:
    if text.startswith(_RISKY_START) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def _csv_chunks(
    headers: list[str], keys: list[str], rows: Iterable[Mapping[str, Any]], locale: str
) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    yield BOM + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    pending = 0
    for row in rows:
        writer.writerow([_escape_csv(cell_text(row.get(key), locale)) for key in keys])
        pending += 1
        if pending >= CSV_BATCH:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if pending:
        yield buffer.getvalue()


def _xlsx_bytes(
    headers: list[str], keys: list[str], rows: Iterable[Mapping[str, Any]], locale: str
) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=_clean(text))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([_xlsx_cell(sheet, row.get(key), locale) for key in keys])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_cell(sheet: Any, value: Any, locale: str) -> Any:
    from openpyxl.cell import WriteOnlyCell

    if value is None or isinstance(value, bool | int | float | decimal.Decimal):
        return value
    if isinstance(value, dt.datetime):
        cell = WriteOnlyCell(sheet, value=value.replace(tzinfo=None))
        cell.number_format = "yyyy-mm-dd hh:mm"
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    cell = WriteOnlyCell(sheet, value=_clean(cell_text(value, locale)))
    cell.data_type = "s"  # never a formula, whatever the text starts with
    return cell


def _clean(text: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _locale() -> str:
    if not has_request_context():
        return "en"
    from server.templating import current_locale

    return current_locale()


def _disposition(filename: str) -> str:
    ascii_name = filename.encode("ascii", "ignore").decode() or "export"
    ascii_name = ascii_name.replace('"', "").replace("\\", "")
    if ascii_name == filename:
        return f'attachment; filename="{filename}"'
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
