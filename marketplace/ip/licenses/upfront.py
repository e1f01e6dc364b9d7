"""What a license does when the invoice of its upfront fee (or of its express purchase) is paid,
refunded or voided: paid -> active (conflict check included); fully refunded -> terminated; voided
before payment -> terminated. One path for negotiated and express licenses.

Called by licensing's receivers of the payments signals (``marketplace.ip.licenses.receivers``,
for negotiated and express licenses alike) inside the payment's transaction, so they only flush.
A payment for a license that can no longer start (ended before it was paid, or blocked by a
conflicting license) does not undo the payment: ``paid`` says why, the receiver hands that to
payments, which gives card money back; both sides are told.
"""

from __future__ import annotations

import sqlalchemy as sa

from marketplace.core import audit
from marketplace.ip.licenses import services
from marketplace.ip.licenses.access import LICENSEE, LICENSOR, tell
from marketplace.ip.licenses.models import License

EXPRESS = "express_license"
#: notification kinds that differ for express licenses (kept as they were)
_EXPRESS_KINDS = {
    "license_activated": "express_license_active",
    "license_activation_blocked": "express_license_blocked",
    "license_terminated": "express_license_terminated",
}


def _license_paid_by(session, invoice_id: int) -> License | None:
    return session.execute(
        sa.select(License).where(License.upfront_invoice_id == invoice_id).with_for_update()
    ).scalar_one_or_none()


def _name(license: License) -> str:
    return f"{'Express license' if license.source_type == EXPRESS else 'License'} {license.id}"


def _tell_both(session, license: License, *, kind: str, title: str, body: str, licensor_body: str | None = None) -> None:
    if license.source_type == EXPRESS:
        kind = _EXPRESS_KINDS.get(kind, kind)
    for side in (LICENSOR, LICENSEE):
        text = licensor_body if side == LICENSOR and licensor_body else body
        tell(session, license, side, kind=kind, actor_id=None, title=title, body=text)


def _what_follows(by_card: bool) -> str:
    return ("The payment is refunded automatically." if by_card
            else "The licensor should return the bank transfer or agree new terms.")


def paid(session, invoice_id: int, *, by_card: bool) -> str | None:
    """The fee is paid: activate the license unless it can no longer start. Returns why it cannot
    (the payer is owed the money back), or None (active now, already active, or not a license's fee)."""
    license = _license_paid_by(session, invoice_id)
    if license is None or license.status == "active":
        return None
    if license.status != "pending_payment":
        why = f"{_name(license)} is {license.status} and can no longer start."
        audit.record(session, "license.payment_unusable", license, actor=None,
                     changes={"invoice_id": invoice_id, "status": license.status})
        _tell_both(session, license, kind="license_payment_returned", title=f"Payment for {_name(license)} not used",
                   body=f"The fee was paid, but {why[0].lower()}{why[1:]} {_what_follows(by_card)}")
        return why
    try:
        with session.begin_nested():
            services.activate(session, license)
    except services.LicenseConflict as conflict:
        audit.record(session, "license.activation_blocked", license, actor=None,
                     changes={"invoice_id": invoice_id, "conflicts": [c.as_dict() for c in conflict.found]})
        why = f"{_name(license)} cannot become active: {conflict.detail}"
        # the licensee learns what is taken; the licensor also which of its licenses takes it
        said = "The fee was paid, but the license cannot become active: {} " + _what_follows(by_card)
        _tell_both(session, license, kind="license_activation_blocked", title=f"{_name(license)} paid but not activated",
                   body=said.format(conflict.detail), licensor_body=said.format(conflict.found[0].describe(reveal=True)))
        return why
    until = f" to {license.end_date.isoformat()}" if license.end_date else ""
    _tell_both(session, license, kind="license_activated", title=f"{_name(license)} is active",
               body=f"The fee is paid and the license is in force from {license.start_date.isoformat()}{until}.")
    return None


def _end(session, license: License, reason: str) -> None:
    services.terminate(session, license, reason=reason)
    _tell_both(session, license, kind="license_terminated", title=f"{_name(license)} terminated", body=reason)


def refunded(session, invoice_id: int, *, fully: bool) -> License | None:
    """The fee was refunded: in full, the license ends (a partial refund adjusts the price)."""
    license = _license_paid_by(session, invoice_id)
    if fully and license is not None and license.status in ("pending_payment", "active"):
        _end(session, license, "The upfront fee was refunded.")
    return license


def voided(session, invoice_id: int, reason: str) -> License | None:
    """The fee's invoice was voided before payment: the license never takes effect."""
    license = _license_paid_by(session, invoice_id)
    if license is not None and license.status == "pending_payment":
        _end(session, license, f"The upfront fee's invoice was voided: {reason}".strip())
    return license
