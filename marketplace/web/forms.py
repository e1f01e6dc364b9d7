"""Helpers for forms and query strings: reading them with the API's schemas, safe redirects."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import marshmallow as ma
from flask import request
from werkzeug.datastructures import MultiDict

from marketplace.core.errors import Forbidden
from marketplace.core.security import CSRF_FORM_FIELD, csrf_token_matches


def form_data(schema: ma.Schema, values: MultiDict) -> dict:
    """The submitted values a schema knows, as it expects them: lists for list fields, one value
    otherwise; empty inputs (an unselected option, a blank box) are left out."""
    data: dict = {}
    for name, field in schema.fields.items():
        if field.dump_only:
            continue
        key = field.data_key or name
        if isinstance(field, ma.fields.List):
            items = [v for v in values.getlist(key) if v.strip()]
            if items:
                data[key] = items
        else:
            value = values.get(key)
            if value is not None and value.strip():
                data[key] = _form_boolean(value) if isinstance(field, ma.fields.Boolean) else value
    return data


def _form_boolean(value: str) -> bool | str:
    """A checkbox or radio value as the JSON boolean the API's schemas take (others stay, to be refused)."""
    lowered = value.strip().lower()
    if lowered in ma.fields.Boolean.truthy:
        return True
    if lowered in ma.fields.Boolean.falsy:
        return False
    return value


def flat_errors(messages: dict | list | str) -> dict[str, list[str]]:
    """Marshmallow's messages as ``{field: [message, ...]}`` (a list field's messages by item index
    and a nested schema's messages by its fields become the field's own list)."""
    if not isinstance(messages, dict):
        return {"_schema": _texts(messages)}
    return {str(name): _texts(value) for name, value in messages.items()}


def _texts(value) -> list[str]:
    if isinstance(value, dict):
        return [text for item in value.values() for text in _texts(item)]
    if isinstance(value, (list, tuple)):
        return [text for item in value for text in _texts(item)]
    return [str(value)]


def check_form_csrf() -> None:
    """Refuse a form posted without the session's token, even by someone not logged in.

    Logged-in requests are always checked (``core.security.check_csrf``); call this at the top of
    the views of forms that anonymous people post (log in, register, reset a password), so another
    site cannot post them in the visitor's name.
    """
    if not csrf_token_matches(request.form.get(CSRF_FORM_FIELD)):
        raise Forbidden("The form has expired or did not come from this site. Reload the page and try again.",
                        slug="csrf-failed")


def safe_next(target: str | None, default: str = "/") -> str:
    """``target`` if it is a path on this site, else ``default`` (never an open redirect)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


class QueryArgs:
    """A page's query string, to build links to the same page with some values changed.

    ``toggle`` adds or removes one value of a repeatable key (a facet), ``replace`` sets or drops
    keys; both go back to the first page, since the results change.
    """

    def __init__(self, path: str, values: MultiDict, keys) -> None:
        self.path = path
        self.values = MultiDict((k, v) for k, v in values.items(multi=True) if k in keys and v.strip())

    def url(self, values: MultiDict | None = None) -> str:
        values = self.values if values is None else values
        return self.path + ("?" + urlencode(list(values.items(multi=True))) if values else "")

    def has(self, key: str, value) -> bool:
        return str(value) in self.values.getlist(key)

    def toggle(self, key: str, value) -> str:
        values = self._without("page")
        current = values.getlist(key)
        value = str(value)
        values.setlist(key, [v for v in current if v != value] if value in current else [*current, value])
        return self.url(values)

    def replace(self, **changes) -> str:
        values = self._without("page") if "page" not in changes else self._without()
        for key, value in changes.items():
            if value is None:
                values.poplist(key)
            else:
                values.setlist(key, [str(value)])
        return self.url(values)

    def page(self, number: int) -> str:
        return self.replace(page=number if number > 1 else None)

    def _without(self, *keys: str) -> MultiDict:
        return MultiDict((k, v) for k, v in self.values.items(multi=True) if k not in keys)
