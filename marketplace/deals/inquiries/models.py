"""An inquiry is a thread of messages between a company and the university behind a listing."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import Organization, User
from marketplace.core.db import Base, utcnow
from marketplace.listings.models import Listing


class Inquiry(Base):
    __tablename__ = "inquiries"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(sa.ForeignKey("listings.id", ondelete="RESTRICT"), index=True)
    #: the asking company (or startup)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    #: the listing's university, kept here so both sides' lists need no join
    university_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    subject: Mapped[str] = mapped_column(sa.String(200))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    last_message_at: Mapped[datetime] = mapped_column(default=utcnow)
    message_count: Mapped[int] = mapped_column(default=0)

    listing: Mapped[Listing] = relationship()
    company: Mapped[Organization] = relationship(foreign_keys=[company_id])
    university: Mapped[Organization] = relationship(foreign_keys=[university_id])
    created_by: Mapped[User | None] = relationship()


class InquiryMessage(Base):
    __tablename__ = "inquiry_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(sa.ForeignKey("inquiries.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    #: the side that wrote it (the company or the university)
    author_organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="RESTRICT"))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[User | None] = relationship()
    author_organization: Mapped[Organization] = relationship()

    __table_args__ = (sa.Index("ix_inquiry_messages_inquiry_id_id", "inquiry_id", "id"),)


class InquiryReadMark(Base):
    """How far one user has read a thread: messages of the other side after it are unread."""

    __tablename__ = "inquiry_read_marks"

    inquiry_id: Mapped[int] = mapped_column(sa.ForeignKey("inquiries.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    last_read_message_id: Mapped[int] = mapped_column(default=0)
    read_at: Mapped[datetime] = mapped_column(default=utcnow)
