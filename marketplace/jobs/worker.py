"""What the worker runs: ``huey_consumer marketplace.jobs.worker.huey -w 2`` (periodic jobs on by
default). It builds the app from the environment, like the web server, and serves its queue."""

from __future__ import annotations

import logging

from marketplace import create_app
from marketplace.config import ConfigError

# The consumer sets up logging itself (its format, -v / -q): keep the app's from adding a second handler.
logging.getLogger().addHandler(logging.NullHandler())
app = create_app()
if app.config["JOBS_IMMEDIATE"]:
    raise ConfigError("JOBS_IMMEDIATE runs jobs inside the requests: a worker has nothing to do")
huey = app.extensions["jobs"].huey
