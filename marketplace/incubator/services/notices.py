"""Telling startups and incubator staff what happened: in-app notifications and emails."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from marketplace.accounts.models import User
from marketplace.notifications.services import notify, queue_email


def _people(session, organization_id: int) -> list[User]:
    return list(
        session.execute(
            sa.select(User)
            .where(User.organization_id == organization_id, User.removed_at.is_(None), User.suspended_at.is_(None))
            .order_by(User.id)
        ).scalars()
    )


def tell_organization(
    session, organization_id: int, *, kind: str, title: str, body: str, data: dict, email_managers: bool = True
) -> None:
    """Notify every active person of an organization; email its managers."""
    for person in _people(session, organization_id):
        notify(session, person.id, kind=kind, title=title, body=body, data=data)
        if email_managers and person.role == "manager":
            queue_email(session, to=person.email, subject=title, body=_email_body(person, body), category=kind)


def tell_user(session, user: User, *, kind: str, title: str, body: str, data: dict) -> None:
    """Notify one person in the app and by email."""
    notify(session, user.id, kind=kind, title=title, body=body, data=data)
    queue_email(session, to=user.email, subject=title, body=_email_body(user, body), category=kind)


def _email_body(user: User, body: str) -> str:
    base = current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/")
    return f"Hello {user.name},\n\n{body}\n\n{base}\n"
