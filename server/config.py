"""Load and validate the TOML configuration into frozen dataclasses."""

from __future__ import annotations

import dataclasses
import decimal
import os
import re
import tomllib
import types
import typing
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from server.complaints.settings import ComplaintSettings, parse_complaints
from server.dispatch.rules import DispatchSettings, parse_dispatch
from server.followup.settings import CallbackSettings, parse_callbacks
from server.grading.rules import GradingSettings, parse_grading
from server.kb.settings import KbSettings, parse_kb
from server.merit.rules import MeritSettings, parse_merit
from server.public.settings import PublicSettings, parse_public
from server.ratelimit import RateLimitSettings, parse_rate_limits
from server.sla.settings import SettingsError
from server.webhooks.settings import WebhookSettings, parse_webhooks

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_PATH = PROJECT_ROOT / "config" / "aftersales.toml"
CONFIG_ENV_VAR = "AFTERSALES_CONFIG"

LOCALES = ("zh_CN", "en")


_URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^:/@\s'\"]*:)[^@\s'\"]*@", re.I)


def mask_url_passwords(text: str) -> str:
    """``postgresql://user:secret@host`` → ``postgresql://user:***@host`` anywhere in ``text``."""
    return _URL_PASSWORD.sub(r"\g<head>***@", text)


class ConfigError(Exception):
    """A configuration problem, reported to the operator as one line."""

    def __init__(self, path: Path | str, key: str, problem: str) -> None:
        self.path = str(path)
        self.key = key
        # Messages from libraries (pluggy, tomllib) may span lines; the operator gets one.
        # A URL's password (database.url) is never echoed, whatever the problem.
        self.problem = mask_url_passwords(" ".join(problem.split()))
        super().__init__(f"{self.path}: {key}: {self.problem}")


@dataclass(frozen=True)
class ServerSettings:
    """Where the server keeps its files."""

    # Relative paths are resolved against the project root.
    instance_dir: str = "instance"
    # Reverse proxies in front of the app (nginx: 1); their X-Forwarded-For/-Proto are
    # trusted for that many hops, so the client address (login rate limit) is the user's.
    proxy_hops: int = 0
    # The address customers reach the server at (e.g. "https://service.example.com"),
    # for links in mails to customers (survey links, the status page); empty: the links
    # in such mails are built from the request that sends them, and the status page is
    # not linked.
    public_url: str = ""


@dataclass(frozen=True)
class DatabaseSettings:
    url: str = "sqlite:///instance/aftersales.db"
    # SQLite only: how long a writer waits for the lock before giving up (ms).
    busy_timeout_ms: int = 5000
    # Connections kept open per process and handed from request to request (0: one
    # connection per request, closed after it). At least the server's threads.
    pool_size: int = 10


@dataclass(frozen=True)
class SecuritySettings:
    # Empty means: generate one into instance/secret_key on first start.
    secret_key: str = ""
    session_cookie_secure: bool = False
    session_lifetime_hours: int = 12
    # Passwords set from now on must be at least this long (NIST SP 800-63B: 8 or more).
    password_min_length: int = 10


@dataclass(frozen=True)
class PluginSettings:
    enabled: tuple[str, ...] = (
        "home_appliances",
        "tobacco_retail",
        "insurance",
        "power_utility",
        "it_outsourcing",
    )


@dataclass(frozen=True)
class LocaleSettings:
    default: str = "zh_CN"
    timezone: str = "Asia/Shanghai"


@dataclass(frozen=True)
class MailSettings:
    enabled: bool = False
    host: str = "localhost"
    port: int = 25
    username: str = ""
    # Read from the environment variable named here, never stored in the file.
    password_env: str = "AFTERSALES_MAIL_PASSWORD"
    use_tls: bool = False
    sender: str = "aftersales@localhost"


@dataclass(frozen=True)
class UploadSettings:
    max_bytes: int = 10 * 1024 * 1024
    allowed_types: tuple[str, ...] = (
        "image/jpeg",
        "image/png",
        "image/webp",
        "application/pdf",
        "text/plain",
    )


@dataclass(frozen=True)
class JobSettings:
    """The periodic job runner (``aftersales worker``)."""

    # "sqlite" keeps the queue in instance/jobs.db; "redis" uses redis_url.
    backend: str = "sqlite"
    redis_url: str = "redis://localhost:6379/0"
    # How often the SLA sweep (and the mail outbox) runs, in minutes (1–60).
    sweep_every_minutes: int = 1


@dataclass(frozen=True)
class UiSettings:
    page_size: int = 25


