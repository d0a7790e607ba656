"""A year without holiday data is reported: banner for admins, log line, CLI exit code."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

import pytest
from click.testing import CliRunner

from server.cli import main
from server.sla import holiday_sources
from tests.conftest import ensure_user

CHINA_OFFICE = {
    "calendars": {"office": {"holidays": "china", "weekdays": ["09:00-12:00", "13:00-18:00"]}}
}
# The last year the installed chinesecalendar knows, and the first it does not.
LAST_KNOWN = max(holiday_sources.china_rules().covered_years)
FIRST_UNKNOWN = LAST_KNOWN + 1
NEXT_YEAR = dt.date.today().year + 1
WARNING = f"has no holiday data for {NEXT_YEAR}"


@pytest.fixture
def data_ends_this_year(monkeypatch):
    """The holiday package as it stands late in a year: next year's schedule not out yet."""
    real = holiday_sources.china_rules()
    this_year = NEXT_YEAR - 1
    trimmed = dataclasses.replace(
        real, covered_years=frozenset(y for y in real.covered_years if y <= this_year)
    )
    monkeypatch.setattr(holiday_sources, "china_rules", lambda: trimmed)


def test_admins_see_a_banner_for_a_year_without_holiday_data(make_app, data_ends_this_year):
    app = make_app(sla=CHINA_OFFICE)
    ensure_user(app, "admin", "admin")
    client = app.test_client()
    client.login("admin")
    page = client.get("/tickets").get_data(as_text=True)
    assert 'class="banner"' in page and WARNING in page


def test_other_roles_do_not_see_the_banner(make_app, data_ends_this_year):
    app = make_app(sla=CHINA_OFFICE)
    ensure_user(app, "dispatcher", "dispatcher")
    client = app.test_client()
    client.login("dispatcher")
    assert WARNING not in client.get("/tickets").get_data(as_text=True)


def test_start_up_logs_the_missing_year(make_app, caplog, data_ends_this_year):
    with caplog.at_level(logging.WARNING):
        make_app(sla=CHINA_OFFICE)
    assert any(WARNING in record.getMessage() for record in caplog.records)


def _config_file(tmp_path, calendars: str) -> str:
    path = tmp_path / "c.toml"
    path.write_text(
        f'[server]\ninstance_dir = "{tmp_path / "instance"}"\n'
        f'[database]\nurl = "sqlite:///{tmp_path / "db.sqlite"}"\n'
        f"[plugins]\nenabled = []\n{calendars}",
        encoding="utf-8",
    )
    return str(path)


def test_check_calendars_fails_for_a_year_without_data(tmp_path):
    config = _config_file(
        tmp_path, '[sla.calendars.office]\nholidays = "china"\nweekdays = ["09:00-17:00"]\n'
    )
    result = CliRunner().invoke(
        main, ["--config", config, "sla", "check-calendars", "--year", str(FIRST_UNKNOWN)]
    )
    assert result.exit_code == 1
    assert f"office (Asia/Shanghai): holiday data for 2004–{LAST_KNOWN}" in result.output
    assert f"has no holiday data for {FIRST_UNKNOWN}" in result.output


def test_check_calendars_passes_for_covered_years(tmp_path):
    config = _config_file(
        tmp_path, '[sla.calendars.office]\nholidays = "china"\nweekdays = ["09:00-17:00"]\n'
    )
    result = CliRunner().invoke(
        main, ["--config", config, "sla", "check-calendars", "--year", str(LAST_KNOWN)]
    )
    assert result.exit_code == 0, result.output
    assert "every calendar has holiday data" in result.output
