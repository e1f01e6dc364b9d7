"""License rules: creation, the conflict check under a lock, activation, availability, expiry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from marketplace.core import audit, taxonomy
from marketplace.core.db import utcnow
from marketplace.core.errors import Conflict
from marketplace.core.statemachine import StateMachine
from marketplace.ip.licenses import billing, overlap
from marketplace.ip.licenses.access import LICENSEE, LICENSOR, tell
from marketplace.ip.licenses.models import License, LicenseMilestone, license_assets
from marketplace.ip.models import IPAsset

#: the terms a license takes from an agreed offer
LICENSE_TERM_KEYS = (
    "exclusivity",
    "fields",
    "territories",
    "start_date",
    "end_date",
    "sublicensing",
    "currency",
    "upfront_fee_amount",
    "royalty_rate_bps",
    "minimum_annual_royalty_amount",
    "equity_bps",
    "reporting_period",
)

LICENSE_WORKFLOW = StateMachine(
    "license",
    {
        "request_payment": {"draft": "pending_payment"},
        "activate": {"draft": "active", "pending_payment": "active"},
        "terminate": {"draft": "terminated", "pending_payment": "terminated", "active": "terminated"},
        "expire": {"active": "expired"},
    },
)


#: licenses that hold their terms against new grants: in force, or granted and awaiting payment
HOLDING = ("active", "pending_payment")


@dataclass(frozen=True)
class LicenseConflictInfo:
    license_id: int
    licensee_id: int
    status: str
    exclusivity: str
    asset_ids: list[int]
    fields: list[str]
    territories: list[str]
    until: date | None

    def as_dict(self, *, reveal: bool = True) -> dict:
        """What is taken; with ``reveal``, also which license and licensee hold it (for the licensor's
        people and the audit trail, never for a rival)."""
        found = {
            "exclusivity": self.exclusivity,
            "asset_ids": self.asset_ids,
            "fields": self.fields,
            "territories": self.territories,
            "until": self.until.isoformat() if self.until else None,
        }
        return {"license_id": self.license_id, "licensee_id": self.licensee_id, **found} if reveal else found

    def describe(self, *, reveal: bool) -> str:
        """One sentence: what is taken, where and until when (and by which license, with ``reveal``)."""
        what = f"License {self.license_id} ({self.exclusivity})" if reveal else f"An {self.exclusivity.replace('_', '-')} license"
        waiting = " awaiting payment" if self.status == "pending_payment" else ""
        until = f" until {self.until.isoformat()}." if self.until else " with no end date."
        return f"{what}{waiting} already covers {', '.join(self.fields)} in {', '.join(self.territories)}{until}"


class LicenseConflict(Conflict):
    slug = "license-conflict"
    title = "License conflicts with an active license"

    def __init__(self, found: list[LicenseConflictInfo], *, reveal: bool):
        super().__init__(found[0].describe(reveal=reveal), conflicts=[c.as_dict(reveal=reveal) for c in found])
        #: every conflict in full, for the audit trail (the response shows only what ``reveal`` allows)
        self.found = found


def conflict_between(candidate: License, other: License) -> LicenseConflictInfo | None:
    """How ``other`` conflicts with ``candidate``, or None: a shared asset, overlapping term, field
    and territory, and either of them exclusive or sole."""
    shared_assets = sorted({a.id for a in candidate.assets} & {a.id for a in other.assets})
    if not shared_assets or not overlap.exclusivity_clashes(candidate.exclusivity, other.exclusivity):
        return None
    if not overlap.terms_overlap(candidate.start_date, candidate.end_date, other.start_date, other.end_date):
        return None
    if not overlap.fields_overlap(candidate.fields, other.fields):
        return None
    if not overlap.territories_overlap(candidate.territories, other.territories):
        return None
    return LicenseConflictInfo(
        license_id=other.id,
        licensee_id=other.licensee_id,
        status=other.status,
        exclusivity=other.exclusivity,
        asset_ids=shared_assets,
        fields=overlap.shared_fields(candidate.fields, other.fields),
        territories=overlap.shared_territories(candidate.territories, other.territories),
        until=other.end_date,
    )


def _licenses_on(session, asset_ids: list[int], exclude_id: int | None = None,
                 statuses: tuple[str, ...] = ("active",)) -> list[License]:
    on_assets = sa.select(license_assets.c.license_id).where(license_assets.c.asset_id.in_(asset_ids))
    stmt = sa.select(License).where(License.id.in_(on_assets), License.status.in_(statuses)).order_by(License.id)
    if exclude_id is not None:
        stmt = stmt.where(License.id != exclude_id)
    return list(session.execute(stmt).scalars())


def find_conflicts(session, candidate: License, *, statuses: tuple[str, ...] = ("active",)) -> list[LicenseConflictInfo]:
    """Every license in ``statuses`` (active ones by default) that would conflict with ``candidate``."""
    asset_ids = [a.id for a in candidate.assets]
    if not asset_ids:
        return []
    others = _licenses_on(session, asset_ids, candidate.id, statuses)
    found = (conflict_between(candidate, other) for other in others)
    return [c for c in found if c is not None]


def lock_assets(session, asset_ids: list[int]) -> None:
    """Serialize activations touching these assets until the transaction ends.

    PostgreSQL: ``FOR NO KEY UPDATE`` row locks in id order. They exclude each other (so racers
    queue) but not the ``KEY SHARE`` locks that inserting ``license_assets`` rows takes through the
    foreign key, so a racer that already inserted its license does not deadlock with the other.
    SQLite: the UPDATE takes the database write lock, held to the end of the transaction.
    """
    if not asset_ids:
        return
    ids = sorted(asset_ids)
    if session.get_bind().dialect.name == "sqlite":
        session.execute(sa.update(IPAsset).where(IPAsset.id.in_(ids)).values(id=IPAsset.id))
    else:
        session.execute(
            sa.select(IPAsset.id).where(IPAsset.id.in_(ids)).order_by(IPAsset.id).with_for_update(key_share=True)
        )


def ensure_no_conflict(session, license: License, *, statuses: tuple[str, ...] = ("active",),
                       reveal: bool = False) -> None:
    """Lock the license's assets and raise LicenseConflict (409 saying what is taken: fields,
    territories, until when) when a license in ``statuses`` conflicts with it. ``reveal`` names the
    conflicting license and its licensee too: only for the licensor's own people."""
    lock_assets(session, [a.id for a in license.assets])
    conflicts = find_conflicts(session, license, statuses=statuses)
    if conflicts:
        raise LicenseConflict(conflicts, reveal=reveal)


