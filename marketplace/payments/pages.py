"""Payment pages the emails link to: an invoice (read-only for now) and the Stripe Connect return pages."""

from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_babel import gettext

from marketplace.core.auth import MANAGER, require_membership, require_user
from marketplace.extensions import db
from marketplace.payments import connect, services
from marketplace.web import page_blueprint

blp = page_blueprint("payments_pages", __name__)


def invoice_status_labels() -> dict[str, str]:
    return {
        "open": gettext("Not paid yet"),
        "processing": gettext("Payment in progress"),
        "paid": gettext("Paid"),
        "failed": gettext("Payment failed"),
        "void": gettext("Void"),
        "refunded": gettext("Refunded"),
        "partially_refunded": gettext("Partly refunded"),
    }


def onboarding_labels() -> dict[str, str]:
    return {
        "not_started": gettext("Not started: your organization has no Stripe account yet."),
        "incomplete": gettext("Incomplete: Stripe still needs details from you."),
        "pending_verification": gettext("Submitted: Stripe is checking the details."),
        "restricted": gettext("Restricted: Stripe needs more information before it pays out."),
        "complete": gettext("Complete: your organization can be paid."),
    }


@blp.get("/invoices/<int:invoice_id>")
def invoice(invoice_id: int):
    """An invoice for its payer and payee: what, how much, by when, and its state (404 for others)."""
    user = require_user()
    item = services.get_invoice(db.session, user, invoice_id)
    side = "payer" if user.organization_id == item.payer_organization_id else (
        "payee" if user.organization_id == item.payee_organization_id else None)
    return render_template("payments/invoice.html", invoice=item, side=side, status_labels=invoice_status_labels())


def _connect_page(arrived_from: str):
    user = require_membership(kinds=connect.CONNECT_KINDS)
    state = connect.connect_state(connect.account_of(db.session, user.organization_id))
    return render_template(
        "payments/connect.html", state=state, arrived_from=arrived_from, is_manager=user.role == MANAGER,
        labels=onboarding_labels(),
    )


@blp.get("/payments/connect/return")
def connect_return():
    """Where Stripe sends a university back after onboarding: the account's state and what is left to do."""
    return _connect_page("return")


@blp.get("/payments/connect/refresh")
def connect_refresh():
    """Where Stripe sends a university whose onboarding link expired: the state, and a fresh link to continue."""
    return _connect_page("refresh")


@blp.post("/payments/connect/continue")
def connect_continue():
    """Continue (or start) Stripe onboarding with a fresh link (managers)."""
    user = require_membership(kinds=connect.CONNECT_KINDS, role=MANAGER)
    _, url, _ = connect.start_onboarding(db.session, user)
    return redirect(url, 303)


@blp.post("/payments/connect/check")
def connect_check():
    """Ask Stripe for the account's state now (managers), then show it."""
    connect.refresh_account(db.session, require_membership(kinds=connect.CONNECT_KINDS, role=MANAGER))
    return redirect(url_for("payments_pages.connect_return"), 303)
