"""The work requests hand over after their commit: drain outbox events (search index, saved-search
alerts, webhook fan-out), deliver the emails a transaction queued, deliver webhooks; each with
retries and exponential backoff."""

from __future__ import annotations

from marketplace.core import outbox
from marketplace.extensions import db
from marketplace.jobs.queue import Jobs, current_jobs
from marketplace.jobs.webhooks import delivery as webhooks
from marketplace.notifications import services as notifications


class StillPending(RuntimeError):
    """Some of the task's work failed and stays pending; Huey retries the task after a delay."""


def drain_outbox(ids: list[int]) -> None:
    """Deliver the events one transaction emitted to the outbox consumers (index, alerts, webhooks)."""
    _processed, failed, _ = outbox.drain(db.session, ids=ids)
    if failed:
        raise StillPending(f"{failed} outbox event(s) failed; they stay pending")


def send_emails(ids: list[int]) -> None:
    """Deliver the emails one transaction queued, over one connection."""
    _sent, failed = notifications.deliver_pending(db.session, ids=ids)
    if failed:
        raise StillPending(f"{failed} email(s) not delivered; they stay queued")


def deliver_webhook(delivery_id: int) -> None:
    """One attempt at a webhook delivery; a failed one schedules the next after its backoff."""
    retry_in = webhooks.deliver(db.session, delivery_id)
    if retry_in is not None:
        current_jobs().deliver_webhook.schedule(args=(delivery_id,), delay=retry_in)


def register(jobs: Jobs) -> None:
    """Register the tasks on the app's queue and hand them work when a transaction commits."""
    task = jobs.huey.task
    # 10 s, 20 s, 40 s, ... : about ten minutes over five retries
    jobs.drain_outbox = task(retries=5, retry_delay=10, retry_backoff=2, name="drain_outbox")(
        jobs.in_app(drain_outbox)
    )
    # 30 s, 1, 2, 4 min: with the first try, the outbox's MAX_ATTEMPTS (then the email is failed)
    jobs.send_emails = task(retries=notifications.MAX_ATTEMPTS - 1, retry_delay=30, retry_backoff=2,
                            name="send_emails")(jobs.in_app(send_emails))
    # its retries are its own (RETRY_DELAYS, recorded on the delivery row)
    jobs.deliver_webhook = task(name="deliver_webhook")(jobs.in_app(deliver_webhook))


@outbox.events_committed.connect
def _drain_later(_sender, ids: list[int]) -> None:
    jobs = current_jobs()
    jobs.enqueue(jobs.drain_outbox, ids)


@notifications.emails_committed.connect
def _send_later(_sender, ids: list[int]) -> None:
    jobs = current_jobs()
    jobs.enqueue(jobs.send_emails, ids)