def activate(session, license: License) -> License:
    """Make ``license`` active unless an active license conflicts with it (LicenseConflict)."""
    ensure_no_conflict(session, license)
    return _make_active(session, license)


def _make_active(session, license: License) -> License:
    before, after = LICENSE_WORKFLOW.apply(license, "activate")
    license.activated_at = utcnow()
    session.flush()
    audit.record(session, "license.activate", license, changes={"status": [before, after]})
    return license


def create_license(
    session,
    *,
    licensor_id: int,
    licensee_id: int,
    assets: list[IPAsset],
    source_type: str,
    source_id: int | None,
    listing_id: int | None,
    terms: dict,
) -> License:
    """A draft license on agreed ``terms`` (exclusivity, fields, territories, term, money, milestones)."""
    license = License(
        licensor_id=licensor_id,
        licensee_id=licensee_id,
        source_type=source_type,
        source_id=source_id,
        listing_id=listing_id,
        status="draft",
        **{key: terms[key] for key in LICENSE_TERM_KEYS},
    )
    license.assets = list(assets)
    license.milestones = [
        LicenseMilestone(name=m["name"], amount=m["amount"], due_date=m.get("due_date"), trigger=m.get("trigger"))
        for m in terms.get("milestones", [])
    ]
    session.add(license)
    session.flush()
    audit.record(
        session,
        "license.create",
        license,
        changes={"source": f"{source_type}:{source_id}", "licensee_id": licensee_id, "asset_ids": [a.id for a in assets],
                 **{key: terms[key] for key in LICENSE_TERM_KEYS}},
    )
    return license


