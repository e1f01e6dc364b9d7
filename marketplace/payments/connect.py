"""Stripe Connect (Express) for organizations that receive money: onboarding and account state."""

from __future__ import annotations

import time

import sqlalchemy as sa
from flask import current_app

from marketplace.core import audit
from marketplace.core.errors import Conflict
from marketplace.payments import gateway, notices
from marketplace.payments.models import StripeAccount

#: organization kinds that are paid through invoices and may connect a Stripe account
CONNECT_KINDS = ("university", "incubator")


def account_of(session, organization_id: int) -> StripeAccount | None:
    return session.execute(
        sa.select(StripeAccount).where(StripeAccount.organization_id == organization_id)
    ).scalar_one_or_none()


def connect_state(account: StripeAccount | None) -> dict:
    """The organization's Stripe account and its onboarding state, as the API and the pages show it."""
    if account is None:
        return {"connected": False, "stripe_account_id": None, "onboarding_status": "not_started",
                "details_submitted": False, "charges_enabled": False, "payouts_enabled": False,
                "requirements_due": [], "disabled_reason": None}
    return {
        "connected": True,
        "stripe_account_id": account.stripe_account_id,
        "onboarding_status": account.onboarding_status,
        "details_submitted": account.details_submitted,
        "charges_enabled": account.charges_enabled,
        "payouts_enabled": account.payouts_enabled,
        "requirements_due": account.requirements_due,
        "disabled_reason": account.disabled_reason,
    }


def _urls() -> tuple[str, str]:
    cfg = current_app.config
    base = cfg["PUBLIC_BASE_URL"].rstrip("/")
    refresh = cfg.get("STRIPE_CONNECT_REFRESH_URL") or f"{base}/payments/connect/refresh"
    back = cfg.get("STRIPE_CONNECT_RETURN_URL") or f"{base}/payments/connect/return"
    return refresh, back


def start_onboarding(session, user) -> tuple[StripeAccount, str, int]:
    """Create the organization's Express account on first use and a fresh onboarding link for it."""
    org = user.organization
    account = account_of(session, org.id)
    if account is None:
        state = gateway.create_express_account(
            organization_id=org.id, country=org.country, name=org.name, website=org.website
        )
        account = StripeAccount(organization_id=org.id, stripe_account_id=state.id)
        session.add(account)
        session.flush()
        audit.record(session, "stripe_account.create", account, changes={"stripe_account_id": state.id})
        apply_account_state(session, account, state)
    elif account.is_complete:
        raise Conflict("Stripe onboarding is already complete for your organization.", slug="onboarding-complete")
    refresh_url, return_url = _urls()
    url, expires_at = gateway.create_onboarding_link(account.stripe_account_id, refresh_url=refresh_url, return_url=return_url)
    return account, url, expires_at


def refresh_account(session, user) -> StripeAccount:
    """Fetch the account's state from Stripe now."""
    account = account_of(session, user.organization_id)
    if account is None:
        raise Conflict("Your organization has not connected a Stripe account yet.", slug="not-connected")
    apply_account_state(session, account, gateway.retrieve_account(account.stripe_account_id))
    return account


_FIELDS = ("details_submitted", "charges_enabled", "payouts_enabled", "requirements_due", "disabled_reason")


def apply_account_state(session, account: StripeAccount, state: gateway.AccountState, *, event_created: int | None = None) -> str:
    """Apply Stripe's account state unless it is older than the one applied last."""
    if event_created is not None and event_created < account.stripe_state_at:
        return "stale"
    account.stripe_state_at = max(account.stripe_state_at, event_created if event_created is not None else int(time.time()))
    was_complete = account.is_complete
    before = {name: getattr(account, name) for name in _FIELDS}
    after = {name: getattr(state, name) for name in _FIELDS}
    changes = audit.diff(before, after)
    if not changes:
        return "unchanged"
    for name, value in after.items():
        setattr(account, name, value)
    audit.record(session, "stripe_account.update", account, changes=changes)
    if account.is_complete and not was_complete:
        notices.stripe_account_ready(session, account.organization_id)
    return "applied"
