"""User text in email subjects never breaks a request or the outbox: headers are made one line
where the message is built, a message that cannot be sent is marked failed and the queue moves
on, and after-commit work never turns a committed request into an error."""

from __future__ import annotations

import pytest

from marketplace import create_app
from marketplace.accounts.models import Invitation
from marketplace.core.transaction import after_commit, session
from marketplace.extensions import db
from marketplace.notifications.models import Notification, OutboundEmail
from tests.conftest import app_config
from tests.helpers import outbox


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\n"])
def test_a_line_separator_in_an_organization_name_reaches_the_invitation_subject_as_a_space(
    login, make_user, make_org, separator
):
    org = make_org("company", name=f"Helix{separator}Biologics")
    manager = login(make_user(org=org, name="Maya Chen"))
    response = manager.post("/api/v1/organizations/current/invitations", json={"email": "new.person@example.org"})
    assert response.status_code == 201, response.get_data(as_text=True)
    [email] = outbox(to="new.person@example.org")
    assert email.status == "sent"
    assert email.subject == "Maya Chen invites you to join Helix Biologics"
    assert db.session.query(Invitation).filter_by(email="new.person@example.org").count() == 1


def test_a_subject_longer_than_its_column_is_shortened_and_the_inquiry_is_sent(login, make_user, make_org,
                                                                                 make_listing):
    university = make_org("university")
    make_user(org=university)
    listing = make_listing(university, "published", title="T" * 200)
    company = login(make_user(org=make_org("company", name="C" * 200)))
    response = company.post("/api/v1/inquiries",
                            json={"listing_id": listing.id, "subject": "Licensing", "message": "Hello there"})
    assert response.status_code == 201, response.get_data(as_text=True)
    [email] = outbox(category="inquiry_message")
    assert email.status == "sent" and len(email.subject) == 300 and email.subject.endswith("\u2026")
    [notice] = db.session.query(Notification).filter_by(kind="inquiry_message").all()
    assert notice.title == email.subject


def _queue(**values) -> OutboundEmail:
    email = OutboundEmail(**{"body": "Body", "category": "test", **values})
    db.session.add(email)
    db.session.commit()
    return email


def test_flask_emails_send_marks_an_unsendable_email_failed_and_sends_the_ones_after_it(app, client, make_user):
    app.config["EMAIL_DELIVER_AFTER_REQUEST"] = False
    try:
        unsendable = _queue(to_address="victim@example.org\nBcc: everyone@example.org", subject="Hello")
        stored_before_the_fix = _queue(to_address="old@example.org", subject="Listing\u2028title\x1fhere")
        user = make_user()
        assert client.post("/api/v1/auth/password-reset", json={"email": user.email}).status_code == 202
    finally:
        app.config["EMAIL_DELIVER_AFTER_REQUEST"] = True

    result = app.test_cli_runner().invoke(args=["emails", "send"])

    assert result.exit_code == 0, result.output
    assert "2 sent, 1 failed" in result.output
    db.session.refresh(unsendable)
    db.session.refresh(stored_before_the_fix)
    assert unsendable.status == "failed" and unsendable.last_error.startswith("ValueError")
    assert stored_before_the_fix.status == "sent"
    [reset] = outbox(to=user.email)
    assert reset.status == "sent"
    again = app.test_cli_runner().invoke(args=["emails", "send"])
    assert "0 sent, 0 failed" in again.output


@pytest.fixture
def hook_app(database_url, tmp_path):
    """An app with a route whose transaction registers a failing after-commit hook and a good one."""
    app = create_app(app_config(database_url, tmp_path))
    ran = []

    @app.post("/queue-with-failing-hook")
    def queue_with_failing_hook():
        sess = session()
        email = OutboundEmail(to_address="a@example.org", subject="Kept", body="Body", category="test")
        sess.add(email)
        sess.flush()

        def failing():
            email.attempts = 99  # unfinished work of the failed hook: rolled back
            sess.flush()
            raise RuntimeError("hook exploded")

        after_commit(sess, failing)
        after_commit(sess, lambda: ran.append("second hook"))
        return {"id": email.id}, 201

    app.hook_runs = ran
    return app


def test_a_failing_after_commit_hook_leaves_the_request_committed_and_successful(hook_app, caplog):
    with hook_app.app_context():
        response = hook_app.test_client().post("/queue-with-failing-hook")
        assert response.status_code == 201, response.get_data(as_text=True)
        email = db.session.get(OutboundEmail, response.json["id"])
        assert (email.subject, email.attempts, email.status) == ("Kept", 0, "queued")
        assert hook_app.hook_runs == ["second hook"]
        assert "hook exploded" in caplog.text
        db.session.delete(email)
        db.session.commit()
