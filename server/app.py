"""create_app(): the only place that wires config, database, plugins and blueprints."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
import peewee
import pluggy
from flask import Flask, appcontext_pushed, g, jsonify, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from server import htmx, i18n
from server.attachments import human_size
from server.catalog import Registry, build_registry
from server.config import PROJECT_ROOT, Config, ConfigError, config_path_from_env, load_config
from server.db import database, open_database
from server.inputs import RecordIdConverter
from server.plugins import PluginLoadError, build_plugin_manager
from server.sla.coverage import coverage_problems


@dataclass
class AppState:
    """Everything one app instance owns; kept in ``app.extensions["aftersales"]``."""

    config: Config
    pm: pluggy.PluginManager
    registry: Registry
    db: peewee.Database


def create_app(
    config_path: str | os.PathLike[str] | None = None,
    *,
    config: Config | None = None,
    extra_plugins: Iterable[tuple[str, Any]] = (),
    **overrides: Any,
) -> Flask:
    """Build an app from a config file (or a ready :class:`Config`).

    Raises :class:`ConfigError` with a one-line message for any bad config, including an
    unknown or broken plugin.
    """
    if config is None:
        config = load_config(config_path, **overrides)
    try:
        pm = build_plugin_manager(config.plugins.enabled, extra_plugins)
        registry = build_registry(pm, config)
    except PluginLoadError as exc:
        raise ConfigError(config.source, "plugins.enabled", str(exc)) from None

    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder="static",
        instance_path=str(config.instance_path),
    )
    config.instance_path.mkdir(parents=True, exist_ok=True)
    if config.server.proxy_hops:
        hops = config.server.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    app.config.update(
        SECRET_KEY=config.security.secret_key or _instance_secret(config.instance_path),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.security.session_cookie_secure,
        SESSION_COOKIE_NAME="aftersales_session",
        PERMANENT_SESSION_LIFETIME=dt.timedelta(hours=config.security.session_lifetime_hours),
        MAX_CONTENT_LENGTH=config.uploads.max_bytes + 64 * 1024,
        WTF_CSRF_TIME_LIMIT=None,
    )
    app.jinja_loader = _template_loader(app, pm)
    db = open_database(
        config.database.url, config.database.busy_timeout_ms, config.database.pool_size
    )
    database.initialize(db)
    app.extensions["aftersales"] = AppState(config=config, pm=pm, registry=registry, db=db)

    csrf = CSRFProtect(app)
    from server.public import guard

    # first of all request hooks: a switched-off public page or an oversized public body
    # is refused before anything reads the request
    guard.init_app(app)
    i18n.init_app(app, pm, config.locale.timezone)
    htmx.init_app(app)
    _register_request_hooks(app)
    from server.webhooks import wakeup

    wakeup.init_app(app)
    # after the login hook: an API call's budget is its token's (or its user's)
    _init_rate_limits(app, config)
    _register_error_pages(app)
    _register_blueprints(app)
    _mount_plugin_blueprints(app, registry, config)
    from server import api

    # API callers authenticate with tokens, which cross-site forms cannot send; a
    # logged-in browser's writes are checked for the CSRF token by server.api.spec.
    csrf.exempt(api.bp)
    from server import templating

    templating.init_app(app)
    _log_calendar_problems(app, registry, config)
    return app


def _init_rate_limits(app: Flask, config: Config) -> None:
    from server import ratelimit
    from server.sla.settings import SettingsError

    try:
        ratelimit.init_app(app, config.rate_limits, config.database.url)
    except SettingsError as exc:
        raise ConfigError(config.source, exc.key, exc.problem) from None


def _log_calendar_problems(app: Flask, registry: Registry, config: Config) -> None:
    """Say at start-up which calendars lack holiday data for this year or the next."""
    year = dt.datetime.now(ZoneInfo(config.locale.timezone)).year
    for problem in coverage_problems(registry.calendars, (year, year + 1)):
        app.logger.warning(problem)


def app_from_environment() -> Flask:
    """The app for the config named by ``$AFTERSALES_CONFIG`` (or the default file)."""
    return create_app(config_path_from_env())


def _instance_secret(instance_path: Path) -> str:
    """The generated secret key, created on first start with owner-only permissions.

    Several server processes (gunicorn workers) may start on a fresh instance folder at
    once: each writes a candidate key to a file of its own and links it into place, which
    succeeds for exactly one of them; the others read the winner's key. The link makes the
    key appear complete, so nobody reads a half-written file.
    """
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        fd, candidate = tempfile.mkstemp(prefix=".secret_key.", dir=instance_path)
        try:
            with os.fdopen(fd, "w") as handle:  # mkstemp makes it 0600
                handle.write(secrets.token_hex(32))
            with contextlib.suppress(FileExistsError):
                os.link(candidate, key_file)
        finally:
            os.unlink(candidate)
    return key_file.read_text().strip()


def _template_loader(app: Flask, pm: pluggy.PluginManager) -> jinja2.BaseLoader:
    """Core templates first, then each plugin's ``templates/`` (files under its slug)."""
    loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(str(PROJECT_ROOT / "templates"))]
    for plugin in pm.get_plugins():
        folder = Path(getattr(plugin, "__file__", "") or ".").parent / "templates"
        if getattr(plugin, "__file__", None) and folder.is_dir():
            loaders.append(jinja2.FileSystemLoader(str(folder)))
    return jinja2.ChoiceLoader(loaders)


