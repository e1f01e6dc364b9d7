"""The curated taxonomy of technology fields shipped with the project (codes like ``LS.THER``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import marshmallow as ma


@dataclass(frozen=True)
class TechnologyField:
    code: str
    name: str
    parent: str | None
    #: the name in other languages than English, by language code (``{"vi": "Chẩn đoán"}``)
    names: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def label(self, language: str) -> str:
        """The field's name in ``language`` (English when there is none)."""
        return self.names.get(language, self.name)


@lru_cache(maxsize=1)
def technology_fields() -> dict[str, TechnologyField]:
    """Every field by code, parents before children."""
    data = json.loads(resources.files("marketplace.core").joinpath("technology_fields.json").read_text("utf-8"))
    return {
        f["code"]: TechnologyField(f["code"], f["name"], f["parent"], f.get("names", {})) for f in data["fields"]
    }


def is_field(code: str) -> bool:
    return code in technology_fields()


def children_of(code: str) -> list[str]:
    return [f.code for f in technology_fields().values() if f.parent == code]


def expand(codes) -> set[str]:
    """The codes plus every child of each (a parent field stands for its children)."""
    out: set[str] = set()
    for code in codes:
        out.add(code)
        out.update(children_of(code))
    return out


def with_ancestors(codes) -> set[str]:
    """The codes plus their parents (what a listing filed under a child also belongs to)."""
    fields = technology_fields()
    out: set[str] = set()
    for code in codes:
        out.add(code)
        parent = fields[code].parent if code in fields else None
        if parent:
            out.add(parent)
    return out


def overlaps(a, b) -> bool:
    """Two sets of fields overlap when they share a code, or one holds a parent of the other's."""
    return bool(expand(a) & expand(b))


class FieldCode(ma.fields.String):
    """A technology field code from the taxonomy."""

    default_error_messages = {"invalid_field": "Unknown technology field code {input!r}."}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.metadata = {"enum": list(technology_fields()), "description": 'Technology field code (GET /api/v1/listings/technology-fields)', **self.metadata}

    def _deserialize(self, value, attr, data, **kwargs):
        code = super()._deserialize(value, attr, data, **kwargs).strip().upper()
        if not is_field(code):
            raise self.make_error("invalid_field", input=code)
        return code
