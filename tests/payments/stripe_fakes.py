"""Stripe for the tests, at the Stripe client's HTTP layer.

``StripeStub`` is the ``stripe.HTTPClient`` the app's StripeClient uses in tests. It records every
call (method, path, decoded parameters, headers) and forwards it to localstripe, except the calls
localstripe does not implement - Connect accounts, account links, destination charges and their
refunds - which it answers itself with Stripe's own example objects from ``fixtures3.json``.
``signed_event`` builds events the same way and signs them exactly as Stripe does.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import stripe

FIXTURES = json.loads((Path(__file__).parent / "stripe_fixtures" / "fixtures3.json").read_text())["resources"]
WEBHOOK_SECRET = "whsec_test_marketplace"


def fixture(resource: str, **overrides) -> dict:
    """A deep copy of Stripe's example ``resource`` object with ``overrides`` applied."""
    obj = copy.deepcopy(FIXTURES[resource])
    obj.update(overrides)
    return obj


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(8)}"


def sign(payload: str, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header: ``t=<unix time>,v1=HMAC-SHA256(secret, "<t>.<payload>")``."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def signed_event(event_type: str, obj: dict, *, created: int | None = None, event_id: str | None = None,
                 secret: str = WEBHOOK_SECRET, signed_at: int | None = None) -> tuple[str, dict]:
    """An event built on Stripe's example event around ``obj``: ``(payload, headers)`` ready to POST."""
    event = fixture(
        "event",
        id=event_id or new_id("evt"),
        type=event_type,
        created=int(time.time()) if created is None else created,
        api_version=stripe.api_version,
        data={"object": obj},
    )
    payload = json.dumps(event)
    return payload, {"Stripe-Signature": sign(payload, secret, signed_at), "Content-Type": "application/json"}


@dataclass
class Call:
    method: str
    path: str
    params: dict
    headers: dict
    answered_by: str = "localstripe"


