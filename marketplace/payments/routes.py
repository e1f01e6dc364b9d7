"""Invoices, card payments, refunds, Stripe Connect, the Stripe webhook, the ledger, and the admin's
payouts and revenue (thin: parse, call a service, dump)."""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from marketplace.core.auth import (
    MANAGER,
    admin_required,
    login_required,
    membership_required,
    require_admin,
    require_membership,
    require_user,
)
from marketplace.core.pagination import page_schema
from marketplace.core.schemas import ReasonSchema
from marketplace.core.security import CSRF_EXEMPT_ENDPOINTS
from marketplace.extensions import db
from marketplace.payments import checkout, connect, ledger, refunds, services, webhooks
from marketplace.payments import schemas as s

invoices_blp = Blueprint(
    "invoices", __name__, url_prefix="/api/v1/invoices",
    description="Invoices your organization pays or receives: paying by card, refunds, bank transfers",
)
payments_blp = Blueprint(
    "payments", __name__, url_prefix="/api/v1/payments",
    description="Stripe Connect onboarding, the Stripe webhook, your ledger and balances",
)
admin_blp = Blueprint(
    "payments_admin", __name__, url_prefix="/api/v1/admin",
    description="Payouts of platform-collected money and platform fee revenue (admins only)",
)


# ---- invoices -------------------------------------------------------------------------------------


@invoices_blp.route("")
class Invoices(MethodView):
    @login_required
    @invoices_blp.arguments(s.InvoiceListArgs, location="query", as_kwargs=True)
    @invoices_blp.response(200, page_schema(s.InvoiceSchema))
    def get(self, **filters):
        """Invoices your organization pays or receives (every invoice for admins), newest first."""
        return services.list_invoices(db.session, require_user(), **filters)


@invoices_blp.route("/<int:invoice_id>")
class InvoiceItem(MethodView):
    @invoices_blp.response(200, s.InvoiceSchema)
    def get(self, invoice_id):
        """One invoice, with its payments, refunds and how it can be paid by card."""
        return services.get_invoice(db.session, require_user(), invoice_id)


@invoices_blp.route("/<int:invoice_id>/pay")
class PayInvoice(MethodView):
    @login_required
    @invoices_blp.arguments(s.IdempotencyHeaders, location="headers", as_kwargs=True)
    @invoices_blp.arguments(s.PaySchema, as_kwargs=True)
    @invoices_blp.response(200, s.PayResultSchema)
    def post(self, invoice_id, idempotency_key, payment_method):
        """Start (or resume) paying the invoice by card: returns the PaymentIntent's client secret and status."""
        return checkout.pay(
            db.session, require_user(), invoice_id, idempotency_key=idempotency_key, payment_method=payment_method
        )


@invoices_blp.route("/<int:invoice_id>/refresh")
class RefreshInvoice(MethodView):
    @invoices_blp.response(200, s.InvoiceSchema)
    def post(self, invoice_id):
        """Ask Stripe for the state of the invoice's payments and refunds now."""
        return services.refresh_invoice(db.session, require_user(), invoice_id)


@invoices_blp.route("/<int:invoice_id>/refunds")
class InvoiceRefunds(MethodView):
    @login_required
    @invoices_blp.arguments(s.RefundCreateSchema)
    @invoices_blp.response(201, s.RefundSchema)
    def post(self, data, invoice_id):
        """Refund a card-paid invoice fully or partly (payee managers, admins); the fee is returned in proportion."""
        return refunds.request_refund(db.session, require_user(), invoice_id, **data)


@invoices_blp.route("/<int:invoice_id>/settle")
class SettleInvoice(MethodView):
    @login_required
    @invoices_blp.arguments(s.SettleSchema)
    @invoices_blp.response(200, s.InvoiceSchema)
    def post(self, data, invoice_id):
        """Record that the invoice was paid by bank transfer (payee managers, admins)."""
        return services.settle_manually(db.session, require_user(), invoice_id, **data)


@invoices_blp.route("/<int:invoice_id>/void")
class VoidInvoice(MethodView):
    @admin_required
    @invoices_blp.arguments(ReasonSchema)
    @invoices_blp.response(200, s.InvoiceSchema)
    def post(self, data, invoice_id):
        """Void an unpaid invoice with a reason (admins)."""
        return services.void_invoice(db.session, require_admin(), invoice_id, data["reason"])


