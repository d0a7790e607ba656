"""``aftersales backup`` and ``aftersales restore``: the database and the uploads, together.

A backup is one ``.tar.gz`` holding ``manifest.json``, the database (``database.sqlite3``
made with SQLite's online backup API, so the server may keep running; or
``database.pgdump`` from ``pg_dump --format=custom``) and ``uploads/`` (the attachments).
The manifest records what the backup holds — migration versions, row counts of the main
tables, a SHA-256 per member — and a restore checks all of it before it changes anything.

Restoring replaces the database's contents and the uploads folder: SQLite through the
backup API in the other direction (one transaction: other connections see the old data
or the new, never half), PostgreSQL with ``pg_restore --clean``. The uploads are unpacked
beside the live folder and swapped in by renaming. Migrations newer than the backup are
applied afterwards; a backup from a newer version of the software is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from flask import Flask

from server.attachments import upload_dir
from server.db import database, is_sqlite, release_connections
from server.search import create_pg_trigram_extension

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
POSTGRES_MEMBER = "database.pgdump"
UPLOADS = "uploads"

Progress = Callable[[str, int, int], None]


def _quiet(_step: str, _done: int, _total: int) -> None:
    return None


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why, in one line."""


@dataclass
class BackupSummary:
    """What a backup holds (its manifest) and where it is."""

    path: Path
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        return self.manifest.get("counts", {})


# --- backup ---------------------------------------------------------------------------------


def default_backup_path(app: Flask) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    config = app.extensions["aftersales"].config
    return config.instance_path / "backups" / f"aftersales-{stamp}.tar.gz"


def create_backup(
    app: Flask, target: Path | None = None, progress: Progress = _quiet
) -> BackupSummary:
    """Write a backup of ``app``'s database and uploads to ``target`` (a new file)."""
    state = app.extensions["aftersales"]
    target = Path(target) if target else default_backup_path(app)
    if target.exists():
        raise BackupError(f"{target} exists already; choose another name")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="aftersales-backup-") as work:
        work_dir = Path(work)
        with app.app_context(), database.connection_context():
            if is_sqlite(state.db):
                member = SQLITE_MEMBER
                _sqlite_copy(Path(state.db.database), work_dir / member, progress)
                counts = _file_counts(work_dir / member)
            else:
                member = POSTGRES_MEMBER
                counts = _pg_dump(state.config.database.url, work_dir / member, progress)
            manifest = {
                "format": FORMAT,
                "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "database": "sqlite" if member == SQLITE_MEMBER else "postgresql",
                "migrations": _migration_versions(),
                "counts": counts,
                "files": {member: _sha256(work_dir / member)},
            }
        uploads = upload_dir(state.config)
        files = sorted(p for p in uploads.rglob("*") if p.is_file()) if uploads.is_dir() else []
        for index, path in enumerate(files, 1):
            name = f"{UPLOADS}/{path.relative_to(uploads).as_posix()}"
            manifest["files"][name] = _sha256(path)
            progress("hashing uploads", index, len(files))
        partial = target.with_name(f".{target.name}.{os.getpid()}.part")
        try:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
                _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2).encode())
                archive.add(work_dir / member, arcname=member)
                for index, path in enumerate(files, 1):
                    archive.add(path, arcname=f"{UPLOADS}/{path.relative_to(uploads).as_posix()}")
                    progress("packing uploads", index, len(files))
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
    return BackupSummary(path=target, manifest=manifest)


