"""The served OpenAPI spec tells the truth: Schemathesis (every check) over every operation.

Three runs, each on a freshly seeded database behind a real server on 127.0.0.1 (with localstripe
for payments): anonymous, a company manager with a Bearer token, and an admin with a Bearer token.
Settings (seed, examples per operation, tolerated known defects) are in ``tests/fuzz/``. Run it alone
with ``make fuzz``; ``make test`` runs it with the rest.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.serving import WSGIRequestHandler, make_server

from marketplace.accounts.models import ApiToken, Organization, User
from marketplace.accounts.passwords import hash_password
from marketplace.extensions import db, limiter
from tests.payments.conftest import localstripe  # noqa: F401  (the session's emulator, shared)

pytestmark = pytest.mark.fuzz

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "tests" / "fuzz" / "schemathesis.toml"
SPEC_PATH = "/api/v1/openapi.json"
#: ids far from the small ones a fuzzer tries, so that no generated request revokes, demotes or
#: suspends the identity the run acts as
FUZZ_ID = 900_001
#: operations that, fed the ids the run reads back (its own token, its own membership), would end
#: the identity the run acts as; the anonymous run covers them, the others leave them out
SELF_DESTRUCTIVE = r"^/api/v1/(auth/tokens/\{token_id\}|organizations/current/members/\{member_id\})$"


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


@pytest.fixture(scope="module")
def server(session_app, localstripe):
    """The test app served on a free loopback port, paying through localstripe."""
    keys = ("STRIPE_API_BASE", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "EMAIL_DELIVER_AFTER_REQUEST")
    saved = {key: session_app.config.get(key) for key in keys}
    session_app.config.update(STRIPE_API_BASE=localstripe, STRIPE_SECRET_KEY="sk_test_fuzz",
                              STRIPE_WEBHOOK_SECRET="whsec_fuzz", EMAIL_DELIVER_AFTER_REQUEST=False)
    httpd = make_server("127.0.0.1", 0, session_app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(timeout=10)
        session_app.config.update(saved)


def _identity(session, *, email: str, org: Organization | None, is_admin: bool) -> str:
    """A user with id ``FUZZ_ID`` (+1 for the admin) and a Bearer token of the same id: its secret."""
    from marketplace.accounts.services import create_api_token

    user_id = FUZZ_ID + (1 if is_admin else 0)
    user = User(id=user_id, email=email, name="Fuzz Tester", password_hash=hash_password("fuzz-Password-2026"),
                organization=org, role=None if is_admin else "manager", is_admin=is_admin)
    session.add(user)
    session.flush()
    token, secret = create_api_token(session, user, name="fuzz", expires_in_days=None)
    session.flush()
    session.execute(sa.update(ApiToken).where(ApiToken.id == token.id).values(id=user_id))
    return secret


@pytest.fixture
def seeded_world(app):
    """The demo data (organizations, IP, listings, deals, invoices, cohorts) plus the fuzz identities."""
    from marketplace.cli import SEEDERS

    for _name, seeder in SEEDERS:
        seeder(db.session)
        db.session.commit()
    company = db.session.execute(sa.select(Organization).where(Organization.slug == "helix-biologics")).scalar_one()
    tokens = {
        "anonymous": None,
        "company_manager": _identity(db.session, email="fuzz.manager@helixbio.com", org=company, is_admin=False),
        "admin": _identity(db.session, email="fuzz.admin@demo.marketplace", org=None, is_admin=True),
    }
    db.session.commit()
    yield tokens
    limiter.reset()


@pytest.mark.parametrize("role", ["anonymous", "company_manager", "admin"])
def test_every_operation_answers_as_the_spec_says(role, server, seeded_world, tmp_path):
    """No 5xx, every response (status, content type, headers, body) as the spec declares, valid
    requests accepted and invalid ones rejected: over every operation, as ``role``."""
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(CONFIG), "--no-color",
        "run", server + SPEC_PATH, "--checks", "all",
        "--report", "junit", "--report-dir", str(tmp_path),
    ]
    token = seeded_world[role]
    if token:
        command += ["-H", f"Authorization: Bearer {token}", "--exclude-path-regex", SELF_DESTRUCTIVE]
    started = time.monotonic()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    output = result.stdout + result.stderr
    summary = output[output.rfind("SUMMARY"):] if "SUMMARY" in output else output[-3000:]
    print(f"\n[{role}] schemathesis finished in {time.monotonic() - started:.0f} s\n{summary}")
    assert result.returncode == 0, output[-30000:]
