"""``flask payments reconcile [--fix]``: compare with Stripe, and repair from Stripe's truth."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from marketplace.extensions import db
from marketplace.payments import reconcile

payments = AppGroup("payments", help="Payments: reconciliation with Stripe.")


@payments.command("reconcile")
@click.option("--fix", is_flag=True, help="Apply Stripe's state where the local one drifted.")
@click.option("--days", default=30, show_default=True, help="Also re-check finished payments of the last DAYS days.")
def reconcile_command(fix: bool, days: int) -> None:
    """Compare invoices' payments, refunds and connected accounts with Stripe and report drift."""
    session = db.session
    items = reconcile.plan(session, days)
    with click.progressbar(items, label="Comparing with Stripe", item_show_func=lambda i: i and f"{i[0]} {i[1]}") as bar:
        drifts = reconcile.compare_all(session, bar, fix=fix)
    for drift in drifts:
        click.echo(str(drift))
    fixed = sum(d.fixed for d in drifts)
    click.echo(f"Checked {len(items)} objects: {len(drifts)} drifted, {fixed} fixed.")
    if len(drifts) > fixed:
        raise SystemExit(1)
