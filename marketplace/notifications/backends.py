"""Email delivery backends: the console (log) by default, SMTP when configured."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from typing import Protocol

log = logging.getLogger("marketplace.email")


class EmailBackend(Protocol):
    def send(self, message: EmailMessage) -> None: ...


class ConsoleBackend:
    """Writes each email to the log: the development default."""

    def send(self, message: EmailMessage) -> None:
        log.info("email to %s: %s\n%s", message["To"], message["Subject"], message.get_content())


class SMTPBackend:
    def __init__(self, host: str, port: int, username: str | None, password: str | None, starttls: bool):
        self.host, self.port = host, port
        self.username, self.password, self.starttls = username, password, starttls

    def send(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=30) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)


def backend_from_config(config) -> EmailBackend:
    name = config.get("EMAIL_BACKEND", "console")
    if name == "console":
        return ConsoleBackend()
    if name == "smtp":
        return SMTPBackend(
            config["SMTP_HOST"],
            config["SMTP_PORT"],
            config.get("SMTP_USERNAME"),
            config.get("SMTP_PASSWORD"),
            config.get("SMTP_STARTTLS", True),
        )
    raise ValueError(f"unknown EMAIL_BACKEND {name!r} (console or smtp)")
