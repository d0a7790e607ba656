"""Backup and restore: the database and the uploads round-trip; a damaged, foreign or
newer backup is refused before anything changes. Runs on SQLite and, in CI's second
pass, on PostgreSQL (pg_dump / pg_restore of the test's own schema)."""

from __future__ import annotations

import io
import json
import sqlite3
import tarfile
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from werkzeug.datastructures import FileStorage

from server.attachments import save_attachment, upload_dir
from server.backup import BackupError, create_backup, read_manifest, restore_backup
from server.cli import main
from server.db import database
from server.models import Attachment, Customer, Ticket, User
from tests.conftest import add_ticket, ensure_user

PHOTO = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


def _attach(app, ticket) -> Attachment:
    config = app.extensions["aftersales"].config
    upload = FileStorage(io.BytesIO(PHOTO), filename="slip.png", content_type="image/png")
    with app.app_context(), database.connection_context():
        actor = User.get(User.username == "disp")
        return save_attachment(config, upload, actor, ticket=Ticket.get_by_id(ticket.id))


def _rows(app) -> tuple[int, int, int]:
    with app.app_context(), database.connection_context():
        return Customer.select().count(), Ticket.select().count(), Attachment.select().count()


@pytest.fixture
def filled_app(make_app):
    app = make_app()
    ensure_user(app, "disp", "dispatcher")
    tickets = [add_ticket(app) for _ in range(3)]
    _attach(app, tickets[0])
    return app


def test_a_backup_restores_the_database_and_the_uploads(filled_app, tmp_path):
    app = filled_app
    before = _rows(app)
    summary = create_backup(app, tmp_path / "b.tar.gz")
    assert summary.counts["ticket"] == 3 and summary.counts["attachment"] == 1
    # life goes on: a new ticket, a lost file
    add_ticket(app)
    for path in upload_dir(app.extensions["aftersales"].config).rglob("*"):
        if path.is_file():
            path.unlink()
    restore_backup(app, summary.path)
    assert _rows(app) == before
    with app.app_context(), database.connection_context():
        stored = Attachment.get()
    files = [p for p in upload_dir(app.extensions["aftersales"].config).rglob("*") if p.is_file()]
    assert [p.read_bytes() for p in files] == [PHOTO]
    assert stored.stored_name in {p.name for p in files}
    # the restored app still works: pages and new tickets
    client = app.test_client()
    client.login("disp")
    assert client.get("/tickets").status_code == 200
    assert add_ticket(app).number not in {None, ""}


def test_the_manifest_says_what_the_backup_holds(filled_app, tmp_path):
    summary = create_backup(filled_app, tmp_path / "b.tar.gz")
    manifest = read_manifest(summary.path)
    assert manifest["format"] == 1
    assert manifest["migrations"]["core"] >= 17
    assert manifest["counts"]["customer"] >= 1
    names = set(manifest["files"])
    assert any(name.startswith("uploads/") for name in names)
    assert ("database.sqlite3" in names) or ("database.pgdump" in names)
    assert summary.path.stat().st_mode & 0o777 == 0o600  # customers' data: owner only


