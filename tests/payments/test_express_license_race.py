"""Many simultaneous purchases of one express license by one company, against a real HTTP server on
PostgreSQL: one license, one invoice, every request answered with that purchase (SQLite serializes
writing requests, so the race exists on PostgreSQL only)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from marketplace.extensions import db
from marketplace.ip.licenses.models import License
from marketplace.payments.models import Invoice
from tests.helpers import at_once
from tests.payments.test_express_license_purchase import listing  # noqa: F401  (fixture)

pytestmark = pytest.mark.postgres_only

BUYERS = 12


def _post(url: str, token: str) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=b"", method="POST", headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


@pytest.fixture
def slow_license_inserts(app):
    """Each request pauses just before it inserts its license, after it looked for an existing one:
    every racer has read "no purchase yet" before any of them writes."""

    def pause(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO LICENSES"):
            time.sleep(0.3)

    event.listen(db.engine, "before_cursor_execute", pause)
    yield
    event.remove(db.engine, "before_cursor_execute", pause)


def test_simultaneous_purchases_by_one_company_make_one_license_and_one_invoice(
    app, parties, listing, login, live_app, slow_license_inserts
):
    token = login(parties.payer).post("/api/v1/auth/tokens", json={"name": "race"}).json["token"]
    # a first use records the token's last use, so the racers below do not queue on that row
    assert app.test_client().get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    url = f"{live_app}/api/v1/listings/{listing.id}/express-license/purchase"
    answers = at_once(*[lambda: _post(url, token)] * BUYERS)

    assert len(answers) == BUYERS
    assert {status for status, _ in answers} == {201}, answers
    assert len({body["license"]["id"] for _, body in answers}) == 1
    assert len({body["invoice"]["id"] for _, body in answers}) == 1
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(License)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Invoice)) == 1
    # and the company can still buy (it gets its open purchase back), rather than a 500
    again = login(parties.payer).post(f"/api/v1/listings/{listing.id}/express-license/purchase")
    assert again.status_code == 201 and again.json["license"]["id"] == answers[0][1]["license"]["id"]
