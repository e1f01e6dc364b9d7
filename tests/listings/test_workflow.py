"""The listing workflow: every action from every state, per role; history, audit, outbox, notices."""

import pytest

from marketplace.core.audit import AuditEvent
from marketplace.extensions import db
from marketplace.listings.models import LISTING_STATUSES, ListingTransition
from marketplace.notifications.models import Notification
from tests.helpers import assert_problem, outbox, outbox_events

#: action -> (the role allowed to take it, {from state: to state})
ACTIONS = {
    "submit": ("owner", {"draft": "in_review", "changes_requested": "in_review", "archived": "in_review"}),
    "approve": ("admin", {"in_review": "published"}),
    "request-changes": ("admin", {"in_review": "changes_requested"}),
    "archive": ("owner", {"published": "archived"}),
    "suspend": ("admin", {s: "suspended" for s in LISTING_STATUSES if s != "suspended"}),
    "reinstate": ("admin", {"suspended": "published"}),
}
BODIES = {"request-changes": {"reason": "Add the efficacy data"}, "suspend": {"reason": "Misleading claims"}}
CASES = [(action, state) for action in ACTIONS for state in LISTING_STATUSES]


@pytest.fixture
def clients(request, login, manager):
    """``clients[role]``: a client for the role, created (and logged in) on first use only."""
    fixtures = {
        "anonymous": "client",
        "owner_member": "staff_client",
        "other_university": "other_client",
        "company": "company_client",
        "admin": "admin_client",
    }

    class Clients(dict):
        def __missing__(self, role):
            self[role] = login(manager) if role == "owner_manager" else request.getfixturevalue(fixtures[role])
            return self[role]

    return Clients()


def act(c, listing, action):
    return c.post(f"/api/v1/listings/{listing.id}/{action}", json=BODIES.get(action))


@pytest.mark.parametrize(("action", "state"), CASES, ids=[f"{a}-from-{s}" for a, s in CASES])
def test_each_action_is_allowed_only_from_its_states(clients, make_listing, uni, action, state):
    role, moves = ACTIONS[action]
    listing = make_listing(uni, state)
    c = clients["owner_member" if role == "owner" else "admin"]
    response = act(c, listing, action)
    if state in moves:
        assert response.status_code == 200, response.json
        assert response.json["status"] == moves[state] == listing.status
        step = db.session.query(ListingTransition).filter_by(listing_id=listing.id).order_by(
            ListingTransition.id.desc()).first()
        assert (step.from_status, step.to_status, step.action) == (state, moves[state], action.replace("-", "_"))
    else:
        body = assert_problem(response, 409)
        assert body["current_state"] == state
        assert body["allowed_actions"] == sorted(a.replace("-", "_") for a, (_, m) in ACTIONS.items() if state in m)
        assert listing.status == state and listing.version == 1


#: action -> the state it is tried from, and the answer per role
PERMISSIONS = {
    "submit": ("draft", {"anonymous": 401, "owner_member": 200, "owner_manager": 200, "other_university": 404,
                         "company": 403, "admin": 403}),
    "archive": ("published", {"anonymous": 401, "owner_member": 200, "owner_manager": 200, "other_university": 403,
                              "company": 403, "admin": 403}),
    **{
        action: (state, {"anonymous": 401, "owner_member": 403, "owner_manager": 403, "other_university": 403,
                         "company": 403, "admin": 200})
        for action, state in (("approve", "in_review"), ("request-changes", "in_review"), ("suspend", "published"),
                              ("reinstate", "suspended"))
    },
}
ROLE_CASES = [(action, role) for action, (_, answers) in PERMISSIONS.items() for role in answers]


@pytest.mark.parametrize(("action", "role"), ROLE_CASES, ids=[f"{a}-by-{r}" for a, r in ROLE_CASES])
def test_each_action_is_taken_only_by_its_role(clients, make_listing, uni, action, role):
    state, answers = PERMISSIONS[action]
    listing = make_listing(uni, state)
    response = act(clients[role], listing, action)
    assert response.status_code == answers[role], response.get_data(as_text=True)
    if answers[role] != 200:
        assert listing.status == state
        assert db.session.query(AuditEvent).filter(AuditEvent.action.like("listing.%")).count() == 0


