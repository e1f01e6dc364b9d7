"""The one adapter to Stripe: a ``StripeClient`` built from settings; nothing else calls Stripe.

Every function takes and returns plain values (integer minor units, upper-case ISO currencies,
small dataclasses), so the rest of the package never sees a Stripe object.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import stripe
from flask import current_app

from marketplace.core.errors import DomainError, ValidationFailed
from marketplace.core.money import exponent

log = logging.getLogger(__name__)

#: ISO 4217 zero-decimal currencies that Stripe still takes as two-decimal amounts (ending in 00)
_STRIPE_TWO_DECIMAL = frozenset({"ISK", "UGX"})


class PaymentsUnavailable(DomainError):
    status = 503
    slug = "payments-unavailable"
    title = "Payments are not available"


class PaymentProviderError(DomainError):
    status = 502
    slug = "payment-provider-error"
    title = "The payment provider refused or failed the request"


class InvalidSignature(DomainError):
    status = 400
    slug = "invalid-signature"
    title = "Invalid webhook signature"


class CardDeclined(Exception):
    """Stripe declined the card while confirming a PaymentIntent (the intent records why)."""

    def __init__(self, code: str | None, message: str | None):
        super().__init__(message or code or "card declined")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class IntentState:
    id: str
    status: str
    amount: int
    currency: str
    client_secret: str | None
    charge_id: str | None
    failure_code: str | None
    failure_message: str | None
    application_fee_amount: int | None
    destination: str | None
    metadata: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RefundState:
    id: str
    status: str
    amount: int
    currency: str
    payment_intent: str | None
    charge: str | None
    metadata: dict = field(default_factory=dict)


@dataclass(frozen=True)
class AccountState:
    id: str
    details_submitted: bool
    charges_enabled: bool
    payouts_enabled: bool
    requirements_due: list
    disabled_reason: str | None


# ---- amounts --------------------------------------------------------------------------------------


def stripe_amount(amount: int, currency: str) -> int:
    """Our minor units as Stripe expects them for ``currency``."""
    return amount * 100 if currency in _STRIPE_TWO_DECIMAL else amount


def local_amount(amount: int, currency: str) -> int:
    """Stripe's amount for ``currency`` in our (ISO 4217) minor units."""
    currency = currency.upper()
    return amount // 100 if currency in _STRIPE_TWO_DECIMAL else amount


def card_amount_problem(amount: int, currency: str) -> str | None:
    """Why Stripe cannot charge ``amount`` of ``currency`` by card, or None."""
    if exponent(currency) == 3 and amount % 10:
        return f"Stripe charges {currency} in multiples of 10 minor units; settle this invoice by bank transfer."
    return None


# ---- the client -----------------------------------------------------------------------------------


def client() -> stripe.StripeClient:
    """The app's StripeClient (one per settings), or 503 when payments are not configured."""
    cfg = current_app.config
    key = cfg.get("STRIPE_SECRET_KEY")
    if not key:
        raise PaymentsUnavailable("Stripe is not configured on this server (STRIPE_SECRET_KEY).")
    http_client = cfg.get("STRIPE_HTTP_CLIENT")
    retries = cfg.get("STRIPE_MAX_NETWORK_RETRIES", 2)
    cache_key = (key, cfg["STRIPE_API_BASE"], retries, id(http_client))
    cache = current_app.extensions.setdefault("stripe_clients", {})
    if cache_key not in cache:
        cache[cache_key] = stripe.StripeClient(
            key,
            base_addresses={"api": cfg["STRIPE_API_BASE"].rstrip("/")},
            max_network_retries=retries,
            http_client=http_client,
        )
    return cache[cache_key]


