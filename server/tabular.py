"""CSV and XLSX downloads of any list or report: ``?format=csv|xlsx`` on the page's URL.

A list or report route builds its rows as mappings (the same query as the page, every page
of it) and returns :func:`export_response` when :func:`requested_format` is set; its template
shows ``{% from "_export.html" import export_links %}{{ export_links() }}``.

- Rows are consumed one at a time *inside the view* (so a peewee query or cursor made in
  the view is read while its connection is open) and written to a spooled temporary file,
  which is then streamed out: a 100k-row export never holds 100k rows at once as long as
  ``rows`` is a generator or an iterator reading in batches (see
  :func:`server.list_exports.batched`).
- CSV is UTF-8 with a BOM (Excel then opens Chinese correctly).
- XLSX is written with openpyxl's write-only workbook. Strings stay strings: a text
  starting with ``=`` is never stored as a formula.
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
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any
from urllib.parse import quote

from flask import Response, abort, has_request_context, request
from werkzeug.wsgi import FileWrapper, wrap_file

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
# Exports are written to a temporary file (in memory up to this size) while the view
# runs, then streamed out: rows are consumed one at a time, never held all at once.
SPOOL_BYTES = 4 * 1024 * 1024

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
    :returns: the response (streamed from a temporary file, with its length), with
        ``Content-Disposition: attachment``.
    :raises ValueError: for another ``fmt``.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    locale = _locale()
    headers = [column.label.get(locale) for column in columns]
    keys = [column.key for column in columns]
    writer = _write_csv if fmt == "csv" else _write_xlsx
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (streamed out)
    try:
        writer(spool, headers, keys, rows, locale)
        size = spool.tell()
        spool.seek(0)
    except BaseException:
        spool.close()
        raise
    body = wrap_file(request.environ, spool) if has_request_context() else FileWrapper(spool)
    response = Response(body, mimetype=_MIME[fmt])
    response.content_length = size
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


def _write_csv(
    out: IO[bytes],
    headers: list[str],
    keys: list[str],
    rows: Iterable[Mapping[str, Any]],
    locale: str,
) -> None:
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")  # the BOM comes first
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_escape_csv(cell_text(row.get(key), locale)) for key in keys])
    text.flush()
    text.detach()


def _write_xlsx(
    out: IO[bytes],
    headers: list[str],
    keys: list[str],
    rows: Iterable[Mapping[str, Any]],
    locale: str,
) -> None:
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
    book.save(out)
    out.seek(0, io.SEEK_END)


def _xlsx_cell(sheet: Any, value: Any, locale: str) -> Any:
    """A plain value where openpyxl stores it as it is (numbers, dates with its default
    formats, text); a cell object only for a text that would otherwise be a formula."""
    if value is None or isinstance(value, bool | int | float | decimal.Decimal):
        return value
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return value
    text = _clean(cell_text(value, locale))
    if not text.startswith("="):
        return text
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # never a formula
    return cell


_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # openpyxl refuses these


def _clean(text: str) -> str:
    return _ILLEGAL.sub("", text)


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
