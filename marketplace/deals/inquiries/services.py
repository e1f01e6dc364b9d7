"""Inquiry rules: who opens a thread, who reads and writes in it, what is unread."""

from __future__ import annotations

import sqlalchemy as sa

from marketplace.core import audit
from marketplace.core.db import utcnow
from marketplace.core.errors import NotFound
from marketplace.core.pagination import Page, paginate
from marketplace.deals.inquiries.models import Inquiry, InquiryMessage, InquiryReadMark
from marketplace.accounts.notices import link, tell_organization
from marketplace.deals.parties import COMPANY, party_side, published_listing

PREVIEW_CHARS = 300


def _preview(text: str) -> str:
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"


def _unread_counts(session, user, inquiry_ids: list[int] | None = None) -> dict[int, int]:
    """Unread messages of the other side per inquiry of the caller's organization (or of ``inquiry_ids``)."""
    mark = sa.orm.aliased(InquiryReadMark)
    stmt = (
        sa.select(InquiryMessage.inquiry_id, sa.func.count())
        .join(Inquiry, Inquiry.id == InquiryMessage.inquiry_id)
        .outerjoin(mark, sa.and_(mark.inquiry_id == InquiryMessage.inquiry_id, mark.user_id == user.id))
        .where(
            _mine(user),
            InquiryMessage.author_organization_id != user.organization_id,
            InquiryMessage.id > sa.func.coalesce(mark.last_read_message_id, 0),
        )
        .group_by(InquiryMessage.inquiry_id)
    )
    if inquiry_ids is not None:
        if not inquiry_ids:
            return {}
        stmt = stmt.where(InquiryMessage.inquiry_id.in_(inquiry_ids))
    return dict(session.execute(stmt).all())


def _with_unread(session, user, inquiries):
    counts = _unread_counts(session, user, [i.id for i in inquiries])
    for inquiry in inquiries:
        inquiry.unread_count = counts.get(inquiry.id, 0)
    return inquiries


def _mine(user):
    return sa.or_(Inquiry.company_id == user.organization_id, Inquiry.university_id == user.organization_id)


def _load(session, user, inquiry_id: int) -> tuple[Inquiry, str]:
    """The inquiry and the caller's side of it; 404 for anyone else."""
    inquiry = session.get(Inquiry, inquiry_id)
    if inquiry is None:
        raise NotFound("No such inquiry.")
    return inquiry, party_side(user, inquiry, "inquiry")


def _advance_read_mark(session, user, inquiry_id: int, message_id: int) -> None:
    mark = session.get(InquiryReadMark, (inquiry_id, user.id))
    if mark is None:
        session.add(InquiryReadMark(inquiry_id=inquiry_id, user_id=user.id, last_read_message_id=message_id))
    elif mark.last_read_message_id < message_id:
        mark.last_read_message_id, mark.read_at = message_id, utcnow()


def _tell_other_side(session, user, inquiry: Inquiry, side: str, message: InquiryMessage, *, first: bool) -> None:
    if side == COMPANY:
        org_id, responsible = inquiry.university_id, inquiry.listing.contact_user_id
        who = inquiry.company.name
    else:
        org_id, responsible = inquiry.company_id, inquiry.created_by_id
        who = inquiry.university.name
    title = (
        f"New inquiry about “{inquiry.listing.title}” from {who}"
        if first
        else f"New message from {who} about “{inquiry.listing.title}”"
    )
    body = (
        f"{user.name} ({who}) wrote:\n\n{_preview(message.body)}\n\n"
        f"Read and answer: {link(f'/inquiries/{inquiry.id}')}"
    )
    tell_organization(
        session,
        org_id,
        kind="inquiry_message",
        title=title,
        body=body,
        data={"inquiry_id": inquiry.id, "listing_id": inquiry.listing_id, "message_id": message.id},
        responsible_user_id=responsible,
        actor_id=user.id,
    )


