"""The guides stay true: pictures exist, links resolve, commands and config keys are real.

The user guides show pictures the browser tests take
(``tests/browser/test_docs_screenshots.py``); the admin guide names commands and every
configuration key, which must match what ``aftersales --help`` and ``server/config.py``
know — both ways for the keys, so a new key fails here until it is documented.
"""

from __future__ import annotations

import dataclasses
import re
import typing
from pathlib import Path

import pytest
from click.testing import CliRunner

from server.config import Config

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
GUIDES = ["user-guide.md", "user-guide.zh-CN.md", "admin-guide.md", "admin-guide.zh-CN.md"]
MARKDOWN = [*sorted(DOCS.glob("*.md")), ROOT / "README.md"]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
CONFIG_CHAPTER = "## 4. Configuration"


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _outside_code(text: str) -> str:
    """The Markdown without fenced code blocks and inline code (links there are examples)."""
    text = re.sub(r"```.*?```", "", text, flags=re.S)
    return re.sub(r"`[^`\n]*`", "", text)


def _anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes."""
    slug = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return slug.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    body = re.sub(r"```.*?```", "", _text(path), flags=re.S)
    return {_anchor(m) for m in re.findall(r"^#+ (.+)$", body, re.M)}


@pytest.mark.parametrize("name", GUIDES)
def test_every_picture_a_guide_shows_exists(name):
    images = [t for t in LINK.findall(_outside_code(_text(DOCS / name))) if "images/" in t]
    assert images or not name.startswith("user-guide"), f"{name} shows no pictures"
    missing = [target for target in images if not (DOCS / target).is_file()]
    assert missing == [], f"{name} shows pictures that do not exist: {missing}"


def test_each_language_has_its_own_pictures():
    english = set(re.findall(r"images/en/([\w-]+\.png)", _text(DOCS / "user-guide.md")))
    chinese = set(re.findall(r"images/zh/([\w-]+\.png)", _text(DOCS / "user-guide.zh-CN.md")))
    assert english == chinese


@pytest.mark.parametrize("path", MARKDOWN, ids=lambda p: p.name)
def test_every_relative_link_resolves(path):
    broken = []
    for target in LINK.findall(_outside_code(_text(path))):
        if re.match(r"[a-z]+:", target) or target.startswith("<"):
            continue  # http:, https:, mailto:
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        missing_anchor = linked.suffix == ".md" and anchor and anchor not in _anchors(linked)
        if not linked.exists() or missing_anchor:
            broken.append(target)
    assert broken == [], f"{path.name} has broken links: {broken}"


def _commands() -> set[str]:
    """Every command and sub-command ``aftersales --help`` lists (``sla sweep`` …)."""
    from server.cli import main

    names = set()
    for name, command in main.commands.items():
        names.add(name)
        for sub in getattr(command, "commands", {}):
            names.add(f"{name} {sub}")
    help_text = CliRunner().invoke(main, ["--help"]).output
    assert all(name in help_text for name in main.commands)
    return names


def _code(text: str) -> str:
    """The Markdown's code: fenced blocks and inline code spans (where commands are named)."""
    blocks = re.findall(r"```.*?```", text, flags=re.S)
    spans = re.findall(r"`([^`\n]+)`", re.sub(r"```.*?```", "", text, flags=re.S))
    return "\n".join(blocks + spans)


@pytest.mark.parametrize("name", [*GUIDES, "../README.md"])
def test_every_command_a_guide_names_exists(name):
    known = _commands()
    groups = {k.split()[0] for k in known if " " in k}
    named = re.findall(
        r"\baftersales ([a-z][a-z-]*)(?: ([a-z][a-z-]*))?", _code(_text(DOCS / name))
    )
    assert named, f"{name} names no command"
    unknown = []
    for command, sub in named:
        if command not in known:
            unknown.append(command)
        elif command in groups and sub and f"{command} {sub}" not in known:
            unknown.append(f"{command} {sub}")
    assert unknown == [], f"{name} names commands aftersales does not have: {unknown}"


def _parsed_keys() -> set[str]:
    """Every key ``server/config.py`` (and the section parsers it calls) accepts."""
    from server.dispatch.rules import RULE_KEYS as DISPATCH_RULE_KEYS
    from server.followup.settings import RULE_KEYS as CALLBACK_RULE_KEYS
    from server.grading.rules import GRADE_KEYS
    from server.merit.rules import RULE_KEYS as MERIT_RULE_KEYS
    from server.sla.policies import POLICY_KEYS, TARGET_KEYS
    from server.sla.policies import RULE_KEYS as SLA_RULE_KEYS
    from server.sla.settings import CALENDAR_KEYS

    keys = {"plugin.<name>"}
    for section, cls in typing.get_type_hints(Config).items():
        if dataclasses.is_dataclass(cls):
            keys |= {f"{section}.{field.name}" for field in dataclasses.fields(cls)}
    keys |= {f"sla.calendars.<name>.{key}" for key in CALENDAR_KEYS}
    keys |= {f"sla.policies.<name>.{key}" for key in POLICY_KEYS}
    keys |= {f"sla.policies.<name>.<metric>.{key}" for key in TARGET_KEYS}
    keys |= {f"sla.rules[].{key}" for key in SLA_RULE_KEYS}
    keys |= {f"dispatch.rules[].{key}" for key in DISPATCH_RULE_KEYS}
    keys |= {f"callbacks.rules[].{key}" for key in CALLBACK_RULE_KEYS}
    keys |= {f"merit.rules[].{key}" for key in MERIT_RULE_KEYS}
    keys |= {f"grading.grades[].{key}" for key in GRADE_KEYS}
    return keys


def _documented_keys() -> set[str]:
    """The keys in the first column of the admin guide's configuration tables."""
    text = _text(DOCS / "admin-guide.md")
    chapter = text.split(CONFIG_CHAPTER, 1)[1].split("\n## ", 1)[0]
    keys = set()
    for line in chapter.splitlines():
        if line.startswith("| `"):
            first_cell = line.split("|")[1]
            keys |= set(re.findall(r"`([^`]+)`", first_cell))
    return keys


def test_every_key_the_admin_guide_documents_is_parsed():
    unknown = _documented_keys() - _parsed_keys()
    assert unknown == set(), f"the admin guide documents keys the config does not have: {unknown}"


def test_every_parsed_key_is_in_the_admin_guide():
    missing = _parsed_keys() - _documented_keys()
    assert missing == set(), f"keys missing from the admin guide's configuration: {missing}"


def test_the_readme_names_the_screenshot_command():
    command = (
        "AFTERSALES_SCREENSHOTS=docs/images .venv/bin/python -m pytest "
        "tests/browser/test_docs_screenshots.py -p no:xdist -q"
    )
    for name in ("README.md", "docs/user-guide.md"):
        assert command in _text(ROOT / name), f"{name} lacks the screenshot command"
