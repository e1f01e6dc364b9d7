"""API read benchmark: the app's public reads against a bare Flask app serving the same bodies.

    .venv/bin/python bench/api_bench.py                      # SQLite file, Whoosh (make bench-api)
    .venv/bin/python bench/api_bench.py --database postgres  # a new PostgreSQL database

1. Builds a fresh database (a SQLite file, or a new PostgreSQL database on ``BENCH_DATABASE_URL``,
   default the local server) with ``--listings`` generated published listings (the generator of
   ``bench/search_bench.py``) and their Whoosh index; removes both at the end unless ``--keep``.
2. Starts gunicorn (``--workers`` sync workers, 2 by default) with the app, reads the bodies of the
   three reads (one published listing, the listings page, a search), and starts the same gunicorn
   with a bare Flask app that answers those three paths with the same bodies.
3. Drives each server with the same load, in ``--rounds`` alternating bursts (api, bare, api, ...)
   of ``--seconds`` in all per server and read, so that both see the same machine: ``wrk`` when it
   is on PATH (``--connections`` connections), else a Python load generator (processes of threads,
   each with its own connection, reconnecting when the server closes it). Anonymous GETs, like a
   public catalogue's visitors; every reader sends the same request again and again.
4. Prints, for each read, ``read api/bare = R (api X req/s, bare Y req/s)`` with the path.

Goal (ratios of one run): R >= 0.6 for one listing and the listings page.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

READS = {
    "one listing": "/api/v1/listings/{listing_id}",
    "listings page": "/api/v1/listings?page_size=20",
    "search": "/api/v1/search/listings?q=battery+electrolyte&page_size=20",
}


# ---- the bare app (gunicorn loads it with ``api_bench:bare_app()``) -----------------------------


def bare_app():
    """A Flask app answering each benchmarked path with the body the real app gave (from BENCH_BODIES)."""
    from flask import Flask, Response, request

    bodies = json.loads(Path(os.environ["BENCH_BODIES"]).read_text())
    app = Flask("bare")

    @app.route("/<path:path>")
    def serve(path):
        full = request.full_path.rstrip("?")
        return Response(bodies[full], mimetype="application/json")

    return app


# ---- data and servers ---------------------------------------------------------------------------


def build_data(database_url: str, index_dir: str, listings: int, seed: int) -> None:
    from flask_migrate import upgrade

    from marketplace import create_app
    from marketplace.core.transaction import commit
    from marketplace.extensions import db
    from marketplace.search.backends import get_backend
    from search_bench import generate

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SEARCH_INDEX_DIR": index_dir,
                      "SECRET_KEY": "bench", "SEARCH_BACKEND": "whoosh"})
    with app.app_context():
        upgrade()
        generate(db.session, listings, seed)
        get_backend(app).rebuild(db.session, 1000, lambda n: None)
        commit()
        db.session.remove()
        db.engine.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(target: str, port: int, workers: int, env: dict) -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning",
         "--pythonpath", f"{ROOT},{ROOT / 'bench'}", target],
        env={**os.environ, **env}, cwd=ROOT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            get(port, "/api/v1/listings/technology-fields" if "wsgi" in target else "/ping", allow_any=True)
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"gunicorn {target} did not start")


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def get(port: int, path: str, allow_any: bool = False) -> bytes:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    if response.status != 200 and not allow_any:
        raise RuntimeError(f"GET {path} answered {response.status}: {body[:300]!r}")
    return body


# ---- load ---------------------------------------------------------------------------------------


def load(port: int, path: str, connections: int, seconds: float) -> float:
    """Requests per second the server at ``port`` answered with 200 for ``path``."""
    if shutil.which("wrk"):
        out = subprocess.run(
            ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds:g}s", "--timeout", "60s",
             f"http://127.0.0.1:{port}{path}"],
            capture_output=True, text=True, check=True,
        ).stdout
        if "Non-2xx" in out or "Socket errors" in out:
            raise RuntimeError(f"errors under load:\n{out}")
        return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    processes = 2
    ctx = multiprocessing.get_context("spawn")
    counts = ctx.Queue()
    workers = [ctx.Process(target=_load_process, args=(port, path, connections // processes, seconds, counts))
               for _ in range(processes)]
    for worker in workers:
        worker.start()
    results = [counts.get(timeout=seconds + 60) for _ in workers]
    for worker in workers:
        worker.join()
    failures = sum(failed for _, failed in results)
    if failures:
        raise RuntimeError(f"{failures} requests failed under load")
    return sum(ok for ok, _ in results) / seconds


def _load_process(port: int, path: str, threads: int, seconds: float, counts) -> None:
    totals = [[0, 0] for _ in range(threads)]
    deadline = time.monotonic() + seconds

    def run(slot: list) -> None:
        conn = None
        while time.monotonic() < deadline:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = None
                continue
            slot[0 if response.status == 200 else 1] += 1
            if response.will_close:
                conn.close()
                conn = None

    pool = [threading.Thread(target=run, args=(slot,)) for slot in totals]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    counts.put((sum(t[0] for t in totals), sum(t[1] for t in totals)))


# ---- running ------------------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--listings", type=int, default=2000)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=12, help="load time per server and read")
    parser.add_argument("--rounds", type=int, default=4, help="alternating bursts per server and read")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--public-cache-seconds", type=float, default=5,
                        help="the app's PUBLIC_CACHE_SECONDS (0: every read runs the view)")
    parser.add_argument("--keep", action="store_true", help="keep the generated database and index")
    args = parser.parse_args(argv)

    workdir = tempfile.mkdtemp(prefix="api-bench-")
    admin_engine = pg_name = None
    if args.database == "postgres":
        base = sa.make_url(os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
        pg_name = f"api_bench_{uuid.uuid4().hex[:8]}"
        admin_engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
        with admin_engine.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{pg_name}"')
        database_url = base.set(database=pg_name).render_as_string(hide_password=False)
    else:
        database_url = f"sqlite:///{workdir}/bench.db"
    index_dir = os.path.join(workdir, "index")
    servers: list[subprocess.Popen] = []
    try:
        print(f"API read benchmark: {args.listings} listings on {args.database}, gunicorn -w {args.workers},"
              f" {args.connections} connections, {args.seconds:g} s per server and read in {args.rounds} bursts,"
              f" PUBLIC_CACHE_SECONDS={args.public_cache_seconds:g}, load by "
              f"{'wrk' if shutil.which('wrk') else 'the Python load generator'}")
        build_data(database_url, index_dir, args.listings, args.seed)
        env = {"DATABASE_URL": database_url, "SEARCH_INDEX_DIR": index_dir, "SECRET_KEY": "bench",
               "SEARCH_BACKEND": "whoosh", "APP_ENV": "development",
               "PUBLIC_CACHE_SECONDS": str(args.public_cache_seconds)}
        api_port, bare_port = free_port(), free_port()
        servers.append(start_gunicorn("wsgi:app", api_port, args.workers, env))
        paths = {name: path.format(listing_id=args.listings // 2) for name, path in READS.items()}
        bodies = {path: get(api_port, path).decode() for path in paths.values()}
        bodies["/ping"] = "{}"
        bodies_file = Path(workdir) / "bodies.json"
        bodies_file.write_text(json.dumps(bodies))
        servers.append(start_gunicorn("api_bench:bare_app()", bare_port, args.workers,
                                      {"BENCH_BODIES": str(bodies_file)}))
        for path, body in bodies.items():
            assert get(bare_port, path).decode() == body
        # Alternating short bursts: both servers see the same machine (other work on it comes and goes).
        api, bare = {}, {}
        burst = max(1, round(args.seconds / args.rounds))
        for name, path in paths.items():
            api_rates, bare_rates = [], []
            for _ in range(args.rounds):
                api_rates.append(load(api_port, path, args.connections, burst))
                bare_rates.append(load(bare_port, path, args.connections, burst))
            api[name], bare[name] = sum(api_rates) / len(api_rates), sum(bare_rates) / len(bare_rates)
        for name, path in paths.items():
            size = len(bodies[path].encode())
            print(f"{name}: read api/bare = {api[name] / bare[name]:.2f} "
                  f"(api {api[name]:.0f} req/s, bare {bare[name]:.0f} req/s)  GET {path} ({size} bytes)")
    finally:
        for server in servers:
            stop(server)
        if args.keep:
            print(f"kept: {workdir}" + (f" and database {pg_name}" if pg_name else ""))
        else:
            shutil.rmtree(workdir, ignore_errors=True)
            if admin_engine is not None:
                with admin_engine.connect() as conn:
                    conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
        if admin_engine is not None:
            admin_engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
