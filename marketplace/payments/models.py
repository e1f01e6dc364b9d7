"""Payments: organizations' Stripe identities, invoices, payment attempts, refunds, manual
settlements, payouts, disputes, the ledger and the log of Stripe events."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, foreign, mapped_column, relationship

from marketplace.accounts.models import Organization, User
from marketplace.core.db import Base, TimestampMixin, utcnow

INVOICE_SOURCES = ("express_license", "upfront_fee", "milestone", "royalty", "sponsorship_tranche", "program_fee")
INVOICE_STATES = ("open", "processing", "paid", "failed", "void", "refunded", "partially_refunded")
#: how card money reaches the payee: a destination charge to its connected account, or held by the platform
ROUTES = ("connect", "platform")
PAYMENT_STATES = (
    "requires_payment_method",
    "requires_confirmation",
    "requires_action",
    "processing",
    "succeeded",
    "failed",
    "canceled",
)
REFUND_STATES = ("pending", "requires_action", "succeeded", "failed", "canceled")
#: ``payer``: what an organization paid; ``payee``: what it earned; ``held``: what the platform holds
#: for it (owes it); ``revenue``: the platform's own fees (organization is null)
LEDGER_ACCOUNTS = ("payer", "payee", "held", "revenue")
LEDGER_KINDS = (
    "charge",
    "platform_fee",
    "collected",
    "transfer",
    "refund",
    "fee_refund",
    "transfer_reversal",
    "manual_settlement",
    "payout",
)
BigInt = sa.BigInteger


def _in(values: tuple) -> str:
    return f"IN {values!r}"


class StripeAccount(TimestampMixin, Base):
    """An organization's Stripe connected account (Express) and its onboarding state."""

    __tablename__ = "stripe_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="RESTRICT"), unique=True)
    stripe_account_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    details_submitted: Mapped[bool] = mapped_column(default=False)
    charges_enabled: Mapped[bool] = mapped_column(default=False)
    payouts_enabled: Mapped[bool] = mapped_column(default=False)
    #: what Stripe still needs from the organization (``requirements.currently_due``)
    requirements_due: Mapped[list] = mapped_column(sa.JSON, default=list)
    disabled_reason: Mapped[str | None] = mapped_column(sa.String(200))
    #: Unix time of the newest Stripe state applied (an event's ``created`` or a refresh), against stale events
    stripe_state_at: Mapped[int] = mapped_column(BigInt, default=0)

    organization: Mapped[Organization] = relationship()

    @property
    def is_complete(self) -> bool:
        """Onboarding finished: Stripe accepts charges for the account and pays it out."""
        return self.details_submitted and self.charges_enabled and self.payouts_enabled

    @property
    def onboarding_status(self) -> str:
        if self.is_complete:
            return "complete"
        if not self.details_submitted:
            return "incomplete"
        return "restricted" if self.disabled_reason else "pending_verification"


class StripeCustomer(Base):
    """The Stripe customer that represents a paying organization."""

    __tablename__ = "stripe_customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="RESTRICT"), unique=True)
    stripe_customer_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Invoice(TimestampMixin, Base):
    """One payment obligation of a payer organization to a payee organization."""

    __tablename__ = "invoices"

    id: Mapped[int] = mapped_column(primary_key=True)
    payer_organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    payee_organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    #: in minor units of ``currency``
    amount: Mapped[int] = mapped_column(BigInt)
    currency: Mapped[str] = mapped_column(sa.String(3))
    #: the platform's rate when the invoice was issued
    platform_fee_bps: Mapped[int]
    platform_fee_amount: Mapped[int] = mapped_column(BigInt)
    description: Mapped[str] = mapped_column(sa.String(500))
    source: Mapped[str] = mapped_column(sa.String(30))
    #: the id of what the invoice is for in its source package (a license, a milestone...)
    source_ref: Mapped[str] = mapped_column(sa.String(100))
    due_date: Mapped[date] = mapped_column(index=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="open", index=True)
    #: refunds Stripe confirmed, and the platform fee returned with them
    amount_refunded: Mapped[int] = mapped_column(BigInt, default=0)
    fee_refunded: Mapped[int] = mapped_column(BigInt, default=0)
    #: ``stripe`` or ``manual`` once paid
    paid_via: Mapped[str | None] = mapped_column(sa.String(10))
    paid_at: Mapped[datetime | None]
    voided_at: Mapped[datetime | None]
    void_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    payer: Mapped[Organization] = relationship(foreign_keys=[payer_organization_id])
    payee: Mapped[Organization] = relationship(foreign_keys=[payee_organization_id])
    payee_stripe_account: Mapped[StripeAccount | None] = relationship(
        primaryjoin=lambda: foreign(Invoice.payee_organization_id) == StripeAccount.organization_id,
        viewonly=True,
        uselist=False,
    )
    payments: Mapped[list[Payment]] = relationship(back_populates="invoice", order_by="Payment.id")
    refunds: Mapped[list[Refund]] = relationship(back_populates="invoice", order_by="Refund.id")
    settlement: Mapped[ManualSettlement | None] = relationship(back_populates="invoice")
    disputes: Mapped[list[Dispute]] = relationship(back_populates="invoice", order_by="Dispute.id")

    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint("platform_fee_amount >= 0 AND platform_fee_amount <= amount", name="fee_within_amount"),
        sa.CheckConstraint("platform_fee_bps >= 0 AND platform_fee_bps <= 10000", name="fee_bps_range"),
        sa.CheckConstraint("amount_refunded >= 0 AND amount_refunded <= amount", name="refunded_within_amount"),
        sa.CheckConstraint("payer_organization_id <> payee_organization_id", name="payer_is_not_payee"),
        sa.CheckConstraint(f"status {_in(INVOICE_STATES)}", name="status"),
        sa.CheckConstraint(f"source {_in(INVOICE_SOURCES)}", name="source"),
        sa.Index("ix_invoices_source_ref", "source", "source_ref"),
    )

    @property
    def payee_amount(self) -> int:
        return self.amount - self.platform_fee_amount

    @property
    def latest_payment(self) -> Payment | None:
        return self.payments[-1] if self.payments else None


