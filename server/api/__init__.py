"""The JSON API, v1, under ``/api/v1``.

Callers authenticate with ``Authorization: Bearer <token>`` (``server.api_tokens``; a bad
token is a 401, never a fall-back to the session) or with a logged-in session (then
changes need the page's CSRF token too). Every endpoint is declared with
:func:`server.api.spec.operation`, which validates the request with pydantic models and
documents it in ``/api/v1/openapi.json``. Errors have one shape (:mod:`server.api.errors`).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from server.api.errors import ApiError, answer
from server.catalog import current_registry

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.errorhandler(ApiError)
def api_error(exc: ApiError) -> Any:
    return answer(exc)


@bp.route("/openapi.json")
def openapi_json() -> Any:
    """The OpenAPI 3.1 document of this server, with its plugins' fields."""
    from importlib.metadata import PackageNotFoundError, version

    from server.api.openapi import openapi_document

    try:
        release = version("aftersales")
    except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        release = "0"
    cache = current_registry().form_class_cache()
    key = ("api-openapi", request.host_url)
    if key not in cache:
        cache[key] = openapi_document(
            current_registry(), request.host_url.rstrip("/") + bp.url_prefix, release
        )
    return jsonify(cache[key])


openapi_json.required_permission = None  # type: ignore[attr-defined]

# The resources register their operations on ``bp`` when imported.
from server.api import (  # noqa: E402, F401
    assets,
    catalog,
    customers,
    sla,
    ticket_callbacks,
    tickets,
    timeline,
)

__all__ = ["bp"]
