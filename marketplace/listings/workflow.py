"""The listing workflow: the transition table, who may take each action, and what every move
leaves behind (a ``ListingTransition`` row, an audit event and, around publication, an outbox event)."""

from __future__ import annotations

from marketplace.core import audit
from marketplace.core.outbox import emit
from marketplace.core.statemachine import ANY, StateMachine
from marketplace.listings.models import Listing, ListingTransition

PUBLISHED = "published"
#: ``reinstate`` leads back to the state the listing was suspended from (read from its history)
PREVIOUS_STATE = "previous"

LISTING_WORKFLOW = StateMachine(
    "listing",
    {
        "submit": {"draft": "in_review", "changes_requested": "in_review", "archived": "in_review"},
        "approve": {"in_review": PUBLISHED},
        "request_changes": {"in_review": "changes_requested"},
        "archive": {PUBLISHED: "archived"},
        "suspend": {ANY: "suspended"},
        "reinstate": {"suspended": PREVIOUS_STATE},
    },
)
#: ``submit`` and ``archive`` are the listing's university's actions; the others are the admins'

FLAG_WORKFLOW = StateMachine("flag", {"resolve": {"open": "resolved"}, "dismiss": {"open": "dismissed"}})

#: outbox topics the search index follows
TOPIC_PUBLISHED = "listing.published"
TOPIC_UNPUBLISHED = "listing.unpublished"
TOPIC_UPDATED = "listing.updated"


def announce(session, listing_id: int, topic: str) -> None:
    """Write an outbox event about a listing in the caller's transaction."""
    emit(session, topic, "listing", listing_id)


def record_transition(
    session, listing: Listing, action: str, before: str, after: str, actor, reason: str | None = None
) -> ListingTransition:
    """Move ``listing`` from ``before`` to ``after`` and keep the trace: history row, audit, outbox."""
    listing.status = after
    listing.version += 1
    step = ListingTransition(
        listing_id=listing.id,
        action=action,
        from_status=before,
        to_status=after,
        actor_user_id=getattr(actor, "id", None),
        reason=reason,
    )
    session.add(step)
    changes = {"status": [before, after]}
    if reason:
        changes["reason"] = reason
    audit.record(session, f"listing.{action}", listing, actor=actor, changes=changes)
    if after == PUBLISHED and before != PUBLISHED:
        announce(session, listing.id, TOPIC_PUBLISHED)
    elif before == PUBLISHED and after != PUBLISHED:
        announce(session, listing.id, TOPIC_UNPUBLISHED)
    return step
