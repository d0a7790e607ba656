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


def digits_up_to(limit: int) -> str:
    """A regular expression for the numbers 1 … ``limit`` written without leading zeros."""
    digits = str(limit)
    width = len(digits)
    parts = [f"[1-9][0-9]{{0,{width - 2}}}"] if width > 1 else []
    for i, digit in enumerate(digits):
        low, high = (1 if i == 0 else 0), int(digit) - 1
        if high >= low:
            parts.append(f"{digits[:i]}[{low}-{high}][0-9]{{{width - i - 1}}}")
    parts.append(digits)
    return "(?:" + "|".join(parts) + ")"


class RecordIdConverter(IntegerConverter):
    """``<id:name>`` in routes: a positive integer that fits a database id.

    The range is in the pattern, not only checked after matching: a path whose id is
    out of range then matches no route, a 404 whatever the method (a failed check after
    matching made werkzeug answer 405 when another method's route has the same shape).
    """

    regex = digits_up_to(MAX_ID)

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map, min=1, max=MAX_ID)
