"""Sponsored-research agreements: funding from a company to a university, paid in tranches."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import Organization
from marketplace.core.db import Base, utcnow
from marketplace.listings.models import Listing

IP_OWNERSHIP = ("university", "sponsor", "joint")


class SponsorshipAgreement(Base):
    __tablename__ = "sponsorship_agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(sa.ForeignKey("offers.id", ondelete="RESTRICT"), unique=True)
    listing_id: Mapped[int] = mapped_column(sa.ForeignKey("listings.id", ondelete="RESTRICT"), index=True)
    university_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    sponsor_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    currency: Mapped[str] = mapped_column(sa.String(3))
    total_amount: Mapped[int] = mapped_column(sa.BigInteger)
    start_date: Mapped[date]
    end_date: Mapped[date]
    deliverables: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: who owns the IP the research produces
    ip_ownership: Mapped[str] = mapped_column(sa.String(20))
    ip_terms: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    listing: Mapped[Listing] = relationship()
    university: Mapped[Organization] = relationship(foreign_keys=[university_id])
    sponsor: Mapped[Organization] = relationship(foreign_keys=[sponsor_id])
    tranches: Mapped[list[SponsorshipTranche]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan", order_by="SponsorshipTranche.number"
    )

    __table_args__ = (
        sa.CheckConstraint(f"ip_ownership IN {IP_OWNERSHIP!r}", name="ip_ownership"),
        sa.CheckConstraint("total_amount > 0", name="total_amount"),
        sa.CheckConstraint("end_date >= start_date", name="term"),
    )


class SponsorshipTranche(Base):
    """One payment of the funding, invoiced when the agreement is made and due on its date."""

    __tablename__ = "sponsorship_tranches"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("sponsorship_agreements.id", ondelete="CASCADE"))
    number: Mapped[int]
    due_date: Mapped[date]
    amount: Mapped[int] = mapped_column(sa.BigInteger)
    invoice_id: Mapped[int | None] = mapped_column(index=True)

    agreement: Mapped[SponsorshipAgreement] = relationship(back_populates="tranches")

    __table_args__ = (
        sa.UniqueConstraint("agreement_id", "number", name="uq_sponsorship_tranches_agreement_number"),
        sa.CheckConstraint("amount > 0", name="amount"),
    )
