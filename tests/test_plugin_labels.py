"""Every built-in plugin labels what it registers in Simplified Chinese and English."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

import pytest

from server.plugin_api import Label
from tests.conftest import build_app

PLUGINS = ["home_appliances", "tobacco_retail", "insurance", "power_utility", "it_outsourcing"]
CHINESE = re.compile(r"[\u4e00-\u9fff]")
# Product names read the same in both languages.
PROPER_NAMES = {"VPN + SSH/RDP"}


def bilingual(text: Label) -> bool:
    """Chinese in ``zh`` (or a proper name in both) and something in ``en``."""
    if text.zh == text.en and text.zh in PROPER_NAMES:
        return True
    return bool(CHINESE.search(text.zh)) and bool(text.en.strip())


def labels(value: Any, where: str) -> Iterator[tuple[str, Label]]:
    """Every ``Label`` inside a registered dataclass (or tuple/list/dict of them)."""
    if isinstance(value, Label):
        yield where, value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from labels(getattr(value, item.name), f"{where}.{item.name}")
    elif isinstance(value, (tuple, list)):
        for index, item in enumerate(value):
            yield from labels(item, f"{where}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from labels(item, f"{where}[{key}]")


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    return (
        build_app(tmp_path_factory.mktemp("labels"), enabled=PLUGINS)
        .extensions["aftersales"]
        .registry
    )


@pytest.mark.parametrize("industry", PLUGINS)
def test_every_label_a_plugin_registers_has_chinese_and_english(registry, industry):
    registered = {
        "industry": registry.industries[industry],
        "services": registry.services_of(industry),
        "asset_kinds": registry.asset_kinds_of(industry),
        "parts": registry.parts_of(industry),
        "policies": registry.industry_policies.get(industry, []),
    }
    found = list(labels(registered, industry))
    assert len(found) > 20
    bad = [where for where, text in found if not bilingual(text)]
    assert bad == []
    untranslated = [where for where, text in found if CHINESE.search(text.en)]
    assert untranslated == []


def test_every_customer_field_of_the_plugins_has_chinese_and_english(registry):
    found = list(labels(registry.customer_fields, "customer_fields"))
    bad = [where for where, text in found if not bilingual(text)]
    assert found and bad == []
