"""What both imports share: a row's error, reading the header, turning cells into form text."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from server.i18n import LOCALE_NAMES, gettext
from server.plugin_api import Column
from server.tabular import unescape_cell

_TAGGED = re.compile(r"\[(attr\.[A-Za-z0-9_]+)\]\s*$")
_FREE = re.compile(r"^attr\.[a-z][a-z0-9_]{0,49}$")
_TRUE = {"yes", "y", "true", "1", "是", "x", "✓"}
_FALSE = {"no", "n", "false", "0", "否", ""}
# a language cell (casefolded, "-" read as "_") → its code; "" is the server's default
_LANGUAGES = {
    **{code.casefold(): code for code in LOCALE_NAMES},
    **{name.casefold(): code for code, name in LOCALE_NAMES.items()},
    "zh": "zh_CN",
    "zh_hans": "zh_CN",
    "zh_hans_cn": "zh_CN",
    "chinese": "zh_CN",
    "simplified chinese": "zh_CN",
    "中文": "zh_CN",
    "汉语": "zh_CN",
    "简体": "zh_CN",
    "en_us": "en",
    "en_gb": "en",
    "英文": "en",
    "英语": "en",
    "": "",
    "default": "",
    "default language": "",
    "默认": "",
    "默认语言": "",
}


@dataclass(frozen=True)
class RowError:
    """One problem: the file's row number (1 is the header), the column key, why."""

    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class HeaderRefused(Exception):
    """The header row names unknown, repeated or missing columns."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


def column_keys(
    header: Sequence[str],
    columns: Iterable[Column],
    required: Iterable[str],
    free_attributes: bool = False,
) -> list[str | None]:
    """Each header cell's column key (None: an empty header cell, ignored).

    A cell names its column by key (``phone``), by its label in either language
    (``电话``, ``Phone``), or, for a plugin field, by the ``[attr.<name>]`` tag an export
    writes; with ``free_attributes`` any ``attr.<name>`` is taken as an attribute.

    :raises HeaderRefused: an unknown or repeated column, or a required one missing.
    """
    names: dict[str, str] = {}
    columns = list(columns)
    known = {column.key for column in columns}
    for column in columns:
        for name in (column.key, column.label.zh, column.label.en):
            names.setdefault(name.strip().casefold(), column.key)
    keys: list[str | None] = []
    errors: list[RowError] = []
    for cell in header:
        text = cell.strip()
        tagged = _TAGGED.search(text)
        key = tagged[1] if tagged else names.get(text.casefold())
        if key is None and free_attributes and _FREE.match(text):
            key = text
        if key is not None and key not in known and not (free_attributes and _FREE.match(key)):
            key = None
        if not text:
            keys.append(None)
            continue
        if key is None:
            errors.append(RowError(1, text, gettext("Unknown column.")))
        elif key in keys:
            errors.append(RowError(1, text, gettext("This column appears twice.")))
        keys.append(key)
    errors.extend(
        RowError(1, key, gettext("This column is missing.")) for key in required if key not in keys
    )
    if errors:
        raise HeaderRefused(errors)
    return keys


def row_values(keys: Sequence[str | None], cells: Sequence[Any]) -> dict[str, Any]:
    """A data row as ``{column key: cell}`` (cells past the header are ignored)."""
    return {key: cell for key, cell in zip(keys, cells, strict=False) if key is not None}


def cell_text(value: Any) -> str:
    """A cell as the text a form would receive: dates as ``YYYY-MM-DD``, whole numbers
    without ``.0``, CSV formula escapes undone, spaces trimmed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unescape_cell(str(value)).strip()


def yes_no(text: str) -> bool | None:
    """A yes/no cell: True, False, or None when it is neither."""
    folded = text.strip().casefold()
    if folded in _TRUE:
        return True
    if folded in _FALSE:
        return False
    return None


def language_code(text: str) -> str | None:
    """A language cell as the customer's language code ("zh_CN", "en"; "" for the
    server's default), or None when it names no language we speak.

    Codes in either spelling (``zh_CN``, ``zh-CN``, ``en``), the names the customer page
    shows (``简体中文``, ``English``) and everyday ones (``中文``, ``英文``, ``Chinese``).
    """
    return _LANGUAGES.get(text.strip().casefold().replace("-", "_"))