@dataclass(frozen=True)
class FeeSettings:
    """``[fees]``: what the result report charges when the work is not covered.

    Amounts are decimal strings (``"80.00"``), parsed exactly, never as floats.
    """

    currency: str = "CNY"
    # Per hour of labour.
    labour_rate: str = "80.00"
    # Charged once per report when greater than zero.
    callout_fee: str = "0.00"

    @property
    def labour_rate_amount(self) -> decimal.Decimal:
        return decimal.Decimal(self.labour_rate)

    @property
    def callout_fee_cents(self) -> int:
        return int(decimal.Decimal(self.callout_fee) * 100)


@dataclass(frozen=True)
class PrintSettings:
    """``[print]``: who the printed service slip and records come from (their letterhead)."""

    firm_name: str = "aftersales"
    firm_phone: str = ""
    firm_address: str = ""


@dataclass(frozen=True)
class KpiSettings:
    """``[kpi]``: how the KPI figures count."""

    # A ticket for an asset within this many days after another ticket on it was
    # resolved counts as a repeat repair.
    repeat_window_days: int = 30
    # The dashboard keeps the figures of periods that have ended this long (0: never).
    cache_minutes: int = 10
    # … and the figures of a period still running this long (0: always computed).
    running_cache_seconds: int = 60


@dataclass(frozen=True)
class SlaSettings:
    """``[sla]``: calendars, policies, the rules choosing a policy, the default policy."""

    calendars: Mapping[str, Any] = field(default_factory=dict)
    policies: Mapping[str, Any] = field(default_factory=dict)
    rules: tuple[Any, ...] = ()
    default_policy: str = ""