class Payment(TimestampMixin, Base):
    """One attempt to pay an invoice by card: one Stripe PaymentIntent."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(sa.ForeignKey("invoices.id", ondelete="RESTRICT"), index=True)
    #: 1, 2, ... per invoice; part of the Stripe idempotency key, so a retried request reuses the intent
    attempt: Mapped[int]
    stripe_payment_intent_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    route: Mapped[str] = mapped_column(sa.String(10))
    #: the payee's connected account for ``connect`` payments
    destination_account_id: Mapped[str | None] = mapped_column(sa.String(255))
    amount: Mapped[int] = mapped_column(BigInt)
    currency: Mapped[str] = mapped_column(sa.String(3))
    application_fee_amount: Mapped[int] = mapped_column(BigInt)
    status: Mapped[str] = mapped_column(sa.String(30))
    #: handed to the payer's browser to confirm the intent with Stripe.js
    client_secret: Mapped[str | None] = mapped_column(sa.String(255))
    stripe_charge_id: Mapped[str | None] = mapped_column(sa.String(255), index=True)
    failure_code: Mapped[str | None] = mapped_column(sa.String(100))
    failure_message: Mapped[str | None] = mapped_column(sa.Text)
    #: Unix time of the newest Stripe state applied, so that a late event cannot undo a newer state
    stripe_state_at: Mapped[int] = mapped_column(BigInt, default=0)
    succeeded_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    #: succeeded after its invoice was paid another way or voided: money the payer is owed back in full
    is_duplicate: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    invoice: Mapped[Invoice] = relationship(back_populates="payments")

    __table_args__ = (
        sa.UniqueConstraint("invoice_id", "attempt", name="uq_payments_invoice_attempt"),
        sa.CheckConstraint(f"status {_in(PAYMENT_STATES)}", name="status"),
        sa.CheckConstraint(f"route {_in(ROUTES)}", name="route"),
    )


class PaymentRequest(Base):
    """An ``Idempotency-Key`` a payer sent to pay an invoice, and the payment it was answered with."""

    __tablename__ = "payment_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(sa.ForeignKey("invoices.id", ondelete="RESTRICT"))
    idempotency_key: Mapped[str] = mapped_column(sa.String(255))
    payment_id: Mapped[int] = mapped_column(sa.ForeignKey("payments.id", ondelete="RESTRICT"), index=True)
    #: SHA-256 of the request body, to refuse a key reused for a different request
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    payment: Mapped[Payment] = relationship()

    __table_args__ = (sa.UniqueConstraint("invoice_id", "idempotency_key", name="uq_payment_requests_invoice_key"),)


class Refund(TimestampMixin, Base):
    """Money returned to the payer of a card-paid invoice, recorded when Stripe confirms it."""

    __tablename__ = "refunds"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(sa.ForeignKey("invoices.id", ondelete="RESTRICT"), index=True)
    payment_id: Mapped[int] = mapped_column(sa.ForeignKey("payments.id", ondelete="RESTRICT"), index=True)
    amount: Mapped[int] = mapped_column(BigInt)
    currency: Mapped[str] = mapped_column(sa.String(3))
    reason: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(20), default="pending")
    stripe_refund_id: Mapped[str | None] = mapped_column(sa.String(255), unique=True)
    #: the platform fee returned with this refund (set when Stripe confirms it)
    fee_refund_amount: Mapped[int | None] = mapped_column(BigInt)
    confirmed_at: Mapped[datetime | None]
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    invoice: Mapped[Invoice] = relationship(back_populates="refunds")
    payment: Mapped[Payment] = relationship()

    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint(f"status {_in(REFUND_STATES)}", name="status"),
    )


class ManualSettlement(Base):
    """An invoice paid outside Stripe (bank transfer), as recorded by the payee."""

    __tablename__ = "manual_settlements"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(sa.ForeignKey("invoices.id", ondelete="RESTRICT"), unique=True)
    amount: Mapped[int] = mapped_column(BigInt)
    currency: Mapped[str] = mapped_column(sa.String(3))
    #: the bank transfer's reference
    reference: Mapped[str] = mapped_column(sa.String(200))
    settled_on: Mapped[date]
    note: Mapped[str | None] = mapped_column(sa.Text)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    invoice: Mapped[Invoice] = relationship(back_populates="settlement")


class Payout(Base):
    """Money the platform collected for an organization and paid out to it (recorded by an admin)."""

    __tablename__ = "payouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    amount: Mapped[int] = mapped_column(BigInt)
    currency: Mapped[str] = mapped_column(sa.String(3))
    reference: Mapped[str] = mapped_column(sa.String(200))
    paid_on: Mapped[date]
    note: Mapped[str | None] = mapped_column(sa.Text)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    organization: Mapped[Organization] = relationship()
    recorded_by: Mapped[User | None] = relationship()

    __table_args__ = (sa.CheckConstraint("amount > 0", name="amount_positive"),)


class Dispute(TimestampMixin, Base):
    """A chargeback the payer's bank opened against a card payment."""

    __tablename__ = "disputes"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(sa.ForeignKey("invoices.id", ondelete="RESTRICT"), index=True)
    payment_id: Mapped[int] = mapped_column(sa.ForeignKey("payments.id", ondelete="RESTRICT"))
    stripe_dispute_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    amount: Mapped[int] = mapped_column(BigInt)
    currency: Mapped[str] = mapped_column(sa.String(3))
    reason: Mapped[str] = mapped_column(sa.String(60))
    status: Mapped[str] = mapped_column(sa.String(60))

    invoice: Mapped[Invoice] = relationship(back_populates="disputes")