def test_a_full_cycle_is_kept_in_the_history_and_the_audit_trail(staff_client, admin_client, admin, staff, make_listing,
                                                                 uni):
    listing = make_listing(uni, "draft")
    url = f"/api/v1/listings/{listing.id}"
    staff_client.post(f"{url}/submit")
    admin_client.post(f"{url}/request-changes", json={"reason": "Add the efficacy data"})
    staff_client.post(f"{url}/submit")
    admin_client.post(f"{url}/approve")
    admin_client.post(f"{url}/suspend", json={"reason": "Misleading claims"})
    admin_client.post(f"{url}/reinstate")
    staff_client.post(f"{url}/archive")
    history = staff_client.get(f"{url}/history").json
    assert [(h["action"], h["from_status"], h["to_status"], h["actor"]["id"], h["reason"]) for h in history] == [
        ("submit", "draft", "in_review", staff.id, None),
        ("request_changes", "in_review", "changes_requested", admin.id, "Add the efficacy data"),
        ("submit", "changes_requested", "in_review", staff.id, None),
        ("approve", "in_review", "published", admin.id, None),
        ("suspend", "published", "suspended", admin.id, "Misleading claims"),
        ("reinstate", "suspended", "published", admin.id, None),
        ("archive", "published", "archived", staff.id, None),
    ]
    assert all(h["created_at"] for h in history)
    trail = admin_client.get(f"/api/v1/admin/audit-events?object_type=listing&object_id={listing.id}").json
    assert [(e["action"], e["actor_user_id"], e["changes"]) for e in reversed(trail["items"])] == [
        ("listing.submit", staff.id, {"status": ["draft", "in_review"]}),
        ("listing.request_changes", admin.id,
         {"status": ["in_review", "changes_requested"], "reason": "Add the efficacy data"}),
        ("listing.submit", staff.id, {"status": ["changes_requested", "in_review"]}),
        ("listing.approve", admin.id, {"status": ["in_review", "published"]}),
        ("listing.suspend", admin.id, {"status": ["published", "suspended"], "reason": "Misleading claims"}),
        ("listing.reinstate", admin.id, {"status": ["suspended", "published"]}),
        ("listing.archive", staff.id, {"status": ["published", "archived"]}),
    ]
    assert outbox_events(listing.id) == [
        ("listing.published", listing.id),
        ("listing.unpublished", listing.id),
        ("listing.published", listing.id),
        ("listing.unpublished", listing.id),
    ]


def test_history_is_for_the_university_and_admins(client, other_client, company_client, admin_client, make_listing,
                                                  uni):
    draft = make_listing(uni, "draft")
    published = make_listing(uni, "published")
    assert_problem(client.get(f"/api/v1/listings/{published.id}/history"), 401)
    assert_problem(other_client.get(f"/api/v1/listings/{draft.id}/history"), 404)
    assert_problem(company_client.get(f"/api/v1/listings/{published.id}/history"), 403)
    assert admin_client.get(f"/api/v1/listings/{draft.id}/history").json == []


@pytest.mark.parametrize("previous", ["draft", "in_review", "changes_requested", "published", "archived"])
def test_reinstating_returns_to_the_state_before_suspension(admin_client, make_listing, uni, previous):
    listing = make_listing(uni, previous)
    admin_client.post(f"/api/v1/listings/{listing.id}/suspend", json={"reason": "Checking a complaint"})
    response = admin_client.post(f"/api/v1/listings/{listing.id}/reinstate")
    assert response.json["status"] == previous == listing.status
    expected = [("listing.unpublished", listing.id), ("listing.published", listing.id)] if previous == "published" else []
    assert outbox_events(listing.id) == expected


