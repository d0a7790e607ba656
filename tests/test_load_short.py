"""The load and crash tests in their short form (bench/load.py, bench/crash.py run in full
for the figures): a real server over loopback for a few seconds, then the check against
the database. Only the checks are asserted, never timings.

SQLite with waitress always; PostgreSQL with gunicorn × 2 when
``AFTERSALES_TEST_POSTGRES_URL`` is set (each run makes and drops a schema of its own).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from server.config import PROJECT_ROOT

POSTGRES_URL = os.environ.get("AFTERSALES_TEST_POSTGRES_URL", "")
DATABASES = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(not POSTGRES_URL, reason="set AFTERSALES_TEST_POSTGRES_URL"),
    ),
]


def _run(script: str, database: str, *args: str) -> dict:
    argv = [sys.executable, str(PROJECT_ROOT / "bench" / script), *args, "--json"]
    if database == "postgresql":
        argv += ["--postgres", POSTGRES_URL, "--workers", "2"]
    env = {k: v for k, v in os.environ.items() if k != "AFTERSALES_CONFIG"}
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300, env=env)
    assert done.stdout.strip(), f"{script} printed nothing:\n{done.stderr[-3000:]}"
    result = json.loads(done.stdout)
    assert done.returncode == (0 if result["ok"] else 1)
    return result


@pytest.mark.parametrize("database", DATABASES)
def test_short_load_keeps_every_acknowledged_write(database):
    result = _run("load.py", database, "--seconds", "3", "--clients", "4")
    assert result["problems"] == [], json.dumps(result, indent=1, ensure_ascii=False)
    assert result["ok"]
    load = result["load"]
    assert load["server_errors"] == 0 and load["connection_errors"] == 0
    assert result["acknowledged"]["tickets"] > 0
    assert set(load["operations"]) >= {"create", "transition", "comment", "queue", "page"}
    assert result["baseline"]["operations"]["insert"]["statuses"].keys() == {"201"}
    assert result["ratio"]["create_capacity"] > 0


@pytest.mark.parametrize("database", DATABASES)
def test_short_crash_loses_nothing_and_fires_each_step_once(database):
    result = _run("crash.py", database, "--seconds", "4", "--clients", "4", "--quick")
    assert result["problems"] == [], json.dumps(result, indent=1, ensure_ascii=False)
    assert result["ok"]
    assert result["load"]["server_errors"] == 0
    assert result["acknowledged"]["tickets_after_restart"] > 0
    assert result["escalations_fired"] > 0
    assert result["worker_runs"]
