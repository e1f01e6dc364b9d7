"""``make run``: the web server, the job worker (with its scheduler) and the Stripe emulator,
started together and stopped together.

    python -m marketplace.devserver --host 127.0.0.1 --port 5000 --localstripe-port 8420

Ctrl+C (or a child that stops) ends all of them quietly. The launcher takes the terminal's
foreground for itself while it runs, so the interrupt reaches it alone (not ``make``, which would
report it as an error) and it stops each child in turn.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parent.parent
WORKER_THREADS = 2


class Stop(Exception):
    """Ctrl+C or SIGTERM: stop everything."""


def _stop(signum, frame):
    raise Stop


@contextmanager
def terminal_foreground():
    """Make this process's group the terminal's foreground group for the duration (if there is one)."""
    try:
        tty = os.open("/dev/tty", os.O_RDWR)
        previous = os.tcgetpgrp(tty)
    except OSError:
        yield
        return
    os.setpgid(0, 0)
    _set_foreground(tty, os.getpgrp())
    try:
        yield
    finally:
        _set_foreground(tty, previous)
        os.close(tty)


def _set_foreground(tty: int, group: int) -> None:
    handler = signal.signal(signal.SIGTTOU, signal.SIG_IGN)  # a background group may not otherwise
    try:
        os.tcsetpgrp(tty, group)
    except OSError:
        pass
    finally:
        signal.signal(signal.SIGTTOU, handler)


def commands(args) -> dict[str, list[str]]:
    web_url = f"http://{args.host}:{args.port}"
    children = {}
    if args.localstripe_port:
        children["Stripe emulator"] = [
            sys.executable, "-m", "marketplace.payments.emulator", "--host", "127.0.0.1",
            "--port", str(args.localstripe_port), "--state", "instance/localstripe.pickle",
            "--webhook-secret", os.environ.get("STRIPE_WEBHOOK_SECRET", ""),
            "--webhook-url", f"{web_url}/api/v1/payments/stripe/webhook",
        ]
    # -f: clear the locks a killed run may have left in the SQLite queue (one machine only);
    # -q: warnings and errors only
    children["worker"] = [str(BIN / "huey_consumer"), "marketplace.jobs.worker.huey", "-w", str(WORKER_THREADS),
                          "-f", "-q"]
    children["web server"] = [str(BIN / "flask"), "run", "--host", args.host, "--port", str(args.port)]
    return children


def child_env() -> dict[str, str]:
    """This checkout's code first (whichever one the virtualenv installed)."""
    paths = [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    return dict(os.environ, PYTHONPATH=os.pathsep.join(paths))


def wait_until_listening(host: str, port: int, processes, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in processes.values()):
            return False
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)
    return False


def welcome(args) -> str:
    from marketplace.accounts.seed import DEMO_ADMIN, DEMO_ORGANIZATIONS, DEMO_PASSWORD

    url = f"http://{args.host}:{args.port}"
    lines = [
        "",
        "The marketplace is running.",
        f"  App and API     {url}",
        f"  API docs        {url}/api/docs",
    ]
    if args.localstripe_port:
        lines.append(f"  Stripe          emulator on http://127.0.0.1:{args.localstripe_port}")
    lines += [
        f"  Worker          {WORKER_THREADS} threads and the periodic jobs (queue: instance/jobs.sqlite3)",
        "  Emails          instance/emails/, one .eml file per message",
        "  Demo users      (more in marketplace/accounts/seed.py)",
        f"    admin         {DEMO_ADMIN[0]}",
    ]
    first_of_kind: dict[str, tuple[str, str]] = {}
    for kind, name, *_, members in DEMO_ORGANIZATIONS:
        first_of_kind.setdefault(kind, (members[0][0], name))
    lines += [f"    {kind:<13} {email} ({name})" for kind, (email, name) in first_of_kind.items()]
    lines += [f"  Password        {DEMO_PASSWORD} (every demo user)", "Press Ctrl+C to stop everything.", ""]
    return "\n".join(lines)


def stop_all(processes) -> None:
    for process in reversed(list(processes.values())):
        if process.poll() is None:
            process.terminate()
    for name, process in processes.items():
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            print(f"{name} did not stop in 15 s; killing it", file=sys.stderr)
            process.kill()
            process.wait()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    parser.add_argument("--localstripe-port", type=int, help="also run the Stripe emulator on this port")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    processes: dict[str, subprocess.Popen] = {}
    with terminal_foreground():
        try:
            for name, command in commands(args).items():
                # each child in a session of its own: Ctrl+C reaches this launcher only
                processes[name] = subprocess.Popen(command, start_new_session=True, env=child_env())
            if not wait_until_listening(args.host, args.port, processes):
                ended = [name for name, p in processes.items() if p.poll() is not None]
                print(f"Could not start: {', '.join(ended) or 'the web server'} stopped.", file=sys.stderr)
                return 1
            print(welcome(args), flush=True)
            while True:
                for name, process in processes.items():
                    if process.poll() is not None:
                        print(f"The {name} stopped (exit status {process.returncode}); stopping the rest.",
                              file=sys.stderr)
                        return 1
                time.sleep(0.5)
        except Stop:
            print("\nStopping the web server, the worker and the emulator ...", flush=True)
            return 0
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            stop_all(processes)


if __name__ == "__main__":
    sys.exit(main())
