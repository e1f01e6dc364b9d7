"""Payments fixtures: localstripe on a free loopback port, the Stripe HTTP stub, parties, invoices."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from marketplace.accounts.models import Organization, User
from marketplace.extensions import db
from marketplace.payments import services, signals
from marketplace.payments.models import Invoice, StripeAccount
from tests.helpers import served
from tests.payments.stripe_fakes import WEBHOOK_SECRET, StripeStub

STRIPE_KEY = "sk_test_marketplace"
ON_POSTGRES = bool(os.environ.get("TEST_DATABASE_URL"))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def localstripe(tmp_path_factory):
    """localstripe bound to 127.0.0.1 on a free port, its state in a temp dir: its base URL."""
    folder = tmp_path_factory.mktemp("localstripe")
    port = _free_port()
    with open(folder / "emulator.log", "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "marketplace.payments.emulator", "--host", "127.0.0.1", "--port", str(port),
             "--state", str(folder / "state.pickle"), "--from-scratch"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("localstripe did not start:\n" + (folder / "emulator.log").read_text())
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def stripe_stub():
    stub = StripeStub()
    yield stub
    stub.close()


@pytest.fixture(autouse=True)
def stripe_settings(session_app, localstripe, stripe_stub):
    """Point the app's StripeClient at localstripe, through the stub."""
    keys = ("STRIPE_API_BASE", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_HTTP_CLIENT", "PLATFORM_FEE_BPS")
    saved = {key: session_app.config.get(key) for key in keys}
    session_app.config.update(
        STRIPE_API_BASE=localstripe,
        STRIPE_SECRET_KEY=STRIPE_KEY,
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
        STRIPE_HTTP_CLIENT=stripe_stub,
        PLATFORM_FEE_BPS=500,
    )
    stripe_stub.reset()
    yield stripe_stub
    session_app.config.update(saved)


def localstripe_call(base: str, method: str, path: str, data: dict | None = None) -> dict:
    """Call localstripe directly, as Stripe.js or the Stripe Dashboard would (not through the app)."""
    body = urllib.parse.urlencode(data or {}).encode() if method == "POST" else None
    request = urllib.request.Request(base + path, data=body, method=method)
    request.add_header("Authorization", f"Bearer {STRIPE_KEY}")
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read()
    return json.loads(text) if text else {}


@pytest.fixture
def stripe_direct(localstripe):
    """``stripe_direct("POST", "/v1/...", {...})``: talk to localstripe outside the app."""
    return lambda method, path, data=None: localstripe_call(localstripe, method, path, data)


# ---- parties and invoices -------------------------------------------------------------------------


@dataclass
class Parties:
    payer_org: Organization
    payer: User  # manager
    payer_member: User
    payee_org: Organization
    payee: User  # manager
    payee_member: User
    outsider: User


@pytest.fixture
def parties(make_org, make_user) -> Parties:
    payer_org = make_org("company", name="Helix Biologics")
    payee_org = make_org("university", name="Northbridge University")
    return Parties(
        payer_org=payer_org,
        payer=make_user(org=payer_org, role="manager"),
        payer_member=make_user(org=payer_org, role="member"),
        payee_org=payee_org,
        payee=make_user(org=payee_org, role="manager"),
        payee_member=make_user(org=payee_org, role="member"),
        outsider=make_user(kind="company"),
    )


@pytest.fixture
def make_invoice(app, parties):
    """``make_invoice(amount=10_000, currency="EUR", **overrides)`` -> a committed open invoice."""

    def make(amount: int = 10_000, currency: str = "EUR", **overrides) -> Invoice:
        values = dict(
            payer_org=parties.payer_org,
            payee_org=parties.payee_org,
            amount=amount,
            currency=currency,
            source="express_license",
            source_ref="license-1",
            description="Express license: gene delivery vector",
            due_date=date.today() + timedelta(days=30),
        )
        values.update(overrides)
        invoice = services.create_invoice(db.session, **values)
        db.session.commit()
        return invoice

    return make


@pytest.fixture
def connect_payee(app, stripe_stub, parties):
    """Give the payee a connected account that finished onboarding (known to the stub)."""

    def connect(org: Organization | None = None, **state) -> StripeAccount:
        org = org or parties.payee_org
        _, account = stripe_stub._account("POST", ["accounts"], {"type": "express", "country": org.country})
        values = dict(details_submitted=True, charges_enabled=True, payouts_enabled=True)
        values.update(state)
        stripe_stub.complete_onboarding(account["id"], **values)
        row = StripeAccount(organization_id=org.id, stripe_account_id=account["id"], requirements_due=[], **values)
        db.session.add(row)
        db.session.commit()
        return row

    return connect


@pytest.fixture
def received():
    """Every payments signal sent during the test, as ``(signal name, sender, kwargs)``, via a test subscriber.

    Objects in kwargs are recorded by id (they belong to the request's session); ``session`` is left out.
    """
    log: list[tuple[str, str, dict]] = []
    lock = threading.Lock()
    subscribers = {}
    for name in ("invoice_paid", "invoice_payment_failed", "invoice_refunded", "invoice_voided"):
        def subscriber(sender, _name=name, **kwargs):
            assert kwargs["session"].is_active
            with lock:
                log.append((_name, sender, {k: getattr(v, "id", v) for k, v in kwargs.items() if k != "session"}))
        subscribers[name] = subscriber
        getattr(signals, name).connect(subscriber)
    yield log
    for name, subscriber in subscribers.items():
        getattr(signals, name).disconnect(subscriber)


def pay(client, invoice_id: int, key: str = "key-0000-0001", **body):
    return client.post(f"/api/v1/invoices/{invoice_id}/pay", json=body, headers={"Idempotency-Key": key})


def wait_until(predicate, timeout: float = 10.0):
    """Poll the database (in fresh transactions) until ``predicate()`` holds."""
    deadline = time.monotonic() + timeout
    while True:
        db.session.rollback()
        db.session.expire_all()
        if predicate():
            return
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.1)


@pytest.fixture
def live_app(session_app):
    """The app served over HTTP on a free loopback port (for localstripe's webhook deliveries)."""
    with served(session_app) as url:
        yield url


@pytest.fixture
def live_webhooks(live_app, localstripe):
    """localstripe delivers its payment events, signed, to the live app during the test."""
    def register(url: str) -> None:
        localstripe_call(localstripe, "POST", "/_config/webhooks/marketplace", {
            "url": url, "secret": WEBHOOK_SECRET,
            "events[0]": "payment_intent.succeeded", "events[1]": "payment_intent.payment_failed",
        })

    register(f"{live_app}/api/v1/payments/stripe/webhook")
    yield
    register("http://127.0.0.1:9/")  # nobody listens: later deliveries go nowhere
    time.sleep(0.2)  # let a delivery already on its way finish before the tables are emptied
