"""What every customer-facing page goes through: on or off, body size, rate limits."""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, current_app, request

from server.public import errors
from server.public.settings import PublicSettings
from server.ratelimit import limiter_of, parse_limit

# The blueprints that serve the public pages (``[public] enabled`` switches them).
PUBLIC_BLUEPRINTS = frozenset({"public_requests", "status_lookup"})


def public_settings() -> PublicSettings:
    return current_app.extensions["aftersales"].config.public


def init_app(app: Flask) -> None:
    """Check public requests before anything reads their body (the CSRF check does).

    Registered first among the app's ``before_request`` functions: a disabled page is a
    plain 404 and an oversized body a 413 before the form parser reads it.
    """
    app.before_request_funcs.setdefault(None, []).insert(0, _guard)
    config = app.extensions["aftersales"].config
    app.jinja_env.globals.update(
        firm_name=lambda: config.print.firm_name,
        public_enabled=lambda: config.public.enabled,
        help_public=lambda: config.kb.public,
    )


def _guard() -> Any:
    if request.blueprint not in PUBLIC_BLUEPRINTS:
        return None
    settings = public_settings()
    if not settings.enabled:
        abort(404)
    if request.method == "POST":
        # Flask reads no more than this from the body; a larger declared length is
        # refused at once, an undeclared (chunked) one when the parser reaches the limit.
        request.max_content_length = settings.max_body_bytes
        if (request.content_length or 0) > settings.max_body_bytes:
            abort(413)
    return None


def over_limit(kind: str) -> int | None:
    """Count one ``kind`` ("submit" or "lookup") from the client's address; None when
    allowed, else the seconds to wait. Nothing is counted when rate limits are off."""
    limiter = limiter_of(current_app)
    if limiter is None:
        return None
    settings = public_settings()
    item = parse_limit(getattr(settings, f"{kind}_per_address"), f"public.{kind}_per_address")
    verdict = limiter.hit(item, f"public-{kind}", request.remote_addr or "-")
    return None if verdict.allowed else verdict.retry_after()


def too_many(wait: int) -> Any:
    """The 429 page in the public layout, with ``Retry-After``."""
    return errors.error_page(429, wait)
