"""``flask licenses expire`` and ``flask licenses invoice-milestones``: the nightly license jobs."""

from __future__ import annotations

import click

from marketplace.core.db import utcnow
from marketplace.core.transaction import commit
from marketplace.extensions import db
from marketplace.ip.licenses import milestones, services


@click.group("licenses")
def licenses() -> None:
    """License agreements."""


@licenses.command("expire")
def expire() -> None:
    """Mark active licenses past their end date as expired (safe to run repeatedly)."""
    expired = services.expire_ended(db.session, utcnow().date())
    commit()
    click.echo(f"{len(expired)} license(s) expired.")


@licenses.command("invoice-milestones")
def invoice_milestones() -> None:
    """Invoice the dated milestones of active licenses that have fallen due (safe to run repeatedly)."""
    invoiced = milestones.invoice_due(db.session, utcnow().date())
    commit()
    click.echo(f"{len(invoiced)} milestone(s) invoiced.")
