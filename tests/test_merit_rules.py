"""[[merit.rules]]: checked at start-up with one-line errors; matching event data."""

from __future__ import annotations

import pytest

from server.config import DEFAULT_CONFIG_PATH, ConfigError, load_config, parse_config
from server.merit.rules import parse_merit


def _rule(**overrides):
    rule = {"name": "r", "event": "callback", "level": "commendation"}
    rule.update(overrides)
    return {key: value for key, value in rule.items() if value is not None}


def _rules(*rules):
    return parse_merit({"rules": list(rules)}).rules


def test_shipped_config_has_the_three_default_rules():
    rules = {rule.name: rule for rule in load_config(DEFAULT_CONFIG_PATH).merit.rules}
    assert (rules["sla_breach"].event, rules["sla_breach"].level) == ("sla_breached", "warning")
    assert rules["five_star_callback"].matches("callback", {"satisfaction": 5})
    assert rules["five_star_callback"].level == "commendation"
    assert (rules["complaint_upheld"].who, rules["complaint_upheld"].level) == ("staff", "demerit")


@pytest.mark.parametrize(
    ("rule", "key", "problem"),
    [
        (_rule(name="Bad Name"), "merit.rules[1].name", "lower-case"),
        (_rule(name=None), "merit.rules[1].name", "lower-case"),
        (_rule(event="callbak"), "merit.rules[1].event", "timeline event kind"),
        (_rule(event="merit"), "merit.rules[1].event", "timeline event kind"),
        (_rule(level="praise"), "merit.rules[1].level", "one of commendation"),
        (_rule(who="boss"), "merit.rules[1].who", "one of assignee"),
        (_rule(when="satisfaction=5"), "merit.rules[1].when", "must be a table"),
        (_rule(when={"score": {"above": 3}}), "merit.rules[1].when.score.above", "unknown key"),
        (_rule(when={"score": {"min": "3"}}), "merit.rules[1].when.score.min", "a number"),
        (_rule(when={"score": {"min": 5, "max": 3}}), "merit.rules[1].when.score", "greater"),
        (_rule(when={"score": {}}), "merit.rules[1].when.score", "needs min"),
        (_rule(when={"score": []}), "merit.rules[1].when.score", "a value"),
        (_rule(amount=-5), "merit.rules[1].amount", "between 0"),
        (_rule(amount="20.505"), "merit.rules[1].amount", "two decimal"),
        (_rule(amount="lots"), "merit.rules[1].amount", "amount in yuan"),
        (_rule(amount=True), "merit.rules[1].amount", "amount in yuan"),
        (_rule(colour="red"), "merit.rules[1].colour", "unknown key"),
    ],
)
def test_bad_rule_stops_start_up_with_one_line(rule, key, problem, tmp_path):
    with pytest.raises(ConfigError) as info:
        parse_config({"merit": {"rules": [rule]}}, tmp_path / "a.toml")
    assert info.value.key == key
    assert problem in info.value.problem
    assert "\n" not in str(info.value)


def test_rule_names_are_unique(tmp_path):
    with pytest.raises(ConfigError) as info:
        parse_config({"merit": {"rules": [_rule(), _rule(level="merit")]}}, tmp_path / "a.toml")
    assert info.value.key == "merit.rules[2].name"


def test_unknown_merit_key_and_bad_rules_type(tmp_path):
    with pytest.raises(ConfigError, match=r"merit\.points: unknown key"):
        parse_config({"merit": {"points": 1}}, tmp_path / "a.toml")
    with pytest.raises(ConfigError, match=r"\[\[merit.rules\]\]"):
        parse_config({"merit": {"rules": {"name": "x"}}}, tmp_path / "a.toml")


def test_amount_in_yuan_becomes_signed_cents_by_level():
    reward, fine = _rules(
        _rule(name="a", amount=20), _rule(name="b", level="demerit", amount="12.50")
    )
    assert (reward.amount_cents, reward.signed_amount_cents) == (2000, 2000)
    assert (fine.amount_cents, fine.signed_amount_cents) == (1250, -1250)


@pytest.mark.parametrize(
    ("when", "data", "matches"),
    [
        ({}, {}, True),
        ({"satisfaction": 5}, {"satisfaction": 5}, True),
        ({"satisfaction": 5}, {"satisfaction": 4}, False),
        ({"satisfaction": 5}, {}, False),
        ({"satisfaction": 5}, {"satisfaction": None}, False),
        ({"satisfaction": 5}, {"satisfaction": "5"}, False),
        ({"satisfaction": [4, 5]}, {"satisfaction": 4}, True),
        ({"metric": "arrival"}, {"metric": "arrival"}, True),
        ({"metric": "arrival"}, {"metric": "resolution"}, False),
        ({"reached": True}, {"reached": True}, True),
        ({"reached": True}, {"reached": 1}, False),
        ({"satisfaction": 1}, {"satisfaction": True}, False),
        ({"score": {"min": 90}}, {"score": 90.0}, True),
        ({"score": {"min": 90}}, {"score": 89.9}, False),
        ({"score": {"max": 60}}, {"score": 60}, True),
        ({"score": {"min": 1, "max": 2}}, {"score": 3}, False),
        ({"score": {"min": 1}}, {"score": "high"}, False),
        ({"score": {"min": 1}}, {"score": True}, False),
        ({"satisfaction": 5, "outcome": "satisfied"}, {"satisfaction": 5, "outcome": "x"}, False),
        (
            {"satisfaction": 5, "outcome": "satisfied"},
            {"satisfaction": 5, "outcome": "satisfied"},
            True,
        ),
    ],
)
def test_rule_matches_event_data(when, data, matches):
    [rule] = _rules(_rule(when=when))
    assert rule.matches("callback", data) is matches


def test_rule_matches_only_its_event_kind():
    [rule] = _rules(_rule())
    assert not rule.matches("complaint_upheld", {})
