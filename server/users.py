"""Creating and changing user accounts."""

from __future__ import annotations

import peewee

from server.auth import hash_password
from server.db import write_transaction
from server.i18n import gettext
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
        raise UserError(
            gettext(
                "unknown role '%(role)s' (choose from %(roles)s)", role=role, roles=", ".join(ROLES)
            )
        )
    if len(password) < 8:
        raise UserError(gettext("the password must be at least %(n)s characters long", n=8))
    password_hash = hash_password(password)  # slow: done before taking the write lock
    try:
        with write_transaction():
            if User.get_or_none(User.username == username) is not None:
                raise UserError(gettext("a user named '%(name)s' already exists", name=username))
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
        raise UserError(gettext("a user named '%(name)s' already exists", name=username)) from None


def update_user(user: User, *, password: str = "", **values: object) -> User:
    """Change a user's fields (and password, when given) in one transaction."""
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
        for name, value in values.items():
            setattr(user, name, value)
        if password_hash:
            user.password_hash = password_hash
        user.save()
    return user
