"""What the index holds for a listing, read from the database (the truth) in id batches."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
import sqlalchemy as sa

from marketplace.accounts.models import Organization
from marketplace.ip.models import IPAsset
from marketplace.listings.models import ExpressLicense, Listing, ListingField, listing_assets
from marketplace.search.query import indexed_fields

PUBLISHED = "published"


@dataclass(frozen=True)
class ListingDocument:
    id: int
    #: the listing's version when indexed; ``flask search check`` compares it with the database
    version: int
    slug: str
    title: str
    summary: str
    description: str
    keywords: tuple[str, ...]
    #: own field codes and their parents
    fields: tuple[str, ...]
    #: the field codes the listing is filed under
    own_fields: tuple[str, ...]
    trl: int
    development_stage: str
    opportunity_types: tuple[str, ...]
    ip_kinds: tuple[str, ...]
    university_id: int
    university_name: str
    country: str
    has_express_license: bool
    published_at: datetime


def published_ids(session, ids) -> set[int]:
    """Which of ``ids`` are published listings."""
    if not ids:
        return set()
    stmt = sa.select(Listing.id).where(Listing.id.in_(list(ids)), Listing.status == PUBLISHED)
    return set(session.execute(stmt).scalars())


def load_documents(session, ids) -> list[ListingDocument]:
    """Documents for those of ``ids`` that are published (others have no document)."""
    ids = sorted(set(ids))
    docs: list[ListingDocument] = []
    for start in range(0, len(ids), 500):
        docs.extend(_documents(session, Listing.id.in_(ids[start : start + 500])))
    return docs


def published_id_ranges(session, batch_size: int) -> list[tuple[int, int]]:
    """``(first id, last id)`` of consecutive batches of ``batch_size`` published listings."""
    ids = session.execute(sa.select(Listing.id).where(Listing.status == PUBLISHED).order_by(Listing.id)).scalars().all()
    return [(ids[i], ids[min(i + batch_size, len(ids)) - 1]) for i in range(0, len(ids), batch_size)]


def documents_between(session, first: int, last: int) -> list[ListingDocument]:
    """Documents of the published listings with ids from ``first`` to ``last``."""
    return _documents(session, Listing.id.between(first, last))


def count_published(session) -> int:
    return session.execute(sa.select(sa.func.count()).where(Listing.status == PUBLISHED)).scalar_one()


def published_versions(session) -> dict[int, int]:
    """``{listing_id: version}`` of every published listing."""
    rows = session.execute(sa.select(Listing.id, Listing.version).where(Listing.status == PUBLISHED))
    return dict(rows.all())


def _documents(session, id_clause) -> list[ListingDocument]:
    rows = session.execute(
        sa.select(
            Listing.id,
            Listing.version,
            Listing.slug,
            Listing.title,
            Listing.summary,
            Listing.description,
            Listing.keywords,
            Listing.trl,
            Listing.development_stage,
            Listing.opportunity_types,
            Listing.university_id,
            Listing.published_at,
            Organization.name,
            Organization.country,
        )
        .join(Organization, Organization.id == Listing.university_id)
        .where(id_clause, Listing.status == PUBLISHED)
        .order_by(Listing.id)
    ).all()
    if not rows:
        return []
    ids = [r.id for r in rows]
    # One round trip for the three one-to-many parts: field codes, IP kinds, an active express license.
    parts = sa.union_all(
        sa.select(ListingField.listing_id, sa.literal("field"), ListingField.code).where(
            ListingField.listing_id.in_(ids)
        ),
        sa.select(listing_assets.c.listing_id, sa.literal("kind"), IPAsset.kind)
        .join(IPAsset, IPAsset.id == listing_assets.c.asset_id)
        .where(listing_assets.c.listing_id.in_(ids)),
        sa.select(ExpressLicense.listing_id, sa.literal("express"), sa.literal("")).where(
            ExpressLicense.listing_id.in_(ids), ExpressLicense.is_active
        ),
    )
    fields: dict[int, list[str]] = defaultdict(list)
    kinds: dict[int, set[str]] = defaultdict(set)
    express: set[int] = set()
    for listing_id, part, value in session.execute(parts):
        if part == "field":
            fields[listing_id].append(value)
        elif part == "kind":
            kinds[listing_id].add(value)
        else:
            express.add(listing_id)
    return [
        ListingDocument(
            id=r.id,
            version=r.version,
            slug=r.slug,
            title=r.title,
            summary=r.summary,
            description=r.description or "",
            keywords=tuple(r.keywords or ()),
            fields=tuple(indexed_fields(fields[r.id])),
            own_fields=tuple(sorted(fields[r.id])),
            trl=r.trl,
            development_stage=r.development_stage,
            opportunity_types=tuple(sorted(r.opportunity_types or ())),
            ip_kinds=tuple(sorted(kinds[r.id])),
            university_id=r.university_id,
            university_name=r.name,
            country=r.country,
            has_express_license=r.id in express,
            published_at=r.published_at,
        )
        for r in rows
    ]
