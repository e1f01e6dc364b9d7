"""Job queue benchmark: what handing work to the queue costs a request, and webhook throughput.

    .venv/bin/python bench/jobs_bench.py [--enqueues 2000] [--webhooks 300]

1. For each queue engine (the SQLite file; Redis at 127.0.0.1:6379 when it answers), builds the
   app on a fresh SQLite database with that queue, starts a real ``huey_consumer`` serving it, and
   times what a request runs after its commit when it emitted outbox events: the
   ``events_committed`` signal, its receiver and the enqueue of a ``drain_outbox`` job (serialize +
   write to the storage). Prints ``jobs enqueue p95 in the request: sqlite X ms, redis Y ms (...)``.
   Target: p95 <= 2 ms.
2. Webhook delivery throughput on the SQLite queue: N deliveries to a receiver on 127.0.0.1 (an HTTP
   server in this process answering 204), handed to a consumer with one worker thread, then to one
   with two; from the first enqueue to the last delivery recorded. Prints
   ``webhook deliveries: 1 worker X events/s, 2 workers Y events/s (N each, ...)``.
"""

from __future__ import annotations

import argparse
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from marketplace import create_app  # noqa: E402
from marketplace.core.outbox import events_committed  # noqa: E402
from marketplace.extensions import db  # noqa: E402

REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_available() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.ConnectionError:
        return False


def start_consumer(config: dict, workdir: Path, workers: int = 2) -> subprocess.Popen:
    env = dict(os.environ, APP_ENV="development", SECRET_KEY="bench", PYTHONPATH=str(ROOT),
               INSTANCE_PATH=str(workdir / "instance"),
               DATABASE_URL=config["SQLALCHEMY_DATABASE_URI"], SEARCH_INDEX_DIR=config["SEARCH_INDEX_DIR"],
               EMAIL_BACKEND="files", EMAIL_FILES_DIR=str(workdir / "emails"),
               JOBS_QUEUE_NAME=config["JOBS_QUEUE_NAME"])
    for key in ("REDIS_URL", "JOBS_SQLITE_PATH"):
        env.pop(key, None)
        if config.get(key):
            env[key] = config[key]
    consumer = Path(sys.executable).with_name("huey_consumer")
    return subprocess.Popen([str(consumer), "marketplace.jobs.worker.huey", "-w", str(workers), "-n", "-q"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def bench_app(engine: str, workdir: Path):
    from flask_migrate import upgrade

    config = {
        "SECRET_KEY": "bench",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'bench.db'}",
        "SEARCH_INDEX_DIR": str(workdir / "index"),
        "JOBS_IMMEDIATE": False,
        "JOBS_QUEUE_NAME": f"bench-{uuid.uuid4().hex[:8]}",
    }
    if engine == "redis":
        config["REDIS_URL"] = REDIS_URL
    else:
        config["JOBS_SQLITE_PATH"] = str(workdir / "jobs.sqlite3")
    app = create_app(config)
    with app.app_context():
        upgrade()
    return app, config


def measure(engine: str, enqueues: int, workdir: Path) -> tuple[list[float], list[float]]:
    """Milliseconds per after-commit hand-over (wall clock, and this thread's CPU time, which tells
    the work from the waiting on a busy machine), with a consumer draining the queue meanwhile."""
    app, config = bench_app(engine, workdir)
    consumer = start_consumer(config, workdir)
    timings, cpu = [], []
    try:
        with app.app_context():
            for i in range(enqueues // 10):  # warm up: connections, first writes
                events_committed.send(None, ids=[-i - 1])
            for i in range(enqueues):
                started, started_cpu = time.perf_counter(), time.thread_time()
                events_committed.send(None, ids=[-i - 1])  # ids no event has: the worker finds nothing
                timings.append((time.perf_counter() - started) * 1000)
                cpu.append((time.thread_time() - started_cpu) * 1000)
            db.engine.dispose()
    finally:
        consumer.terminate()
        consumer.wait(timeout=30)
        if engine == "redis":
            client = redis.Redis.from_url(REDIS_URL)
            for key in client.scan_iter(match=f"*{config['JOBS_QUEUE_NAME']}*"):
                client.delete(key)
    return timings, cpu


def webhook_throughput(workers: int, deliveries: int, workdir: Path) -> float:
    """Events per second one consumer with ``workers`` threads delivers to a local receiver."""
    import sqlalchemy as sa

    from marketplace.accounts.models import Organization
    from marketplace.jobs.webhooks.models import WebhookDelivery, WebhookEndpoint

    class Answer(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    app, config = bench_app("sqlite", workdir)
    consumer = start_consumer(config, workdir, workers)
    try:
        with app.app_context():
            jobs = app.extensions["jobs"]
            org = Organization(kind="company", name="Bench", slug="bench", country="US")
            db.session.add(org)
            db.session.flush()
            endpoint = WebhookEndpoint(organization_id=org.id, url=f"http://127.0.0.1:{server.server_port}/in",
                                       secret="whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", event_types=[])
            rows = [WebhookDelivery(endpoint=endpoint, message_id=f"msg_{n}", event_type="listing.published",
                                    payload={"type": "listing.published", "data": {"id": n}})
                    for n in range(deliveries + 1)]
            db.session.add_all(rows)
            db.session.commit()
            ids = [row.id for row in rows]

            def delivered() -> int:
                db.session.rollback()
                return db.session.scalar(sa.select(sa.func.count()).where(WebhookDelivery.status == "delivered"))

            jobs.deliver_webhook(ids[0])  # warm-up: the consumer is ready once this one is delivered
            while delivered() < 1:
                time.sleep(0.05)
            started = time.perf_counter()
            for delivery_id in ids[1:]:
                jobs.deliver_webhook(delivery_id)
            while delivered() < len(ids):
                time.sleep(0.02)
            elapsed = time.perf_counter() - started
            db.engine.dispose()
    finally:
        consumer.terminate()
        consumer.wait(timeout=30)
        server.shutdown()
    return deliveries / elapsed


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[94]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enqueues", type=int, default=2000)
    parser.add_argument("--webhooks", type=int, default=300)
    args = parser.parse_args()
    engines = ["sqlite"] + (["redis"] if redis_available() else [])
    results = {}
    for engine in engines:
        workdir = Path(tempfile.mkdtemp(prefix=f"jobs-bench-{engine}-"))
        try:
            results[engine] = measure(engine, args.enqueues, workdir)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    for engine, (timings, cpu) in results.items():
        print(f"{engine}: p50 {statistics.median(timings):.2f} ms, p95 {p95(timings):.2f} ms, "
              f"max {max(timings):.2f} ms over {len(timings)} enqueues; CPU time p95 {p95(cpu):.2f} ms")
    missing = "" if "redis" in results else ", redis skipped: nothing answers at 127.0.0.1:6379"
    line = ", ".join(f"{engine} {p95(timings):.2f} ms" for engine, (timings, _) in results.items())
    print(f"jobs enqueue p95 in the request: {line} ({args.enqueues} enqueues each, consumer running, "
          f"target <= 2 ms{missing})")
    rates = {}
    for workers in (1, 2):
        workdir = Path(tempfile.mkdtemp(prefix=f"jobs-bench-webhooks-{workers}-"))
        try:
            rates[workers] = webhook_throughput(workers, args.webhooks, workdir)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"webhook deliveries: 1 worker {rates[1]:.0f} events/s, 2 workers {rates[2]:.0f} events/s "
          f"({args.webhooks} each, SQLite queue and database, receiver on 127.0.0.1)")


if __name__ == "__main__":
    main()
