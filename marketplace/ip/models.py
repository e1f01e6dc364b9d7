"""The IP register: patents, applications, software, know-how... owned by a university."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.accounts.models import Organization
from marketplace.core.db import Base, TimestampMixin

ASSET_KINDS = (
    "patent",
    "patent_application",
    "provisional",
    "software",
    "copyright",
    "know_how",
    "trade_secret",
    "design",
    "plant_variety",
)
ASSET_STATUSES = ("pending", "granted", "abandoned", "expired")


class IPAsset(TimestampMixin, Base):
    __tablename__ = "ip_assets"
    __audit_type__ = "ip_asset"

    id: Mapped[int] = mapped_column(primary_key=True)
    university_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    title: Mapped[str] = mapped_column(sa.String(300))
    abstract: Mapped[str] = mapped_column(sa.Text, default="")
    #: names of the inventors or authors, in order
    inventors: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: ISO 3166 country code, or a regional office: EP, WO (PCT), EA, OA, AP
    jurisdiction: Mapped[str | None] = mapped_column(sa.String(4))
    application_number: Mapped[str | None] = mapped_column(sa.String(60))
    publication_number: Mapped[str | None] = mapped_column(sa.String(60))
    patent_number: Mapped[str | None] = mapped_column(sa.String(60))
    priority_date: Mapped[date | None]
    filing_date: Mapped[date | None]
    grant_date: Mapped[date | None]
    expiry_date: Mapped[date | None]
    status: Mapped[str] = mapped_column(sa.String(20), default="pending")
    #: notes for the university's staff only, never shown publicly
    internal_notes: Mapped[str | None] = mapped_column(sa.Text)

    university: Mapped[Organization] = relationship()

    __table_args__ = (
        sa.CheckConstraint(f"kind IN {ASSET_KINDS!r}", name="kind"),
        sa.CheckConstraint(f"status IN {ASSET_STATUSES!r}", name="status"),
    )
