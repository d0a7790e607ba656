"""The docs stay true: every config key documented, CI runs the README's test command."""

from __future__ import annotations

import dataclasses
import re
import typing
from pathlib import Path

import pytest

from server.config import Config

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = [name for name in typing.get_type_hints(Config) if name not in ("plugin", "source")]


def _section_text(section: str) -> str:
    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    match = re.search(rf"## `\[{section}\]`(.*?)(\n## |\Z)", text, re.S)
    assert match, f"docs/configuration.md has no section for [{section}]"
    return match.group(1)


@pytest.mark.parametrize("section", SECTIONS)
def test_every_config_key_is_documented_in_its_section(section):
    cls = typing.get_type_hints(Config)[section]
    text = _section_text(section)
    for field in dataclasses.fields(cls):
        assert f"| `{field.name}` |" in text, f"[{section}] {field.name} is not documented"


def _readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.+?)\n```", readme)


def test_ci_runs_exactly_the_readme_test_command():
    test_command = _readme_commands()[1]
    ci_lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test_command in ci_lines


def test_readme_start_command_uses_a_real_cli_command():
    from server.cli import main

    start = _readme_commands()[0]
    command = start.rsplit("aftersales ", 1)[1].split()[0]
    assert command in main.commands


def test_every_calendar_key_is_documented():
    from server.sla.settings import CALENDAR_KEYS

    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    section = text.split("### `[sla.calendars.<name>]`")[1].split("\n## ")[0]
    for key in CALENDAR_KEYS:
        if key in ("tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"):
            key = "monday` … `sunday"  # documented as one row for the seven days
        assert f"| `{key}`" in section, f"sla calendar key {key} is not documented"
