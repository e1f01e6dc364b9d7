"""Invoices, Stripe Connect, webhooks, ledger, refunds, manual settlement and payouts."""
