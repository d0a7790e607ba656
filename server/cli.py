"""The ``aftersales`` command: init-db, create-user, demo, serve, install-assets, quickstart,
new-plugin, import, award-points, create-token, translations, backup, restore."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path
from typing import Any

import click
from flask import Flask

from server.assets import AssetError, install_htmx
from server.backup import BackupError
from server.config import ConfigError
from server.migrations import MigrationError
from server.users import UserError

_EXPECTED_ERRORS = (ConfigError, AssetError, BackupError, MigrationError, UserError)


class _OneLineErrors(click.Group):
    """Report expected failures as one line on stderr with exit code 2, no traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except _EXPECTED_ERRORS as exc:
            click.echo(f"aftersales: error: {exc}", err=True)
            sys.exit(2)


def _app(ctx: click.Context) -> Flask:
    from server.app import create_app

    if "app" not in ctx.obj:
        ctx.obj["app"] = create_app(ctx.obj["config"])
    return ctx.obj["app"]


@click.group(cls=_OneLineErrors)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    default=None,
    help="Config file (default: $AFTERSALES_CONFIG, else config/aftersales.toml).",
)
@click.pass_context
def main(ctx: click.Context, config_path: str | None) -> None:
    """aftersales — after-sales service management server."""
    ctx.ensure_object(dict)
    ctx.obj["config"] = config_path


@main.command("init-db")
@click.pass_context
def init_db_command(ctx: click.Context) -> None:
    """Create or upgrade the database schema (safe to run again)."""
    from server.schema import init_db

    app = _app(ctx)
    with app.app_context():
        ran = init_db(app)
    for line in ran:
        click.echo(f"applied {line}")
    click.echo("database is up to date" if ran else "database was already up to date")


@main.command("create-user")
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice(["admin", "supervisor", "dispatcher", "technician"]),
    default="admin",
    show_default=True,
)
@click.option("--display-name", default="")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Prompted for when not given.",
)
@click.pass_context
def create_user_command(
    ctx: click.Context, username: str, role: str, display_name: str, password: str
) -> None:
    """Create a user who can log in."""
    from server.schema import init_db
    from server.users import create_user

    app = _app(ctx)
    with app.app_context():
        init_db(app)
        create_user(username, password, role, display_name)
    click.echo(f"created {role} {username}")


@main.command("demo")
@click.option(
    "--tickets",
    "per_plugin",
    default=40,
    show_default=True,
    help="Tickets to create per enabled plugin.",
)
@click.option("--seed", default=2026, show_default=True)
@click.pass_context
def demo_command(ctx: click.Context, per_plugin: int, seed: int) -> None:
    """Create demo users and realistic customers and tickets for every enabled plugin."""
    from server.demo import create_demo_data, demo_logins
    from server.schema import init_db

    app = _app(ctx)
    with app.app_context():
        init_db(app)
        created = _run_demo(app, per_plugin, seed, create_demo_data)
        logins = demo_logins(app)
        if created:
            # One periodic round brings the demo to today: SLA breaches and escalations on
            # the timelines, overdue complaint stages escalated, merit points awarded.
            from server.jobs import run_sweep

            run_sweep(app)
    click.echo(f"created {created} demo tickets" if created else "demo data was already present")
    _print_logins(logins)


def _run_demo(app: Flask, per_plugin: int, seed: int, create: Any) -> int:
    total = per_plugin * len(app.extensions["aftersales"].registry.industries)
    with click.progressbar(length=total, label="Creating demo tickets", file=sys.stderr) as bar:
        return create(app, per_plugin, seed, progress=bar.update)


def _print_logins(logins: list[tuple[str, str, str]]) -> None:
    click.echo("Log in with:")
    for username, password, role in logins:
        click.echo(f"  {username:<12} {password:<24} ({role})")


@main.group("sla")
def sla_group() -> None:
    """SLA calendars and deadlines."""


