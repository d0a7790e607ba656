"""Creating and changing user accounts."""

from __future__ import annotations

from server.auth import hash_password
from server.db import write_transaction
from server.models import ROLES, User


class UserError(Exception):
    """A user cannot be saved as asked (duplicate name, unknown role, short password)."""


def create_user(
    username: str,
    password: str,
    role: str,
    display_name: str = "",
    team: str = "",
    locale: str = "",
) -> User:
    if role not in ROLES:
        raise UserError(f"unknown role {role!r} (choose from {', '.join(ROLES)})")
    if len(password) < 8:
        raise UserError("the password must be at least 8 characters long")
    with write_transaction():
        if User.get_or_none(User.username == username) is not None:
            raise UserError(f"a user named {username!r} already exists")
        return User.create(
            username=username,
            display_name=display_name or username,
            password_hash=hash_password(password),
            role=role,
            team=team,
            locale=locale,
        )


def update_user(user: User, *, password: str = "", **values: object) -> User:
    with write_transaction():
        if (
            "username" in values
            and values["username"] != user.username
            and (User.get_or_none(User.username == values["username"]) is not None)
        ):
            raise UserError(f"a user named {values['username']!r} already exists")
        for name, value in values.items():
            setattr(user, name, value)
        if password:
            user.password_hash = hash_password(password)
        user.save()
    return user
