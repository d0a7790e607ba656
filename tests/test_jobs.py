"""The periodic job runner: huey with SQLite storage; the sweep job and `worker --once`."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from click.testing import CliRunner

from server.jobs import make_huey, run_sweep
from server.models import TicketEvent
from tests.conftest import add_ticket

LADDER = {
    "policies": {
        "plain": {
            "resolution": {
                "minutes": {"normal": 60},
                "escalation": [{"percent": 50, "notify": "supervisor"}],
            }
        }
    },
    "rules": [{"policy": "plain"}],
}


@pytest.fixture
def late_ticket(make_app):
    """A ticket reported two days ago with a one-hour target: breached, step due."""
    app = make_app(sla=LADDER)
    reported = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=2)
    add_ticket(app, reported_at=reported, now=reported)
    return app


def test_the_queue_lives_in_the_instance_folder_by_default(late_ticket):
    huey = make_huey(late_ticket)
    assert huey.storage.filename.endswith("instance/jobs.db")


def test_the_sweep_is_due_every_minute(late_ticket):
    huey = make_huey(late_ticket)
    due = huey.read_periodic(dt.datetime(2026, 11, 24, 10, 7))
    assert [task.name for task in due] == ["sla_sweep"]


def test_the_periodic_task_sweeps(late_ticket):
    huey = make_huey(late_ticket)
    for task in huey.read_periodic(dt.datetime(2026, 11, 24, 10, 7)):
        huey.execute(task)  # what the consumer does with a due periodic task
    with late_ticket.app_context():
        kinds = {event.kind for event in TicketEvent.select()}
    assert {"sla_breached", "sla_escalation"} <= kinds


def test_run_sweep_reports_what_it_did(late_ticket):
    result, mail = run_sweep(late_ticket)
    assert (result.tickets, result.breaches, len(result.escalations)) == (1, 1, 1)
    assert mail == (0, 0)  # mail is off in this config


def test_redis_backend_is_chosen_by_config(make_app):
    app = make_app(jobs={"backend": "redis", "redis_url": "redis://127.0.0.1:1/0"})
    huey = make_huey(app)
    assert type(huey).__name__ == "RedisHuey"


@pytest.mark.parametrize(("key", "value"), [("backend", "rabbit"), ("sweep_every_minutes", 0)])
def test_bad_job_settings_stop_start_up(make_app, key, value):
    from server.config import ConfigError

    with pytest.raises(ConfigError, match=f"jobs.{key}"):
        make_app(jobs={key: value})


def test_worker_once_runs_one_round(tmp_path):
    from server.cli import main

    config = tmp_path / "w.toml"
    config.write_text(
        f'[server]\ninstance_dir = "{tmp_path / "instance"}"\n'
        f'[database]\nurl = "sqlite:///{tmp_path / "db.sqlite"}"\n[plugins]\nenabled = []\n',
        encoding="utf-8",
    )
    runner = CliRunner()
    assert runner.invoke(main, ["--config", str(config), "init-db"]).exit_code == 0
    result = runner.invoke(main, ["--config", str(config), "worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "swept 0 tickets" in result.output


REDIS_URL = os.environ.get("AFTERSALES_TEST_REDIS_URL", "")


@pytest.mark.skipif(not REDIS_URL, reason="set AFTERSALES_TEST_REDIS_URL (CI does) to test Redis")
def test_the_sweep_runs_through_a_real_redis_queue(make_app):
    app = make_app(sla=LADDER, jobs={"backend": "redis", "redis_url": REDIS_URL})
    reported = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=2)
    add_ticket(app, reported_at=reported, now=reported)
    huey = make_huey(app)
    huey.flush()
    for task in huey.read_periodic(dt.datetime(2026, 11, 24, 10, 7)):
        huey.enqueue(task)
    assert huey.pending_count() == 1
    huey.execute(huey.dequeue())  # what the consumer does: take it off Redis and run it
    with app.app_context():
        assert TicketEvent.select().where(TicketEvent.kind == "sla_breached").exists()


def test_a_failing_step_is_logged_and_the_mail_outbox_still_goes(make_app, caplog):
    import socket

    from server.db import database
    from server.notifications import OutgoingMail

    with socket.socket() as probe:  # a port nobody listens on: the send fails, is counted
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app = make_app(mail={"enabled": True, "host": "127.0.0.1", "port": port})
    with app.app_context():
        OutgoingMail.create(to="desk@example.com", subject="Hello", body="Waiting")
        database.execute_sql("DROP TABLE merit_cursor")  # merit awarding now fails
    with caplog.at_level("ERROR"):
        _result, mail = run_sweep(app)
    assert mail == (0, 1)  # the outbox was still tried after the broken step
    assert "merit awarding failed" in caplog.text
