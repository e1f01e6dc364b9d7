"""Telling an organization: an in-app notification for each active member, an email to the people
responsible for the matter (a named person, else the managers)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from marketplace.accounts.models import User
from marketplace.notifications.services import notify, queue_email


def link(path: str) -> str:
    """An absolute link into the web app."""
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + path


def active_members(session, organization_id: int) -> list[User]:
    stmt = (
        sa.select(User)
        .where(User.organization_id == organization_id, User.suspended_at.is_(None), User.removed_at.is_(None))
        .order_by(User.id)
    )
    return list(session.execute(stmt).scalars())


def tell_organization(
    session,
    organization_id: int,
    *,
    kind: str,
    title: str,
    body: str,
    data: dict,
    responsible_user_id: int | None = None,
    actor_id: int | None = None,
) -> None:
    """Notify every active member except the actor; email the responsible person (else the managers)."""
    members = active_members(session, organization_id)
    for member in members:
        if member.id != actor_id:
            notify(session, member.id, kind=kind, title=title, body=body, data=data)
    responsible = [m for m in members if m.id == responsible_user_id] or [m for m in members if m.is_manager]
    for person in responsible:
        if person.id != actor_id:
            queue_email(session, to=person.email, subject=title, body=f"Hello {person.name},\n\n{body}\n", category=kind)
