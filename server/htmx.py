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


def render(
    page: str, partial: str, /, status: int = 200, push_url: str | None = None, **context: Any
) -> Any:
    """Render ``partial`` for htmx requests and ``page`` otherwise, varying on HX-Request.

    A partial carries the pending flash messages out of band, so they replace the page's
    message area instead of piling up. ``push_url`` replaces the URL htmx would push (the
    canonical form of a filtered list, without empty parameters).
    """
    if is_partial_request():
        body = render_template(partial, **context) + render_template("_flashes.html", oob=True)
    else:
        body = render_template(page, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    if push_url and is_partial_request():
        response.headers["HX-Push-Url"] = push_url
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
