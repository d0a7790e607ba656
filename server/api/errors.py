"""The API's one error shape, and the exception views raise to answer with it.

Every error under ``/api/`` is ``{"error": CODE, "message": TEXT, "fields": {name: [..]}}``;
``fields`` names the request fields at fault (``attributes.serial_no`` for a plugin field).
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from pydantic import BaseModel, Field, ValidationError

# The codes clients can branch on, with the status each comes with.
ERROR_CODES = {
    "bad_request": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "conflict": 409,
    "too_large": 413,
    "invalid_request": 422,
    "transition_refused": 422,
    "precondition_required": 428,
    "rate_limited": 429,
}


class ErrorOut(BaseModel):
    """What every API error looks like."""

    error: str = Field(description="A stable code: " + ", ".join(sorted(ERROR_CODES)))
    message: str = Field(description="A sentence for people, in English.")
    fields: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Request fields at fault and what is wrong with each.",
    )


class ApiError(Exception):
    """Raise from a view to answer with the error shape."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        fields: dict[str, list[str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}
        self.headers = headers or {}


def error_response(
    status: int, code: str, message: str, fields: dict[str, list[str]] | None = None
) -> Response:
    response = jsonify(error=code, message=message, fields=fields or {})
    response.status_code = status
    return response


def invalid(fields: dict[str, list[str]], message: str = "Some fields are not valid.") -> ApiError:
    return ApiError(422, "invalid_request", message, fields)


def not_found(what: str) -> ApiError:
    return ApiError(404, "not_found", f"No such {what}.")


def field_errors(exc: ValidationError, prefix: str = "") -> dict[str, list[str]]:
    """pydantic's errors as ``{dotted.field: [messages]}`` (``body`` for the whole body)."""
    fields: dict[str, list[str]] = {}
    for problem in exc.errors():
        name = ".".join(str(part) for part in problem["loc"])
        name = f"{prefix}.{name}" if prefix and name else (prefix or name or "body")
        message = problem["msg"].removeprefix("Value error, ")
        fields.setdefault(name, []).append(message)
    return fields


def answer(exc: ApiError) -> Any:
    response = error_response(exc.status, exc.code, exc.message, exc.fields)
    response.headers.update(exc.headers)
    return response
