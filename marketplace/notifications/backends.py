"""Email delivery backends: files (one .eml per message) in development, the log (console), SMTP.

A backend may keep a connection between ``send`` calls; ``close`` ends it once a batch is sent.
"""

from __future__ import annotations

import logging
import os
import smtplib
import uuid
from datetime import datetime, timezone
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

log = logging.getLogger("marketplace.email")


class EmailBackend(Protocol):
    def send(self, message: EmailMessage) -> None: ...

    def close(self) -> None: ...


class ConsoleBackend:
    """Writes each email to the log."""

    def send(self, message: EmailMessage) -> None:
        log.info("email to %s: %s\n%s", message["To"], message["Subject"], message.get_content())

    def close(self) -> None:
        pass


class FilesBackend:
    """Writes each email as one ``.eml`` file in a folder (development: ``instance/emails/``)."""

    def __init__(self, directory: str):
        self.directory = Path(directory)

    def send(self, message: EmailMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        path = self.directory / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
        partial = path.with_suffix(".part")
        partial.write_bytes(message.as_bytes())
        os.replace(partial, path)  # readers never see half a message

    def close(self) -> None:
        pass


class SMTPBackend:
    """Sends over one SMTP connection, opened at the first message and kept until ``close``."""

    def __init__(self, host: str, port: int, username: str | None, password: str | None, starttls: bool):
        self.host, self.port = host, port
        self.username, self.password, self.starttls = username, password, starttls
        self._smtp: smtplib.SMTP | None = None

    def send(self, message: EmailMessage) -> None:
        try:
            self._connection().send_message(message)
        except OSError:  # SMTP errors too: the connection may be unusable
            self.close()  # the next message opens a fresh connection
            raise

    def _connection(self) -> smtplib.SMTP:
        if self._smtp is None:
            smtp = smtplib.SMTP(self.host, self.port, timeout=30)
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            self._smtp = smtp
        return self._smtp

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except OSError:
                smtp.close()


def backend_from_config(config) -> EmailBackend:
    name = config.get("EMAIL_BACKEND", "console")
    if name == "console":
        return ConsoleBackend()
    if name == "files":
        return FilesBackend(config["EMAIL_FILES_DIR"])
    if name == "smtp":
        return SMTPBackend(
            config["SMTP_HOST"],
            config["SMTP_PORT"],
            config.get("SMTP_USERNAME"),
            config.get("SMTP_PASSWORD"),
            config.get("SMTP_STARTTLS", True),
        )
    raise ValueError(f"unknown EMAIL_BACKEND {name!r} (files, console or smtp)")
