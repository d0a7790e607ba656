"""Messages for people: texts that may come from the core (translated with ``gettext``) or
from a plugin (a ``str`` or a :class:`~server.plugin_api.Label`).

Pages show a plugin's :class:`Label` in the page's language (:func:`text`); the JSON API
speaks English to programs (:func:`english`). The core's own messages are translated where
they are made (``gettext`` in request code returns the English source outside a request,
which is what the command line prints).
"""

from __future__ import annotations

from server.i18n import current_locale
from server.plugin_api import Label

_STOPS = ".。!！?？"


def text(value: object) -> str:
    """A message for a page: a :class:`Label` in the page's language, anything else as text."""
    if value is None:
        return ""
    if isinstance(value, Label):
        return value.get(current_locale())
    if isinstance(value, BaseException) and value.args and isinstance(value.args[0], Label):
        return value.args[0].get(current_locale())
    return str(value)


def english(value: object) -> str:
    """A message for the JSON API: a :class:`Label`'s English text, anything else as text."""
    if value is None:
        return ""
    if isinstance(value, Label):
        return value.en
    if isinstance(value, BaseException) and value.args and isinstance(value.args[0], Label):
        return value.args[0].en
    return str(value)


def reason(value: object) -> str:
    """A message to put inside a sentence ("… not assigned: %(reason)s."): its text without
    the closing full stop."""
    return text(value).strip().rstrip(_STOPS)


def sentence(value: object) -> str:
    """A message standing on its own (a field error): first letter capital, closing stop in
    the page's language."""
    said = reason(value)
    if not said:
        return ""
    said = said[0].upper() + said[1:]
    return said + ("。" if current_locale().startswith("zh") else ".")


def status_word(value: Label) -> str:
    """A status inside a sentence: lower case in English ("… is already resolved"), the
    status's own word in Chinese."""
    said = text(value)
    return said if current_locale().startswith("zh") else said.lower()