@sla_group.command("check-calendars")
@click.option(
    "--year",
    "years",
    type=int,
    multiple=True,
    help="Year to check (repeatable). Default: this year and next.",
)
@click.pass_context
def check_calendars_command(ctx: click.Context, years: tuple[int, ...]) -> None:
    """Report calendars whose holiday source lacks a year; exit code 1 if any does."""
    from server.sla.coverage import coverage_problems, coverage_summary
    from server.timeutil import local_year

    app = _app(ctx.find_root())
    with app.app_context():
        this_year = local_year()
    calendars = app.extensions["aftersales"].registry.calendars
    for name, calendar in sorted(calendars.items()):
        click.echo(coverage_summary(name, calendar))
    problems = coverage_problems(calendars, years or (this_year, this_year + 1))
    for problem in problems:
        click.echo(f"warning: {problem}", err=True)
    if problems:
        sys.exit(1)
    click.echo("every calendar has holiday data for the years checked")


@sla_group.command("sweep")
@click.pass_context
def sweep_command(ctx: click.Context) -> None:
    """Update due SLA clocks, note breaches and fire escalation steps (safe to overlap)."""
    from server.mail import deliver_pending
    from server.models import utcnow
    from server.sla.sweep import sweep, tickets_to_sweep

    app = _app(ctx.find_root())
    registry = app.extensions["aftersales"].registry
    with app.app_context():
        now = utcnow()
        ticket_ids = tickets_to_sweep(now)
        with click.progressbar(ticket_ids, label="Sweeping SLA clocks", file=sys.stderr) as bar:
            result = sweep(registry, now, ticket_ids=bar)
        sent, failed = deliver_pending(app.extensions["aftersales"].config.mail)
    click.echo(
        f"swept {result.tickets} tickets: {result.breaches} breaches noted, "
        f"{len(result.escalations)} escalation steps fired, "
        f"{result.missed_appointments} missed appointments flagged"
    )
    if sent or failed:
        click.echo(f"mail: {sent} sent, {failed} failed (kept for the next run)")


CLI_IMPORT_MAX_BYTES = 1024 * 1024 * 1024
SHOWN_IMPORT_ERRORS = 50


@main.group("kb")
def kb_group() -> None:
    """The knowledge base."""


@kb_group.command("import-starters")
@click.pass_context
def kb_import_starters_command(ctx: click.Context) -> None:
    """Import the enabled plugins' starter articles (new ones; unedited older ones updated)."""
    from server.kb.starters import import_starters, starter_specs

    app = _app(ctx.find_root())
    state = app.extensions["aftersales"]
    with app.app_context():
        report = import_starters(starter_specs(state.pm, state.config))
    for line in report.lines():
        click.echo(line)
    if not report.lines():
        click.echo("starter articles are up to date")


@main.command("import")
@click.argument("kind", type=click.Choice(["customers", "assets"]))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.option("--dry-run", is_flag=True, help="Check every row and report; import nothing.")
@click.pass_context
def import_command(ctx: click.Context, kind: str, file: str, dry_run: bool) -> None:
    """Import customers or assets from a CSV or XLSX file (an export's columns).

    Every row is checked first; if any is bad, the first 50 problems are listed (one line
    each, exit code 2) and nothing is imported. Otherwise all rows go in one transaction.
    """
    from pathlib import Path

    from server.imports import FileRefused, check_import, read_table, run_import

    app = _app(ctx.find_root())
    registry = app.extensions["aftersales"].registry
    path = Path(file)
    try:
        table = read_table(path.name, path.read_bytes(), CLI_IMPORT_MAX_BYTES)
    except FileRefused as refused:
        click.echo(f"aftersales: error: {path.name}: {refused}", err=True)
        sys.exit(2)
    rows = len(table.rows)
    steps = rows if dry_run else 2 * rows
    label = f"Checking {rows} rows" if dry_run else f"Importing {rows} {kind}"
    with (
        app.test_request_context("/", headers={"Accept-Language": "en"}),
        click.progressbar(length=steps, label=label, file=sys.stderr) as bar,
    ):
        if dry_run:
            plan = check_import(kind, table, registry, "en", bar.update)
        else:
            plan = run_import(kind, table, registry, "en", bar.update, source=path.name)
    if plan.errors:
        for error in plan.errors[:SHOWN_IMPORT_ERRORS]:
            click.echo(f"aftersales: error: {path.name}: {error}", err=True)
        shown = min(len(plan.errors), SHOWN_IMPORT_ERRORS)
        click.echo(
            f"aftersales: error: {len(plan.errors)} problems in {rows} rows "
            f"({shown} shown); nothing was imported",
            err=True,
        )
        sys.exit(2)
    if dry_run:
        click.echo(f"{rows} rows checked: all fine (nothing imported: --dry-run)")
    else:
        click.echo(f"imported {plan.imported} {kind} from {path.name}")


