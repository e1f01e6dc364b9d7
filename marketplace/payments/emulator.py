"""Run the localstripe emulator (the ``dev`` extra) for development and tests.

    python -m marketplace.payments.emulator --port 8420 --state instance/localstripe.pickle \
        --webhook-url http://127.0.0.1:5000/api/v1/payments/stripe/webhook --webhook-secret whsec_...

Unlike localstripe's own command it listens on one address (127.0.0.1 by default, not every
interface), keeps its state in the given file (not ``/tmp/localstripe.pickle``) and can register
the app's webhook endpoint at start, so payment events reach the app signed with the secret.
"""

from __future__ import annotations

import argparse
import os
import pickle
import tempfile

#: the events localstripe sends that the app handles
WEBHOOK_EVENTS = ("payment_intent.succeeded", "payment_intent.payment_failed")


def _keep_state_in(path: str) -> None:
    from localstripe import resources

    def load(store):
        try:
            with open(path, "rb") as f:
                old = pickle.load(f)
        except FileNotFoundError:
            return
        store.clear()
        store.update(old)

    def dump(store):
        directory = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".localstripe-")
        with os.fdopen(fd, "wb") as f:
            pickle.dump(store, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)

    resources.Store.try_load_from_disk = load
    resources.Store.dump_to_disk = dump


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--state", required=True, help="file that keeps the emulator's objects between runs")
    parser.add_argument("--from-scratch", action="store_true", help="ignore the state saved by an earlier run")
    parser.add_argument("--webhook-url", help="the app's webhook endpoint")
    parser.add_argument("--webhook-secret", help="the app's STRIPE_WEBHOOK_SECRET")
    args = parser.parse_args(argv)
    if bool(args.webhook_url) != bool(args.webhook_secret):
        parser.error("--webhook-url and --webhook-secret go together")

    os.makedirs(os.path.dirname(os.path.abspath(args.state)), exist_ok=True)
    _keep_state_in(args.state)
    from aiohttp import web
    from localstripe.resources import store
    from localstripe.server import app
    from localstripe.webhooks import register_webhook

    if not args.from_scratch:
        store.try_load_from_disk()
    if args.webhook_url:
        register_webhook("marketplace", args.webhook_url, args.webhook_secret, list(WEBHOOK_EVENTS))
    print(f"localstripe listening on http://{args.host}:{args.port} (state in {args.state})", flush=True)
    web.run_app(app, host=args.host, port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
