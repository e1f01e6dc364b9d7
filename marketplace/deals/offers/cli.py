"""``flask offers expire``: close offers whose date has passed."""

from __future__ import annotations

import click

from marketplace.core.transaction import commit
from marketplace.deals.offers.services import expire_lapsed
from marketplace.extensions import db


@click.group("offers")
def offers() -> None:
    """Offers on listings."""


@offers.command("expire")
def expire() -> None:
    """Mark open offers past their date as expired and tell both sides (safe to run repeatedly)."""
    expired = expire_lapsed(db.session)
    commit()
    click.echo(f"{len(expired)} offer(s) expired.")
