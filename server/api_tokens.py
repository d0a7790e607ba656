"""Personal API tokens: ``Authorization: Bearer <token>`` for the JSON API.

A token is shown once when it is made; only its SHA-256 digest is stored (a token is 256
random bits, so a fast digest is enough — unlike a password it cannot be guessed from a
list). A token acts as its user, with that user's role; it stops working when it is
revoked, when it expires, or when its user is deactivated.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import peewee

from server import audit
from server.db import write_transaction
from server.i18n import gettext
from server.models import BaseModel, User, utcnow

TOKEN_PREFIX = "as_"
# How often a token's "last used" time is written (not on every request).
LAST_USED_EVERY = dt.timedelta(minutes=1)
MAX_NAME = 100


class TokenError(ValueError):
    """A token that cannot be made (bad name or expiry, inactive user): the message says why."""


class ApiToken(BaseModel):
    user = peewee.ForeignKeyField(User, backref="api_tokens", on_delete="CASCADE")
    name = peewee.CharField(max_length=MAX_NAME)
    digest = peewee.CharField(max_length=64, unique=True)
    # The first characters, so people can tell their tokens apart without the secret.
    shown_prefix = peewee.CharField(max_length=12)
    created_at = peewee.DateTimeField(default=utcnow)
    expires_at = peewee.DateTimeField(null=True)
    last_used_at = peewee.DateTimeField(null=True)
    revoked_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "api_token"
        indexes = ((("user", "created_at"), False),)

    def state(self, now: dt.datetime) -> str:
        """ "active", "revoked" or "expired"."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"


def digest_of(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def issue_token(
    user: User, name: str, expires_at: dt.datetime | None = None, now: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    """Make a token for ``user``; returns the stored row and the secret (shown once).

    :raises TokenError: for an empty or too long name, an expiry not in the future, or an
        inactive user.
    """
    now = now or utcnow()
    name = (name or "").strip()
    if not name:
        raise TokenError(gettext("give the token a name (what it is for, e.g. the phone system)"))
    if len(name) > MAX_NAME:
        raise TokenError(gettext("the name is longer than %(n)s characters", n=MAX_NAME))
    if expires_at is not None and expires_at <= now:
        raise TokenError(gettext("the expiry must be in the future"))
    if not user.active:
        raise TokenError(gettext("user '%(name)s' is deactivated", name=user.username))
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with write_transaction():
        token = ApiToken.create(
            user=user,
            name=name,
            digest=digest_of(secret),
            shown_prefix=secret[:10],
            created_at=now,
            expires_at=expires_at,
        )
        audit.record(
            "token.create",
            "api_token",
            token.id,
            {"owner": user.username, "name": name, "prefix": token.shown_prefix},
        )
    return token, secret


def user_for_token(secret: str, now: dt.datetime | None = None) -> User | None:
    """The active user an active token belongs to, or None (unknown, revoked, expired
    token, or deactivated user)."""
    now = now or utcnow()
    if not secret.startswith(TOKEN_PREFIX):
        return None
    found = (
        ApiToken.select(ApiToken, User)
        .join(User)
        .where(ApiToken.digest == digest_of(secret))
        .first()
    )
    if found is None or found.state(now) != "active" or not found.user.active:
        return None
    if found.last_used_at is None or found.last_used_at <= now - LAST_USED_EVERY:
        with write_transaction():
            ApiToken.update(last_used_at=now).where(ApiToken.id == found.id).execute()
    return found.user


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, newest first."""
    return list(
        ApiToken.select()
        .where(ApiToken.user == user)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )


def revoke_token(user: User, token_id: int, now: dt.datetime | None = None) -> bool:
    """Revoke one of ``user``'s tokens; False when it is not theirs or already revoked."""
    with write_transaction():
        changed = (
            ApiToken.update(revoked_at=now or utcnow())
            .where(
                (ApiToken.id == token_id) & (ApiToken.user == user) & ApiToken.revoked_at.is_null()
            )
            .execute()
        )
        if changed:
            audit.record("token.revoke", "api_token", token_id, {"owner": user.username})
    return changed == 1


def all_tokens(user: User | None = None) -> list[ApiToken]:
    """Every user's tokens (only ``user``'s when given) with their users, newest first."""
    query = ApiToken.select(ApiToken, User).join(User)
    if user is not None:
        query = query.where(ApiToken.user == user)
    return list(query.order_by(ApiToken.created_at.desc(), ApiToken.id.desc()))


def find_token(token_id: int) -> ApiToken | None:
    """One token with its user, whoever it belongs to (for administrators)."""
    return ApiToken.select(ApiToken, User).join(User).where(ApiToken.id == token_id).first()
