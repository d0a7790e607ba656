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


class RecordIdConverter(IntegerConverter):
    """``<id:name>`` in routes: a positive integer that fits a database id."""

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map, min=1, max=MAX_ID)
