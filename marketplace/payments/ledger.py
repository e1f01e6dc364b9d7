"""The ledger: every money movement as immutable lines, and the balances they add up to.

Accounts, per organization (the platform when the organization is null):

- ``payer``  what the organization paid (negative) and got back in refunds (positive);
- ``payee``  what it earned: invoice amounts, less platform fees and refunds;
- ``held``   what the platform holds for it, i.e. owes it: card money collected by the platform
             and not yet paid out (negative when the organization owes the platform fees);
- ``revenue`` the platform's own fees.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa

from marketplace.core.money import Money
from marketplace.core.pagination import Page, paginate
from marketplace.payments.models import Invoice, LedgerEntry, ManualSettlement, Payment, Payout, Refund

PLATFORM = None


@dataclass(frozen=True)
class Line:
    organization_id: int | None
    account: str
    kind: str
    amount: int
    description: str


def post(session, movement: str, currency: str, lines: list[Line], invoice: Invoice | None = None) -> bool:
    """Write the lines of one movement, once: a movement already written is left as it is."""
    exists = session.execute(sa.select(sa.exists().where(LedgerEntry.movement == movement))).scalar()
    if exists:
        return False
    for number, line in enumerate((ln for ln in lines if ln.amount), start=1):
        session.add(
            LedgerEntry(
                organization_id=line.organization_id,
                account=line.account,
                kind=line.kind,
                amount=line.amount,
                currency=currency,
                invoice_id=invoice.id if invoice is not None else None,
                movement=movement,
                line=number,
                description=line.description[:300],
            )
        )
    session.flush()
    return True


def _label(invoice: Invoice) -> str:
    return f"invoice #{invoice.id}"


def record_card_payment(session, invoice: Invoice, payment: Payment) -> None:
    """Card money received: the payer paid, the payee earned less the fee, the platform kept the fee."""
    amount, fee, payer, payee = payment.amount, invoice.platform_fee_amount, invoice.payer_organization_id, invoice.payee_organization_id
    net = amount - fee
    lines = [
        Line(payer, "payer", "charge", -amount, f"Paid {_label(invoice)} by card"),
        Line(payee, "payee", "charge", amount, f"{_label(invoice)} paid by card"),
        Line(payee, "payee", "platform_fee", -fee, f"Platform fee on {_label(invoice)}"),
        Line(PLATFORM, "revenue", "platform_fee", fee, f"Platform fee on {_label(invoice)}"),
        Line(payee, "held", "collected", net, f"Card payment of {_label(invoice)} collected by the platform"),
    ]
    if payment.route == "connect":
        lines.append(Line(payee, "held", "transfer", -net, f"Transferred to your Stripe account ({_label(invoice)})"))
    post(session, f"payment:{payment.id}", payment.currency, lines, invoice)


def record_manual_settlement(session, invoice: Invoice, settlement: ManualSettlement) -> None:
    """Bank transfer between the parties: the platform holds nothing, and the payee owes it the fee."""
    amount, fee, payer, payee = invoice.amount, invoice.platform_fee_amount, invoice.payer_organization_id, invoice.payee_organization_id
    ref = settlement.reference
    lines = [
        Line(payer, "payer", "manual_settlement", -amount, f"Paid {_label(invoice)} by bank transfer ({ref})"),
        Line(payee, "payee", "manual_settlement", amount, f"{_label(invoice)} settled by bank transfer ({ref})"),
        Line(payee, "payee", "platform_fee", -fee, f"Platform fee on {_label(invoice)}"),
        Line(PLATFORM, "revenue", "platform_fee", fee, f"Platform fee on {_label(invoice)}"),
        Line(payee, "held", "platform_fee", -fee, f"Platform fee owed on {_label(invoice)} (settled outside the platform)"),
    ]
    post(session, f"settlement:{settlement.id}", invoice.currency, lines, invoice)


def record_refund(session, invoice: Invoice, refund: Refund) -> None:
    """A confirmed refund: the payer gets money back, the payee returns it less its share of the fee."""
    amount, fee, payer, payee = refund.amount, refund.fee_refund_amount or 0, invoice.payer_organization_id, invoice.payee_organization_id
    net = amount - fee
    lines = [
        Line(payer, "payer", "refund", amount, f"Refund on {_label(invoice)}"),
        Line(payee, "payee", "refund", -amount, f"Refund on {_label(invoice)}"),
        Line(payee, "payee", "fee_refund", fee, f"Platform fee returned with the refund on {_label(invoice)}"),
        Line(PLATFORM, "revenue", "fee_refund", -fee, f"Platform fee returned with the refund on {_label(invoice)}"),
    ]
    if refund.payment.route == "connect":
        lines.append(Line(payee, "held", "transfer_reversal", net, f"Taken back from your Stripe account ({_label(invoice)})"))
    lines.append(Line(payee, "held", "refund", -net, f"Refund on {_label(invoice)}"))
    post(session, f"refund:{refund.id}", refund.currency, lines, invoice)


def record_payout(session, payout: Payout) -> None:
    lines = [Line(payout.organization_id, "held", "payout", -payout.amount, f"Payout {payout.reference}")]
    post(session, f"payout:{payout.id}", payout.currency, lines)


# ---- reading --------------------------------------------------------------------------------------


def entries(session, organization_id: int, *, currency=None, kind=None, invoice_id=None, page=1, page_size=20) -> Page:
    """An organization's ledger lines, newest first."""
    stmt = sa.select(LedgerEntry).where(LedgerEntry.organization_id == organization_id)
    if currency:
        stmt = stmt.where(LedgerEntry.currency == currency)
    if kind:
        stmt = stmt.where(LedgerEntry.kind == kind)
    if invoice_id:
        stmt = stmt.where(LedgerEntry.invoice_id == invoice_id)
    return paginate(session, stmt.order_by(LedgerEntry.id.desc()), page, page_size)


