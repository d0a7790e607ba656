"""``aftersales new-plugin``: write a working plugin skeleton an integrator grows from.

The skeleton is a package of its own (``aftersales_<name>``) with a pyproject.toml that
declares the entry point, thin hookimpls, a catalog with one service, one form field and
one SLA policy, a page with its template (its words translated by the plugin's own
``zh_CN`` gettext catalog), a README and tests that pass at once.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Iterable
from pathlib import Path
from string import Template

# The industry slug's rule (server.plugin_api), which the plugin name doubles as.
_NAME = re.compile(r"^[a-z][a-z0-9_]{1,49}$")


class ScaffoldError(Exception):
    """The plugin cannot be generated (bad name, directory already there)."""


def check_name(name: str) -> None:
    """Refuse a name that cannot be a plugin's: a lower-case Python identifier, 2–50 chars.

    :param name: the plugin name (entry-point name, industry slug, template folder).
    :raises ScaffoldError: with a one-line reason.
    """
    if not _NAME.match(name) or keyword.iskeyword(name):
        raise ScaffoldError(
            f"plugin name {name!r} must be a lower-case Python identifier of 2-50 characters "
            "(letters, digits, _; starting with a letter), e.g. elevators"
        )


def ticket_prefix(name: str) -> str:
    """A 2–4 capital ticket prefix from the name: ``fire_safety`` → ``FS``, ``lifts`` → ``LIF``."""
    parts = [part for part in name.split("_") if part and part[0].isalpha()]
    if len(parts) >= 2:
        return "".join(part[0] for part in parts[:4]).upper()
    letters = [c for c in name if c.isalpha()]
    return "".join(letters[:3]).upper().ljust(2, "X")


def plugin_files(name: str) -> dict[str, str]:
    """The skeleton's files, by path relative to the project directory.

    :param name: a name :func:`check_name` accepts.
    :returns: ``{relative path: text}``.
    """
    check_name(name)
    package = f"aftersales_{name}"
    values = {
        "name": name,
        "package": package,
        "prefix": ticket_prefix(name),
        "title": name.replace("_", " ").capitalize(),
        "dist": "aftersales-" + name.replace("_", "-"),
    }
    return {
        Template(path).substitute(values): Template(text).substitute(values)
        for path, text in _FILES.items()
    }


def generate(name: str, directory: Path, taken: Iterable[str] = ()) -> Path:
    """Write the skeleton into ``directory/<name>``; nothing is written on refusal.

    :param name: the plugin name.
    :param directory: the folder the project folder is made in (it may not exist yet).
    :param taken: names of plugins already installed, which the new one may not reuse.
    :returns: the new project folder.
    :raises ScaffoldError: for a bad or taken name, or when ``directory/<name>`` exists.
    """
    files = plugin_files(name)
    if name in set(taken):
        raise ScaffoldError(f"a plugin named {name!r} is already installed; choose another name")
    project = Path(directory) / name
    if project.exists():
        raise ScaffoldError(f"{project} already exists; choose another name or --dir")
    for relative, text in files.items():
        path = project / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return project


_PYPROJECT = """\
[build-system]
requires = ["setuptools>=64"]
build-backend = "setuptools.build_meta"

[project]
name = "$dist"
version = "0.1.0"
description = "aftersales industry plugin: $title"
requires-python = ">=3.11"
# The aftersales server itself is the host; install it first (pip install -e /path/to/it).
dependencies = []

[project.optional-dependencies]
test = ["pytest>=8"]

# How aftersales finds the plugin: enable it with  [plugins] enabled = ["$name"]
[project.entry-points."aftersales.plugins"]
$name = "$package"

[tool.setuptools]
packages = ["$package"]

[tool.setuptools.package-data]
"$package" = ["templates/**/*", "translations/**/*"]

[tool.pytest.ini_options]
testpaths = ["tests"]

[tool.ruff]
line-length = 100

[tool.ruff.lint]
select = ["E", "F", "W", "I", "B", "UP", "SIM", "RUF"]
ignore = ["RUF001", "RUF002", "RUF003"]  # Chinese punctuation in labels is intended
"""

_INIT = '''\
"""$title: an aftersales industry plugin (thin hookimpls; the data lives in catalog.py)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from server.plugin_api import (
    Industry,
    PluginBlueprint,
    ServiceType,
    SlaPolicy,
    hookimpl,
)

from . import catalog, views


@hookimpl
def register_industry(settings: Mapping[str, Any]) -> Industry:
    return catalog.INDUSTRY


