"""The licenses an organization grants or holds, with what they have paid, owe and owe late;
termination by the licensor."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from marketplace.core.db import utcnow
from marketplace.core.errors import ValidationFailed
from marketplace.core.pagination import Page, paginate
from marketplace.ip.licenses import billing, services
from marketplace.ip.licenses.access import LICENSEE, LICENSOR, require_manager, require_side, tell, visible_license
from marketplace.ip.licenses.models import License, RoyaltyReport


def invoice_ids(session, licenses: list[License]) -> dict[int, list[int]]:
    """Every invoice issued for each license: upfront fee, milestones, royalties and true-ups."""
    ids: dict[int, list[int]] = {lic.id: [] for lic in licenses}
    for lic in licenses:
        ids[lic.id].append(lic.upfront_invoice_id)
        ids[lic.id].extend(m.invoice_id for m in lic.milestones)
    if ids:
        rows = session.execute(
            sa.select(RoyaltyReport.license_id, RoyaltyReport.invoice_id, RoyaltyReport.true_up_invoice_id).where(
                RoyaltyReport.license_id.in_(list(ids))
            )
        )
        for license_id, invoice_id, true_up_id in rows:
            ids[license_id].extend((invoice_id, true_up_id))
    return {key: [i for i in values if i is not None] for key, values in ids.items()}


def with_money(session, licenses: list[License], today: date | None = None) -> list[License]:
    """Attach ``money`` (invoiced, paid, outstanding, overdue) to each license."""
    ids = invoice_ids(session, licenses)
    summaries = billing.summarize(session, {lic.id: (lic.currency, ids[lic.id]) for lic in licenses},
                                  today or utcnow().date())
    for lic in licenses:
        lic.money = summaries[lic.id]
    return licenses


def list_licenses(session, user, *, role=None, status=None, listing_id=None, page=1, page_size=20) -> Page:
    """Licenses the caller's organization grants (licensor) or holds (licensee), newest first."""
    org = user.organization_id
    sides = {LICENSOR: License.licensor_id == org, LICENSEE: License.licensee_id == org}
    stmt = (
        sa.select(License)
        .where(sides[role] if role else sa.or_(*sides.values()))
        .options(selectinload(License.milestones), selectinload(License.assets),
                 selectinload(License.licensor), selectinload(License.licensee))
    )
    if status:
        stmt = stmt.where(License.status == status)
    if listing_id is not None:
        stmt = stmt.where(License.listing_id == listing_id)
    result = paginate(session, stmt.order_by(License.id.desc()), page, page_size)
    with_money(session, list(result.items))
    return result


def get_license(session, user, license_id: int) -> License:
    license, _ = visible_license(session, user, license_id)
    return with_money(session, [license])[0]


def terminate(session, user, license_id: int, *, reason: str, effective_on: date | None = None) -> License:
    """The licensor ends the license (reason, effective date: today or earlier, not before the start)."""
    license, side = visible_license(session, user, license_id, lock=True)
    require_side(side, LICENSOR, "terminate a license")
    require_manager(user, "terminate licenses")
    today = utcnow().date()
    effective_on = effective_on or today
    if effective_on > today or effective_on < license.start_date:
        raise ValidationFailed(
            "A termination takes effect between the license's start and today.",
            errors={"effective_on": [f"Between {license.start_date.isoformat()} and {today.isoformat()}."]},
        )
    services.terminate(session, license, reason=reason, on=effective_on)
    session.flush()
    tell(session, license, LICENSEE, kind="license_terminated", actor_id=user.id,
         title=f"License {license.id} terminated",
         body=f"{license.licensor.name} terminated the license effective {effective_on.isoformat()}.\n\nReason: {reason}\n\n"
              "Royalty reports remain due for the periods up to that day.")
    return with_money(session, [license])[0]