def _call(fn, *args, payment_method: str | None = None, **kwargs):
    """Call Stripe; a refused card is CardDeclined, a payment method Stripe does not know (when the
    call carries one) is the client's 422 naming ``payment_method``, anything else a 502."""
    try:
        return fn(*args, **kwargs).to_dict()
    except stripe.CardError as exc:
        raise CardDeclined(exc.code, exc.user_message) from exc
    except stripe.StripeError as exc:
        if payment_method and _refuses_payment_method(exc, payment_method):
            raise ValidationFailed(
                "Stripe does not know this payment method.",
                errors={"payment_method": [f"No such payment method: {payment_method!r}."]},
            ) from exc
        log.warning("Stripe refused %s: %s", getattr(fn, "__qualname__", fn), exc)
        raise PaymentProviderError(f"Stripe: {exc.user_message or exc}") from exc


def _refuses_payment_method(exc: stripe.StripeError, payment_method: str) -> bool:
    """Whether Stripe refused the request because of its ``payment_method`` parameter.

    Stripe names the parameter (``param``); an emulator that does not is asked about the payment
    method itself, so a missing customer or an outage is never blamed on the client.
    """
    if not isinstance(exc, stripe.InvalidRequestError):
        return False
    if exc.param:
        return exc.param == "payment_method"
    try:
        client().v1.payment_methods.retrieve(payment_method)
    except stripe.InvalidRequestError:
        return True
    except stripe.StripeError:
        return False
    return False


def _id(value: Any) -> str | None:
    if isinstance(value, dict):
        return value.get("id")
    return value


def _intent(data: dict) -> IntentState:
    error = data.get("last_payment_error") or {}
    currency = data["currency"].upper()
    fee = data.get("application_fee_amount")
    return IntentState(
        id=data["id"],
        status=data["status"],
        amount=local_amount(data["amount"], currency),
        currency=currency,
        client_secret=data.get("client_secret"),
        charge_id=_id(data.get("latest_charge")),
        failure_code=error.get("code") or error.get("decline_code"),
        failure_message=error.get("message"),
        application_fee_amount=None if fee is None else local_amount(fee, currency),
        destination=_id((data.get("transfer_data") or {}).get("destination")),
        metadata=dict(data.get("metadata") or {}),
    )


def intent_from_event(data: dict) -> IntentState:
    """A PaymentIntent carried in an event's ``data.object``."""
    return _intent(data)


def _refund(data: dict) -> RefundState:
    currency = data["currency"].upper()
    return RefundState(
        id=data["id"],
        status=data["status"],
        amount=local_amount(data["amount"], currency),
        currency=currency,
        payment_intent=_id(data.get("payment_intent")),
        charge=_id(data.get("charge")),
        metadata=dict(data.get("metadata") or {}),
    )


def refund_from_event(data: dict) -> RefundState:
    return _refund(data)


def _account(data: dict) -> AccountState:
    requirements = data.get("requirements") or {}
    return AccountState(
        id=data["id"],
        details_submitted=bool(data.get("details_submitted")),
        charges_enabled=bool(data.get("charges_enabled")),
        payouts_enabled=bool(data.get("payouts_enabled")),
        requirements_due=list(requirements.get("currently_due") or []),
        disabled_reason=requirements.get("disabled_reason"),
    )


def account_from_event(data: dict) -> AccountState:
    return _account(data)


# ---- customers and connected accounts ----------------------------------------------------------


def create_customer(*, organization_id: int, name: str) -> str:
    """A Stripe customer for a paying organization; returns its id."""
    data = _call(
        client().v1.customers.create,
        params={"name": name, "metadata": {"organization_id": str(organization_id)}},
        options={"idempotency_key": f"customer-organization-{organization_id}"},
    )
    return data["id"]


def create_express_account(*, organization_id: int, country: str, name: str, website: str | None) -> AccountState:
    """A connected account (Express) that receives destination charges."""
    profile = {"name": name}
    if website:
        profile["url"] = website
    data = _call(
        client().v1.accounts.create,
        params={
            "type": "express",
            "country": country,
            "business_profile": profile,
            "capabilities": {"card_payments": {"requested": True}, "transfers": {"requested": True}},
            "metadata": {"organization_id": str(organization_id)},
        },
        options={"idempotency_key": f"express-account-organization-{organization_id}"},
    )
    return _account(data)