@hookimpl
def register_service_catalog(settings: Mapping[str, Any]) -> list[ServiceType]:
    return list(catalog.SERVICES)


@hookimpl
def register_sla_policies(settings: Mapping[str, Any]) -> list[SlaPolicy]:
    return catalog.sla_policies(settings)


@hookimpl
def register_blueprints(settings: Mapping[str, Any]) -> list[PluginBlueprint]:
    return [PluginBlueprint(views.blueprint(), "ticket.view")]


@hookimpl
def register_translations() -> str:
    # translations/zh_CN/LC_MESSAGES/messages.po: the words the templates mark with _()
    return str(Path(__file__).parent / "translations")
'''

_CATALOG = '''\
"""What the plugin offers: its industry, one service with one form field, one SLA policy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from server.plugin_api import (
    FieldSpec,
    Industry,
    MetricTarget,
    ServiceType,
    SlaPolicy,
    label,
)

# Give the industry its Chinese label (the first) and a ticket prefix no other plugin uses.
INDUSTRY = Industry("$name", label("$title", "$title"), "$prefix", version="0.1.0")

SERVICES = (
    ServiceType(
        "inspection",
        label("上门检查", "On-site inspection"),
        category="maintenance",
        fields=(
            FieldSpec(
                "site_code",
                label("站点编号", "Site code"),
                required=True,
                max_length=12,
                pattern=r"^[A-Z]{2}[0-9]{4}$$",
                pattern_hint=label(
                    "两个大写字母加四位数字，如 SH0012", "Two capitals and four digits, e.g. SH0012"
                ),
            ),
        ),
    ),
)

# Minutes per priority; a firm changes them in [plugin.$name] without touching code.
DEFAULT_RESOLUTION_MINUTES = {"urgent": 240, "high": 480, "normal": 1440, "low": 2880}


def sla_policies(settings: Mapping[str, Any]) -> list[SlaPolicy]:
    """The plugin's default policy: first response and resolution, on the 24x7 clock."""
    given = settings.get("resolution_minutes", {})
    if not isinstance(given, Mapping):
        raise ValueError("resolution_minutes must be a table of minutes per priority")
    minutes = dict(DEFAULT_RESOLUTION_MINUTES)
    minutes.update(given)
    for priority, value in minutes.items():
        if priority not in DEFAULT_RESOLUTION_MINUTES:
            raise ValueError(f"resolution_minutes.{priority}: not a priority")
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValueError(f"resolution_minutes.{priority} must be positive minutes")
    return [
        SlaPolicy(
            "${name}_standard",
            label("标准服务", "Standard service"),
            (
                MetricTarget("first_response", "24x7", {"urgent": 30, "high": 60, "normal": 120}),
                MetricTarget("resolution", "24x7", minutes, pause_statuses=("waiting_customer",)),
            ),
        )
    ]
'''

_VIEWS = '''\
"""The plugin's own page, mounted by the core under /p/$name/ (login + ticket.view)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from server.plugin_api import render_page

from . import catalog


def blueprint() -> Blueprint:
    """The blueprint, named after the plugin (blueprint names are unique in the app)."""
    pages = Blueprint("$name", __name__)

    @pages.get("/")
    def services_page() -> Any:
        return render_page(
            "$name/services.html", "$name/_services.html", services=catalog.SERVICES
        )

    return pages
'''

_PAGE = """\
{% extends "base.html" %}
{% block title %}{{ '$title' }}{% endblock %}
{% block content %}
<div class="page-head">
  <h1>{{ _("Services") }} · $title</h1>
</div>
<div id="$name-services">{% include "$name/_services.html" %}</div>
{% endblock %}
"""

_PARTIAL = """\
<ul>
{% for service in services %}
  <li>{{ service.label.get(current_locale()) }} ({{ service.code }})</li>
{% endfor %}
</ul>
"""

_README = """\
# $dist

An aftersales industry plugin, generated by `aftersales new-plugin $name`.

