"""Rate limits for JSON API callers and for sign-in attempts (``[rate_limits]``).

Counting is done by the ``limits`` package (Flask-Limiter's engine) with a moving window,
so a caller never gets twice the budget by straddling a window's edge. The counters live
in memory (one process) or in Redis, which makes a limit hold across server processes.

- API: every call of the ``api`` blueprint, after the caller is known, counts against
  the caller's token (a session caller: against the user); every such response carries
  ``X-RateLimit-Limit/Remaining/Reset``, and one over the limit is a 429 ``rate_limited``.
- Login: every POST to ``/login`` counts per client address and per submitted username;
  over either limit the password is not checked at all.

A counter store that cannot be reached lets the request through (logged): an outage of
Redis must not lock every user out.
"""

from __future__ import annotations

import hashlib
import math
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import limits
from flask import Flask, current_app, g, jsonify, request
from limits.errors import ConfigurationError, StorageError
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from server.sla.settings import SettingsError, checked_table

LIMIT_KEYS = ("api", "login", "login_per_username", "survey")
STORAGE_SCHEMES = ("memory://", "redis://", "rediss://", "redis+unix://")
EXTENSION = "aftersales_rate_limiter"
# Set by server.gunicorn_conf for its workers: how many processes serve requests.
PROCESSES_VARIABLE = "AFTERSALES_SERVER_PROCESSES"
# Submitted usernames are cut to this before hashing (the form allows no longer ones).
MAX_USERNAME = 200


@dataclass(frozen=True)
class RateLimitSettings:
    """The parsed ``[rate_limits]`` section; limits are strings such as ``"300/minute"``."""

    enabled: bool = True
    # per API token; a caller with a session (no token) counts per user
    api: str = "300/minute"
    # sign-in attempts per client address
    login: str = "10/minute"
    # sign-in attempts per submitted username (lower-cased)
    login_per_username: str = "5/minute"
    # requests to the customers' survey pages (/survey/<token>) per client address
    survey: str = "20/minute"
    storage: str = "memory://"


def parse_rate_limits(raw: Any) -> RateLimitSettings:
    """``[rate_limits]`` → settings; raises :class:`SettingsError` naming the bad key."""
    table = checked_table(
        raw,
        "rate_limits",
        ("enabled", "storage", *LIMIT_KEYS),
        "must be a table, e.g. [rate_limits]",
    )
    defaults = RateLimitSettings()
    enabled = table.get("enabled", defaults.enabled)
    if not isinstance(enabled, bool):
        raise SettingsError("rate_limits.enabled", f"must be true or false, got {enabled!r}")
    values = {key: table.get(key, getattr(defaults, key)) for key in LIMIT_KEYS}
    for key, value in values.items():
        parse_limit(value, f"rate_limits.{key}")
    storage = table.get("storage", defaults.storage)
    if not isinstance(storage, str) or not storage.startswith(STORAGE_SCHEMES):
        raise SettingsError(
            "rate_limits.storage",
            f'must be "memory://" or a Redis URL such as "redis://localhost:6379/1", '
            f"got {storage!r}",
        )
    return RateLimitSettings(enabled=enabled, storage=storage, **values)


def parse_limit(value: Any, key: str) -> limits.RateLimitItem:
    """One limit such as ``"300/minute"`` or ``"10 per 5 minutes"``.

    :raises SettingsError: for anything else, including several limits in one string.
    """
    example = 'one limit such as "300/minute" or "10 per 5 minutes"'
    if not isinstance(value, str):
        raise SettingsError(key, f"must be {example}, got {value!r}")
    try:
        items = limits.parse_many(value)
    except ValueError:
        raise SettingsError(key, f"must be {example}, got {value!r}") from None
    if len(items) != 1:
        raise SettingsError(key, f"must be {example} (only one), got {value!r}")
    if items[0].amount < 1:
        raise SettingsError(key, f"must allow at least one request, got {value!r}")
    return items[0]


@dataclass(frozen=True)
class Verdict:
    """The outcome of counting one request against one limit."""

    allowed: bool
    limit: int
    remaining: int
    # when the oldest counted request leaves the window (seconds since the epoch)
    reset_at: float

    def retry_after(self, now: float | None = None) -> int:
        """Whole seconds to wait before a request would be allowed again (at least 1)."""
        return max(1, math.ceil(self.reset_at - (time.time() if now is None else now)))


