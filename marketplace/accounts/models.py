"""Organizations and the people who act for them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.db import Base, TimestampMixin

ORG_KINDS = ("university", "company", "startup", "incubator")
VERIFICATION_STATES = ("pending", "verified", "rejected")
ROLES = ("member", "manager")


class Organization(TimestampMixin, Base):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(20), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    #: stable, unique, URL-safe name
    slug: Mapped[str] = mapped_column(sa.String(220), unique=True)
    #: ISO 3166-1 alpha-2
    country: Mapped[str] = mapped_column(sa.String(2), index=True)
    website: Mapped[str | None] = mapped_column(sa.String(500))
    description: Mapped[str | None] = mapped_column(sa.Text)
    verification_status: Mapped[str] = mapped_column(sa.String(20), default="pending", index=True)
    verified_at: Mapped[datetime | None]
    #: why an admin rejected the organization (shown to its members)
    rejection_reason: Mapped[str | None] = mapped_column(sa.Text)

    members: Mapped[list[User]] = relationship(back_populates="organization", order_by="User.id")

    __table_args__ = (
        sa.CheckConstraint(f"kind IN {ORG_KINDS!r}", name="kind"),
        sa.CheckConstraint(f"verification_status IN {VERIFICATION_STATES!r}", name="verification_status"),
    )

    @property
    def is_verified(self) -> bool:
        return self.verification_status == "verified"


class User(TimestampMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: stored lower-cased, so uniqueness is case-insensitive
    email: Mapped[str] = mapped_column(sa.String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    name: Mapped[str] = mapped_column(sa.String(200))
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    role: Mapped[str | None] = mapped_column(sa.String(20))
    is_admin: Mapped[bool] = mapped_column(default=False)
    suspended_at: Mapped[datetime | None]
    suspension_reason: Mapped[str | None] = mapped_column(sa.Text)
    #: set when a manager removed the user (or the user left): the account can no longer log in
    removed_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    #: the language the person chose for pages and emails (``vi``, ``en``); None: their browser's
    locale: Mapped[str | None] = mapped_column(sa.String(8))

    organization: Mapped[Organization | None] = relationship(back_populates="members")

    __table_args__ = (
        sa.CheckConstraint(f"role IS NULL OR role IN {ROLES!r}", name="role"),
        sa.CheckConstraint("organization_id IS NOT NULL OR is_admin", name="organization_or_admin"),
    )

    # Flask-Login protocol
    @property
    def is_active(self) -> bool:
        return self.suspended_at is None and self.removed_at is None

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    #: the secret of the browser session this request runs in (set when a session starts or is
    #: loaded; not a column): Flask-Login keeps it in the cookie, the server keeps its hash
    session_key = None

    def get_id(self) -> str:
        if not self.session_key:
            raise RuntimeError("start a session with accounts.services.start_session before login_user")
        return self.session_key

    @property
    def is_manager(self) -> bool:
        return self.role == "manager"


class UserSession(Base):
    """A browser session: the cookie carries its secret; deleting the row ends it everywhere."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the secret the session cookie carries
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]

    user: Mapped[User] = relationship()


class Invitation(Base):
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(sa.String(320))
    role: Mapped[str] = mapped_column(sa.String(20), default="member")
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    organization: Mapped[Organization] = relationship()
    invited_by: Mapped[User | None] = relationship()

    def status(self, now: datetime) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "pending"


class PasswordResetToken(Base):
    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    #: first characters of the token, shown in lists so a user can tell tokens apart
    prefix: Mapped[str] = mapped_column(sa.String(16))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