def grant(session, license: License, *, reveal_conflicts: bool = False) -> License:
    """Put an agreed draft license into force: pending payment with the upfront fee invoiced when one is
    due, otherwise active at once. Refused (LicenseConflict) while a conflicting license is active or
    awaiting payment, under the assets' lock; the check runs again on payment."""
    ensure_no_conflict(session, license, statuses=HOLDING, reveal=reveal_conflicts)
    if license.upfront_fee_amount > 0:
        before, after = LICENSE_WORKFLOW.apply(license, "request_payment")
        session.flush()
        license.upfront_invoice_id = billing.invoice_upfront_fee(session, license)
        audit.record(session, "license.request_payment", license,
                     changes={"status": [before, after], "upfront_invoice_id": license.upfront_invoice_id})
        return license
    return _make_active(session, license)


def terminate(session, license: License, *, reason: str, on: date | None = None) -> License:
    before, after = LICENSE_WORKFLOW.apply(license, "terminate")
    license.terminated_at = utcnow()
    license.termination_date = on or utcnow().date()
    license.termination_reason = reason
    audit.record(session, "license.terminate", license, changes={"status": [before, after], "reason": reason})
    return license


def expire_ended(session, today: date) -> list[License]:
    """Move active licenses whose term ended before ``today`` to expired (idempotent)."""
    due = list(
        session.execute(
            sa.select(License).where(License.status == "active", License.end_date.is_not(None), License.end_date < today)
        ).scalars()
    )
    for license in due:
        before, after = LICENSE_WORKFLOW.apply(license, "expire")
        audit.record(session, "license.expire", license, actor=None, changes={"status": [before, after]})
        for side in (LICENSOR, LICENSEE):
            tell(session, license, side, kind="license_expired", actor_id=None, title=f"License {license.id} expired",
                 body=f"The license's term ended on {license.end_date.isoformat()}.")
    return due


def availability(session, assets: list[IPAsset], today: date | None = None) -> dict:
    """What is taken on these assets (terms and until when), which top-level fields are still open
    worldwide for an exclusive license, and for each field that is taken somewhere, where.

    Any current license, exclusive or not, in force or awaiting payment, blocks a new exclusive one
    where it overlaps.
    """
    today = today or utcnow().date()
    licenses = _licenses_on(session, [a.id for a in assets], statuses=HOLDING) if assets else []
    current = [lic for lic in licenses if lic.end_date is None or lic.end_date >= today]
    taken = [
        {
            "license_id": lic.id,
            "exclusivity": lic.exclusivity,
            "asset_ids": sorted({a.id for a in lic.assets} & {a.id for a in assets}),
            "fields": list(lic.fields),
            "territories": list(lic.territories),
            "until": lic.end_date,
        }
        for lic in current
    ]
    open_fields, partially_open, by_field = [], [], []
    for code, f in taxonomy.technology_fields().items():
        if f.parent is not None:
            continue
        blocking = [lic for lic in current if overlap.fields_overlap([code], lic.fields)]
        if not blocking:
            open_fields.append(code)
            continue
        whole = [lic for lic in blocking if code in lic.fields]
        worldwide = any(overlap.WORLDWIDE in lic.territories for lic in whole)
        if not worldwide:
            partially_open.append(code)
        territories = sorted({t for lic in blocking for t in lic.territories})
        ends = [lic.end_date for lic in blocking]
        by_field.append({
            "field": code,
            "status": "taken" if worldwide else "partially_open",
            "taken_in": [overlap.WORLDWIDE] if overlap.WORLDWIDE in territories else territories,
            "taken_subfields": sorted({c for lic in blocking for c in lic.fields if c != code}),
            "taken_until": None if None in ends else max(ends),
        })
    return {"taken": taken, "open_fields": open_fields, "partially_open_fields": partially_open, "fields": by_field}