# ---- Stripe Connect -------------------------------------------------------------------------------


@payments_blp.route("/connect")
class ConnectAccount(MethodView):
    @membership_required(kinds=connect.CONNECT_KINDS)
    @payments_blp.response(200, s.ConnectAccountSchema)
    def get(self):
        """Your organization's Stripe account and its onboarding state."""
        return connect.connect_state(connect.account_of(db.session, require_user().organization_id))


@payments_blp.route("/connect/onboarding-link")
class ConnectOnboarding(MethodView):
    @membership_required(kinds=connect.CONNECT_KINDS, role=MANAGER)
    @payments_blp.response(201, s.OnboardingLinkSchema)
    def post(self):
        """Connect your organization to Stripe (Express): creates the account once and returns an onboarding link."""
        account, url, expires_at = connect.start_onboarding(db.session, require_user())
        return {"url": url, "expires_at": expires_at, "account": connect.connect_state(account)}


@payments_blp.route("/connect/refresh")
class ConnectRefresh(MethodView):
    @membership_required(kinds=connect.CONNECT_KINDS, role=MANAGER)
    @payments_blp.response(200, s.ConnectAccountSchema)
    def post(self):
        """Fetch your Stripe account's state from Stripe now (instead of waiting for account.updated)."""
        return connect.connect_state(connect.refresh_account(db.session, require_user()))


# ---- the Stripe webhook ---------------------------------------------------------------------------


@payments_blp.route("/stripe/webhook")
class StripeWebhook(MethodView):
    @payments_blp.response(200, s.WebhookResultSchema)
    def post(self):
        """Receive a Stripe event (authenticated by its Stripe-Signature header, not by a session)."""
        return webhooks.receive(db.session, request.get_data(), request.headers.get("Stripe-Signature"))


CSRF_EXEMPT_ENDPOINTS.add("payments.StripeWebhook")


# ---- ledger ---------------------------------------------------------------------------------------


@payments_blp.route("/ledger")
class Ledger(MethodView):
    @membership_required()
    @payments_blp.arguments(s.LedgerArgs, location="query", as_kwargs=True)
    @payments_blp.response(200, page_schema(s.LedgerEntrySchema))
    def get(self, **filters):
        """Your organization's ledger: every money movement, newest first."""
        return ledger.entries(db.session, require_membership().organization_id, **filters)


@payments_blp.route("/balances")
class Balances(MethodView):
    @payments_blp.response(200, s.BalanceSchema(many=True))
    def get(self):
        """Your organization's totals per currency: paid, earned, and the balance the platform holds for you."""
        return ledger.balances(db.session, require_membership().organization_id)


# ---- admin ----------------------------------------------------------------------------------------


@admin_blp.before_request
def _admins_only():
    """401 for anonymous callers, 403 for non-admins, before any parsing."""
    require_admin()


@admin_blp.route("/platform-revenue")
class PlatformRevenue(MethodView):
    @admin_blp.arguments(s.RevenueArgs, location="query")
    @admin_blp.response(200, s.RevenueSchema(many=True))
    def get(self, args):
        """The platform's fee revenue per currency, optionally between two days."""
        return ledger.platform_revenue(db.session, **args)


@admin_blp.route("/payouts")
class Payouts(MethodView):
    @admin_blp.arguments(s.PayoutListArgs, location="query", as_kwargs=True)
    @admin_blp.response(200, page_schema(s.PayoutSchema))
    def get(self, **filters):
        """Payouts recorded so far, newest first."""
        return services.list_payouts(db.session, **filters)

    @admin_blp.arguments(s.PayoutCreateSchema)
    @admin_blp.response(201, s.PayoutSchema)
    def post(self, data):
        """Record a payout of platform-collected money to an organization (at most what the platform holds for it)."""
        return services.record_payout(db.session, require_admin(), **data)


@admin_blp.route("/payouts/due")
class PayoutsDue(MethodView):
    @admin_blp.response(200, s.PayoutDueSchema(many=True))
    def get(self):
        """Organizations the platform owes platform-collected money to, per currency."""
        return services.payouts_due(db.session)
