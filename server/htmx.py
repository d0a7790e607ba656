"""The one place that knows about htmx-flask: partial-or-full rendering and Vary."""

from __future__ import annotations

from typing import Any

from flask import Flask, make_response, render_template, request
from htmx_flask import Htmx


def init_app(app: Flask) -> None:
    Htmx(app)


def is_partial_request() -> bool:
    """An htmx request that wants a fragment (a history restore wants the whole page)."""
    hx = getattr(request, "htmx", None)
    return bool(hx) and not hx.history_restore_request


def render(page: str, partial: str, /, status: int = 200, **context: Any) -> Any:
    """Render ``partial`` for htmx requests and ``page`` otherwise, varying on HX-Request."""
    template = partial if is_partial_request() else page
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


def redirect(location: str) -> Any:
    """A redirect that htmx follows as a full navigation (HX-Location would swap a part)."""
    from flask import redirect as flask_redirect

    if is_partial_request():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = location
        response.vary.add("HX-Request")
        return response
    return flask_redirect(location, code=303)
