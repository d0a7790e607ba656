"""Languages: which one a request speaks, and the gettext catalogs behind ``_()``.

Every UI string is English in the source, marked for translation (``_()`` / ``_l()`` in
Python, ``{{ _("…") }}`` or ``{% trans %}`` in templates). The Simplified Chinese
catalog is ``server/translations/zh_CN/LC_MESSAGES/messages.po``; a plugin ships its own
catalog in the same layout and names its folder with the ``register_translations`` hook.

Catalogs are read from the ``.po`` files themselves (compiled in memory once per file
version), so there is no build step and no compiled ``.mo`` file to fall out of date.
Data-defined texts (plugin services, fields, statuses) stay :class:`~server.plugin_api.Label`
pairs; ``_()`` is for the words of the pages.
"""

from __future__ import annotations

import functools
import io
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import flask_babel
from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from flask import Flask, current_app, g, has_app_context, has_request_context, request, session
from markupsafe import escape

LOCALES = ("zh_CN", "en")
LOCALE_NAMES = {"zh_CN": "简体中文", "en": "English"}
CORE_TRANSLATIONS = Path(__file__).resolve().parent / "translations"
DOMAIN = "messages"

gettext = flask_babel.gettext
ngettext = flask_babel.ngettext


class LazyText(flask_babel.LazyString):
    """A text worked out when it is used (in that request's language), HTML-escaped when a
    template or a widget writes it (Flask-Babel's own lazy string goes out unescaped)."""

    def __html__(self) -> str:
        return escape(str(self))


def _l(string: str, **variables: Any) -> LazyText:
    """``gettext`` deferred to the moment the text is used: for labels, validator messages
    and other texts made when a module is imported."""
    return LazyText(gettext, string, **variables)


def current_locale() -> str:
    """The user's own language, else the one chosen on the login page, else the browser's,
    else the configured default.

    Worked out once per request: a page of tickets asks for it hundreds of times. Inside
    :func:`force_locale` (a mail in its recipient's language, also outside a request)
    that language instead.
    """
    forced = g.get("forced_locale") if has_app_context() else None
    if forced is not None:
        return forced
    if not has_request_context():
        return _default_locale()
    if "locale" not in g:
        g.locale = _choose_locale()
    return g.locale


def default_locale() -> str:
    """The configured default language (texts for someone without a setting of their own)."""
    return _default_locale()


@contextmanager
def force_locale(locale: str) -> Iterator[None]:
    """Speak ``locale`` ("zh_CN" or "en") inside the block, in a request or only in an app
    context (a job writing a notification in its recipient's language).

    Wraps ``flask_babel.force_locale`` (for Babel's own formatting), which on its own does
    nothing in a bare app context and is not seen by :func:`current_locale`.
    """
    if not has_app_context():
        yield
        return
    chosen = "zh_CN" if locale.startswith("zh") else "en"
    before = g.get("forced_locale")
    g.forced_locale = chosen
    try:
        with flask_babel.force_locale(chosen):
            yield
    finally:
        if before is None:
            g.pop("forced_locale", None)
        else:
            g.forced_locale = before


def _default_locale() -> str:
    try:
        return current_app.extensions["aftersales"].config.locale.default
    except (RuntimeError, KeyError):
        return LOCALES[0]


def _choose_locale() -> str:
    if request.blueprint == "api":
        # The JSON API speaks English to programs, whoever's token calls it (it checks
        # input with the pages' forms, whose messages are translated).
        return "en"
    user = g.get("user")
    if user is not None and user.locale in LOCALES:
        return user.locale
    chosen = session.get("locale")
    if chosen in LOCALES:
        return chosen
    best = request.accept_languages.best_match(["zh-CN", "zh", "en"])
    if best:
        return "zh_CN" if best.startswith("zh") else "en"
    return _default_locale()


def html_lang() -> str:
    """The page's ``lang`` attribute (BCP 47): ``zh-CN`` or ``en``."""
    return current_locale().replace("_", "-")


# --- catalogs --------------------------------------------------------------------------

_compiled: dict[tuple[Path, float], Translations] = {}
_compiled_lock = threading.Lock()


def catalog_file(directory: Path, locale: str) -> Path:
    return directory / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def load_po(path: Path) -> Translations | None:
    """The translations of one ``.po`` file, compiled in memory (cached per file version).

    Fuzzy entries are left out, as ``msgfmt`` leaves them out.
    """
    try:
        version = path.stat().st_mtime
    except FileNotFoundError:
        return None
    key = (path, version)
    with _compiled_lock:
        cached = _compiled.get(key)
        if cached is None:
            with path.open("rb") as handle:
                catalog = read_po(handle, abort_invalid=True)
            buffer = io.BytesIO()
            write_mo(buffer, catalog, use_fuzzy=False)
            buffer.seek(0)
            cached = _compiled[key] = Translations(fp=buffer, domain=DOMAIN)
        return cached


class PoDomain(flask_babel.Domain):
    """Flask-Babel's domain, reading the core's and the plugins' ``.po`` files directly.

    Later directories win for a message both translate: plugins come after the core.
    """

    def __init__(self, directories: Iterable[Path]) -> None:
        super().__init__(domain=DOMAIN)
        self.directories = list(directories)
        self.cache: dict[str, Translations | NullTranslations] = {}

    def get_translations(self) -> Translations | NullTranslations:
        # Outside a request (the command line, jobs) the English source, unless a block
        # asks for a language (force_locale: a notification in its recipient's language).
        if not has_request_context() and g.get("forced_locale") is None:
            return NullTranslations()
        locale = current_locale()
        cached = self.cache.get(locale)
        if cached is None:
            cached = self.cache[locale] = self._merged(locale)
        return cached

    def _merged(self, locale: str) -> Translations | NullTranslations:
        merged: Translations | None = None
        for directory in self.directories:
            loaded = load_po(catalog_file(directory, locale))
            if loaded is None:
                continue
            if merged is None:
                merged = Translations(domain=DOMAIN)
                merged.plural = loaded.plural
            merged.merge(loaded)
        return merged or NullTranslations()


def translation_directories(pm: Any) -> list[Path]:
    """The core's catalog folder, then each enabled plugin's (``register_translations``)."""
    directories = [CORE_TRANSLATIONS]
    for found in reversed(pm.hook.register_translations()):
        if found is not None:
            directories.append(Path(found))
    return directories


def init_app(app: Flask, pm: Any, timezone: str) -> None:
    """Flask-Babel with our locale choice, our time zone and the ``.po`` catalogs."""
    babel = flask_babel.Babel()
    babel.init_app(
        app,
        default_locale=LOCALES[0],
        default_timezone=timezone,
        locale_selector=current_locale,
    )
    babel.domain_instance = PoDomain(translation_directories(pm))
    # WTForms' own messages ("This field is required.") in the page's language too
    app.config.setdefault("WTF_I18N_ENABLED", True)
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.globals.update(html_lang=html_lang, locale_names=LOCALE_NAMES)


def babel_locale() -> Locale:
    """The request's language as a Babel :class:`~babel.Locale` (for number formats)."""
    return _parsed_locale(current_locale())


@functools.lru_cache(maxsize=8)
def _parsed_locale(code: str) -> Locale:
    # Locale.parse reads and merges CLDR data each time; a page formats dozens of values
    return Locale.parse(code)
