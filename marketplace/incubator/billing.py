"""The incubator's only door to invoices (payments). INTERIM: payments has not landed yet."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InvoiceTotal:
    currency: str
    paid_amount: int
    outstanding_amount: int
    paid_count: int
    outstanding_count: int


def issue_program_fee(session, member):
    return None


def invoice_totals(session, members) -> dict:
    return {}


def member_invoices(session, member) -> list:
    return []


def license_payments(session, licenses) -> dict:
    return {}
