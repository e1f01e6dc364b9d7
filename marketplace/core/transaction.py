"""One commit per request, and work that must run only once that commit succeeded."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Callable, Iterator

from flask import Flask, current_app, request
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
_HOOKS = "after_commit_hooks"
_WRITE_INTENT: ContextVar[bool] = ContextVar("write_intent", default=False)
_BATCHES = "after_commit_batches"


def session():
    """The request's (or CLI command's) SQLAlchemy session."""
    return current_app.extensions["sqlalchemy"].session


def after_commit(sess, hook: Callable[[], None]) -> None:
    """Run ``hook`` once the current transaction of ``sess`` has committed (dropped on rollback)."""
    sess.info.setdefault(_HOOKS, []).append(hook)


def after_commit_batch(sess, key: str, item, hook: Callable[[list], None]) -> None:
    """Collect ``item`` under ``key``; once the transaction commits, call ``hook(items)`` once for all."""
    batches = sess.info.setdefault(_BATCHES, {})
    if key not in batches:
        batches[key] = []
        after_commit(sess, lambda: hook(sess.info.get(_BATCHES, {}).pop(key, [])))
    batches[key].append(item)


def commit(sess=None) -> None:
    """Commit and run the after-commit hooks (for CLI commands and background work)."""
    sess = sess or session()
    sess.commit()
    run_after_commit_hooks(sess)


@contextmanager
def write_intent() -> Iterator[None]:
    """Work outside a request that will write (a flush, a job): on SQLite its transactions take the
    write lock as they begin, so they wait for it instead of failing with "database is locked"."""
    token = _WRITE_INTENT.set(True)
    try:
        yield
    finally:
        _WRITE_INTENT.reset(token)


def has_write_intent() -> bool:
    """Whether the work running now declared that it writes (``write_intent``)."""
    return _WRITE_INTENT.get()


def run_after_commit_hooks(sess) -> None:
    """Run the hooks of the transaction that just committed, each on its own.

    A failing hook never turns the committed request into an error nor stops the hooks after it:
    it is logged with its traceback and its unfinished writes are rolled back, so its work stays
    where a retry finds it (a queued email, an outbox row).
    """
    hooks = sess.info.pop(_HOOKS, [])
    for hook in hooks:
        try:
            hook()
        except Exception:  # the commit stands whatever a hook does; the error is logged, not hidden
            log.exception("after-commit hook %r failed; the transaction it followed stays committed", hook)
            sess.rollback()


@event.listens_for(Session, "after_soft_rollback")
def _drop_hooks_on_rollback(sess, previous_transaction):
    if previous_transaction.parent is None:
        sess.info.pop(_HOOKS, None)
        sess.info.pop(_BATCHES, None)


class TransactionalFlask(Flask):
    """A Flask app whose views run in one transaction, committed when the view returns.

    Services only ``flush()``; an exception anywhere in the view rolls everything back
    (the session is discarded at teardown), so no request leaves half its writes.
    """

    def dispatch_request(self):
        try:
            rv = super().dispatch_request()
            if request.routing_exception is None and current_app.extensions["sqlalchemy"].session.registry.has():
                commit()  # (a request that never touched the database has nothing to commit)
        except BaseException:
            session().rollback()
            raise
        return rv
