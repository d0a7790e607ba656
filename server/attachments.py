"""Storing uploaded files under instance/uploads with random names, within config limits."""

from __future__ import annotations

import mimetypes
import secrets
from pathlib import Path, PurePosixPath

from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from server.config import Config
from server.db import write_transaction
from server.filecheck import content_matches
from server.i18n import gettext
from server.models import Attachment, Customer, Ticket, TicketEvent, User


class UploadRefused(Exception):
    """The file is empty, too large, of a type the config does not allow, or its content
    is not of the type its name claims."""


def upload_dir(config: Config) -> Path:
    path = config.instance_path / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _content_type(filename: str) -> str:
    """The type from the extension, never from what the browser claims."""
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def human_size(size: int) -> str:
    """1000 → "1000 bytes", 10485760 → "10 MiB": never rounds a limit down to 0."""
    for unit, factor in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if size >= factor and size % factor == 0:
            return f"{size // factor} {unit}"
        if size >= 10 * factor:
            return f"{size / factor:.1f} {unit}"
    return f"{size} bytes"


def display_name(original: str) -> str:
    """The file's own name without any directory part a browser or attacker sent."""
    return PurePosixPath(original.replace("\\", "/")).name.strip()


def save_attachment(
    config: Config,
    upload: FileStorage,
    actor: User,
    ticket: Ticket | None = None,
    customer: Customer | None = None,
) -> Attachment:
    """Store ``upload`` and record it; the file is written before the row, removed on failure."""
    original = display_name(upload.filename or "")
    filename = secure_filename(original) or "file"
    content_type = _content_type(original or filename)
    if content_type not in config.uploads.allowed_types:
        allowed = ", ".join(config.uploads.allowed_types)
        raise UploadRefused(
            gettext(
                "Files of type %(type)s are not allowed (allowed: %(allowed)s).",
                type=content_type,
                allowed=allowed,
            )
        )
    data = upload.stream.read(config.uploads.max_bytes + 1)
    if not data:
        raise UploadRefused(gettext("The file is empty."))
    if len(data) > config.uploads.max_bytes:
        raise UploadRefused(
            gettext(
                "The file is larger than the limit of %(size)s.",
                size=human_size(config.uploads.max_bytes),
            )
        )
    if content_matches(content_type, data) is False:
        raise UploadRefused(
            gettext(
                "The file's content is not what its name says (%(type)s); "
                "it may be renamed or damaged.",
                type=content_type,
            )
        )
    stored_name = secrets.token_hex(16)
    path = upload_dir(config) / stored_name
    path.write_bytes(data)
    try:
        with write_transaction():
            attachment = Attachment.create(
                ticket=ticket,
                customer=customer,
                filename=original[:255] or filename,
                stored_name=stored_name,
                content_type=content_type,
                size=len(data),
                uploaded_by=actor,
            )
            if ticket is not None:
                TicketEvent.create(
                    ticket=ticket,
                    actor=actor,
                    kind="attachment",
                    data={"filename": attachment.filename, "size": len(data)},
                )
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return attachment


def attachment_path(config: Config, attachment: Attachment) -> Path:
    return upload_dir(config) / attachment.stored_name
