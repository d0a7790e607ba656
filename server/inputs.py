"""Reading free text from query strings safely (search boxes, filters)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from werkzeug.routing import IntegerConverter, Map

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def query_text(args: Mapping[str, str], name: str, limit: int = 100) -> str:
    """The parameter stripped, cut to ``limit`` and without control characters.

    A search box is not a form: nothing is refused, but NUL and friends are dropped
    (PostgreSQL refuses NUL in any string).
    """
    return _CONTROL.sub("", args.get(name) or "").strip()[:limit]


# Database ids are signed 64-bit integers; a larger number must read as "no such record",
# never reach the driver (SQLite raises OverflowError on it).
MAX_ID = 2**63 - 1


def record_id(value: str) -> int:
    """A query-string id (``type=record_id``); ValueError when it cannot name a record."""
    number = int(value)
    if not 1 <= number <= MAX_ID:
        raise ValueError(f"{value!r} is not a record id")
    return number


def _at_most(limit: int) -> str:
    """A regex for the decimal numbers 1..``limit`` (no sign, no leading zeros)."""
    digits = str(limit)
    shorter = rf"[1-9]\d{{0,{len(digits) - 2}}}" if len(digits) > 1 else None
    same_length = []
    for i, digit in enumerate(digits):
        low = "1" if i == 0 else "0"
        if int(digit) > int(low):
            rest = len(digits) - i - 1
            same_length.append(f"{digits[:i]}[{low}-{int(digit) - 1}]" + rf"\d{{{rest}}}")
    same_length.append(digits)
    return "(?:" + "|".join(filter(None, [shorter, *same_length])) + ")"


class RecordIdConverter(IntegerConverter):
    """``<id:name>`` in routes: a positive integer that fits a database id.

    The range is in the regex, not only in ``to_python``: werkzeug reports a path whose
    converter refuses the value as 405 when another method's rule has the same path, so
    ``PATCH /api/v1/customers/0`` answered 405 instead of 404.
    """

    regex = _at_most(MAX_ID)

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map, min=1, max=MAX_ID)
