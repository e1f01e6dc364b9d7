"""The app's Huey instance, built from its settings, and the safe way to enqueue from a request."""

from __future__ import annotations

import functools
import logging
import sqlite3
from pathlib import Path

import redis
from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisExpireHuey, SqliteHuey

from marketplace.core.transaction import write_intent

log = logging.getLogger(__name__)

#: what a queue whose storage is down raises on enqueue: the request goes on, the sweep catches up
STORAGE_ERRORS = (sqlite3.Error, redis.RedisError, OSError)


def create_queue(config) -> Huey:
    """Immediate (inline, for tests), Redis (``REDIS_URL``: several machines) or a SQLite file."""
    name = config.get("JOBS_QUEUE_NAME", "marketplace")
    if config.get("JOBS_IMMEDIATE"):
        return MemoryHuey(name, results=False, immediate=True)
    if config.get("REDIS_URL"):
        # the "expire" storage gives locks a time to live on every Redis version
        return RedisExpireHuey(name, results=False, url=config["REDIS_URL"])
    path = Path(config["JOBS_SQLITE_PATH"])
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, results=False, filename=str(path))


class Jobs:
    """One app's queue: its Huey instance, and the tasks registered on it as attributes."""

    def __init__(self, app: Flask):
        self.app = app
        self.huey = create_queue(app.config)
        #: Redis lets a crashed run's lock expire; SQLite and memory storage keep no TTL (the
        #: single-machine worker clears stale locks as it starts: ``huey_consumer -f``)
        self.lock_ttl = 3600 if isinstance(self.huey, RedisExpireHuey) else None

    def in_app(self, fn):
        """``fn`` run in a fresh app context of this app (its own database session), as a job."""

        @functools.wraps(fn)
        def run(*args, **kwargs):
            with self.app.app_context(), write_intent():
                return fn(*args, **kwargs)

        return run

    def enqueue(self, task, *args) -> None:
        """Enqueue ``task(*args)``; if the queue's storage is down, log it and go on (a sweep runs it)."""
        try:
            task(*args)
        except STORAGE_ERRORS:
            log.exception("could not enqueue %s; the periodic sweep will pick the work up", task.name)


def current_jobs() -> Jobs:
    return current_app.extensions["jobs"]