def open_inquiry(session, user, *, listing_id: int, subject: str, message: str) -> Inquiry:
    """A company starts a thread with the university behind a published listing."""
    listing = published_listing(session, listing_id)
    now = utcnow()
    inquiry = Inquiry(
        listing=listing,
        company_id=user.organization_id,
        university_id=listing.university_id,
        subject=subject,
        created_by_id=user.id,
        created_at=now,
        last_message_at=now,
        message_count=1,
    )
    first = InquiryMessage(author_id=user.id, author_organization_id=user.organization_id, body=message, created_at=now)
    session.add(inquiry)
    session.flush()
    first.inquiry_id = inquiry.id
    session.add(first)
    session.flush()
    _advance_read_mark(session, user, inquiry.id, first.id)
    audit.record(session, "inquiry.open", inquiry, changes={"listing_id": listing.id, "subject": subject})
    _tell_other_side(session, user, inquiry, COMPANY, first, first=True)
    inquiry.unread_count = 0
    return inquiry


def post_message(session, user, inquiry_id: int, body: str) -> InquiryMessage:
    """Add a message to a thread; the other side is notified."""
    inquiry, side = _load(session, user, inquiry_id)
    now = utcnow()
    message = InquiryMessage(
        inquiry_id=inquiry.id, author_id=user.id, author_organization_id=user.organization_id, body=body, created_at=now
    )
    session.add(message)
    inquiry.last_message_at = now
    inquiry.message_count = Inquiry.message_count + 1
    session.flush()
    _advance_read_mark(session, user, inquiry.id, message.id)
    audit.record(session, "inquiry.message", inquiry, changes={"message_id": message.id, "side": side})
    _tell_other_side(session, user, inquiry, side, message, first=False)
    return message


def list_inquiries(session, user, *, listing_id=None, unread=None, page=1, page_size=20) -> Page:
    """The inquiries of the caller's organization (either side), most recently active first."""
    stmt = sa.select(Inquiry).where(_mine(user)).order_by(Inquiry.last_message_at.desc(), Inquiry.id.desc())
    if listing_id is not None:
        stmt = stmt.where(Inquiry.listing_id == listing_id)
    if unread is not None:
        mark = sa.orm.aliased(InquiryReadMark)
        has_unread = (
            sa.select(InquiryMessage.id)
            .outerjoin(mark, sa.and_(mark.inquiry_id == InquiryMessage.inquiry_id, mark.user_id == user.id))
            .where(
                InquiryMessage.inquiry_id == Inquiry.id,
                InquiryMessage.author_organization_id != user.organization_id,
                InquiryMessage.id > sa.func.coalesce(mark.last_read_message_id, 0),
            )
            .exists()
        )
        stmt = stmt.where(has_unread if unread else ~has_unread)
    result = paginate(session, stmt, page, page_size)
    _with_unread(session, user, result.items)
    return result


def get_inquiry(session, user, inquiry_id: int) -> Inquiry:
    inquiry, _ = _load(session, user, inquiry_id)
    return _with_unread(session, user, [inquiry])[0]


def list_messages(session, user, inquiry_id: int, *, page=1, page_size=20) -> Page:
    """A thread's messages, oldest first."""
    inquiry, _ = _load(session, user, inquiry_id)
    stmt = sa.select(InquiryMessage).where(InquiryMessage.inquiry_id == inquiry.id).order_by(InquiryMessage.id)
    return paginate(session, stmt, page, page_size)


def mark_read(session, user, inquiry_id: int) -> Inquiry:
    """Mark every message of the thread as read by the caller."""
    inquiry, _ = _load(session, user, inquiry_id)
    latest = session.execute(
        sa.select(sa.func.max(InquiryMessage.id)).where(InquiryMessage.inquiry_id == inquiry.id)
    ).scalar()
    _advance_read_mark(session, user, inquiry.id, latest or 0)
    session.flush()
    inquiry.unread_count = 0
    return inquiry


def unread_summary(session, user) -> dict:
    """Unread messages (and threads with any) over the caller's organization's inquiries."""
    counts = _unread_counts(session, user)
    return {"unread": sum(counts.values()), "threads": sum(1 for c in counts.values() if c)}
