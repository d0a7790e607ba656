"""An uploaded CSV or XLSX file → its header and rows of cells (text, numbers, dates)."""

from __future__ import annotations

import csv
import io
import itertools
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from server.attachments import human_size
from server.i18n import gettext

EXTENSIONS = (".csv", ".xlsx")
# A cap on rows, whatever the file's size: a small XLSX can unpack to millions of rows.
MAX_ROWS = 200_000


class FileRefused(Exception):
    """The file cannot be read at all (type, size, encoding, no header); one clear line."""


@dataclass(frozen=True)
class Table:
    """The header cells and the data rows as ``(row number in the file, cells)``."""

    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[Any, ...]], ...]


def read_table(filename: str, data: bytes, max_bytes: int, max_rows: int = MAX_ROWS) -> Table:
    """Read a CSV (UTF-8, with or without BOM, or GB18030 as Excel saves it in China) or
    the first sheet of an XLSX. Blank rows are skipped; row numbers are the file's.

    :param filename: the uploaded name (its extension decides the type).
    :param data: the file's bytes.
    :param max_bytes: the size limit.
    :param max_rows: the most data rows read (blank ones included).
    :returns: the :class:`Table`.
    :raises FileRefused: wrong type, too large, too many rows, empty, unreadable, or no
        header row.
    """
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix.lower()
    if suffix not in EXTENSIONS:
        raise FileRefused(gettext("Choose a .csv or .xlsx file (an export of this list is one)."))
    if len(data) > max_bytes:
        raise FileRefused(
            gettext("The file is larger than the limit of %(size)s.", size=human_size(max_bytes))
        )
    if not data.strip():
        raise FileRefused(gettext("The file is empty."))
    rows = _csv_rows(data, max_rows + 1) if suffix == ".csv" else _xlsx_rows(data, max_rows + 1)
    if len(rows) > max_rows + 1:
        raise FileRefused(gettext("The file has more than %(n)s rows: split it.", n=max_rows))
    numbered = [
        (number, tuple(row))
        for number, row in enumerate(rows, start=1)
        if any(cell not in (None, "") for cell in row)
    ]
    if not numbered:
        raise FileRefused(gettext("The file has no header row."))
    (_, header), *body = numbered
    return Table(tuple(str(cell or "").strip() for cell in header), tuple(body))


def _csv_rows(data: bytes, limit: int) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        try:
            return list(itertools.islice(csv.reader(io.StringIO(text, newline="")), limit + 1))
        except csv.Error as error:
            raise FileRefused(
                gettext("The CSV file cannot be read: %(error)s.", error=error)
            ) from None
    raise FileRefused(gettext("The CSV file is not UTF-8 (or GB18030) text."))


def _xlsx_rows(data: bytes, limit: int) -> list[tuple[Any, ...]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise FileRefused(gettext("The file is not an Excel workbook (.xlsx).")) from None
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise FileRefused(gettext("The workbook has no sheet."))
        rows = itertools.islice(sheet.iter_rows(values_only=True), limit + 1)
        return [tuple(row) for row in rows]
    finally:
        book.close()