@main.command("create-token")
@click.argument("username")
@click.option("--name", default="command line", show_default=True, help="What the token is for.")
@click.option(
    "--expires-days",
    type=click.IntRange(1, 3650),
    default=None,
    help="Days until it stops working (default: never; revoke it on /account/tokens).",
)
@click.pass_context
def create_token_command(
    ctx: click.Context, username: str, name: str, expires_days: int | None
) -> None:
    """Make an API token for USERNAME and print it (once: only its digest is stored)."""
    import datetime as dt

    from server.api_tokens import TokenError, issue_token
    from server.models import User, utcnow
    from server.schema import init_db

    app = _app(ctx)
    with app.app_context():
        init_db(app)
        user = User.get_or_none(User.username == username)
        if user is None:
            raise UserError(f"no user {username!r}")
        expires_at = utcnow() + dt.timedelta(days=expires_days) if expires_days else None
        try:
            token, secret = issue_token(user, name, expires_at)
        except TokenError as exc:
            raise UserError(str(exc)) from None
    until = f", expires {token.expires_at:%Y-%m-%d %H:%M} UTC" if token.expires_at else ""
    click.echo(f"API token {name!r} for {username} ({user.role}{until}); shown once:", err=True)
    click.echo(secret)


@main.command("award-points")
@click.option(
    "--rescan",
    is_flag=True,
    help="Read every ticket event again (after adding a rule); nothing is awarded twice.",
)
@click.pass_context
def award_points_command(ctx: click.Context, rescan: bool) -> None:
    """Apply the [[merit.rules]] to the ticket events since the last run."""
    from server.merit.awarding import award_points

    app = _app(ctx)
    with app.app_context():
        result = award_points(app.extensions["aftersales"].config.merit, rescan=rescan)
    click.echo(
        f"read {result.events} events: {result.awarded} entries awarded, "
        f"{result.nobody} with nobody to award"
    )


@main.command("worker")
@click.option("--once", is_flag=True, help="Run the periodic jobs once and exit (for cron).")
@click.pass_context
def worker_command(ctx: click.Context, once: bool) -> None:
    """Run the periodic jobs (SLA sweep, mail) until stopped; run it beside `serve`."""
    import logging

    from server.jobs import make_huey, run_sweep

    app = _app(ctx)
    if once:
        result, (sent, failed) = run_sweep(app)
        click.echo(
            f"swept {result.tickets} tickets: {result.breaches} breaches noted, "
            f"{len(result.escalations)} escalation steps fired; mail {sent} sent, {failed} failed"
        )
        return
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    huey = make_huey(app)
    every = app.extensions["aftersales"].config.jobs.sweep_every_minutes
    click.echo(f"aftersales worker: SLA sweep every {every} min; Ctrl+C stops it")
    huey.create_consumer(workers=1, periodic=True).run()


@main.command("install-assets")
def install_assets_command() -> None:
    """Download htmx from the npm registry into server/static/vendor (checked)."""
    path = install_htmx()
    click.echo(f"htmx installed at {path}")


def _progress_printer() -> Any:
    """A progress callback drawing one bar per step on stderr."""
    bars: dict[str, Any] = {}

    def show(step: str, done: int, total: int) -> None:
        if total <= 0:
            return
        bar = bars.get(step)
        if bar is None:
            bar = bars[step] = click.progressbar(length=total, label=step, file=sys.stderr)
            bar.__enter__()
        bar.update(done - bar.pos)
        if done >= total:
            bar.__exit__(None, None, None)

    return show


def _audit(app: Flask, action: str, details: dict[str, Any]) -> None:
    """One audit row for a command-line action (actor ``(cli)``)."""
    from server.audit import record
    from server.db import write_transaction

    with app.app_context(), write_transaction():
        record(action, "backup", "", details)


