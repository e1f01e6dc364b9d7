"""Admin read models."""

from __future__ import annotations

import sqlalchemy as sa

from marketplace.core.audit import AuditEvent
from marketplace.core.pagination import Page, paginate


def list_audit_events(session, *, action=None, object_type=None, object_id=None, actor_user_id=None, since=None,
                      until=None, page=1, page_size=20) -> Page:
    """The audit trail, newest first, filtered."""
    stmt = sa.select(AuditEvent).order_by(AuditEvent.id.desc())
    if action:
        stmt = stmt.where(AuditEvent.action == action) if "." in action else stmt.where(
            AuditEvent.action.like(f"{action}.%")
        )
    if object_type:
        stmt = stmt.where(AuditEvent.object_type == object_type)
    if object_id:
        stmt = stmt.where(AuditEvent.object_id == object_id)
    if actor_user_id:
        stmt = stmt.where(AuditEvent.actor_user_id == actor_user_id)
    if since:
        stmt = stmt.where(AuditEvent.created_at >= since)
    if until:
        stmt = stmt.where(AuditEvent.created_at < until)
    return paginate(session, stmt, page, page_size)
