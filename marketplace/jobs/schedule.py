"""The periodic jobs that ship with the code: what the nightly/hourly ``flask`` commands do, run by
the worker's scheduler. Each is idempotent and takes a lock in the queue's storage (shared by
every machine on Redis) so that only one run happens at a time; a run that finds the lock taken
is skipped (the other one does the work)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Callable

from huey import crontab
from huey.exceptions import TaskLockedException

from marketplace.core.db import utcnow
from marketplace.core.outbox import drain_pending
from marketplace.core.transaction import commit
from marketplace.deals.offers.services import expire_lapsed
from marketplace.extensions import db
from marketplace.incubator.services.members import mark_overdue_missed
from marketplace.ip.licenses import milestones
from marketplace.ip.licenses import services as licenses
from marketplace.jobs.queue import Jobs, current_jobs
from marketplace.jobs.webhooks.delivery import due_deliveries
from marketplace.notifications.reminders import send_due_reminders
from marketplace.notifications.services import deliver_pending
from marketplace.payments import reconcile
from marketplace.search import alerts

log = logging.getLogger(__name__)

#: the sweep leaves younger emails to their own task and its retries (30 s .. 4 min apart)
EMAIL_SWEEP_AGE = timedelta(minutes=15)


def expire_offers() -> str:
    expired = expire_lapsed(db.session)
    commit()
    return f"{len(expired)} offer(s) expired"


def expire_licenses() -> str:
    expired = licenses.expire_ended(db.session, utcnow().date())
    commit()
    return f"{len(expired)} license(s) expired"


def invoice_license_milestones() -> str:
    invoiced = milestones.invoice_due(db.session, utcnow().date())
    commit()
    return f"{len(invoiced)} milestone(s) invoiced"


def mark_missed_milestones() -> str:
    missed = mark_overdue_missed(db.session, utcnow().date())
    commit()
    return f"{len(missed)} milestone(s) marked missed"


def send_search_digests() -> str:
    sent = alerts.send_due_digests(db.session)
    commit()
    return f"{sent} digest(s) queued"


def send_reminders() -> str:
    counts = send_due_reminders(db.session, utcnow().date())  # commits per batch
    return f"{sum(counts.values())} reminder(s) sent"


def sweep_outbox() -> str:
    processed, failed = drain_pending(db.session)
    return f"{processed} outbox event(s) processed, {failed} failed"


def sweep_emails() -> str:
    sent, failed = deliver_pending(db.session, limit=500, queued_before=utcnow() - EMAIL_SWEEP_AGE)
    return f"{sent} email(s) sent, {failed} failed"


def sweep_webhooks() -> str:
    """Hand the due webhook deliveries no worker holds (lost retries, a killed worker) to the queue."""
    jobs = current_jobs()
    due = due_deliveries(db.session)
    for delivery_id in due:
        jobs.enqueue(jobs.deliver_webhook, delivery_id)
    return f"{len(due)} webhook deliveries queued"


def report_payment_drift() -> str:
    """Report only: a person decides on ``flask payments reconcile --fix``."""
    items = reconcile.plan(db.session, days=2)
    drifts = reconcile.compare_all(db.session, items, fix=False)
    for drift in drifts:
        log.warning("payments reconcile: %s", drift)
    return f"{len(items)} payment object(s) checked, {len(drifts)} drifted"


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    when: crontab
    run: Callable[[], str]
    #: for people (the README's table)
    schedule: str


SCHEDULE = (
    PeriodicJob("search-sync", crontab(minute="*/5"), sweep_outbox, "every 5 minutes"),
    PeriodicJob("emails-send", crontab(minute="*/10"), sweep_emails, "every 10 minutes"),
    PeriodicJob("webhooks-deliver", crontab(), sweep_webhooks, "every minute"),
    PeriodicJob("offers-expire", crontab(minute="5"), expire_offers, "hourly at :05"),
    PeriodicJob("search-send-digests", crontab(minute="20"), send_search_digests, "hourly at :20"),
    PeriodicJob("licenses-expire", crontab(minute="10", hour="0"), expire_licenses, "daily 00:10 UTC"),
    PeriodicJob("licenses-invoice-milestones", crontab(minute="25", hour="0"), invoice_license_milestones,
                "daily 00:25 UTC"),
    PeriodicJob("incubator-milestones-overdue", crontab(minute="40", hour="0"), mark_missed_milestones,
                "daily 00:40 UTC"),
    PeriodicJob("reminders-send", crontab(minute="50", hour="0"), send_reminders, "daily 00:50 UTC"),
    PeriodicJob("payments-reconcile", crontab(minute="0", hour="3"), report_payment_drift, "daily 03:00 UTC"),
)


def run_locked(jobs: Jobs, job: PeriodicJob) -> str | None:
    """Run ``job`` unless another run (on any machine sharing the queue) holds its lock; None if skipped."""
    try:
        with jobs.huey.lock_task(job.name, ttl=jobs.lock_ttl):
            outcome = jobs.in_app(job.run)()
    except TaskLockedException:
        log.info("periodic job %s is running elsewhere; skipped", job.name)
        return None
    log.info("periodic job %s: %s", job.name, outcome)
    return outcome


def register(jobs: Jobs) -> None:
    """Register every periodic job on the app's queue (``jobs.periodic[name]`` runs one now)."""
    jobs.periodic = {}
    for job in SCHEDULE:
        def run(job=job) -> str | None:
            return run_locked(jobs, job)

        run.__name__ = job.name.replace("-", "_")
        run.__module__ = __name__
        jobs.periodic[job.name] = jobs.huey.periodic_task(job.when, name=run.__name__)(run)
