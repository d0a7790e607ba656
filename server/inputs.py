"""Reading free text from query strings safely (search boxes, filters)."""

from __future__ import annotations

import re
from collections.abc import Mapping

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def query_text(args: Mapping[str, str], name: str, limit: int = 100) -> str:
    """The parameter stripped, cut to ``limit`` and without control characters.

    A search box is not a form: nothing is refused, but NUL and friends are dropped
    (PostgreSQL refuses NUL in any string).
    """
    return _CONTROL.sub("", args.get(name) or "").strip()[:limit]
