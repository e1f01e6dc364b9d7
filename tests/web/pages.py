"""Helpers for tests of pages through the Flask test client: forms with their CSRF token, what a reader sees."""

from __future__ import annotations

import re
from html import unescape

EN = {"Accept-Language": "en"}
VI = {"Accept-Language": "vi"}


def text(response) -> str:
    """What a reader sees: the page without its tags, spaces collapsed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


def csrf_from(response) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True))
    assert match, "no CSRF field on the page"
    return match.group(1)


def submit(client, page_path: str, action: str | None = None, data: dict | None = None, **kwargs):
    """Open ``page_path`` and post its form (to ``action``, default the same path) with the page's CSRF token."""
    page = client.get(page_path, headers=EN)
    assert page.status_code == 200, (page_path, page.status_code)
    return client.post(action or page_path, data={"csrf_token": csrf_from(page), **(data or {})}, headers=EN, **kwargs)


def field_errors(response, name: str) -> list[str]:
    """The error messages shown beside the input ``name`` (its ``<ul id="name-errors">``)."""
    html = response.get_data(as_text=True)
    match = re.search(rf'<ul class="field-errors" id="{re.escape(name.replace(".", "-"))}-errors">(.*?)</ul>', html, re.S)
    return [unescape(m).strip() for m in re.findall(r"<li>(.*?)</li>", match.group(1), re.S)] if match else []


def link_in(email, path: str) -> str:
    """The path and query of the link to ``path`` in an email's body (``http://testserver/reset-password?...``)."""
    match = re.search(r"https?://[^/\s]+(" + re.escape(path) + r"[^\s]*)", email.body)
    assert match, (path, email.body)
    return match.group(1)
