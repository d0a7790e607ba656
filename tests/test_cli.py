"""The ``aftersales`` command: init-db, create-user, demo and serve --help."""

from __future__ import annotations

import stat
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from server.app import create_app
from server.auth import authenticate
from server.db import database
from server.models import Ticket, TicketEvent, User
from server.plugins import available_plugins

AFTERSALES = Path(sys.executable).parent / "aftersales"
BUILT_IN = ("home_appliances", "tobacco_retail", "insurance", "power_utility", "it_outsourcing")
PASSWORD = "a-long-enough-password"


def importable_built_ins() -> list[str]:
    """The built-in plugins that are installed and import (colleagues may be mid-edit)."""
    installed = available_plugins()
    ready = []
    for name in BUILT_IN:
        try:
            installed[name].load()
        except Exception:
            continue
        ready.append(name)
    return ready


def write_config(tmp_path: Path, enabled: list[str] | tuple[str, ...] = ()) -> Path:
    listed = ", ".join(f'"{name}"' for name in enabled)
    path = tmp_path / "aftersales.toml"
    path.write_text(
        f'[server]\ninstance_dir = "{tmp_path / "instance"}"\n'
        f'[database]\nurl = "sqlite:///{tmp_path / "aftersales.db"}"\n'
        f"[plugins]\nenabled = [{listed}]\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    return write_config(tmp_path)


@pytest.fixture
def demo_config(tmp_path: Path) -> Path:
    return write_config(tmp_path, importable_built_ins())


def run(config: Path, *args: str) -> Result:
    from server.cli import main

    return CliRunner().invoke(main, ["--config", str(config), *args])


def error_lines(result: Result) -> list[str]:
    return result.stderr.splitlines()


# --- init-db ------------------------------------------------------------------------------


def test_init_db_creates_the_schema(config_file):
    result = run(config_file, "init-db")
    assert result.exit_code == 0, result.output
    assert "applied" in result.stdout
    assert "database is up to date" in result.stdout


def test_init_db_a_second_time_changes_nothing(config_file):
    run(config_file, "init-db")
    result = run(config_file, "init-db")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "database was already up to date"


def test_init_db_end_to_end_as_a_process(config_file, tmp_path):
    command = [str(AFTERSALES), "--config", str(config_file), "init-db"]
    first = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    second = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "database is up to date" in first.stdout
    assert second.returncode == 0, second.stderr
    assert "already up to date" in second.stdout
    assert (tmp_path / "aftersales.db").is_file()


def test_config_from_the_environment_is_used(config_file, monkeypatch):
    from server.cli import main

    monkeypatch.setenv("AFTERSALES_CONFIG", str(config_file))
    result = CliRunner().invoke(main, ["init-db"])
    assert result.exit_code == 0, result.output
    assert (config_file.parent / "aftersales.db").is_file()


# --- create-user --------------------------------------------------------------------------


def test_create_user_creates_a_user_who_can_log_in(config_file):
    result = run(config_file, "create-user", "wang", "--role", "dispatcher", "--password", PASSWORD)
    assert result.exit_code == 0, result.output
    assert "created dispatcher wang" in result.stdout
    app = create_app(config_file)
    with app.app_context(), database.connection_context():
        user = authenticate("wang", PASSWORD)
        assert user is not None
        assert user.role == "dispatcher"
        assert authenticate("wang", "a-wrong-password") is None


def test_create_user_stores_no_plain_password(config_file):
    run(config_file, "create-user", "wang", "--password", PASSWORD)
    app = create_app(config_file)
    with app.app_context(), database.connection_context():
        assert PASSWORD not in User.get(User.username == "wang").password_hash


def test_create_user_defaults_to_admin(config_file):
    result = run(config_file, "create-user", "boss", "--password", PASSWORD)
    assert result.exit_code == 0, result.output
    assert "created admin boss" in result.stdout


def test_create_user_prompts_for_the_password_twice(config_file):
    from server.cli import main

    result = CliRunner().invoke(
        main,
        ["--config", str(config_file), "create-user", "li"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    app = create_app(config_file)
    with app.app_context(), database.connection_context():
        assert authenticate("li", PASSWORD) is not None


@pytest.mark.parametrize(
    ("first", "second", "message"),
    [
        pytest.param(("wang", PASSWORD), ("wang", PASSWORD), "already exists", id="duplicate"),
        pytest.param(None, ("wang", "short"), "at least 10", id="short-password"),
        pytest.param(None, ("wang", "password123"), "most common", id="common-password"),
    ],
)
def test_create_user_refusal_is_one_line_with_exit_code_2(config_file, first, second, message):
    if first:
        assert run(config_file, "create-user", first[0], "--password", first[1]).exit_code == 0
    result = run(config_file, "create-user", second[0], "--password", second[1])
    assert result.exit_code == 2
    lines = error_lines(result)
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("aftersales: error:")
    assert message in lines[0]
    assert "Traceback" not in result.output


def test_create_user_refuses_an_unknown_role(config_file):
    result = run(config_file, "create-user", "x", "--role", "king", "--password", PASSWORD)
    assert result.exit_code == 2
    assert "king" in result.stderr


def test_refused_duplicate_keeps_the_first_password(config_file):
    run(config_file, "create-user", "wang", "--password", PASSWORD)
    run(config_file, "create-user", "wang", "--password", "another-long-password")
    app = create_app(config_file)
    with app.app_context(), database.connection_context():
        assert authenticate("wang", PASSWORD) is not None
        # one person (beside the web form's system user "@web", migration 18)
        assert User.select().where(~User.username.startswith("@")).count() == 1


# --- demo ---------------------------------------------------------------------------------


def test_all_built_in_plugins_are_installed_and_import():
    assert importable_built_ins() == list(BUILT_IN)


def tickets_per_industry(config: Path) -> Counter[str]:
    app = create_app(config)
    with app.app_context(), database.connection_context():
        return Counter(ticket.plugin for ticket in Ticket.select())


def industries(config: Path) -> set[str]:
    return set(create_app(config).extensions["aftersales"].registry.industries)


def test_demo_creates_the_asked_number_of_tickets_per_industry(demo_config):
    result = run(demo_config, "demo", "--tickets", "3")
    assert result.exit_code == 0, result.output
    expected = industries(demo_config)
    assert expected, "no built-in plugin imports"
    assert tickets_per_industry(demo_config) == dict.fromkeys(expected, 3)
    assert f"created {3 * len(expected)} demo tickets" in result.stdout


def test_demo_prints_logins_that_work(demo_config):
    result = run(demo_config, "demo", "--tickets", "1")
    assert result.exit_code == 0, result.output
    assert "Log in with:" in result.stdout
    password = (demo_config.parent / "instance" / "demo-login.txt").read_text().strip()
    app = create_app(demo_config)
    for username in ("admin", "supervisor", "dispatcher", "tech1", "tech2"):
        assert username in result.stdout
        with app.app_context(), database.connection_context():
            assert authenticate(username, password) is not None, username
    assert password in result.stdout


def test_demo_a_second_time_creates_nothing_more(demo_config):
    run(demo_config, "demo", "--tickets", "2")
    before = tickets_per_industry(demo_config)
    result = run(demo_config, "demo", "--tickets", "2")
    assert result.exit_code == 0, result.output
    assert "demo data was already present" in result.stdout
    assert "Log in with:" in result.stdout
    assert tickets_per_industry(demo_config) == before


def test_demo_password_file_is_owner_only(demo_config):
    run(demo_config, "demo", "--tickets", "1")
    path = demo_config.parent / "instance" / "demo-login.txt"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_demo_keeps_its_password_across_runs(demo_config):
    run(demo_config, "demo", "--tickets", "1")
    path = demo_config.parent / "instance" / "demo-login.txt"
    first = path.read_text()
    run(demo_config, "demo", "--tickets", "1")
    assert path.read_text() == first


def test_demo_end_to_end_as_a_process(demo_config, tmp_path):
    command = [str(AFTERSALES), "--config", str(demo_config), "demo", "--tickets", "1"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Log in with:" in result.stdout
    assert "Traceback" not in result.stderr


def test_demo_without_plugins_creates_only_staff(config_file):
    result = run(config_file, "demo", "--tickets", "3")
    assert result.exit_code == 0, result.output
    assert "Log in with:" in result.stdout
    assert tickets_per_industry(config_file) == {}


# --- serve and help -----------------------------------------------------------------------


def test_serve_help_works_as_a_process(tmp_path):
    result = subprocess.run(
        [str(AFTERSALES), "serve", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "--port" in result.stdout
    assert "--host" in result.stdout


@pytest.mark.parametrize("command", ["init-db", "create-user", "demo", "serve", "quickstart"])
def test_every_command_is_listed_in_the_help(command):
    from server.cli import main

    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert command in result.stdout


@pytest.mark.parametrize("port", ["0", "70000", "http"])
def test_serve_refuses_a_bad_port_before_starting(config_file, port):
    result = run(config_file, "serve", "--port", port)
    assert result.exit_code == 2
    assert "port" in result.stderr.lower()


def test_demo_runs_one_periodic_round_so_breaches_already_cost_points(demo_config):
    with demo_config.open("a", encoding="utf-8") as config:
        config.write(
            '[[merit.rules]]\nname = "sla_breach"\nevent = "sla_breached"\n'
            'who = "assignee"\nlevel = "warning"\n'
        )
    result = run(demo_config, "demo", "--tickets", "6")
    assert result.exit_code == 0, result.output
    from server.merit.models import MeritEntry

    app = create_app(demo_config)
    with app.app_context(), database.connection_context():
        breaches = (
            TicketEvent.select()
            .join(Ticket)
            .where((TicketEvent.kind == "sla_breached") & Ticket.assignee.is_null(False))
            .count()
        )
        assert breaches > 0
        assert MeritEntry.select().where(MeritEntry.rule == "sla_breach").count() == breaches
