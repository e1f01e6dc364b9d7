"""Fixtures for the job queue: an app whose jobs go to a real queue (a SQLite file or Redis)
instead of running inline, and real ``huey_consumer`` worker processes serving it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import redis
from standardwebhooks import Webhook, WebhookVerificationError

from marketplace import create_app
from tests.conftest import BrowserClient, app_config

REDIS_URL = "redis://127.0.0.1:6379/0"
ROOT = Path(__file__).resolve().parents[2]


def redis_or_skip() -> str:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.ConnectionError:
        pytest.skip("Redis is not running at 127.0.0.1:6379: start redis-server to run the Redis worker test")
    return REDIS_URL


@pytest.fixture(params=["sqlite", "redis"])
def queue_settings(request, tmp_path) -> dict:
    """Where the queue lives: a SQLite file of this test's own, or Redis under a queue name of its own."""
    settings = {"JOBS_IMMEDIATE": False, "JOBS_QUEUE_NAME": f"test-{uuid.uuid4().hex[:10]}"}
    if request.param == "redis":
        settings["REDIS_URL"] = redis_or_skip()
    else:
        settings["JOBS_SQLITE_PATH"] = str(tmp_path / "jobs.sqlite3")
    yield settings
    if request.param == "redis":
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(match=f"*{settings['JOBS_QUEUE_NAME']}*"):
            client.delete(key)


@pytest.fixture
def queued_app(app, database_url, tmp_path, queue_settings):
    """An app on the test database whose requests hand their work to the real queue."""
    config = app_config(database_url, tmp_path) | {"SEARCH_INDEX_DIR": str(tmp_path / "index")} | queue_settings
    queued = create_app(config)
    queued.test_client_class = BrowserClient
    yield queued
    with queued.app_context():
        from marketplace.extensions import db

        db.engine.dispose()


def worker_env(config: dict) -> dict:
    """The worker reads its settings from the environment, as in production."""
    env = dict(os.environ)
    env.update({
        "APP_ENV": "development",
        "SECRET_KEY": config["SECRET_KEY"],
        "DATABASE_URL": config["SQLALCHEMY_DATABASE_URI"],
        "SEARCH_INDEX_DIR": config["SEARCH_INDEX_DIR"],
        "EMAIL_BACKEND": "files",
        "EMAIL_FILES_DIR": config["EMAIL_FILES_DIR"],
        "JOBS_QUEUE_NAME": config["JOBS_QUEUE_NAME"],
        "PUBLIC_BASE_URL": config["PUBLIC_BASE_URL"],
        "PASSWORD_HASH_TIME_COST": "1",
        "PASSWORD_HASH_MEMORY_COST": "32",
        "PYTHONPATH": str(ROOT),  # this checkout's code, whichever one the venv installed
        "INSTANCE_PATH": str(Path(config["EMAIL_FILES_DIR"]).parent / "worker-instance"),
        "WEBHOOK_TIMEOUT_SECONDS": str(config["WEBHOOK_TIMEOUT_SECONDS"]),
    })
    env.pop("JOBS_IMMEDIATE", None)
    env.pop("WEBHOOK_RETRY_DELAYS", None)
    for key in ("REDIS_URL", "JOBS_SQLITE_PATH"):
        env.pop(key, None)
        if config.get(key):
            env[key] = config[key]
    return env


@pytest.fixture
def start_worker(queued_app, tmp_path):
    """``start_worker()`` -> a running ``huey_consumer`` process serving the queued app's queue."""
    processes = []

    def start(workers: int = 1) -> subprocess.Popen:
        consumer = Path(sys.executable).with_name("huey_consumer")
        log = open(tmp_path / f"worker-{len(processes)}.log", "w")
        process = subprocess.Popen(
            [str(consumer), "marketplace.jobs.worker.huey", "-w", str(workers), "-n", "-d", "0.05", "-m", "0.2"],
            cwd=ROOT, env=worker_env(queued_app.config), stdout=log, stderr=subprocess.STDOUT,
        )
        processes.append((process, log))
        return process

    yield start
    for process, log in processes:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.1):
    """Poll ``predicate`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"still waiting after {timeout} s")


class Receiver:
    """A webhook receiver on 127.0.0.1 that verifies each request's Standard Webhooks signature."""

    def __init__(self):
        self.secret: str | None = None
        self.status = 204
        self.requests: list[dict] = []  # every request: webhook-id, whether it verified, the body
        self.hang_first = False
        self.first_arrived, self.release = threading.Event(), threading.Event()
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/hooks"

    def delivered_once(self) -> list[dict]:
        """The bodies a receiver that deduplicates by webhook-id would process (verified ones only)."""
        seen, bodies = set(), []
        for r in self.requests:
            if r["verified"] and r["id"] not in seen:
                seen.add(r["id"])
                bodies.append(r["body"])
        return bodies

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        raw = handler.rfile.read(int(handler.headers.get("Content-Length", 0)))
        headers = {k.lower(): v for k, v in handler.headers.items()}
        try:
            Webhook(self.secret).verify(raw, headers)
            verified = True
        except WebhookVerificationError:
            verified = False
        with self.lock:
            self.requests.append({"id": headers.get("webhook-id"), "verified": verified, "body": json.loads(raw)})
            first = len(self.requests) == 1
        if first and self.hang_first:
            self.first_arrived.set()
            self.release.wait(30)
        try:
            handler.send_response(self.status)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
        except OSError:
            pass  # the sender is gone (killed mid-delivery)


@pytest.fixture
def receiver():
    hooks = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            hooks.handle(self)

        def log_message(self, *args):
            pass

    hooks.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    hooks.server.daemon_threads = True
    thread = threading.Thread(target=hooks.server.serve_forever, daemon=True)
    thread.start()
    yield hooks
    hooks.release.set()
    hooks.server.shutdown()
    hooks.server.server_close()