def _register_request_hooks(app: Flask) -> None:
    from server.auth import load_logged_in_user

    state: AppState = app.extensions["aftersales"]

    def bind_database(_sender: Flask, **_extra: Any) -> None:
        # The peewee proxy is process-wide: bind it to this app's database whenever one of
        # its contexts is pushed (requests, CLI commands, tests), so two apps in one
        # process never talk to each other's files.
        database.initialize(state.db)

    appcontext_pushed.connect(bind_database, app, weak=False)

    @app.before_request
    def open_connection() -> None:
        database.connect(reuse_if_open=True)

    app.before_request(load_logged_in_user)

    @app.teardown_appcontext
    def close_connection(_exc: BaseException | None) -> None:
        # Every context (request, CLI command, test block) gives its connection back, so
        # a PostgreSQL server's connection slots are never leaked.
        if not state.db.is_closed():
            state.db.close()

    @app.after_request
    def security_headers(response: Any) -> Any:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'",
        )
        return response


def _register_error_pages(app: Flask) -> None:
    """Error answers: JSON (in English) under ``/api/``, the public layout for customer
    pages (``server.public.errors``), else the staff page — in the page's language."""
    from server.i18n import force_locale, gettext
    from server.public import errors

    def page(status: int, message: Callable[[], str]) -> Any:
        if request.path.startswith("/api/"):
            code = {
                400: "bad_request",
                401: "unauthorized",
                403: "forbidden",
                404: "not_found",
                405: "method_not_allowed",
                409: "conflict",
                413: "too_large",
                500: "server_error",
            }.get(status, "error")
            with force_locale("en"):  # programs get English, whoever calls
                response = jsonify(error=code, message=message(), fields={})
            response.status_code = status
            return response
        if errors.is_public_request():
            return errors.error_page(status)
        return render_template("error.html", status=status, message=message()), status

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> Any:
        if "user" not in g and request.blueprint != "api":
            # the CSRF check runs before the user is loaded: a signed-in member of staff
            # gets the page in their own language and layout, as everywhere else
            from server.auth import session_user

            g.user = session_user()
            g.pop("locale", None)
        return page(
            400,
            lambda: gettext(
                "The form had expired or was not sent from this site (%(reason)s). "
                "Go back, reload the page and try again.",
                reason=exc.description,
            ),
        )

    @app.errorhandler(401)
    def unauthorized(_exc: Exception) -> Any:
        return page(401, lambda: gettext("Your session has ended; log in again."))

    @app.errorhandler(403)
    def forbidden(_exc: Exception) -> Any:
        return page(403, lambda: gettext("Your role does not allow this action."))

    @app.errorhandler(404)
    def not_found(_exc: Exception) -> Any:
        return page(404, lambda: gettext("There is no such page or record."))

    @app.errorhandler(409)
    def conflict(exc: Exception) -> Any:
        return page(
            409,
            lambda: getattr(exc, "description", "") or gettext("The record changed; reload it."),
        )

    @app.errorhandler(405)
    def not_allowed(_exc: Exception) -> Any:
        return page(405, lambda: gettext("This address does not accept that kind of request."))

    @app.errorhandler(413)
    def too_large(_exc: Exception) -> Any:
        limit = app.extensions["aftersales"].config.uploads.max_bytes
        return page(
            413,
            lambda: gettext(
                "The upload is too large; the limit is %(limit)s.", limit=human_size(limit)
            ),
        )

    @app.errorhandler(500)
    def server_error(_exc: Exception) -> Any:
        return page(
            500,
            lambda: gettext(
                "Something went wrong on our side; nothing was half-saved. "
                "Please try again, and tell your administrator if it persists."
            ),
        )


def _mount_plugin_blueprints(app: Flask, registry: Registry, config: Config) -> None:
    """Mount each plugin's blueprints under ``/p/<plugin>/``, every view behind its permission.

    A login is already required everywhere (``load_logged_in_user``); each view function
    is wrapped in ``require(permission)`` here, so the plugin cannot forget it.
    """
    from server.auth import require

    for plugin_name, entry in registry.blueprints:
        blueprint = entry.blueprint
        try:
            app.register_blueprint(blueprint, url_prefix=f"/p/{plugin_name}")
        except ValueError as exc:  # a blueprint name already taken
            raise ConfigError(
                config.source, "plugins.enabled", f"plugin {plugin_name!r}: {exc}"
            ) from None
        prefix = f"{blueprint.name}."
        for endpoint, view in list(app.view_functions.items()):
            if endpoint.startswith(prefix):
                app.view_functions[endpoint] = require(entry.permission)(view)


def _register_blueprints(app: Flask) -> None:
    from server import api
    from server.views import (
        account,
        admin,
        admin_tokens,
        appointments,
        attachments,
        audit,
        auth,
        callbacks,
        complaints,
        customers,
        dispatch,
        dispatch_admin,
        grading,
        health,
        imports,
        kb,
        kpi,
        language,
        merit,
        my_jobs,
        notifications,
        printables,
        public_help,
        public_requests,
        reports,
        sla_admin,
        status_lookup,
        survey,
        tickets,
        webhooks,
    )

    app.url_map.converters["id"] = RecordIdConverter
    for module in (
        auth,
        language,
        account,
        health,
        tickets,
        customers,
        attachments,
        admin,
        admin_tokens,
        audit,
        imports,
        dispatch,
        dispatch_admin,
        my_jobs,
        notifications,
        sla_admin,
        appointments,
        reports,
        callbacks,
        complaints,
        kpi,
        merit,
        grading,
        webhooks,
        printables,
        kb,
        public_help,
        public_requests,
        status_lookup,
        survey,
    ):
        app.register_blueprint(module.bp)
    app.register_blueprint(api.bp)
