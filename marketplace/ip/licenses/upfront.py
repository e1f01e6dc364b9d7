"""What a license does when its upfront fee's invoice is paid, refunded or voided: paid -> active
(conflict check included); fully refunded -> terminated; voided before payment -> terminated.

Called by the receivers of the payments signals (``marketplace.deals.payment_events``) inside the
payment's transaction, so they only flush. A conflict found on payment does not undo the payment:
the license stays pending payment, both sides are told, and the licensor can refund.
"""

from __future__ import annotations

import sqlalchemy as sa

from marketplace.core import audit
from marketplace.ip.licenses import services
from marketplace.ip.licenses.access import LICENSEE, LICENSOR, tell
from marketplace.ip.licenses.models import License


def _license_paid_by(session, invoice_id: int) -> License | None:
    return session.execute(
        sa.select(License).where(License.upfront_invoice_id == invoice_id).with_for_update()
    ).scalar_one_or_none()


def _tell_both(session, license: License, *, kind: str, title: str, body: str) -> None:
    for side in (LICENSOR, LICENSEE):
        tell(session, license, side, kind=kind, actor_id=None, title=title, body=body)


def paid(session, invoice_id: int) -> License | None:
    """The upfront fee is paid: activate the license unless an active license now conflicts."""
    license = _license_paid_by(session, invoice_id)
    if license is None or license.status != "pending_payment":
        return license
    try:
        with session.begin_nested():
            services.activate(session, license)
    except services.LicenseConflict as conflict:
        audit.record(session, "license.activation_blocked", license, actor=None,
                     changes={"invoice_id": invoice_id, "conflicts": conflict.extra["conflicts"]})
        _tell_both(session, license, kind="license_activation_blocked",
                   title=f"License {license.id} paid but not activated",
                   body=f"The upfront fee was paid, but the license cannot become active: {conflict.detail} "
                        "The licensor can refund the fee or agree new terms.")
        return license
    _tell_both(session, license, kind="license_activated", title=f"License {license.id} is active",
               body="The upfront fee is paid and the license is now in force.")
    return license


def _end(session, license: License, reason: str) -> None:
    services.terminate(session, license, reason=reason)
    _tell_both(session, license, kind="license_terminated", title=f"License {license.id} terminated", body=reason)


def refunded(session, invoice_id: int, *, fully: bool) -> License | None:
    """The upfront fee was refunded: in full, the license ends (a partial refund adjusts the price)."""
    license = _license_paid_by(session, invoice_id)
    if fully and license is not None and license.status in ("pending_payment", "active"):
        _end(session, license, "The upfront fee was refunded.")
    return license


def voided(session, invoice_id: int, reason: str) -> License | None:
    """The upfront fee's invoice was voided before payment: the license never takes effect."""
    license = _license_paid_by(session, invoice_id)
    if license is not None and license.status == "pending_payment":
        _end(session, license, f"The upfront fee's invoice was voided: {reason}".strip())
    return license