def create_onboarding_link(account_id: str, *, refresh_url: str, return_url: str) -> tuple[str, int]:
    """A single-use Stripe onboarding URL for the account and its expiry (Unix time)."""
    data = _call(
        client().v1.account_links.create,
        params={
            "account": account_id,
            "refresh_url": refresh_url,
            "return_url": return_url,
            "type": "account_onboarding",
        },
    )
    return data["url"], data["expires_at"]


def retrieve_account(account_id: str) -> AccountState:
    return _account(_call(client().v1.accounts.retrieve, account_id))


# ---- payment intents ------------------------------------------------------------------------------


def create_payment_intent(
    *,
    amount: int,
    currency: str,
    customer: str,
    metadata: dict[str, str],
    idempotency_key: str,
    payment_method: str | None = None,
    application_fee_amount: int | None = None,
    destination: str | None = None,
) -> IntentState:
    """An unconfirmed card PaymentIntent; a destination charge when ``destination`` is given."""
    params: dict[str, Any] = {
        "amount": stripe_amount(amount, currency),
        "currency": currency.lower(),
        "customer": customer,
        "payment_method_types": ["card"],
        "metadata": metadata,
    }
    if payment_method:
        params["payment_method"] = payment_method
    if destination:
        params["transfer_data"] = {"destination": destination}
        if application_fee_amount:
            params["application_fee_amount"] = stripe_amount(application_fee_amount, currency)
    data = _call(client().v1.payment_intents.create, params=params, options={"idempotency_key": idempotency_key},
                 payment_method=payment_method)
    return _intent(data)


def attach_payment_method(intent_id: str, payment_method: str) -> IntentState:
    return _intent(_call(client().v1.payment_intents.update, intent_id, params={"payment_method": payment_method},
                         payment_method=payment_method))


def confirm_payment_intent(intent_id: str, *, idempotency_key: str, payment_method: str | None = None) -> IntentState:
    """Confirm server-side with its ``payment_method``; raises CardDeclined when the card is refused."""
    return _intent(_call(client().v1.payment_intents.confirm, intent_id, options={"idempotency_key": idempotency_key},
                         payment_method=payment_method))


def retrieve_payment_intent(intent_id: str) -> IntentState:
    return _intent(_call(client().v1.payment_intents.retrieve, intent_id))


def cancel_payment_intent(intent_id: str) -> IntentState:
    return _intent(_call(client().v1.payment_intents.cancel, intent_id))


# ---- refunds --------------------------------------------------------------------------------------


def create_refund(
    *, payment_intent: str, amount: int, currency: str, metadata: dict[str, str], connect: bool, idempotency_key: str
) -> RefundState:
    """Refund part or all of a payment; a destination charge also takes back the transfer and the fee."""
    params: dict[str, Any] = {
        "payment_intent": payment_intent,
        "amount": stripe_amount(amount, currency),
        "metadata": metadata,
    }
    if connect:
        params["reverse_transfer"] = True
        params["refund_application_fee"] = True
    return _refund(_call(client().v1.refunds.create, params=params, options={"idempotency_key": idempotency_key}))


def list_refunds(payment_intent: str) -> list[RefundState]:
    data = _call(client().v1.refunds.list, params={"payment_intent": payment_intent, "limit": 100})
    return [_refund(item) for item in data.get("data", [])]


# ---- webhooks -------------------------------------------------------------------------------------


def construct_event(payload: bytes, signature: str | None) -> dict:
    """Verify the ``Stripe-Signature`` of a webhook body and return the event as a dict."""
    cfg = current_app.config
    secret = cfg.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        raise PaymentsUnavailable("Stripe webhooks are not configured on this server (STRIPE_WEBHOOK_SECRET).")
    try:
        event = stripe.Webhook.construct_event(payload, signature, secret, cfg["STRIPE_WEBHOOK_TOLERANCE_SECONDS"])
    except stripe.SignatureVerificationError as exc:
        raise InvalidSignature("The Stripe-Signature header does not match the body, or is too old.") from exc
    except ValueError as exc:
        raise InvalidSignature("The webhook body is not a Stripe event.") from exc
    return event.to_dict()
