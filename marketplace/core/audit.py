"""The audit trail: one immutable row per state change or money movement."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import sqlalchemy as sa
from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.core.db import Base, utcnow


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    #: who acted; null for the system (CLI, webhooks)
    actor_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    #: the actor's organization at the time of the action
    actor_organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    #: e.g. ``organization.verify``, ``listing.submit``
    action: Mapped[str] = mapped_column(sa.String(80), index=True)
    object_type: Mapped[str] = mapped_column(sa.String(60))
    object_id: Mapped[str | None] = mapped_column(sa.String(64))
    #: ``{field: [before, after]}`` or free-form details
    changes: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    ip_address: Mapped[str | None] = mapped_column(sa.String(64))

    __table_args__ = (sa.Index("ix_audit_events_object", "object_type", "object_id"),)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    return value


def record(
    session,
    action: str,
    obj: Any = None,
    *,
    changes: dict | None = None,
    object_type: str | None = None,
    object_id: Any = None,
    actor: Any = None,
) -> AuditEvent:
    """Add an audit event for ``obj`` (flushed with the caller's transaction)."""
    if actor is None and has_request_context() and current_user and current_user.is_authenticated:
        actor = current_user
    if obj is not None:
        object_type = object_type or getattr(obj, "__audit_type__", None) or _snake(type(obj).__name__)
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
    event = AuditEvent(
        action=action,
        object_type=object_type or "system",
        object_id=None if object_id is None else str(object_id),
        changes=_jsonable(changes or {}),
        actor_user_id=getattr(actor, "id", None),
        actor_organization_id=getattr(actor, "organization_id", None),
        ip_address=request.remote_addr if has_request_context() else None,
    )
    session.add(event)
    return event


def diff(before: dict, after: dict) -> dict:
    """``{field: [old, new]}`` for the fields whose value changed."""
    return {k: [before.get(k), after[k]] for k in after if before.get(k) != after[k]}