def _sums(session, *where) -> dict[tuple[str, str], int]:
    stmt = (
        sa.select(LedgerEntry.currency, LedgerEntry.account, sa.func.sum(LedgerEntry.amount))
        .where(*where)
        .group_by(LedgerEntry.currency, LedgerEntry.account)
    )
    return {(currency, account): int(total) for currency, account, total in session.execute(stmt)}


def balances(session, organization_id: int) -> list[dict]:
    """Per currency: ``paid`` (net, as payer), ``earned`` (net, as payee) and ``balance`` (held for it)."""
    sums = _sums(session, LedgerEntry.organization_id == organization_id)
    currencies = sorted({currency for currency, _ in sums})
    return [
        {
            "currency": c,
            "paid": -sums.get((c, "payer"), 0),
            "earned": sums.get((c, "payee"), 0),
            "balance": sums.get((c, "held"), 0),
        }
        for c in currencies
    ]


def held_balance(session, organization_id: int, currency: str) -> int:
    """What the platform owes the organization in ``currency``."""
    stmt = sa.select(sa.func.coalesce(sa.func.sum(LedgerEntry.amount), 0)).where(
        LedgerEntry.organization_id == organization_id,
        LedgerEntry.account == "held",
        LedgerEntry.currency == currency,
    )
    return int(session.execute(stmt).scalar_one())


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


def platform_revenue(session, *, since: date | None = None, until: date | None = None) -> list[dict]:
    """The platform's fees per currency (fees, fees returned with refunds, net), ``until`` inclusive."""
    where = [LedgerEntry.account == "revenue", LedgerEntry.organization_id.is_(None)]
    if since:
        where.append(LedgerEntry.created_at >= _day_start(since))
    if until:
        where.append(LedgerEntry.created_at < _day_start(until) + timedelta(days=1))
    stmt = (
        sa.select(LedgerEntry.currency, LedgerEntry.kind, sa.func.sum(LedgerEntry.amount))
        .where(*where)
        .group_by(LedgerEntry.currency, LedgerEntry.kind)
    )
    sums: dict[str, dict[str, int]] = {}
    for currency, kind, total in session.execute(stmt):
        sums.setdefault(currency, {})[kind] = int(total)
    return [
        {
            "currency": c,
            "fees": sums[c].get("platform_fee", 0),
            "fee_refunds": -sums[c].get("fee_refund", 0),
            "net": sum(sums[c].values()),
        }
        for c in sorted(sums)
    ]


def payouts_due(session) -> list[dict]:
    """Organizations the platform owes money to, per currency (largest first)."""
    total = sa.func.sum(LedgerEntry.amount)
    stmt = (
        sa.select(LedgerEntry.organization_id, LedgerEntry.currency, total)
        .where(LedgerEntry.account == "held", LedgerEntry.organization_id.is_not(None))
        .group_by(LedgerEntry.organization_id, LedgerEntry.currency)
        .having(total > 0)
        .order_by(total.desc())
    )
    return [{"organization_id": org, "currency": c, "balance": int(t)} for org, c, t in session.execute(stmt)]


def describe(amount: int, currency: str) -> str:
    return Money(amount, currency).format()