| File | What it holds |
|---|---|
| `$package/__init__.py` | the hookimpls, thin: they return data from the modules below |
| `$package/catalog.py` | the industry (ticket prefix `$prefix`), services, the SLA policy |
| `$package/views.py` | the page under `/p/$name/` |
| `$package/templates/$name/` | its templates (always under the plugin's own folder) |
| `$package/translations/` | the Chinese for the words the templates mark with `{{ _("…") }}` |
| `tests/test_$name.py` | tests through the pages, using `server.testing` |

## Install and enable

```sh
pip install -e .            # in the aftersales server's virtualenv
```

then in `config/aftersales.toml`:

```toml
[plugins]
enabled = ["$name"]
```

and run `aftersales init-db`. The ticket prefix `$prefix` must be unique among the enabled
plugins: change it in `catalog.py` if another plugin uses it.

## Configuration keys

`[plugin.$name]` in the server's config:

| Key | Default | Meaning |
|---|---|---|
| `resolution_minutes` | urgent 240, high 480, normal 1440, low 2880 | resolution, minutes |

## Languages

Pages speak Simplified Chinese or English (the user's choice, else the browser's). Write
the words of your templates in English and mark them, `{{ _("Services") }}`; put their
Chinese in `$package/translations/zh_CN/LC_MESSAGES/messages.po` (read as it is, no
compiling). Services, fields and other data keep their `label("中文", "English")` pairs.

## Tests

```sh
python -m pytest -q
```
"""

_TEST = '''\
"""The $name plugin through the pages: its service form, its SLA setting and its page."""

from __future__ import annotations

import pytest
from server.testing import add_customer, build_app, logged_in

import $package
from $package import catalog

FORM = {
    "service": "$name:inspection",
    "title": "Inspection",
    "description": "",
    "priority": "normal",
    "channel": "phone",
    "f_site_code": "SH0012",
}


@pytest.fixture
def app(tmp_path):
    # Registered as if installed and enabled; with the package installed,
    # build_app(tmp_path, enabled=["$name"]) loads it through its entry point instead.
    return build_app(tmp_path, extra_plugins=[("$name", $package)])


def test_a_ticket_is_created_through_the_form(app):
    client = logged_in(app, "dispatcher", "dispatcher")
    customer = add_customer(app, "张伟")
    response = client.form(f"/tickets/new?customer={customer}", FORM)
    assert response.status_code == 303, response.get_data(as_text=True)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "$prefix-" in page
    assert "SH0012" in page


def test_a_bad_site_code_is_refused_next_to_the_field(app):
    client = logged_in(app, "dispatcher", "dispatcher")
    customer = add_customer(app, "张伟")
    response = client.form(
        f"/tickets/new?customer={customer}",
        {**FORM, "f_site_code": "nope"},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 422
    assert "Two capitals and four digits" in response.get_data(as_text=True)


def test_the_resolution_target_comes_from_the_settings():
    policy = catalog.sla_policies({"resolution_minutes": {"normal": 600}})[0]
    resolution = next(t for t in policy.targets if t.metric == "resolution")
    assert resolution.minutes["normal"] == 600
    with pytest.raises(ValueError, match=r"resolution_minutes\\.normal"):
        catalog.sla_policies({"resolution_minutes": {"normal": 0}})
    with pytest.raises(ValueError, match=r"resolution_minutes\\.soon: not a priority"):
        catalog.sla_policies({"resolution_minutes": {"soon": 60}})


def test_the_services_page_lists_the_catalog(app):
    client = logged_in(app, "dispatcher", "dispatcher")
    page = client.get("/p/$name/", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Services · $title" in text and "On-site inspection" in text


def test_the_services_page_speaks_chinese(app):
    client = logged_in(app, "dispatcher", "dispatcher")
    page = client.get("/p/$name/", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "服务目录 · $title" in text  # from the plugin's own catalog (translations/)
    assert "上门检查" in text  # the service's Chinese label
'''

_PO = """\
# zh_CN messages of $dist.
msgid ""
msgstr ""
"Project-Id-Version: $dist 0.1.0\\n"
"Language: zh_CN\\n"
"Plural-Forms: nplurals=1; plural=0;\\n"
"MIME-Version: 1.0\\n"
"Content-Type: text/plain; charset=utf-8\\n"
"Content-Transfer-Encoding: 8bit\\n"

#: $package/templates/$name/services.html
msgid "Services"
msgstr "服务目录"
"""

_FILES = {
    "pyproject.toml": _PYPROJECT,
    "README.md": _README,
    "$package/__init__.py": _INIT,
    "$package/catalog.py": _CATALOG,
    "$package/views.py": _VIEWS,
    "$package/templates/$name/services.html": _PAGE,
    "$package/templates/$name/_services.html": _PARTIAL,
    "$package/translations/zh_CN/LC_MESSAGES/messages.po": _PO,
    "tests/test_$name.py": _TEST,
}