class LedgerEntry(Base):
    """One immutable line of a money movement, from one party's point of view.

    ``amount`` is signed: positive adds to the ``account`` of ``organization_id`` (the platform
    when null), negative takes from it. The lines of one movement share ``movement`` and are
    written once, together.
    """

    __tablename__ = "ledger_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id", ondelete="RESTRICT"))
    account: Mapped[str] = mapped_column(sa.String(10))
    kind: Mapped[str] = mapped_column(sa.String(30))
    amount: Mapped[int] = mapped_column(BigInt)
    currency: Mapped[str] = mapped_column(sa.String(3))
    invoice_id: Mapped[int | None] = mapped_column(sa.ForeignKey("invoices.id", ondelete="RESTRICT"), index=True)
    #: e.g. ``payment:12``, ``refund:3``, ``payout:7``
    movement: Mapped[str] = mapped_column(sa.String(60))
    line: Mapped[int]
    description: Mapped[str] = mapped_column(sa.String(300))

    __table_args__ = (
        sa.UniqueConstraint("movement", "line", name="uq_ledger_entries_movement_line"),
        sa.Index("ix_ledger_entries_organization_currency", "organization_id", "currency"),
        sa.CheckConstraint(f"account {_in(LEDGER_ACCOUNTS)}", name="account"),
        sa.CheckConstraint(f"kind {_in(LEDGER_KINDS)}", name="kind"),
    )


class StripeEvent(Base):
    """A webhook event received from Stripe: each event id is handled once."""

    __tablename__ = "stripe_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    stripe_event_id: Mapped[str] = mapped_column(sa.String(255), unique=True)
    type: Mapped[str] = mapped_column(sa.String(100), index=True)
    #: Stripe's Unix time of the event
    created: Mapped[int] = mapped_column(BigInt)
    object_id: Mapped[str | None] = mapped_column(sa.String(255))
    #: what handling it did: ``applied``, ``stale``, ``unknown_object`` or ``unhandled``
    outcome: Mapped[str | None] = mapped_column(sa.String(30))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class LedgerIsImmutable(RuntimeError):
    """Raised when code tries to change or delete a written ledger line."""


@event.listens_for(Session, "before_flush")
def _refuse_ledger_changes(session, flush_context, instances):
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, LedgerEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise LedgerIsImmutable("Ledger entries are immutable: write a correcting movement instead.")
