"""License agreements: who licenses which assets to whom, on which terms, in which state."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import Organization
from marketplace.core.db import Base, TimestampMixin
from marketplace.ip.models import IPAsset

EXCLUSIVITY = ("exclusive", "sole", "non_exclusive")
LICENSE_STATUSES = ("draft", "pending_payment", "active", "terminated", "expired")
REPORTING_PERIODS = ("quarterly", "semiannual", "annual")
#: an express-license purchase that is still open: being made, awaiting payment, or in force
OPEN_EXPRESS_PURCHASE = (
    "source_type = 'express_license' AND status IN ('draft', 'pending_payment', 'active')"
)
MILESTONE_STATUSES = ("pending", "reached", "invoiced")

license_assets = sa.Table(
    "license_assets",
    Base.metadata,
    sa.Column("license_id", sa.ForeignKey("licenses.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("asset_id", sa.ForeignKey("ip_assets.id", ondelete="RESTRICT"), primary_key=True, index=True),
)


class License(TimestampMixin, Base):
    __tablename__ = "licenses"

    id: Mapped[int] = mapped_column(primary_key=True)
    licensor_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    licensee_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    #: what created it: ``express_license`` or ``offer``, with that object's id (no FK: ip sits below both)
    source_type: Mapped[str] = mapped_column(sa.String(30))
    source_id: Mapped[int | None]
    #: the listing the license came from, for the university's per-listing statistics
    listing_id: Mapped[int | None] = mapped_column(index=True)
    exclusivity: Mapped[str] = mapped_column(sa.String(20))
    #: fields of use (taxonomy codes; a parent covers its children)
    fields: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: ISO 3166 codes, ``EU`` or ``WORLDWIDE``
    territories: Mapped[list] = mapped_column(sa.JSON, default=list)
    start_date: Mapped[date]
    #: last day of the term; null while the license runs until terminated
    end_date: Mapped[date | None]
    sublicensing: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(sa.String(20), default="draft", index=True)
    currency: Mapped[str] = mapped_column(sa.String(3))
    upfront_fee_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    #: royalty on net sales, in basis points
    royalty_rate_bps: Mapped[int] = mapped_column(default=0)
    minimum_annual_royalty_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    #: equity granted to the licensor, in basis points of the licensee's shares (startups)
    equity_bps: Mapped[int] = mapped_column(default=0)
    reporting_period: Mapped[str] = mapped_column(sa.String(20), default="annual")
    activated_at: Mapped[datetime | None]
    terminated_at: Mapped[datetime | None]
    termination_date: Mapped[date | None]
    termination_reason: Mapped[str | None] = mapped_column(sa.Text)
    #: the invoice of the upfront fee (payments' invoice id; no FK: payments is another package)
    upfront_invoice_id: Mapped[int | None] = mapped_column(index=True)

    licensor: Mapped[Organization] = relationship(foreign_keys=[licensor_id])
    licensee: Mapped[Organization] = relationship(foreign_keys=[licensee_id])
    assets: Mapped[list[IPAsset]] = relationship(secondary=license_assets, order_by=IPAsset.id)
    milestones: Mapped[list[LicenseMilestone]] = relationship(
        back_populates="license", cascade="all, delete-orphan", order_by="LicenseMilestone.id"
    )

    __table_args__ = (
        sa.CheckConstraint(f"exclusivity IN {EXCLUSIVITY!r}", name="exclusivity"),
        sa.CheckConstraint(f"status IN {LICENSE_STATUSES!r}", name="status"),
        sa.CheckConstraint(f"reporting_period IN {REPORTING_PERIODS!r}", name="reporting_period"),
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name="term"),
        sa.CheckConstraint(
            "upfront_fee_amount >= 0 AND minimum_annual_royalty_amount >= 0 AND royalty_rate_bps BETWEEN 0 AND 10000"
            " AND equity_bps BETWEEN 0 AND 10000",
            name="amounts",
        ),
        # One open express-license purchase per buyer and listing: of two simultaneous purchases
        # the second insert waits for the first transaction and then fails (see listings.express).
        sa.Index(
            "uq_licenses_open_express_purchase",
            "listing_id",
            "licensee_id",
            unique=True,
            sqlite_where=sa.text(OPEN_EXPRESS_PURCHASE),
            postgresql_where=sa.text(OPEN_EXPRESS_PURCHASE),
        ),
    )


class LicenseMilestone(Base):
    """A milestone payment of a license: reached (licensee, with evidence) or confirmed (licensor)."""

    __tablename__ = "license_milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    license_id: Mapped[int] = mapped_column(sa.ForeignKey("licenses.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    due_date: Mapped[date | None]
    #: the event that makes it due when there is no date ("first regulatory approval")
    trigger: Mapped[str | None] = mapped_column(sa.String(500))
    #: pending -> reached (licensee, with evidence) -> invoiced (confirmed by the licensor, or due by date)
    status: Mapped[str] = mapped_column(sa.String(20), default="pending")
    evidence: Mapped[str | None] = mapped_column(sa.Text)
    reached_at: Mapped[datetime | None]
    reached_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_at: Mapped[datetime | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    invoice_id: Mapped[int | None] = mapped_column(index=True)

    license: Mapped[License] = relationship(back_populates="milestones")

    __table_args__ = (
        sa.CheckConstraint(f"status IN {MILESTONE_STATUSES!r}", name="status"),
        sa.CheckConstraint("amount > 0", name="amount"),
    )


class RoyaltyReport(Base):
    """What a licensee sold in one reporting period, and the royalty (and any true-up) it owes."""

    __tablename__ = "royalty_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    license_id: Mapped[int] = mapped_column(sa.ForeignKey("licenses.id", ondelete="CASCADE"), index=True)
    period_start: Mapped[date]
    period_end: Mapped[date]
    #: the last day the report was due (period end plus the grace days)
    due_date: Mapped[date]
    currency: Mapped[str] = mapped_column(sa.String(3))
    net_sales_amount: Mapped[int] = mapped_column(sa.BigInteger)
    units: Mapped[int] = mapped_column(sa.BigInteger)
    #: the license's rate when the report was made
    royalty_rate_bps: Mapped[int]
    #: rate x net sales, half-up
    royalty_amount: Mapped[int] = mapped_column(sa.BigInteger)
    #: the minimum annual royalty shortfall charged when this report completed a license year
    true_up_amount: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    invoice_id: Mapped[int | None] = mapped_column(index=True)
    true_up_invoice_id: Mapped[int | None] = mapped_column(index=True)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime]
    is_late: Mapped[bool] = mapped_column(default=False)

    license: Mapped[License] = relationship()
    lines: Mapped[list[RoyaltyReportLine]] = relationship(
        cascade="all, delete-orphan", order_by="RoyaltyReportLine.territory", lazy="selectin"
    )

    __table_args__ = (
        sa.UniqueConstraint("license_id", "period_start", name="uq_royalty_reports_license_period"),
        sa.CheckConstraint(
            "net_sales_amount >= 0 AND units >= 0 AND royalty_amount >= 0 AND true_up_amount >= 0", name="amounts"
        ),
        sa.CheckConstraint("period_end >= period_start", name="period"),
    )


class RoyaltyReportLine(Base):
    """Net sales and units of one territory within a royalty report."""

    __tablename__ = "royalty_report_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("royalty_reports.id", ondelete="CASCADE"), index=True)
    #: ISO 3166 country code
    territory: Mapped[str] = mapped_column(sa.String(2))
    net_sales_amount: Mapped[int] = mapped_column(sa.BigInteger)
    units: Mapped[int] = mapped_column(sa.BigInteger)

    __table_args__ = (
        sa.UniqueConstraint("report_id", "territory", name="uq_royalty_report_lines_report_territory"),
        sa.CheckConstraint("net_sales_amount >= 0 AND units >= 0", name="amounts"),
    )
