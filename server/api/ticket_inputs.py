"""What the API takes to create, change, move and comment on a ticket, with the page
forms' rules (lengths, no control characters, reported time not in the future).

Lengths are checked on the text as sent, then the text is trimmed, so the documented
``maxLength`` is exactly what is refused.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
)

from server import workflow
from server.api.attributes import attributes_model
from server.api.shapes import refuse_control_characters
from server.catalog import Registry
from server.inputs import MAX_ID
from server.models import CHANNELS, PRIORITIES

# An aware time from before this is a typing error, not a ticket (and no SLA calendar
# reaches that far back).
EARLIEST_REPORTED = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
# Clients' clocks run a little ahead of ours.
CLOCK_SLACK = dt.timedelta(minutes=5)


def _no_control_characters(value: str) -> str:
    return refuse_control_characters(value).strip()


def _not_blank(value: str) -> str:
    if not value:
        raise ValueError("must not be blank")
    return value


def _text_only(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError("an ISO 8601 date and time with its UTC offset, as text")
    return value


def _reported_in_range(value: dt.datetime) -> dt.datetime:
    try:
        utc = value.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError("not a time a ticket can be reported at") from None
    if utc < EARLIEST_REPORTED:
        raise ValueError("must not be before 2000-01-01")
    if utc > dt.datetime.now(dt.UTC) + CLOCK_SLACK:
        raise ValueError("must not be in the future")
    return utc


def trimmed_text(max_length: int, *, required: bool, description: str = "") -> Any:
    """A trimmed text field of at most ``max_length`` characters."""
    checks: list[Any] = [AfterValidator(_no_control_characters)]
    if required:
        checks.append(AfterValidator(_not_blank))
    bounds = {"min_length": 1} if required else {}
    return Annotated[str, Field(max_length=max_length, description=description, **bounds), *checks]


RecordId = Annotated[int, Field(strict=True, ge=1, le=MAX_ID)]
Priority = Literal[PRIORITIES]  # type: ignore[valid-type]
Channel = Literal[CHANNELS]  # type: ignore[valid-type]
Status = Literal[tuple(workflow.STATUSES)]  # type: ignore[valid-type]
ReportedAt = Annotated[
    AwareDatetime,
    BeforeValidator(_text_only),
    AfterValidator(_reported_in_range),
    Field(description="When the customer reported it (with its offset); not in the future."),
]
Title = trimmed_text(200, required=True)
Description = trimmed_text(5000, required=False)
Note = trimmed_text(2000, required=False)
CommentText = trimmed_text(5000, required=True)


class TicketIn(BaseModel):
    """A new ticket; ``attributes`` are the service's plugin fields (GET /services)."""

    model_config = ConfigDict(extra="forbid")

    industry: str = Field(max_length=50, description="An industry slug (GET /industries).")
    service: str = Field(max_length=80, description="A service code of that industry.")
    customer_id: RecordId
    asset_id: RecordId | None = Field(default=None, description="An asset of the customer.")
    priority: Priority = "normal"
    title: Title
    description: Description = ""
    channel: Channel = "phone"
    reported_at: ReportedAt | None = Field(default=None, description="Defaults to now.")
    attributes: dict[str, Any] = Field(default_factory=dict)


class TicketPatch(BaseModel):
    """The fields to change; those left out keep their values. ``attributes`` is partial:
    only the plugin fields sent change."""

    model_config = ConfigDict(extra="forbid")

    title: Title = None
    description: Description = None
    priority: Priority = None
    channel: Channel = None
    asset_id: RecordId | None = Field(default=None, description="null takes the asset off.")
    reported_at: ReportedAt = None
    attributes: dict[str, Any] = Field(
        default=None, description="Some of the service's plugin fields (GET /services)."
    )


class TransitionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: Status
    note: Note = ""


class CommentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: CommentText


def new_ticket_schema(registry: Registry) -> dict[str, Any]:
    """The body of POST /tickets: one alternative per service, whose ``attributes`` is
    that service's schema (the model that validates them)."""
    base = TicketIn.model_json_schema()
    variants = []
    for (industry, code), service in registry.services.items():
        attributes = attributes_model(registry, industry, service).model_json_schema()
        variant = copy.deepcopy(base)
        variant.pop("description", None)
        variant["title"] = f"TicketIn_{industry}_{code}"
        properties = variant["properties"]
        properties["industry"] = {"type": "string", "const": industry}
        properties["service"] = {"type": "string", "const": code}
        properties["attributes"] = attributes
        if attributes.get("required"):
            variant["required"] = [*variant.get("required", []), "attributes"]
        variants.append(variant)
    if not variants:
        return base
    return {"title": "TicketIn", "description": base.get("description", ""), "oneOf": variants}
