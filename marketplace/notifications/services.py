"""Queue emails and notifications with the business transaction; a worker delivers them after commit."""

from __future__ import annotations

import logging
import re
from datetime import datetime
from email.message import EmailMessage

import sqlalchemy as sa
from blinker import signal
from flask import current_app

from marketplace.core.db import utcnow
from marketplace.core.errors import NotFound
from marketplace.core.pagination import paginate
from marketplace.core.transaction import after_commit_batch
from marketplace.notifications.backends import backend_from_config
from marketplace.notifications.models import Notification, OutboundEmail

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
#: the lengths of the ``subject`` and ``title`` columns
SUBJECT_MAX = TITLE_MAX = 300
#: whitespace runs (line breaks and Unicode line separators included), control characters, lone surrogates
_HEADER_BREAKS = re.compile("[\\s\x00-\x1f\x7f-\x9f\ud800-\udfff]+")

#: sent after a commit with ``ids``: the emails that transaction queued, to be delivered
emails_committed = signal("emails-committed")


def queue_email(session, *, to: str, subject: str, body: str, category: str) -> OutboundEmail:
    """Put an email in the outbox; it is handed to the job queue once the transaction commits."""
    email = OutboundEmail(to_address=to, subject=one_line(subject, SUBJECT_MAX), body=body, category=category)
    session.add(email)
    session.flush()
    if current_app.config.get("EMAIL_DELIVER_AFTER_REQUEST", True):
        after_commit_batch(session, "emails", email.id, lambda ids: emails_committed.send(None, ids=ids))
    return email


def notify(session, user_id: int, *, kind: str, title: str, body: str = "", data: dict | None = None) -> Notification:
    """Add an in-app notification for one user."""
    note = Notification(user_id=user_id, kind=kind, title=one_line(title, TITLE_MAX), body=body, data=data or {})
    session.add(note)
    return note


def tell(session, people, *, kind: str, title: str, body: str, link: str | None = None, data: dict | None = None) -> None:
    """Notify each person in the app and queue them an email (``people``: objects with id, name, email)."""
    text = body + (f"\n\n{link}\n" if link else "\n")
    for person in people:
        notify(session, person.id, kind=kind, title=title, body=body, data=data)
        queue_email(session, to=person.email, subject=title, body=f"Hello {person.name},\n\n{text}", category=kind)


def deliver_pending(
    session, ids: list[int] | None = None, limit: int = 100, queued_before: datetime | None = None
) -> tuple[int, int]:
    """Send queued emails (all, those in ``ids``, or those queued before a time) over one connection;
    returns ``(sent, failed)``. Commits per email.

    One email never stops the others: a network or SMTP error keeps it queued for a retry (failed
    after ``MAX_ATTEMPTS``), a message that cannot be built or sent at all is marked failed at once,
    each with its error.
    """
    backend = backend_from_config(current_app.config)
    try:
        return _deliver(session, backend, ids, limit, queued_before)
    finally:
        backend.close()


def _deliver(session, backend, ids, limit, queued_before) -> tuple[int, int]:
    stmt = sa.select(OutboundEmail).where(OutboundEmail.status == "queued").order_by(OutboundEmail.id).limit(limit)
    if ids is not None:
        stmt = stmt.where(OutboundEmail.id.in_(ids))
    if queued_before is not None:
        stmt = stmt.where(OutboundEmail.created_at < queued_before)
    sent = failed = 0
    for email in session.execute(stmt).scalars().all():
        email.attempts += 1
        try:
            backend.send(build_message(email, current_app.config["EMAIL_FROM"]))
        except OSError as exc:  # network and SMTP errors: keep the email for a retry
            _record_failure(email, exc, final=email.attempts >= MAX_ATTEMPTS)
            failed += 1
        except (ValueError, TypeError) as exc:  # the message itself is unsendable (headers, encoding)
            _record_failure(email, exc, final=True)
            failed += 1
        else:
            email.status = "sent"
            email.sent_at = utcnow()
            sent += 1
        session.commit()
    return sent, failed


def build_message(email: OutboundEmail, sender: str) -> EmailMessage:
    """The email as a MIME message, its subject made one line whatever was stored (ValueError when an
    address cannot be a header)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to_address
    message["Subject"] = one_line(email.subject, SUBJECT_MAX)
    message.set_content(email.body)
    return message


def one_line(value: str, max_length: int | None = None) -> str:
    """``value`` fit for an email subject or a notice's title: line breaks, line separators and control
    characters become single spaces (a header cannot carry them), cut to ``max_length``."""
    text = _HEADER_BREAKS.sub(" ", value or "").strip()
    if max_length is not None and len(text) > max_length:
        text = text[: max_length - 1].rstrip() + "…"
    return text


def _record_failure(email: OutboundEmail, exc: Exception, *, final: bool) -> None:
    email.last_error = f"{type(exc).__name__}: {exc}"
    if final:
        email.status = "failed"
    log.warning("email %s to %r failed%s: %s", email.id, email.to_address, "" if final else " (will retry)", exc)


def list_notifications(session, user_id: int, *, unread=None, page=1, page_size=20):
    """A user's notifications, newest first."""
    stmt = sa.select(Notification).where(Notification.user_id == user_id).order_by(Notification.id.desc())
    if unread is True:
        stmt = stmt.where(Notification.read_at.is_(None))
    elif unread is False:
        stmt = stmt.where(Notification.read_at.is_not(None))
    return paginate(session, stmt, page, page_size)


def mark_read(session, user_id: int, notification_id: int | None = None) -> int:
    """Mark one (or every) unread notification of the user as read; returns how many changed."""
    stmt = (
        sa.update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    if notification_id is not None:
        note = session.get(Notification, notification_id)
        if note is None or note.user_id != user_id:
            raise NotFound("No such notification.")
        stmt = stmt.where(Notification.id == notification_id)
    return session.execute(stmt).rowcount


def unread_count(session, user_id: int) -> int:
    return session.execute(
        sa.select(sa.func.count()).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    ).scalar_one()
