"""What licenses do when payments report on an upfront-fee invoice: paid -> the license becomes
active (conflict check included); fully refunded -> terminated; voided before payment -> terminated.

Receivers run inside the payment's transaction: they only flush. A conflict found on payment does
not undo the payment: the license stays pending, both sides are told, and the licensor can refund.
"""

from __future__ import annotations

import sqlalchemy as sa

from marketplace.core import audit
from marketplace.ip.licenses import services
from marketplace.ip.licenses.access import LICENSEE, LICENSOR, tell
from marketplace.ip.licenses.models import License
from marketplace.payments.signals import invoice_paid, invoice_refunded, invoice_voided

UPFRONT_FEE = "upfront_fee"


def _license_of(session, invoice) -> License | None:
    return session.execute(
        sa.select(License).where(License.upfront_invoice_id == invoice.id).with_for_update()
    ).scalar_one_or_none()


@invoice_paid.connect_via(UPFRONT_FEE)
def activate_on_payment(sender, *, session, invoice, **_):
    """The upfront fee is paid: activate the license unless an active license now conflicts."""
    license = _license_of(session, invoice)
    if license is None or license.status != "pending_payment":
        return
    try:
        with session.begin_nested():
            services.activate(session, license)
    except services.LicenseConflict as conflict:
        audit.record(session, "license.activation_blocked", license, actor=None,
                     changes={"invoice_id": invoice.id, "conflicts": conflict.extra["conflicts"]})
        for side in (LICENSOR, LICENSEE):
            tell(session, license, side, kind="license_activation_blocked", actor_id=None,
                 title=f"License {license.id} paid but not activated",
                 body=f"The upfront fee was paid, but the license cannot become active: {conflict.detail} "
                      "The licensor can refund the fee or agree new terms.")
        return
    for side in (LICENSOR, LICENSEE):
        tell(session, license, side, kind="license_activated", actor_id=None,
             title=f"License {license.id} is active",
             body="The upfront fee is paid and the license is now in force.")


def _end(session, invoice, reason: str) -> None:
    license = _license_of(session, invoice)
    if license is None or license.status not in ("pending_payment", "active"):
        return
    services.terminate(session, license, reason=reason)
    for side in (LICENSOR, LICENSEE):
        tell(session, license, side, kind="license_terminated", actor_id=None,
             title=f"License {license.id} terminated", body=reason)


@invoice_refunded.connect_via(UPFRONT_FEE)
def terminate_on_refund(sender, *, session, invoice, fully: bool = False, **_):
    """The upfront fee was refunded in full: the license ends (a partial refund is a price adjustment)."""
    if fully:
        _end(session, invoice, "The upfront fee was refunded.")


@invoice_voided.connect_via(UPFRONT_FEE)
def terminate_on_void(sender, *, session, invoice, reason: str = "", **_):
    """The upfront fee's invoice was voided before payment: the license never takes effect."""
    license = _license_of(session, invoice)
    if license is not None and license.status == "pending_payment":
        _end(session, invoice, f"The upfront fee's invoice was voided: {reason}".strip())
