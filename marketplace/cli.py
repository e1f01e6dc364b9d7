"""Flask CLI commands: ``flask create-admin``, ``flask seed-demo``, ``flask emails send``,
``flask payments reconcile``."""

from __future__ import annotations

import click
from flask import Flask

from marketplace.core.errors import DomainError
from marketplace.core.transaction import commit
from marketplace.extensions import db

#: demo seeders, run in order by ``flask seed-demo``; packages append theirs in ``register``
SEEDERS: list = []


def register(app: Flask) -> None:
    from marketplace.accounts.seed import seed_accounts
    from marketplace.deals.offers.cli import offers
    from marketplace.deals.seed import seed_deals
    from marketplace.ip.licenses.cli import licenses
    from marketplace.incubator.cli import incubator
    from marketplace.incubator.seed import seed_incubator
    from marketplace.listings.seed import seed_listings
    from marketplace.listings.seed_vietnam import seed_vietnamese_listings
    from marketplace.notifications.cli import emails, reminders_group
    from marketplace.search.cli import search, seed_search_index
    from marketplace.payments.cli import payments
    from marketplace.payments.seed import seed_invoices

    SEEDERS[:] = [
        ("accounts", seed_accounts),
        ("listings", seed_listings),
        ("listings in Vietnamese", seed_vietnamese_listings),
        ("invoices", seed_invoices),
        ("deals", seed_deals),
        ("incubator", seed_incubator),
        ("search index", seed_search_index),
    ]
    app.cli.add_command(create_admin)
    app.cli.add_command(seed_demo)
    app.cli.add_command(emails)
    app.cli.add_command(reminders_group)
    app.cli.add_command(licenses)
    app.cli.add_command(offers)
    app.cli.add_command(payments)
    app.cli.add_command(incubator)
    app.cli.add_command(search)


@click.command("create-admin")
@click.option("--email", prompt=True)
@click.option("--name", default="Administrator", show_default=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
def create_admin(email: str, name: str, password: str) -> None:
    """Create an administrator account."""
    from marketplace.accounts.services import create_admin as create

    try:
        user = create(db.session, email=email.strip().lower(), password=password, name=name)
    except DomainError as exc:
        raise click.ClickException(f"{exc.detail} {exc.errors or ''}".strip()) from exc
    commit()
    click.echo(f"Administrator {user.email} created (id {user.id}).")


@click.command("seed-demo")
def seed_demo() -> None:
    """Load realistic demo data (idempotent: data already there is left as it is)."""
    with click.progressbar(SEEDERS, label="Seeding demo data", item_show_func=lambda s: s and s[0]) as bar:
        for _name, seeder in bar:
            seeder(db.session)
            commit()
    from marketplace.accounts.seed import DEMO_PASSWORD

    click.echo(f"Demo data ready. Every demo user's password is: {DEMO_PASSWORD}")
    click.echo("Demo users: admin@demo.marketplace, tto@northbridge.edu, bd@helixbio.com, founder@quantaleaf.io, ...")
