"""The OpenAPI 3.1 document, assembled from the declared operations.

Every schema in it comes from pydantic (``models_json_schema``), from the same models
that validate requests and build responses; plugin fields come from the per-service
models of :mod:`server.api.attributes`. OpenAPI 3.1 uses JSON Schema 2020-12, which is
what pydantic writes, so the schemas go in unchanged.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from server.api.errors import ErrorOut
from server.api.spec import OPERATIONS, Operation
from server.catalog import Registry
from server.inputs import MAX_ID

_REF = "#/components/schemas/{model}"

_ERROR_TEXT = {
    401: "No valid API token (or session).",
    403: "The token's user may not do this (or a browser write without CSRF token).",
    404: "No such record.",
    409: "The record changed since the version in If-Match; nothing was saved.",
    422: "Invalid input: `fields` says which and why (or a refused move).",
    428: "If-Match is required to change this record.",
    429: "Too many requests; retry after the Retry-After seconds.",
}


def openapi_document(registry: Registry, server_url: str, version: str) -> dict[str, Any]:
    """The whole document for this app's operations and plugins."""
    operations = sorted(OPERATIONS, key=lambda op: (op.openapi_path, op.method))
    models: list[tuple[type[BaseModel], str]] = [(ErrorOut, "serialization")]
    for op in operations:
        if op.body is not None and op.body_schema is None:
            models.append((op.body, "validation"))
        if op.response is not None:
            models.append((op.response, "serialization"))
    refs, top = models_json_schema(models, ref_template=_REF)
    schemas: dict[str, Any] = dict(top.get("$defs", {}))
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        paths.setdefault(op.openapi_path, {})[op.method.lower()] = _operation(
            op, refs, schemas, registry
        )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "aftersales API",
            "version": version,
            "description": (
                "After-sales service management: customers, assets, tickets with their "
                "timeline and SLA clocks. Authenticate with `Authorization: Bearer <token>` "
                "(tokens are made on the API tokens page or by `aftersales create-token`). "
                "Errors are always `{error, message, fields}`."
            ),
        },
        "servers": [{"url": server_url}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "as_…"}
            },
        },
    }


def _operation(
    op: Operation,
    refs: dict[tuple[type[BaseModel], str], Any],
    schemas: dict[str, Any],
    registry: Registry,
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "operationId": op.operation_id,
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": [*_path_parameters(op), *_query_parameters(op, schemas)],
        "responses": {},
    }
    if op.description:
        doc["description"] = op.description
    if op.permission:
        doc["x-permission"] = op.permission
    if op.if_match:
        doc["parameters"].append(
            {
                "name": "If-Match",
                "in": "header",
                "required": True,
                "description": 'The version read, as the ETag gave it (`"3"` or `3`).',
                "schema": {"type": "string", "pattern": r'^\s*(W/)?"?[0-9]{1,9}"?\s*$'},
            }
        )
    if op.body is not None:
        if op.body_schema is not None:
            schema = op.body_schema(registry)
            name = op.body.__name__
            schemas[name] = schema
            body_ref = {"$ref": _REF.format(model=name)}
        else:
            body_ref = refs[(op.body, "validation")]
        doc["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": body_ref}},
        }
    success: dict[str, Any] = {"description": op.summary}
    if op.response is not None:
        success["content"] = {"application/json": {"schema": refs[(op.response, "serialization")]}}
    if op.response_headers:
        success["headers"] = {name: {"schema": {"type": "string"}} for name in op.response_headers}
    doc["responses"][str(op.status)] = success
    for status in _error_statuses(op):
        doc["responses"][str(status)] = {
            "description": _ERROR_TEXT[status],
            "content": {"application/json": {"schema": refs[(ErrorOut, "serialization")]}},
        }
    return doc


def _error_statuses(op: Operation) -> list[int]:
    statuses = {401, 429, *op.errors}
    if op.permission is not None or op.writes:
        statuses.add(403)
    if op.path_params():
        statuses.add(404)
    if op.body is not None:
        statuses.add(422)
    if op.query is not None:
        statuses.add(422)
    if op.if_match:
        statuses.update((409, 428))
    return sorted(statuses)


def _path_parameters(op: Operation) -> list[dict[str, Any]]:
    params = []
    for name, converter in op.path_params():
        if converter in ("id", "int"):
            schema: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
        else:
            schema = {"type": "string", "pattern": r"^[^/]+$", "minLength": 1}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
    return params


def _query_parameters(op: Operation, schemas: dict[str, Any]) -> list[dict[str, Any]]:
    if op.query is None:
        return []
    schema = op.query.model_json_schema(ref_template=_REF)
    schemas.update(schema.get("$defs", {}))
    required = set(schema.get("required", ()))
    params = []
    for name, prop in schema.get("properties", {}).items():
        param: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": prop,
        }
        if prop.get("description"):
            param["description"] = prop["description"]
        if _is_array(prop):
            param.update(style="form", explode=True)
        params.append(param)
    return params


def _is_array(prop: dict[str, Any]) -> bool:
    if prop.get("type") == "array":
        return True
    return any(option.get("type") == "array" for option in prop.get("anyOf", ()))
