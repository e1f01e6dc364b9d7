"""A real gunicorn serving ``wsgi:app`` on a free loopback port, for tests that need several workers."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.helpers import at_once

REPO = Path(__file__).resolve().parent.parent
#: the access log line of every request: worker pid, method, path, status
ACCESS_LOG_FORMAT = "access %(p)s %(m)s %(U)s %(s)s"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen
    lines: list[str] = field(default_factory=list)

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        """One request on a fresh connection: ``(status, JSON body)``."""
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(
            self.base_url + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def worker_pids(self, method: str, path: str) -> set[str]:
        """The pids of the workers that answered ``method path`` (from the access log)."""
        pids = set()
        for line in list(self.lines):
            parts = line.split()
            if len(parts) >= 5 and parts[0] == "access" and parts[2] == method and parts[3] == path:
                pids.add(parts[1])
        return pids


def server_env(**settings: str) -> dict:
    """The test process's environment without app settings that would leak in, plus ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RATELIMIT_", "APP_ENV", "DATABASE_URL"))}
    env.update(PYTHONPATH=str(REPO), PASSWORD_HASH_TIME_COST="1", PASSWORD_HASH_MEMORY_COST="32", **settings)
    return env


def gunicorn_command(port: int, workers: int) -> list[str]:
    return [
        sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
        "--access-logfile", "-", "--access-logformat", ACCESS_LOG_FORMAT, "--graceful-timeout", "5", "wsgi:app",
    ]


@contextmanager
def gunicorn(env: dict, workers: int = 2, boot_timeout: float = 120):
    """Serve ``wsgi:app`` with ``workers`` workers until the block ends; waits until every worker booted."""
    port = free_port()
    process = subprocess.Popen(
        gunicorn_command(port, workers), cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    server = Server(f"http://127.0.0.1:{port}", process)
    reader = threading.Thread(target=lambda: server.lines.extend(iter(process.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + boot_timeout
        while sum("Booting worker" in line for line in list(server.lines)) < workers or not _answers(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start:\n" + "".join(server.lines))
            time.sleep(0.1)
        _warm_up(server, workers, deadline)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)
        reader.join(timeout=5)
        process.stdout.close()


def _warm_up(server: Server, workers: int, deadline: float) -> None:
    """Until every worker has answered once (a worker still importing the app would answer nothing)."""
    while len(server.worker_pids("GET", "/api/v1/auth/me")) < workers:
        if time.monotonic() > deadline:
            raise RuntimeError("not every gunicorn worker answered:\n" + "".join(server.lines))
        at_once(*[lambda: server.request("GET", "/api/v1/auth/me")] * (2 * workers))
        time.sleep(0.1)  # the access log line is written after the response


def _answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


def run_until_exit(env: dict, workers: int = 2, timeout: float = 120) -> tuple[int, str]:
    """Start gunicorn and wait for it to stop by itself: ``(exit code, output)``."""
    process = subprocess.run(
        gunicorn_command(free_port(), workers), cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout
    )
    return process.returncode, process.stdout + process.stderr
