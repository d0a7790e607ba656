"""Errors on customer pages: in the public layout, never the staff one (whose menu and
links a customer cannot use)."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, make_response, render_template, request


def is_public_request() -> bool:
    """Whether the current request is for a customer page: its view is ``@public``, or
    (no view matched: a 404 or 405) its path starts like a public view's does."""
    if request.url_rule is not None:
        view = current_app.view_functions.get(request.endpoint or "")
        return bool(getattr(view, "is_public", False))
    first = request.path.strip("/").split("/", 1)[0]
    return bool(first) and first in public_prefixes(current_app)


def public_prefixes(app: Flask) -> frozenset[str]:
    """The first path segments of the app's ``@public`` views ("request", "status", …)."""
    cached = app.extensions.get("public_prefixes")
    if cached is None:
        found = set()
        for rule in app.url_map.iter_rules():
            view = app.view_functions.get(rule.endpoint)
            first = rule.rule.strip("/").split("/", 1)[0]
            if getattr(view, "is_public", False) and first and not first.startswith("<"):
                found.add(first)
        cached = app.extensions["public_prefixes"] = frozenset(found)
    return cached


def error_page(status: int, wait: int | None = None) -> Any:
    """The error ``status`` in the public layout (429: with ``Retry-After``).

    An htmx request gets the same page: htmx does not swap errors, and the layout's
    script (``app.js``) shows its message in the page's message area instead.
    """
    again = None
    if status == 400 and request.url_rule is not None and "GET" in request.url_rule.methods:
        again = request.path  # an expired form: open it again
    body = render_template("public/error.html", status=status, wait=wait, again=again)
    response = make_response(body, status)
    if wait is not None:
        response.headers["Retry-After"] = str(wait)
    return response
