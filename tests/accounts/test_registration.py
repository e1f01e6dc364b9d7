import sqlalchemy as sa

from marketplace.accounts.models import Organization, User
from marketplace.core.audit import AuditEvent
from marketplace.extensions import db
from tests.helpers import assert_problem

GOOD = {
    "email": "Maya.Chen@Northbridge.edu",
    "password": "a-long-and-unusual-passphrase",
    "name": "Maya Chen",
    "organization": {"kind": "university", "name": "Northbridge University", "country": "us",
                     "website": "https://northbridge.edu"},
}


def test_registration_creates_unverified_organization_with_user_as_manager_and_logs_in(client):
    response = client.post("/api/v1/auth/register", json=GOOD)

    assert response.status_code == 201, response.json
    body = response.json
    assert body["user"]["email"] == "maya.chen@northbridge.edu"
    assert body["user"]["role"] == "manager"
    assert body["organization"]["verification_status"] == "pending"
    assert body["organization"]["is_verified"] is False
    assert body["organization"]["country"] == "US"
    assert body["organization"]["slug"] == "northbridge-university"
    assert body["csrf_token"]
    me = client.get("/api/v1/auth/me")
    assert me.status_code == 200 and me.json["user"]["email"] == "maya.chen@northbridge.edu"
    user = db.session.execute(sa.select(User)).scalar_one()
    assert user.password_hash.startswith("$argon2id$")
    actions = set(db.session.execute(sa.select(AuditEvent.action)).scalars())
    assert {"organization.register", "user.register"} <= actions


def test_duplicate_email_is_a_conflict_regardless_of_case(client):
    assert client.post("/api/v1/auth/register", json=GOOD).status_code == 201
    other = {**GOOD, "email": "MAYA.CHEN@northbridge.EDU"}
    response = client.application.test_client().post("/api/v1/auth/register", json=other)
    assert_problem(response, 409, "email")
    assert db.session.execute(sa.select(sa.func.count(Organization.id))).scalar() == 1


def test_weak_password_is_refused_and_nothing_is_written(client):
    response = client.post("/api/v1/auth/register", json={**GOOD, "password": "short"})
    body = assert_problem(response, 422, "password")
    assert "at least 10" in body["errors"]["password"][0]
    assert db.session.execute(sa.select(sa.func.count(User.id))).scalar() == 0
    assert db.session.execute(sa.select(sa.func.count(Organization.id))).scalar() == 0


def test_common_password_is_refused(client):
    response = client.post("/api/v1/auth/register", json={**GOOD, "password": "password123"})
    assert_problem(response, 422, "password")


def test_registration_validation_names_every_bad_field(client):
    bad = {
        "email": "not-an-email",
        "password": "a-long-and-unusual-passphrase",
        "name": "",
        "organization": {"kind": "bank", "name": "X", "country": "ZZ", "website": "ftp://x"},
    }
    body = assert_problem(client.post("/api/v1/auth/register", json=bad), 422, "email", "name", "organization")
    org_errors = body["errors"]["organization"]
    assert set(org_errors) == {"kind", "name", "country", "website"}


def test_unknown_fields_are_refused(client):
    body = assert_problem(client.post("/api/v1/auth/register", json={**GOOD, "is_admin": True}), 422, "is_admin")
    assert "Unknown field" in body["errors"]["is_admin"][0]


def test_wrong_types_are_refused(client):
    assert_problem(client.post("/api/v1/auth/register", json={**GOOD, "organization": "Acme"}), 422, "organization")
    assert_problem(client.post("/api/v1/auth/register", json={**GOOD, "name": 42}), 422, "name")


def test_malformed_json_is_a_400_problem(client):
    response = client.post("/api/v1/auth/register", data="{not json", content_type="application/json")
    body = assert_problem(response, 400)
    assert "JSON" in body["detail"]


def test_second_organization_with_the_same_name_gets_its_own_slug(client, app):
    client.post("/api/v1/auth/register", json=GOOD)
    other = {**GOOD, "email": "someone@else.org"}
    response = app.test_client().post("/api/v1/auth/register", json=other)
    assert response.json["organization"]["slug"] == "northbridge-university-2"
