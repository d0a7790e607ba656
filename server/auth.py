"""Who is logged in, and the decorators that guard every page."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import abort, current_app, g, jsonify, redirect, request, session, url_for
from werkzeug.security import check_password_hash, generate_password_hash

from server.api_tokens import user_for_token
from server.models import SYSTEM_USER_PREFIX, User
from server.permissions import user_can

# Endpoints of the core reachable without logging in; other views opt in with @public.
PUBLIC_ENDPOINTS = frozenset({"auth.login", "health.healthz", "static", "language.choose"})

# Compared against when the username is unknown, so a wrong name costs as long as a
# wrong password and does not reveal which names exist.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def public(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view as reachable without logging in (customer-facing pages).

    Everything else needs a login; ``tests/test_permissions.py`` lists every public
    endpoint, so a page cannot become public by accident."""
    view.is_public = True  # type: ignore[attr-defined]
    return view


def is_public_endpoint(endpoint: str | None) -> bool:
    """Whether ``endpoint`` of the current app may be reached without logging in."""
    if endpoint is None:
        return False
    if endpoint in PUBLIC_ENDPOINTS:
        return True
    view = current_app.view_functions.get(endpoint)
    return bool(getattr(view, "is_public", False))


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def authenticate(username: str, password: str) -> User | None:
    """The user with these credentials, or None. System users (names starting with "@",
    which the user form refuses, e.g. the public form's ``@web``) never sign in."""
    is_system = username.startswith(SYSTEM_USER_PREFIX)
    user = None if is_system else User.get_or_none(User.username == username)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def login(user: User) -> None:
    """A new session for ``user`` (nothing of the anonymous one survives but its language).

    The cookie is signed client-side data, so "rotation" means its whole content is new
    (fresh CSRF secret, the user's current session epoch); an older cookie of the same
    user stops working when the epoch is raised (password change, log out everywhere)."""
    locale = session.get("locale")
    session.clear()
    session.permanent = True
    session["uid"] = user.id
    session["epoch"] = user.session_epoch
    if locale:
        session["locale"] = locale


def end_other_sessions(user: User) -> None:
    """Raise ``user``'s session epoch: every cookie issued before stops logging in.

    Call inside the write transaction that changes the password (or on demand)."""
    User.update(session_epoch=User.session_epoch + 1).where(User.id == user.id).execute()
    user.session_epoch = User.get_by_id(user.id).session_epoch


def logout() -> None:
    locale = session.get("locale")
    session.clear()
    if locale:
        session["locale"] = locale


def session_user() -> User | None:
    """The active user this session's cookie names, or None (also for a cookie from
    before a password change or "log out everywhere")."""
    uid = session.get("uid")
    user = User.get_or_none((User.id == uid) & (User.active == True)) if uid else None  # noqa: E712
    if user is not None and user.session_epoch != session.get("epoch", 0):
        return None
    return user


def load_logged_in_user() -> Any:
    """Before every request: set ``g.user``; send anonymous visitors to the login page."""
    if request.blueprint == "api" and "Authorization" in request.headers:
        return _load_token_user()
    uid = session.get("uid")
    g.user = session_user()
    if uid and g.user is None:
        session.clear()  # deactivated or deleted: the session ends, reactivation won't revive it
    if g.user is None and not is_public_endpoint(request.endpoint):
        if request.endpoint is None:
            return None  # a 404 is answered as such
        if request.method == "GET" and request.blueprint != "api":
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        abort(401)
    return None


def _load_token_user() -> Any:
    """An API call with ``Authorization: Bearer <token>`` acts as the token's user (the
    session is not consulted); a missing, malformed, unknown, revoked or expired token
    is a 401 with a JSON reason."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    user = None
    if scheme.lower() == "bearer" and secret.strip():
        user = user_for_token(secret.strip())
    g.user = user
    g.api_token_auth = user is not None
    if user is None:
        response = jsonify(
            error="unauthorized",
            message="The API token is missing, unknown, revoked or expired "
            "(send Authorization: Bearer <token>).",
            fields={},
        )
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="aftersales"'
        return response
    return None


def current_user() -> User | None:
    return g.get("user")


def require(permission: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a view so only users whose role has ``permission`` reach it (else 403)."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not user_can(g.user, permission):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_permission = permission  # type: ignore[attr-defined]
        return wrapped

    return decorator


def require_on_ticket(permission: str, ticket: Any) -> None:
    """Abort with 403 unless the user may use ``permission`` on this very ticket."""
    if not user_can(g.user, permission, ticket):
        abort(403)
