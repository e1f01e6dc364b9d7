"""Offers on a listing: a negotiation between a company and the listing's university, one
revision of the terms per proposal, counter-proposal or edit."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import Organization, User
from marketplace.core.db import Base, TimestampMixin, utcnow
from marketplace.listings.models import Listing

if TYPE_CHECKING:
    from marketplace.deals.sponsorships.models import SponsorshipAgreement

OFFER_KINDS = ("license", "sponsored_research")
OFFER_STATUSES = ("open", "accepted", "rejected", "withdrawn", "expired")
SIDES = ("company", "university")
REJECTION_REASONS = ("price", "field_taken", "stage", "fit", "other")


class Offer(TimestampMixin, Base):
    __tablename__ = "offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(sa.ForeignKey("listings.id", ondelete="RESTRICT"), index=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    university_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    status: Mapped[str] = mapped_column(sa.String(20), default="open", index=True)
    #: the side whose answer the open offer waits for (the side that did not make the latest revision)
    turn: Mapped[str] = mapped_column(sa.String(20))
    #: number of the latest revision (1 for the first proposal)
    revision_number: Mapped[int] = mapped_column(default=1)
    #: the latest revision's terms, as stored in that revision
    terms: Mapped[dict] = mapped_column(sa.JSON)
    #: the last day the latest revision can be accepted
    expires_on: Mapped[date] = mapped_column(index=True)
    #: bumped on every change; the ETag is derived from it
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    rejection_reason: Mapped[str | None] = mapped_column(sa.String(20))
    rejection_text: Mapped[str | None] = mapped_column(sa.Text)
    #: what acceptance created
    license_id: Mapped[int | None] = mapped_column(sa.ForeignKey("licenses.id", ondelete="SET NULL"))
    #: ``"<listing>:<company>"`` while open, null once closed: one open negotiation per pair
    open_key: Mapped[str | None] = mapped_column(sa.String(40), unique=True)

    listing: Mapped[Listing] = relationship()
    company: Mapped[Organization] = relationship(foreign_keys=[company_id])
    university: Mapped[Organization] = relationship(foreign_keys=[university_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    #: the agreement an accepted sponsored-research offer created
    sponsorship: Mapped[SponsorshipAgreement | None] = relationship(viewonly=True, uselist=False)
    revisions: Mapped[list[OfferRevision]] = relationship(
        back_populates="offer", cascade="all, delete-orphan", order_by="OfferRevision.number"
    )

    __table_args__ = (
        sa.CheckConstraint(f"kind IN {OFFER_KINDS!r}", name="kind"),
        sa.CheckConstraint(f"status IN {OFFER_STATUSES!r}", name="status"),
        sa.CheckConstraint(f"turn IN {SIDES!r}", name="turn"),
        sa.CheckConstraint(f"rejection_reason IS NULL OR rejection_reason IN {REJECTION_REASONS!r}", name="rejection"),
    )

    def is_past_expiry(self, today: date) -> bool:
        return self.status == "open" and self.expires_on < today

    def effective_status(self, today: date) -> str:
        """The status, counting an open offer past its date as expired before the nightly job runs."""
        return "expired" if self.is_past_expiry(today) else self.status


class OfferRevision(Base):
    """One proposal of terms, by one side: the first offer, a counter, or an edit."""

    __tablename__ = "offer_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    offer_id: Mapped[int] = mapped_column(sa.ForeignKey("offers.id", ondelete="CASCADE"))
    number: Mapped[int]
    #: ``offer`` (the first), ``counter`` (the other side answers with changes), ``edit`` (the same side amends)
    kind: Mapped[str] = mapped_column(sa.String(20))
    side: Mapped[str] = mapped_column(sa.String(20))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    terms: Mapped[dict] = mapped_column(sa.JSON)
    message: Mapped[str | None] = mapped_column(sa.Text)
    expires_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    offer: Mapped[Offer] = relationship(back_populates="revisions")
    author: Mapped[User | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("offer_id", "number", name="uq_offer_revisions_offer_number"),
        sa.CheckConstraint(f"side IN {SIDES!r}", name="side"),
        sa.CheckConstraint("kind IN ('offer', 'counter', 'edit')", name="kind"),
    )