def _rewrite(archive: Path, target: Path, change) -> Path:
    """A copy of ``archive`` with ``change(name, data) -> data | None`` applied per member."""
    with tarfile.open(archive, "r:gz") as source, tarfile.open(target, "w:gz") as out:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            data = change(member.name, data)
            if data is None:
                continue
            info = tarfile.TarInfo(member.name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    return target


def test_a_damaged_backup_is_refused_and_nothing_changes(filled_app, tmp_path):
    app = filled_app
    good = create_backup(app, tmp_path / "good.tar.gz").path
    add_ticket(app)
    before = _rows(app)

    def flip(name: str, data: bytes) -> bytes:
        if name.startswith("uploads/"):
            return data[:-1] + bytes([data[-1] ^ 1])
        return data

    damaged = _rewrite(good, tmp_path / "damaged.tar.gz", flip)
    with pytest.raises(BackupError, match="damaged"):
        restore_backup(app, damaged)
    assert _rows(app) == before

    def drop_uploads(name: str, data: bytes) -> bytes | None:
        return None if name.startswith("uploads/") else data

    with pytest.raises(BackupError, match="missing"):
        restore_backup(app, _rewrite(good, tmp_path / "short.tar.gz", drop_uploads))
    assert _rows(app) == before


def test_a_backup_with_a_path_outside_its_folder_is_refused(filled_app, tmp_path):
    good = create_backup(filled_app, tmp_path / "good.tar.gz").path
    with tarfile.open(good, "r:gz") as source:
        members = [(m.name, source.extractfile(m).read()) for m in source.getmembers()]
    manifest = json.loads(dict(members)["manifest.json"])
    manifest["files"]["../../evil.txt"] = "0" * 64
    members = [
        (n, json.dumps(manifest).encode() if n == "manifest.json" else d) for n, d in members
    ]
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(evil, "w:gz") as out:
        for name, data in [*members, ("../../evil.txt", b"x")]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    before = _rows(filled_app)
    with pytest.raises(BackupError, match="unsafe"):
        restore_backup(filled_app, evil)
    assert _rows(filled_app) == before
    assert not (tmp_path.parent / "evil.txt").exists()


def test_a_backup_from_a_newer_version_or_another_database_is_refused(filled_app, tmp_path):
    good = create_backup(filled_app, tmp_path / "good.tar.gz").path

    def newer(name: str, data: bytes) -> bytes:
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest["migrations"]["core"] = 999
            return json.dumps(manifest).encode()
        return data

    with pytest.raises(BackupError, match="newer version"):
        restore_backup(filled_app, _rewrite(good, tmp_path / "newer.tar.gz", newer))

    def other_kind(name: str, data: bytes) -> bytes:
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest["database"] = "postgresql" if manifest["database"] == "sqlite" else "sqlite"
            return json.dumps(manifest).encode()
        return data

    with pytest.raises(BackupError, match="this server uses"):
        restore_backup(filled_app, _rewrite(good, tmp_path / "kind.tar.gz", other_kind))


def test_not_a_backup_is_a_one_line_refusal(make_app, tmp_path):
    app = make_app()
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not a tarball")
    with pytest.raises(BackupError, match="not a readable backup"):
        restore_backup(app, junk)
    with pytest.raises(BackupError, match="no such file"):
        restore_backup(app, tmp_path / "absent.tar.gz")
    existing = tmp_path / "there.tar.gz"
    existing.write_bytes(b"")
    with pytest.raises(BackupError, match="exists already"):
        create_backup(app, existing)


def test_a_sqlite_backup_taken_during_writes_is_consistent(filled_app, tmp_path):
    app = filled_app
    if not app.extensions["aftersales"].config.database.url.startswith("sqlite"):
        pytest.skip("the online-copy check reads the SQLite file; PostgreSQL uses pg_dump")
    stop = threading.Event()

    def write() -> None:
        while not stop.is_set():
            add_ticket(app)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        summary = create_backup(app, tmp_path / "live.tar.gz")
    finally:
        stop.set()
        writer.join()
    with tarfile.open(summary.path, "r:gz") as archive:
        archive.extract("database.sqlite3", tmp_path / "x", filter="data")
    with sqlite3.connect(tmp_path / "x" / "database.sqlite3") as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        tickets = copy.execute("SELECT COUNT(*) FROM ticket").fetchone()[0]
        events = copy.execute("SELECT COUNT(*) FROM ticket_event").fetchone()[0]
    # the manifest's counts are the copy's own, though writes went on
    assert tickets >= 3 and events >= tickets
    assert summary.counts["ticket"] == tickets and summary.counts["ticket_event"] == events


def _config_file(tmp_path: Path) -> Path:
    path = tmp_path / "aftersales.toml"
    path.write_text(
        f'[server]\ninstance_dir = "{tmp_path / "instance"}"\n'
        f'[database]\nurl = "sqlite:///{tmp_path / "cli.db"}"\n',
        encoding="utf-8",
    )
    return path


def test_the_commands_back_up_and_restore_and_ask_first(tmp_path):
    config = str(_config_file(tmp_path))
    runner = CliRunner()
    assert runner.invoke(main, ["--config", config, "init-db"]).exit_code == 0
    made = runner.invoke(
        main,
        ["--config", config, "create-user", "desk", "--role", "dispatcher"],
        input="a-long-password-1\na-long-password-1\n",
    )
    assert made.exit_code == 0, made.output
    archive = tmp_path / "nightly.tar.gz"
    backed = runner.invoke(main, ["--config", config, "backup", "--output", str(archive)])
    assert backed.exit_code == 0, backed.output
    assert f"backup written to {archive}" in backed.stdout
    runner.invoke(
        main,
        ["--config", config, "create-user", "later", "--role", "dispatcher"],
        input="a-long-password-1\na-long-password-1\n",
    )
    declined = runner.invoke(main, ["--config", config, "restore", str(archive)], input="n\n")
    assert declined.exit_code == 1 and "Aborted" in declined.output
    with sqlite3.connect(tmp_path / "cli.db") as db:
        # people only: the web form's system user "@web" (migration 18) is there too
        assert (
            db.execute("SELECT COUNT(*) FROM user WHERE username NOT LIKE '@%'").fetchone()[0] == 2
        )
    restored = runner.invoke(main, ["--config", config, "restore", str(archive), "--yes"])
    assert restored.exit_code == 0, restored.output
    with sqlite3.connect(tmp_path / "cli.db") as db:
        users = [
            row[0] for row in db.execute("SELECT username FROM user WHERE username NOT LIKE '@%'")
        ]
    assert users == ["desk"]
    missing = runner.invoke(main, ["--config", config, "restore", str(tmp_path / "nope.tar.gz")])
    assert missing.exit_code == 2
    assert missing.stderr.strip().startswith("aftersales: error: ")
    assert "no such file" in missing.stderr
