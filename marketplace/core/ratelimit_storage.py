"""Rate-limit counters in a SQLite file, shared by every worker process of one machine.

``limits`` (under Flask-Limiter) ships in-memory, Redis, Memcached and MongoDB storages and no
file or SQL one. This storage registers the ``sqlite`` scheme with ``limits``' storage registry
(subclassing :class:`limits.storage.Storage` is what registers it), so
``RATELIMIT_STORAGE_URI=sqlite:///path/to/file`` works like any other storage URI. It supports
the fixed-window strategy (Flask-Limiter's default). Each increment is one atomic upsert; SQLite's
file lock makes concurrent workers wait for each other (``timeout`` seconds at most) instead of
losing a count. Use Redis when several machines serve the app.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

from limits.errors import ConfigurationError
from limits.storage import Storage

SCHEME = "sqlite"
#: expired counters are deleted once every this many increments (per process)
PRUNE_EVERY = 500

_SCHEMA = """
CREATE TABLE IF NOT EXISTS rate_limit_counters (
    key TEXT PRIMARY KEY,
    hits INTEGER NOT NULL,
    expires_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_rate_limit_counters_expires_at ON rate_limit_counters (expires_at);
"""

_INCR = """
INSERT INTO rate_limit_counters (key, hits, expires_at) VALUES (:key, :amount, :now + :expiry)
ON CONFLICT (key) DO UPDATE SET
    hits = CASE WHEN expires_at <= :now THEN excluded.hits ELSE hits + excluded.hits END,
    expires_at = CASE WHEN expires_at <= :now THEN excluded.expires_at ELSE expires_at END
RETURNING hits
"""


class SQLiteStorage(Storage):
    """Fixed-window counters in one SQLite file (``sqlite:///relative`` or ``sqlite:////absolute``)."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str, wrap_exceptions: bool = False, timeout: float = 10, **options):
        prefix = f"{SCHEME}:///"
        if not uri.startswith(prefix) or uri == prefix:
            raise ConfigurationError(f"a SQLite rate-limit storage needs a file: {prefix}path/to/file, not {uri}")
        self.path = Path(uri[len(prefix):])
        self.timeout = float(timeout)
        self._local = threading.local()
        self._increments = 0
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        """This thread's connection, opened anew in a forked worker (a connection never crosses a fork)."""
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.executescript(_SCHEMA)
            local.conn, local.pid = conn, os.getpid()
        return local.conn

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add ``amount`` to the counter of ``key``, starting a new window of ``expiry`` seconds if it expired."""
        conn = self._connection()
        now = time.time()
        (count,) = conn.execute(_INCR, {"key": key, "amount": amount, "now": now, "expiry": expiry}).fetchall()[0]
        self._increments += 1
        if self._increments % PRUNE_EVERY == 0:
            conn.execute("DELETE FROM rate_limit_counters WHERE expires_at <= ?", (now,))
        return count

    def get(self, key: str) -> int:
        row = self._connection().execute(
            "SELECT hits FROM rate_limit_counters WHERE key = ? AND expires_at > ?", (key, time.time())
        ).fetchone()
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        now = time.time()
        row = self._connection().execute(
            "SELECT expires_at FROM rate_limit_counters WHERE key = ? AND expires_at > ?", (key, now)
        ).fetchone()
        return row[0] if row else now

    def check(self) -> bool:
        try:
            self._connection().execute("SELECT 1").fetchall()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        return self._connection().execute("DELETE FROM rate_limit_counters").rowcount

    def clear(self, key: str) -> None:
        self._connection().execute("DELETE FROM rate_limit_counters WHERE key = ?", (key,))
