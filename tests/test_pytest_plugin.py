"""The fixtures plugin authors enable with ``pytest_plugins = ["server.pytest_plugin"]``."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

CONFTEST = 'pytest_plugins = ["server.pytest_plugin"]\n'
SUITE = """
from server.models import Ticket


def test_an_app_with_one_plugin_takes_a_ticket_from_a_logged_in_client(
    make_app, logged_in_client, customer_of
):
    app = make_app(enabled=["home_appliances"])
    client = logged_in_client(app, "dispatcher")
    customer = customer_of(app, "张伟")
    response = client.form(
        f"/tickets/new?customer={customer}",
        {
            "service": "home_appliances:consultation",
            "title": "咨询",
            "priority": "normal",
            "channel": "phone",
            "f_topic": "usage",
            "f_question": "如何清洗滤网？",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    with app.app_context():
        assert Ticket.get().number.startswith("HA-")


def test_two_apps_in_one_test_keep_their_own_databases(make_app):
    first = make_app(enabled=["home_appliances"])
    second = make_app(enabled=["insurance"])
    assert set(first.extensions["aftersales"].registry.industries) == {"home_appliances"}
    assert set(second.extensions["aftersales"].registry.industries) == {"insurance"}
    urls = {a.extensions["aftersales"].config.database.url for a in (first, second)}
    assert len(urls) == 2


def test_the_role_is_the_users(make_app, logged_in_client):
    app = make_app()
    assert logged_in_client(app, "technician").get("/admin/outlets").status_code == 403
    assert logged_in_client(app, "admin", username="boss").get("/admin/outlets").status_code == 200
"""


def test_a_plugins_own_suite_gets_apps_and_logged_in_clients_from_the_fixtures(tmp_path):
    (tmp_path / "conftest.py").write_text(CONFTEST, encoding="utf-8")
    (tmp_path / "test_my_plugin.py").write_text(textwrap.dedent(SUITE), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"],
        cwd=tmp_path,
        env={**os.environ, "AFTERSALES_TEST_POSTGRES_URL": ""},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "3 passed" in run.stdout
