"""Running several server processes: the deploy files in docs/deploy are valid (nginx -t,
the systemd units), the secret key is shared by processes starting together, and the
rate limiter warns when its memory counters would be per process."""

from __future__ import annotations

import configparser
import logging
import multiprocessing
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from server import ratelimit
from server.app import _instance_secret
from server.config import PROJECT_ROOT

BIN = Path(sys.executable).parent
APP_ENTRY = "server.app:app_from_environment()"
DEPLOY = PROJECT_ROOT / "docs" / "deploy"
VENV_BIN = "/opt/aftersales/venv/bin"
SITE_STATIC = "/opt/aftersales/venv/lib/python3.11/site-packages/server/static/"
SOCKET = "/run/aftersales/gunicorn.sock"


# --- nginx ----------------------------------------------------------------------------


def _site(tmp_path: Path) -> Path:
    """The site file with its install paths pointed at this checkout and tmp_path."""
    text = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    assert SITE_STATIC in text and SOCKET in text
    text = text.replace(SITE_STATIC, f"{PROJECT_ROOT / 'server' / 'static'}/")
    site = tmp_path / "aftersales-site.conf"
    site.write_text(text.replace(SOCKET, str(tmp_path / "gunicorn.sock")), encoding="utf-8")
    return site


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_the_nginx_site_passes_nginx_t(tmp_path):
    site = _site(tmp_path)
    temp = "\n".join(
        f"    {name}_temp_path {tmp_path / name};"
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path / 'nginx.pid'};\nerror_log {tmp_path / 'error.log'};\n"
        f"events {{}}\nhttp {{\n{temp}\n    access_log off;\n    include {site};\n}}\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(main)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_the_nginx_site_matches_the_app():
    text = (DEPLOY / "nginx.conf").read_text(encoding="utf-8")
    # the body limit lets the app's own upload limit (max_bytes + 64 KiB) answer
    size = re.search(r"client_max_body_size (\d+)m;", text)
    assert size is not None
    from server.config import UploadSettings

    assert int(size.group(1)) * 1024 * 1024 >= UploadSettings().max_bytes + 64 * 1024
    # the two headers ProxyFix reads with proxy_hops = 1
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in text
    assert "X-Forwarded-Proto $scheme" in text
    # the static folder named is the package's
    assert SITE_STATIC.endswith("/server/static/")
    assert (PROJECT_ROOT / "server" / "static" / "app.css").is_file()


# --- systemd --------------------------------------------------------------------------