class RateLimiter:
    """The app's limits and their counter store."""

    def __init__(self, settings: RateLimitSettings, namespace: str) -> None:
        """:param namespace: prefixed to every key, so installations sharing one Redis
        (or one test database and another) never share a budget."""
        self.settings = settings
        self.namespace = namespace
        self.api = parse_limit(settings.api, "rate_limits.api")
        self.login = parse_limit(settings.login, "rate_limits.login")
        self.login_per_username = parse_limit(
            settings.login_per_username, "rate_limits.login_per_username"
        )
        try:
            storage = storage_from_string(settings.storage, wrap_exceptions=True)
        except ConfigurationError as exc:  # e.g. the redis client is not installed
            raise SettingsError("rate_limits.storage", str(exc)) from None
        self.survey = parse_limit(settings.survey, "rate_limits.survey")
        self.strategy = MovingWindowRateLimiter(storage)

    def hit(self, item: limits.RateLimitItem, *identifiers: str) -> Verdict:
        """Count one request for ``identifiers`` against ``item`` (refused ones are not
        counted). When the store cannot be reached, the request is let through."""
        try:
            allowed = self.strategy.hit(item, self.namespace, *identifiers)
            stats = self.strategy.get_window_stats(item, self.namespace, *identifiers)
        except StorageError as exc:
            current_app.logger.warning("rate limits not counted, store unreachable: %s", exc)
            return Verdict(True, item.amount, item.amount, time.time() + item.get_expiry())
        return Verdict(allowed, item.amount, stats.remaining, stats.reset_time)

    def login_attempt(self, client_address: str, username: str) -> int | None:
        """Count a sign-in attempt; None when allowed, else the seconds to wait.

        Both budgets are counted whatever the outcome, so whether the username exists
        changes nothing a caller can see.
        """
        name = username.strip().lower()[:MAX_USERNAME]
        # the username is hashed so the store never holds names people typed
        name_key = hashlib.sha256(name.encode("utf-8")).hexdigest()[:32]
        verdicts = (
            self.hit(self.login, "login-ip", client_address or "-"),
            self.hit(self.login_per_username, "login-user", name_key),
        )
        refused = [v.retry_after() for v in verdicts if not v.allowed]
        return max(refused) if refused else None


def public_page_wait(item_name: str, client_address: str) -> int | None:
    """Count a request to a public (no-login) page against the app's ``item_name`` limit
    per client address; None when allowed (or limits are off), else the seconds to wait."""
    limiter = limiter_of(current_app)
    if limiter is None:
        return None
    verdict = limiter.hit(getattr(limiter, item_name), item_name, client_address or "-")
    return None if verdict.allowed else verdict.retry_after()


def init_app(app: Flask, settings: RateLimitSettings, database_url: str) -> None:
    """Make the app's limiter and hook it into API requests (nothing when disabled).

    Call after the login hook is registered: the API limit needs ``g.user``.
    """
    if not settings.enabled:
        return
    namespace = hashlib.sha256(database_url.encode("utf-8")).hexdigest()[:12]
    app.extensions[EXTENSION] = RateLimiter(settings, namespace)
    processes = server_processes()
    if processes > 1 and settings.storage.startswith("memory://"):
        app.logger.warning(
            "rate limits are counted in memory, per process, but %d server processes are "
            'running: each caller gets %d times the budget. Set [rate_limits] storage = "'
            'redis://…" so the limits hold across processes.',
            processes,
            processes,
        )
    app.before_request(_limit_api_call)
    app.after_request(_add_limit_headers)


def server_processes() -> int:
    """How many processes serve requests, as far as known: gunicorn started with
    ``server.gunicorn_conf`` says so through the environment; otherwise 1."""
    try:
        return max(1, int(os.environ.get(PROCESSES_VARIABLE, "1")))
    except ValueError:
        return 1


def limiter_of(app: Flask) -> RateLimiter | None:
    """The app's limiter; None when rate limits are disabled."""
    return app.extensions.get(EXTENSION)


def _api_caller() -> tuple[str, str]:
    """Whose budget an API call spends: its token, else its user, else its address."""
    if g.get("api_token_auth"):  # set by server.auth once the token is known to be good
        _scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
        # the token's own digest: the same key the token is stored under, no query needed
        return "token", hashlib.sha256(secret.strip().encode("utf-8")).hexdigest()[:32]
    if g.get("user") is not None:
        return "user", str(g.user.id)
    return "address", request.remote_addr or "-"


def _limit_api_call() -> Any:
    """Before an API request (its caller already known): count it; 429 when over."""
    if request.blueprint != "api":
        return None
    limiter = limiter_of(current_app)
    assert limiter is not None
    verdict = limiter.hit(limiter.api, "api", *_api_caller())
    g.rate_limit = verdict
    if verdict.allowed:
        return None
    wait = verdict.retry_after()
    response = jsonify(
        error="rate_limited",
        message=f"Too many API calls: the limit is {limiter.settings.api}. "
        f"Try again in {wait} seconds.",
        fields={},
    )
    response.status_code = 429
    response.headers["Retry-After"] = str(wait)
    return response


def _add_limit_headers(response: Any) -> Any:
    """Every counted API response says the caller's budget."""
    verdict: Verdict | None = g.get("rate_limit")
    if verdict is not None:
        response.headers.update(_limit_headers(verdict))
    return response


def _limit_headers(verdict: Verdict) -> Mapping[str, str]:
    return {
        "X-RateLimit-Limit": str(verdict.limit),
        "X-RateLimit-Remaining": str(max(0, verdict.remaining)),
        # when the oldest counted call leaves the window, in seconds since the epoch
        "X-RateLimit-Reset": str(math.ceil(verdict.reset_at)),
    }
