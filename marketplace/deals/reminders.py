"""Deal reminders: an NDA request the university has left waiting more than 3 working days (to the
university's managers), an open offer expiring in 2 days (to the managers of the side whose turn it is)."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from marketplace.accounts.services import active_members
from marketplace.deals.ndas.models import NDARequest
from marketplace.deals.offers.models import Offer
from marketplace.deals.parties import UNIVERSITY
from marketplace.notifications import reminders
from marketplace.notifications.reminders import Reminder, working_days_between

NDA_WAITING_WORKING_DAYS = 3
OFFER_EXPIRING_DAYS = 2


def nda_requests_waiting(session, today: date) -> list[Reminder]:
    """Pending NDA requests made more than 3 working days (Monday to Friday) before ``today``."""
    pending = session.execute(
        sa.select(NDARequest).where(NDARequest.status == "pending")
        .options(selectinload(NDARequest.listing), selectinload(NDARequest.company))
        .order_by(NDARequest.id)
    ).scalars()
    return [
        Reminder(
            kind="nda_request_waiting", object_type="nda_request", object_id=request.id,
            stage=f"waiting_{NDA_WAITING_WORKING_DAYS}_working_days",
            people=active_members(session, request.university_id, managers_only=True),
            title=f"NDA request from {request.company.name} is waiting for your answer",
            body=f"{request.company.name} asked on {request.created_at.date().isoformat()} to see the confidential "
                 f"details of “{request.listing.title}”. Please accept or decline the request.",
            path=f"/nda-requests/{request.id}", data={"nda_request_id": request.id, "listing_id": request.listing_id},
        )
        for request in pending
        if working_days_between(request.created_at.date(), today) > NDA_WAITING_WORKING_DAYS
    ]


def offers_expiring(session, today: date) -> list[Reminder]:
    """Open offers whose latest revision can be accepted for 2 more days or less."""
    expiring = session.execute(
        sa.select(Offer)
        .where(Offer.status == "open", Offer.expires_on >= today,
               Offer.expires_on <= today + timedelta(days=OFFER_EXPIRING_DAYS))
        .options(selectinload(Offer.listing))
        .order_by(Offer.id)
    ).scalars()
    return [
        Reminder(
            kind="offer_expiring", object_type="offer", object_id=offer.id,
            # each revision has its own expiry date, so its own reminder
            stage=f"r{offer.revision_number}/expires_in_{OFFER_EXPIRING_DAYS}",
            people=active_members(session, offer.university_id if offer.turn == UNIVERSITY else offer.company_id,
                                  managers_only=True),
            title=f"The offer on “{offer.listing.title}” expires on {offer.expires_on.isoformat()}",
            body=f"Offer #{offer.id} waits for your answer: accept, counter or reject it by "
                 f"{offer.expires_on.isoformat()}, or it expires.",
            path=f"/offers/{offer.id}", data={"offer_id": offer.id, "listing_id": offer.listing_id},
        )
        for offer in expiring
    ]


def register() -> None:
    reminders.register("nda_request_waiting",
                       "An NDA request to your university has waited more than 3 working days.", nda_requests_waiting)
    reminders.register("offer_expiring", "An offer waiting for your organization's answer expires in 2 days.",
                       offers_expiring)
