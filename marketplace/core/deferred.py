"""Bookkeeping that reads cause (a listing's views, an API token's last use), written off the
request path so that a GET never opens a write transaction.

A request adds an entry to a buffer of its process (a dict: an entry already there is merged, so a
client reading in a loop adds nothing). A daemon thread, started on the first entry, writes every
buffer in batches, each in a transaction of its own, every ``DEFERRED_FLUSH_SECONDS`` (0: no thread,
flush explicitly) or as soon as ``DEFERRED_FLUSH_SIZE`` entries wait, and once more when the process
exits normally (``atexit``; gunicorn workers exit that way on SIGTERM, SIGQUIT or ``max_requests``).

What can be lost: a process killed without running its exit handlers (SIGKILL, out of memory, power
loss) loses the entries added since its last flush: at most ``DEFERRED_FLUSH_SECONDS`` of views and
token uses. A flush that fails (database down) keeps its entries for the next one, up to
``DEFERRED_MAX_ENTRIES`` per buffer; beyond that, new entries are dropped and logged.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from dataclasses import dataclass, field
from typing import Any, Callable

from flask import Flask, current_app

from marketplace.core.transaction import commit, session, write_intent

log = logging.getLogger(__name__)
_EXTENSION = "deferred_writes"


def keep_first(old, new):
    return old


@dataclass
class Buffer:
    name: str
    #: writes the entries (``{key: value}``) in the session given and answers how many it recorded
    write: Callable[[Any, dict], int]
    #: combines a new value with the one already buffered under the same key
    merge: Callable[[Any, Any], Any] = keep_first
    entries: dict = field(default_factory=dict)


class DeferredWrites:
    """The buffers of one app in this process, and the thread that flushes them."""

    def __init__(self, app: Flask):
        self.app = app
        self.buffers: dict[str, Buffer] = {}
        self._reset()
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        """A fresh state (at start, and in a forked child: the parent's thread and locks are not ours)."""
        self.lock = threading.Lock()
        self.flush_lock = threading.Lock()
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None
        for buffer in self.buffers.values():
            buffer.entries = {}

    def add(self, name: str, key, value) -> None:
        buffer = self.buffers[name]
        cfg = self.app.config
        with self.lock:
            if key in buffer.entries:
                buffer.entries[key] = buffer.merge(buffer.entries[key], value)
            elif len(buffer.entries) >= cfg["DEFERRED_MAX_ENTRIES"]:
                log.warning("deferred writes: %s buffer full, entry dropped", name)
                return
            else:
                buffer.entries[key] = value
            waiting = sum(len(b.entries) for b in self.buffers.values())
            start = cfg["DEFERRED_FLUSH_SECONDS"] > 0 and self.thread is None and not self.stopping.is_set()
            if start:
                self.thread = threading.Thread(target=self._run, name="deferred-writes", daemon=True)
                self.thread.start()
        if start:
            atexit.register(self.stop)
        if waiting >= cfg["DEFERRED_FLUSH_SIZE"]:
            self.wake.set()

    def _run(self) -> None:
        interval = self.app.config["DEFERRED_FLUSH_SECONDS"]
        while not self.stopping.is_set():
            self.wake.wait(interval)
            self.wake.clear()
            if self.stopping.is_set():
                return
            try:
                self.flush()
            except Exception:  # the thread must outlive a database outage; the entries are kept
                log.exception("deferred writes: flush failed, entries kept for the next flush")

    def flush(self) -> dict[str, int]:
        """Write every buffer, each in its own transaction: ``{buffer name: entries recorded}``."""
        recorded: dict[str, int] = {}
        with self.flush_lock:
            for buffer in self.buffers.values():
                with self.lock:
                    entries, buffer.entries = buffer.entries, {}
                if entries:
                    recorded[buffer.name] = self._write(buffer, entries)
        return recorded

    def _write(self, buffer: Buffer, entries: dict) -> int:
        try:
            with self.app.app_context(), write_intent():
                count = buffer.write(session(), entries)
                commit()
                return count
        except BaseException:
            with self.lock:
                for key, value in entries.items():
                    if key in buffer.entries:
                        buffer.entries[key] = buffer.merge(value, buffer.entries[key])
                    elif len(buffer.entries) < self.app.config["DEFERRED_MAX_ENTRIES"]:
                        buffer.entries[key] = value
            raise

    def stop(self) -> None:
        """Stop the thread and flush what is left (at exit)."""
        self.stopping.set()
        self.wake.set()
        thread = self.thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=30)
        try:
            self.flush()
        except Exception:  # at exit there is no one left to raise to
            log.exception("deferred writes: final flush failed, %d entries lost",
                          sum(len(b.entries) for b in self.buffers.values()))


def init_app(app: Flask) -> None:
    app.extensions[_EXTENSION] = DeferredWrites(app)


def register(app: Flask, name: str, write: Callable[[Any, dict], int], merge=keep_first) -> None:
    """Declare a buffer: ``write(session, entries)`` records its entries and answers how many it recorded."""
    app.extensions[_EXTENSION].buffers[name] = Buffer(name, write, merge)


def add(name: str, key, value, app: Flask | None = None) -> None:
    """Buffer one entry for ``app`` (by default the current one), merged with an entry of the same key."""
    (app or current_app).extensions[_EXTENSION].add(name, key, value)


def flush(app: Flask | None = None) -> dict[str, int]:
    """Write this process's buffers now (tests, exit): ``{buffer name: entries recorded}``."""
    return (app or current_app).extensions[_EXTENSION].flush()


def stop(app: Flask) -> None:
    """Stop the flushing thread of ``app`` and flush what is left."""
    app.extensions[_EXTENSION].stop()


def discard(app: Flask) -> None:
    """Forget what the buffers hold (tests, between tests that empty the database)."""
    writes = app.extensions[_EXTENSION]
    with writes.lock:
        for buffer in writes.buffers.values():
            buffer.entries = {}
