"""IP register rules: a university's staff keep its assets; dates must be coherent."""

from __future__ import annotations

from typing import Iterable

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.models import User
from marketplace.core import audit
from marketplace.core.errors import Conflict, NotFound, ValidationFailed
from marketplace.core.pagination import Page, paginate
from marketplace.ip.models import IPAsset
from marketplace.ip.signals import asset_public_facts_changed

#: the order the dates of an asset's life must follow (each may be missing)
DATE_ORDER = ("priority_date", "filing_date", "grant_date", "expiry_date")
DATE_LABELS = {"priority_date": "priority", "filing_date": "filing", "grant_date": "grant", "expiry_date": "expiry"}
#: kinds of rights an office grants, and the kinds whose grant carries a patent number
GRANTABLE_KINDS = ("patent", "patent_application", "design", "plant_variety")
PATENT_KINDS = ("patent", "patent_application")
EDITABLE = (
    "kind", "title", "abstract", "inventors", "jurisdiction", "application_number", "publication_number",
    "patent_number", "priority_date", "filing_date", "grant_date", "expiry_date", "status", "internal_notes",
)


def asset_problems(values: dict) -> dict[str, list[str]]:
    """Messages by field for an asset's state: date order, and what a grant needs."""
    errors: dict[str, list[str]] = {}
    present = [name for name in DATE_ORDER if values.get(name) is not None]
    for i, later in enumerate(present):
        for earlier in present[:i]:
            if values[earlier] > values[later]:
                errors.setdefault(later, []).append(
                    f"The {DATE_LABELS[later]} date cannot be before the {DATE_LABELS[earlier]} date."
                )
    if values.get("status") == "granted":
        if values.get("kind") not in GRANTABLE_KINDS:
            errors.setdefault("status", []).append("Only patents, designs and plant varieties can be granted.")
        elif values.get("kind") in PATENT_KINDS and not values.get("patent_number"):
            errors.setdefault("patent_number", []).append("A granted patent needs its patent number.")
    return errors


def _check(values: dict) -> None:
    errors = asset_problems(values)
    if errors:
        raise ValidationFailed("Some fields are invalid: " + ", ".join(sorted(errors)), errors=errors)


def create_asset(session, actor: User, data: dict) -> IPAsset:
    """Register an asset of the actor's university."""
    _check(data)
    asset = IPAsset(university_id=actor.organization_id, **{k: data[k] for k in EDITABLE if k in data})
    session.add(asset)
    session.flush()
    audit.record(session, "ip_asset.create", asset, actor=actor, changes={"kind": asset.kind, "title": asset.title})
    return asset


def get_asset(session, actor: User, asset_id: int) -> IPAsset:
    """One asset of the actor's university (404 for any other)."""
    asset = session.get(IPAsset, asset_id)
    if asset is None or asset.university_id != actor.organization_id:
        raise NotFound("No such IP asset.")
    return asset


def update_asset(session, actor: User, asset_id: int, changes: dict) -> IPAsset:
    """Edit an asset; the result must still be coherent."""
    asset = get_asset(session, actor, asset_id)
    before = {k: getattr(asset, k) for k in EDITABLE}
    after = {**before, **{k: v for k, v in changes.items() if k in EDITABLE}}
    _check(after)
    for key in EDITABLE:
        if key in changes:
            setattr(asset, key, changes[key])
    delta = audit.diff(before, after)
    if delta:
        if "internal_notes" in delta:
            delta["internal_notes"] = ["(changed)", "(changed)"]
        audit.record(session, "ip_asset.update", asset, actor=actor, changes=delta)
    if set(delta) - {"internal_notes"}:
        session.flush()
        asset_public_facts_changed.send(session, asset=asset)
    return asset


def delete_asset(session, actor: User, asset_id: int) -> None:
    """Remove an asset; refused (409) while a listing links it."""
    asset = get_asset(session, actor, asset_id)
    facts = {"kind": asset.kind, "title": asset.title}
    try:
        with session.begin_nested():
            session.delete(asset)
            session.flush()
    except IntegrityError as exc:
        raise Conflict("This asset is linked to a listing: unlink it from its listings first.") from exc
    audit.record(session, "ip_asset.delete", object_type="ip_asset", object_id=asset_id, actor=actor, changes=facts)


def list_assets(session, actor: User, *, q=None, kind=None, status=None, jurisdiction=None, page=1,
                page_size=20) -> Page:
    """The actor's university's assets, newest first, filtered."""
    stmt = sa.select(IPAsset).where(IPAsset.university_id == actor.organization_id).order_by(IPAsset.id.desc())
    if q:
        pattern = f"%{q}%"
        stmt = stmt.where(
            sa.or_(
                IPAsset.title.ilike(pattern),
                IPAsset.application_number.ilike(pattern),
                IPAsset.publication_number.ilike(pattern),
                IPAsset.patent_number.ilike(pattern),
            )
        )
    if kind:
        stmt = stmt.where(IPAsset.kind == kind)
    if status:
        stmt = stmt.where(IPAsset.status == status)
    if jurisdiction:
        stmt = stmt.where(IPAsset.jurisdiction == jurisdiction)
    return paginate(session, stmt, page, page_size)


def assets_of_university(session, university_id: int, asset_ids: Iterable[int], field: str = "asset_ids") -> list[IPAsset]:
    """The assets with these ids, all owned by ``university_id``; else 422 naming ``field``.

    Ids of other universities' assets and ids that do not exist get the same answer, so a
    caller learns nothing about assets that are not theirs.
    """
    wanted = list(dict.fromkeys(asset_ids))
    if not wanted:
        return []
    found = session.execute(
        sa.select(IPAsset).where(IPAsset.id.in_(wanted), IPAsset.university_id == university_id)
    ).scalars().all()
    by_id = {asset.id: asset for asset in found}
    unknown = [i for i in wanted if i not in by_id]
    if unknown:
        raise ValidationFailed(
            "Listings may only link IP assets of their own university.",
            errors={field: [f"Not an IP asset of this university: {', '.join(map(str, unknown))}."]},
        )
    return [by_id[i] for i in wanted]
