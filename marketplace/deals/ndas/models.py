"""Confidential details of a listing and the NDA requests that unlock them for a company."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import Organization, User
from marketplace.core.db import Base, utcnow
from marketplace.listings.models import Listing

NDA_STATUSES = ("pending", "accepted", "declined")


class ConfidentialDetails(Base):
    """What a listing's university discloses only under NDA: text and the names of documents."""

    __tablename__ = "listing_confidential_details"

    listing_id: Mapped[int] = mapped_column(sa.ForeignKey("listings.id", ondelete="CASCADE"), primary_key=True)
    text: Mapped[str] = mapped_column(sa.Text, default="")
    #: names of the documents available under NDA (the documents themselves are exchanged off-platform)
    document_names: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: the NDA a requester agrees to by click, e.g. "Mutual NDA", version "2026-01"
    nda_title: Mapped[str] = mapped_column(sa.String(200))
    nda_version: Mapped[str] = mapped_column(sa.String(40))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    listing: Mapped[Listing] = relationship()


class NDARequest(Base):
    __tablename__ = "nda_requests"
    __audit_type__ = "nda_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(sa.ForeignKey("listings.id", ondelete="RESTRICT"), index=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    university_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="pending", index=True)
    #: the NDA the requester agreed to (by click, at ``agreed_at``)
    nda_title: Mapped[str] = mapped_column(sa.String(200))
    nda_version: Mapped[str] = mapped_column(sa.String(40))
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    agreed_at: Mapped[datetime]
    message: Mapped[str | None] = mapped_column(sa.Text)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    decline_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: ``"<listing>:<company>"`` while pending or accepted, null otherwise: one live request per pair
    live_key: Mapped[str | None] = mapped_column(sa.String(40), unique=True)

    listing: Mapped[Listing] = relationship()
    company: Mapped[Organization] = relationship(foreign_keys=[company_id])
    university: Mapped[Organization] = relationship(foreign_keys=[university_id])
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    __table_args__ = (sa.CheckConstraint(f"status IN {NDA_STATUSES!r}", name="status"),)