def _sqlite_copy(source: Path, target: Path, progress: Progress) -> None:
    """A consistent copy of a live SQLite database (the online backup API, in steps)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:

        def report(_status: int, remaining: int, total: int) -> None:
            progress("copying the database", total - remaining, total)

        src.backup(dst, pages=2048, progress=report)
    with sqlite3.connect(target) as check:
        check.execute("PRAGMA journal_mode=DELETE")


def _pg_dump(url: str, target: Path, progress: Progress) -> dict[str, int]:
    """Dump the database; returns the row counts seen by the very snapshot pg_dump saves."""
    uri, schema = _postgres_target(url)
    command = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"]
    if schema:
        command.append(f"--schema={schema}")
    progress("dumping the database", 0, 1)
    with database.atomic():
        database.execute_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        snapshot = database.execute_sql("SELECT pg_export_snapshot()").fetchone()[0]
        counts = _counts()
        _run([*command, f"--snapshot={snapshot}", f"--dbname={uri}"], "pg_dump")
    progress("dumping the database", 1, 1)
    return counts


def _postgres_target(url: str) -> tuple[str, str]:
    """A libpq URI for ``url`` and the schema its ``search_path`` option names, if any."""
    parts = urlsplit(url)
    scheme = "postgresql"
    query = parse_qs(parts.query)
    schema = ""
    for option in query.get("options", []):
        for word in unquote(option).split():
            if word.startswith("-csearch_path="):
                schema = word.split("=", 1)[1].split(",")[0]
    return parts._replace(scheme=scheme).geturl(), schema


def _run(command: list[str], tool: str) -> None:
    try:
        result = subprocess.run(command, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(
            f"{tool} is not installed (Debian: apt-get install postgresql-client)"
        ) from None
    if result.returncode != 0:
        first = (result.stderr.strip().splitlines() or ["no message"])[0]
        raise BackupError(f"{tool} failed: {first}")


def _migration_versions() -> dict[str, int]:
    from server.migrations import MigrationHistory

    versions: dict[str, int] = {}
    for row in MigrationHistory.select(MigrationHistory.component, MigrationHistory.number):
        versions[row.component] = max(versions.get(row.component, 0), row.number)
    return versions


def _counts() -> dict[str, int]:
    """Rows of the main tables, to compare after a restore."""
    return {model._meta.table_name: model.select().count() for model in _counted_models()}


def _file_counts(path: Path) -> dict[str, int]:
    """The same counts, read from a copied SQLite file."""
    with sqlite3.connect(path) as copy:
        return {
            table: copy.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
            for table in _counted_tables()
        }


def _counted_tables() -> list[str]:
    return [model._meta.table_name for model in _counted_models()]


def _counted_models() -> tuple[Any, ...]:
    from server.models import Asset, Attachment, Customer, Ticket, TicketEvent, User

    return (Customer, Asset, Ticket, TicketEvent, Attachment, User)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(dt.datetime.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


# --- restore --------------------------------------------------------------------------------


def read_manifest(archive_path: Path) -> dict[str, Any]:
    """The backup's manifest (the archive is not unpacked)."""
    try:
        with tarfile.open(archive_path, mode="r:gz") as archive:
            member = archive.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            manifest = json.loads(member.read())
    except FileNotFoundError:
        raise BackupError(f"{archive_path}: no such file") from None
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"{archive_path}: not a readable backup ({exc})") from None
    except (KeyError, ValueError):
        raise BackupError(f"{archive_path}: not an aftersales backup (no manifest)") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{archive_path}: backup format {manifest.get('format')} is unknown")
    return manifest


def restore_backup(app: Flask, archive_path: Path, progress: Progress = _quiet) -> BackupSummary:
    """Replace ``app``'s database and uploads with the backup's, after checking all of it."""
    from server.schema import init_db

    state = app.extensions["aftersales"]
    archive_path = Path(archive_path)
    manifest = read_manifest(archive_path)
    kind = "sqlite" if is_sqlite(state.db) else "postgresql"
    if manifest["database"] != kind:
        raise BackupError(
            f"the backup holds a {manifest['database']} database; this server uses {kind}"
        )
    _refuse_newer(manifest, app)
    with tempfile.TemporaryDirectory(prefix="aftersales-restore-") as work:
        work_dir = Path(work)
        _unpack_checked(archive_path, manifest, work_dir, progress)
        member = SQLITE_MEMBER if kind == "sqlite" else POSTGRES_MEMBER
        if kind == "sqlite":
            _check_sqlite(work_dir / member)
        uploads = upload_dir(state.config)
        staged = _stage_uploads(work_dir / UPLOADS, uploads)
        try:
            with app.app_context():
                if kind == "sqlite":
                    _sqlite_restore(work_dir / member, Path(state.db.database), progress)
                else:
                    _pg_restore(state.config.database.url, work_dir / member, progress)
        except BaseException:
            shutil.rmtree(staged, ignore_errors=True)
            raise
        _swap_in(staged, uploads)
    with app.app_context():
        init_db(app)  # the backup may predate some migrations
        with database.connection_context():
            restored = _counts()
    if restored != manifest["counts"]:
        raise BackupError(
            f"restored counts {restored} differ from the backup's {manifest['counts']}"
        )
    return BackupSummary(path=archive_path, manifest=manifest)


