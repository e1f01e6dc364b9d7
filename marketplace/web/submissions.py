"""A submitted page form: read with the API's schema, errors kept by field to show beside the inputs."""

from __future__ import annotations

import marshmallow as ma
from werkzeug.datastructures import MultiDict

from marketplace.core.errors import DomainError
from marketplace.web.forms import flat_errors, form_data

#: statuses of service errors that a form shows beside its fields (others become error pages)
FORM_ERROR_STATUSES = frozenset({400, 401, 403, 409, 412, 422, 429})


def form_errors(messages) -> dict[str, list[str]]:
    """Marshmallow's messages by input name: a nested schema's fields as ``organization.name``."""
    if not isinstance(messages, dict):
        return flat_errors(messages)
    out: dict[str, list[str]] = {}
    for name, value in messages.items():
        if isinstance(value, dict) and not all(isinstance(key, int) for key in value):
            out.update({f"{name}.{key}": texts for key, texts in form_errors(value).items()})
        else:
            out.update(flat_errors({name: value}))
    return out


class Form:
    """One form of a page: ``values`` (what to show back), ``errors`` by input name, ``message`` above it.

    ``form.load()`` parses the submitted values with the schema (None when invalid); ``form.fail(error)``
    keeps a service's refusal; ``form.status`` is the page's status (200, or the refusal's).
    """

    def __init__(self, schema: ma.Schema | None = None, values: MultiDict | None = None, **defaults) -> None:
        self.schema = schema
        self.values = MultiDict(values) if values is not None else MultiDict()
        for key, value in defaults.items():
            if not self.values.get(key):
                self.values[key] = value
        self.errors: dict[str, list[str]] = {}
        self.message: str | None = None
        self.status = 200

    def get(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)

    def load(self, data: dict | None = None) -> dict | None:
        """The schema's data from the submitted values (or ``data``), or None with the errors kept."""
        try:
            return self.schema.load(form_data(self.schema, self.values) if data is None else data)
        except ma.ValidationError as error:
            self.errors = form_errors(error.messages)
            self.status = 400
            return None

    def fail(self, error: DomainError) -> None:
        """Show a service's refusal: its field errors beside the inputs, its detail above the form."""
        if error.status not in FORM_ERROR_STATUSES:
            raise error
        self.errors.update(form_errors(error.errors or {}))
        self.message = error.detail or str(error)
        self.status = error.status

    @property
    def failed(self) -> bool:
        return bool(self.errors or self.message)
