"""Small pieces the API's resources share: labels, times, cursor pages."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from server.api.errors import invalid
from server.forms import CONTROL_CHARACTERS
from server.plugin_api import Label


class LabelOut(BaseModel):
    zh: str
    en: str


def label_out(label: Label) -> LabelOut:
    return LabelOut(zh=label.zh, en=label.en)


def aware(value: dt.datetime | None) -> dt.datetime | None:
    """A stored (naive UTC) time as an aware one, so it is written with its offset."""
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def naive_utc(value: dt.datetime) -> dt.datetime:
    """An aware time from a request as the naive UTC the database keeps."""
    return value.astimezone(dt.UTC).replace(tzinfo=None)


def refuse_control_characters(value: str) -> str:
    """A pydantic after-validator: the forms' rule on control characters."""
    if CONTROL_CHARACTERS.search(value):
        raise ValueError("control characters are not allowed")
    return value


class PageQuery(BaseModel):
    """``limit`` and ``cursor`` of a list; resources subclass it with their filters."""

    model_config = ConfigDict(extra="ignore")

    limit: int = Field(default=50, ge=1, le=200, description="Items per page (1–200).")
    cursor: str | None = Field(
        default=None,
        max_length=500,
        description="`next_cursor` of the previous page; leave out for the first page.",
    )


def encode_cursor(values: list[Any]) -> str:
    """An opaque cursor for the sort key of the last item on a page.

    Datetimes are kept as ISO text and read back by :func:`decode_cursor`."""
    plain = [v.isoformat() if isinstance(v, dt.datetime) else v for v in values]
    raw = json.dumps(plain, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(text: str, kinds: tuple[type, ...]) -> list[Any]:
    """The sort key a cursor carries, checked against ``kinds`` (``dt.datetime``,
    ``int``, ``str``); a cursor that is not one of ours is a 422 on ``cursor``."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        values = json.loads(raw)
        if not isinstance(values, list) or len(values) != len(kinds):
            raise ValueError
        out: list[Any] = []
        for value, kind in zip(values, kinds, strict=True):
            if kind is dt.datetime:
                out.append(dt.datetime.fromisoformat(value))
            elif _is(value, kind):
                out.append(value)
            else:
                raise ValueError
        return out
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise invalid({"cursor": ["not a cursor this list gave out"]}) from None


def _is(value: Any, kind: type) -> bool:
    return isinstance(value, kind) and not (kind is int and isinstance(value, bool))
