"""Request and response schemas for payments (allow-lists)."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from marketplace.accounts.schemas import OrganizationRefSchema
from marketplace.core.db import utcnow
from marketplace.core.money import AmountField, CurrencyField
from marketplace.core.pagination import PageArgs
from marketplace.core.schemas import QueryArgs, Schema, TrimmedString, non_blank
from marketplace.payments.checkout import payment_route
from marketplace.payments.models import INVOICE_SOURCES, INVOICE_STATES, LEDGER_KINDS


def _not_in_future(value) -> None:
    if value > utcnow().date():
        raise ma.ValidationError("Cannot be in the future.")


# ---- requests -------------------------------------------------------------------------------------


class InvoiceListArgs(PageArgs):
    status = ma.fields.String(load_default=None, validate=validate.OneOf(INVOICE_STATES))
    source = ma.fields.String(load_default=None, validate=validate.OneOf(INVOICE_SOURCES))
    role = ma.fields.String(
        load_default=None, validate=validate.OneOf(("payer", "payee")),
        metadata={"description": "Only invoices your organization pays (payer) or receives (payee)"},
    )
    counterparty_id = ma.fields.Integer(load_default=None, metadata={"description": "The other organization"})
    currency = CurrencyField(load_default=None)
    due_after = ma.fields.Date(load_default=None, metadata={"description": "Due on or after this day"})
    due_before = ma.fields.Date(load_default=None, metadata={"description": "Due on or before this day"})


class IdempotencyHeaders(Schema):
    class Meta:
        unknown = ma.EXCLUDE

    idempotency_key = ma.fields.String(
        data_key="Idempotency-Key",
        required=True,
        validate=validate.Length(min=8, max=255),
        metadata={"description": "A unique key per payment attempt (e.g. a UUID); a retry with it returns the same intent"},
    )


class PaySchema(Schema):
    payment_method = ma.fields.String(
        load_default=None,
        validate=[validate.Length(max=255), validate.Regexp(r"^(pm|card|src)_[A-Za-z0-9_]+$")],
        metadata={"description": "A Stripe PaymentMethod id to confirm with at once; without it, confirm "
                                 "the returned client secret with Stripe.js"},
    )


class RefundCreateSchema(Schema):
    amount = AmountField(load_default=None, validate=validate.Range(min=1, max=10**13),
                         metadata={"description": "Minor units; default: everything not yet refunded"})
    reason = TrimmedString(required=True, validate=non_blank(2000))


class SettleSchema(Schema):
    reference = TrimmedString(required=True, validate=non_blank(200), metadata={"description": "The bank transfer's reference"})
    settled_on = ma.fields.Date(required=True, validate=_not_in_future, metadata={"description": "Not in the future"})
    note = TrimmedString(load_default=None, validate=validate.Length(max=2000))


class LedgerArgs(PageArgs):
    currency = CurrencyField(load_default=None)
    kind = ma.fields.String(load_default=None, validate=validate.OneOf(LEDGER_KINDS))
    invoice_id = ma.fields.Integer(load_default=None)


class RevenueArgs(QueryArgs):
    since = ma.fields.Date(load_default=None)
    until = ma.fields.Date(load_default=None, metadata={"description": "Inclusive"})


class PayoutCreateSchema(Schema):
    organization_id = ma.fields.Integer(required=True, strict=True)
    amount = AmountField(required=True, validate=validate.Range(min=1, max=10**13))
    currency = CurrencyField(required=True)
    reference = TrimmedString(required=True, validate=non_blank(200))
    paid_on = ma.fields.Date(required=True, validate=_not_in_future, metadata={"description": "Not in the future"})
    note = TrimmedString(load_default=None, validate=validate.Length(max=2000))


class PayoutListArgs(PageArgs):
    organization_id = ma.fields.Integer(load_default=None)


# ---- responses ------------------------------------------------------------------------------------


class PaymentSchema(ma.Schema):
    """One card payment attempt (a Stripe PaymentIntent)."""

    id = ma.fields.Integer()
    attempt = ma.fields.Integer()
    payment_intent_id = ma.fields.String(attribute="stripe_payment_intent_id")
    route = ma.fields.String(metadata={"description": "connect (destination charge) or platform (collected by the platform)"})
    status = ma.fields.String()
    amount = ma.fields.Integer()
    currency = ma.fields.String()
    application_fee_amount = ma.fields.Integer()
    failure_code = ma.fields.String(allow_none=True)
    failure_message = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
    succeeded_at = ma.fields.DateTime(allow_none=True)


class RefundSchema(ma.Schema):
    id = ma.fields.Integer()
    amount = ma.fields.Integer()
    currency = ma.fields.String()
    reason = ma.fields.String()
    status = ma.fields.String()
    fee_refund_amount = ma.fields.Integer(metadata={"description": "Platform fee returned with it (once confirmed)"}, allow_none=True)
    stripe_refund_id = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
    confirmed_at = ma.fields.DateTime(allow_none=True)


class SettlementSchema(ma.Schema):
    reference = ma.fields.String()
    settled_on = ma.fields.Date()
    note = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()


class DisputeSchema(ma.Schema):
    id = ma.fields.Integer()
    amount = ma.fields.Integer()
    currency = ma.fields.String()
    reason = ma.fields.String()
    status = ma.fields.String()
    created_at = ma.fields.DateTime()


class CardPaymentSchema(ma.Schema):
    """Whether the invoice can be paid by card now, and where the money would go."""

    available = ma.fields.Boolean()
    route = ma.fields.String(
        attribute="method", allow_none=True,
        metadata={"description": "connect: straight to the payee's Stripe account, less the platform fee; "
                                 "platform: collected by the platform, which pays the payee out"},
    )
    reason = ma.fields.String(allow_none=True)


class InvoiceSchema(ma.Schema):
    id = ma.fields.Integer()
    payer = ma.fields.Nested(OrganizationRefSchema)
    payee = ma.fields.Nested(OrganizationRefSchema)
    amount = ma.fields.Integer()
    currency = ma.fields.String()
    platform_fee_bps = ma.fields.Integer()
    platform_fee_amount = ma.fields.Integer()
    payee_amount = ma.fields.Integer(metadata={"description": "What the payee receives: amount less the platform fee"})
    description = ma.fields.String()
    source = ma.fields.String()
    source_ref = ma.fields.String()
    due_date = ma.fields.Date()
    status = ma.fields.String()
    amount_refunded = ma.fields.Integer()
    fee_refunded = ma.fields.Integer()
    paid_via = ma.fields.String(allow_none=True)
    paid_at = ma.fields.DateTime(allow_none=True)
    voided_at = ma.fields.DateTime(allow_none=True)
    void_reason = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
    card_payment = ma.fields.Method("get_card_payment")
    payments = ma.fields.List(ma.fields.Nested(PaymentSchema))
    refunds = ma.fields.List(ma.fields.Nested(RefundSchema))
    settlement = ma.fields.Nested(SettlementSchema, allow_none=True)
    disputes = ma.fields.List(ma.fields.Nested(DisputeSchema))

    def get_card_payment(self, invoice) -> dict:
        if invoice.status not in ("open", "failed"):
            return {"available": False, "route": None, "reason": f"The invoice is {invoice.status.replace('_', ' ')}."}
        return CardPaymentSchema().dump(payment_route(invoice))


class PayResultSchema(ma.Schema):
    """The PaymentIntent to complete with Stripe.js (or its outcome, when confirmed at once)."""

    invoice_id = ma.fields.Integer()
    invoice_status = ma.fields.Function(lambda p: p.invoice.status)
    payment_id = ma.fields.Integer(attribute="id")
    payment_intent_id = ma.fields.String(attribute="stripe_payment_intent_id")
    client_secret = ma.fields.String(allow_none=True)
    status = ma.fields.String()
    route = ma.fields.String()
    amount = ma.fields.Integer()
    currency = ma.fields.String()
    application_fee_amount = ma.fields.Integer(
        metadata={"description": "The fee Stripe moves to the platform on a destination charge "
                                 "(0 when the platform collects the whole amount)"})
    failure_code = ma.fields.String(allow_none=True)
    failure_message = ma.fields.String(allow_none=True)


class ConnectAccountSchema(ma.Schema):
    connected = ma.fields.Boolean()
    stripe_account_id = ma.fields.String(allow_none=True)
    onboarding_status = ma.fields.String(
        metadata={"description": "not_started, incomplete, pending_verification, restricted or complete"}
    )
    details_submitted = ma.fields.Boolean()
    charges_enabled = ma.fields.Boolean()
    payouts_enabled = ma.fields.Boolean()
    requirements_due = ma.fields.List(ma.fields.String())
    disabled_reason = ma.fields.String(allow_none=True)


class OnboardingLinkSchema(ma.Schema):
    url = ma.fields.String(metadata={"description": "Single-use Stripe onboarding page; send the user there"})
    expires_at = ma.fields.Integer(metadata={"description": "Unix time"})
    account = ma.fields.Nested(ConnectAccountSchema)


class LedgerEntrySchema(ma.Schema):
    id = ma.fields.Integer()
    created_at = ma.fields.DateTime()
    account = ma.fields.String()
    kind = ma.fields.String()
    amount = ma.fields.Integer()
    currency = ma.fields.String()
    invoice_id = ma.fields.Integer(allow_none=True)
    description = ma.fields.String()


class BalanceSchema(ma.Schema):
    currency = ma.fields.String()
    paid = ma.fields.Integer(metadata={"description": "Paid as a payer, less refunds received"})
    earned = ma.fields.Integer(metadata={"description": "Earned as a payee: invoices less fees and refunds"})
    balance = ma.fields.Integer(metadata={"description": "Held by the platform for you (owed to you); negative: you owe fees"})


class RevenueSchema(ma.Schema):
    currency = ma.fields.String()
    fees = ma.fields.Integer()
    fee_refunds = ma.fields.Integer()
    net = ma.fields.Integer()


class PayoutSchema(ma.Schema):
    id = ma.fields.Integer()
    organization = ma.fields.Nested(OrganizationRefSchema)
    amount = ma.fields.Integer()
    currency = ma.fields.String()
    reference = ma.fields.String()
    paid_on = ma.fields.Date()
    note = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()


class PayoutDueSchema(ma.Schema):
    organization = ma.fields.Nested(OrganizationRefSchema)
    currency = ma.fields.String()
    balance = ma.fields.Integer()


class WebhookResultSchema(ma.Schema):
    received = ma.fields.Boolean()
    duplicate = ma.fields.Boolean()
    outcome = ma.fields.String(allow_none=True)
