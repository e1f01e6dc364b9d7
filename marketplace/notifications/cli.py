"""``flask emails send``: deliver what is waiting in the outbox; ``flask reminders send``: remind people
of what falls due."""

from __future__ import annotations

import click

from marketplace.core.db import utcnow
from marketplace.extensions import db
from marketplace.notifications import reminders
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


@click.group("reminders")
def reminders_group() -> None:
    """Reminders of what falls due (invoices, royalty reports, offers, ...)."""


@reminders_group.command("send")
@click.option("--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day to send the reminders of (default: today, UTC).")
def send_reminders(on) -> None:
    """Send the reminders due on the day that were not sent yet (safe to run again)."""
    today = on.date() if on else utcnow().date()
    counts = {}
    with click.progressbar(reminders.kinds(), label=f"Reminders due on {today.isoformat()}",
                           item_show_func=lambda k: k and k.name) as bar:
        for kind in bar:
            counts[kind.name] = reminders.send_kind(db.session, kind.name, today)
    for name, sent in counts.items():
        click.echo(f"{name}: {sent}")
    click.echo(f"{sum(counts.values())} reminder(s) sent")
