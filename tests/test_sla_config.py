"""Calendars in the config: the shipped one loads; every mistake is one clear line."""

from __future__ import annotations

import datetime as dt

import pytest

from server.config import DEFAULT_CONFIG_PATH, ConfigError, load_config, parse_config
from server.sla.settings import build_calendars


def test_the_shipped_office_calendar_follows_chinas_schedule():
    config = load_config(DEFAULT_CONFIG_PATH)
    calendars = build_calendars(config.sla.calendars, config.locale.timezone)
    office = calendars["office"]
    assert office.windows_on(dt.date(2026, 2, 14))  # a make-up Saturday
    assert not office.windows_on(dt.date(2026, 10, 1))  # National Day
    assert set(calendars) == {"office", "24x7"}


def _calendar(**table):
    return parse_config({"sla": {"calendars": {"c": table}}}, "x.toml")


def test_weekdays_fill_monday_to_friday_and_a_day_key_wins():
    config = _calendar(weekdays=["09:00-17:00"], friday=["09:00-12:00"], saturday=["10:00-12:00"])
    weekly = config.sla.calendars["c"].weekly
    assert weekly[0] == ((dt.time(9), dt.time(17)),)
    assert weekly[4] == ((dt.time(9), dt.time(12)),)
    assert weekly[5] == ((dt.time(10), dt.time(12)),)
    assert weekly[6] == ()


def test_calendar_time_zone_defaults_to_the_locale():
    config = parse_config(
        {
            "locale": {"timezone": "Europe/Berlin"},
            "sla": {"calendars": {"c": {"weekdays": ["09:00-17:00"]}}},
        },
        "x.toml",
    )
    assert config.sla.calendars["c"].timezone == "Europe/Berlin"


@pytest.mark.parametrize(
    ("table", "key", "problem"),
    [
        ({"weekdays": ["9-17"]}, "sla.calendars.c.weekdays", "not a window"),
        ({"weekdays": ["17:00-09:00"]}, "sla.calendars.c.weekdays", "ends before it starts"),
        ({"weekdays": ["09:00-12:00", "11:00-13:00"]}, "sla.calendars.c.weekdays", "overlap"),
        ({"weekdays": "09:00-17:00"}, "sla.calendars.c.weekdays", "must be a list"),
        ({"monday": [9]}, "sla.calendars.c.monday", "must be a list"),
        (
            {"weekdays": ["09:00-17:00"], "timezone": "Mars/Olympus"},
            "sla.calendars.c.timezone",
            "not a known IANA time zone",
        ),
        (
            {"weekdays": ["09:00-17:00"], "holidays": "XX"},
            "sla.calendars.c.holidays",
            "no holiday data for country code 'XX'",
        ),
        (
            {"weekdays": ["09:00-17:00"], "holidays": ""},
            "sla.calendars.c.holidays",
            "non-empty string",
        ),
        (
            {"weekdays": ["09:00-17:00"], "extra_holidays": ["2026-12-24"]},
            "sla.calendars.c.extra_holidays",
            "is not a date",
        ),
        (
            {"weekdays": ["09:00-17:00"], "lunch": ["12:00-13:00"]},
            "sla.calendars.c.lunch",
            "unknown key",
        ),
        ({}, "sla.calendars.c", "has no working time"),
    ],
)
def test_bad_calendar_is_one_line_naming_the_key(table, key, problem):
    with pytest.raises(ConfigError) as caught:
        _calendar(**table)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"x.toml: {key}: ") and problem in message


@pytest.mark.parametrize(
    ("sla", "key"),
    [
        ({"calendars": {"24x7": {"weekdays": ["09:00-17:00"]}}}, "sla.calendars.24x7"),
        ({"calendars": {"c": "office"}}, "sla.calendars.c"),
        ({"calendars": []}, "sla.calendars"),
        ({"escalations": {}}, "sla.escalations"),
        ("office", "sla"),
    ],
)
def test_bad_sla_section_is_one_line_naming_the_key(sla, key):
    with pytest.raises(ConfigError, match=f"^x.toml: {key}: "):
        parse_config({"sla": sla}, "x.toml")


def test_dates_from_toml_are_accepted():
    config = _calendar(
        weekdays=["09:00-17:00"],
        extra_holidays=[dt.date(2026, 12, 24)],
        extra_workdays=[dt.date(2026, 12, 27)],
    )
    calendar = build_calendars(config.sla.calendars, "UTC")["c"]
    assert not calendar.windows_on(dt.date(2026, 12, 24))
    assert calendar.windows_on(dt.date(2026, 12, 27))  # a Sunday made a working day


def test_the_shipped_standard_policy_is_the_default(tmp_path):
    from server.app import create_app

    config = load_config(
        DEFAULT_CONFIG_PATH,
        server={"instance_dir": str(tmp_path)},
        database={"url": f"sqlite:///{tmp_path / 'db.sqlite'}"},
    )
    assert config.sla.default_policy == "standard"
    policy = config.sla.policies["standard"]
    assert [t.metric for t in policy.targets] == ["first_response", "arrival", "resolution"]
    assert all(t.calendar == "office" for t in policy.targets)
    assert create_app(config=config) is not None  # every name it uses exists