def _refuse_newer(manifest: dict[str, Any], app: Flask) -> None:
    """A backup made by a newer version has migrations this code doesn't know."""
    from server.migrations import core_migrations

    known = len(core_migrations())
    theirs = manifest.get("migrations", {}).get("core", 0)
    if theirs > known:
        raise BackupError(
            f"the backup is from a newer version (core schema {theirs}, this one {known}); "
            "upgrade aftersales first"
        )


def _unpack_checked(
    archive_path: Path, manifest: dict[str, Any], work_dir: Path, progress: Progress
) -> None:
    expected: dict[str, str] = manifest["files"]
    seen: set[str] = set()
    with tarfile.open(archive_path, mode="r:gz") as archive:
        members = [m for m in archive.getmembers() if m.name != MANIFEST]
        for index, member in enumerate(members, 1):
            if member.name not in expected:
                raise BackupError(f"{archive_path}: unexpected member {member.name!r}")
            # the "data" filter refuses absolute paths, links out of the folder, devices
            try:
                archive.extract(member, work_dir, filter="data")
            except tarfile.FilterError as exc:
                raise BackupError(
                    f"{archive_path}: unsafe member {member.name!r} ({exc})"
                ) from None
            if _sha256(work_dir / member.name) != expected[member.name]:
                raise BackupError(f"{archive_path}: {member.name} is damaged (checksum differs)")
            seen.add(member.name)
            progress("checking the backup", index, len(members))
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(f"{archive_path}: {len(missing)} files missing, e.g. {missing[0]}")


def _check_sqlite(path: Path) -> None:
    try:
        with sqlite3.connect(path) as connection:
            result = connection.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"the backed-up database is unreadable: {exc}") from None
    if result != "ok":
        raise BackupError(f"the backed-up database fails its integrity check: {result}")


def _sqlite_restore(source: Path, target: Path, progress: Progress) -> None:
    """Copy the backup over the live database in one step (SQLite locks and journals it)."""
    release_connections()
    try:
        with sqlite3.connect(source) as src, sqlite3.connect(target, timeout=10) as dst:

            def report(_status: int, remaining: int, total: int) -> None:
                progress("restoring the database", total - remaining, total)

            src.backup(dst, pages=0, progress=report)
            dst.execute("PRAGMA journal_mode=WAL")
    except sqlite3.OperationalError as exc:
        raise BackupError(f"cannot write {target}: {exc} (stop the server and retry)") from None


def _pg_restore(url: str, dump: Path, progress: Progress) -> None:
    uri, schema = _postgres_target(url)
    release_connections()
    command = [
        "pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={uri}",
    ]
    if schema:
        command.append(f"--schema={schema}")
    progress("restoring the database", 0, 1)
    # The search index uses pg_trgm, which lives outside the dumped schema (public):
    # a database restored into for the first time needs it before the index is made.
    create_pg_trigram_extension(database.obj)
    _run([*command, str(dump)], "pg_restore")
    progress("restoring the database", 1, 1)


def _stage_uploads(unpacked: Path, live: Path) -> Path:
    """The backup's uploads moved beside the live folder (same file system), not yet live."""
    live.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix=".uploads-restoring-", dir=live.parent))
    if unpacked.is_dir():
        for item in unpacked.iterdir():
            shutil.move(str(item), staged / item.name)
    return staged


def _swap_in(staged: Path, live: Path) -> None:
    old = live.with_name(f".uploads-replaced-{os.getpid()}")
    if live.exists():
        live.replace(old)
    staged.replace(live)
    shutil.rmtree(old, ignore_errors=True)
