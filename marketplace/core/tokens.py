"""Random secrets that are shown once and stored only as a hash."""

from __future__ import annotations

import hashlib
import secrets


def new_secret(prefix: str = "") -> tuple[str, str]:
    """A fresh URL-safe secret and its SHA-256 hex digest (what the database keeps)."""
    plain = prefix + secrets.token_urlsafe(32)
    return plain, hash_secret(plain)


def hash_secret(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()
