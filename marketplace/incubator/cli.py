"""``flask incubator ...``: scheduled work for incubators."""

from __future__ import annotations

import click

from marketplace.core.db import utcnow
from marketplace.core.transaction import commit
from marketplace.extensions import db
from marketplace.incubator.services.members import mark_overdue_missed


@click.group("incubator")
def incubator() -> None:
    """Incubator cohorts: scheduled work."""


@incubator.command("milestones-overdue")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Treat this date (YYYY-MM-DD, UTC) as today; defaults to the current UTC date.")
def milestones_overdue(today) -> None:
    """Mark pending milestones past their due date as missed and notify the startups (idempotent)."""
    day = today.date() if today else utcnow().date()
    missed = mark_overdue_missed(db.session, day)
    commit()
    click.echo(f"{len(missed)} milestone(s) marked missed.")