@main.command("backup")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Archive to write (default: instance/backups/aftersales-<time>.tar.gz).",
)
@click.pass_context
def backup_command(ctx: click.Context, output: str | None) -> None:
    """Back up the database and the uploads into one .tar.gz (the server may keep running)."""
    from server.backup import create_backup

    summary = create_backup(_app(ctx), Path(output) if output else None, _progress_printer())
    _audit(_app(ctx), "backup.create", {"file": summary.path.name, "counts": summary.counts})
    counts = ", ".join(f"{n} {table}" for table, n in summary.counts.items())
    click.echo(f"backup written to {summary.path} ({counts})")


@main.command("restore")
@click.argument("archive", type=click.Path(dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the current data.")
@click.pass_context
def restore_command(ctx: click.Context, archive: str, yes: bool) -> None:
    """Replace the database and the uploads with a backup's (checked before anything changes).

    Stop the server and the worker first; start them again afterwards.
    """
    from server.backup import read_manifest, restore_backup

    manifest = read_manifest(Path(archive))
    if not yes:
        click.confirm(
            f"Replace ALL current data with the backup of {manifest['created_at']} "
            f"({manifest['counts'].get('ticket', 0)} tickets)?",
            abort=True,
        )
    summary = restore_backup(_app(ctx), Path(archive), _progress_printer())
    # written into the restored database, so the log says where its data came from
    _audit(
        _app(ctx), "backup.restore", {"file": Path(archive).name, "made": manifest["created_at"]}
    )
    click.echo(f"restored {summary.path} ({summary.counts.get('ticket', 0)} tickets)")


@main.group("translations")
def translations_group() -> None:
    """Keep the gettext catalogs (zh_CN, en) in step with the source."""


@translations_group.command("update")
def translations_update_command() -> None:
    """Extract marked strings of the core and each plugin; merge them into the catalogs."""
    from server.i18n_catalogs import TRANSLATED, project_parts, update

    for part in project_parts():
        untranslated = update(part)
        click.echo(f"{part.name}: {untranslated[TRANSLATED]} untranslated in {TRANSLATED}")


@translations_group.command("check")
def translations_check_command() -> None:
    """Fail (exit 1) when a catalog misses, leaves untranslated or garbles a message."""
    from server.i18n_catalogs import problems, project_parts

    found = [line for part in project_parts() for line in problems(part)]
    for line in found:
        click.echo(line)
    if found:
        click.echo(f"aftersales: error: {len(found)} translation problems", err=True)
        sys.exit(1)
    click.echo("translations: complete")


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64))
@click.pass_context
def serve_command(ctx: click.Context, host: str, port: int, threads: int) -> None:
    """Serve the app with waitress."""
    import waitress

    app = _app(ctx)
    click.echo(f"aftersales listening on http://{host}:{port}/")
    waitress.serve(app, host=host, port=port, threads=threads)


@main.command("quickstart")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.pass_context
def quickstart_command(ctx: click.Context, host: str, port: int) -> None:
    """Install assets, create the database and demo data if missing, print logins, serve."""
    install_htmx()
    ctx.invoke(demo_command)
    ctx.invoke(serve_command, host=host, port=port)


@main.command("new-plugin")
@click.argument("name")
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False),
    default=".",
    show_default=True,
    help="Folder to create the plugin's project folder <NAME> in.",
)
def new_plugin_command(name: str, directory: str) -> None:
    """Write a working plugin skeleton (package, entry point, catalog, SLA, page, test)."""
    from pathlib import Path

    from server.plugins import available_plugins
    from server.scaffold import ScaffoldError, generate

    try:
        project = generate(name, Path(directory), taken=available_plugins())
    except ScaffoldError as exc:
        click.echo(f"aftersales: error: {exc}", err=True)
        sys.exit(2)
    click.echo(f"created plugin {name} in {project}")
    click.echo(f"next: pip install -e {project}  then add {name!r} to [plugins] enabled")


def generate_password() -> str:
    return secrets.token_urlsafe(12)