@pytest.mark.parametrize("unit", ["aftersales.service", "aftersales-worker.service"])
def test_the_systemd_units_are_valid(tmp_path, unit):
    text = (DEPLOY / unit).read_text(encoding="utf-8").replace(VENV_BIN, str(BIN))
    # systemd repeats keys (Environment=); the last one is kept here
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(text)
    assert {"Unit", "Service", "Install"} <= set(parser.sections())
    command = shlex.split(parser["Service"]["ExecStart"])
    assert Path(command[0]).is_file() and os.access(command[0], os.X_OK), command[0]
    if unit == "aftersales.service":
        assert command[1:4] == ["-c", "python:server.gunicorn_conf", APP_ENTRY]
        assert "AFTERSALES_CONFIG=" in text and "AFTERSALES_BIND=unix:" in text
    else:
        assert command[1:] == ["worker"]
    if shutil.which("systemd-analyze"):
        path = tmp_path / unit
        path.write_text(text, encoding="utf-8")
        result = subprocess.run(
            ["systemd-analyze", "verify", str(path)], capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, result.stderr


def test_gunicorn_loads_the_app_the_unit_names(tmp_path, monkeypatch):
    from flask import Flask
    from gunicorn.util import import_app

    config = tmp_path / "aftersales.toml"
    config.write_text(
        f'[server]\ninstance_dir = "{tmp_path / "instance"}"\n'
        f'[database]\nurl = "sqlite:///{tmp_path / "a.db"}"\n[plugins]\nenabled = []\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("AFTERSALES_CONFIG", str(config))
    assert isinstance(import_app(APP_ENTRY), Flask)


# --- the secret key, created by several processes at once ----------------------------


def _make_key(instance: str, barrier: multiprocessing.synchronize.Barrier, out: object) -> None:
    barrier.wait()
    out.put(_instance_secret(Path(instance)))  # type: ignore[attr-defined]


def test_processes_starting_together_on_a_fresh_instance_end_with_one_key(tmp_path):
    context = multiprocessing.get_context("fork")
    for attempt in range(5):
        instance = tmp_path / f"instance{attempt}"
        instance.mkdir()
        barrier = context.Barrier(6)
        out = context.Queue()
        processes = [
            context.Process(target=_make_key, args=(str(instance), barrier, out)) for _ in range(6)
        ]
        for process in processes:
            process.start()
        keys = [out.get(timeout=60) for _ in processes]
        for process in processes:
            process.join(60)
            assert process.exitcode == 0
        key_file = instance / "secret_key"
        assert set(keys) == {key_file.read_text().strip()}
        assert len(keys[0]) == 64
        assert key_file.stat().st_mode & 0o777 == 0o600
        assert [p.name for p in instance.iterdir()] == ["secret_key"]  # no candidates left


def test_the_loser_of_the_race_reads_the_winners_key(tmp_path, monkeypatch):
    """A process that saw no key file but finds one when it writes uses that one."""
    (tmp_path / "secret_key").write_text("the-winners-key\n")
    monkeypatch.setattr(Path, "exists", lambda self: False)
    assert _instance_secret(tmp_path) == "the-winners-key"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret_key"]


def test_two_apps_on_one_fresh_instance_sign_sessions_alike(tmp_path):
    from server.testing import build_app

    first = build_app(tmp_path)
    second = build_app(tmp_path)
    assert first.secret_key == second.secret_key


# --- the rate limiter's warning --------------------------------------------------------


def _init_limits(monkeypatch, caplog, processes: str | None, storage: str) -> list[str]:
    from flask import Flask

    if processes is None:
        monkeypatch.delenv(ratelimit.PROCESSES_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(ratelimit.PROCESSES_VARIABLE, processes)
    app = Flask("t")
    settings = ratelimit.RateLimitSettings(storage=storage)
    with caplog.at_level(logging.WARNING):
        ratelimit.init_app(app, settings, "sqlite:///x.db")
    return [r.getMessage() for r in caplog.records if "per process" in r.getMessage()]


def test_memory_counters_under_several_workers_are_warned_about(monkeypatch, caplog):
    warnings = _init_limits(monkeypatch, caplog, "4", "memory://")
    assert len(warnings) == 1
    assert "4 server processes" in warnings[0] and "redis://" in warnings[0]


@pytest.mark.parametrize(
    ("processes", "storage"),
    [
        (None, "memory://"),
        ("1", "memory://"),
        ("4", "redis://localhost:6379/1"),
        ("x", "memory://"),
    ],
)
def test_no_warning_for_one_process_or_shared_counters(monkeypatch, caplog, processes, storage):
    assert _init_limits(monkeypatch, caplog, processes, storage) == []


def test_the_gunicorn_settings_tell_the_workers_how_many_they_are(monkeypatch):
    from server import gunicorn_conf

    monkeypatch.delenv(ratelimit.PROCESSES_VARIABLE, raising=False)

    class Server:
        class cfg:  # gunicorn's attribute
            workers = 3

    gunicorn_conf.on_starting(Server())
    assert os.environ[ratelimit.PROCESSES_VARIABLE] == "3"
    assert ratelimit.server_processes() == 3
    assert gunicorn_conf.PROCESSES_VARIABLE == ratelimit.PROCESSES_VARIABLE
    assert gunicorn_conf.preload_app is False
