"""Password hashing (argon2id) and the password policy."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

COMMON_PASSWORDS = frozenset(
    """password password1 password12 password123 1234567890 12345678910 qwertyuiop
    qwerty12345 iloveyou123 letmein123 welcome123 admin12345 changeme123 abc1234567
    1q2w3e4r5t passw0rd123 trustno1234 football123 baseball123 monkey12345 dragon12345
    sunshine123 princess123 superman123 starwars123 0987654321 1111111111 0000000000""".split()
)


def _hasher() -> PasswordHasher:
    cfg = current_app.config
    return PasswordHasher(time_cost=cfg["PASSWORD_HASH_TIME_COST"], memory_cost=cfg["PASSWORD_HASH_MEMORY_COST"])


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def burn_time(password: str) -> None:
    """Hash once for nothing, so an unknown email takes as long as a wrong password."""
    _hasher().hash(password)


def password_problems(password: str, *, email: str | None = None) -> list[str]:
    """Why ``password`` is too weak (empty when it is acceptable)."""
    problems = []
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        problems.append(f"Use at least {minimum} characters.")
    if len(password) > 256:
        problems.append("Use at most 256 characters.")
    if password.lower() in COMMON_PASSWORDS or len(set(password)) < 4:
        problems.append("This password is too common or too simple.")
    if email and email.split("@")[0].lower() in password.lower() and len(email.split("@")[0]) >= 4:
        problems.append("Do not use your email address in your password.")
    return problems
