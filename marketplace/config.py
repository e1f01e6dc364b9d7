"""Settings from environment variables, with embedded defaults for development."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


class ConfigError(RuntimeError):
    """Raised when a required setting is missing."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key(instance_path: Path, env: str) -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if env == "production":
        raise ConfigError("SECRET_KEY must be set in production")
    # Development: generate one key once and keep it under instance/ so sessions survive restarts.
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def _bps(value: str | int) -> int:
    bps = int(value)
    if not 0 <= bps <= 10_000:
        raise ConfigError("PLATFORM_FEE_BPS must be between 0 and 10000 basis points")
    return bps


#: rate-limit storages whose counters live inside one worker process
PER_PROCESS_RATELIMIT_SCHEMES = ("memory",)


def env_instance_path() -> str | None:
    """``INSTANCE_PATH`` (absolute), or None for Flask's ``instance/`` beside the code."""
    path = os.environ.get("INSTANCE_PATH")
    return str(Path(path).resolve()) if path else None


def check_config(config) -> None:
    """Refuse to start on settings that would silently weaken production."""
    if config["APP_ENV"] != "production":
        return
    uri = config["RATELIMIT_STORAGE_URI"]
    if uri.partition("://")[0] in PER_PROCESS_RATELIMIT_SCHEMES and not config.get("RATELIMIT_ALLOW_PER_PROCESS"):
        raise ConfigError(
            f"RATELIMIT_STORAGE_URI={uri} keeps rate-limit counters inside each worker process, so with N "
            "workers a client gets N times the login attempts. Use the default SQLite file (shared by the "
            "workers of one machine) or redis://... (several machines), or set RATELIMIT_ALLOW_PER_PROCESS=1 "
            "to accept per-process limits (a single-process server)."
        )


def _day_divisor(value: str | int) -> int:
    seconds = int(value)
    if seconds <= 0 or 86_400 % seconds:
        raise ConfigError("VIEW_WINDOW_SECONDS must divide a day (86400 seconds)")
    return seconds


def _seconds_list(value: str | None) -> tuple[float, ...] | None:
    return tuple(float(part) for part in value.split(",")) if value else None