@dataclass
class StripeStub(stripe.HTTPClient):
    """Records calls; answers Connect calls from fixtures; forwards everything else to localstripe."""

    name = "stripe-stub"
    calls: list[Call] = field(default_factory=list)
    accounts: dict = field(default_factory=dict)
    intents: dict = field(default_factory=dict)
    refunds: dict = field(default_factory=dict)
    #: seconds to wait before answering ``(METHOD, path)`` (to widen race windows)
    delays: dict = field(default_factory=dict)
    #: status a stub refund is created with
    refund_status: str = "succeeded"
    #: ``(METHOD, path)`` -> ``(status, error body)``: Stripe refuses that call (once set, every time)
    errors: dict = field(default_factory=dict)

    def __post_init__(self):
        super().__init__()
        self._upstream = stripe.RequestsClient()
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.accounts.clear()
            self.intents.clear()
            self.refunds.clear()
            self.delays.clear()
            self.errors.clear()
            self.refund_status = "succeeded"

    def close(self):
        self._upstream.close()

    def calls_to(self, method: str, path: str) -> list[Call]:
        """Calls to ``path`` (a regular expression matched in full)."""
        return [c for c in self.calls if c.method == method and re.fullmatch(path, c.path)]

    # ---- the HTTPClient interface ----------------------------------------------------------------

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        parts = urlsplit(url)
        params = dict(parse_qsl(post_data or parts.query or "", keep_blank_values=True))
        call = Call(method.upper(), parts.path, params, dict(headers or {}))
        with self._lock:
            self.calls.append(call)
        delay = self.delays.get((call.method, call.path))
        if delay:
            time.sleep(delay)
        answer = self.errors.get((call.method, call.path)) or self._answer(call)
        if answer is None:
            return self._upstream.request(method, url, headers, post_data)
        call.answered_by = "stub"
        status, body = answer
        return json.dumps(body), status, {"Request-Id": new_id("req")}

    def request_stream(self, method, url, headers, post_data=None, *, _usage=None):
        raise NotImplementedError("no streaming calls in these tests")

    # ---- what localstripe lacks ---------------------------------------------------------------------

    def _answer(self, call: Call) -> tuple[int, dict] | None:
        m, path, p = call.method, call.path, call.params
        segments = path.strip("/").split("/")[1:]  # without "v1"
        with self._lock:
            if segments[0] == "accounts":
                return self._account(m, segments, p)
            if segments == ["account_links"] and m == "POST":
                return 200, fixture("account_link", url=f"https://connect.stripe.com/setup/e/{p['account']}/{secrets.token_hex(6)}",
                                    created=int(time.time()), expires_at=int(time.time()) + 300)
            if segments[0] == "payment_intents":
                if m == "POST" and len(segments) == 1 and "transfer_data[destination]" in p:
                    return self._create_intent(p)
                if len(segments) > 1 and segments[1] in self.intents:
                    return self._intent(m, segments, p)
            if segments[0] == "refunds" and p.get("payment_intent") in self.intents:
                return self._refund(m, p)
        return None

    def _account(self, method, segments, params):
        if method == "POST" and len(segments) == 1:
            account = fixture(
                "account", id=new_id("acct"), type=params["type"], country=params["country"],
                charges_enabled=False, payouts_enabled=False, details_submitted=False,
                metadata={k[9:-1]: v for k, v in params.items() if k.startswith("metadata[")},
            )
            self.accounts[account["id"]] = account
            return 200, account
        account = self.accounts.get(segments[1]) if len(segments) > 1 else None
        if account is None:
            return 404, {"error": {"type": "invalid_request_error", "message": "No such account"}}
        return 200, account

    def complete_onboarding(self, account_id: str, **overrides) -> dict:
        """What Stripe reports once the account finished onboarding (or ``overrides``)."""
        account = self.accounts[account_id]
        account.update({"details_submitted": True, "charges_enabled": True, "payouts_enabled": True, **overrides})
        account["requirements"] = {**account["requirements"], "currently_due": [], "disabled_reason": None}
        return copy.deepcopy(account)

    def _create_intent(self, params):
        intent = fixture(
            "payment_intent", id=new_id("pi"), amount=int(params["amount"]), currency=params["currency"],
            customer=params.get("customer"), payment_method=params.get("payment_method"),
            application_fee_amount=int(params["application_fee_amount"]) if "application_fee_amount" in params else None,
            transfer_data={"destination": params["transfer_data[destination]"]},
            metadata={k[9:-1]: v for k, v in params.items() if k.startswith("metadata[")},
            status="requires_confirmation" if params.get("payment_method") else "requires_payment_method",
            last_payment_error=None, latest_charge=None, next_action=None, canceled_at=None,
            created=int(time.time()), amount_received=0,
        )
        intent["client_secret"] = f"{intent['id']}_secret_{secrets.token_hex(8)}"
        self.intents[intent["id"]] = intent
        return 200, intent

    def _intent(self, method, segments, params):
        intent = self.intents[segments[1]]
        action = segments[2] if len(segments) > 2 else None
        if method == "GET":
            return 200, intent
        if action is None and "payment_method" in params:
            intent.update(payment_method=params["payment_method"], status="requires_confirmation")
            return 200, intent
        if action == "confirm":
            if intent["status"] != "requires_confirmation":
                return 400, {"error": {"type": "invalid_request_error", "message": "Cannot confirm"}}
            intent["latest_charge"] = new_id("ch")
            if intent["payment_method"] == "pm_card_chargeCustomerFail":
                error = {"type": "card_error", "code": "card_declined", "message": "Your card was declined.",
                         "payment_intent": {"id": intent["id"]}}
                intent.update(status="requires_payment_method", last_payment_error=error)
                return 402, {"error": error}
            intent.update(status="succeeded", amount_received=intent["amount"])
            return 200, intent
        if action == "cancel":
            if intent["status"] in ("succeeded", "canceled", "processing"):
                return 400, {"error": {"type": "invalid_request_error", "message": f"Cannot cancel a {intent['status']} intent"}}
            intent.update(status="canceled", canceled_at=int(time.time()), cancellation_reason="requested_by_customer")
            return 200, intent
        return 400, {"error": {"type": "invalid_request_error", "message": f"Unexpected {method} {segments}"}}

    def _refund(self, method, params):
        intent = self.intents[params["payment_intent"]]
        if method == "GET":
            data = [r for r in self.refunds.values() if r["payment_intent"] == intent["id"]]
            return 200, {"object": "list", "data": data, "has_more": False, "url": "/v1/refunds"}
        refund = fixture(
            "refund", id=new_id("re"), amount=int(params["amount"]), currency=intent["currency"],
            charge=intent["latest_charge"], payment_intent=intent["id"], status=self.refund_status,
            metadata={k[9:-1]: v for k, v in params.items() if k.startswith("metadata[")}, created=int(time.time()),
        )
        self.refunds[refund["id"]] = refund
        return 200, refund

    def set_refund_status(self, refund_id: str, status: str) -> dict:
        self.refunds[refund_id]["status"] = status
        return copy.deepcopy(self.refunds[refund_id])


def charge_of(intent: dict, **overrides) -> dict:
    """Stripe's example charge, made the charge of ``intent``."""
    return fixture(
        "charge", id=intent["latest_charge"] if isinstance(intent["latest_charge"], str) else intent["latest_charge"]["id"],
        amount=intent["amount"], currency=intent["currency"], payment_intent=intent["id"], **overrides,
    )


