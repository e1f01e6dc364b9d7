"""Background jobs on Huey: the queue (a SQLite file under ``instance/`` by default, Redis when
``REDIS_URL`` is set), the tasks requests hand over after their commit (outbox drains, email
delivery, outgoing webhooks) and the periodic schedule that ships with the code.

Nothing imports this package but the app factory: it learns what to do from the signals that
``core.outbox`` and ``notifications`` send once a transaction has committed.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Give the app its queue (``app.extensions["jobs"]``) with every task and periodic job registered."""
    from marketplace.core.outbox import register_consumer
    from marketplace.jobs import schedule, tasks
    from marketplace.jobs.queue import Jobs
    from marketplace.jobs.webhooks.delivery import fan_out
    from marketplace.jobs.webhooks.services import EVENT_TYPES

    register_consumer("webhooks", fan_out, EVENT_TYPES)
    jobs = Jobs(app)
    tasks.register(jobs)
    schedule.register(jobs)
    app.extensions["jobs"] = jobs
