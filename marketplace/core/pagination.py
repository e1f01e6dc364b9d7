"""Page-number pagination: one query for the page, one for the total."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import marshmallow as ma
import sqlalchemy as sa
from marshmallow import validate

from marketplace.core.schemas import QueryArgs

MAX_PAGE_SIZE = 100


class PageArgs(QueryArgs):
    """Query arguments shared by every list endpoint; its filters extend it."""

    page = ma.fields.Integer(load_default=1, validate=validate.Range(min=1))
    page_size = ma.fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PAGE_SIZE))


@dataclass
class Page:
    items: Sequence[Any]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return (self.total + self.page_size - 1) // self.page_size if self.total else 0


def paginate(session, stmt: sa.Select, page: int = 1, page_size: int = 20, *, scalars: bool = True) -> Page:
    """Run ``stmt`` for one page and count its rows (ordering is the caller's)."""
    count_stmt = sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())
    total = session.execute(count_stmt).scalar_one()
    page_stmt = stmt.limit(page_size).offset((page - 1) * page_size)
    result = session.execute(page_stmt)
    items = result.scalars().all() if scalars else result.all()
    return Page(items=items, total=total, page=page, page_size=page_size)


_page_schemas: dict[type, type] = {}


def page_schema(item_schema: type[ma.Schema]) -> type[ma.Schema]:
    """The response schema for a page of ``item_schema`` objects (cached per item schema)."""
    if item_schema not in _page_schemas:
        name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
        _page_schemas[item_schema] = type(
            name,
            (ma.Schema,),
            {
                "items": ma.fields.List(ma.fields.Nested(item_schema)),
                "total": ma.fields.Integer(),
                "page": ma.fields.Integer(),
                "page_size": ma.fields.Integer(),
                "pages": ma.fields.Integer(),
            },
        )
    return _page_schemas[item_schema]
