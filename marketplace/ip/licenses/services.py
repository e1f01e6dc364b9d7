"""License rules: creation, the conflict check under a lock, activation, availability, expiry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from marketplace.core import audit
from marketplace.core.db import utcnow
from marketplace.core.errors import Conflict
from marketplace.core.statemachine import StateMachine
from marketplace.ip.licenses import overlap
from marketplace.ip.licenses.models import License, license_assets
from marketplace.ip.models import IPAsset

LICENSE_WORKFLOW = StateMachine(
    "license",
    {
        "request_payment": {"draft": "pending_payment"},
        "activate": {"draft": "active", "pending_payment": "active"},
        "terminate": {"draft": "terminated", "pending_payment": "terminated", "active": "terminated"},
        "expire": {"active": "expired"},
    },
)


@dataclass(frozen=True)
class LicenseConflictInfo:
    license_id: int
    licensee_id: int
    exclusivity: str
    asset_ids: list[int]
    fields: list[str]
    territories: list[str]
    until: date | None

    def as_dict(self) -> dict:
        return {
            "license_id": self.license_id,
            "licensee_id": self.licensee_id,
            "exclusivity": self.exclusivity,
            "asset_ids": self.asset_ids,
            "fields": self.fields,
            "territories": self.territories,
            "until": self.until.isoformat() if self.until else None,
        }


class LicenseConflict(Conflict):
    slug = "license-conflict"
    title = "License conflicts with an active license"


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
        exclusivity=other.exclusivity,
        asset_ids=shared_assets,
        fields=overlap.shared_fields(candidate.fields, other.fields),
        territories=overlap.shared_territories(candidate.territories, other.territories),
        until=other.end_date,
    )


def _active_licenses_on(session, asset_ids: list[int], exclude_id: int | None = None) -> list[License]:
    on_assets = sa.select(license_assets.c.license_id).where(license_assets.c.asset_id.in_(asset_ids))
    stmt = sa.select(License).where(License.id.in_(on_assets), License.status == "active").order_by(License.id)
    if exclude_id is not None:
        stmt = stmt.where(License.id != exclude_id)
    return list(session.execute(stmt).scalars())


def find_conflicts(session, candidate: License) -> list[LicenseConflictInfo]:
    """Every active license that would conflict with ``candidate``."""
    asset_ids = [a.id for a in candidate.assets]
    if not asset_ids:
        return []
    found = (conflict_between(candidate, other) for other in _active_licenses_on(session, asset_ids, candidate.id))
    return [c for c in found if c is not None]


def lock_assets(session, asset_ids: list[int]) -> None:
    """Serialize activations touching these assets until the transaction ends.

    PostgreSQL: row locks in id order (no deadlocks between racers). SQLite: the UPDATE takes the
    database write lock, which SQLite holds to the end of the transaction.
    """
    if not asset_ids:
        return
    ids = sorted(asset_ids)
    if session.get_bind().dialect.name == "sqlite":
        session.execute(sa.update(IPAsset).where(IPAsset.id.in_(ids)).values(id=IPAsset.id))
    else:
        session.execute(sa.select(IPAsset.id).where(IPAsset.id.in_(ids)).order_by(IPAsset.id).with_for_update())


def activate(session, license: License) -> License:
    """Make ``license`` active unless it conflicts with an active license (409 naming it)."""
    lock_assets(session, [a.id for a in license.assets])
    conflicts = find_conflicts(session, license)
    if conflicts:
        first = conflicts[0]
        raise LicenseConflict(
            f"License {first.license_id} ({first.exclusivity}) already covers "
            f"{', '.join(first.fields)} in {', '.join(first.territories)}"
            + (f" until {first.until.isoformat()}." if first.until else " with no end date."),
            conflicts=[c.as_dict() for c in conflicts],
        )
    before, after = LICENSE_WORKFLOW.apply(license, "activate")
    license.activated_at = utcnow()
    session.flush()
    audit.record(session, "license.activate", license, changes={"status": [before, after]})
    return license


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
    return due


def availability(session, assets: list[IPAsset], today: date | None = None) -> dict:
    """What is taken on these assets, and which top-level fields are still open worldwide for an
    exclusive license (any active license, exclusive or not, blocks a new exclusive one)."""
    from marketplace.core import taxonomy

    today = today or utcnow().date()
    licenses = _active_licenses_on(session, [a.id for a in assets]) if assets else []
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
    covered = taxonomy.expand(code for lic in current for code in lic.fields)
    open_fields = [
        code
        for code, f in taxonomy.technology_fields().items()
        if f.parent is None and not ({code, *taxonomy.children_of(code)} & covered)
    ]
    partially_open = [
        code
        for code, f in taxonomy.technology_fields().items()
        if f.parent is None and code not in covered and code not in open_fields
    ]
    return {"taken": taken, "open_fields": open_fields, "partially_open_fields": partially_open}
