"""`aftersales new-plugin`: refusals, and the generated plugin working end to end —
found through its entry point, enabled in the config, a ticket made through the pages,
its own tests passing, and once installed for real with pip."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from server.cli import main
from server.scaffold import check_name, ticket_prefix
from server.testing import add_customer, build_app, logged_in

FORM = {
    "title": "Inspection",
    "description": "",
    "priority": "normal",
    "channel": "phone",
    "f_site_code": "SH0012",
}


def _new_plugin(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["new-plugin", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("name", ["Lifts", "1lifts", "fire-safety", "class", "x", "_lifts", ""])
def test_a_bad_name_is_refused_in_one_line(tmp_path, name):
    code, _out, err = _new_plugin(name, "--dir", str(tmp_path))
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("aftersales: error: plugin name")
    assert list(tmp_path.iterdir()) == []


def test_an_existing_directory_is_refused_and_left_alone(tmp_path):
    (tmp_path / "lifts").mkdir()
    (tmp_path / "lifts" / "mine.txt").write_text("keep")
    code, _out, err = _new_plugin("lifts", "--dir", str(tmp_path))
    assert code == 2
    assert err.count("\n") == 1 and "already exists" in err
    assert [p.name for p in (tmp_path / "lifts").iterdir()] == ["mine.txt"]


def test_the_name_of_an_installed_plugin_is_refused(tmp_path):
    code, _out, err = _new_plugin("home_appliances", "--dir", str(tmp_path))
    assert code == 2
    assert err.count("\n") == 1 and "already installed" in err
    assert list(tmp_path.iterdir()) == []


def test_the_ticket_prefix_is_two_to_four_capitals():
    assert ticket_prefix("fire_safety") == "FS"
    assert ticket_prefix("lifts") == "LIF"
    assert ticket_prefix("ab") == "AB"
    assert ticket_prefix("a_b_c_d_e") == "ABCD"
    check_name("lifts_2")  # digits and underscores are fine


def _generate(tmp_path: Path, name: str) -> Path:
    code, out, err = _new_plugin(name, "--dir", str(tmp_path / "src"))
    assert code == 0, err
    project = tmp_path / "src" / name
    assert str(project) in out
    return project


def _install_like_pip(project: Path, site: Path) -> None:
    """What an editable install leaves: the project importable, its entry points declared.

    The entry points are read from the generated pyproject.toml, so a skeleton that did not
    declare itself in the ``aftersales.plugins`` group would not be found.
    """
    meta = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    dist = site / f"{meta['name'].replace('-', '_')}-{meta['version']}.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {meta['name']}\nVersion: {meta['version']}\n"
    )
    lines = ["[aftersales.plugins]"]
    for name, target in meta["entry-points"]["aftersales.plugins"].items():
        lines.append(f"{name} = {target}")
    (dist / "entry_points.txt").write_text("\n".join(lines) + "\n")


@pytest.fixture
def forget_modules():
    """Drop the generated package from sys.modules afterwards (nothing leaks between tests)."""
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        if name.startswith("aftersales_"):
            del sys.modules[name]


def test_the_generated_plugin_is_enabled_by_config_beside_others_and_takes_tickets(
    tmp_path, monkeypatch, forget_modules
):
    project = _generate(tmp_path, "lifts")
    site = tmp_path / "site"
    _install_like_pip(project, site)
    monkeypatch.syspath_prepend(str(project))
    monkeypatch.syspath_prepend(str(site))

    app = build_app(
        tmp_path / "app",
        enabled=["home_appliances", "tobacco_retail", "lifts"],
        plugin={"lifts": {"resolution_minutes": {"normal": 600}}},
    )
    registry = app.extensions["aftersales"].registry
    assert registry.industries["lifts"].ticket_prefix == "LIF"
    assert {"home_appliances", "tobacco_retail", "lifts"} <= set(registry.industries)
    client = logged_in(app, "dispatcher", "dispatcher")
    customer = add_customer(app, "张伟")

    form = client.get(f"/tickets/new/fields?customer={customer}&service=lifts:inspection")
    assert 'name="f_site_code"' in form.get_data(as_text=True)
    refused = client.form(
        f"/tickets/new?customer={customer}",
        {"service": "lifts:inspection", **FORM, "f_site_code": "bad"},
        headers={"Accept-Language": "en"},
    )
    assert refused.status_code == 422
    assert "Two capitals and four digits" in refused.get_data(as_text=True)

    created = client.form(
        f"/tickets/new?customer={customer}", {"service": "lifts:inspection", **FORM}
    )
    assert created.status_code == 303, created.get_data(as_text=True)
    page = client.get(created.headers["Location"]).get_data(as_text=True)
    assert "LIF-" in page and "SH0012" in page

    from server.models import Ticket
    from server.sla.models import TicketSla

    with app.app_context():
        ticket = Ticket.get()
        clocks = {c.metric: c for c in TicketSla.select().where(TicketSla.ticket == ticket)}
    assert ticket.plugin == "lifts" and ticket.attributes == {"site_code": "SH0012"}
    resolution = clocks["resolution"]
    assert (resolution.policy, resolution.target_seconds) == ("lifts_standard", 600 * 60)

    services = client.get("/p/lifts/", headers={"Accept-Language": "en"})
    assert services.status_code == 200
    assert "On-site inspection" in services.get_data(as_text=True)
    # the page's words from the plugin's own catalog, found through register_translations
    chinese = client.get("/p/lifts/", headers={"Accept-Language": "zh-CN"})
    assert "服务目录 · Lifts" in chinese.get_data(as_text=True)


def _run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run a command; its apps use SQLite (no PostgreSQL schemas left behind by a child)."""
    return subprocess.run(
        args,
        cwd=cwd,
        env={**os.environ, "AFTERSALES_TEST_POSTGRES_URL": "", **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_generated_plugins_own_tests_pass_and_it_is_ruff_clean(tmp_path):
    project = _generate(tmp_path, "fire_safety")
    tests = _run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist"],
        project,
        PYTHONPATH=str(project),
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "5 passed" in tests.stdout
    for check in (["check", "--no-cache"], ["format", "--check", "--no-cache"]):
        lint = _run([sys.executable, "-m", "ruff", *check, "."], project)
        assert lint.returncode == 0, lint.stdout + lint.stderr


@pytest.mark.skipif(
    importlib.util.find_spec("wheel") is None,
    reason="an editable install with setuptools < 70.1 needs the `wheel` package (test extra)",
)
def test_a_real_pip_install_makes_it_loadable_by_name(tmp_path):
    project = _generate(tmp_path, "elevators")
    site = tmp_path / "site"
    install = _run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--target",
            str(site),
            "-e",
            str(project),
        ],
        tmp_path,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    # The installed site folder is used as a site directory (its .pth runs) by a fresh
    # interpreter, which enables the plugin by name and opens a ticket through the pages.
    script = textwrap.dedent(
        f"""
        import site, sys
        from pathlib import Path
        site.addsitedir({str(site)!r})
        from server.testing import add_customer, build_app, logged_in
        app = build_app(Path({str(tmp_path / "app")!r}), enabled=["elevators"])
        client = logged_in(app, "dispatcher", "dispatcher")
        customer = add_customer(app, "张伟")
        form = {FORM!r}
        form["service"] = "elevators:inspection"
        response = client.form(f"/tickets/new?customer={{customer}}", form)
        assert response.status_code == 303, response.get_data(as_text=True)
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "ELE-" in page, page
        import aftersales_elevators
        print(aftersales_elevators.__file__)
        """
    )
    (tmp_path / "app").mkdir()
    run = _run([sys.executable, "-c", script], tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.strip() == str(project / "aftersales_elevators" / "__init__.py")