@dataclass(frozen=True)
class Config:
    """The whole configuration; every section has defaults."""

    server: ServerSettings = field(default_factory=ServerSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    security: SecuritySettings = field(default_factory=SecuritySettings)
    plugins: PluginSettings = field(default_factory=PluginSettings)
    locale: LocaleSettings = field(default_factory=LocaleSettings)
    mail: MailSettings = field(default_factory=MailSettings)
    uploads: UploadSettings = field(default_factory=UploadSettings)
    ui: UiSettings = field(default_factory=UiSettings)
    jobs: JobSettings = field(default_factory=JobSettings)
    fees: FeeSettings = field(default_factory=FeeSettings)
    print: PrintSettings = field(default_factory=PrintSettings)
    kpi: KpiSettings = field(default_factory=KpiSettings)
    sla: SlaSettings = field(default_factory=SlaSettings)
    dispatch: DispatchSettings = field(default_factory=DispatchSettings)
    callbacks: CallbackSettings = field(default_factory=CallbackSettings)
    complaints: ComplaintSettings = field(default_factory=ComplaintSettings)
    merit: MeritSettings = field(default_factory=MeritSettings)
    grading: GradingSettings = field(default_factory=GradingSettings)
    webhooks: WebhookSettings = field(default_factory=WebhookSettings)
    rate_limits: RateLimitSettings = field(default_factory=RateLimitSettings)
    public: PublicSettings = field(default_factory=PublicSettings)
    kb: KbSettings = field(default_factory=KbSettings)
    # One free-form table per plugin: [plugin.<name>]; each plugin validates its own.
    plugin: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    source: str = "<defaults>"

    @property
    def instance_path(self) -> Path:
        path = Path(self.server.instance_dir)
        return path if path.is_absolute() else PROJECT_ROOT / path

    def plugin_table(self, name: str) -> Mapping[str, Any]:
        """The ``[plugin.<name>]`` table, empty when the file has none."""
        return self.plugin.get(name, types.MappingProxyType({}))


def config_path_from_env(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The file to load: the explicit path, else ``$AFTERSALES_CONFIG``, else the default."""
    if explicit is not None:
        return Path(explicit)
    env = os.environ.get(CONFIG_ENV_VAR)
    return Path(env) if env else DEFAULT_CONFIG_PATH


def load_config(path: str | os.PathLike[str] | None = None, **overrides: Any) -> Config:
    """Read, parse and validate a config file; ``overrides`` replace whole sections' keys.

    ``overrides`` map section names to dicts (``database={"url": ...}``), which tests use
    to point an app at a temporary database without writing a file.
    """
    config_path = config_path_from_env(path)
    try:
        raw = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(config_path, "-", "file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(config_path, "-", f"not valid TOML ({exc})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(config_path, "-", f"cannot read ({exc})") from None
    for section, values in overrides.items():
        merged = dict(raw.get(section, {}))
        merged.update(values)
        raw[section] = merged
    return parse_config(raw, config_path)


def parse_config(raw: Mapping[str, Any], path: Path | str = "<memory>") -> Config:
    """Turn a parsed TOML document into a validated :class:`Config`."""
    sections: dict[str, Any] = {}
    hints = typing.get_type_hints(Config)
    for key, value in raw.items():
        if key == "plugin":
            sections["plugin"] = _plugin_tables(value, path)
            continue
        if key == "sla":
            sections["sla"] = value  # checked below, once the time zone is known
            continue
        if key in SECTION_PARSERS:
            sections[key] = _parsed_section(SECTION_PARSERS[key], value, path)
            continue
        if key not in hints or key == "source":
            raise ConfigError(path, key, "unknown section")
        if not isinstance(value, dict):
            raise ConfigError(path, key, "must be a table, e.g. [" + key + "]")
        sections[key] = _build_section(hints[key], value, path, key)
    sla_raw = sections.pop("sla", {})
    config = Config(**sections, source=str(path))
    _check_semantics(config, path)
    return dataclasses.replace(config, sla=_sla_settings(sla_raw, config.locale.timezone, path))


def _sla_settings(raw: Any, default_timezone: str, path: Path | str) -> SlaSettings:
    from server.sla.policies import parse_policies, parse_rules
    from server.sla.settings import SettingsError, parse_calendars

    if not isinstance(raw, dict):
        raise ConfigError(path, "sla", "must be a table, e.g. [sla]")
    for key in raw:
        if key not in ("calendars", "policies", "rules", "default_policy"):
            raise ConfigError(path, f"sla.{key}", "unknown key")
    default_policy = raw.get("default_policy", "")
    if not isinstance(default_policy, str):
        raise ConfigError(path, "sla.default_policy", "must be a policy name")
    try:
        return SlaSettings(
            calendars=types.MappingProxyType(
                parse_calendars(raw.get("calendars", {}), default_timezone)
            ),
            policies=types.MappingProxyType(parse_policies(raw.get("policies", {}))),
            rules=tuple(parse_rules(raw.get("rules", []))),
            default_policy=default_policy,
        )
    except SettingsError as exc:
        raise ConfigError(path, exc.key, exc.problem) from None


# Sections with their own parser module (each raises SettingsError naming the key).
SECTION_PARSERS: dict[str, Callable[[Any], Any]] = {
    "dispatch": parse_dispatch,
    "callbacks": parse_callbacks,
    "complaints": parse_complaints,
    "merit": parse_merit,
    "grading": parse_grading,
    "webhooks": parse_webhooks,
    "rate_limits": parse_rate_limits,
    "public": parse_public,
    "kb": parse_kb,
}


def _parsed_section(parse: Callable[[Any], Any], raw: Any, path: Path | str) -> Any:
    """``parse(raw)``, its SettingsError turned into the config file's one-line error."""
    try:
        return parse(raw)
    except SettingsError as exc:
        raise ConfigError(path, exc.key, exc.problem) from None


def _plugin_tables(value: Any, path: Path | str) -> Mapping[str, Mapping[str, Any]]:
    if not isinstance(value, dict):
        raise ConfigError(path, "plugin", "must be a table of tables, e.g. [plugin.insurance]")
    tables = {}
    for name, table in value.items():
        if not isinstance(table, dict):
            raise ConfigError(path, f"plugin.{name}", "must be a table")
        tables[name] = types.MappingProxyType(dict(table))
    return types.MappingProxyType(tables)


def _build_section(cls: type, values: Mapping[str, Any], path: Path | str, section: str) -> Any:
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    kwargs = {}
    for key, value in values.items():
        dotted = f"{section}.{key}"
        if key not in known:
            raise ConfigError(path, dotted, "unknown key")
        kwargs[key] = _coerce(hints[key], value, path, dotted)
    return cls(**kwargs)


def _coerce(hint: Any, value: Any, path: Path | str, dotted: str) -> Any:
    origin = typing.get_origin(hint)
    if origin is tuple:
        (item_type, _ellipsis) = typing.get_args(hint)
        if not isinstance(value, list):
            raise ConfigError(path, dotted, f"must be a list of {item_type.__name__}")
        for item in value:
            if not isinstance(item, item_type):
                raise ConfigError(
                    path, dotted, f"every item must be a {item_type.__name__}, got {item!r}"
                )
        return tuple(value)
    # bool is an int in Python; a port of `true` is a mistake, not a 1.
    if hint is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise ConfigError(path, dotted, f"must be an integer, got {value!r}")
    if not isinstance(value, hint):
        raise ConfigError(path, dotted, f"must be a {hint.__name__}, got {value!r}")
    return value


def _check_semantics(config: Config, path: Path | str) -> None:
    if config.locale.default not in LOCALES:
        raise ConfigError(path, "locale.default", f"must be one of {', '.join(LOCALES)}")
    try:
        ZoneInfo(config.locale.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(path, "locale.timezone", "not a known IANA time zone") from None
    if not 0 <= config.server.proxy_hops <= 5:
        raise ConfigError(path, "server.proxy_hops", "must be 0–5")
    _check_public_url(config.server.public_url, path)
    if config.callbacks.email_surveys and not config.server.public_url:
        raise ConfigError(
            path,
            "callbacks.email_surveys",
            "needs [server] public_url: the mailed links point there",
        )
    if not 1 <= config.kpi.repeat_window_days <= 365:
        raise ConfigError(path, "kpi.repeat_window_days", "must be 1–365")
    if not 0 <= config.kpi.cache_minutes <= 1440:
        raise ConfigError(path, "kpi.cache_minutes", "must be 0–1440")
    if not 0 <= config.kpi.running_cache_seconds <= 3600:
        raise ConfigError(path, "kpi.running_cache_seconds", "must be 0–3600")
    url = config.database.url
    if not url.startswith(("sqlite:", "postgres://", "postgresql://", "postgresext://")):
        raise ConfigError(path, "database.url", "must start with sqlite:/// or postgresql://")
    if config.database.busy_timeout_ms < 0:
        raise ConfigError(path, "database.busy_timeout_ms", "must not be negative")
    if not 0 <= config.database.pool_size <= 200:
        raise ConfigError(path, "database.pool_size", "must be between 0 and 200")
    if not 1 <= config.mail.port <= 65535:
        raise ConfigError(path, "mail.port", "must be between 1 and 65535")
    if config.uploads.max_bytes <= 0:
        raise ConfigError(path, "uploads.max_bytes", "must be positive")
    if not 5 <= config.ui.page_size <= 500:
        raise ConfigError(path, "ui.page_size", "must be between 5 and 500")
    if config.jobs.backend not in ("sqlite", "redis"):
        raise ConfigError(path, "jobs.backend", 'must be "sqlite" or "redis"')
    if not 1 <= config.jobs.sweep_every_minutes <= 60:
        raise ConfigError(path, "jobs.sweep_every_minutes", "must be between 1 and 60")
    if config.security.session_lifetime_hours <= 0:
        raise ConfigError(path, "security.session_lifetime_hours", "must be positive")
    if not 8 <= config.security.password_min_length <= 64:
        raise ConfigError(path, "security.password_min_length", "must be between 8 and 64")
    _check_fees(config.fees, path)
    _check_print(config.print, path)
    if len(set(config.plugins.enabled)) != len(config.plugins.enabled):
        raise ConfigError(path, "plugins.enabled", "lists a plugin twice")
    for name in config.plugin:
        if name not in config.plugins.enabled:
            raise ConfigError(path, f"plugin.{name}", "table for a plugin that is not enabled")


def _check_public_url(url: str, path: Path | str) -> None:
    """An absolute http(s) address with a host and nothing after the path."""
    if not url:
        return
    parts = urllib.parse.urlsplit(url)
    if (
        parts.scheme not in ("http", "https")
        or not parts.netloc
        or parts.query
        or parts.fragment
        or any(c.isspace() for c in url)
    ):
        raise ConfigError(
            path,
            "server.public_url",
            'must be an http(s) address such as "https://service.example.com"',
        )


def _check_print(settings: PrintSettings, path: Path | str) -> None:
    limits = {"firm_name": 100, "firm_phone": 40, "firm_address": 200}
    for key, limit in limits.items():
        value = getattr(settings, key)
        if value != value.strip() or "\n" in value or len(value) > limit:
            raise ConfigError(
                path, f"print.{key}", f"must be one line of at most {limit} characters"
            )
    if not settings.firm_name:
        raise ConfigError(path, "print.firm_name", "must not be empty")


def _check_fees(fees: FeeSettings, path: Path | str) -> None:
    if not (len(fees.currency) == 3 and fees.currency.isascii() and fees.currency.isupper()):
        raise ConfigError(path, "fees.currency", 'must be a three-letter code such as "CNY"')
    for key in ("labour_rate", "callout_fee"):
        raw = getattr(fees, key)
        try:
            amount = decimal.Decimal(raw.strip())
        except decimal.InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite() or raw != raw.strip():
            raise ConfigError(
                path, f"fees.{key}", f'must be an amount such as "80.00", got {raw!r}'
            )
        if amount < 0 or amount > 1_000_000:
            raise ConfigError(path, f"fees.{key}", "must be between 0 and 1000000")
        if amount != amount.quantize(decimal.Decimal("0.01")):
            raise ConfigError(path, f"fees.{key}", "must have at most two decimal places")
