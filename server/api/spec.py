"""API operations: one decorator validates a request and records how to document it.

Each endpoint is declared once with ``@operation(...)``: its method and path, the role
permission it needs, the pydantic models of its query string, body and response. The same
models validate the request (errors come back per field in the one error shape) and are
turned into the OpenAPI document by :mod:`server.api.openapi` — pydantic writes every
JSON Schema; this module only says which schema belongs to which path.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, get_origin

from flask import Response, current_app, g, jsonify, request
from flask_wtf.csrf import CSRFError
from pydantic import BaseModel, ValidationError

from server.api.errors import ApiError, field_errors
from server.permissions import user_can

_PATH_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


@dataclass(frozen=True)
class Operation:
    """One documented endpoint."""

    method: str
    rule: str
    operation_id: str
    summary: str
    description: str
    tag: str
    permission: str | None
    query: type[BaseModel] | None
    body: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    errors: tuple[int, ...]
    writes: bool
    body_schema: Callable[[Any], dict[str, Any]] | None = None
    if_match: bool = False
    response_headers: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def openapi_path(self) -> str:
        return _PATH_PARAM.sub(r"{\2}", self.rule)

    def path_params(self) -> list[tuple[str, str]]:
        """``(name, converter)`` of each path variable (ids use ``<id:name>``)."""
        return [(name, converter or "string") for converter, name in _PATH_PARAM.findall(self.rule)]


OPERATIONS: list[Operation] = []


def operation(
    blueprint: Any,
    method: str,
    rule: str,
    *,
    summary: str,
    tag: str,
    permission: str | None,
    response: type[BaseModel] | None,
    status: int = 200,
    query: type[BaseModel] | None = None,
    body: type[BaseModel] | None = None,
    body_schema: Callable[[Any], dict[str, Any]] | None = None,
    errors: tuple[int, ...] = (),
    writes: bool = False,
    if_match: bool = False,
    response_headers: tuple[str, ...] = (),
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare an endpoint on ``blueprint``.

    The view is called with the path variables, plus ``query=`` and ``body=`` (validated
    model instances) when declared. It returns a response model instance, or
    ``(model, status)`` / ``(model, status, headers)``, or a ready ``Response``.
    ``writes`` endpoints need an API token or, for a logged-in browser, a CSRF token.
    ``body_schema(registry)`` documents a body whose real schema depends on the plugins
    (the view validates the parts it documents).
    """

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        op = Operation(
            method=method,
            rule=rule,
            operation_id=_camel(view.__name__),
            summary=summary,
            description=(view.__doc__ or "").strip(),
            tag=tag,
            permission=permission,
            query=query,
            body=body,
            response=response,
            status=status,
            errors=errors,
            writes=writes,
            body_schema=body_schema,
            if_match=if_match,
            response_headers=response_headers,
        )

        @functools.wraps(view)
        def wrapped(**path_args: Any) -> Any:
            _check_access(op)
            kwargs = dict(path_args)
            if op.query is not None:
                kwargs["query"] = parse_query(op.query)
            if op.body is not None:
                kwargs["body"] = parse_body(op.body)
            return _respond(view(**kwargs), op.status)

        wrapped.required_permission = permission  # type: ignore[attr-defined]
        blueprint.add_url_rule(rule, endpoint=view.__name__, view_func=wrapped, methods=[method])
        OPERATIONS.append(op)
        return wrapped

    return decorator


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _check_access(op: Operation) -> None:
    if op.permission is not None and not user_can(g.get("user"), op.permission):
        raise ApiError(403, "forbidden", "Your role does not allow this.")
    if op.writes and not g.get("api_token_auth"):
        # A logged-in browser may write too, but only with the page's CSRF token
        # (X-CSRFToken header); a cross-site form can send neither that nor a Bearer token.
        try:
            current_app.extensions["csrf"].protect()
        except CSRFError as exc:
            raise ApiError(
                403,
                "forbidden",
                "Changes through the API need an API token (Authorization: Bearer …) "
                f"or, from a logged-in page, a CSRF token ({exc.description}).",
            ) from None


def parse_body(model: type[BaseModel]) -> BaseModel:
    """The JSON body validated by ``model``; a 422 in the error shape otherwise."""
    payload = request.get_json(silent=True) if request.is_json else None
    if not isinstance(payload, dict):
        raise ApiError(
            422,
            "invalid_request",
            "The body must be a JSON object, sent with Content-Type: application/json.",
        )
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        raise ApiError(
            422, "invalid_request", "Some fields are not valid.", field_errors(exc)
        ) from None


def parse_query(model: type[BaseModel]) -> BaseModel:
    """The query string validated by ``model`` (list fields take repeated keys)."""
    values: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        key = info.alias or name
        if key not in request.args:
            continue
        if get_origin(info.annotation) is list or _is_optional_list(info.annotation):
            values[key] = request.args.getlist(key)
        else:
            values[key] = request.args[key]
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise ApiError(
            422, "invalid_request", "Some query parameters are not valid.", field_errors(exc)
        ) from None


def _is_optional_list(annotation: Any) -> bool:
    return any(get_origin(arg) is list for arg in getattr(annotation, "__args__", ()))


def _respond(result: Any, default_status: int) -> Any:
    if isinstance(result, Response):
        return result
    status, headers = default_status, {}
    if isinstance(result, tuple):
        result, status, *rest = result
        headers = rest[0] if rest else {}
    if result is None:
        response = current_app.response_class(status=status)
    else:
        response = jsonify(result.model_dump(mode="json", by_alias=True))
        response.status_code = status
    response.headers.update(headers)
    return response
