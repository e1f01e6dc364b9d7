"""Listings, their express-license offers, workflow history and flags."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.associationproxy import association_proxy
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import Organization, User
from marketplace.core.db import Base, TimestampMixin, utcnow
from marketplace.ip.models import IPAsset

LISTING_STATUSES = ("draft", "in_review", "changes_requested", "published", "archived", "suspended")
OPPORTUNITY_TYPES = ("license", "sponsored_research", "co_development", "startup_formation")
DEVELOPMENT_STAGES = ("concept", "proof_of_concept", "prototype", "validated", "pilot", "market_ready")
FLAG_CATEGORIES = ("inaccurate", "duplicate", "infringing", "inappropriate", "spam", "other")
FLAG_STATUSES = ("open", "resolved", "dismissed")

listing_assets = sa.Table(
    "listing_assets",
    Base.metadata,
    sa.Column("listing_id", sa.ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("asset_id", sa.ForeignKey("ip_assets.id", ondelete="RESTRICT"), primary_key=True, index=True),
)


class Listing(TimestampMixin, Base):
    __tablename__ = "listings"

    id: Mapped[int] = mapped_column(primary_key=True)
    university_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    #: unique and stable: set at creation, never changed by edits
    slug: Mapped[str] = mapped_column(sa.String(120), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.String(1000))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    keywords: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: technology readiness level, 1-9
    trl: Mapped[int] = mapped_column(sa.SmallInteger)
    development_stage: Mapped[str] = mapped_column(sa.String(30))
    opportunity_types: Mapped[list] = mapped_column(sa.JSON, default=list)
    contact_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(sa.String(20), default="draft", index=True)
    #: bumped on every change; the ETag is derived from it
    version: Mapped[int] = mapped_column(default=1)
    submitted_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    #: the latest admin note asking for changes (owner and admins only)
    review_note: Mapped[str | None] = mapped_column(sa.Text)
    #: the substance of the listing as last approved, to show reviewers what changed since
    approved_snapshot: Mapped[dict | None] = mapped_column(sa.JSON)
    view_count: Mapped[int] = mapped_column(default=0)

    university: Mapped[Organization] = relationship()
    contact: Mapped[User | None] = relationship(foreign_keys=[contact_user_id])
    assets: Mapped[list[IPAsset]] = relationship(secondary=listing_assets, order_by=IPAsset.id)
    express_license: Mapped[ExpressLicense | None] = relationship(
        back_populates="listing", cascade="all, delete-orphan", uselist=False
    )
    field_links: Mapped[list[ListingField]] = relationship(
        cascade="all, delete-orphan", order_by="ListingField.code", lazy="selectin"
    )
    #: technology field codes from the taxonomy (``LS.THER``), kept in ``listing_fields``
    fields = association_proxy("field_links", "code", creator=lambda code: ListingField(code=code))

    __table_args__ = (
        sa.CheckConstraint(f"status IN {LISTING_STATUSES!r}", name="status"),
        sa.CheckConstraint("trl BETWEEN 1 AND 9", name="trl"),
        sa.Index("ix_listings_university_status", "university_id", "status"),
    )


class ListingField(Base):
    """One technology field (taxonomy code) a listing is filed under."""

    __tablename__ = "listing_fields"

    listing_id: Mapped[int] = mapped_column(sa.ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), primary_key=True, index=True)


class ExpressLicense(Base):
    """A standard non-exclusive license a verified company can buy at once, at a fixed price."""

    __tablename__ = "express_licenses"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(sa.ForeignKey("listings.id", ondelete="CASCADE"), unique=True)
    #: fields of use (taxonomy codes) the license covers
    fields: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: ISO country codes, or ``["WORLDWIDE"]``
    territories: Mapped[list] = mapped_column(sa.JSON, default=list)
    price_amount: Mapped[int] = mapped_column(sa.BigInteger)
    currency: Mapped[str] = mapped_column(sa.String(3))
    term_months: Mapped[int]
    #: standard terms shown to the buyer
    terms: Mapped[str] = mapped_column(sa.Text, default="")
    is_active: Mapped[bool] = mapped_column(default=True)

    listing: Mapped[Listing] = relationship(back_populates="express_license")

    __table_args__ = (sa.CheckConstraint("price_amount > 0", name="price_amount"),)


class ListingTransition(Base):
    """One step of a listing's workflow: who, when, from, to, why."""

    __tablename__ = "listing_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(sa.ForeignKey("listings.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(sa.String(30))
    from_status: Mapped[str] = mapped_column(sa.String(20))
    to_status: Mapped[str] = mapped_column(sa.String(20))
    actor_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[User | None] = relationship()


class ListingFlag(Base):
    """A user's report that a published listing is wrong or abusive."""

    __tablename__ = "listing_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(sa.ForeignKey("listings.id", ondelete="CASCADE"), index=True)
    reporter_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    category: Mapped[str] = mapped_column(sa.String(20))
    text: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(sa.String(20), default="open", index=True)
    resolution_note: Mapped[str | None] = mapped_column(sa.Text)
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]

    listing: Mapped[Listing] = relationship()
    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_user_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])

    __table_args__ = (
        sa.CheckConstraint(f"category IN {FLAG_CATEGORIES!r}", name="category"),
        sa.CheckConstraint(f"status IN {FLAG_STATUSES!r}", name="status"),
    )
