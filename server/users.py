"""Creating and changing user accounts (each change written to the audit log)."""

from __future__ import annotations

import peewee
from werkzeug.security import check_password_hash

from server import audit
from server.auth import end_other_sessions, hash_password
from server.db import write_transaction
from server.i18n import gettext
from server.models import ROLES, SYSTEM_USER_PREFIX, User
from server.passwords import password_problem

# What the audit log names a change of these fields (others: "user.update").
_FIELD_ACTIONS = {"role": "user.role_change", "active": "user.activation"}


class UserError(Exception):
    """A user cannot be saved as asked (duplicate name, unknown role, weak password).

    ``field`` names the form field the message belongs next to."""

    def __init__(self, message: str, field: str = "username") -> None:
        super().__init__(message)
        self.field = field


def check_new_password(password: str, username: str) -> None:
    """:raises UserError: (field ``password``) when the policy refuses ``password``."""
    problem = password_problem(password, username)
    if problem:
        raise UserError(problem, field="password")


def create_user(
    username: str,
    password: str,
    role: str,
    display_name: str = "",
    team: str = "",
    locale: str = "",
    email: str = "",
    active: bool = True,
) -> User:
    if role not in ROLES:
        raise UserError(
            gettext(
                "unknown role '%(role)s' (choose from %(roles)s)", role=role, roles=", ".join(ROLES)
            ),
            field="role",
        )
    if username.startswith(SYSTEM_USER_PREFIX):
        raise UserError(
            gettext("a username may not start with '%(prefix)s'", prefix=SYSTEM_USER_PREFIX)
        )
    check_new_password(password, username)
    password_hash = hash_password(password)  # slow: done before taking the write lock
    try:
        with write_transaction():
            if User.get_or_none(User.username == username) is not None:
                raise UserError(gettext("a user named '%(name)s' already exists", name=username))
            user = User.create(
                username=username,
                display_name=display_name or username,
                password_hash=password_hash,
                role=role,
                team=team,
                locale=locale,
                email=email,
                active=active,
            )
            audit.record(
                "user.create",
                "user",
                user.id,
                {"username": username, "role": role, "active": active},
            )
            return user
    except peewee.IntegrityError:
        # Another admin created the same name between our check and our insert.
        raise UserError(gettext("a user named '%(name)s' already exists", name=username)) from None


def update_user(user: User, *, password: str = "", **values: object) -> User:
    """Change a user's fields (and password, when given) in one transaction.

    A new password must pass the policy, and ends the user's other sessions."""
    if password:
        check_new_password(password, str(values.get("username", user.username)))
    password_hash = hash_password(password) if password else None
    with write_transaction():
        if (
            "username" in values
            and values["username"] != user.username
            and (User.get_or_none(User.username == values["username"]) is not None)
        ):
            raise UserError(
                gettext("a user named '%(name)s' already exists", name=values["username"])
            )
        changed = {
            name: (getattr(user, name), value)
            for name, value in values.items()
            if getattr(user, name) != value
        }
        for name, value in values.items():
            setattr(user, name, value)
        if password_hash:
            user.password_hash = password_hash
        user.save()
        if password_hash:
            end_other_sessions(user)
        _audit_changes(user, changed, bool(password_hash))
    return user


def change_own_password(user: User, current: str, new: str) -> None:
    """A user's own change: the current password must be right, the new one pass the
    policy; the user's other sessions end (the caller starts a new one for this one).

    :raises UserError: ``field`` ``current`` (wrong) or ``password`` (refused)."""
    if not check_password_hash(user.password_hash, current):
        raise UserError(gettext("That is not your current password."), field="current")
    if new == current:
        raise UserError(gettext("Choose a password different from the current one."), "password")
    check_new_password(new, user.username)
    password_hash = hash_password(new)
    with write_transaction():
        User.update(password_hash=password_hash).where(User.id == user.id).execute()
        user.password_hash = password_hash
        end_other_sessions(user)
        audit.record("user.password_change", "user", user.id, {"username": user.username})


def _audit_changes(user: User, changed: dict[str, tuple[object, object]], password: bool) -> None:
    """One audit row per kind of change (role, activation, password, other fields)."""
    recorded = False
    for name, action in _FIELD_ACTIONS.items():
        if name in changed:
            recorded = True
            before, after = changed.pop(name)
            audit.record(
                action, "user", user.id, {"username": user.username, "from": before, "to": after}
            )
    if password:
        audit.record("user.password_reset", "user", user.id, {"username": user.username})
    if changed or (not password and not recorded):
        # also a save that changed nothing: who looked at and confirmed the record
        audit.record(
            "user.update", "user", user.id, {"username": user.username, "fields": sorted(changed)}
        )
