"""``flask emails send``: deliver what is waiting in the outbox."""

from __future__ import annotations

import click

from marketplace.extensions import db
from marketplace.notifications.services import deliver_pending


@click.group("emails")
def emails() -> None:
    """The outgoing email outbox."""


@emails.command("send")
@click.option("--limit", default=500, show_default=True, help="Most emails to send in this run.")
def send(limit: int) -> None:
    """Deliver queued emails with the configured backend."""
    sent, failed = deliver_pending(db.session, limit=limit)
    click.echo(f"{sent} sent, {failed} failed")
