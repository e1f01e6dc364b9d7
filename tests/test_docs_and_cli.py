import sqlalchemy as sa

from marketplace.accounts.models import Organization, User
from marketplace.extensions import db
from marketplace.notifications.models import OutboundEmail
from marketplace.notifications.services import deliver_pending, queue_email


def test_openapi_spec_is_served_and_documents_problem_errors(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["info"]["title"] == "Tech-Transfer Marketplace API"
    assert "/api/v1/auth/login" in spec["paths"]
    assert "application/problem+json" in spec["components"]["responses"]["UNPROCESSABLE_ENTITY"]["content"]
    assert spec["paths"]["/api/v1/auth/me"]["get"]["summary"]


def test_docs_page_and_its_assets_are_served_offline(client):
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/api/docs/assets/swagger-ui-bundle.js" in html and "http" not in html.replace("http-equiv", "")
    asset = client.get("/api/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.data) > 100_000
    asset.close()
    assert "/api/v1/openapi.json" in client.get("/api/docs/init.js").get_data(as_text=True)


def test_create_admin_command(app):
    result = app.test_cli_runner().invoke(
        args=["create-admin", "--email", "Root@Example.org", "--password", "a-very-strong-pass"]
    )
    assert result.exit_code == 0, result.output
    user = db.session.execute(sa.select(User).where(User.email == "root@example.org")).scalar_one()
    assert user.is_admin and user.organization_id is None


def test_create_admin_refuses_weak_password(app):
    result = app.test_cli_runner().invoke(args=["create-admin", "--email", "r@example.org", "--password", "x"])
    assert result.exit_code != 0 and "too weak" in result.output


def test_seed_demo_is_idempotent(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    counts = (db.session.query(Organization).count(), db.session.query(User).count())
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0 and "password" in result.output
    assert (db.session.query(Organization).count(), db.session.query(User).count()) == counts
    assert counts[0] >= 10


class FailingBackend:
    def send(self, message):
        raise ConnectionRefusedError("smtp down")

    def close(self):
        pass


def test_email_stays_queued_when_delivery_fails_and_is_sent_later(app, monkeypatch):
    app.config["EMAIL_DELIVER_AFTER_REQUEST"] = False
    try:
        queue_email(db.session, to="x@example.org", subject="Hi", body="Body", category="test")
        db.session.commit()
    finally:
        app.config["EMAIL_DELIVER_AFTER_REQUEST"] = True
    monkeypatch.setattr("marketplace.notifications.services.backend_from_config", lambda cfg: FailingBackend())
    assert deliver_pending(db.session) == (0, 1)
    email = db.session.query(OutboundEmail).one()
    assert email.status == "queued" and email.attempts == 1 and "smtp down" in email.last_error
    monkeypatch.undo()
    result = app.test_cli_runner().invoke(args=["emails", "send"])
    assert "1 sent" in result.output
    assert db.session.query(OutboundEmail).one().status == "sent"
