"""Creating and changing user accounts."""

from __future__ import annotations

import peewee

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
    email: str = "",
) -> User:
    if role not in ROLES:
        raise UserError(f"unknown role {role!r} (choose from {', '.join(ROLES)})")
    if len(password) < 8:
        raise UserError("the password must be at least 8 characters long")
    password_hash = hash_password(password)  # slow: done before taking the write lock
    try:
        with write_transaction():
            if User.get_or_none(User.username == username) is not None:
                raise UserError(f"a user named {username!r} already exists")
            return User.create(
                username=username,
                display_name=display_name or username,
                password_hash=password_hash,
                role=role,
                team=team,
                locale=locale,
                email=email,
            )
    except peewee.IntegrityError:
        # Another admin created the same name between our check and our insert.
        raise UserError(f"a user named {username!r} already exists") from None


def update_user(user: User, *, password: str = "", **values: object) -> User:
    """Change a user's fields (and password, when given) in one transaction."""
    password_hash = hash_password(password) if password else None
    with write_transaction():
        if (
            "username" in values
            and values["username"] != user.username
            and (User.get_or_none(User.username == values["username"]) is not None)
        ):
            raise UserError(f"a user named {values['username']!r} already exists")
        for name, value in values.items():
            setattr(user, name, value)
        if password_hash:
            user.password_hash = password_hash
        user.save()
    return user
