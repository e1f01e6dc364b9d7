"""Browser sessions kept on the server: the cookie carries a secret, a row keeps its hash.

Ending a session deletes its row, so a copy of the cookie stops working at once. Loading a
session only reads (no "last seen" update): a GET never writes.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from marketplace.accounts.models import User, UserSession
from marketplace.core.db import utcnow
from marketplace.core.tokens import hash_secret, new_secret


def _lifetime(remember: bool) -> timedelta:
    lifetime = current_app.permanent_session_lifetime
    if remember:
        duration = current_app.config.get("REMEMBER_COOKIE_DURATION", timedelta(days=365))
        if not isinstance(duration, timedelta):
            duration = timedelta(seconds=int(duration))
        lifetime = max(lifetime, duration)
    return lifetime


def start_session(session, user: User, *, remember: bool = False) -> str:
    """Open a session for ``user``; returns its secret (also set as ``user.session_key`` for Flask-Login)."""
    now = utcnow()
    session.execute(sa.delete(UserSession).where(UserSession.user_id == user.id, UserSession.expires_at <= now))
    plain, digest = new_secret()
    session.add(UserSession(user_id=user.id, token_hash=digest, created_at=now, expires_at=now + _lifetime(remember)))
    user.session_key = plain
    return plain


def load_session_user(session, key: str) -> User | None:
    """The active user whose open session has this secret, or None (reads only)."""
    row = session.execute(
        sa.select(UserSession).options(joinedload(UserSession.user)).where(UserSession.token_hash == hash_secret(key))
    ).scalar_one_or_none()
    if row is None or row.expires_at <= utcnow() or not row.user.is_active:
        return None
    row.user.session_key = key
    return row.user


def end_session(session, key: str | None) -> None:
    """End the session with this secret (nothing happens when there is none)."""
    if key:
        session.execute(sa.delete(UserSession).where(UserSession.token_hash == hash_secret(key)))


def end_all_sessions(session, user: User) -> None:
    """End every session of ``user``, on every browser."""
    if user.id is not None:
        session.execute(sa.delete(UserSession).where(UserSession.user_id == user.id))
    user.session_key = None