def load_config(instance_path: str) -> dict:
    """Build the configuration mapping from the environment."""
    instance = Path(instance_path)
    env = os.environ.get("APP_ENV", "development")
    production = env == "production"
    default_db = f"sqlite:///{instance / 'marketplace.db'}"
    return {
        "APP_ENV": env,
        "SECRET_KEY": _secret_key(instance, env),
        "SQLALCHEMY_DATABASE_URI": os.environ.get("DATABASE_URL", default_db),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SEARCH_BACKEND": os.environ.get("SEARCH_BACKEND", "whoosh"),
        "SEARCH_INDEX_DIR": os.environ.get("SEARCH_INDEX_DIR", str(instance / "search-index")),
        #: whoosh: seconds a write waits for the index lock (then retries, then leaves the event queued)
        "SEARCH_WRITE_TIMEOUT": float(os.environ.get("SEARCH_WRITE_TIMEOUT", 10)),
        # Bookkeeping that reads cause (views, API tokens' last use): buffered per process, written
        # by a background thread every DEFERRED_FLUSH_SECONDS (0: only when flushed explicitly) or
        # when DEFERRED_FLUSH_SIZE entries wait; see marketplace/core/deferred.py for what a crash loses.
        "DEFERRED_FLUSH_SECONDS": float(os.environ.get("DEFERRED_FLUSH_SECONDS", 2)),
        "DEFERRED_FLUSH_SIZE": int(os.environ.get("DEFERRED_FLUSH_SIZE", 500)),
        "DEFERRED_MAX_ENTRIES": int(os.environ.get("DEFERRED_MAX_ENTRIES", 100_000)),
        #: a viewer counts once per listing per window of this many seconds (a divisor of a day)
        "VIEW_WINDOW_SECONDS": _day_divisor(os.environ.get("VIEW_WINDOW_SECONDS", 1800)),
        #: anonymous viewers counted per address, listing and window (told apart by their User-Agent)
        "VIEW_MAX_AGENTS_PER_ADDRESS": int(os.environ.get("VIEW_MAX_AGENTS_PER_ADDRESS", 5)),
        #: anonymous public reads (listings, search) are answered from a per-process cache this long
        #: (also their Cache-Control max-age); 0 turns the cache off
        "PUBLIC_CACHE_SECONDS": float(os.environ.get("PUBLIC_CACHE_SECONDS", 5)),
        "PUBLIC_CACHE_MAX_ENTRIES": int(os.environ.get("PUBLIC_CACHE_MAX_ENTRIES", 2000)),
        # Sessions and cookies
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool(os.environ.get("SESSION_COOKIE_SECURE"), production),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": _bool(os.environ.get("SESSION_COOKIE_SECURE"), production),
        "PERMANENT_SESSION_LIFETIME": int(os.environ.get("SESSION_LIFETIME_SECONDS", 14 * 24 * 3600)),
        # Passwords (argon2id); tests lower the cost.
        "PASSWORD_HASH_TIME_COST": int(os.environ.get("PASSWORD_HASH_TIME_COST", 3)),
        "PASSWORD_HASH_MEMORY_COST": int(os.environ.get("PASSWORD_HASH_MEMORY_COST", 65536)),
        "PASSWORD_MIN_LENGTH": 10,
        "INVITATION_TTL_HOURS": int(os.environ.get("INVITATION_TTL_HOURS", 7 * 24)),
        "PASSWORD_RESET_TTL_MINUTES": int(os.environ.get("PASSWORD_RESET_TTL_MINUTES", 60)),
        # Rate limits (Flask-Limiter): a SQLite file under instance/ shared by the workers of one
        # machine (marketplace.core.ratelimit_storage); redis://... when several machines serve.
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", f"sqlite:///{instance / 'ratelimits.sqlite'}"),
        #: production: accept per-process counters (memory://), e.g. for a single-process server
        "RATELIMIT_ALLOW_PER_PROCESS": _bool(os.environ.get("RATELIMIT_ALLOW_PER_PROCESS")),
        "RATELIMIT_ENABLED": _bool(os.environ.get("RATELIMIT_ENABLED"), True),
        "LOGIN_RATE_LIMIT_PER_IP": os.environ.get("LOGIN_RATE_LIMIT_PER_IP", "30 per minute"),
        "LOGIN_RATE_LIMIT_PER_ACCOUNT": os.environ.get("LOGIN_RATE_LIMIT_PER_ACCOUNT", "5 per minute"),
        "PASSWORD_RESET_RATE_LIMIT": os.environ.get("PASSWORD_RESET_RATE_LIMIT", "5 per hour"),
        # Email: .eml files under instance/emails in development, the log (console) elsewhere, SMTP
        # when EMAIL_BACKEND=smtp.
        "EMAIL_BACKEND": os.environ.get("EMAIL_BACKEND", "files" if env == "development" else "console"),
        "EMAIL_FILES_DIR": os.environ.get("EMAIL_FILES_DIR", str(instance / "emails")),
        "EMAIL_FROM": os.environ.get("EMAIL_FROM", "Marketplace <no-reply@marketplace.local>"),
        "EMAIL_DELIVER_AFTER_REQUEST": _bool(os.environ.get("EMAIL_DELIVER_AFTER_REQUEST"), True),
        "SMTP_HOST": os.environ.get("SMTP_HOST", "localhost"),
        "SMTP_PORT": int(os.environ.get("SMTP_PORT", 587)),
        "SMTP_USERNAME": os.environ.get("SMTP_USERNAME"),
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD"),
        "SMTP_STARTTLS": _bool(os.environ.get("SMTP_STARTTLS"), True),
        # Background jobs (Huey): a SQLite file under instance/ by default, Redis when REDIS_URL is
        # set (several machines share one queue); JOBS_IMMEDIATE runs every job inline (tests).
        "REDIS_URL": os.environ.get("REDIS_URL"),
        "JOBS_SQLITE_PATH": os.environ.get("JOBS_SQLITE_PATH", str(instance / "jobs.sqlite3")),
        "JOBS_IMMEDIATE": _bool(os.environ.get("JOBS_IMMEDIATE"), False),
        #: the queue's name in its storage (Redis keys): apps sharing one Redis keep apart by it
        "JOBS_QUEUE_NAME": os.environ.get("JOBS_QUEUE_NAME", "marketplace"),
        # Outgoing webhooks: private, loopback and link-local addresses are refused in production.
        "WEBHOOK_ALLOW_PRIVATE_URLS": _bool(os.environ.get("WEBHOOK_ALLOW_PRIVATE_URLS"), not production),
        "WEBHOOK_TIMEOUT_SECONDS": float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", 10)),
        #: seconds between a delivery's attempts (comma-separated); default about three days in all
        "WEBHOOK_RETRY_DELAYS": _seconds_list(os.environ.get("WEBHOOK_RETRY_DELAYS")),
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000"),
        # Payments: Stripe (or the localstripe emulator that `make run` starts) and the platform fee.
        "STRIPE_SECRET_KEY": os.environ.get("STRIPE_SECRET_KEY", ""),
        "STRIPE_WEBHOOK_SECRET": os.environ.get("STRIPE_WEBHOOK_SECRET", ""),
        "STRIPE_API_BASE": os.environ.get("STRIPE_API_BASE", "https://api.stripe.com"),
        "STRIPE_WEBHOOK_TOLERANCE_SECONDS": int(os.environ.get("STRIPE_WEBHOOK_TOLERANCE_SECONDS", 300)),
        "STRIPE_MAX_NETWORK_RETRIES": int(os.environ.get("STRIPE_MAX_NETWORK_RETRIES", 2)),
        #: where Stripe sends a university back after (or to restart) Express onboarding; default under PUBLIC_BASE_URL
        "STRIPE_CONNECT_RETURN_URL": os.environ.get("STRIPE_CONNECT_RETURN_URL"),
        "STRIPE_CONNECT_REFRESH_URL": os.environ.get("STRIPE_CONNECT_REFRESH_URL"),
        "PLATFORM_FEE_BPS": _bps(os.environ.get("PLATFORM_FEE_BPS", 500)),
        # OpenAPI (flask-smorest); the docs page is served by marketplace.docs, offline.
        "API_TITLE": "Tech-Transfer Marketplace API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api",
        "OPENAPI_JSON_PATH": "v1/openapi.json",
        "PROPAGATE_EXCEPTIONS": False,
        # Languages (Flask-Babel): pages pick the person's saved language, else Accept-Language, else this.
        "BABEL_DEFAULT_LOCALE": os.environ.get("DEFAULT_LOCALE", "en"),
        #: dates and times on pages are shown in this zone (stored in UTC)
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("DISPLAY_TIMEZONE", "Asia/Ho_Chi_Minh"),
    }
