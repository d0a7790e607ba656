"""Sending the mail outbox over SMTP, outside any database transaction."""

from __future__ import annotations

import logging
import os
import smtplib
from email.message import EmailMessage

from server.config import MailSettings
from server.db import write_transaction
from server.models import utcnow
from server.notifications import OutgoingMail

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


def deliver_pending(settings: MailSettings, limit: int = 200) -> tuple[int, int]:
    """Send waiting mails (up to ``limit``); returns (sent, failed). A failure is kept
    with its error and retried next time, up to MAX_ATTEMPTS."""
    if not settings.enabled:
        return (0, 0)
    pending = list(
        OutgoingMail.select()
        .where(OutgoingMail.sent_at.is_null() & (OutgoingMail.attempts < MAX_ATTEMPTS))
        .order_by(OutgoingMail.id)
        .limit(limit)
    )
    sent = failed = 0
    for mail in pending:
        try:
            _send(settings, mail)
        except (OSError, smtplib.SMTPException) as exc:
            failed += 1
            log.warning("mail to %s not sent: %s", mail.to, exc)
            with write_transaction():
                OutgoingMail.update(
                    attempts=OutgoingMail.attempts + 1, last_error=str(exc)[:500]
                ).where(OutgoingMail.id == mail.id).execute()
            continue
        sent += 1
        with write_transaction():
            OutgoingMail.update(sent_at=utcnow(), attempts=OutgoingMail.attempts + 1).where(
                OutgoingMail.id == mail.id
            ).execute()
    return sent, failed


def _send(settings: MailSettings, mail: OutgoingMail) -> None:
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message.set_content(mail.body)
    with smtplib.SMTP(settings.host, settings.port, timeout=20) as smtp:
        if settings.use_tls:
            smtp.starttls()
        if settings.username:
            smtp.login(settings.username, os.environ.get(settings.password_env, ""))
        smtp.send_message(message)
