"""Loading the TOML configuration, and the one-line errors a bad one produces."""

from __future__ import annotations

import dataclasses
import stat
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from server import plugins as plugin_loading
from server.app import create_app
from server.config import (
    DEFAULT_CONFIG_PATH,
    Config,
    ConfigError,
    load_config,
)
from server.plugin_api import hookimpl

AFTERSALES = Path(sys.executable).parent / "aftersales"


def write_config(tmp_path: Path, text: str, name: str = "aftersales.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def local_config(tmp_path: Path, extra: str = "", enabled: str = "[]") -> str:
    """A config whose files all live under ``tmp_path``."""
    return (
        f'[server]\ninstance_dir = "{tmp_path / "instance"}"\n'
        f'[database]\nurl = "sqlite:///{tmp_path / "aftersales.db"}"\n'
        f"[plugins]\nenabled = {enabled}\n{extra}"
    )


def assert_one_line_error(exc: ConfigError, path: Path, key: str) -> None:
    message = str(exc)
    assert "\n" not in message
    assert str(path) in message
    assert key in message
    assert exc.key == key


# --- loading ------------------------------------------------------------------------------


def test_shipped_config_loads():
    config = load_config(DEFAULT_CONFIG_PATH)
    assert config.source == str(DEFAULT_CONFIG_PATH)


def test_every_key_in_the_shipped_config_is_known():
    raw = tomllib.loads(DEFAULT_CONFIG_PATH.read_text(encoding="utf-8"))
    sections = {f.name: f for f in dataclasses.fields(Config)}
    for section, values in raw.items():
        assert section in sections and section != "source", section
        if section == "plugin":
            continue
        known = {f.name for f in dataclasses.fields(sections[section].default_factory())}
        assert set(values) <= known, (section, set(values) - known)


def test_shipped_config_states_the_built_in_defaults():
    shipped = load_config(DEFAULT_CONFIG_PATH)
    defaults = Config()
    for section in (
        "server",
        "database",
        "security",
        "plugins",
        "locale",
        "mail",
        "uploads",
        "ui",
        "jobs",
    ):
        assert getattr(shipped, section) == getattr(defaults, section), section


def test_shipped_config_has_a_table_for_every_enabled_plugin():
    config = load_config(DEFAULT_CONFIG_PATH)
    assert set(config.plugin) == set(config.plugins.enabled)


def test_empty_file_gives_the_defaults(tmp_path):
    path = write_config(tmp_path, "")
    config = load_config(path)
    assert dataclasses.replace(config, source="x") == dataclasses.replace(Config(), source="x")


def test_missing_sections_keep_their_defaults(tmp_path):
    path = write_config(tmp_path, "[ui]\npage_size = 50\n")
    config = load_config(path)
    assert config.ui.page_size == 50
    assert config.database == Config().database
    assert config.uploads == Config().uploads
    assert config.plugin_table("insurance") == {}


def test_missing_keys_keep_their_defaults(tmp_path):
    path = write_config(tmp_path, '[mail]\nhost = "smtp.example.com"\n')
    config = load_config(path)
    assert config.mail.host == "smtp.example.com"
    assert config.mail.port == 25


def test_lists_become_tuples(tmp_path):
    path = write_config(tmp_path, '[uploads]\nallowed_types = ["text/plain"]\n')
    assert load_config(path).uploads.allowed_types == ("text/plain",)


def test_environment_variable_selects_the_file(tmp_path, monkeypatch):
    path = write_config(tmp_path, "[ui]\npage_size = 7\n", name="other.toml")
    monkeypatch.setenv("AFTERSALES_CONFIG", str(path))
    config = load_config()
    assert config.source == str(path)
    assert config.ui.page_size == 7


def test_explicit_path_wins_over_the_environment(tmp_path, monkeypatch):
    env_file = write_config(tmp_path, "[ui]\npage_size = 7\n", name="env.toml")
    explicit = write_config(tmp_path, "[ui]\npage_size = 9\n", name="explicit.toml")
    monkeypatch.setenv("AFTERSALES_CONFIG", str(env_file))
    assert load_config(explicit).ui.page_size == 9


def test_without_the_environment_variable_the_shipped_file_is_used():
    assert load_config().source == str(DEFAULT_CONFIG_PATH)


def test_overrides_replace_single_keys_and_keep_the_rest(tmp_path):
    path = write_config(tmp_path, '[database]\nurl = "sqlite:///a.db"\nbusy_timeout_ms = 42\n')
    config = load_config(path, database={"url": "sqlite:///b.db"})
    assert config.database.url == "sqlite:///b.db"
    assert config.database.busy_timeout_ms == 42


def test_overrides_may_add_a_section_the_file_lacks(tmp_path):
    path = write_config(tmp_path, "")
    assert load_config(path, ui={"page_size": 100}).ui.page_size == 100


def test_overrides_are_validated(tmp_path):
    path = write_config(tmp_path, "")
    with pytest.raises(ConfigError) as info:
        load_config(path, ui={"page_size": "many"})
    assert_one_line_error(info.value, path, "ui.page_size")


def test_plugin_tables_are_passed_to_plugins_read_only(tmp_path):
    path = write_config(
        tmp_path, '[plugins]\nenabled = ["insurance"]\n[plugin.insurance]\nregion = "east"\n'
    )
    table = load_config(path).plugin_table("insurance")
    assert table["region"] == "east"
    with pytest.raises(TypeError):
        table["region"] = "west"  # type: ignore[index]


# --- errors -------------------------------------------------------------------------------

BAD_CONFIGS = [
    pytest.param("[server\n", "-", id="bad-toml"),
    pytest.param('[srever]\ninstance_dir = "x"\n', "srever", id="unknown-section"),
    pytest.param("ui = 5\n", "ui", id="section-not-a-table"),
    pytest.param('[server]\ninstance_dri = "x"\n', "server.instance_dri", id="unknown-key"),
    pytest.param('[ui]\npage_size = "25"\n', "ui.page_size", id="string-for-int"),
    pytest.param("[ui]\npage_size = true\n", "ui.page_size", id="bool-for-int"),
    pytest.param("[ui]\npage_size = 2.5\n", "ui.page_size", id="float-for-int"),
    pytest.param('[mail]\nenabled = "yes"\n', "mail.enabled", id="string-for-bool"),
    pytest.param("[mail]\nhost = 25\n", "mail.host", id="int-for-string"),
    pytest.param("[uploads]\nallowed_types = 5\n", "uploads.allowed_types", id="int-for-list"),
    pytest.param(
        '[uploads]\nallowed_types = "text/plain"\n', "uploads.allowed_types", id="str-for-list"
    ),
    pytest.param(
        '[uploads]\nallowed_types = ["text/plain", 3]\n',
        "uploads.allowed_types",
        id="list-item-of-wrong-type",
    ),
    pytest.param('[plugins]\nenabled = "insurance"\n', "plugins.enabled", id="plugins-not-list"),
    pytest.param('[locale]\ntimezone = "Mars/Olympus"\n', "locale.timezone", id="bad-timezone"),
    pytest.param('[locale]\ntimezone = "../../etc"\n', "locale.timezone", id="path-timezone"),
    pytest.param('[locale]\ndefault = "fr"\n', "locale.default", id="bad-locale"),
    pytest.param('[database]\nurl = "mysql://db/x"\n', "database.url", id="bad-database-url"),
    pytest.param('[database]\nurl = ""\n', "database.url", id="empty-database-url"),
    pytest.param("[database]\nbusy_timeout_ms = -1\n", "database.busy_timeout_ms", id="neg-busy"),
    pytest.param("[database]\npool_size = -1\n", "database.pool_size", id="neg-pool"),
    pytest.param("[database]\npool_size = 500\n", "database.pool_size", id="huge-pool"),
    pytest.param('[database]\npool_size = "big"\n', "database.pool_size", id="text-pool"),
    pytest.param("[ui]\npage_size = 4\n", "ui.page_size", id="page-size-too-small"),
    pytest.param("[ui]\npage_size = 501\n", "ui.page_size", id="page-size-too-large"),
    pytest.param("[ui]\npage_size = 0\n", "ui.page_size", id="page-size-zero"),
    pytest.param("[mail]\nport = 0\n", "mail.port", id="port-zero"),
    pytest.param("[mail]\nport = 70000\n", "mail.port", id="port-too-large"),
    pytest.param("[uploads]\nmax_bytes = 0\n", "uploads.max_bytes", id="max-bytes-zero"),
    pytest.param(
        "[security]\nsession_lifetime_hours = 0\n",
        "security.session_lifetime_hours",
        id="session-lifetime-zero",
    ),
    pytest.param(
        "[plugins]\nenabled = []\n[plugin.insurance]\n", "plugin.insurance", id="table-not-enabled"
    ),
    pytest.param("plugin = 3\n", "plugin", id="plugin-not-a-table"),
    pytest.param(
        '[plugins]\nenabled = ["insurance"]\n[plugin]\ninsurance = 1\n',
        "plugin.insurance",
        id="plugin-table-not-a-table",
    ),
    pytest.param(
        '[plugins]\nenabled = ["insurance", "insurance"]\n', "plugins.enabled", id="listed-twice"
    ),
]


@pytest.mark.parametrize(("text", "key"), BAD_CONFIGS)
def test_bad_config_raises_a_one_line_error_naming_file_and_key(tmp_path, text, key):
    path = write_config(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert_one_line_error(info.value, path, key)


def test_bad_toml_error_says_where(tmp_path):
    path = write_config(tmp_path, "[ui]\npage_size = = 3\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert "TOML" in str(info.value)
    assert "line 2" in str(info.value)


def test_missing_file_is_a_config_error(tmp_path):
    path = tmp_path / "nowhere.toml"
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert_one_line_error(info.value, path, "-")
    assert "not found" in str(info.value)


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        ('[ui]\npage_size = "25"\n', "'25'"),
        ("[ui]\npage_size = true\n", "True"),
        ('[uploads]\nallowed_types = ["text/plain", 3]\n', "3"),
    ],
)
def test_type_error_shows_the_wrong_value(tmp_path, text, wrong):
    path = write_config(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert wrong in info.value.problem


# --- plugins ------------------------------------------------------------------------------


class _UnknownHook:
    @hookimpl
    def no_such_hook(self) -> None:
        pass


class _WrongArguments:
    @hookimpl
    def register_industry(self, settings: Any, nonsense: Any) -> None:
        pass


def test_unknown_plugin_is_a_config_error_naming_it(tmp_path):
    path = write_config(tmp_path, local_config(tmp_path, enabled='["no_such_plugin"]'))
    with pytest.raises(ConfigError) as info:
        create_app(path)
    assert_one_line_error(info.value, path, "plugins.enabled")
    assert "no_such_plugin" in str(info.value)
    assert "not installed" in str(info.value)


@pytest.mark.parametrize("plugin", [_UnknownHook, _WrongArguments], ids=["unknown-hook", "args"])
def test_broken_plugin_is_a_config_error_naming_it(tmp_path, plugin):
    path = write_config(tmp_path, local_config(tmp_path))
    with pytest.raises(ConfigError) as info:
        create_app(path, extra_plugins=[("broken", plugin())])
    assert_one_line_error(info.value, path, "plugins.enabled")
    assert "broken" in str(info.value)


class _ExplodingEntryPoint:
    name = "exploding"
    value = "exploding_plugin"
    group = plugin_loading.ENTRY_POINT_GROUP

    def load(self) -> Any:
        raise ImportError("boom")


def test_plugin_that_fails_to_import_is_a_config_error_naming_it(tmp_path, monkeypatch):
    monkeypatch.setattr(
        plugin_loading, "available_plugins", lambda: {"exploding": _ExplodingEntryPoint()}
    )
    path = write_config(tmp_path, local_config(tmp_path, enabled='["exploding"]'))
    with pytest.raises(ConfigError) as info:
        create_app(path)
    assert_one_line_error(info.value, path, "plugins.enabled")
    assert "exploding" in str(info.value)
    assert "boom" in str(info.value)


# --- the generated secret key -------------------------------------------------------------


def test_secret_key_is_generated_into_instance_with_owner_only_mode(tmp_path):
    app = create_app(write_config(tmp_path, local_config(tmp_path)))
    key_file = tmp_path / "instance" / "secret_key"
    assert key_file.is_file()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert app.config["SECRET_KEY"] == key_file.read_text().strip()
    assert len(app.config["SECRET_KEY"]) >= 32


def test_secret_key_is_reused_on_the_next_start(tmp_path):
    path = write_config(tmp_path, local_config(tmp_path))
    first = create_app(path).config["SECRET_KEY"]
    second = create_app(path).config["SECRET_KEY"]
    assert first == second


def test_configured_secret_key_is_used_and_none_is_generated(tmp_path):
    extra = '[security]\nsecret_key = "from-the-config-file-0123456789"\n'
    app = create_app(write_config(tmp_path, local_config(tmp_path, extra)))
    assert app.config["SECRET_KEY"] == "from-the-config-file-0123456789"
    assert not (tmp_path / "instance" / "secret_key").exists()


def test_config_settings_reach_the_app(tmp_path):
    extra = "[security]\nsession_cookie_secure = true\nsession_lifetime_hours = 2\n"
    app = create_app(write_config(tmp_path, local_config(tmp_path, extra)))
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 2 * 3600
    assert app.instance_path == str(tmp_path / "instance")


# --- the command line ---------------------------------------------------------------------

CLI_BAD_CONFIGS = [
    pytest.param('[server]\ninstance_dri = "x"\n', "server.instance_dri", id="unknown-key"),
    pytest.param('[ui]\npage_size = "25"\n', "ui.page_size", id="wrong-type"),
    pytest.param("[plugins]\nenabled = []\n[plugin.insurance]\n", "plugin.insurance", id="table"),
    pytest.param('[plugins]\nenabled = ["no_such_plugin"]\n', "plugins.enabled", id="plugin"),
]


@pytest.mark.parametrize(("text", "key"), CLI_BAD_CONFIGS)
def test_cli_reports_a_bad_config_as_one_line_without_traceback(tmp_path, text, key):
    path = write_config(tmp_path, text)
    result = subprocess.run(
        [str(AFTERSALES), "--config", str(path), "init-db"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("aftersales: error:")
    assert str(path) in lines[0]
    assert key in lines[0]
