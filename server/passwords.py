"""The password policy (NIST SP 800-63B): long enough, not a well-known password, not the
username. No composition rules and no forced expiry — they make passwords worse.

Checked wherever a password is *set* (admin pages, the CLI); existing passwords that
predate the policy still log in.
"""

from __future__ import annotations

from flask import current_app, has_app_context

from server.i18n import gettext

DEFAULT_MIN_LENGTH = 10
MAX_LENGTH = 200

# The most common passwords of public breach corpora (lower-cased) that are at least
# eight characters long, plus obvious local ones. Shorter ones fail the length rule.
_COMMON_LIST = """
    123456789 1234567890 12345678 123123123 987654321 1q2w3e4r5t 1qaz2wsx3edc 1q2w3e4r
    qwertyuiop qwerty123 qwerty1234 qwertyui password password1 password12 password123
    password1234 passw0rd p@ssw0rd p@ssword iloveyou iloveyou1 sunshine1 princess1
    football1 baseball1 welcome1 welcome123 admin123 admin1234 administrator abc123456
    abcd1234 abcdefgh abcdefg123 aa123456 a1234567 a12345678 zxcvbnm123 asdfghjkl
    asdfghjk 11111111 111111111 1111111111 00000000 000000000 0000000000 88888888
    888888888 66666666 666666666 99999999 12341234 11223344 112233445566 123456abc
    123456789a 123qweasd qweasdzxc 1qazxsw2 zaq12wsx letmein1 trustno1 dragon123
    monkey123 starwars1 superman1 whatever1 changeme changeme123 computer1 internet1
    woaini1314 woaini520 5201314520 1314520520 aini1314 wo123456 qq123456 qq1234567
    a123456789 iloveyou520 147258369 123654789 741852963 159357456 1234qwer 1234abcd
    q1w2e3r4t5 q1w2e3r4 1a2b3c4d 88888888a zhang123456 wang123456 li123456789
    aftersales aftersales1 aftersales123 service123 shouhou123 shouhou1234
"""
COMMON_PASSWORDS = frozenset(_COMMON_LIST.split())


def min_length() -> int:
    """``[security] password_min_length`` of the running app (the default outside one)."""
    if has_app_context() and "aftersales" in current_app.extensions:
        return current_app.extensions["aftersales"].config.security.password_min_length
    return DEFAULT_MIN_LENGTH


def password_hint() -> str:
    """The policy in one line, shown under password fields."""
    return gettext(
        "At least %(n)s characters; not a common password and not containing the username.",
        n=min_length(),
    )


def password_problem(password: str, username: str = "", minimum: int | None = None) -> str:
    """Why ``password`` may not be set for ``username`` (translated), or "" when it may."""
    minimum = min_length() if minimum is None else minimum
    if len(password) < minimum:
        return gettext("The password must be at least %(n)s characters long.", n=minimum)
    if len(password) > MAX_LENGTH:
        return gettext("The password must be at most %(n)s characters long.", n=MAX_LENGTH)
    folded = password.casefold()
    if folded in COMMON_PASSWORDS or _is_one_repeated_character(folded):
        return gettext("This password is one of the most common ones; choose another.")
    name = username.strip().casefold()
    if name and len(name) >= 3 and name in folded:
        return gettext("The password must not contain the username.")
    return ""


def _is_one_repeated_character(folded: str) -> bool:
    return len(set(folded)) == 1
