"""Who may see and act on a license: its licensor and its licensee, nobody else."""

from __future__ import annotations

import sqlalchemy as sa

from marketplace.accounts.notices import link, tell_organization
from marketplace.core.errors import Forbidden, NotFound
from marketplace.ip.licenses.models import License

LICENSOR = "licensor"
LICENSEE = "licensee"


def visible_license(session, user, license_id: int, *, lock: bool = False) -> tuple[License, str]:
    """The license and the caller's side of it (licensor or licensee); 404 for everyone else."""
    stmt = sa.select(License).where(License.id == license_id)
    if lock:
        stmt = stmt.with_for_update()
    license = session.execute(stmt).scalar_one_or_none()
    if license is None or user.organization_id not in (license.licensor_id, license.licensee_id):
        raise NotFound("No such license.")
    return license, LICENSOR if user.organization_id == license.licensor_id else LICENSEE


def require_side(side: str, wanted: str, doing: str) -> None:
    if side != wanted:
        raise Forbidden(f"Only the {wanted} can {doing}.")


def require_manager(user, doing: str) -> None:
    if not user.is_manager:
        raise Forbidden(f"Only your organization's managers can {doing}.")


def tell(session, license: License, to: str, *, kind: str, title: str, body: str, actor_id: int | None, **data) -> None:
    """Notify the licensor's or the licensee's members (and email their managers)."""
    tell_organization(
        session,
        license.licensor_id if to == LICENSOR else license.licensee_id,
        kind=kind,
        title=title,
        body=f"{body}\n\nSee the license: {link(f'/licenses/{license.id}')}",
        data={"license_id": license.id, **data},
        actor_id=actor_id,
    )
