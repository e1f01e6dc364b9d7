"""Marshmallow fields for license terms."""

from __future__ import annotations

import marshmallow as ma

from marketplace.core.countries import COUNTRIES
from marketplace.ip.licenses.overlap import REGIONS, WORLDWIDE


class TerritoryField(ma.fields.String):
    """An ISO 3166-1 alpha-2 country code, a region (``EU``) or ``WORLDWIDE`` (upper-cased on load)."""

    default_error_messages = {"invalid_territory": "An ISO 3166 country code, EU or WORLDWIDE."}

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.metadata = {"enum": [*sorted(COUNTRIES), *sorted(REGIONS), WORLDWIDE], "description": 'ISO 3166-1 alpha-2 country code, a region (EU) or WORLDWIDE', **self.metadata}

    def _deserialize(self, value, attr, data, **kwargs):
        code = super()._deserialize(value, attr, data, **kwargs).strip().upper()
        if code not in COUNTRIES and code not in REGIONS and code != WORLDWIDE:
            raise self.make_error("invalid_territory")
        return code