def test_approval_publishes_keeps_the_approved_version_and_tells_the_managers(admin_client, client, make_listing, uni,
                                                                             manager, staff):
    listing = make_listing(uni, "in_review", review_note="Earlier note")
    response = admin_client.post(f"/api/v1/listings/{listing.id}/approve")
    assert response.status_code == 200
    assert listing.published_at is not None and listing.review_note is None
    assert listing.approved_snapshot["title"] == listing.title
    assert listing.approved_snapshot["fields"] == ["LS.THER"]
    assert outbox_events() == [("listing.published", listing.id)]
    assert client.get(f"/api/v1/listings/{listing.id}").status_code == 200
    [email] = outbox(to=manager.email, category="listing_approved")
    assert listing.title in email.subject and f"/listings/{listing.slug}" in email.body
    assert not outbox(to=staff.email)
    note = db.session.query(Notification).filter_by(user_id=manager.id).one()
    assert note.kind == "listing_approved" and note.data == {"listing_id": listing.id}


def test_a_change_request_needs_a_reason_which_only_insiders_read(admin_client, staff_client, client, make_listing, uni,
                                                                  manager):
    listing = make_listing(uni, "in_review")
    assert_problem(admin_client.post(f"/api/v1/listings/{listing.id}/request-changes", json={}), 422, "reason")
    assert_problem(admin_client.post(f"/api/v1/listings/{listing.id}/request-changes", json={"reason": " "}), 422,
                   "reason")
    admin_client.post(f"/api/v1/listings/{listing.id}/request-changes", json={"reason": "Add the efficacy data"})
    assert staff_client.get(f"/api/v1/listings/{listing.id}").json["review_note"] == "Add the efficacy data"
    assert_problem(client.get(f"/api/v1/listings/{listing.id}"), 404)
    [email] = outbox(to=manager.email, category="listing_changes_requested")
    assert "Add the efficacy data" in email.body
    assert outbox_events() == []


def test_suspending_a_published_listing_unpublishes_it_and_tells_the_managers(admin_client, client, make_listing, uni,
                                                                            manager):
    listing = make_listing(uni, "published")
    assert_problem(admin_client.post(f"/api/v1/listings/{listing.id}/suspend", json={}), 422, "reason")
    admin_client.post(f"/api/v1/listings/{listing.id}/suspend", json={"reason": "Misleading claims"})
    assert_problem(client.get(f"/api/v1/listings/{listing.id}"), 404)
    assert outbox_events() == [("listing.unpublished", listing.id)]
    [email] = outbox(to=manager.email, category="listing_suspended")
    assert "Misleading claims" in email.body


def test_suspending_a_draft_writes_no_outbox_event(admin_client, make_listing, uni):
    listing = make_listing(uni, "draft")
    admin_client.post(f"/api/v1/listings/{listing.id}/suspend", json={"reason": "Spam"})
    assert listing.status == "suspended" and outbox_events() == []


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"description": ""}, ["description"]),
        ({"fields": ()}, ["fields"]),
        ({"opportunity_types": []}, ["opportunity_types"]),
        ({"contact_user_id": None}, ["contact_user_id"]),
        ({"express_license": {"fields": ["LS.THER"], "territories": ["US"], "price_amount": 1000, "currency": "USD",
                              "term_months": 12}, "opportunity_types": ["sponsored_research"]},
         ["asset_ids", "opportunity_types"]),
    ],
)
def test_an_incomplete_listing_cannot_be_submitted(staff_client, make_listing, uni, overrides, fields):
    listing = make_listing(uni, "draft", **overrides)
    body = assert_problem(staff_client.post(f"/api/v1/listings/{listing.id}/submit"), 422, *fields)
    assert set(body["errors"]) == set(fields)
    assert listing.status == "draft"


def test_a_missing_listing_is_not_found_for_admin_actions(admin_client):
    assert_problem(admin_client.post("/api/v1/listings/424242/approve"), 404)
